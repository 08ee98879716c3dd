"""Exact per-label ranking statistics from one sort of the negatives, and the scores they read.

For one label with positive scores ``pos`` and negative scores ``neg``, every quantity the
report and the threshold tuner need follows from the *distinct positive scores* ``u`` and
the sorted negatives (searched at the few ``u`` values):

* at each candidate threshold ``u_j`` (predict positive when score >= u_j): true positives
  ``#pos >= u_j`` and false positives ``#neg >= u_j``, hence F1 at every threshold that can
  be optimal (lowering a threshold past negatives alone only adds false positives);
* average precision as scikit-learn defines it (a step sum over distinct thresholds;
  thresholds met only by negatives add no recall, so they add nothing);
* ROC-AUC as the Mann-Whitney statistic, ties counted one half (as scikit-learn).

Scores keep their dtype (a float32 sort is about twice as fast as float64, and ten times
faster than binary-searching every negative into the positives).

The scores come checked by :func:`check_scores` and are fed label by label by
:func:`map_label_columns` (or a block of rows at a time by :func:`map_row_blocks`), both on
the one thread pool of :func:`thread_map`.
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from ._sparse import issparse, scipy_sparse

if TYPE_CHECKING:
    import scipy.sparse as sp

    from .labels import LabelMatrix

T = TypeVar("T")

_COLUMN_BLOCK = 64  # label columns transposed at a time
_ROW_BLOCK = 4096  # rows per block for the row measures


@dataclass(frozen=True)
class LabelCurve:
    """Counts at each distinct positive score ``thresholds`` (descending), and the sorted negatives."""

    thresholds: np.ndarray  # distinct positive scores, descending
    tp: np.ndarray  # positives with score >= threshold
    fp: np.ndarray  # negatives with score >= threshold
    n_pos: int
    n_neg: int
    auc: float
    sorted_negatives: np.ndarray

    def highest_score_below(self, cut: float) -> float | None:
        """The largest score (positive or negative) strictly below ``cut``, or None."""
        candidates = []
        k = int(np.searchsorted(self.sorted_negatives, cut, side="left"))
        if k > 0:
            candidates.append(self.sorted_negatives[k - 1])
        lower = self.thresholds[self.thresholds < cut]
        if lower.size:
            candidates.append(lower[0])
        return max(candidates) if candidates else None


def label_curve(pos_scores: np.ndarray, neg_scores: np.ndarray) -> LabelCurve:
    """Exact counts for one label (requires at least one positive)."""
    pos = np.asarray(pos_scores)
    neg = np.sort(np.asarray(neg_scores, dtype=pos.dtype))
    unique, pos_counts = np.unique(pos, return_counts=True)  # ascending
    neg_below = np.searchsorted(neg, unique, side="left")  # negatives < u_j
    neg_at_or_below = np.searchsorted(neg, unique, side="right")  # negatives <= u_j
    n_pos, n_neg = int(pos.size), int(neg.size)
    fp_ge = n_neg - neg_below
    tp_ge = np.cumsum(pos_counts[::-1])[::-1]
    if n_neg:
        wins = pos_counts * (neg_below + 0.5 * (neg_at_or_below - neg_below))
        auc = float(wins.sum() / (n_pos * n_neg))
    else:
        auc = float("nan")
    return LabelCurve(unique[::-1], tp_ge[::-1], fp_ge[::-1], n_pos, n_neg, auc, neg)


def average_precision(curve: LabelCurve) -> float:
    """scikit-learn's ``average_precision_score`` from a :class:`LabelCurve`."""
    recall = curve.tp / curve.n_pos
    precision = curve.tp / (curve.tp + curve.fp)
    previous = np.concatenate(([0.0], recall[:-1]))
    return float(np.sum((recall - previous) * precision))


def best_fbeta(curve: LabelCurve, beta: float = 1.0) -> tuple[int, float]:
    """Index and value of the F-beta-maximising threshold (ties: the higher threshold)."""
    b2 = beta * beta
    fbeta = (1 + b2) * curve.tp / ((1 + b2) * curve.tp + b2 * (curve.n_pos - curve.tp) + curve.fp)
    j = int(np.argmax(fbeta))
    return j, float(fbeta[j])


# --------------------------------------------------------------------------------------
# Scores against a label matrix, and the per-label / per-row-block iteration over them
# --------------------------------------------------------------------------------------
def is_per_label_list(y_score: object) -> bool:
    """Whether ``y_score`` is scikit-learn's per-label form: a list of q arrays, each 2-D.

    That is what ``MultiOutputClassifier.predict_proba`` (and multi-output trees and
    neighbours) return: one ``(n_samples, n_classes)`` array per label. A list of rows
    (``[[0.1, 0.9], ...]``) is not: its items are 1-D.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import is_per_label_list
    >>> is_per_label_list([np.zeros((3, 2))]), is_per_label_list([[0.1, 0.9]])
    (True, False)
    """
    return isinstance(y_score, (list, tuple)) and len(y_score) > 0 and all(np.ndim(a) == 2 for a in y_score)


def positive_class_columns(y_score: Sequence, *, name: str = "y_score") -> np.ndarray:
    """``(n_samples, q)`` positive-class probabilities from a list of q ``(n_samples, 2)`` arrays.

    Column 1 of each array is taken: scikit-learn orders ``classes_`` ascending, so for a
    0/1 label column 1 is the probability of 1. A ``(n_samples, 1)`` array (the label's
    classifier saw one class only in training) is refused, since which class it saw is not
    in the array; any other width is refused too. Both errors name the label.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import positive_class_columns
    >>> positive_class_columns([np.array([[0.8, 0.2], [0.3, 0.7]]), np.array([[0.4, 0.6], [1.0, 0.0]])]).tolist()
    [[0.2, 0.6], [0.7, 0.0]]
    >>> positive_class_columns([np.array([[0.8, 0.2]]), np.array([[1.0]])])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Expected y_score[1] (label 1) to have shape (n_samples, 2) ... Received: shape (1, 1), dtype float64 (one column: ...).
    """
    arrays = [np.asarray(a) for a in y_score]
    n_rows = arrays[0].shape[0]
    for j, a in enumerate(arrays):
        if a.shape == (n_rows, 2) and a.dtype.kind in "biuf":
            continue
        hint = (" (one column: the label's classifier saw one class only in training, so its positive-class "
                "probability is unknown; make sure every label has positives and negatives in the training rows)"
                if a.ndim == 2 and a.shape[1] == 1 else "")
        raise ValueError(
            f"Expected {name}[{j}] (label {j}) to have shape (n_samples, 2) = ({n_rows}, 2) of numbers: "
            f"predict_proba's per-label form is one (n_samples, 2) array per label. Received: shape {a.shape}, "
            f"dtype {a.dtype}{hint}."
        )
    return np.stack([a[:, 1] for a in arrays], axis=1)


def check_scores(y_score: object, n_samples: int, n_labels: int, *, name: str = "y_score") -> np.ndarray:
    """Validate a 2-D score matrix against the label matrix; return it as a float array.

    ``y_score`` is an ``(n_samples, n_labels)`` array, or a list of ``n_labels`` arrays of
    shape ``(n_samples, 2)`` (``MultiOutputClassifier.predict_proba``'s form): column 1 of
    each is read, see :func:`positive_class_columns`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import check_scores
    >>> check_scores([[0.1, 0.9]], 1, 2).tolist()
    [[0.1, 0.9]]
    >>> check_scores([np.array([[0.9, 0.1]]), np.array([[0.1, 0.9]])], 1, 2).tolist()
    [[0.1, 0.9]]
    >>> check_scores([[0.1, float("nan")]], 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: y_score has 1 non-finite value(s); the first is at row 0, column 1: nan. Scores must be finite (check the model's outputs for NaN).
    """
    if issparse(y_score):
        y_score = y_score.toarray()
    if is_per_label_list(y_score):
        if len(y_score) != n_labels:
            raise ValueError(f"{name} is a list of {len(y_score)} per-label arrays but y_true has {n_labels} "
                             "label(s): one (n_samples, 2) array per label is needed, in the label order.")
        y_score = positive_class_columns(y_score, name=name)
    scores = np.asarray(y_score)
    if scores.dtype.kind not in "biuf":
        raise ValueError(f"Expected {name} to hold numbers. Received: dtype {scores.dtype}.")
    if scores.ndim != 2 or scores.shape != (n_samples, n_labels):
        raise ValueError(
            f"{name} has shape {scores.shape} but y_true has shape {(n_samples, n_labels)}: one score per "
            "row and label is needed (same rows, same label columns, same order)."
        )
    if scores.dtype.kind != "f":
        scores = scores.astype(np.float64)
    bad = ~np.isfinite(scores)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} has {int(bad.sum())} non-finite value(s); the first is at row {row}, column {col}: "
            f"{float(scores[row, col])!r}. Scores must be finite (check the model's outputs for NaN)."
        )
    return scores


def is_probabilities(scores: np.ndarray) -> bool:
    """Whether every score lies in [0, 1] (then thresholds must too; logits may be any finite number).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import is_probabilities
    >>> is_probabilities(np.array([[0.0, 1.0]])), is_probabilities(np.array([[-2.0, 3.0]]))
    (True, False)
    """
    return bool(scores.size == 0 or (scores.min() >= 0 and scores.max() <= 1))


def thread_map(fn: Callable[..., T], items: Iterable[tuple], *, in_flight: int | None = None) -> list[T]:
    """``[fn(*item) for item in items]``, in order, on a thread pool (NumPy releases the GIL).

    ``items`` is consumed lazily, with at most ``in_flight`` calls submitted and not yet
    collected (default ``2 * workers``), so a generator of large blocks keeps memory bounded.
    A larger window keeps every worker busy when item costs vary (one label with many
    positives among many small ones).

    Examples
    --------
    >>> from mlbalance._ranking import thread_map
    >>> thread_map(pow, ((k, 2) for k in range(5)))
    [0, 1, 4, 9, 16]
    """
    workers = min(os.cpu_count() or 1, 8)
    window = in_flight or 2 * workers
    results: list[T] = []
    pending: collections.deque = collections.deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for item in items:
            pending.append(pool.submit(fn, *item))
            if len(pending) >= window:
                results.append(pending.popleft().result())
        results.extend(future.result() for future in pending)
    return results


def map_label_columns(m: LabelMatrix, scores: np.ndarray, fn: Callable[[int, np.ndarray, np.ndarray], T]) -> list[T]:
    """``[fn(label, positive_scores, negative_scores) for each label]`` over observed entries.

    Columns are taken a block of 64 at a time (at most two blocks are alive: memory stays
    bounded) and processed by :func:`thread_map`, up to a block's worth in flight: the
    per-label work (sorts, searches, indexing) releases the GIL, so every core is used.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import map_label_columns
    >>> m = mlbalance.as_label_matrix([[1, 0], [0, 1], [1, 1]])
    >>> scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]])
    >>> map_label_columns(m, scores, lambda j, pos, neg: (pos.tolist(), neg.tolist()))
    [([0.9, 0.7], [0.2]), ([0.8, 0.6], [0.1])]
    """
    csc = m.values.tocsc() if m.is_sparse else scipy_sparse().csc_matrix(m.values)
    missing = None
    if m.missing is not None:
        missing = m.missing.tocsc() if issparse(m.missing) else scipy_sparse().csc_matrix(m.missing)

    def one(j: int, column: np.ndarray) -> T:
        is_pos = np.zeros(m.n_samples, dtype=bool)
        is_pos[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] = True
        is_neg = ~is_pos
        if missing is not None:
            is_neg[missing.indices[missing.indptr[j]:missing.indptr[j + 1]]] = False
        return fn(j, column[is_pos], column[is_neg])

    def columns() -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, m.n_labels, _COLUMN_BLOCK):
            yield from zip(itertools.count(start), _columns(scores, start, start + _COLUMN_BLOCK))

    return thread_map(one, columns(), in_flight=_COLUMN_BLOCK)


def _columns(scores: np.ndarray, start: int, stop: int, tile: int = 4096) -> np.ndarray:
    """``scores[:, start:stop].T`` as a contiguous array, transposed in cache-sized row tiles.

    A direct strided transpose of a tall C-ordered matrix is several times slower.
    """
    out = np.empty((min(stop, scores.shape[1]) - start, scores.shape[0]), dtype=scores.dtype)
    for row in range(0, scores.shape[0], tile):
        out[:, row:row + tile] = scores[row:row + tile, start:stop].T
    return out


def map_row_blocks(m: LabelMatrix, scores: np.ndarray,
                   fn: Callable[[sp.csr_matrix, np.ndarray, np.ndarray | None], T]) -> list[T]:
    """``[fn(truth_block, scores_block, missing_block) ...]`` over blocks of rows, by :func:`thread_map`.

    ``truth_block`` is CSR; ``missing_block`` a dense bool array, or None without a mask.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import map_row_blocks
    >>> m = mlbalance.as_label_matrix([[1, 0], [1, 1]])
    >>> map_row_blocks(m, np.zeros((2, 2)), lambda truth, s, missing: (truth.nnz, s.shape, missing))
    [(3, (2, 2), None)]
    """
    csr = m.values if m.is_sparse else scipy_sparse().csr_matrix(m.values)

    def blocks() -> Iterator[tuple]:
        for start in range(0, m.n_samples, _ROW_BLOCK):
            stop = min(start + _ROW_BLOCK, m.n_samples)
            missing = None
            if m.missing is not None:
                missing = m.missing[start:stop]
                missing = missing.toarray() if issparse(missing) else missing
            yield csr[start:stop], scores[start:stop], missing

    return thread_map(fn, blocks())
