"""Package-level contracts: lazy SciPy, scikit-learn and Keras, documented public API, typed."""

import inspect
import os
import subprocess
import sys

import mlbalance


HEAVY = ("scipy", "sklearn", "keras", "tensorflow", "jax", "torch")

HELP_WITHOUT_HEAVY_IMPORTS = f"""
import contextlib, io, sys
import mlbalance, mlbalance.cli
mlbalance.cli.build_parser()
mlbalance.positive_weights([[1, 0], [0, 1]])
mlbalance.imbalance_summary([[1, 0], [0, 1]])
mlbalance.as_label_matrix([[1, 0], [0, 1]])
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        mlbalance.cli.main(["--help"])
except SystemExit:
    pass
assert "usage: mlbalance" in out.getvalue()
bad = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(bad)
sys.exit(1 if bad else 0)
"""


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_mlbalance_and_help_import_numpy_only():
    result = run_python(HELP_WITHOUT_HEAVY_IMPORTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scikit_learn_is_loaded_on_first_use():
    code = ("import sys, numpy as np, mlbalance; y = np.eye(4, dtype=int)[[0, 1, 2, 3] * 3];"
            "assert 'sklearn' not in sys.modules;"
            "mlbalance.multilabel_train_test_split(y, y=y, random_state=0);"
            "sys.exit(0 if 'sklearn' in sys.modules else 1)")
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr


SPARSE_ON_FIRST_USE = """
import sys, numpy as np, mlbalance
assert "scipy" not in sys.modules
import scipy.sparse
y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
m = mlbalance.as_label_matrix(scipy.sparse.csr_matrix(y))
assert m.is_sparse and (m.values.toarray() == y).all(), m
assert mlbalance.positive_weights(scipy.sparse.csr_matrix(y)).tolist() == mlbalance.positive_weights(y).tolist()
"""

STRATIFY_LOADS_SPARSE = """
import sys, numpy as np, mlbalance
y = np.eye(3, dtype=int)[[0, 1, 2] * 4]
folds = list(mlbalance.MultilabelStratifiedKFold(n_splits=2).split(np.zeros(len(y)), y))
assert "scipy.sparse" in sys.modules
assert sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(len(y)))
assert all(y[test].sum(axis=0).tolist() == [2, 2, 2] for _, test in folds), folds
"""


def test_sparse_input_works_when_the_user_imported_scipy_after_mlbalance():
    result = run_python(SPARSE_ON_FIRST_USE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_first_split_of_dense_labels_loads_scipy_sparse():
    result = run_python(STRATIFY_LOADS_SPARSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_is_typed():
    assert os.path.isfile(os.path.join(os.path.dirname(mlbalance.__file__), "py.typed"))


def test_every_public_name_has_a_numpydoc_docstring_with_an_example():
    missing = []
    for name in mlbalance.__all__:
        obj = getattr(mlbalance, name)
        doc = inspect.getdoc(obj) or ""
        if "Examples" not in doc or ">>>" not in doc:
            missing.append(name)
    assert not missing, f"public names without an Examples section: {missing}"


def test_unknown_attribute_is_an_attribute_error():
    try:
        mlbalance.no_such_thing
    except AttributeError as err:
        assert "no_such_thing" in str(err)
    else:
        raise AssertionError("expected AttributeError")
