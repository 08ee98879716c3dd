"""Run the Keras-side test files under the JAX and PyTorch backends too.

The main test run uses the default backend (TensorFlow); Keras picks its backend once
per process, so each other backend gets its own pytest subprocess.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERAS_TEST_FILES = ["tests/test_losses.py", "tests/test_metrics.py"]


@pytest.mark.parametrize("backend, module", [("jax", "jax"), ("torch", "torch")])
def test_keras_side_tests_pass_under_backend(backend, module):
    assert importlib.util.find_spec(module) is not None, (
        f"the {backend} backend is not installed; install the test extra: pip install -e '.[tensorflow,test]'"
    )
    env = {**os.environ, "KERAS_BACKEND": backend}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *KERAS_TEST_FILES]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, f"KERAS_BACKEND={backend}: {tail}"
    assert " passed" in result.stdout and "no tests ran" not in result.stdout, tail
