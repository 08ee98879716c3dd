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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._json import finite_or_none
from ._ranking import (Ranking, at_least, average_precision, check_scores, fingerprint, label_rows, map_row_blocks,
                       column_keys, rank_labels, score_sums)
from ._validation import check_int
from .labels import LabelMatrix, as_label_matrix, default_label_names
from .thresholds import TunedThresholds, check_thresholds, tune_label_matrix

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Evaluation", "compare", "evaluate", "never_predicted"]

TUNED_ON_THESE_ROWS = "tuned on these rows (optimistic)"
_SEARCH_ROWS = 1024  # rows sorted and searched at a time for LRAP / coverage (in cache; faster than 4096)


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

    One pass over blocks of rows (samples-F1, subset accuracy, LRAP, coverage error and the
    rows' fingerprint) and at most one ranking pass over blocks of columns (one sort per
    label). A :class:`~mlbalance.thresholds.TunedThresholds` tuned on the same rows (same
    fingerprint) brings its ranking along, so the columns are not sorted again, and the
    report says the thresholds were tuned on these rows; ``"tune"`` tunes and reports from
    one ranking.

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
    t, how, tuned = _resolve_thresholds(thresholds, m, scores)
    train_support = None
    if y_train is not None:
        train = as_label_matrix(y_train, mask_value=mask_value)
        if train.n_labels != m.n_labels:
            raise ValueError(f"y_train has {train.n_labels} labels but y_true has {m.n_labels}.")
        train_support = train.counts().positives
    rows = _row_pass(m, scores, t, with_fingerprint=tuned is not None and tuned.ranking is not None)
    ranking, counts = _reusable_ranking(tuned, rows["fingerprint"], t)
    if ranking is None:
        ranking = rank_labels(m, scores, t)
        counts = ranking.at_tp, ranking.at_fp
    elif tuned is not None:
        how = TUNED_ON_THESE_ROWS
    labels, curves = _per_label(m, ranking, counts, t, train_support, n_curves)
    overall = _aggregates(m, rows, labels)
    with_support = [j for j, x in enumerate(labels) if x["support"] > 0]
    rare = sorted(with_support, key=lambda j: (labels[j]["support"], j))[:n_rare]
    settings = {"rows": m.n_samples, "labels": m.n_labels, "thresholds": how,
                "train_support": train_support is not None, "masked": m.missing is not None}
    return Evaluation(name, labels, overall, rare, curves, settings)


def _resolve_thresholds(thresholds: object, m: LabelMatrix,
                        scores: np.ndarray) -> tuple[np.ndarray, str, TunedThresholds | None]:
    """The thresholds, how they were chosen, and the TunedThresholds they came from (None for numbers)."""
    if isinstance(thresholds, str):
        if thresholds != "tune":
            raise ValueError(f"Expected thresholds to be a number, one per label, or 'tune'. Received: {thresholds!r}")
        tuned = tune_label_matrix(m, scores)  # finite, and in [0, 1] on probabilities: no check_thresholds pass
        return tuned.thresholds, TUNED_ON_THESE_ROWS, tuned
    if isinstance(thresholds, TunedThresholds):
        _check_tuned_labels(thresholds, m)
        arr = check_thresholds(thresholds.thresholds, m.n_labels, scores, label_names=m.label_names)
        return arr, (TUNED_ON_THESE_ROWS if thresholds.was_tuned_on(m, scores) else "tuned per label"), thresholds
    arr = check_thresholds(thresholds, m.n_labels, scores, label_names=m.label_names)
    return arr, (f"{float(arr[0]):g}" if np.ndim(thresholds) == 0 else "per label"), None


def _reusable_ranking(tuned: TunedThresholds | None, rows_fingerprint: str,
                      thresholds: np.ndarray) -> tuple[Ranking | None, tuple | None]:
    """The tuning's ranking and the counts at ``thresholds`` if it ranked these very rows, else (None, None)."""
    ranking = None if tuned is None else tuned.ranking
    if ranking is None or ranking.fingerprint != rows_fingerprint:
        return None, None
    counts = ranking.counts(thresholds)
    return (ranking, counts) if counts is not None else (None, None)


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


def _per_label(m: LabelMatrix, ranking: Ranking, counts: tuple[np.ndarray, np.ndarray], thresholds: np.ndarray,
               train_support: np.ndarray | None,
               n_curves: int) -> tuple[list[dict], list[tuple[str, list[float], list[float]]]]:
    labels = [_label_entry(m, ranking, j, int(counts[0][j]), int(counts[1][j]), thresholds[j], train_support)
              for j in range(m.n_labels)]
    with_curve = [j for j, curve in enumerate(ranking.curves) if curve is not None]
    rarest = sorted(with_curve, key=lambda j: (labels[j]["support"], j))[:n_curves]
    curves = [(labels[j]["name"] + f" ({labels[j]['support']})",
               (ranking.curves[j].tp / ranking.curves[j].n_pos).tolist(),
               (ranking.curves[j].tp / (ranking.curves[j].tp + ranking.curves[j].fp)).tolist()) for j in rarest]
    return labels, curves


def _label_entry(m: LabelMatrix, ranking: Ranking, j: int, tp: int, fp: int, t: float,
                 train_support: np.ndarray | None) -> dict:
    """One label's figures at threshold ``t`` (``tp`` / ``fp`` its counts there) from its ranking."""
    n_pos, n_neg = int(ranking.n_pos[j]), int(ranking.n_neg[j])
    fn = n_pos - tp
    entry = {
        "index": j, "name": m.label_names[j], "support": n_pos,
        "prevalence": finite_or_none(_ratio(n_pos, n_pos + n_neg)),
        "precision": finite_or_none(_ratio(tp, tp + fp)), "recall": finite_or_none(_ratio(tp, n_pos)),
        "f1": finite_or_none(_ratio(2 * tp, 2 * tp + fp + fn)),
        "average_precision": None, "roc_auc": None, "threshold": float(t),
        "predicted_positives": tp + fp, "tp": tp, "fp": fp, "fn": fn,
    }
    if train_support is not None:
        entry["train_support"] = int(train_support[j])
    curve = ranking.curves[j]
    if curve is not None:
        entry["average_precision"] = finite_or_none(average_precision(curve))
        entry["roc_auc"] = finite_or_none(curve.auc)
    return entry


def _aggregates(m: LabelMatrix, rows: dict, labels: list[dict]) -> dict:
    tp = sum(x["tp"] for x in labels)
    fp = sum(x["fp"] for x in labels)
    fn = sum(x["fn"] for x in labels)
    supported = [x for x in labels if x["support"] > 0]
    support = np.array([x["support"] for x in supported], dtype=float)
    f1 = np.array([x["f1"] for x in supported], dtype=float)
    observed = int(m.counts().observed.sum())
    return {
        "micro_f1": finite_or_none(_ratio(2 * tp, 2 * tp + fp + fn)),
        "macro_f1": finite_or_none(f1.mean()) if f1.size else None,
        "weighted_f1": finite_or_none((f1 * support).sum() / support.sum()) if f1.size else None,
        "samples_f1": finite_or_none(rows["samples_f1"]),
        "hamming_loss": finite_or_none(_ratio(fp + fn, observed)),
        "subset_accuracy": finite_or_none(rows["subset_accuracy"]),
        "label_ranking_average_precision": finite_or_none(rows["lrap"]),
        "coverage_error": finite_or_none(rows["coverage"]),
        "labels_with_support": len(supported),
        "labels_without_support": len(labels) - len(supported),
    }


def _row_pass(m: LabelMatrix, scores: np.ndarray, thresholds: np.ndarray, *, with_fingerprint: bool = True) -> dict:
    """Every row measure in one pass over blocks of rows, and the rows' fingerprint (None without
    ``with_fingerprint``: only a tuning's ranking is ever compared with it).

    Samples-F1 and subset accuracy are over the rows with an observed entry (None if there
    are none); LRAP and coverage error (None with a mask) as scikit-learn defines them.
    """
    ranked = m.missing is None
    exact = at_least(thresholds, scores.dtype)  # the same predictions, compared without casting the scores

    def block(truth: sp.csr_matrix, s: np.ndarray, missing: np.ndarray | None) -> tuple:
        f1, right, seen = _row_block_measures(truth, s, missing, exact)
        lrap, coverage = _ranking_block(truth, s, m.n_labels) if ranked else (0.0, 0.0)
        return f1, right, seen, lrap, coverage, score_sums(s, keys) if with_fingerprint else None

    keys = column_keys(m.n_labels)
    csr = label_rows(m)
    results = map_row_blocks(m, scores, block, csr=csr)
    n_rows = sum(r[2] for r in results)
    digest = None
    if with_fingerprint:
        row_sums = np.concatenate([r[5][0] for r in results]) if results else np.zeros(0, dtype=np.uint64)
        column_sums = np.zeros(m.n_labels, dtype=f"u{scores.dtype.itemsize}")
        for r in results:
            np.add(column_sums, r[5][1], out=column_sums)
        digest = fingerprint(csr, m.missing, scores.dtype, row_sums, column_sums)
    return {
        "samples_f1": _ratio(sum(r[0] for r in results), n_rows),
        "subset_accuracy": _ratio(sum(r[1] for r in results), n_rows),
        "lrap": sum(r[3] for r in results) / m.n_samples if ranked else None,
        "coverage": sum(r[4] for r in results) / m.n_samples if ranked else None,
        "fingerprint": digest,
    }


def _row_block_measures(block: sp.csr_matrix, s: np.ndarray, missing: np.ndarray | None,
                        thresholds: np.ndarray) -> tuple[float, int, int]:
    """Sum of samples-F1, count of exactly right rows and count of rows with an observed entry, in one block."""
    predicted = s >= thresholds
    if missing is not None:
        predicted &= ~missing
    n_pred = predicted.view(np.int8).sum(axis=1, dtype=np.int32)  # faster than a bool sum
    n_true = np.diff(block.indptr)
    rows = np.repeat(np.arange(block.shape[0]), n_true)
    hits = predicted[rows, block.indices]
    n_both = np.bincount(rows[hits], minlength=block.shape[0])
    denominator = n_true + n_pred
    seen = np.ones(block.shape[0], dtype=bool) if missing is None else ~missing.all(axis=1)
    f1 = np.where(denominator > 0, 2 * n_both / np.maximum(denominator, 1), 1.0)
    exact = (n_both == n_true) & (n_both == n_pred)
    return float(f1[seen].sum()), int(np.count_nonzero(exact & seen)), int(np.count_nonzero(seen))


def _ranking_block(block: sp.csr_matrix, s: np.ndarray, q: int) -> tuple[float, float]:
    """Sums of LRAP and coverage error over one block of rows (each row sorted once, then binary-searched)."""
    n_true = np.diff(block.indptr)
    rows = np.repeat(np.arange(block.shape[0]), n_true)
    rel_scores = s[rows, block.indices]
    rank = np.empty(rows.size, dtype=np.intp)  # scores >= each relevant score in its row
    for start in range(0, block.shape[0], _SEARCH_ROWS):  # sorted rows searched while they are in cache
        stop = min(start + _SEARCH_ROWS, block.shape[0])
        part = slice(block.indptr[start], block.indptr[stop])
        rank[part] = q - _count_below(np.sort(s[start:stop], axis=1), rows[part] - start, rel_scores[part])
    width = int(n_true.max()) if n_true.size else 0
    padded = np.full((block.shape[0], max(width, 1)), -np.inf, dtype=s.dtype)
    position = np.arange(rows.size) - np.repeat(block.indptr[:-1], n_true)
    padded[rows, position] = rel_scores
    rank_relevant = (padded[rows] >= rel_scores[:, None]).sum(axis=1)
    per_row = np.bincount(rows, weights=rank_relevant / rank, minlength=block.shape[0])
    trivial = (n_true == 0) | (n_true == q)
    coverage = np.maximum.reduceat(rank, block.indptr[:-1][n_true > 0]).sum() if rows.size else 0  # worst rank per row
    return float(np.where(trivial, 1.0, per_row / np.maximum(n_true, 1)).sum()), float(coverage)


def _count_below(ordered: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per query, how many scores of its row of ``ordered`` (rows sorted ascending) are below it.

    A branch-free binary search of all queries at once: ``log2(q) + 1`` vectorised steps.
    """
    q = ordered.shape[1]
    flat = ordered.ravel()
    last = rows * q - 1  # + k: the k-th score (1-based) of the query's row
    below = np.zeros(rows.size, dtype=np.intp)
    step = 1 << (q.bit_length() - 1)
    while step:
        candidate = below + step
        fits = candidate <= q
        below += step * (fits & (flat[last + np.minimum(candidate, q)] < values))
        step >>= 1
    return below


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
