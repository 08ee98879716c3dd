"""What Keras really does with ``fit(class_weight=...)`` on a multi-hot target.

Keras 3 (``class_weight_to_sample_weights``) turns ``class_weight`` into one weight per
*row*: the weight of ``argmax(y[row])``, i.e. the row's first positive label, or label 0
for a row with none; one scalar then scales all of the row's label terms.
:func:`keras_class_weight_effect` reproduces that conversion with NumPy (it never imports
Keras) and measures, per label, the weight its positive and negative rows really receive.
This module diagnoses Keras; the weights mlbalance computes are in :mod:`mlbalance.weights`.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._json import finite_or_none
from ._tables import number, table
from ._validation import check_number
from .labels import LabelMatrix, as_label_matrix

__all__ = ["ClassWeightEffect", "keras_class_weight_effect"]


@dataclass(frozen=True)
class ClassWeightEffect:
    """What Keras applies when ``class_weight`` is given with a multi-hot ``y``.

    Keras (``class_weight_to_sample_weights``) gives each row the weight of
    ``argmax(y[row])``: its *first* positive label, or label 0 for a row with none.
    One scalar then scales all of the row's label terms.

    Attributes
    ----------
    row_weights : ndarray, shape (n_samples,)
        The sample weight Keras uses for each row.
    intended : ndarray, shape (n_labels,)
        ``class_weight[l]`` (1.0 where the dict has no entry, as in Keras).
    positive_mean, negative_mean : ndarray, shape (n_labels,)
        Mean row weight over the label's positive rows and over its negative rows
        (nan where there are none).
    positives_weighted_as_intended : ndarray of int, shape (n_labels,)
        How many of the label's positive rows received ``class_weight[l]`` because
        the label was the row's first positive one.
    positives : ndarray of int, shape (n_labels,)
    label_names : tuple of str

    Examples
    --------
    >>> import mlbalance
    >>> e = mlbalance.keras_class_weight_effect([[0, 1, 1], [0, 0, 0], [1, 0, 1], [0, 0, 1]],
    ...                                         {0: 1, 1: 10, 2: 100})
    >>> e.row_weights.tolist()
    [10.0, 1.0, 1.0, 100.0]
    >>> e.positives_weighted_as_intended.tolist(), e.positives.tolist()
    ([1, 1, 1], [1, 1, 3])
    """

    row_weights: np.ndarray
    intended: np.ndarray
    positive_mean: np.ndarray
    negative_mean: np.ndarray
    positives_weighted_as_intended: np.ndarray
    positives: np.ndarray
    label_names: tuple[str, ...]

    @property
    def effective_ratio(self) -> np.ndarray:
        """``positive_mean / negative_mean``: the positive-vs-negative weighting a label really gets."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.positive_mean / self.negative_mean

    def to_dict(self) -> dict[str, Any]:
        """Per-label figures as plain Python types (nan becomes None).

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.keras_class_weight_effect([[1, 1], [0, 1]], {0: 1, 1: 5}).to_dict()["labels"][1]
        {'index': 1, 'name': '1', 'positives': 2, 'intended_weight': 5.0, 'positive_rows_weighted_as_intended': 1,
         'mean_weight_positive_rows': 3.0, 'mean_weight_negative_rows': None, 'effective_ratio': None}
        """

        ratio = self.effective_ratio
        labels = [
            {
                "index": j,
                "name": self.label_names[j],
                "positives": int(self.positives[j]),
                "intended_weight": finite_or_none(self.intended[j]),
                "positive_rows_weighted_as_intended": int(self.positives_weighted_as_intended[j]),
                "mean_weight_positive_rows": finite_or_none(self.positive_mean[j]),
                "mean_weight_negative_rows": finite_or_none(self.negative_mean[j]),
                "effective_ratio": finite_or_none(ratio[j]),
            }
            for j in range(len(self.label_names))
        ]
        return {"rows": int(self.row_weights.size), "labels": labels}

    def to_text(self) -> str:
        """A readable table, one line per label (``-`` where a figure is undefined).

        Examples
        --------
        >>> import mlbalance
        >>> print(mlbalance.keras_class_weight_effect([[1, 1], [0, 1]], {0: 1, 1: 5}).to_text())
        label  positives  intended  as intended  mean w (pos rows)  mean w (neg rows)  pos/neg
            0          1      1.00          1/1               1.00               5.00     0.20
            1          2      5.00          1/2               3.00                  -        -
        """

        def fmt(x: float) -> str:
            return number(x, ".2f", undefined="-")

        ratio = self.effective_ratio
        rows = [[name, int(self.positives[j]), fmt(self.intended[j]),
                 f"{self.positives_weighted_as_intended[j]}/{self.positives[j]}",
                 fmt(self.positive_mean[j]), fmt(self.negative_mean[j]), fmt(ratio[j])]
                for j, name in enumerate(self.label_names)]
        headers = ["label", "positives", "intended", "as intended", "mean w (pos rows)", "mean w (neg rows)",
                   "pos/neg"]
        return "\n".join(table(headers, rows))

    def __str__(self) -> str:
        return self.to_text()


def keras_class_weight_effect(y: Any, class_weight: Mapping[Any, float], *,
                              label_names: Sequence[str] | None = None) -> ClassWeightEffect:
    """Show what Keras really applies when ``fit(class_weight=...)`` gets a multi-hot ``y``.

    Reproduces Keras 3's conversion (``argmax`` of each row, ``class_weight.get(k, 1.0)``)
    and measures, per label, the weight its positive and negative rows receive.

    Parameters
    ----------
    y : label input
        The multi-hot training target (dense, sparse, DataFrame or label lists).
    class_weight : dict
        ``{label_index: weight}`` as passed to ``model.fit``.
    label_names : sequence of str, optional

    Returns
    -------
    ClassWeightEffect

    Examples
    --------
    >>> import mlbalance
    >>> e = mlbalance.keras_class_weight_effect([[1, 1], [0, 1], [0, 0]], {0: 1.0, 1: 9.0})
    >>> e.row_weights.tolist()
    [1.0, 9.0, 1.0]
    >>> e.effective_ratio.tolist()  # label 0's positives get 1/5 of its negatives' weight
    [0.2, 5.0]
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"Expected class_weight to be a dict {{label_index: weight}}. Received: {type(class_weight).__name__}")
    for key, value in class_weight.items():
        check_number(f"class_weight[{key!r}]", value)
    m = as_label_matrix(y, label_names=label_names)
    q = m.n_labels
    unused = [key for key in class_weight
              if not isinstance(key, numbers.Integral) or not 0 <= key < q]
    if unused:
        warnings.warn(
            f"keras_class_weight_effect: Keras looks class_weight up by the label index argmax(y[row]) in 0..{q - 1}, "
            f"so these keys are never used: {unused[:20]!r}. Key class_weight by label index.",
            UserWarning,
            stacklevel=2,
        )
    intended = np.ones(q, dtype=np.float64)
    for key, value in class_weight.items():
        if isinstance(key, (int, np.integer)) and 0 <= key < q:
            intended[int(key)] = float(value)
    first = _first_positive(m)
    lookup = np.vectorize(lambda k: float(class_weight.get(int(k), 1.0)), otypes=[np.float64])
    row_weights = lookup(first) if first.size else np.zeros(0)
    counts = m.counts()
    pos_total = np.asarray(m.values.T @ row_weights).reshape(-1) if m.is_sparse else row_weights @ m.values
    with np.errstate(divide="ignore", invalid="ignore"):
        positive_mean = np.where(counts.positives > 0, pos_total / counts.positives, np.nan)
        negative_mean = np.where(counts.negatives > 0, (row_weights.sum() - pos_total) / counts.negatives, np.nan)
    as_intended = np.bincount(first[m.row_label_counts() > 0], minlength=q)
    return ClassWeightEffect(row_weights, intended, positive_mean, negative_mean, as_intended.astype(np.int64),
                             counts.positives, m.label_names)


def _first_positive(m: LabelMatrix) -> np.ndarray:
    """``argmax`` of each row of a 0/1 matrix (0 for all-zero rows), as Keras computes it."""
    if m.n_labels == 1:
        values = m.values.toarray() if m.is_sparse else m.values
        return values[:, 0].astype(np.int64)
    if m.is_sparse:
        csr = m.values.copy()
        csr.sort_indices()
        first = np.zeros(m.n_samples, dtype=np.int64)
        nonempty = np.diff(csr.indptr) > 0
        first[nonempty] = csr.indices[csr.indptr[:-1][nonempty]]
        return first
    return np.argmax(m.values, axis=1).astype(np.int64)
