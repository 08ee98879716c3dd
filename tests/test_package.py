"""Package-level contracts: lazy scikit-learn and Keras, documented public API, typed."""

import inspect
import os
import subprocess
import sys

import mlbalance


def test_import_mlbalance_does_not_import_keras_or_a_backend():
    code = (
        "import sys, mlbalance, mlbalance.cli;"
        "mlbalance.positive_weights([[1, 0], [0, 1]]);"
        "bad = [m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


HELP_WITHOUT_SKLEARN = """
import contextlib, io, sys
import mlbalance, mlbalance.cli
mlbalance.positive_weights([[1, 0], [0, 1]])
mlbalance.imbalance_summary([[1, 0], [0, 1]])
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        mlbalance.cli.main(["--help"])
except SystemExit:
    pass
assert "usage: mlbalance" in out.getvalue()
bad = [m for m in ("sklearn", "keras", "tensorflow", "jax", "torch") if m in sys.modules]
print(bad)
sys.exit(1 if bad else 0)
"""


def test_import_mlbalance_and_help_do_not_import_sklearn():
    result = subprocess.run([sys.executable, "-c", HELP_WITHOUT_SKLEARN], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scikit_learn_is_loaded_on_first_use():
    code = ("import sys, numpy as np, mlbalance; y = np.eye(4, dtype=int)[[0, 1, 2, 3] * 3];"
            "assert 'sklearn' not in sys.modules;"
            "mlbalance.multilabel_train_test_split(y, y=y, random_state=0);"
            "sys.exit(0 if 'sklearn' in sys.modules else 1)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
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
