"""Per-label weights for sigmoid multi-label outputs, and single-label class weights.

All multi-label weights are computed from counts over observed entries (see
:func:`mlbalance.label_counts`), in this order:

1. the strategy's formula, per label;
2. optional normalisation (``normalize=True``: divide by the mean over the labels
   that have a weight);
3. the cap (``max_weight``), a hard upper bound;
4. the ``on_zero`` policy for *degenerate* labels, those with no positive or no
   negative observed entry, for which no strategy has a meaningful weight.

``on_zero`` is ``"raise"`` (default: an error that lists the labels), ``"one"``
(weight 1.0, i.e. unweighted), ``"max"`` (the largest weight any other label
received, as if the label were the rarest seen), or a number used as the weight.
Every policy but ``"raise"`` emits a :class:`UserWarning` that lists the labels.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._json import dumps
from ._sparse import issparse
from ._tables import number, table
from ._validation import check_bool, check_choice, check_choice_or_number, check_number
from .labels import LabelFormatError, as_label_matrix, label_counts

__all__ = [
    "POSITIVE_WEIGHT_STRATEGIES",
    "WeightSummary",
    "class_weights",
    "label_weights",
    "positive_weights",
    "sample_weights",
    "weight_summary",
]

POSITIVE_WEIGHT_STRATEGIES = ("neg_pos", "inverse_frequency", "sqrt", "log", "effective_number", "balanced")
CLASS_WEIGHT_STRATEGIES = ("balanced", "max_over_count", "normalized_inverse")
_ROW_CHUNK = 65536


def _check_options(strategy: str, strategies: Sequence[str], max_weight: float | None, on_zero: str | float) -> None:
    check_choice("strategy", strategy, strategies)
    check_number("max_weight", max_weight, low=0, low_open=True, allow_none=True)
    check_choice_or_number("on_zero", on_zero, ("raise", "one", "max"), low=0, low_open=True)


# --------------------------------------------------------------------------------------
# Multi-label weights
# --------------------------------------------------------------------------------------
def _formula(strategy, positives, negatives, beta) -> np.ndarray:
    p = positives.astype(np.float64)
    n = negatives.astype(np.float64)
    total = p + n
    with np.errstate(divide="ignore", invalid="ignore"):
        if strategy == "neg_pos":
            return n / p
        if strategy == "inverse_frequency":
            return total / p
        if strategy == "sqrt":
            return np.sqrt(n / p)
        if strategy == "log":
            return np.log2(1.0 + n / p)
        if strategy == "balanced":
            return total / (2.0 * p)
        # effective_number (Cui et al., 2019): (1 - beta) / (1 - beta**p), via expm1 for precision.
        return (1.0 - beta) / -np.expm1(p * np.log(beta))


def _finish(raw, degenerate, *, strategy, counts, max_weight, normalize, on_zero, caller, side) -> np.ndarray:
    """Steps 2-4 of the module docstring: normalise, cap, resolve degenerate labels."""
    weights = np.where(degenerate, np.nan, raw)
    valid = ~degenerate
    if strategy == "effective_number" and valid.any():
        weights = weights * (valid.sum() / np.nansum(weights))
    if normalize and valid.any():
        weights = weights / np.nanmean(weights)
    if max_weight is not None:
        weights = np.minimum(weights, max_weight)
    if degenerate.any():
        weights = _resolve_degenerate(weights, degenerate, _describe_degenerate(counts, degenerate),
                                      on_zero, caller, strategy, side)
    return weights


def _describe_degenerate(counts, degenerate) -> str:
    idx = np.flatnonzero(degenerate)
    no_pos = [i for i in idx if counts.positives[i] == 0]
    no_neg = [i for i in idx if counts.positives[i] > 0]
    parts = []
    if no_pos:
        parts.append(f"{len(no_pos)} label(s) with no positive entries: {counts.describe_labels(no_pos)}")
    if no_neg:
        parts.append(f"{len(no_neg)} label(s) with no negative entries: {counts.describe_labels(no_neg)}")
    return "; ".join(parts)


def _resolve_degenerate(weights, degenerate, what, on_zero, caller, strategy, side) -> np.ndarray:
    if on_zero == "raise":
        raise ValueError(
            f"{caller}: strategy {strategy!r} has no {side} weight for {what}.\n"
            "Pass on_zero='one' (weight 1.0, unweighted), on_zero='max' (the largest weight of the other labels) "
            "or on_zero=<number> to use a stated fallback, or remove these labels."
        )
    if on_zero == "one":
        fallback = 1.0
    elif on_zero == "max":
        finite = weights[~degenerate]
        fallback = float(finite.max()) if finite.size else 1.0
    else:
        fallback = float(on_zero)
    warnings.warn(
        f"{caller}: {what}. Their {side} weight is set to {fallback:g} (on_zero={on_zero!r}).",
        UserWarning,
        stacklevel=4,
    )
    return np.where(degenerate, fallback, weights)


def _weights(y, strategy, *, max_weight, beta, on_zero, normalize, n_samples, mask_value, label_names, caller):
    _check_options(strategy, POSITIVE_WEIGHT_STRATEGIES, max_weight, on_zero)
    check_number("beta", beta, low=0, high=1, low_open=True, high_open=True)
    check_bool("normalize", normalize)
    counts = label_counts(y, n_samples=n_samples, mask_value=mask_value, label_names=label_names)
    degenerate = (counts.positives == 0) | (counts.negatives == 0)
    raw = _formula(strategy, counts.positives, counts.negatives, beta)
    options = dict(strategy=strategy, counts=counts, max_weight=max_weight, normalize=normalize,
                   on_zero=on_zero, caller=caller)
    return counts, degenerate, raw, options


def positive_weights(y: Any, strategy: str = "neg_pos", *, max_weight: float | None = None, beta: float = 0.999,
                     on_zero: str | float = "raise", normalize: bool = False, n_samples: int | None = None,
                     mask_value: float | None = None, label_names: Sequence[str] | None = None) -> np.ndarray:
    """Weight of each label's positive term, for a sigmoid multi-label loss.

    Use the result as ``pos_weight`` of :class:`mlbalance.losses.WeightedBinaryCrossentropy`
    or of PyTorch's ``BCEWithLogitsLoss``; the negative term keeps weight 1.

    Parameters
    ----------
    y : label input, counts vector or stream of batches
        Anything :func:`mlbalance.label_counts` accepts.
    strategy : str, default "neg_pos"
        With P positives, Q negatives and N = P + Q observed entries of a label:

        * ``"neg_pos"``: Q / P (PyTorch's ``pos_weight`` convention);
        * ``"inverse_frequency"``: N / P;
        * ``"sqrt"``: sqrt(Q / P), a softened ``neg_pos``;
        * ``"log"``: log2(1 + Q / P), softer still (1 for a balanced label);
        * ``"effective_number"``: (1 - beta) / (1 - beta**P) (Cui et al., 2019),
          normalised so the weights average 1;
        * ``"balanced"``: N / (2 P), the positive-class weight of scikit-learn's
          ``"balanced"`` (see :func:`label_weights` for both sides).
    max_weight : float, optional
        Upper bound applied after the formula (and normalisation).
    beta : float, default 0.999
        For ``"effective_number"`` only.
    on_zero : {"raise", "one", "max"} or float, default "raise"
        Policy for labels with no positive or no negative entry (module docstring).
    normalize : bool, default False
        Divide by the mean weight (before the cap) so the weights average 1.
    n_samples : int, optional
        When ``y`` is a vector of positive counts per label.
    mask_value : float, optional
        Marks unobserved entries of ``y``.
    label_names : sequence of str, optional
        Used in messages.

    Returns
    -------
    ndarray of float64, shape (n_labels,)

    Examples
    --------
    >>> import mlbalance
    >>> y = [[1, 0], [0, 0], [0, 1], [0, 0]]
    >>> mlbalance.positive_weights(y).tolist()
    [3.0, 3.0]
    >>> mlbalance.positive_weights([100, 1], n_samples=400, strategy="sqrt", max_weight=10).round(3).tolist()
    [1.732, 10.0]
    """
    counts, degenerate, raw, options = _weights(
        y, strategy, max_weight=max_weight, beta=beta, on_zero=on_zero, normalize=normalize,
        n_samples=n_samples, mask_value=mask_value, label_names=label_names, caller="positive_weights",
    )
    return _finish(raw, degenerate, side="positive", **options)


def label_weights(y: Any, strategy: str = "balanced", *, max_weight: float | None = None, beta: float = 0.999,
                  on_zero: str | float = "raise", normalize: bool = False, n_samples: int | None = None,
                  mask_value: float | None = None, label_names: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative weight of each label, for losses that weight both sides.

    ``strategy="balanced"`` applies scikit-learn's ``"balanced"`` class weight to each
    label column: ``w_pos = N / (2 P)`` and ``w_neg = N / (2 Q)``, so that
    ``w_pos * P + w_neg * Q = N`` (the total weight of the label is unchanged). Any
    other :func:`positive_weights` strategy returns its positive weights and a
    negative weight of 1. Arguments are as in :func:`positive_weights`; ``max_weight``
    caps both sides and ``on_zero`` resolves the side that has no entries.

    Returns
    -------
    pos_weight, neg_weight : ndarray of float64, shape (n_labels,)

    Examples
    --------
    >>> import mlbalance
    >>> pos, neg = mlbalance.label_weights([[1, 1], [0, 1], [0, 0], [0, 0]])
    >>> pos.tolist(), neg.tolist()
    ([2.0, 1.0], [0.6666666666666666, 1.0])
    """
    counts, degenerate, raw, options = _weights(
        y, strategy, max_weight=max_weight, beta=beta, on_zero=on_zero, normalize=normalize,
        n_samples=n_samples, mask_value=mask_value, label_names=label_names, caller="label_weights",
    )
    pos = _finish(raw, degenerate, side="positive", **options)
    if strategy != "balanced":
        return pos, np.ones_like(pos)
    total = counts.observed.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_neg = total / (2.0 * counts.negatives)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # already warned for the positive side
        neg = _finish(raw_neg, degenerate, side="negative", **options)
    return pos, neg


@dataclass(frozen=True)
class WeightSummary:
    """Per-label counts and loss weights, as :func:`weight_summary` computes them.

    Attributes
    ----------
    strategy : str
    max_weight : float or None
    on_zero : str or float
    positives, negatives : ndarray of int64, shape (n_labels,)
    pos_weight, neg_weight : ndarray of float64, shape (n_labels,)
        As :func:`label_weights` returns them.
    label_names : tuple of str

    Examples
    --------
    >>> import mlbalance
    >>> print(mlbalance.weight_summary([[1, 1], [0, 1], [0, 0], [0, 0]], "balanced").to_text())
    strategy balanced
    label  name  positives  negatives  pos_weight  neg_weight
        0     0          1          3      2.0000      0.6667
        1     1          2          2      1.0000      1.0000
    pos_weight as a Python list: [2.0, 1.0]
    """

    strategy: str
    max_weight: float | None
    on_zero: str | float
    positives: np.ndarray
    negatives: np.ndarray
    pos_weight: np.ndarray
    neg_weight: np.ndarray
    label_names: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The options and one entry per label, as plain Python types (weights are always finite).

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.weight_summary([[1, 0], [0, 1], [0, 1]]).to_dict()["labels"][0]
        {'index': 0, 'name': '0', 'positives': 1, 'negatives': 2, 'pos_weight': 2.0, 'neg_weight': 1.0}
        """
        labels = [{"index": j, "name": name, "positives": int(self.positives[j]),
                   "negatives": int(self.negatives[j]), "pos_weight": float(self.pos_weight[j]),
                   "neg_weight": float(self.neg_weight[j])} for j, name in enumerate(self.label_names)]
        return {"strategy": self.strategy, "max_weight": self.max_weight, "on_zero": self.on_zero, "labels": labels}

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON (``allow_nan=False``); ``kwargs`` go to :func:`json.dumps`.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.weight_summary([[1, 0], [0, 1]]).to_json()[:24]
        '{"strategy": "neg_pos", '
        """
        return dumps(self.to_dict(), **kwargs)

    def to_text(self) -> str:
        """A table, one line per label, then ``pos_weight`` as a Python list to paste into code."""
        cap = f", capped at {self.max_weight:g}" if self.max_weight is not None else ""
        rows = [[j, name, int(self.positives[j]), int(self.negatives[j]), number(self.pos_weight[j]),
                 number(self.neg_weight[j])] for j, name in enumerate(self.label_names)]
        lines = table(["label", "name", "positives", "negatives", "pos_weight", "neg_weight"], rows)
        return "\n".join([f"strategy {self.strategy}{cap}", *lines,
                          "pos_weight as a Python list: " + json.dumps(np.round(self.pos_weight, 6).tolist())])

    def __str__(self) -> str:
        return self.to_text()


def weight_summary(y: Any, strategy: str = "neg_pos", *, max_weight: float | None = None, beta: float = 0.999,
                   on_zero: str | float = "raise", normalize: bool = False, mask_value: float | None = None,
                   label_names: Sequence[str] | None = None) -> WeightSummary:
    """:func:`label_weights` with the counts behind them, as a :class:`WeightSummary` to print or save.

    Arguments are as in :func:`label_weights` (default strategy ``"neg_pos"``, as the
    ``mlbalance weights`` command); ``y`` is any label input.

    Examples
    --------
    >>> import mlbalance
    >>> s = mlbalance.weight_summary([[1, 0], [0, 1], [0, 1], [0, 0]])
    >>> s.pos_weight.tolist(), s.positives.tolist()
    ([3.0, 1.0], [1, 2])
    """
    m = as_label_matrix(y, mask_value=mask_value, label_names=label_names)
    pos, neg = label_weights(m, strategy, max_weight=max_weight, beta=beta, on_zero=on_zero, normalize=normalize)
    counts = m.counts()
    return WeightSummary(strategy, None if max_weight is None else float(max_weight), on_zero, counts.positives,
                         counts.negatives, pos, neg, m.label_names)


def sample_weights(y: Any, pos_weight: Any, neg_weight: Any = None, *, reduce: str = "max", normalize: bool = False,
                   mask_value: float | None = None) -> np.ndarray:
    """Collapse per-label weights into one weight per row, for ``fit(sample_weight=...)``.

    Each observed entry gets ``pos_weight[l]`` if it is positive and ``neg_weight[l]``
    (default 1) if negative; a row's weight is the maximum (``reduce="max"``) or the
    mean (``reduce="mean"``) of its entries. A row weight scales every label of the
    row, so prefer a weighted loss when you can; use this when only ``sample_weight``
    is available. Rows with no observed entry get 0.

    Parameters
    ----------
    y : label input
    pos_weight : float or array-like of shape (n_labels,)
    neg_weight : float or array-like of shape (n_labels,), optional
    reduce : {"max", "mean"}, default "max"
    normalize : bool, default False
        Divide by the mean row weight, so the weights average 1. An error when every row
        weight is 0 (there is no mean to divide by).
    mask_value : float, optional

    Returns
    -------
    ndarray of float64, shape (n_samples,)

    Raises
    ------
    ValueError
        For a weight that is not a finite number >= 0, a weight vector of the wrong length,
        or ``normalize=True`` with every row weight 0.

    Examples
    --------
    >>> import mlbalance
    >>> y = [[1, 0], [0, 1], [0, 0]]
    >>> mlbalance.sample_weights(y, [2.0, 5.0]).tolist()
    [2.0, 5.0, 1.0]
    >>> mlbalance.sample_weights(y, [2.0, 5.0], reduce="mean").tolist()
    [1.5, 3.0, 1.0]
    """
    check_choice("reduce", reduce, ("max", "mean"))
    check_bool("normalize", normalize)
    m = as_label_matrix(y, mask_value=mask_value)
    pos = _per_label_vector("pos_weight", pos_weight, m.n_labels)
    neg = _per_label_vector("neg_weight", 1.0 if neg_weight is None else neg_weight, m.n_labels)
    out = np.empty(m.n_samples, dtype=np.float64)
    for start in range(0, m.n_samples, _ROW_CHUNK):
        stop = min(start + _ROW_CHUNK, m.n_samples)
        values = _dense_rows(m.values, start, stop).astype(bool)
        entry = np.where(values, pos, neg)
        if m.missing is not None:
            missing = _dense_rows(m.missing, start, stop).astype(bool)
            entry = np.where(missing, np.nan, entry)
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing rows -> nan, handled below
            row = np.nanmax(entry, axis=1) if reduce == "max" else np.nanmean(entry, axis=1)
        out[start:stop] = np.nan_to_num(row, nan=0.0)
    if normalize:
        mean = out.mean()
        if not mean > 0:
            raise ValueError(
                "sample_weights(normalize=True): every row weight is 0 (all weights of the observed entries are 0, "
                "or every entry is masked), so there is no mean to normalise by. Give some weight > 0, or pass "
                "normalize=False."
            )
        out = out / mean
    return out


def _dense_rows(matrix, start, stop) -> np.ndarray:
    block = matrix[start:stop]
    return block.toarray() if issparse(block) else np.asarray(block)


def _per_label_vector(name, value, n_labels) -> np.ndarray:
    raw = np.asarray(value)
    if raw.dtype.kind not in "iuf":
        raise ValueError(f"Expected {name} to be a number or one number per label ({n_labels}). "
                         f"Received: {name}={value!r} (dtype {raw.dtype}).")
    arr = raw.astype(np.float64)
    if arr.ndim == 0:
        arr = np.full(n_labels, float(arr))
    if arr.shape != (n_labels,):
        raise ValueError(f"Expected {name} to be a scalar or have one value per label ({n_labels}). "
                         f"Received: {name} with shape {arr.shape}.")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise ValueError(f"{name} must be finite and >= 0; label {int(bad[0])} has {float(arr[bad[0]])!r}.")
    return arr


# --------------------------------------------------------------------------------------
# Single-label class weights
# --------------------------------------------------------------------------------------
def _single_label_indices(y) -> np.ndarray:
    if issparse(y):
        y = y.toarray()
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:
        m = as_label_matrix(arr)
        per_row = m.row_label_counts()
        bad = np.flatnonzero(per_row != 1)
        if bad.size:
            raise LabelFormatError(
                f"class_weights expects one class per row (a class-index vector or one-hot rows), but row "
                f"{int(bad[0])} has {int(per_row[bad[0]])} positive labels. For multi-label targets use "
                "mlbalance.positive_weights or mlbalance.label_weights."
            )
        return np.argmax(m.values, axis=1)
    if arr.ndim == 2:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.size == 0:
        raise LabelFormatError(f"Expected y to be a non-empty vector of class indices. Received: shape {arr.shape}.")
    if arr.dtype.kind not in "biuf":
        raise LabelFormatError(
            f"Keras' class_weight maps integer class indices to weights, but y holds {arr.dtype} values "
            f"(e.g. {arr[0]!r}). Encode them first, e.g. sklearn.preprocessing.LabelEncoder().fit_transform(y)."
        )
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr)))
    if bad.size:
        raise LabelFormatError(
            f"y must hold class indices 0, 1, 2, ...; row {int(bad[0])} has {arr[bad[0]].item()!r}."
        )
    return arr.astype(np.int64)


def class_weights(y: Any, strategy: str = "balanced", *, classes: Sequence[int] | None = None,
                  max_weight: float | None = None, on_zero: str | float = "raise") -> dict[int, float]:
    """Keras ``class_weight`` dict for a single-label (softmax) target.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Class indices, or one-hot rows (exactly one 1 per row).
    strategy : {"balanced", "max_over_count", "normalized_inverse"}, default "balanced"
        With n_c rows of class c, N rows and K classes:

        * ``"balanced"``: N / (K n_c), as scikit-learn's ``compute_class_weight``;
        * ``"max_over_count"``: max(n) / n_c, so the largest class gets 1;
        * ``"normalized_inverse"``: (max(n) / n_c) / sum_k (max(n) / n_k), summing to 1.
    classes : sequence of int, optional
        All class indices (default: those present in ``y``). A class with no rows
        falls under ``on_zero``.
    max_weight : float, optional
        Upper bound on every weight.
    on_zero : {"raise", "one", "max"} or float, default "raise"
        Policy for classes with no rows (as in :func:`positive_weights`).

    Returns
    -------
    dict
        ``{class_index: weight}``, ready for ``model.fit(class_weight=...)``.

    Examples
    --------
    >>> import mlbalance
    >>> mlbalance.class_weights([0, 0, 0, 1], strategy="max_over_count")
    {0: 1.0, 1: 3.0}
    >>> mlbalance.class_weights([0, 0, 0, 1])
    {0: 0.6666666666666666, 1: 2.0}
    """
    _check_options(strategy, CLASS_WEIGHT_STRATEGIES, max_weight, on_zero)
    indices = _single_label_indices(y)
    present = np.unique(indices)
    if classes is None:
        classes = present
    classes = np.asarray([int(c) for c in classes], dtype=np.int64)
    extra = np.setdiff1d(present, classes)
    if extra.size:
        raise ValueError(f"y holds class(es) {extra.tolist()} that are not in classes={classes.tolist()}.")
    counts = np.array([np.count_nonzero(indices == c) for c in classes], dtype=np.float64)
    empty = counts == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if strategy == "balanced":
            raw = indices.size / (classes.size * counts)
        else:
            raw = counts.max() / counts
            if strategy == "normalized_inverse":
                raw = raw / raw[~empty].sum()
    weights = np.where(empty, np.nan, raw)
    if max_weight is not None:
        weights = np.minimum(weights, max_weight)
    if empty.any():
        what = f"{int(empty.sum())} class(es) with no rows in y: {classes[empty].tolist()}"
        weights = _resolve_degenerate(weights, empty, what, on_zero, "class_weights", strategy, "class")
    return {int(c): float(w) for c, w in zip(classes, weights)}
