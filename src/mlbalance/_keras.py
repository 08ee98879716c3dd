"""Keras import and registration shared by mlbalance's Keras-side modules (losses, metrics, callbacks)."""

from __future__ import annotations

import numbers

import numpy as np

try:
    import keras
except ImportError as err:  # pragma: no cover - exercised only without a backend
    raise ImportError(
        "mlbalance's Keras modules need Keras 3 and one backend. Install one of: "
        "pip install 'mlbalance[tensorflow]', 'mlbalance[jax]' or 'mlbalance[torch]'. "
        f"(Original error: {err})"
    ) from err

PACKAGE = "mlbalance"


def register(cls):
    """Register a Keras object once, under the package name ``mlbalance``."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)


def per_label_values(name, value, *, allow_none=True, upper=None):
    """Validate a scalar-or-per-label argument at construction; return a float or a list of floats.

    Negative, non-finite or (with ``upper``) too large values raise a ValueError naming the label.
    """
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"Expected {name} to be a number or one number per label. Received: {name}=None")
    if isinstance(value, bool):
        raise ValueError(f"Expected {name} to be a number or one number per label. Received: {name}={value!r}")
    if isinstance(value, numbers.Real):
        arr = np.asarray([float(value)])
        scalar = True
    else:
        try:
            arr = np.asarray(keras.ops.convert_to_numpy(value) if not isinstance(value, (list, tuple)) else value,
                             dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Expected {name} to be a number or a 1-D sequence of numbers. Received: {name}={value!r}") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"Expected {name} to be a number or a 1-D sequence (one value per label). "
                             f"Received: {name} with shape {arr.shape}")
        scalar = False
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | ((arr > upper) if upper is not None else False))
    if bad.size:
        where = "" if scalar else f" at label {int(bad[0])}"
        bound = f"in [0, {upper}]" if upper is not None else "finite and >= 0"
        raise ValueError(f"{name} must be {bound}; received {float(arr[bad[0]])!r}{where}.")
    return float(arr[0]) if scalar else [float(v) for v in arr]
