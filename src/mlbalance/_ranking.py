"""Exact per-label ranking statistics from one sort of each label's scores, and the scores they read.

For one label with positive scores ``pos`` among its observed scores, every quantity the
report and the threshold tuner need follows from the *distinct positive scores* ``u`` and
the label's sorted observed scores (searched at the few ``u`` values):

* at each candidate threshold ``u_j`` (predict positive when score >= u_j): true positives
  ``#pos >= u_j`` and false positives ``#neg >= u_j`` (all scores >= u_j minus the
  positives), hence F1 at every threshold that can be optimal (lowering a threshold past
  negatives alone only adds false positives);
* the highest score below each ``u_j``: every threshold in that gap makes the same
  predictions, which is where the tuner places its threshold;
* average precision as scikit-learn defines it (a step sum over distinct thresholds;
  thresholds met only by negatives add no recall, so they add nothing);
* ROC-AUC as the Mann-Whitney statistic, ties counted one half (as scikit-learn).

:func:`rank_labels` computes a :class:`Ranking` of every label of a score matrix in one pass:
each label's column is sorted once (in place, in a contiguous block of columns copied from
the matrix, one block per thread). :func:`mlbalance.tune_thresholds` and
:func:`mlbalance.evaluation_report` read the same :class:`Ranking`, so thresholds tuned
and reported on the same rows cost one sort per column. Scores keep their dtype (a
float32 sort is about twice as fast as float64).

The scores come checked by :func:`check_scores`; blocks of rows are fed by
:func:`map_row_blocks`, on the one thread pool of :func:`thread_map`.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
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

_COLUMN_BLOCK = 32  # label columns copied out (and sorted) per task: one such block per thread is alive
_FINGERPRINT_CHUNK = 1 << 18  # scores per fingerprint step (a 2 MiB uint64 temporary)
_FINGERPRINT_SEED = 0x6D6C62616C616E63  # fixes column_keys: fingerprints compare across runs and processes
_ROW_TILE = 512  # rows per tile when copying columns out (measured 4x faster than 4096 tiles, 1000 columns)
_ROW_BLOCK = 4096  # rows per block for the row measures


@dataclass(frozen=True)
class LabelCurve:
    """Counts at each distinct positive score ``thresholds`` (descending), and the score below each.

    ``below[k]`` is the highest observed score (positive or negative) strictly below
    ``thresholds[k]``, NaN when there is none; ``top`` the highest observed score.
    """

    thresholds: np.ndarray  # distinct positive scores, descending
    tp: np.ndarray  # positives with score >= threshold
    fp: np.ndarray  # negatives with score >= threshold
    n_pos: int
    n_neg: int
    auc: float
    below: np.ndarray
    top: float


def curve_from_sorted(sorted_scores: np.ndarray, pos_scores: np.ndarray) -> LabelCurve:
    """Exact counts for one label from all its observed scores, sorted ascending, and its positive scores.

    Requires at least one positive. The positives are among ``sorted_scores``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import curve_from_sorted
    >>> c = curve_from_sorted(np.array([0.1, 0.4, 0.4, 0.8]), np.array([0.8, 0.4]))
    >>> c.thresholds.tolist(), c.tp.tolist(), c.fp.tolist(), c.below.tolist(), c.auc
    ([0.8, 0.4], [1, 2], [0, 1], [0.4, 0.1], 0.875)
    """
    unique, pos_counts = distinct_counts(pos_scores)  # ascending
    pos_at_or_below = np.cumsum(pos_counts)
    all_below = np.searchsorted(sorted_scores, unique, side="left")  # scores < u_j
    neg_below = all_below - (pos_at_or_below - pos_counts)  # negatives < u_j
    neg_at_or_below = np.searchsorted(sorted_scores, unique, side="right") - pos_at_or_below  # negatives <= u_j
    n_pos = int(pos_at_or_below[-1])
    n_neg = int(sorted_scores.size) - n_pos
    fp_ge = n_neg - neg_below
    tp_ge = n_pos - (pos_at_or_below - pos_counts)
    below = np.full(unique.shape, np.nan, dtype=sorted_scores.dtype)
    has_below = all_below > 0
    below[has_below] = sorted_scores[all_below[has_below] - 1]
    if n_neg:
        wins = pos_counts * (neg_below + 0.5 * (neg_at_or_below - neg_below))
        auc = float(wins.sum() / (n_pos * n_neg))
    else:
        auc = float("nan")
    return LabelCurve(unique[::-1], tp_ge[::-1], fp_ge[::-1], n_pos, n_neg, auc, below[::-1],
                      float(sorted_scores[-1]))


def label_curve(pos_scores: np.ndarray, neg_scores: np.ndarray) -> LabelCurve:
    """Exact counts for one label from its positive and negative scores (requires one positive).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import label_curve
    >>> label_curve(np.array([0.8, 0.4]), np.array([0.1, 0.4])).fp.tolist()
    [0, 1]
    """
    pos = np.asarray(pos_scores)
    return curve_from_sorted(np.sort(np.concatenate((pos, np.asarray(neg_scores, dtype=pos.dtype)))), pos)


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


def at_least(threshold: float | np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The smallest values of ``dtype`` >= ``threshold``: ``x >= t`` exactly, compared in the scores' own dtype.

    Comparing a float32 array with float64 thresholds would otherwise cast the whole array.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import at_least
    >>> t = at_least(0.1, np.dtype(np.float32))
    >>> bool(t >= 0.1), bool(np.nextafter(t, np.float32(0)) < 0.1), t.dtype
    (True, True, dtype('float32'))
    """
    wanted = np.asarray(threshold, dtype=np.float64)
    with np.errstate(over="ignore"):
        value = wanted.astype(dtype)
    short = value < wanted
    return np.where(short, np.nextafter(value, dtype.type(np.inf)), value).astype(dtype)


def distinct_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)`` from one sort (ascending).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import distinct_counts
    >>> [a.tolist() for a in distinct_counts(np.array([0.5, 0.2, 0.5]))]
    [[0.2, 0.5], [1, 2]]
    """
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, ordered.size))


# --------------------------------------------------------------------------------------
# The ranking of every label of a score matrix, from one sort per column
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Ranking:
    """Every label's :class:`LabelCurve` for one score matrix and one label matrix (see :func:`rank_labels`).

    Attributes
    ----------
    curves : tuple of LabelCurve or None
        One per label; None for a label without positives.
    n_pos, n_neg : ndarray of int64
        Observed positives and negatives per label.
    at, at_tp, at_fp : ndarray
        One threshold per label counted exactly during the pass, with the true and false
        positives it gives (scores >= threshold).
    fingerprint : str
        Digest of the rows ranked (truth, mask and scores; see :func:`fingerprint`).

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import rank_labels
    >>> m = mlbalance.as_label_matrix([[1, 0], [0, 1], [1, 0]])
    >>> r = rank_labels(m, np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]]), np.full(2, 0.5))
    >>> r.curves[0].tp.tolist(), r.n_neg.tolist(), r.at_tp.tolist(), r.at_fp.tolist()
    ([1, 2], [1, 2], [2, 1], [0, 1])
    >>> [t.tolist() for t in r.counts(np.array([0.8, 0.5]))]
    [[1, 1], [0, 1]]
    """

    curves: tuple
    n_pos: np.ndarray
    n_neg: np.ndarray
    at: np.ndarray
    at_tp: np.ndarray
    at_fp: np.ndarray
    fingerprint: str

    def counts(self, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """True and false positives at each label's threshold, exactly, or None where that needs the scores again.

        A threshold is answered exactly when it is the one counted in the pass, when it lies
        in a gap of the label's curve (above the highest score below a positive score, up to
        that positive score: every threshold there predicts the same rows) or above every
        score.
        """
        tp = np.empty(len(self.curves), dtype=np.int64)
        fp = np.empty(len(self.curves), dtype=np.int64)
        for j, (t, curve) in enumerate(zip(np.asarray(thresholds, dtype=np.float64), self.curves)):
            if t == self.at[j]:
                tp[j], fp[j] = self.at_tp[j], self.at_fp[j]
                continue
            if curve is None:
                return None
            k = int(np.count_nonzero(curve.thresholds >= t)) - 1  # the lowest positive score >= t
            if k >= 0 and (np.isnan(curve.below[k]) or curve.below[k] < t):
                tp[j], fp[j] = curve.tp[k], curve.fp[k]
            elif k < 0 and t > curve.top:
                tp[j], fp[j] = 0, 0
            else:
                return None
        return tp, fp


def label_rows(m: LabelMatrix) -> sp.csr_matrix:
    """The label matrix's positives as a CSR matrix with sorted indices (what the passes and fingerprints read).

    Examples
    --------
    >>> import mlbalance
    >>> from mlbalance._ranking import label_rows
    >>> label_rows(mlbalance.as_label_matrix([[1, 0], [1, 1]])).indices.tolist()
    [0, 0, 1]
    """
    csr = m.values if m.is_sparse else scipy_sparse().csr_matrix(m.values)
    if not csr.has_sorted_indices:
        csr = csr.sorted_indices()
    return csr


def column_keys(n_columns: int) -> np.ndarray:
    """Fixed odd 64-bit keys, one per label column, that weight the scores in a fingerprint's row sums.

    Examples
    --------
    >>> from mlbalance._ranking import column_keys
    >>> bool((column_keys(3) == column_keys(5)[:3]).all()), column_keys(3).dtype
    (True, dtype('uint64'))
    """
    keys = np.random.default_rng(_FINGERPRINT_SEED).integers(0, 2**64, size=max(n_columns, 1), dtype=np.uint64,
                                                            endpoint=False)
    return (keys | np.uint64(1))[:n_columns]


def score_sums(scores: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row and per-column sums of a block's bit patterns: the fingerprint's parts.

    Row sums weight each column's bits by its key (``keys``: :func:`column_keys` of the
    block's columns), wrapping in 64 bits; column sums add the bits, wrapping in their own
    width. Any change of one score changes both its row's and its column's sum; so do values
    moved between columns of a row, and sign flips (which plain sums of bits cancel in pairs).
    Sums of blocks add up (modular addition does not depend on order), so a pass over columns
    and one over rows agree bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import column_keys, score_sums
    >>> s = np.array([[0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    >>> rows, columns = score_sums(s, column_keys(2))
    >>> columns.tolist() == score_sums(s[:, ::-1], column_keys(2))[1][::-1].tolist()
    True
    >>> bool((rows != score_sums(s[:, ::-1], column_keys(2))[0]).all())  # the values moved: rows differ
    True
    """
    unsigned = np.dtype(f"u{scores.dtype.itemsize}")
    bits = scores.view(unsigned)
    # Fold the sign bit down (to bit 34 of a 64-bit score, 28 of a 32-bit one) first: times any
    # key, a flipped top bit adds 2**63 (64-bit) and two such flips would cancel.
    shift = unsigned.type(29 if unsigned.itemsize == 8 else 3)
    rows = np.empty(bits.shape[0], dtype=np.uint64)
    columns = np.zeros(bits.shape[1], dtype=unsigned)
    step = max(1, _FINGERPRINT_CHUNK // max(bits.shape[1], 1))  # small temporaries, whatever the block
    for start in range(0, bits.shape[0], step):
        chunk = bits[start:start + step]
        folded = chunk ^ (chunk >> shift)
        rows[start:start + step] = np.dot(folded, keys)
        np.add(columns, folded.sum(axis=0, dtype=unsigned), out=columns)
    return rows, columns


def fingerprint(csr: sp.csr_matrix, missing: object, dtype: np.dtype, row_sums: np.ndarray,
                column_sums: np.ndarray) -> str:
    """A digest of the rows evaluated: the truth (positions of positives and masked entries) and the scores.

    The scores enter by their per-row and per-column bit-pattern sums (:func:`score_sums`), which
    a pass over column blocks and a pass over row blocks both compute at little cost: two score
    matrices share a fingerprint only if every row and every column sums alike bit for bit.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import column_keys, fingerprint, label_rows, score_sums
    >>> m = mlbalance.as_label_matrix([[1, 0]])
    >>> s = np.array([[0.5, 0.25]])
    >>> a = fingerprint(label_rows(m), None, s.dtype, *score_sums(s, column_keys(2)))
    >>> a == fingerprint(label_rows(m), None, s.dtype, *score_sums(s[:, ::-1].copy(), column_keys(2)))
    False
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((csr.shape, np.dtype(dtype).str)).encode())
    for part in (csr.indptr, csr.indices):
        digest.update(np.ascontiguousarray(part, dtype=np.int64).tobytes())
    if missing is not None:
        mask = missing if issparse(missing) else scipy_sparse().csr_matrix(missing)
        mask = mask.tocsr()
        mask.sort_indices()
        for part in (mask.indptr, mask.indices):
            digest.update(b"mask" + np.ascontiguousarray(part, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(row_sums).tobytes())
    digest.update(np.ascontiguousarray(column_sums).tobytes())
    return digest.hexdigest()


def rank_labels(m: LabelMatrix, scores: np.ndarray, at: np.ndarray) -> Ranking:
    """The :class:`Ranking` of every label: one in-place sort per column, blocks of columns on the thread pool.

    Each task copies a block of 32 label columns out of the (C-ordered) matrix in row tiles
    and sorts each column in place in it, so at most one block per worker thread is alive
    (memory: the scores plus one block per thread). Masked entries are left out of their
    label. ``at`` (one threshold per label) is counted exactly on the way.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import rank_labels
    >>> m = mlbalance.as_label_matrix([[1, 0], [0, 0]])
    >>> r = rank_labels(m, np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0.5, 0.5]))
    >>> r.curves[0].auc, r.curves[1], r.at_fp.tolist()
    (1.0, None, [0, 1])
    """
    csr = label_rows(m)
    csc = csr.tocsc()
    missing = None
    if m.missing is not None:
        missing = m.missing.tocsc() if issparse(m.missing) else scipy_sparse().csc_matrix(m.missing)
    n, q = scores.shape
    dtype = scores.dtype
    thresholds = np.asarray(at, dtype=np.float64)
    exact = at_least(thresholds, dtype)
    row_sums = np.zeros(n, dtype=np.uint64)
    keys = column_keys(q)
    lock = threading.Lock()

    def label(j: int, column: np.ndarray) -> tuple:
        pos = column[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]]
        if missing is not None and missing.indptr[j + 1] > missing.indptr[j]:
            keep = np.ones(n, dtype=bool)
            keep[missing.indices[missing.indptr[j]:missing.indptr[j + 1]]] = False
            column = column[keep]
        column.sort()
        t = exact[j]
        tp = int(np.count_nonzero(pos >= t))
        fp = column.size - int(np.searchsorted(column, t, side="left")) - tp
        curve = curve_from_sorted(column, pos) if pos.size else None
        return curve, pos.size, column.size - pos.size, tp, fp

    def block(start: int) -> tuple[list[tuple], np.ndarray]:
        stop = min(start + _COLUMN_BLOCK, q)
        columns = np.empty((stop - start, n), dtype=dtype)
        for row in range(0, n, _ROW_TILE):
            columns[:, row:row + _ROW_TILE] = scores[row:row + _ROW_TILE, start:stop].T
        partial_rows, column_sums = score_sums(columns.T, keys[start:stop])
        with lock:
            np.add(row_sums, partial_rows, out=row_sums)
        return [label(j, columns[j - start]) for j in range(start, stop)], column_sums

    results = thread_map(block, ((start,) for start in range(0, q, _COLUMN_BLOCK)))
    per_label = [x for labels, _ in results for x in labels]
    column_sums = np.concatenate([sums for _, sums in results]) if results else np.zeros(0, dtype=f"u{dtype.itemsize}")
    return Ranking(
        curves=tuple(x[0] for x in per_label),
        n_pos=np.array([x[1] for x in per_label], dtype=np.int64),
        n_neg=np.array([x[2] for x in per_label], dtype=np.int64),
        at=thresholds,
        at_tp=np.array([x[3] for x in per_label], dtype=np.int64),
        at_fp=np.array([x[4] for x in per_label], dtype=np.int64),
        fingerprint=fingerprint(csr, m.missing, dtype, row_sums, column_sums),
    )


# --------------------------------------------------------------------------------------
# Scores against a label matrix, and the thread pool the passes run on
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
    finite = scores.size == 0 or bool(np.isfinite(extremes(scores)).all())  # NaN propagates to min / max
    if not finite:  # only then a full-size mask, to say where
        bad = ~np.isfinite(scores)
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
    if scores.size == 0:
        return True
    low, high = extremes(scores)
    return bool(low >= 0 and high <= 1)


def extremes(scores: np.ndarray) -> tuple[float, float]:
    """``(scores.min(), scores.max())`` of a non-empty 2-D array, a block of rows at a time on the thread pool.

    NumPy's reductions run on one core; here each block's minimum and maximum are taken while
    the block is in cache. NaN propagates to both.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance._ranking import extremes
    >>> extremes(np.array([[0.5, -2.0], [3.0, 0.0]]))
    (-2.0, 3.0)
    """
    parts = thread_map(lambda block: (block.min(), block.max()),
                       ((scores[start:start + _ROW_BLOCK],) for start in range(0, scores.shape[0], _ROW_BLOCK)))
    lows, highs = np.array([p[0] for p in parts]), np.array([p[1] for p in parts])
    return float(lows.min()), float(highs.max())


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


def map_row_blocks(m: LabelMatrix, scores: np.ndarray, fn: Callable[[sp.csr_matrix, np.ndarray, np.ndarray | None], T],
                   *, csr: sp.csr_matrix | None = None) -> list[T]:
    """``[fn(truth_block, scores_block, missing_block) ...]`` over blocks of rows, by :func:`thread_map`.

    ``truth_block`` is CSR (blocks of ``csr``, default :func:`label_rows` of ``m``);
    ``missing_block`` a dense bool array, or None without a mask.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> from mlbalance._ranking import map_row_blocks
    >>> m = mlbalance.as_label_matrix([[1, 0], [1, 1]])
    >>> map_row_blocks(m, np.zeros((2, 2)), lambda truth, s, missing: (truth.nnz, s.shape, missing))
    [(3, (2, 2), None)]
    """
    csr = label_rows(m) if csr is None else csr

    def blocks() -> Iterator[tuple]:
        for start in range(0, m.n_samples, _ROW_BLOCK):
            stop = min(start + _ROW_BLOCK, m.n_samples)
            missing = None
            if m.missing is not None:
                missing = m.missing[start:stop]
                missing = missing.toarray() if issparse(missing) else missing
            yield csr[start:stop], scores[start:stop], missing

    return thread_map(fn, blocks())
