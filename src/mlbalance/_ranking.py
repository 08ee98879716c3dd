"""Exact per-label ranking statistics without sorting every score.

For one label with positive scores ``pos`` and negative scores ``neg``, every quantity the
report and the threshold tuner need follows from the *distinct positive scores* ``u``
(sorted) and one ``searchsorted`` of the negatives into ``u``:

* at each candidate threshold ``u_j`` (predict positive when score >= u_j): true positives
  ``#pos >= u_j`` and false positives ``#neg >= u_j``, hence F1 at every threshold that can
  be optimal (lowering a threshold past negatives alone only adds false positives);
* average precision as scikit-learn defines it (a step sum over distinct thresholds;
  thresholds met only by negatives add no recall, so they add nothing);
* ROC-AUC as the Mann-Whitney statistic, ties counted one half (as scikit-learn).

Cost per label: a sort of the positives plus O(n_neg log n_pos), instead of a sort of all n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LabelCurve:
    """Counts at each distinct positive score ``thresholds`` (descending)."""

    thresholds: np.ndarray  # distinct positive scores, descending
    tp: np.ndarray  # positives with score >= threshold
    fp: np.ndarray  # negatives with score >= threshold
    n_pos: int
    n_neg: int
    auc: float


def label_curve(pos_scores, neg_scores) -> LabelCurve:
    """Exact counts for one label (requires at least one positive)."""
    pos_scores = np.asarray(pos_scores, dtype=np.float64)
    neg_scores = np.asarray(neg_scores, dtype=np.float64)
    unique, pos_counts = np.unique(pos_scores, return_counts=True)  # ascending
    # For each negative, how many distinct positive scores are <= it (right) / < it (left).
    right = np.searchsorted(unique, neg_scores, side="right")
    # fp at u_j = negatives with score >= u_j = negatives whose `right` index exceeds j.
    neg_hist = np.bincount(right, minlength=unique.size + 1)
    fp_ge = np.cumsum(neg_hist[::-1])[::-1][1:]  # index j -> negatives with right > j
    tp_ge = np.cumsum(pos_counts[::-1])[::-1]
    n_pos, n_neg = int(pos_scores.size), int(neg_scores.size)
    if n_neg:
        left = np.searchsorted(unique, neg_scores, side="left")
        cum_pos = np.concatenate(([0], np.cumsum(pos_counts)))  # positives below index
        pos_below_right = cum_pos[right]
        pos_below_left = cum_pos[left]
        greater = n_pos - pos_below_right
        ties = pos_below_right - pos_below_left
        auc = float((greater.sum() + 0.5 * ties.sum()) / (n_pos * n_neg))
    else:
        auc = float("nan")
    return LabelCurve(unique[::-1], tp_ge[::-1], fp_ge[::-1], n_pos, n_neg, auc)


def average_precision(curve: LabelCurve) -> float:
    """scikit-learn's ``average_precision_score`` from a :class:`LabelCurve`."""
    recall = curve.tp / curve.n_pos
    precision = curve.tp / (curve.tp + curve.fp)
    previous = np.concatenate(([0.0], recall[:-1]))
    return float(np.sum((recall - previous) * precision))


def best_fbeta(curve: LabelCurve, beta=1.0):
    """Index and value of the F-beta-maximising threshold (ties: the higher threshold)."""
    b2 = beta * beta
    fbeta = (1 + b2) * curve.tp / ((1 + b2) * curve.tp + b2 * (curve.n_pos - curve.tp) + curve.fp)
    j = int(np.argmax(fbeta))
    return j, float(fbeta[j])
