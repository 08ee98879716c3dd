"""Keras losses for imbalanced sigmoid multi-label outputs.

Each loss is a function returning one value per row (the mean over labels, as Keras'
``binary_crossentropy``) plus a thin :class:`keras.losses.Loss` subclass whose
``get_config`` holds every constructor argument. Everything uses ``keras.ops``, so
the losses run on the TensorFlow, JAX and PyTorch backends.

Conventions shared by all three losses:

* ``from_logits=True``: ``log p = -softplus(-x)`` and ``log(1 - p) = -softplus(x)``, both
  exact to float32 precision at either tail (no clipping, no cancellation: a negative at
  logit -15 costs 3.06e-7, not 0), so the loss and its gradient are right for the confident
  negatives that make up most of an imbalanced multi-label batch, and finite for logits of
  any size. ``from_logits=False``: probabilities are clipped once to
  ``[epsilon, 1 - epsilon]`` (``keras.backend.epsilon()``), as Keras does.
* Half-precision inputs (``float16``, ``bfloat16``) are computed in ``float32``, on every backend.
* Modulating factors such as ``(1 - p) ** gamma`` are computed as
  ``exp(gamma * log(1 - p))`` from the stable log-probability, so ``gamma < 1``
  gives no NaN gradient at ``p = 0`` or ``p = 1``.
* Targets are strict: ``y_true`` must have ``y_pred``'s shape (never broadcast) and hold
  only 0 and 1 (or ``mask_value``). A bad target raises a ``ValueError`` on concrete
  inputs and makes the loss NaN inside a compiled training step (TensorFlow graph/XLA,
  JAX); ``label_smoothing`` is the way to soft targets.
* ``mask_value``: entries of ``y_true`` equal to it (or NaN, with
  ``mask_value=float("nan")``) contribute 0, and each row is still divided by the number
  of labels: a row's value is **the sum of its observed terms divided by n_labels**, the
  same denominator as the unmasked loss. Why this normalisation: a row's value depends on
  that row alone, so the loss (and its gradient) is the same whether a batch is computed on
  one device or sharded over many (``tf.distribute.MirroredStrategy``,
  ``keras.distribution.DataParallel``), even when one shard is fully masked; every observed
  entry has the same weight, ``1 / (batch_size * n_labels)``, as in the unmasked loss, so
  masking an entry only removes its term; nothing masked gives exactly the unmasked loss;
  and per-row ``sample_weight`` applies unchanged. (A batch-level normalisation, such as
  dividing by the batch's observed fraction, depends on which rows share a shard.) The
  mean over the observed entries alone is this loss times
  ``n_entries / n_observed`` for the whole data set.
* Per-label arguments (``pos_weight``, ``neg_weight``, ``alpha``) are a scalar or
  one value per output unit; a length that does not match the output is an error
  at the first call naming both sizes.

Models saved with these losses load with plain ``keras.saving.load_model`` once
``mlbalance.losses`` has been imported (the import registers the classes under the
package name ``mlbalance``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._keras import align_target, binary_targets, float_tensor, keras, per_label_values, register
from ._validation import check_bool, check_mask_value, check_number

ops = keras.ops

__all__ = [
    "AsymmetricLoss",
    "BinaryFocalLoss",
    "WeightedBinaryCrossentropy",
    "asymmetric_loss",
    "binary_focal_loss",
    "weighted_binary_crossentropy",
]


# --------------------------------------------------------------------------------------
# Shared tensor helpers
# --------------------------------------------------------------------------------------
def _prepare(y_true, y_pred, label_smoothing, mask_value, owner):
    """Cast, check shapes and targets, split off the mask and smooth labels. Returns (z, y_pred, observed or None)."""
    y_pred = float_tensor(y_pred)
    z, observed = binary_targets(align_target(y_true, y_pred, owner), mask_value, y_pred.dtype, owner)
    if label_smoothing:
        z = z * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return z, y_pred, observed


def _neg_log_probs(y_pred, from_logits):
    """``(-log p, -log(1 - p))``: from logits ``softplus(-x)`` and ``softplus(x)``, from probabilities after one clip.

    Returned with the sign the loss terms use, so no op is spent on negations. (``-log p + x``
    for ``-log(1 - p)`` would save one more op but cancels: 0 instead of 3.06e-7 at x = -15.)
    """
    if from_logits:
        return ops.softplus(-y_pred), ops.softplus(y_pred)
    eps = keras.backend.epsilon()
    p = ops.clip(y_pred, eps, 1.0 - eps)
    return -ops.log(p), -ops.log(1.0 - p)


def _label_vector(name, value, y_pred, upper=None):
    """A per-label argument as a tensor broadcasting over the last axis (None stays None).

    Python and NumPy values are validated as in the constructors (the function API gets the
    same checks); a sequence whose length is not the number of output units is an error.
    """
    if value is None:
        return None
    if ops.is_tensor(value):
        length = value.shape[-1] if len(value.shape) == 1 else None
        if len(value.shape) > 1:
            raise ValueError(f"Expected {name} to be a scalar or 1-D (one value per label). "
                             f"Received: {name} with shape {tuple(value.shape)}")
    else:
        value = per_label_values(name, value, upper=upper)
        length = len(value) if isinstance(value, list) else None
    n_labels = y_pred.shape[-1]
    if length is not None and n_labels is not None and length != n_labels:
        raise ValueError(
            f"{name} has {length} values but the model output has {n_labels} labels "
            f"(y_pred shape {tuple(y_pred.shape)}). Pass one value per output unit, or a scalar."
        )
    if not ops.is_tensor(value):
        # A NumPy array of the output's dtype converts in one call; a Python list is walked element by
        # element on the PyTorch backend (about two thirds of the loss's own time per step, measured).
        return ops.convert_to_tensor(np.asarray(value, dtype=keras.backend.standardize_dtype(y_pred.dtype)))
    return ops.cast(value, y_pred.dtype)


def _pow_from_nll(nll_base, gamma):
    """``base ** gamma`` from ``-log(base)``: finite value and gradient for every gamma >= 0."""
    if gamma == 0:
        return None
    return ops.exp(-gamma * nll_base)


def _scale(term, factor):
    return term if factor is None else term * factor


def _mean_over_labels(elementwise, observed):
    """Mean over the last axis, masked terms counting 0: each row's value depends on that row alone."""
    return ops.mean(_scale(elementwise, observed), axis=-1)


def _binary_terms(y_true, y_pred, *, from_logits, label_smoothing, mask_value, owner):
    label_smoothing = check_number("label_smoothing", label_smoothing, low=0, high=1)
    z, y_pred, observed = _prepare(y_true, y_pred, label_smoothing, check_mask_value(mask_value), owner)
    nll_p, nll_1mp = _neg_log_probs(y_pred, check_bool("from_logits", from_logits))
    return z, y_pred, observed, nll_p, nll_1mp


# --------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------
def weighted_binary_crossentropy(
    y_true: Any, y_pred: Any, pos_weight: Any = None, neg_weight: Any = None, from_logits: bool = False,
    label_smoothing: float = 0.0, mask_value: float | None = None,
) -> Any:
    """Binary cross-entropy with a positive and a negative weight per label.

    ``loss = pos_weight * z * -log(p) + neg_weight * (1 - z) * -log(1 - p)``, averaged
    over labels (masked entries count 0 in the mean; see the module docstring). With ``neg_weight = 1``
    this is ``tf.nn.weighted_cross_entropy_with_logits`` and PyTorch's
    ``BCEWithLogitsLoss(pos_weight=...)``; with both weights 1 it is Keras'
    ``binary_crossentropy``.

    Parameters
    ----------
    y_true : tensor, shape (..., n_labels)
        0/1 labels (or ``mask_value`` for unobserved entries); anything else is an error
        (NaN inside a compiled step). Same shape as ``y_pred``.
    y_pred : tensor, shape (..., n_labels)
        Probabilities, or logits with ``from_logits=True``.
    pos_weight, neg_weight : float or list of float, optional
        Scalar or one weight per label (e.g. from :func:`mlbalance.positive_weights`
        or :func:`mlbalance.label_weights`). Default 1.
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
        Labels become ``z = y * (1 - s) + 0.5 * s``.
    mask_value : float, optional
        Label value marking unobserved entries (e.g. -1, or NaN). Their terms count 0;
        each row is still divided by ``n_labels``.

    Returns
    -------
    tensor, shape (...,)
        One loss value per row.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.losses import weighted_binary_crossentropy
    >>> y = np.array([[1.0, 0.0]]); logits = np.array([[0.0, 0.0]])
    >>> loss = weighted_binary_crossentropy(y, logits, pos_weight=[3.0, 3.0], from_logits=True)
    >>> round(float(loss[0]), 4)  # (3 * log 2 + log 2) / 2
    1.3863
    >>> masked = weighted_binary_crossentropy(np.array([[1.0, -1.0]]), logits, pos_weight=3.0, from_logits=True,
    ...                                       mask_value=-1)
    >>> round(float(masked[0]), 4)  # (3 * log 2 + 0) / 2: the masked term counts 0, the row is divided by 2
    1.0397
    """
    z, y_pred, observed, nll_p, nll_1mp = _binary_terms(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, mask_value=mask_value,
        owner="weighted_binary_crossentropy",
    )
    positive = _scale(z * nll_p, _label_vector("pos_weight", pos_weight, y_pred))
    negative = _scale((1.0 - z) * nll_1mp, _label_vector("neg_weight", neg_weight, y_pred))
    return _mean_over_labels(positive + negative, observed)


def binary_focal_loss(
    y_true: Any, y_pred: Any, gamma: float = 2.0, alpha: Any = None, pos_weight: Any = None,
    from_logits: bool = False, label_smoothing: float = 0.0, mask_value: float | None = None,
) -> Any:
    """Focal loss (Lin et al., 2017) for sigmoid outputs, with per-label ``alpha``.

    With the (smoothed) target ``z``, ``p_t = z p + (1 - z)(1 - p)`` and
    ``alpha_t = z alpha + (1 - z)(1 - alpha)``::

        loss = alpha_t * (1 - p_t) ** gamma * (pos_weight * z * -log(p) + (1 - z) * -log(1 - p))

    the convention of Keras' ``BinaryFocalCrossentropy`` (with ``apply_class_balancing=True``)
    and torchvision's ``sigmoid_focal_loss``, label smoothing included. For hard labels
    (no smoothing) positives contribute ``alpha * pos_weight * (1 - p) ** gamma * -log(p)``
    and negatives ``(1 - alpha) * p ** gamma * -log(1 - p)``, computed from the stable
    log-probabilities. ``alpha=None`` weights both sides 1; ``gamma=0`` gives
    :func:`weighted_binary_crossentropy`.

    Parameters
    ----------
    y_true, y_pred, from_logits, label_smoothing, mask_value
        As in :func:`weighted_binary_crossentropy`.
    gamma : float >= 0, default 2
        Focusing parameter. Values below 1 are safe (no NaN gradients).
    alpha : float or list of float in [0, 1], optional
        Weight of the positive term; the negative term gets ``1 - alpha``. Applied
        whenever given (no extra switch). The paper uses 0.25.
    pos_weight : float or list of float, optional
        Extra per-label weight on the positive term.

    Returns
    -------
    tensor, shape (...,)

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.losses import binary_focal_loss
    >>> y = np.array([[1.0, 0.0]]); p = np.array([[0.9, 0.1]])
    >>> round(float(binary_focal_loss(y, p, gamma=2.0)[0]), 6)  # 0.01 * -log(0.9)
    0.001054
    """
    z, y_pred, observed, nll_p, nll_1mp = _binary_terms(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, mask_value=mask_value,
        owner="binary_focal_loss",
    )
    gamma = check_number("gamma", gamma, low=0)
    if label_smoothing:
        # 0 < s/2 <= z <= 1 - s/2 < 1, so log(1 - p_t) = logaddexp(log z + log(1-p), log(1-z) + log p) is finite.
        log_1m_pt = ops.logaddexp(ops.log(z) - nll_1mp, ops.log(1.0 - z) - nll_p)
        pos_focus = neg_focus = _pow_from_nll(-log_1m_pt, gamma)
    else:  # z is 0 or 1: 1 - p_t is 1 - p for positives and p for negatives
        pos_focus, neg_focus = _pow_from_nll(nll_1mp, gamma), _pow_from_nll(nll_p, gamma)
    positive = _scale(_scale(z * nll_p, _label_vector("pos_weight", pos_weight, y_pred)), pos_focus)
    negative = _scale((1.0 - z) * nll_1mp, neg_focus)
    alpha = _label_vector("alpha", alpha, y_pred, upper=1.0)
    alpha_t = None if alpha is None else z * alpha + (1.0 - z) * (1.0 - alpha)
    return _mean_over_labels(_scale(positive + negative, alpha_t), observed)


def asymmetric_loss(
    y_true: Any, y_pred: Any, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05,
    pos_weight: Any = None, from_logits: bool = False, mask_value: float | None = None,
) -> Any:
    """Asymmetric loss (Ridnik et al., ICCV 2021) for multi-label outputs.

    ``L = -y (1 - p) ** gamma_pos log(p) - (1 - y) p_m ** gamma_neg log(1 - p_m)``
    with the shifted probability ``p_m = max(p - clip, 0)``, which discards easy
    negatives (``p < clip``) entirely. This returns the **mean** over labels, as
    Keras losses do; the paper's reference code **sums** over labels and batch, so
    its values are ``n_labels`` (times batch size) larger. ``gamma_pos=0,
    gamma_neg=0, clip=0`` gives plain binary cross-entropy. ``pos_weight`` (not in
    the paper, as in :func:`binary_focal_loss`) scales each label's positive term:
    ASL only quiets easy negatives, which is not enough when a label has a handful
    of positives among thousands of rows.

    Parameters
    ----------
    y_true, y_pred, from_logits, mask_value
        As in :func:`weighted_binary_crossentropy`.
    gamma_pos, gamma_neg : float >= 0, defaults 0 and 4
        Focusing parameters for positives and negatives (the paper's training script
        uses ``gamma_pos=0``; its loss class defaults to 1).
    clip : float in [0, 1), default 0.05
        Probability margin ``m``.
    pos_weight : float or list of float, optional
        Extra per-label weight on the positive term (default 1).

    Returns
    -------
    tensor, shape (...,)

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.losses import asymmetric_loss
    >>> y = np.array([[1.0, 0.0, 0.0]]); p = np.array([[0.5, 0.04, 0.5]])
    >>> # positive: -log 0.5; easy negative (p < clip): 0; negative: 0.45**4 * -log(0.55)
    >>> round(float(asymmetric_loss(y, p)[0]), 6)
    0.239221
    """
    z, y_pred, observed, nll_p, nll_1mp = _binary_terms(
        y_true, y_pred, from_logits=from_logits, label_smoothing=0.0, mask_value=mask_value, owner="asymmetric_loss"
    )
    gamma_pos, gamma_neg = check_number("gamma_pos", gamma_pos, low=0), check_number("gamma_neg", gamma_neg, low=0)
    clip = check_number("clip", clip, low=0, high=1, high_open=True)
    positive = _scale(z * nll_p, _pow_from_nll(nll_1mp, gamma_pos))
    positive = _scale(positive, _label_vector("pos_weight", pos_weight, y_pred))
    if clip > 0:
        eps = keras.backend.epsilon()
        p = ops.sigmoid(y_pred) if from_logits else ops.clip(y_pred, eps, 1.0 - eps)
        shifted = ops.maximum(p - clip, 0.0)
        log_1m_shifted = ops.log(ops.minimum(1.0 - p + clip, 1.0))
        if gamma_neg == 0:
            focus = None
        else:
            safe = ops.maximum(shifted, 1e-12)
            focus = ops.where(shifted > 0, ops.exp(gamma_neg * ops.log(safe)), ops.zeros_like(shifted))
        negative = _scale(-(1.0 - z) * log_1m_shifted, focus)
    else:
        negative = _scale((1.0 - z) * nll_1mp, _pow_from_nll(nll_p, gamma_neg))
    return _mean_over_labels(positive + negative, observed)


# --------------------------------------------------------------------------------------
# Loss classes
# --------------------------------------------------------------------------------------
class _FunctionLoss(keras.losses.Loss):
    """A Loss that calls a module function with its stored, serialisable keyword arguments."""

    def __init__(self, fn, *, name, reduction, dtype, **fn_kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = fn_kwargs
        self._eager_kwargs = {}

    def call(self, y_true, y_pred):
        kwargs = self._fn_kwargs
        if keras.backend.backend() == "torch":
            kwargs = self._torch_kwargs(y_pred)
        return self._fn(y_true, y_pred, **kwargs)

    def _torch_kwargs(self, y_pred):
        """The keyword arguments with per-label lists as tensors, built once per dtype and device.

        PyTorch's backend runs eagerly, so a tensor made at the first step is a constant for every
        later one (validated at construction; the length check against the output stays per call).
        Other backends trace the step, where a tensor kept across traces would belong to an old graph.
        """
        key = (str(y_pred.dtype), str(getattr(y_pred, "device", "")))
        if key not in self._eager_kwargs:
            dtype = keras.backend.standardize_dtype(float_tensor(y_pred).dtype)
            self._eager_kwargs[key] = {
                k: ops.convert_to_tensor(np.asarray(v, dtype=dtype)) if isinstance(v, list) else v
                for k, v in self._fn_kwargs.items()}
        return self._eager_kwargs[key]

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._fn_kwargs.items())
        return f"{type(self).__name__}({args})"


@register
class WeightedBinaryCrossentropy(_FunctionLoss):
    """Binary cross-entropy with per-label positive and negative weights.

    The drop-in replacement for ``class_weight`` on a sigmoid multi-label output:
    each label's positive term is scaled by ``pos_weight[label]`` and its negative
    term by ``neg_weight[label]``. See :func:`weighted_binary_crossentropy`.

    Parameters
    ----------
    pos_weight, neg_weight : float or sequence of float, optional
        Non-negative and finite, checked here; a length that does not match the
        output is reported at the first call.
    from_logits : bool, default False
    label_smoothing : float in [0, 1], default 0
    mask_value : float, optional
        Label value marking unobserved entries (e.g. -1).
    reduction : str, default "sum_over_batch_size"
    name : str, default "weighted_binary_crossentropy"
    dtype : str, optional

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance.losses import WeightedBinaryCrossentropy
    >>> y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]])
    >>> loss = WeightedBinaryCrossentropy(pos_weight=mlbalance.positive_weights(y), from_logits=True)
    >>> loss.get_config()["pos_weight"]
    [1.0, 3.0, 3.0]
    >>> round(float(loss(y, np.zeros((4, 3)))), 4)  # (8 positive terms x 1 or 3 + 8 negatives) * log 2 / 12
    0.9242
    """

    def __init__(self, pos_weight: Any = None, neg_weight: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0, mask_value: float | None = None,
                 reduction: str | None = "sum_over_batch_size", name: str = "weighted_binary_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(
            weighted_binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
            pos_weight=per_label_values("pos_weight", pos_weight),
            neg_weight=per_label_values("neg_weight", neg_weight),
            from_logits=check_bool("from_logits", from_logits),
            label_smoothing=check_number("label_smoothing", label_smoothing, low=0, high=1),
            mask_value=check_mask_value(mask_value),
        )


@register
class BinaryFocalLoss(_FunctionLoss):
    """Focal loss for sigmoid multi-label outputs, with scalar or per-label ``alpha``.

    The formula and label smoothing follow Keras' ``BinaryFocalCrossentropy`` (equal to it
    with ``apply_class_balancing=True`` on probabilities), but ``alpha`` applies whenever given
    (no ``apply_class_balancing`` switch), may differ per label, and ``from_logits``
    uses ``log_sigmoid`` instead of clipped probabilities. See :func:`binary_focal_loss`.

    Parameters
    ----------
    gamma : float >= 0, default 2
    alpha : float or sequence of float in [0, 1], optional
    pos_weight : float or sequence of float, optional
    from_logits, label_smoothing, mask_value, reduction, name, dtype
        As in :class:`WeightedBinaryCrossentropy`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.losses import BinaryFocalLoss
    >>> loss = BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True)
    >>> round(float(loss(np.array([[1.0]]), np.array([[-100.0]]))), 2)  # 0.25 * 100: no clipping
    25.0
    """

    def __init__(self, gamma: float = 2.0, alpha: Any = None, pos_weight: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0, mask_value: float | None = None,
                 reduction: str | None = "sum_over_batch_size", name: str = "binary_focal_loss",
                 dtype: Any = None) -> None:
        super().__init__(
            binary_focal_loss, name=name, reduction=reduction, dtype=dtype,
            gamma=check_number("gamma", gamma, low=0),
            alpha=per_label_values("alpha", alpha, upper=1.0),
            pos_weight=per_label_values("pos_weight", pos_weight),
            from_logits=check_bool("from_logits", from_logits),
            label_smoothing=check_number("label_smoothing", label_smoothing, low=0, high=1),
            mask_value=check_mask_value(mask_value),
        )


@register
class AsymmetricLoss(_FunctionLoss):
    """Asymmetric loss (ASL, Ridnik et al., 2021), averaged over labels as Keras expects.

    See :func:`asymmetric_loss` for the formula and the difference from the paper's
    summed reduction.

    Parameters
    ----------
    gamma_pos : float >= 0, default 0
    gamma_neg : float >= 0, default 4
    clip : float in [0, 1), default 0.05
    pos_weight : float or sequence of float, optional
    from_logits, mask_value, reduction, name, dtype
        As in :class:`WeightedBinaryCrossentropy`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.losses import AsymmetricLoss
    >>> loss = AsymmetricLoss(gamma_pos=0, gamma_neg=0, clip=0, from_logits=True)  # plain BCE
    >>> round(float(loss(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))), 4)  # log 2
    0.6931
    """

    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05, pos_weight: Any = None,
                 from_logits: bool = False, mask_value: float | None = None,
                 reduction: str | None = "sum_over_batch_size", name: str = "asymmetric_loss",
                 dtype: Any = None) -> None:
        super().__init__(
            asymmetric_loss, name=name, reduction=reduction, dtype=dtype,
            gamma_pos=check_number("gamma_pos", gamma_pos, low=0),
            gamma_neg=check_number("gamma_neg", gamma_neg, low=0),
            clip=check_number("clip", clip, low=0, high=1, high_open=True),
            pos_weight=per_label_values("pos_weight", pos_weight),
            from_logits=check_bool("from_logits", from_logits),
            mask_value=check_mask_value(mask_value),
        )
