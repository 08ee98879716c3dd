"""Label statistics and multi-label imbalance measures (Charte et al., 2015).

Definitions, per label l with P(l) positives among observed entries:

* ``IRLbl(l) = max_l' P(l') / P(l)`` (``inf`` when P(l) = 0);
* ``MeanIR`` and ``MaxIR``: mean and maximum of IRLbl over labels with P(l) > 0;
* ``CVIR``: standard deviation of IRLbl (``ddof=1``) divided by MeanIR;
* ``SCUMBLE``: mean over all rows of ``1 - gmean(IRLbl of the row's labels) / mean(...)``
  (0 for rows with fewer than two labels' worth of disparity, and for label-less rows);
  the per-label SCUMBLE is its mean over the rows that hold the label.

Labels with no positives have no finite IRLbl; they are excluded from MeanIR, MaxIR
and CVIR and listed in ``zero_positive_labels``. A measure that is undefined (IRLbl of a
label with no positives; MeanIR, MaxIR and CVIR when no label has a positive; the
prevalence of a label with no observed entry) is ``inf`` or ``nan`` in the attributes,
``None`` in ``to_dict()`` / JSON and ``undefined`` in text: no output holds NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._json import dumps, finite_or_none
from ._sparse import issparse
from ._tables import number, table
from ._text import terminal_text
from ._validation import check_int
from .labels import as_label_matrix

__all__ = ["ImbalanceSummary", "imbalance_summary"]

_ROW_CHUNK = 65536


@dataclass(frozen=True)
class ImbalanceSummary:
    """Per-label counts and the imbalance measures of a multi-label target.

    Build it with :func:`imbalance_summary`. ``to_dict()`` gives every number;
    ``str(summary)`` gives a readable table.

    Examples
    --------
    >>> import mlbalance
    >>> s = mlbalance.imbalance_summary([[1, 0, 0], [1, 1, 0], [1, 0, 0]])
    >>> s.irlbl.tolist()
    [1.0, 3.0, inf]
    >>> s.zero_positive_labels
    (2,)
    """

    label_names: tuple
    positives: np.ndarray
    negatives: np.ndarray
    prevalence: np.ndarray
    irlbl: np.ndarray
    label_scumble: np.ndarray
    n_samples: int
    n_observed_entries: int
    n_rows_without_labels: int
    cardinality: float
    density: float
    mean_ir: float
    max_ir: float
    cvir: float
    scumble: float
    min_positives: int

    @property
    def n_labels(self) -> int:
        """Number of labels."""
        return len(self.label_names)

    @property
    def zero_positive_labels(self) -> tuple:
        """Indices of labels with no positive entry."""
        return tuple(int(i) for i in np.flatnonzero(self.positives == 0))

    @property
    def rare_labels(self) -> tuple:
        """Indices of labels with at least one but fewer than ``min_positives`` positives."""
        return tuple(int(i) for i in np.flatnonzero((self.positives > 0) & (self.positives < self.min_positives)))

    def to_dict(self) -> dict:
        """Every number as plain Python types; undefined ones (``inf``, ``nan``) become ``None``.

        Examples
        --------
        >>> import mlbalance
        >>> d = mlbalance.imbalance_summary([[1, 0], [1, 1]], label_names=["a", "b"]).to_dict()
        >>> d["overall"]["mean_ir"], d["labels"][1]
        (1.5, {'index': 1, 'name': 'b', 'positives': 1, 'negatives': 1, 'prevalence': 0.5, 'irlbl': 2.0, 'scumble': 0.057191})
        """

        labels = [
            {
                "index": j,
                "name": self.label_names[j],
                "positives": int(self.positives[j]),
                "negatives": int(self.negatives[j]),
                "prevalence": finite_or_none(self.prevalence[j]),
                "irlbl": finite_or_none(self.irlbl[j]),
                "scumble": finite_or_none(self.label_scumble[j]),
            }
            for j in range(self.n_labels)
        ]
        overall = {
            "samples": self.n_samples,
            "labels": self.n_labels,
            "observed_entries": self.n_observed_entries,
            "rows_without_labels": self.n_rows_without_labels,
            "cardinality": finite_or_none(self.cardinality),
            "density": finite_or_none(self.density),
            "mean_ir": finite_or_none(self.mean_ir),
            "max_ir": finite_or_none(self.max_ir),
            "cvir": finite_or_none(self.cvir),
            "scumble": finite_or_none(self.scumble),
            "zero_positive_labels": [self.label_names[j] for j in self.zero_positive_labels],
            "min_positives": self.min_positives,
            "rare_labels": [self.label_names[j] for j in self.rare_labels],
        }
        return {"overall": overall, "labels": labels}

    def to_json(self, **kwargs: object) -> str:
        """``to_dict()`` as a JSON string (keyword arguments go to :func:`json.dumps`; never NaN).

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.imbalance_summary([[1, 0], [1, 1]]).to_json()[:30]
        '{"overall": {"samples": 2, "la'
        """
        return dumps(self.to_dict(), **kwargs)

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        """A readable table: one line per label, then the overall measures.

        Undefined measures read ``undefined``; names are shown without control characters.

        Examples
        --------
        >>> import mlbalance
        >>> print(mlbalance.imbalance_summary([[1, 0], [1, 1], [1, 0]], min_positives=2).to_text())
        label  name  positives  negatives  prevalence  IRLbl  note
            0     0          3          0      1.0000   1.00
            1     1          1          2      0.3333   3.00  rare (<2)
        <BLANKLINE>
        samples 3, labels 2, rows without labels 0
        cardinality 1.3333, density 0.6667
        MeanIR 2.000, MaxIR 3.000, CVIR 0.7071, SCUMBLE 0.0447
        labels with 0 positives: none
        labels with fewer than 2 positives: 1: 1
        """
        rare = set(self.rare_labels)
        rows = [[j, name, self.positives[j], self.negatives[j], number(self.prevalence[j], ".4f"),
                 number(self.irlbl[j], ".2f"),
                 "no positives" if self.positives[j] == 0 else (f"rare (<{self.min_positives})" if j in rare else "")]
                for j, name in enumerate(self.label_names)]
        names = [terminal_text(n) for n in self.label_names]
        zero, few = self.zero_positive_labels, self.rare_labels
        lines = [
            *table(["label", "name", "positives", "negatives", "prevalence", "IRLbl", "note"], rows, align=">>>>>><"),
            "",
            f"samples {self.n_samples}, labels {self.n_labels}, rows without labels {self.n_rows_without_labels}",
            f"cardinality {number(self.cardinality)}, density {number(self.density)}",
            f"MeanIR {number(self.mean_ir, '.3f')}, MaxIR {number(self.max_ir, '.3f')}, "
            f"CVIR {number(self.cvir)}, SCUMBLE {number(self.scumble)}",
            f"labels with 0 positives: {len(zero)}: {_names(zero, names)}" if zero else "labels with 0 positives: none",
            f"labels with fewer than {self.min_positives} positives: {len(few)}"
            + (": " + _names(few, names) if few and len(few) <= 30 else ""),
        ]
        return "\n".join(lines)




def _names(indices: Sequence[int], names: Sequence[str]) -> str:
    return ", ".join(names[j] for j in indices)


def imbalance_summary(y: object, label_names: Sequence[str] | None = None, *, mask_value: float | None = None,
                      min_positives: int = 10, classes: Sequence[str] | None = None, sep: str = "|") -> ImbalanceSummary:
    """Measure how imbalanced a multi-label target is, label by label.

    Parameters
    ----------
    y : label input
        Anything :func:`mlbalance.as_label_matrix` accepts (dense, sparse, DataFrame,
        label lists). Sparse input is never densified.
    label_names : sequence of str, optional
        One name per label.
    mask_value : float, optional
        Marks unobserved entries; counts and prevalence use observed entries only.
    min_positives : int, default 10
        Labels with at least one but fewer than this many positives are listed as rare.
    classes, sep
        As in :func:`mlbalance.as_label_matrix`.

    Returns
    -------
    ImbalanceSummary

    Examples
    --------
    >>> import mlbalance
    >>> s = mlbalance.imbalance_summary([["a", "b"], ["a"], ["a"], ["c"]])
    >>> round(s.mean_ir, 3), s.max_ir, round(s.cardinality, 2)
    (2.333, 3.0, 1.25)
    """
    check_int("min_positives", min_positives, low=1)
    m = as_label_matrix(y, label_names=label_names, mask_value=mask_value, classes=classes, sep=sep)
    counts = m.counts()
    pos = counts.positives
    observed = counts.observed
    with np.errstate(divide="ignore", invalid="ignore"):
        prevalence = np.where(observed > 0, pos / np.maximum(observed, 1), np.nan)
        irlbl = np.where(pos > 0, pos.max() / np.maximum(pos, 1), np.inf)
    finite = irlbl[np.isfinite(irlbl)]
    mean_ir = float(finite.mean()) if finite.size else float("nan")
    max_ir = float(finite.max()) if finite.size else float("nan")
    cvir = float(finite.std(ddof=1) / mean_ir) if finite.size > 1 else (0.0 if finite.size else float("nan"))
    row_scumble = _row_scumble(m, irlbl)
    label_scumble = _label_means(m, row_scumble, pos)
    row_counts = m.row_label_counts()
    n_observed = int(observed.sum())
    cardinality = float(row_counts.mean())
    return ImbalanceSummary(
        label_names=m.label_names,
        positives=pos,
        negatives=counts.negatives,
        prevalence=prevalence,
        irlbl=irlbl,
        label_scumble=label_scumble,
        n_samples=m.n_samples,
        n_observed_entries=n_observed,
        n_rows_without_labels=int(np.count_nonzero(row_counts == 0)),
        cardinality=cardinality,
        density=cardinality / m.n_labels,
        mean_ir=mean_ir,
        max_ir=max_ir,
        cvir=cvir,
        scumble=float(row_scumble.mean()),
        min_positives=int(min_positives),
    )


def _matvec(values, vector) -> np.ndarray:
    """``values @ vector`` in float64, in row chunks for dense input (no full float copy)."""
    if issparse(values):
        return np.asarray(values @ vector, dtype=np.float64)
    out = np.empty(values.shape[0], dtype=np.float64)
    for start in range(0, values.shape[0], _ROW_CHUNK):
        out[start:start + _ROW_CHUNK] = values[start:start + _ROW_CHUNK].astype(np.float64) @ vector
    return out


def _row_scumble(m, irlbl) -> np.ndarray:
    finite_irl = np.where(np.isfinite(irlbl), irlbl, 0.0)
    log_irl = np.log(np.where(finite_irl > 0, finite_irl, 1.0))
    k = m.row_label_counts().astype(np.float64)
    safe_k = np.maximum(k, 1.0)
    geometric = np.exp(_matvec(m.values, log_irl) / safe_k)
    arithmetic = _matvec(m.values, finite_irl) / safe_k
    with np.errstate(divide="ignore", invalid="ignore"):
        row = np.where(k > 0, 1.0 - geometric / np.where(arithmetic > 0, arithmetic, 1.0), 0.0)
    return np.clip(row, 0.0, 1.0)


def _label_means(m, row_values, positives) -> np.ndarray:
    """Mean of a per-row quantity over the rows holding each label (nan for no rows)."""
    totals = np.asarray(m.values.T @ row_values, dtype=np.float64).reshape(-1) if m.is_sparse else _column_dot(m.values, row_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positives > 0, totals / np.maximum(positives, 1), np.nan)


def _column_dot(values, row_values) -> np.ndarray:
    total = np.zeros(values.shape[1], dtype=np.float64)
    for start in range(0, values.shape[0], _ROW_CHUNK):
        total += row_values[start:start + _ROW_CHUNK] @ values[start:start + _ROW_CHUNK].astype(np.float64)
    return total
