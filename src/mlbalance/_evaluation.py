"""The evaluation report's figures: per-label results and aggregates, no text.

:func:`evaluate` computes every figure of :func:`mlbalance.evaluation_report` (each checked
against scikit-learn in the tests) into an :class:`Evaluation`, and :func:`compare` the
per-label differences of several runs. This module imports no rendering code: the text,
Markdown and HTML of a report are made from these figures by ``mlbalance._rendering``.

Conventions: a label's precision is undefined (``None``) when it is never predicted, recall
when it has no positives, F1 when it has neither positives nor predictions. Macro averages
are over labels **with support** (positives). Samples-F1 counts a row with no true and no
predicted label as 1; rows with no observed entry (all masked) are left out of samples-F1
and subset accuracy. Every figure is a finite number or ``None``, never NaN.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._json import finite_or_none
from ._ranking import LabelCurve, average_precision, check_scores, label_curve, map_label_columns, map_row_blocks
from ._validation import check_int
from .labels import LabelMatrix, as_label_matrix, default_label_names
from .thresholds import TunedThresholds, check_thresholds, tune_thresholds

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Evaluation", "compare", "evaluate", "never_predicted"]




def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass(eq=False, repr=False)
class Evaluation:
    """The figures of one evaluation: per-label entries, aggregates, rarest labels, PR curves.

    Attributes
    ----------
    name : str
    labels : list of dict
        One entry per label (``index``, ``name``, ``support``, ``precision``, ``recall``,
        ``f1``, ``average_precision``, ``roc_auc``, ``threshold``, counts ...).
    overall : dict
        The aggregates (micro/macro/weighted/samples F1, Hamming loss, LRAP, ...).
    rare : list of int
        Indices of the labels with the fewest test positives (at least one).
    curves : list of (name, recalls, precisions)
        Precision-recall curves of the rarest labels, for the HTML plot.
    settings : dict
        Rows, labels, how the thresholds were chosen, whether training support and a mask
        were given.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> e = evaluate([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.3, 0.7], [0.6, 0.4]])
    >>> e.overall["macro_f1"], e.labels[1]["recall"], e.rare
    (0.833333, 0.5, [0, 1])
    """

    name: str
    labels: list[dict]
    overall: dict
    rare: list[int]
    curves: list[tuple[str, list[float], list[float]]]
    settings: dict

    def to_dict(self) -> dict:
        """Everything as plain Python types (the source of every other format).

        Examples
        --------
        >>> import numpy as np, mlbalance
        >>> sorted(mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_dict())
        ['labels', 'name', 'overall', 'rare_labels', 'settings']
        """
        return {"name": self.name, "settings": self.settings, "overall": self.overall, "labels": self.labels,
                "rare_labels": [self.labels[j]["name"] for j in self.rare]}


def never_predicted(labels: Sequence[dict]) -> list[dict]:
    """The label entries with test positives that the model never predicts.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate, never_predicted
    >>> [x["name"] for x in never_predicted(evaluate([[1, 1], [0, 1]], [[0.9, 0.1], [0.1, 0.2]]).labels)]
    ['1']
    """
    return [x for x in labels if x["support"] > 0 and x["predicted_positives"] == 0]


# --------------------------------------------------------------------------------------
# One evaluation
# --------------------------------------------------------------------------------------
def evaluate(y_true: object, y_score: object, thresholds: object = 0.5, label_names: Sequence[str] | None = None,
             y_train: object = None, *, name: str = "model", mask_value: float | None = None, n_rare: int = 10,
             n_curves: int = 6) -> Evaluation:
    """The figures of :func:`mlbalance.evaluation_report` (same arguments), checked inputs first.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> evaluate([[1], [0]], [[0.9], [0.1]], "tune").settings["thresholds"]
    'tuned on these rows (optimistic)'
    """
    if not isinstance(name, str):
        raise ValueError(f"Expected name to be a string. Received: name={name!r}")
    check_int("n_rare", n_rare, low=0)
    check_int("n_curves", n_curves, low=0)
    m = as_label_matrix(y_true, label_names=label_names, mask_value=mask_value)
    scores = check_scores(y_score, m.n_samples, m.n_labels)
    t, how = _resolve_thresholds(thresholds, m, scores)
    train_support = None
    if y_train is not None:
        train = as_label_matrix(y_train, mask_value=mask_value)
        if train.n_labels != m.n_labels:
            raise ValueError(f"y_train has {train.n_labels} labels but y_true has {m.n_labels}.")
        train_support = train.counts().positives
    labels, curves = _per_label(m, scores, t, train_support, n_curves)
    overall = _aggregates(m, scores, t, labels)
    with_support = [j for j, x in enumerate(labels) if x["support"] > 0]
    rare = sorted(with_support, key=lambda j: (labels[j]["support"], j))[:n_rare]
    settings = {"rows": m.n_samples, "labels": m.n_labels, "thresholds": how,
                "train_support": train_support is not None, "masked": m.missing is not None}
    return Evaluation(name, labels, overall, rare, curves, settings)


def _resolve_thresholds(thresholds: object, m: LabelMatrix, scores: np.ndarray) -> tuple[np.ndarray, str]:
    if isinstance(thresholds, str):
        if thresholds != "tune":
            raise ValueError(f"Expected thresholds to be a number, one per label, or 'tune'. Received: {thresholds!r}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tuned = tune_thresholds(m, scores)
        return tuned.thresholds, "tuned on these rows (optimistic)"
    if isinstance(thresholds, TunedThresholds):
        _check_tuned_labels(thresholds, m)
        arr = check_thresholds(thresholds.thresholds, m.n_labels, scores, label_names=m.label_names)
        return arr, ("tuned on these rows (optimistic)" if thresholds.was_tuned_on(m, scores) else "tuned per label")
    arr = check_thresholds(thresholds, m.n_labels, scores, label_names=m.label_names)
    return arr, (f"{float(arr[0]):g}" if np.ndim(thresholds) == 0 else "per label")


def _check_tuned_labels(tuned: TunedThresholds, m: LabelMatrix) -> None:
    """TunedThresholds must be for these labels: same count and, where both are named, the same names."""
    if len(tuned) != m.n_labels:
        raise ValueError(f"thresholds is a TunedThresholds for {len(tuned)} label(s), but y_true has {m.n_labels}. "
                         "Tune the thresholds on scores with the same label columns, in the same order.")
    defaults = default_label_names(m.n_labels)
    if tuned.label_names != defaults and m.label_names != defaults and tuned.label_names != m.label_names:
        j = next(j for j, (a, b) in enumerate(zip(tuned.label_names, m.label_names)) if a != b)
        raise ValueError(f"thresholds were tuned for other labels: column {j} is {tuned.label_names[j]!r} in the "
                         f"TunedThresholds but {m.label_names[j]!r} in y_true. Use thresholds tuned on these labels, "
                         "in this column order.")


def _per_label(m: LabelMatrix, scores: np.ndarray, thresholds: np.ndarray, train_support: np.ndarray | None,
               n_curves: int) -> tuple[list[dict], list[tuple[str, list[float], list[float]]]]:
    results = map_label_columns(m, scores, lambda j, pos, neg: _label_entry(m, j, pos, neg, thresholds[j],
                                                                            train_support))
    labels = [entry for entry, _ in results]
    curve_data = {j: curve for j, (_, curve) in enumerate(results) if curve is not None}
    rarest = sorted(curve_data, key=lambda j: (labels[j]["support"], j))[:n_curves]
    curves = [(labels[j]["name"] + f" ({labels[j]['support']})",
               (curve_data[j].tp / curve_data[j].n_pos).tolist(),
               (curve_data[j].tp / (curve_data[j].tp + curve_data[j].fp)).tolist()) for j in rarest]
    return labels, curves


def _label_entry(m: LabelMatrix, j: int, pos: np.ndarray, neg: np.ndarray, t: float,
                 train_support: np.ndarray | None) -> tuple[dict, LabelCurve | None]:
    """One label's figures at threshold ``t``, and its ranking curve (None without positives)."""
    tp, fp = int((pos >= t).sum()), int((neg >= t).sum())
    n_pos, n_neg = pos.size, neg.size
    fn = n_pos - tp
    entry = {
        "index": j, "name": m.label_names[j], "support": int(n_pos),
        "prevalence": finite_or_none(_ratio(n_pos, n_pos + n_neg)),
        "precision": finite_or_none(_ratio(tp, tp + fp)), "recall": finite_or_none(_ratio(tp, n_pos)),
        "f1": finite_or_none(_ratio(2 * tp, 2 * tp + fp + fn)),
        "average_precision": None, "roc_auc": None, "threshold": float(t),
        "predicted_positives": tp + fp, "tp": tp, "fp": fp, "fn": fn,
    }
    if train_support is not None:
        entry["train_support"] = int(train_support[j])
    curve = None
    if n_pos:
        curve = label_curve(pos, neg)
        entry["average_precision"] = finite_or_none(average_precision(curve))
        entry["roc_auc"] = finite_or_none(curve.auc)
    return entry, curve


def _aggregates(m: LabelMatrix, scores: np.ndarray, thresholds: np.ndarray, labels: list[dict]) -> dict:
    tp = sum(x["tp"] for x in labels)
    fp = sum(x["fp"] for x in labels)
    fn = sum(x["fn"] for x in labels)
    supported = [x for x in labels if x["support"] > 0]
    support = np.array([x["support"] for x in supported], dtype=float)
    f1 = np.array([x["f1"] for x in supported], dtype=float)
    observed = int(m.counts().observed.sum())
    samples_f1, subset = _row_measures(m, scores, thresholds)  # None when every row is fully masked
    lrap, coverage = (None, None) if m.missing is not None else _ranking_measures(m, scores)
    return {
        "micro_f1": finite_or_none(_ratio(2 * tp, 2 * tp + fp + fn)),
        "macro_f1": finite_or_none(f1.mean()) if f1.size else None,
        "weighted_f1": finite_or_none((f1 * support).sum() / support.sum()) if f1.size else None,
        "samples_f1": finite_or_none(samples_f1),
        "hamming_loss": finite_or_none(_ratio(fp + fn, observed)),
        "subset_accuracy": finite_or_none(subset),
        "label_ranking_average_precision": finite_or_none(lrap),
        "coverage_error": finite_or_none(coverage),
        "labels_with_support": len(supported),
        "labels_without_support": len(labels) - len(supported),
    }


def _row_measures(m: LabelMatrix, scores: np.ndarray, thresholds: np.ndarray) -> tuple[float | None, float | None]:
    """Samples-F1 and subset accuracy over the rows with at least one observed entry (None if there are none)."""
    results = map_row_blocks(m, scores, lambda block, s, missing: _row_block_measures(block, s, missing, thresholds))
    rows = sum(r[2] for r in results)
    return _ratio(sum(r[0] for r in results), rows), _ratio(sum(r[1] for r in results), rows)


def _row_block_measures(block: sp.csr_matrix, s: np.ndarray, missing: np.ndarray | None,
                        thresholds: np.ndarray) -> tuple[float, int, int]:
    """Sum of samples-F1, count of exactly right rows and count of rows with an observed entry, in one block."""
    predicted = s >= thresholds
    if missing is not None:
        predicted &= ~missing
    n_pred = predicted.sum(axis=1)
    n_true = np.diff(block.indptr)
    rows = np.repeat(np.arange(block.shape[0]), n_true)
    hits = predicted[rows, block.indices]
    n_both = np.bincount(rows[hits], minlength=block.shape[0])
    denominator = n_true + n_pred
    seen = np.ones(block.shape[0], dtype=bool) if missing is None else ~missing.all(axis=1)
    f1 = np.where(denominator > 0, 2 * n_both / np.maximum(denominator, 1), 1.0)
    exact = (n_both == n_true) & (n_both == n_pred)
    return float(f1[seen].sum()), int(np.count_nonzero(exact & seen)), int(np.count_nonzero(seen))


def _ranking_measures(m: LabelMatrix, scores: np.ndarray) -> tuple[float, float]:
    """scikit-learn's label ranking average precision and coverage error, a row block at a time."""
    results = map_row_blocks(m, scores, lambda block, s, _: _ranking_block(block, s, m.n_labels))
    return sum(r[0] for r in results) / m.n_samples, sum(r[1] for r in results) / m.n_samples


def _ranking_block(block: sp.csr_matrix, s: np.ndarray, q: int) -> tuple[float, float]:
    """Sums of LRAP and coverage error over one block of rows."""
    n_true = np.diff(block.indptr)
    rows = np.repeat(np.arange(block.shape[0]), n_true)
    rel_scores = s[rows, block.indices]
    rank = np.empty(rows.size)
    for start in range(0, rows.size, 2048):  # bounded memory: 2048 rows of q comparisons
        part = slice(start, start + 2048)
        rank[part] = (s[rows[part]] >= rel_scores[part, None]).sum(axis=1)
    width = int(n_true.max()) if n_true.size else 0
    padded = np.full((block.shape[0], max(width, 1)), -np.inf)
    position = np.arange(rows.size) - np.repeat(block.indptr[:-1], n_true)
    padded[rows, position] = rel_scores
    rank_relevant = (padded[rows] >= rel_scores[:, None]).sum(axis=1)
    per_row = np.bincount(rows, weights=rank_relevant / rank, minlength=block.shape[0])
    trivial = (n_true == 0) | (n_true == q)
    coverage = np.zeros(block.shape[0])
    np.maximum.at(coverage, rows, rank)
    return float(np.where(trivial, 1.0, per_row / np.maximum(n_true, 1)).sum()), float(coverage.sum())


# --------------------------------------------------------------------------------------
# Several runs side by side
# --------------------------------------------------------------------------------------
def compare(evaluations: dict[str, Evaluation]) -> dict:
    """Runs, their aggregates and per-label F1 / recall with the difference from the first run.

    Examples
    --------
    >>> from mlbalance._evaluation import compare, evaluate
    >>> y = [[1, 0], [0, 1], [1, 1]]
    >>> d = compare({"a": evaluate(y, [[0.4] * 2] * 3), "b": evaluate(y, [[0.6] * 2] * 3)})
    >>> d["baseline"], d["labels"][0]["delta_f1"]
    ('a', {'b': 0.8})
    """
    names = list(evaluations)
    base = names[0]
    labels = []
    for j, x in enumerate(evaluations[base].labels):
        f1 = {n: evaluations[n].labels[j]["f1"] for n in names}
        recall = {n: evaluations[n].labels[j]["recall"] for n in names}
        delta = {n: finite_or_none(f1[n] - f1[base]) if f1[n] is not None and f1[base] is not None else None
                 for n in names[1:]}
        labels.append({"name": x["name"], "support": x["support"], "f1": f1, "recall": recall, "delta_f1": delta})
    return {"runs": names, "baseline": base, "overall": {n: evaluations[n].overall for n in names},
            "thresholds": {n: evaluations[n].settings["thresholds"] for n in names}, "labels": labels}
