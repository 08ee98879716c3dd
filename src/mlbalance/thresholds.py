"""Per-label decision thresholds, tuned from one pass over each label's scores.

:func:`tune_thresholds` finds, for every label, the threshold that maximises F1 (or F-beta)
on held-out scores. Every candidate threshold is evaluated at once from the label's sorted
positive scores (see ``mlbalance._ranking``): no loop over a grid. Labels with too few
positives to tune get a stated fallback threshold. With ``cv=k`` the tuning is cross-fitted:
thresholds tuned on k-1 folds are applied to the held-out fold, giving out-of-fold
predictions whose scores are not optimistic.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
import json
import os
from dataclasses import dataclass, field, replace

import numpy as np

from ._files import write_text
from ._json import dumps
from ._ranking import (Ranking, best_fbeta, check_scores, is_per_label_list, is_probabilities, positive_class_columns,
                       rank_labels)
from ._sparse import issparse
from ._validation import check_bool, check_choice, check_int, check_number
from .labels import LabelFormatError, LabelMatrix, as_label_matrix, default_label_names, describe_labels

__all__ = ["TunedThresholds", "check_thresholds", "rows_fingerprint", "tune_thresholds"]


def check_thresholds(thresholds: object, n_labels: int, scores: np.ndarray | None = None, *,
                     label_names: Sequence[str] | None = None, name: str = "thresholds") -> np.ndarray:
    """Validate decision thresholds: one finite number, or one per label; return ``(n_labels,)`` float64.

    Thresholds must be finite real numbers (not bools or text). When ``scores`` are
    probabilities (all in [0, 1]) a threshold outside [0, 1] is an error too: it would
    predict a label always or never, and usually means thresholds tuned on logits are being
    applied to probabilities. Logit scores (any value outside [0, 1]) accept any finite
    threshold.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.thresholds import check_thresholds
    >>> check_thresholds(0.3, 2).tolist()
    [0.3, 0.3]
    >>> check_thresholds([0.2, 1.5], 2, np.array([[0.1, 0.9]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: thresholds for label 1 is 1.5, outside [0, 1], but the scores are probabilities (all in [0, 1]). ...
    """
    names = label_names if label_names is not None else tuple(str(j) for j in range(n_labels))
    if isinstance(thresholds, (bool, np.bool_, str, bytes)):
        raise ValueError(f"Expected {name} to be a finite number or one per label. Received: {name}={thresholds!r}")
    try:
        arr = np.asarray(thresholds)
    except (TypeError, ValueError):
        arr = np.asarray(None)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"Expected {name} to be a finite number or {n_labels} finite numbers, one per label. "
                         f"Received: {name}={thresholds!r} (not numbers).")
    arr = arr.astype(np.float64)
    if arr.ndim == 0:
        arr = np.full(n_labels, float(arr))
    if arr.shape != (n_labels,):
        raise ValueError(f"Expected {name} to be a number or {n_labels} values, one per label. "
                         f"Received: {name} with shape {arr.shape} ({arr.size} value(s)) for {n_labels} label(s).")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        j = int(bad[0])
        raise ValueError(f"{name} must be finite; label {describe_labels([j], names)} has {float(arr[j])!r} "
                         f"({bad.size} non-finite value(s) in all).")
    outside = np.flatnonzero((arr < 0) | (arr > 1))
    if outside.size and scores is not None and is_probabilities(scores):  # the scores' pass only when it matters
        j = int(outside[0])
        raise ValueError(
            f"{name} for label {describe_labels([j], names)} is {float(arr[j])!r}, outside [0, 1], but the scores "
            "are probabilities (all in [0, 1]). Give thresholds in [0, 1], or pass logits as scores if the "
            "thresholds are in logit units."
        )
    return arr


_FINGERPRINT_KEYS = 0x6D6C62616C616E63  # seeds the per-column multipliers; any fixed number would do


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64 output bits (wrapping uint64)."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _dense_columns(values: object) -> Callable[[int], np.ndarray]:
    """``column(j)``: column j of a dense or sparse 0/1 matrix as uint64 (a sparse one converted to CSC once)."""
    if not issparse(values):
        return lambda j: np.asarray(values[:, j]).astype(np.uint64)
    csc = values.tocsc()
    csc.sum_duplicates()

    def column(j: int) -> np.ndarray:
        out = np.zeros(csc.shape[0], dtype=np.uint64)
        out[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] = np.asarray(csc.data[csc.indptr[j]:csc.indptr[j + 1]],
                                                                       dtype=np.uint64)
        return out

    return column


def rows_fingerprint(y_true: object, y_score: object, *, label_names: Sequence[str] | None = None,
                     mask_value: float | None = None) -> str:
    """A short fingerprint of a set of (label row, score row) pairs, to recognise the same rows later.

    Two inputs get the same fingerprint when they hold the same rows (same labels, masked
    entries and scores, compared as float64) in any row order, with the label columns
    matched by name in any column order. :func:`tune_thresholds` records it with
    ``fingerprint=True``, so that :func:`mlbalance.evaluation_report` can say when it
    evaluates thresholds on the rows they were tuned on (optimistic figures). It is a
    64-bit hash (not cryptographic): different rows collide with probability about 2**-64.

    Examples
    --------
    >>> from mlbalance.thresholds import rows_fingerprint
    >>> y, s = [[1, 0], [0, 1]], [[0.9, 0.2], [0.3, 0.8]]
    >>> rows_fingerprint(y, s) == rows_fingerprint(y[::-1], s[::-1])
    True
    >>> rows_fingerprint(y, s) == rows_fingerprint(y, [[0.9, 0.2], [0.3, 0.7]])
    False
    >>> rows_fingerprint(y, s)[:4]
    '2x2:'
    """
    m = as_label_matrix(y_true, label_names=label_names, mask_value=mask_value)
    scores = check_scores(y_score, m.n_samples, m.n_labels)
    n, q = m.shape
    keys = np.random.default_rng(_FINGERPRINT_KEYS).integers(1, 2**63, size=(3, q), dtype=np.uint64) | np.uint64(1)
    h = np.zeros(n, dtype=np.uint64)
    truth = _dense_columns(m.values)
    missing = None if m.missing is None else _dense_columns(m.missing)
    for k, j in enumerate(sorted(range(q), key=lambda j: m.label_names[j])):  # columns by name
        column = np.ascontiguousarray(scores[:, j], dtype=np.float64) + 0.0  # -0.0 becomes 0.0
        # Each score mixed with its column's key before it is added: a plain weighted sum would
        # cancel two sign flips in a row (each adds 2**63).
        h += _mix(column.view(np.uint64) ^ keys[0, k])
        h += truth(j) * keys[1, k]
        if missing is not None:
            h += missing(j) * keys[2, k]
    total = int(_mix(h).sum(dtype=np.uint64))  # a sum of mixed row hashes: any row order
    return f"{n}x{q}:{total:016x}"


@dataclass(frozen=True)
class TunedThresholds:
    """Per-label thresholds from :func:`tune_thresholds`; usable wherever an array is.

    Attributes
    ----------
    thresholds : ndarray, shape (n_labels,)
        Predict a label when its score is >= its threshold.
    tuned_scores : ndarray, shape (n_labels,)
        The metric each tuned threshold reaches on the tuning data (nan for fallbacks).
    fallback_labels : tuple of int
        Labels that got ``fallback`` because they had fewer than ``min_positives`` positives.
    fallback, min_positives, metric, beta, label_names, placement
        The settings used.
    oof_predictions : ndarray of int8 or None
        With ``cv``: out-of-fold 0/1 predictions (thresholds never tuned on the row they predict).
    tuned_on : str or None
        With ``fingerprint=True``: :func:`rows_fingerprint` of the tuning rows, saved with the
        thresholds, so that a report on those same rows (in any order, in another process)
        says it is optimistic.
    ranking : object or None
        The per-label ranking the thresholds were tuned from (each label's curve counts,
        about 24 bytes per distinct positive score, and a fingerprint of the tuning rows).
        :func:`mlbalance.evaluation_report` given these thresholds and the same rows reuses
        it instead of sorting every label's scores again. None when built by hand or loaded.

    Examples
    --------
    >>> import numpy as np, mlbalance, warnings
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    >>> s = np.array([[0.9, 0.2], [0.7, 0.1], [0.4, 0.3], [0.1, 0.05]])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     t = mlbalance.tune_thresholds(y, s, min_positives=2)
    >>> t.thresholds.tolist(), t.fallback_labels
    ([0.55, 0.5], (1,))
    >>> t.apply(s).tolist()
    [[1, 0], [1, 0], [0, 0], [0, 0]]
    """

    thresholds: np.ndarray
    tuned_scores: np.ndarray
    fallback_labels: tuple
    fallback: float
    min_positives: int
    metric: str
    beta: float
    label_names: tuple
    oof_predictions: object = None
    placement: str = "midpoint"
    tuned_on: str | None = None
    ranking: Ranking | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.label_names)
        object.__setattr__(self, "label_names", names)
        object.__setattr__(self, "thresholds", check_thresholds(self.thresholds, len(names), label_names=names))
        tuned = np.asarray(self.tuned_scores, dtype=np.float64)
        if tuned.shape != (len(names),):
            raise ValueError(f"Expected tuned_scores to have one value per label ({len(names)}). "
                             f"Received: shape {tuned.shape}.")
        object.__setattr__(self, "tuned_scores", tuned)
        fallbacks = tuple(int(j) for j in self.fallback_labels)
        if any(not 0 <= j < len(names) for j in fallbacks):
            raise ValueError(f"Expected fallback_labels to be label indices in [0, {len(names)}). "
                             f"Received: fallback_labels={self.fallback_labels!r}")
        object.__setattr__(self, "fallback_labels", fallbacks)

    def __array__(self, dtype: object = None, copy: bool | None = None) -> np.ndarray:
        return np.asarray(self.thresholds, dtype=dtype)

    def __len__(self) -> int:
        return len(self.thresholds)

    def apply(self, y_score: object) -> np.ndarray:
        """0/1 predictions: ``y_score >= thresholds`` per label.

        ``y_score`` must have one column per threshold. When its scores are probabilities
        (all in [0, 1]) every threshold must be in [0, 1] too (see
        :func:`tune_thresholds`): thresholds tuned on logits are refused on probabilities.

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> t = TunedThresholds(np.array([0.3, 0.8]), np.array([1.0, 1.0]), (), 0.5, 5, "f1", 1.0, ("a", "b"))
        >>> t.apply([[0.5, 0.5]]).tolist()
        [[1, 0]]
        """
        n_labels = len(self.thresholds)
        if is_per_label_list(y_score):
            y_score = positive_class_columns(y_score)
        raw = y_score.toarray() if issparse(y_score) else np.asarray(y_score)
        if raw.ndim != 2 or raw.shape[1] != n_labels:
            raise ValueError(f"y_score has shape {raw.shape}, but these thresholds are for {n_labels} label(s): "
                             f"pass a 2-D array with one column per label ({n_labels} columns), in the tuning order.")
        scores = check_scores(raw, raw.shape[0], n_labels)
        check_thresholds(self.thresholds, n_labels, scores, label_names=self.label_names)
        return (scores >= self.thresholds).astype(np.int8)

    def to_dict(self) -> dict:
        """Thresholds and settings as plain Python types.

        Everything but ``oof_predictions`` (one prediction per tuning row, not part of the
        thresholds); :meth:`from_dict` reads it back unchanged (floats are kept exactly).

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> TunedThresholds(np.array([0.3]), np.array([0.8]), (), 0.5, 5, "f1", 1.0, ("a",)).to_dict()["labels"]
        [{'name': 'a', 'threshold': 0.3, 'tuned_score': 0.8, 'fallback': False}]
        """
        return {
            "metric": self.metric, "beta": self.beta, "fallback": self.fallback, "min_positives": self.min_positives,
            "placement": self.placement, "tuned_on": self.tuned_on,
            "labels": [
                {"name": name, "threshold": float(self.thresholds[j]),
                 "tuned_score": None if np.isnan(self.tuned_scores[j]) else float(self.tuned_scores[j]),
                 "fallback": j in self.fallback_labels}
                for j, name in enumerate(self.label_names)
            ],
        }

    def to_json(self, **kwargs: object) -> str:
        """:meth:`to_dict` as JSON (the file ``mlbalance report --thresholds`` reads).

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> TunedThresholds(np.array([0.3]), np.array([0.8]), (), 0.5, 5, "f1", 1.0, ("a",)).to_json()[:16]
        '{"metric": "f1",'
        """
        return dumps(self.to_dict(), **kwargs)

    def save(self, path: str | os.PathLike) -> str:
        """Write :meth:`to_json` to ``path`` atomically; returns the text written.

        Read it back with :meth:`load`, :func:`mlbalance.io.read_thresholds` or
        ``mlbalance report --thresholds PATH``.

        Examples
        --------
        >>> import os, tempfile, numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> t = TunedThresholds(np.array([0.3, 0.5]), np.array([0.8, np.nan]), (1,), 0.5, 5, "f1", 1.0, ("a", "b"))
        >>> path = os.path.join(tempfile.mkdtemp(), "thresholds.json")
        >>> _ = t.save(path)
        >>> back = TunedThresholds.load(path)
        >>> back.thresholds.tolist(), back.fallback_labels, back.label_names
        ([0.3, 0.5], (1,), ('a', 'b'))
        """
        return write_text(path, self.to_json(indent=2) + "\n")

    @classmethod
    def from_dict(cls, data: object, *, where: str = "thresholds") -> TunedThresholds:
        """The TunedThresholds of :meth:`to_dict`'s output (``where`` names the source in errors).

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> t = TunedThresholds(np.array([0.25]), np.array([0.5]), (), 0.5, 5, "fbeta", 2.0, ("a",), placement="low")
        >>> back = TunedThresholds.from_dict(t.to_dict())
        >>> back.thresholds.tolist(), back.metric, back.beta, back.placement
        ([0.25], 'fbeta', 2.0, 'low')
        """
        keys = ("metric", "beta", "fallback", "min_positives", "labels")
        missing = [k for k in keys if not isinstance(data, dict) or k not in data]
        if missing:
            raise LabelFormatError(f"{where}: expected the JSON of TunedThresholds.to_dict(), with the keys "
                                   f"{', '.join(keys)}. Missing: {', '.join(missing)}.")
        entries = data["labels"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise LabelFormatError(f"{where}: expected 'labels' to be a list of objects with name, threshold, "
                                   f"tuned_score and fallback. Received: {type(entries).__name__}")
        for k, entry in enumerate(entries):
            absent = [key for key in ("name", "threshold") if key not in entry]
            if absent:
                raise LabelFormatError(f"{where}: label entry {k} has no {' or '.join(absent)}.")
            if isinstance(entry["threshold"], bool) or not isinstance(entry["threshold"], (int, float)):
                raise LabelFormatError(f"{where}: label {entry['name']!r}: expected a threshold number. "
                                       f"Received: {entry['threshold']!r}")
        tuned_on = data.get("tuned_on")
        if tuned_on is not None and not isinstance(tuned_on, str):
            raise LabelFormatError(f"{where}: expected 'tuned_on' to be a fingerprint string or null. "
                                   f"Received: {tuned_on!r}")
        try:
            if not (isinstance(data["metric"], str) and data["metric"].startswith(CUSTOM_METRIC_PREFIX)):
                check_choice("metric", data["metric"], ("f1", "fbeta"))  # or "custom:<name>" (tune_with_metric)
            check_choice("placement", data.get("placement", "midpoint"), _PLACEMENTS)
            tuned = [np.nan if e.get("tuned_score") is None else float(e["tuned_score"]) for e in entries]
            return cls(np.array([float(e["threshold"]) for e in entries]), np.array(tuned),
                       tuple(k for k, e in enumerate(entries) if e.get("fallback")),
                       check_number("fallback", data["fallback"]), check_int("min_positives", data["min_positives"],
                                                                             low=1),
                       data["metric"], check_number("beta", data["beta"], low=0, low_open=True),
                       tuple(str(e["name"]) for e in entries), None, data.get("placement", "midpoint"), tuned_on)
        except (TypeError, ValueError) as err:
            raise LabelFormatError(f"{where}: {err}") from None

    @classmethod
    def load(cls, path: str | os.PathLike) -> TunedThresholds:
        """Read a file written by :meth:`save`.

        Examples
        --------
        >>> import os, tempfile, numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> path = os.path.join(tempfile.mkdtemp(), "t.json")
        >>> _ = TunedThresholds(np.array([0.4]), np.array([0.7]), (), 0.5, 5, "f1", 1.0, ("a",)).save(path)
        >>> TunedThresholds.load(path).thresholds.tolist()
        [0.4]
        """
        path = os.fspath(path)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            data = json.loads(text)
        except ValueError as err:
            raise LabelFormatError(f"{path}: not valid JSON ({err}).") from None
        return cls.from_dict(data, where=path)

    def select(self, label_names: Sequence[str]) -> TunedThresholds:
        """The same thresholds for ``label_names``, in that order (each name must be one of these labels).

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance.thresholds import TunedThresholds
        >>> t = TunedThresholds(np.array([0.3, 0.6]), np.array([0.8, np.nan]), (1,), 0.5, 5, "f1", 1.0, ("a", "b"))
        >>> s = t.select(["b", "a"])
        >>> s.thresholds.tolist(), s.fallback_labels
        ([0.6, 0.3], (0,))
        """
        position = {name: j for j, name in enumerate(self.label_names)}
        unknown = [str(n) for n in label_names if str(n) not in position]
        if unknown:
            raise ValueError(f"Expected names of the labels these thresholds were tuned for "
                             f"({describe_labels(range(len(self)), self.label_names)}). "
                             f"Received unknown label(s): {', '.join(map(repr, unknown[:10]))}")
        order = [position[str(n)] for n in label_names]
        fallbacks = set(self.fallback_labels)
        oof = None if self.oof_predictions is None else np.asarray(self.oof_predictions)[:, order]
        return replace(self, thresholds=self.thresholds[order], tuned_scores=self.tuned_scores[order],
                       fallback_labels=tuple(k for k, j in enumerate(order) if j in fallbacks),
                       label_names=tuple(str(n) for n in label_names), oof_predictions=oof,
                       ranking=None)  # the ranking is in the old column order: never reused after a reorder

    def was_tuned_on(self, y_true: object, y_score: object, *, mask_value: float | None = None) -> bool:
        """Whether these thresholds were tuned on exactly these rows (needs ``tuned_on``; False without it).

        Rows may come in another order; label columns are matched by name (unnamed columns
        take these thresholds' names).

        Examples
        --------
        >>> import numpy as np, mlbalance
        >>> y, s = np.array([[1], [0], [1]]), np.array([[0.9], [0.2], [0.6]])
        >>> t = mlbalance.tune_thresholds(y, s, min_positives=1, fingerprint=True)
        >>> t.was_tuned_on(y, s), t.was_tuned_on(y, s * 0.5)
        (True, False)
        """
        if self.tuned_on is None:
            return False
        m = as_label_matrix(y_true, mask_value=mask_value)
        if m.n_labels == len(self) and m.label_names == default_label_names(m.n_labels):
            m = LabelMatrix(m.values, m.missing, self.label_names)
        return rows_fingerprint(m, y_score) == self.tuned_on


_PLACEMENTS = ("midpoint", "low", "high")
CUSTOM_METRIC_PREFIX = "custom:"  # TunedThresholds.metric of thresholds tuned for a user's metric function


def _check_arguments(metric, beta, min_positives, fallback, placement):
    check_choice("placement", placement, _PLACEMENTS)
    check_choice("metric", metric, ("f1", "fbeta"))
    check_number("beta", beta, low=0, low_open=True)
    check_int("min_positives", min_positives, low=1)
    check_number("fallback", fallback)


def place_threshold(cut: float, below: float | None, placement: str, dtype: np.dtype) -> float:
    """A threshold in the gap ``(below, cut]``: every one of them makes the same tuning-set predictions.

    ``"low"`` is the next representable score above ``below`` in the scores' own precision, so
    the threshold still separates the two after a cast to that precision.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.thresholds import place_threshold
    >>> place_threshold(0.6, 0.4, "midpoint", np.dtype(np.float64)), place_threshold(0.6, None, "low", np.dtype("f4"))
    (0.5, 0.6)
    """
    if below is None or placement == "high":
        return float(cut)
    if placement == "low":
        return float(np.nextafter(dtype.type(below), dtype.type(np.inf)))
    return (float(cut) + float(below)) / 2


def _tune(m, scores, beta, min_positives, fallback, placement):
    """Thresholds, tuned values and fallback labels from one ranking pass (the fallback counted on the way)."""
    ranking = rank_labels(m, scores, np.full(m.n_labels, float(fallback)))
    thresholds = np.full(m.n_labels, float(fallback))
    tuned = np.full(m.n_labels, np.nan)
    for j, curve in enumerate(ranking.curves):
        if ranking.n_pos[j] < min_positives:
            continue
        best, tuned[j] = best_fbeta(curve, beta)
        below = curve.below[best]
        thresholds[j] = place_threshold(curve.thresholds[best], None if np.isnan(below) else below, placement,
                                        scores.dtype)
    fallback_labels = tuple(int(j) for j in np.flatnonzero(np.isnan(tuned)))
    return thresholds, tuned, fallback_labels, ranking


def tune_thresholds(y_true: object, y_score: object, metric: str = "f1", *, beta: float = 1.0, min_positives: int = 5,
                    fallback: float = 0.5, placement: str = "midpoint", cv: int | None = None,
                    random_state: int | np.random.RandomState | None = None, label_names: Sequence[str] | None = None,
                    mask_value: float | None = None, fingerprint: bool = False) -> TunedThresholds:
    """Choose one threshold per label that maximises F1 (or F-beta) on held-out scores.

    Parameters
    ----------
    y_true : label input (dense, sparse, DataFrame, label lists)
        Validation labels.
    y_score : array of shape (n_samples, n_labels), or list of n_labels arrays of shape (n_samples, 2)
        Finite scores for the same rows: probabilities or logits. Thresholds come back in
        the same units, so thresholds tuned on logits must be applied to logits. The list
        form is ``MultiOutputClassifier.predict_proba``'s: column 1 of each array is read.
    metric : {"f1", "fbeta"}, default "f1"
    beta : float, default 1.0
        For ``metric="fbeta"``.
    min_positives : int, default 5
        Labels with fewer validation positives get ``fallback`` (a ``UserWarning`` lists them).
    fallback : float, default 0.5
        A finite number, in the scores' units: when every score is in [0, 1] (probabilities)
        it must be in [0, 1] too, else any finite logit.
    placement : {"midpoint", "low", "high"}, default "midpoint"
        Where in the best threshold's gap to put it. Every threshold above the highest score
        left out (``below``) and up to the lowest score kept (``cut``) makes the same predictions
        on the tuning rows; they differ on new rows. ``"midpoint"`` takes ``(below + cut) / 2``;
        ``"low"`` the next score above ``below`` (the most recall the tuning rows allow: useful
        when a label has few tuning positives and new positives tend to score lower than they
        did); ``"high"`` takes ``cut`` (the most precision).
    cv : int, optional
        Cross-fit with this many stratified folds; ``oof_predictions`` then holds honest
        out-of-fold predictions. The returned thresholds are tuned on all rows.
    random_state : int, RandomState or None
        For the cross-fitting folds.
    label_names : sequence of str, optional
    mask_value : float, optional
        Unobserved entries of ``y_true`` are left out of their label's tuning.
    fingerprint : bool, default False
        Record :func:`rows_fingerprint` of the tuning rows in ``tuned_on`` (one more pass
        over the scores), so that :func:`mlbalance.evaluation_report` on these same rows
        says its figures are optimistic, also after :meth:`TunedThresholds.save`.

    Returns
    -------
    TunedThresholds
        Thresholds are always finite; tuned on probabilities they lie in [0, 1].

    Raises
    ------
    ValueError
        For non-finite scores, a ``fallback`` outside [0, 1] on probability scores, or a bad
        argument.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> rng = np.random.default_rng(0)
    >>> y = (rng.random((200, 3)) < 0.2).astype(int)
    >>> scores = np.clip(0.3 * y + rng.random((200, 3)) * 0.6, 0, 1)
    >>> t = mlbalance.tune_thresholds(y, scores)
    >>> t.thresholds.round(3).tolist(), t.tuned_scores.round(2).tolist()
    ([0.577, 0.645, 0.524], [0.71, 0.76, 0.68])

    The same F1 on the tuning rows, with the thresholds at the low end of each gap:

    >>> low = mlbalance.tune_thresholds(y, scores, placement="low")
    >>> bool((low.thresholds <= t.thresholds).all()), low.tuned_scores.round(2).tolist()
    (True, [0.71, 0.76, 0.68])
    """
    _check_arguments(metric, beta, min_positives, fallback, placement)  # before reading the data
    check_bool("fingerprint", fingerprint)
    m = as_label_matrix(y_true, label_names=label_names, mask_value=mask_value)
    scores = check_scores(y_score, m.n_samples, m.n_labels)
    result = tune_label_matrix(m, scores, metric, beta=beta, min_positives=min_positives, fallback=fallback,
                               placement=placement, cv=cv, random_state=random_state, fingerprint=fingerprint)
    if result.fallback_labels:
        warnings.warn(
            f"{len(result.fallback_labels)} label(s) have fewer than {min_positives} positives to tune on, so they "
            f"use the fallback threshold {fallback:g}: {describe_labels(result.fallback_labels, m.label_names)}.",
            UserWarning,
            stacklevel=2,
        )
    return result


def tune_label_matrix(m: LabelMatrix, scores: np.ndarray, metric: str = "f1", *, beta: float = 1.0,
                      min_positives: int = 5, fallback: float = 0.5, placement: str = "midpoint",
                      cv: int | None = None, random_state: int | np.random.RandomState | None = None,
                      fingerprint: bool = False) -> TunedThresholds:
    """:func:`tune_thresholds` on a checked label matrix and score matrix, without the fallback warning.

    For callers that hold checked inputs already (the report's ``thresholds="tune"``): the
    scores are not checked again. The result carries its ranking (see
    :class:`TunedThresholds`).

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance.thresholds import tune_label_matrix
    >>> m = mlbalance.as_label_matrix([[1], [1], [0]])
    >>> t = tune_label_matrix(m, np.array([[0.9], [0.6], [0.2]]), min_positives=1)
    >>> t.thresholds.tolist(), t.ranking.curves[0].tp.tolist()
    ([0.4], [1, 2])
    """
    _check_arguments(metric, beta, min_positives, fallback, placement)
    beta = 1.0 if metric == "f1" else float(beta)
    if not 0 <= fallback <= 1 and is_probabilities(scores):  # the scores' pass only when it matters
        raise ValueError(f"Expected fallback to be in [0, 1] since the scores are probabilities (all in [0, 1]). "
                         f"Received: fallback={fallback!r}")
    thresholds, tuned, fallback_labels, ranking = _tune(m, scores, beta, min_positives, fallback, placement)
    oof = None
    if cv is not None:
        oof = _cross_fit(m, scores, cv, random_state, beta, min_positives, fallback, placement)
    tuned_on = rows_fingerprint(m, scores) if fingerprint else None
    return TunedThresholds(thresholds, tuned, fallback_labels, float(fallback), int(min_positives), metric, beta,
                           m.label_names, oof, placement, tuned_on, ranking)


def _cross_fit(m, scores, cv, random_state, beta, min_positives, fallback, placement):
    from .split import MultilabelStratifiedKFold

    check_int("cv", cv, low=2)
    oof = np.zeros(scores.shape, dtype=np.int8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        folds = MultilabelStratifiedKFold(int(cv), shuffle=True, random_state=random_state).split(None, m)
        for train, test in folds:
            sub = LabelMatrix(m.values[train], None if m.missing is None else m.missing[train], m.label_names)
            thresholds, _, _, _ = _tune(sub, scores[train], beta, min_positives, fallback, placement)
            oof[test] = scores[test] >= thresholds
    return oof
