"""Multi-label oversampling: repeat-factor sampling (LVIS) and ML-ROS (Charte et al., 2015).

Single-label oversampling does not carry over: one row holds several labels, so repeating
it raises every one of them. Both methods here decide per row, from its labels:

* **repeat-factor sampling** (Gupta et al., LVIS, CVPR 2019): each label gets
  ``r(l) = max(1, sqrt(t / f(l)))`` with ``f(l)`` its prevalence and ``t`` a threshold;
  a row is repeated ``r(row) = max over its labels`` times (1 for label-less rows), with
  stochastic rounding each epoch (``floor(r)`` plus one more with probability ``r - floor(r)``);
* **ML-ROS** (Charte et al., 2015): clone random rows holding a minority label (IRLbl above the
  initial MeanIR), label by label in turn, up to ``percentage`` percent of the rows; a label
  leaves the minority set once its IRLbl falls to that MeanIR, so the clones stop early when
  no minority label is left.

Repeating a rare row also repeats the frequent labels it carries, so SCUMBLE (concurrence of
rare and frequent labels) usually rises while MeanIR falls; ``mlbalance resample`` shows both.

Every original row appears at least once in an epoch. This module does not import Keras;
the Keras-side feeders built on it (:class:`mlbalance.keras_sampling.RebalancedSequence`,
:func:`mlbalance.keras_sampling.tf_dataset`) load lazily, as ``mlbalance.RebalancedSequence``
and ``mlbalance.tf_dataset``.
"""

from __future__ import annotations

import warnings

import numpy as np
from typing import Any

from ._validation import check_bool, check_choice, check_number, check_random_state
from .labels import LabelMatrix, as_label_matrix

__all__ = ["repeat_factors", "resample_indices"]


def repeat_factors(y: Any, threshold: float = 0.1, *, mask_value: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Repeat factor of every row: the largest ``max(1, sqrt(threshold / prevalence))`` of its labels.

    Parameters
    ----------
    y : label input
    threshold : float in (0, 1], default 0.1
        Labels rarer than this fraction of rows get repeated (LVIS used 0.001 on 1,230 classes).
    mask_value : float, optional

    Returns
    -------
    row_factors : ndarray, shape (n_samples,)
    label_factors : ndarray, shape (n_labels,)
        1 for labels with no positives.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [1, 0], [1, 0], [1, 1]])  # label 1 in 1 of 4 rows
    >>> rows, labels = mlbalance.repeat_factors(y, threshold=1.0)
    >>> labels.tolist(), rows.tolist()
    ([1.0, 2.0], [1.0, 1.0, 1.0, 2.0])
    """
    check_number("threshold", threshold, low=0, high=1, low_open=True)
    m = as_label_matrix(y, mask_value=mask_value)
    counts = m.counts()
    with np.errstate(divide="ignore", invalid="ignore"):
        prevalence = counts.positives / np.maximum(counts.observed, 1)
        label_factors = np.where(counts.positives > 0, np.maximum(1.0, np.sqrt(threshold / prevalence)), 1.0)
    values = m.values.tocsr() if m.is_sparse else None
    if values is None:
        row_factors = np.where(m.values.astype(bool), label_factors, 1.0).max(axis=1)
    else:
        row_factors = np.ones(m.n_samples)
        rows = np.repeat(np.arange(m.n_samples), np.diff(values.indptr))
        np.maximum.at(row_factors, rows, label_factors[values.indices])
    return row_factors, label_factors


def _ml_ros(m: LabelMatrix, percentage: float, rng: np.random.RandomState) -> np.ndarray:
    y = (m.values.toarray() if m.is_sparse else m.values).astype(bool)
    n = m.n_samples
    counts = y.sum(axis=0).astype(np.float64)
    present = counts > 0
    n_clones = int(round(n * percentage / 100.0))
    clones = []
    if not present.any():
        warnings.warn("resample_indices(method='ml_ros'): no label has a positive, so there is no minority label "
                      "to oversample; the rows are returned once each.", UserWarning, stacklevel=3)
        return np.arange(n)

    initial = counts[present].max() / counts[present]
    mean_ir = initial.mean()
    minority = [int(j) for j in np.flatnonzero(present)[initial > mean_ir]]
    bags = {j: np.flatnonzero(y[:, j]) for j in minority}
    while len(clones) < n_clones and minority:
        for j in list(minority):
            if len(clones) >= n_clones:
                break
            row = int(rng.choice(bags[j]))
            clones.append(row)
            counts += y[row]
            if counts[present].max() / counts[j] <= mean_ir:
                minority.remove(j)
    return np.concatenate([np.arange(n), np.asarray(clones, dtype=np.int64)])


def resample_indices(y: Any, method: str = "repeat_factor", random_state: Any = None, *, threshold: float = 0.1,
                     percentage: float = 25.0, mask_value: float | None = None, shuffle: bool = True) -> np.ndarray:
    """Row indices for one epoch of multi-label oversampling; every row appears at least once.

    Parameters
    ----------
    y : label input
    method : {"repeat_factor", "ml_ros"}, default "repeat_factor"
    random_state : int, RandomState or None
        Call again with a new state (or a RandomState that advances) for the next epoch.
    threshold : float, default 0.1
        For ``"repeat_factor"`` (see :func:`repeat_factors`).
    percentage : float > 0, default 25
        For ``"ml_ros"``: clones to add, as a percentage of the rows (Charte et al. use 10-25).
    mask_value : float, optional
    shuffle : bool, default True
        Shuffle the returned indices (else sorted).

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0]] * 9 + [[0, 1]])
    >>> idx = mlbalance.resample_indices(y, threshold=1.0, random_state=0, shuffle=False)
    >>> idx.tolist()  # row 9 (label 1 in 1/10 rows) has factor sqrt(10) = 3.16: repeated 3 or 4 times
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]
    """
    check_choice("method", method, ("repeat_factor", "ml_ros"))
    check_bool("shuffle", shuffle)
    if method == "ml_ros":
        check_number("percentage", percentage, low=0, low_open=True)
    rng = check_random_state("random_state", random_state)
    m = as_label_matrix(y, mask_value=mask_value)
    if method == "repeat_factor":
        factors, _ = repeat_factors(m, threshold)
        whole = np.floor(factors).astype(np.int64)
        repeats = whole + (rng.random(factors.size) < factors - whole)
        indices = np.repeat(np.arange(m.n_samples), repeats)
    else:
        indices = _ml_ros(m, percentage, rng)
    return rng.permutation(indices) if shuffle else np.sort(indices)
