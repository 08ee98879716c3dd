"""Run the Keras-side tests (the whole tests/keras folder) under the JAX and PyTorch backends too.

The main test run uses the default backend (TensorFlow); Keras picks its backend once
per process, so each other backend gets its own pytest subprocess. Every test of a
Keras-side module lives in tests/keras, so there is no list of files to keep up to date.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERAS_TESTS = "tests/keras"


@pytest.mark.parametrize("backend, module", [("jax", "jax"), ("torch", "torch")])
def test_keras_side_tests_pass_under_backend(backend, module):
    assert importlib.util.find_spec(module) is not None, (
        f"the {backend} backend is not installed; install the test extra: pip install -e '.[tensorflow,test]'"
    )
    env = {**os.environ, "KERAS_BACKEND": backend}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", KERAS_TESTS]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, f"KERAS_BACKEND={backend}: {tail}"
    assert " passed" in result.stdout and "no tests ran" not in result.stdout, tail


def test_every_keras_side_module_is_tested_in_the_keras_folder():
    # A Keras-side module is one that imports mlbalance._keras; each has its test file in tests/keras.
    package = os.path.join(ROOT, "src", "mlbalance")
    keras_side = [name[:-3] for name in sorted(os.listdir(package)) if name.endswith(".py") and not name.startswith("_")
                  and "from ._keras import" in open(os.path.join(package, name), encoding="utf-8").read()]
    assert {"losses", "metrics", "keras_sampling"} <= set(keras_side), keras_side
    folder = os.listdir(os.path.join(ROOT, KERAS_TESTS))
    untested = [name for name in keras_side if f"test_{name}.py" not in folder]
    assert not untested, f"Keras-side modules without a tests/keras/test_<module>.py: {untested}"
