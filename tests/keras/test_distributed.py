"""Masked losses and metrics give the same result on one device and under data-parallel training.

Each configuration runs tests/keras/distributed_worker.py in its own process (Keras picks its backend
once per process; TensorFlow's logical devices and XLA_FLAGS must be set before the framework
starts): TensorFlow on one device and under ``tf.distribute.MirroredStrategy`` over 2 logical
CPUs, JAX on one device and under ``keras.distribution.DataParallel`` over 2 host devices.
The two processes run side by side. Reference: TensorFlow on one device, and NumPy.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import mlbalance

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(os.path.abspath(mlbalance.__file__)))  # the mlbalance under test
# The workers choose their own backends, so the file runs once, under the default backend (tests/test_backends.py
# re-runs this folder under JAX and PyTorch, where it would only repeat the same subprocesses).
pytestmark = pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
                                reason="starts its own TensorFlow and JAX workers; run under the default backend")
CONFIGS = ["tensorflow_mirrored", "jax_single", "jax_data_parallel"]
POS_WEIGHT = np.array([1.0, 2.0, 4.0, 8.0, 0.5])


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("distributed")
    jobs = {}
    for backend, extra in (("tensorflow", {}),
                           ("jax", {"JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_force_host_platform_device_count=2"})):
        assert importlib.util.find_spec(backend) is not None, f"the {backend} backend is not installed"
        env = {**os.environ, **extra, "KERAS_BACKEND": backend,
               "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))}
        out = tmp / f"{backend}.json"
        cmd = [sys.executable, os.path.join(HERE, "distributed_worker.py"), str(out)]
        jobs[backend] = (out, subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                               text=True))
    merged = {}
    for backend, (out, job) in jobs.items():
        log, _ = job.communicate(timeout=600)
        assert job.returncode == 0, f"{backend} worker failed:\n{log[-4000:]}"
        merged.update(json.loads(out.read_text()))
    return merged


def test_losses_equal_on_one_device_and_data_parallel(results):
    reference = results["tensorflow_single"]["evaluate"]
    for config in CONFIGS:
        for batch in ("A", "B"):
            for key, value in reference[batch].items():
                if key.endswith("loss"):
                    got = results[config]["evaluate"][batch][key]
                    np.testing.assert_allclose(got, value, rtol=1e-5, err_msg=f"{config}, batch {batch}, {key}")


def test_masked_loss_matches_numpy_when_one_shard_is_fully_masked(results):
    # Batch B: rows 0-3 (replica 0's shard under 2-way data parallelism) are fully masked.
    single = results["tensorflow_single"]
    y, x = np.asarray(single["y"])[:8], np.asarray(single["logits"])[:8]
    assert np.all(y[:4] == -1)
    terms = POS_WEIGHT * y * np.logaddexp(0, -x) + (1 - y) * np.logaddexp(0, x)
    expected = np.where(y == -1, 0.0, terms).sum(axis=1).mean() / y.shape[1]  # row sums / n_labels
    for config in ["tensorflow_single", *CONFIGS]:
        np.testing.assert_allclose(results[config]["evaluate"]["B"]["wbce_loss"], expected, rtol=1e-5, err_msg=config)


def test_metrics_equal_on_one_device_and_data_parallel(results):
    reference = results["tensorflow_single"]["evaluate"]
    for config in CONFIGS:
        for batch in ("A", "B"):
            for key in ("wbce_f1", "wbce_precision", "wbce_recall"):
                np.testing.assert_allclose(results[config]["evaluate"][batch][key], reference[batch][key],
                                           rtol=1e-6, equal_nan=True, err_msg=f"{config}, batch {batch}, {key}")


def test_one_epoch_of_fit_gives_the_same_weights(results):
    reference = np.concatenate(results["tensorflow_single"]["fit_weights"])
    initial = np.concatenate(results["tensorflow_single"]["initial_weights"])
    assert np.abs(reference - initial).max() > 1e-2  # training moved the weights
    for config in CONFIGS:
        np.testing.assert_allclose(np.concatenate(results[config]["fit_weights"]), reference, atol=2e-6, rtol=0,
                                   err_msg=config)

