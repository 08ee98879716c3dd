"""The seed's models and the losses each run trains with.

Keras is imported by the caller (after the backend is chosen) and passed in.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import mlbalance


def base_model(keras: Any, units: int, padding: str = "mask", n_features: int = 128) -> tuple[Any, Any]:
    """The binary base and its 64-d feature model: Input (None, None, features) -> LSTM -> Dense 160-128-128-64 -> 1.

    The LSTM layer is named ``"lstm"``: its state is the representation stage 3 fine-tunes and
    classifier re-training keeps.
    """
    inputs = keras.Input((None, n_features), name="sequence")
    h = keras.layers.Masking(mask_value=0.0)(inputs) if padding == "mask" else inputs
    h = keras.layers.LSTM(units, name="lstm")(h)
    for k, width in enumerate((160, 128, 128, 64)):
        h = keras.layers.Dense(width, activation="relu", name=f"base_dense_{k + 1}")(h)
    features = h
    # Output layers in float32 (as Keras advises for mixed precision): no float16 rounding of the scores.
    output = keras.layers.Dense(1, activation="sigmoid", name="binary", dtype="float32")(features)
    return keras.Model(inputs, output, name="binary_base"), keras.Model(inputs, features, name="base_features")


def head(keras: Any, n_labels: int, activation: str | None, features: np.ndarray) -> Any:
    """The seed's head: Normalization (adapted to ``features``), 4 x [Dense 64 + Dropout 0.2], Dense 32, Dense q."""
    inputs = keras.Input((features.shape[1],), name="features")
    # float32 under mixed precision too: in float16 a near-constant feature's variance rounds to 0 and
    # (x - mean) / epsilon overflows to inf (the head's scores were all NaN under mixed_float16; measured on JAX).
    normalize = keras.layers.Normalization(name="standardize", dtype="float32")
    normalize.adapt(features)
    h = normalize(inputs)
    for k in range(4):
        h = keras.layers.Dense(64, activation="relu", name=f"dense_top_{k + 1}")(h)
        h = keras.layers.Dropout(0.2)(h)
    h = keras.layers.Dense(32, activation="relu", name="dense_top_5")(h)
    out = keras.layers.Dense(n_labels, activation=activation, name="out", dtype="float32")(h)  # see base_model
    return keras.Model(inputs, out, name="head")


def loss_for(run: str, y_train: np.ndarray) -> tuple[Any, bool, dict]:
    """``(loss, from_logits, fit kwargs)`` for one run.

    The weighted losses share one per-label ``pos_weight``: ``positive_weights(y, "sqrt",
    max_weight=30)``. ``class_weight`` is the seed's dict ``{c: round(N / n_c, 1)}``, which Keras
    applies per row by ``argmax(y)``. ``repeat_factor`` is plain BCE on rows oversampled by
    repeat-factor sampling (``{"resample": True}``).
    """
    from mlbalance import losses

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zero-positive labels: stated fallback weight 1
        pos_weight = mlbalance.positive_weights(y_train, "sqrt", max_weight=30.0, on_zero="one")
    if run == "bce":
        return "binary_crossentropy", False, {}
    if run == "class_weight":
        counts = y_train.sum(axis=0)
        class_weight = {c: round(len(y_train) / n, 1) for c, n in enumerate(counts) if n}  # the seed's dict
        return "binary_crossentropy", False, {"class_weight": class_weight}
    if run == "weighted_bce":
        return losses.WeightedBinaryCrossentropy(pos_weight=pos_weight, from_logits=True), True, {}
    if run == "focal":
        return losses.BinaryFocalLoss(gamma=2.0, pos_weight=pos_weight, from_logits=True), True, {}
    if run == "repeat_factor":
        return "binary_crossentropy", False, {"resample": True}
    if run == "asymmetric":
        return losses.AsymmetricLoss(gamma_pos=0.0, gamma_neg=4.0, clip=0.05, pos_weight=pos_weight,
                                     from_logits=True), True, {}
    raise ValueError(f"unknown run {run!r}")
