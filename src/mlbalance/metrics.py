"""Keras metrics for multi-label outputs: per-label F1, precision and recall.

Each metric keeps per-label true-positive, false-positive and false-negative counts as
state (created at construction), accumulates them over batches, and computes the value in
``result()``, so the epoch result equals the one-shot result on all the data.

Undefined values: precision of a label never predicted, recall of a label with no positives,
and F1 of a label with neither. ``zero_division="exclude"`` (default) makes them NaN in the
per-label result and leaves them out of "macro" (as scikit-learn's ``zero_division=np.nan``);
a number (e.g. 0.0) uses that value and keeps them in. Never a silent 0 or 0.5.

Targets are checked as by :mod:`mlbalance.losses`: ``y_true`` must have ``y_pred``'s shape
and hold only 0 and 1 (or ``mask_value``). A bad target raises a ``ValueError`` on concrete
inputs; inside a compiled step (TensorFlow graph/XLA, JAX) it makes every value of
``result()`` NaN until ``reset_state()`` (never a plausible wrong count, and never silently
excluded from an average). ``sample_weight`` is one weight per row, shape ``(n,)`` or
``(n, 1)``, or one per entry, ``y_true``'s shape.

Per-label values in Keras logs: with ``average=None`` the result is a vector, which Keras logs as
one value that ``CSVLogger`` writes as a string and ``EarlyStopping`` cannot monitor. Pass
``label_names`` and ``result()`` returns a dict of scalars instead, one per label, keyed
``"<metric name>/<label name>"``; Keras flattens it into the logs, so ``fit`` logs
``f1/cat``, ``val_f1/cat``, ... (one float each, for ``CSVLogger``, TensorBoard and
``EarlyStopping(monitor="val_f1/cat")``), computed by ``fit`` itself on its own validation data.

The counts are sums over rows, so the result does not depend on how a batch is split over
devices (``tf.distribute.MirroredStrategy`` sums the replicas' counts;
``keras.distribution.DataParallel`` computes the global batch).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._keras import align_target, binary_targets, keras, register
from ._validation import check_bool, check_choice, check_choice_or_number, check_int, check_mask_value

ops = keras.ops

__all__ = ["MultilabelF1Score", "MultilabelPrecision", "MultilabelRecall"]

_AVERAGES = (None, "micro", "macro", "weighted")


def _label_keys(label_names, num_labels, metric_name):
    """``"<metric name>/<label name>"`` for each label, checked: one distinct, non-empty string per label."""
    if label_names is None:
        return None
    if isinstance(label_names, str):
        raise ValueError(f"Expected label_names to be a sequence of {num_labels} strings, one per label. "
                         f"Received: label_names={label_names!r}")
    names = list(label_names)
    if len(names) != num_labels or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"Expected label_names to be {num_labels} non-empty strings (one per label, num_labels="
                         f"{num_labels}). Received: label_names={names!r}")
    repeated = sorted(n for n, count in collections.Counter(names).items() if count > 1)
    if repeated:
        raise ValueError(f"Expected label_names to be distinct (each names one log entry). "
                         f"Received repeated names: {repeated}")
    return [f"{metric_name}/{n}" for n in names]


def _thresholds(threshold, num_labels):
    values = np.asarray(threshold, dtype=np.float64)
    if values.ndim == 0:
        values = np.full(num_labels, float(values))
    if values.shape != (num_labels,) or np.any(~np.isfinite(values)) or np.any((values < 0) | (values > 1)):
        raise ValueError(f"Expected threshold to be a number in [0, 1] or {num_labels} such numbers (one per label). "
                         f"Received: threshold={threshold!r}")
    return values


class _MultilabelCounts(keras.metrics.Metric):
    """Per-label TP / FP / FN state shared by the three metrics."""

    def __init__(self, num_labels, threshold=0.5, average=None, from_logits=False, mask_value=None,
                 zero_division="exclude", name=None, dtype=None, *, label_names=None):
        super().__init__(name=name, dtype=dtype)
        num_labels = check_int("num_labels", num_labels, low=1)
        average = check_choice("average", average, _AVERAGES)
        check_choice_or_number("zero_division", zero_division, ("exclude",), low=0, high=1)
        self.num_labels = num_labels
        values = _thresholds(threshold, self.num_labels)
        self.threshold = float(values[0]) if np.ndim(threshold) == 0 else values.tolist()
        with np.errstate(divide="ignore"):
            cut = np.log(values) - np.log1p(-values) if from_logits else values  # logit of the threshold
        self._cut = cut.astype(np.float32)
        self.average = average
        self.from_logits = check_bool("from_logits", from_logits)
        self.mask_value = check_mask_value(mask_value)
        self.zero_division = zero_division
        if label_names is not None and average is not None:
            raise ValueError(f"label_names gives one log entry per label, so it needs average=None. "
                             f"Received: average={average!r}, label_names={list(label_names)!r}")
        self._keys = _label_keys(label_names, num_labels, self.name)
        self.label_names = None if label_names is None else list(label_names)
        shape = (self.num_labels,)
        self.tp = self.add_variable(shape=shape, initializer="zeros", name="true_positives")
        self.fp = self.add_variable(shape=shape, initializer="zeros", name="false_positives")
        self.fn = self.add_variable(shape=shape, initializer="zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        owner = type(self).__name__
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        if y_pred.shape[-1] is not None and y_pred.shape[-1] != self.num_labels:
            raise ValueError(f"{owner} was built for num_labels={self.num_labels} but the model "
                             f"output has {y_pred.shape[-1]} labels (y_pred shape {tuple(y_pred.shape)}).")
        y_true, observed = binary_targets(align_target(y_true, y_pred, owner), self.mask_value, "float32", owner)
        predicted = ops.cast(ops.greater_equal(y_pred, ops.convert_to_tensor(self._cut)), "float32")
        weight = ops.ones_like(y_true) if observed is None else observed
        if sample_weight is not None:
            weight = weight * self._row_or_entry_weights(sample_weight, y_true, owner)
        reduce = tuple(range(len(y_true.shape) - 1))
        self.tp.assign_add(ops.sum(weight * y_true * predicted, axis=reduce))
        self.fp.assign_add(ops.sum(weight * (1.0 - y_true) * predicted, axis=reduce))
        self.fn.assign_add(ops.sum(weight * y_true * (1.0 - predicted), axis=reduce))

    @staticmethod
    def _row_or_entry_weights(sample_weight, y_true, owner):
        """``sample_weight`` shaped to broadcast over ``y_true``: (n,) and (n, 1) per row, y_true's shape per entry."""
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), "float32")
        shape, target = tuple(sample_weight.shape), tuple(y_true.shape)
        if shape == target[:-1]:
            return ops.expand_dims(sample_weight, -1)
        if shape in (target[:-1] + (1,), target):
            return sample_weight
        raise ValueError(f"{owner}: expected sample_weight to have shape {target[:-1]} (one weight per row) or "
                         f"{target} (one per entry). Received: sample_weight.shape={shape}")

    def _ratio(self, numerator, denominator):
        defined = denominator > 0
        fill = float("nan") if self.zero_division == "exclude" else float(self.zero_division)
        safe = ops.where(defined, denominator, ops.ones_like(denominator))
        return ops.where(defined, numerator / safe, ops.full_like(numerator, fill))

    def _per_label(self, tp, fp, fn):
        raise NotImplementedError

    def result(self):
        tp, fp, fn = (ops.convert_to_tensor(v) for v in (self.tp, self.fp, self.fn))
        # NaN counts come only from a bad target (or sample weight) in a compiled step: all values NaN.
        poisoned = ops.any(ops.isnan(tp + fp + fn))
        values = ops.where(poisoned, float("nan"), self._result(tp, fp, fn))
        if self._keys is None:
            return values
        return {key: values[j] for j, key in enumerate(self._keys)}

    def _result(self, tp, fp, fn):
        if self.average == "micro":
            total = [ops.reshape(ops.sum(v), (1,)) for v in (tp, fp, fn)]
            return self._per_label(*total)[0]
        values = self._per_label(tp, fp, fn)
        if self.average is None:
            return values
        defined = ops.logical_not(ops.isnan(values))
        if self.average == "macro":
            weights = ops.cast(defined, "float32")
        else:  # weighted by support (positives); undefined values carry no weight
            weights = ops.where(defined, tp + fn, ops.zeros_like(tp))
        total = ops.sum(weights)
        clean = ops.where(defined, values, ops.zeros_like(values))
        return ops.where(total > 0, ops.sum(clean * weights) / ops.maximum(total, 1e-12), float("nan"))

    def reset_state(self):
        for variable in (self.tp, self.fp, self.fn):
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        return {"num_labels": self.num_labels, "threshold": self.threshold, "average": self.average,
                "from_logits": self.from_logits, "mask_value": self.mask_value,
                "zero_division": self.zero_division, "label_names": self.label_names, "name": self.name,
                "dtype": self.dtype}


@register
class MultilabelF1Score(_MultilabelCounts):
    """Per-label (or averaged) F1 of a sigmoid multi-label output, accumulated over batches.

    Parameters
    ----------
    num_labels : int
    threshold : float or list of float in [0, 1], default 0.5
        Per-label thresholds allowed (e.g. from :func:`mlbalance.tune_thresholds`). With
        ``from_logits=True`` they are still probabilities; logits are compared to their logit.
    average : {None, "micro", "macro", "weighted"}, default None
        None returns one value per label.
    from_logits : bool, default False
    mask_value : float, optional
        Entries of ``y_true`` equal to it are not counted.
    zero_division : "exclude" or float in [0, 1], default "exclude"
        See the module docstring.
    label_names : sequence of str, optional
        With ``average=None``: ``result()`` is a dict ``{"<name>/<label>": scalar}``, so the
        logs hold one float per label (see the module docstring).
    name, dtype : optional

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.metrics import MultilabelF1Score
    >>> m = MultilabelF1Score(num_labels=3, average="macro")
    >>> m.update_state(np.array([[1, 0, 0], [0, 1, 0]]), np.array([[0.9, 0.2, 0.1], [0.6, 0.7, 0.2]]))
    >>> round(float(m.result()), 4)  # label 2 has no positives and no predictions: excluded
    0.8333
    >>> named = MultilabelF1Score(num_labels=2, label_names=["cat", "dog"], name="f1")
    >>> named.update_state(np.array([[1, 0], [1, 1]]), np.array([[0.9, 0.2], [0.3, 0.7]]))
    >>> {key: round(float(value), 4) for key, value in named.result().items()}  # one scalar per label
    {'f1/cat': 0.6667, 'f1/dog': 1.0}
    """

    def __init__(self, num_labels: int, threshold: Any = 0.5, average: str | None = None, from_logits: bool = False,
                 mask_value: float | None = None, zero_division: str | float = "exclude",
                 name: str = "multilabel_f1", dtype: Any = None, *,
                 label_names: Sequence[str] | None = None) -> None:
        super().__init__(num_labels, threshold, average, from_logits, mask_value, zero_division, name, dtype,
                         label_names=label_names)

    def _per_label(self, tp, fp, fn):
        return self._ratio(2.0 * tp, 2.0 * tp + fp + fn)


@register
class MultilabelPrecision(_MultilabelCounts):
    """Per-label (or averaged) precision; arguments as :class:`MultilabelF1Score`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.metrics import MultilabelPrecision
    >>> m = MultilabelPrecision(num_labels=2)
    >>> m.update_state(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.2], [0.6, 0.1]]))
    >>> np.asarray(m.result()).tolist()  # label 1 is never predicted: undefined, not 0
    [0.5, nan]
    """

    def __init__(self, num_labels: int, threshold: Any = 0.5, average: str | None = None, from_logits: bool = False,
                 mask_value: float | None = None, zero_division: str | float = "exclude",
                 name: str = "multilabel_precision", dtype: Any = None, *,
                 label_names: Sequence[str] | None = None) -> None:
        super().__init__(num_labels, threshold, average, from_logits, mask_value, zero_division, name, dtype,
                         label_names=label_names)

    def _per_label(self, tp, fp, fn):
        return self._ratio(tp, tp + fp)


@register
class MultilabelRecall(_MultilabelCounts):
    """Per-label (or averaged) recall; arguments as :class:`MultilabelF1Score`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.metrics import MultilabelRecall
    >>> m = MultilabelRecall(num_labels=2, average="micro")
    >>> m.update_state(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.2], [0.6, 0.1]]))
    >>> float(m.result())
    0.5
    """

    def __init__(self, num_labels: int, threshold: Any = 0.5, average: str | None = None, from_logits: bool = False,
                 mask_value: float | None = None, zero_division: str | float = "exclude",
                 name: str = "multilabel_recall", dtype: Any = None, *,
                 label_names: Sequence[str] | None = None) -> None:
        super().__init__(num_labels, threshold, average, from_logits, mask_value, zero_division, name, dtype,
                         label_names=label_names)

    def _per_label(self, tp, fp, fn):
        return self._ratio(tp, tp + fn)
