"""Package-level contracts: lazy Keras, documented public API."""

import inspect
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
