"""Keras import, registration and the input checks shared by mlbalance's Keras-side modules.

Targets (``y_true``) are checked the same way by the losses and the metrics:

* ``y_true`` and ``y_pred`` have the same shape; the one exception is Keras' own rule that a
  target of shape ``(n,)`` matches an output of shape ``(n, 1)``. A target is never broadcast.
* every entry is 0 or 1, or the ``mask_value`` (NaN with ``mask_value=float("nan")``).
  On concrete inputs (eager calls, ``run_eagerly=True``, the PyTorch backend's eager
  training loop) anything else raises a ``ValueError`` naming the first bad entry. Inside a
  traced, compiled step (TensorFlow graph/XLA, ``jax.jit``, ``torch.compile``) a Python error
  cannot be raised without a host round trip every step, so a bad entry turns that row's loss
  (or the metric's result) into NaN instead: loud in the progress bar and stopped by
  ``keras.callbacks.TerminateOnNaN``, never a plausible wrong number.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._validation import check_per_label

try:
    import keras
except ImportError as err:  # pragma: no cover - exercised only without a backend
    raise ImportError(
        "mlbalance's Keras modules need Keras 3 and one backend. Install one of: "
        "pip install 'mlbalance[tensorflow]', 'mlbalance[jax]' or 'mlbalance[torch]'. "
        f"(Original error: {err})"
    ) from err

PACKAGE = "mlbalance"
ops = keras.ops


def register(cls: type) -> type:
    """Register a Keras object once, under the package name ``mlbalance``."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)


def per_label_values(name: str, value: Any, *, allow_none: bool = True,
                     upper: float | None = None) -> float | list[float] | None:
    """Validate a scalar-or-per-label argument (a tensor too); return a float or a list of floats.

    Negative, non-finite or (with ``upper``) too large values raise a ValueError naming the label
    (:func:`mlbalance._validation.check_per_label`).
    """
    if value is not None and not isinstance(value, (bool, numbers.Real, list, tuple)):
        try:
            value = keras.ops.convert_to_numpy(value)
        except (TypeError, ValueError):
            raise ValueError(f"Expected {name} to be a number or a 1-D sequence of numbers. Received: {name}={value!r}") from None
    return check_per_label(name, value, allow_none=allow_none, upper=upper)


def is_concrete(x: Any) -> bool:
    """Whether ``x`` holds values now (eager) rather than being traced into a compiled step."""
    if isinstance(x, keras.KerasTensor):
        return False
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.executing_eagerly()
    if backend == "jax":
        import jax

        return not isinstance(x, jax.core.Tracer)
    if backend == "torch":
        import torch

        return not getattr(torch.compiler, "is_compiling", lambda: False)()
    return True


def float_tensor(x: Any) -> Any:
    """``x`` as a tensor computed in at least float32 (half precision and integers are cast up)."""
    x = ops.convert_to_tensor(x)
    dtype = keras.backend.standardize_dtype(x.dtype)
    return x if dtype in ("float32", "float64") else ops.cast(x, "float32")


def align_target(y_true: Any, y_pred: Any, owner: str) -> Any:
    """``y_true`` as a tensor of ``y_pred``'s shape; a target that would broadcast is an error."""
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    same = len(y_true.shape) == len(y_pred.shape) and all(
        a is None or b is None or a == b for a, b in zip(y_true.shape, y_pred.shape))
    if not same:
        raise ValueError(
            f"{owner}: expected y_true and y_pred to have the same shape (n_samples, n_labels): one target column "
            f"per output unit (a target is never broadcast). Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}")
    return y_true


def binary_targets(y_true: Any, mask_value: float | None, dtype: str, owner: str) -> tuple[Any, Any]:
    """Checked 0/1 targets. Returns ``(z, observed)``: ``z`` is 1 where ``y_true == 1``, else 0
    (masked entries too); ``observed`` is 1 where not masked (None without ``mask_value``).

    A target that is neither 0, 1 nor the mask raises on concrete inputs and is NaN in ``z``
    when traced (see the module docstring).
    """
    y_true = ops.cast(y_true, dtype)
    z = ops.cast(ops.equal(y_true, 1.0), dtype)
    # z equals y_true exactly where y_true is 0 or 1 (z is 0 wherever y_true is not 1; NaN equals nothing):
    # one comparison instead of two and an "or" (each op is a dispatch on PyTorch's eager backend).
    valid = ops.equal(y_true, z)
    observed = None
    if mask_value is not None:
        masked = ops.isnan(y_true) if math.isnan(mask_value) else ops.equal(y_true, mask_value)
        valid = ops.logical_or(valid, masked)
        observed = ops.cast(ops.logical_not(masked), dtype)
    if is_concrete(y_true):
        if not bool(ops.convert_to_numpy(ops.all(valid))):
            raise _target_error(ops.convert_to_numpy(y_true), ops.convert_to_numpy(valid), mask_value, owner)
        return z, observed
    return ops.where(valid, z, float("nan")), observed


def _target_error(y_true: np.ndarray, valid: np.ndarray, mask_value: float | None, owner: str) -> ValueError:
    bad = np.argwhere(~valid)
    first = tuple(int(i) for i in bad[0])
    where = f"y_true[{', '.join(map(str, first))}]" + (f" (row {first[0]}, label {first[-1]})" if len(first) > 1 else "")
    allowed = "0 and 1" if mask_value is None else f"0, 1 and the mask value {mask_value!r}"
    values = sorted({float(v) for v in y_true[~valid][:1000]}, key=repr)[:5]
    return ValueError(
        f"{owner}: expected y_true to hold only {allowed}. Received: {where}={float(y_true[first])!r} "
        f"({len(bad)} such entries; values such as {values}). Convert the labels to 0/1 "
        "(e.g. y / 255 for 0/255 labels, (y + 1) / 2 for -1/1 labels) and mark unobserved entries with "
        "mask_value.")
