"""Worker for tests/keras/test_distributed.py: one backend, one device vs data-parallel over 2 CPU devices.

    KERAS_BACKEND=tensorflow python tests/keras/distributed_worker.py OUT.json
    KERAS_BACKEND=jax XLA_FLAGS=--xla_force_host_platform_device_count=2 python tests/keras/distributed_worker.py OUT.json

Keras picks its backend once per process, and the devices must be configured before the
framework initialises, hence a process per backend. For each configuration it writes the
losses and metrics of ``model.evaluate`` on fixed batches of 8 rows (in some, one half, i.e.
one replica's shard, is fully masked), the logits, and the weights after one epoch of
``model.fit`` with a masked, weighted loss.
"""

from __future__ import annotations

import json
import os
import sys

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
if BACKEND == "tensorflow":  # two logical CPU devices, before TensorFlow initialises
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import numpy as np  # noqa: E402

import keras  # noqa: E402
from mlbalance.losses import AsymmetricLoss, BinaryFocalLoss, WeightedBinaryCrossentropy  # noqa: E402
from mlbalance.metrics import MultilabelF1Score, MultilabelPrecision, MultilabelRecall  # noqa: E402

N_LABELS, N_FEATURES, BATCH = 5, 4, 8
POS_WEIGHT = [1.0, 2.0, 4.0, 8.0, 0.5]


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, N_FEATURES)).astype("float32")
    y = (rng.random((32, N_LABELS)) < 0.4).astype("float32")
    y[rng.random(y.shape) < 0.3] = -1.0
    y[:4] = -1.0  # the first batch's first half (replica 0's shard) is fully masked
    y[12:16] = -1.0  # and the second batch's second half
    weights = [rng.normal(size=(N_FEATURES, 6)).astype("float32"), np.zeros(6, "float32"),
               rng.normal(size=(6, N_LABELS)).astype("float32"), np.zeros(N_LABELS, "float32")]
    return x, y, weights


def losses():
    return {
        "keras_bce": lambda: keras.losses.BinaryCrossentropy(from_logits=True),  # control: no mask
        "wbce": lambda: WeightedBinaryCrossentropy(pos_weight=POS_WEIGHT, from_logits=True, mask_value=-1),
        "focal": lambda: BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True, mask_value=-1),
        "asl": lambda: AsymmetricLoss(from_logits=True, mask_value=-1),
    }


def metrics():
    return [MultilabelF1Score(N_LABELS, from_logits=True, mask_value=-1, name="f1"),
            MultilabelPrecision(N_LABELS, average="macro", from_logits=True, mask_value=-1, name="precision"),
            MultilabelRecall(N_LABELS, average="micro", from_logits=True, mask_value=-1, name="recall")]


def model(weights, heads=None):
    """The test network; with ``heads``, one identity output per loss (one compile for all losses)."""
    inputs = keras.Input((N_FEATURES,))
    hidden = keras.layers.Dense(6, activation="relu")(inputs)
    logits = keras.layers.Dense(N_LABELS)(hidden)
    outputs = logits if heads is None else {name: keras.layers.Identity(name=name)(logits) for name in heads}
    net = keras.Model(inputs, outputs)
    net.set_weights(weights)
    return net


def run():
    """Everything measured in the current distribution context."""
    x, y, weights = data()
    net = model(weights, heads=list(losses()))
    net.compile(optimizer="sgd", loss={name: make() for name, make in losses().items()}, metrics={"wbce": metrics()})
    unmasked = np.where(y < 0, 0.0, y).astype("float32")  # for the Keras control
    targets = {name: unmasked if name == "keras_bce" else y for name in losses()}
    out = {"evaluate": {}, "y": y.tolist(), "initial_weights": [w.ravel().tolist() for w in weights]}
    for batch, rows in (("A", slice(8, 32)), ("B", slice(0, 8))):  # B: one shard fully masked
        result = net.evaluate(x[rows], {k: v[rows] for k, v in targets.items()}, batch_size=BATCH, verbose=0,
                              return_dict=True)
        out["evaluate"][batch] = {k: np.asarray(v, dtype=np.float64).tolist() for k, v in result.items()}
    net = model(weights)
    out["logits"] = np.asarray(net.predict(x, batch_size=BATCH, verbose=0), dtype=np.float64).tolist()
    net.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss=losses()["wbce"]())
    net.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    out["fit_weights"] = [np.asarray(w, dtype=np.float64).ravel().tolist() for w in net.get_weights()]
    return out


def main(path: str) -> None:
    results = {f"{BACKEND}_single": run()}
    if BACKEND == "tensorflow":
        strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
        assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
        with strategy.scope():
            results["tensorflow_mirrored"] = run()
    elif BACKEND == "jax":
        devices = keras.distribution.list_devices()
        assert len(devices) == 2, devices
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        results["jax_data_parallel"] = run()
    with open(path, "w") as handle:  # a test scratch file in pytest's tmp_path
        json.dump(results, handle)


if __name__ == "__main__":
    main(sys.argv[1])
