"""Evaluation report for multi-label predictions: a dict first, formatted after.

:func:`evaluation_report` computes per-label and aggregate figures (every one checked against
scikit-learn in the tests) into an :class:`EvaluationReport`, whose ``to_dict()`` is the source
for ``to_json()``, ``to_markdown()``, ``to_text()`` (terminal) and ``to_html()`` (one
self-contained file with inline CSS and SVG plots). :func:`compare_reports` puts several named
runs side by side, with per-label differences.

Conventions: a label's precision is undefined (``None``) when it is never predicted, recall
when it has no positives, F1 when it has neither positives nor predictions. Macro averages
are over labels **with support** (positives), and the report says how many were left out.
Samples-F1 counts a row with no true and no predicted label as 1 (perfect agreement); rows
with no observed entry (all masked) are left out of samples-F1 and subset accuracy. A figure
that is undefined is ``None`` in ``to_dict()`` / JSON and ``-`` in text, Markdown and HTML;
no output ever holds NaN.

Names are shown safely: ``to_text`` removes terminal control sequences, ``to_markdown``
escapes HTML and ``|``, ``to_html`` escapes HTML. Files are written atomically (a reader
never sees a half-written report).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from . import _svg
from ._files import write_text
from ._ranking import average_precision, label_curve
from ._text import markdown_text, terminal_text
from ._validation import check_int
from .labels import as_label_matrix, default_label_names
from .thresholds import TunedThresholds, check_scores, check_thresholds, map_label_columns, tune_thresholds

__all__ = ["ComparisonReport", "EvaluationReport", "compare_reports", "evaluation_report"]

_ROW_BLOCK = 4096


def _num(x, digits=6):
    if x is None:
        return None
    x = float(x)
    return None if not np.isfinite(x) else round(x, digits)


def _ratio(a, b):
    return a / b if b else None


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------
class EvaluationReport:
    """Per-label and aggregate evaluation of one model's scores.

    Build it with :func:`evaluation_report`. ``to_dict()`` holds every figure.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> s = np.array([[0.8, 0.3], [0.2, 0.6], [0.7, 0.4], [0.1, 0.2]])
    >>> r = mlbalance.evaluation_report(y, s, label_names=["cat", "dog"])
    >>> r.to_dict()["overall"]["micro_f1"], r.to_dict()["labels"][1]["recall"]
    (0.857143, 0.5)
    """

    def __init__(self, name, labels, overall, rare, curves, settings):
        self.name = name
        self.labels = labels
        self.overall = overall
        self.rare = rare
        self.curves = curves
        self.settings = settings

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

    def to_json(self, **kwargs) -> str:
        """``to_dict()`` as JSON.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_json()[:17]
        '{"name": "model",'
        """
        return json.dumps(self.to_dict(), **{**kwargs, "allow_nan": False})

    def summary(self) -> list:
        """Plain-language lines on what happened (e.g. labels the model never predicts).

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.evaluation_report([[1, 1], [0, 1]], [[0.9, 0.1], [0.1, 0.2]]).summary()[1]
        'never predicts 1 of the 2 labels with test positives: 1'
        """
        o = self.overall
        lines = [f"macro-F1 {_fmt(o['macro_f1'])} over {o['labels_with_support']} labels with test positives "
                 f"({o['labels_without_support']} without were left out); micro-F1 {_fmt(o['micro_f1'])}"]
        never = [x["name"] for x in self.labels if x["support"] > 0 and x["predicted_positives"] == 0]
        if never:
            shown = ", ".join(never[:15]) + (", ..." if len(never) > 15 else "")
            lines.append(f"never predicts {len(never)} of the {o['labels_with_support']} labels with test "
                         f"positives: {shown}")
        zero = [x["name"] for x in self.labels if x["support"] > 0 and x["predicted_positives"] > 0 and not x["tp"]]
        if zero:
            lines.append(f"predicts but never correctly: {', '.join(zero[:15])}")
        flood = [x["name"] for x in self.labels if x["support"] and x["predicted_positives"] > 5 * x["support"]]
        if flood:
            lines.append(f"over-predicts (more than 5x its positives): {', '.join(flood[:15])}")
        return lines

    def to_text(self) -> str:
        """A terminal table: one line per label, then the aggregates and the summary.

        Examples
        --------
        >>> import mlbalance
        >>> print(mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_text().splitlines()[0])
        model: 2 rows, 1 labels, thresholds 0.5
        """
        s = self.settings
        lines = [f"{terminal_text(self.name)}: {s['rows']} rows, {s['labels']} labels, thresholds {s['thresholds']}"]
        names = [terminal_text(x["name"]) for x in self.labels]
        width = max(5, *(len(n) for n in names))
        extra = "train  " if s["train_support"] else ""
        lines.append(f"{'label':>{width}}  {extra}support  precision  recall     F1     AP    AUC  threshold")
        for name, x in zip(names, self.labels):
            train = f"{x['train_support']:>5}  " if s["train_support"] else ""
            lines.append(f"{name:>{width}}  {train}{x['support']:>7}  {_fmt(x['precision']):>9}  "
                         f"{_fmt(x['recall']):>6}  {_fmt(x['f1']):>5}  {_fmt(x['average_precision']):>5}  "
                         f"{_fmt(x['roc_auc']):>5}  {x['threshold']:>9.4g}")
        o = self.overall
        lines += [
            "",
            f"F1 micro {_fmt(o['micro_f1'])}, macro {_fmt(o['macro_f1'])}, weighted {_fmt(o['weighted_f1'])}, "
            f"samples {_fmt(o['samples_f1'])}",
            f"hamming loss {_fmt(o['hamming_loss'])}, subset accuracy {_fmt(o['subset_accuracy'])}, "
            f"LRAP {_fmt(o['label_ranking_average_precision'])}, coverage error {_fmt(o['coverage_error'])}",
            "rarest labels: " + ", ".join(f"{names[j]} (support {self.labels[j]['support']}, "
                                          f"F1 {_fmt(self.labels[j]['f1'])})" for j in self.rare),
        ]
        lines += [terminal_text(line) for line in self.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_markdown(self) -> str:
        """A Markdown document: aggregates, summary, per-label table.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_markdown().splitlines()[0]
        '# Evaluation report: model'
        """
        o = self.overall
        lines = [f"# Evaluation report: {markdown_text(self.name)}", "",
                 f"{self.settings['rows']} rows, {self.settings['labels']} labels; thresholds: "
                 f"{self.settings['thresholds']}.", "",
                 "| measure | value |", "| --- | --- |"]
        lines += [f"| {key.replace('_', ' ')} | {_fmt(value)} |" for key, value in o.items()]
        lines += ["", *[f"- {markdown_text(line)}" for line in self.summary()], "",
                  "| label | support | precision | recall | F1 | AP | ROC-AUC | threshold |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {markdown_text(x['name'])} | {x['support']} | {_fmt(x['precision'])} | {_fmt(x['recall'])} "
                  f"| {_fmt(x['f1'])} | {_fmt(x['average_precision'])} | {_fmt(x['roc_auc'])} | {x['threshold']:.4g} |"
                  for x in self.labels]
        return "\n".join(lines) + "\n"

    def to_html(self, path=None) -> str:
        """One self-contained HTML page (inline CSS and SVG plots; opens offline).

        Plots: F1 against support per label, precision-recall curves of the rarest labels,
        and the threshold of every label. Returns the HTML and writes it to ``path`` if given.

        Examples
        --------
        >>> import mlbalance
        >>> page = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_html()
        >>> page.startswith("<!DOCTYPE html>") and "<svg" in page
        True
        """
        return write_text(path, _svg.page(f"Evaluation report: {self.name}", _report_body(self)))

    def save(self, path) -> str:
        """Write the report to ``path`` atomically, as HTML, JSON or Markdown by its extension.

        Parameters
        ----------
        path : str or path-like
            Ending in ``.html``, ``.json`` or ``.md`` (any case).

        Returns
        -------
        str
            The text written.

        Raises
        ------
        ValueError
            For any other extension.

        Examples
        --------
        >>> import os, tempfile, mlbalance
        >>> path = os.path.join(tempfile.mkdtemp(), "report.md")
        >>> text = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).save(path)
        >>> open(path).read() == text and text.startswith("# Evaluation report")
        True
        """
        return _save(self, path)


def _fmt(x):
    if x is None:
        return "-"
    return str(x) if isinstance(x, (int, np.integer)) else f"{x:.3f}"


REPORT_EXTENSIONS = (".html", ".json", ".md")


def _save(report, path):
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in REPORT_EXTENSIONS:
        raise ValueError(f"Expected path to end in .html, .json or .md (the format is chosen by the extension). "
                         f"Received: path={os.fspath(path)!r}")
    render = {".html": report.to_html, ".json": lambda: report.to_json(indent=2), ".md": report.to_markdown}[ext]
    return write_text(path, render())


def _report_body(report):
    o = report.overall
    parts = [f"<p>{report.settings['rows']:,} rows, {report.settings['labels']} labels; thresholds: "
             f"{html.escape(str(report.settings['thresholds']))}.</p>",
             "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in report.summary()) + "</ul>",
             _svg.table(["measure", "value"], [[k.replace("_", " "), _fmt(v)] for k, v in o.items()]),
             "<h2>F1 against support</h2>",
             _svg.scatter([(x["support"], x["f1"], x["name"]) for x in report.labels if x["support"] > 0],
                          "test positives (log scale)", "F1"),
             "<h2>Precision-recall curves of the rarest labels</h2>",
             _svg.curves(report.curves, "recall", "precision"),
             "<h2>Thresholds</h2>",
             _svg.bars([(x["name"], x["threshold"]) for x in report.labels], "threshold"),
             "<h2>Per label</h2>",
             _svg.table(["label", "support", "precision", "recall", "F1", "AP", "ROC-AUC", "threshold"],
                        [[x["name"], x["support"], _fmt(x["precision"]), _fmt(x["recall"]), _fmt(x["f1"]),
                          _fmt(x["average_precision"]), _fmt(x["roc_auc"]), f"{x['threshold']:.4g}"]
                         for x in report.labels])]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# Building a report
# --------------------------------------------------------------------------------------
def _resolve_thresholds(thresholds, m, scores):
    if isinstance(thresholds, str):
        if thresholds != "tune":
            raise ValueError(f"Expected thresholds to be a number, one per label, or 'tune'. Received: {thresholds!r}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tuned = tune_thresholds(m, scores)
        return tuned.thresholds, "tuned on these rows (optimistic)"
    if isinstance(thresholds, TunedThresholds):
        _check_tuned_labels(thresholds, m)
        return check_thresholds(thresholds.thresholds, m.n_labels, scores, label_names=m.label_names), "tuned per label"
    arr = check_thresholds(thresholds, m.n_labels, scores, label_names=m.label_names)
    return arr, (f"{float(arr[0]):g}" if np.ndim(thresholds) == 0 else "per label")


def _check_tuned_labels(tuned, m):
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


def evaluation_report(y_true, y_score, thresholds=0.5, label_names=None, y_train=None, *, name="model",
                      mask_value=None, n_rare=10, n_curves=6) -> EvaluationReport:
    """Evaluate multi-label scores label by label, with aggregates and the rarest labels.

    Parameters
    ----------
    y_true : label input (dense, sparse, DataFrame, label lists)
    y_score : array of shape (n_samples, n_labels)
        Finite probabilities (or logits, with thresholds in logit units).
    thresholds : float, array of shape (n_labels,), TunedThresholds or "tune", default 0.5
        Finite numbers; when the scores are probabilities (all in [0, 1]) they must be in
        [0, 1] too (see :func:`mlbalance.thresholds.check_thresholds`). A TunedThresholds must
        be for the same labels. "tune" tunes on these same rows (the report says it is
        optimistic).
    label_names : sequence of str, optional
    y_train : label input, optional
        Training labels, to show each label's training support.
    name : str, default "model"
    mask_value : float, optional
        Unobserved entries of ``y_true``: left out of every figure (ranking measures are
        then not computed).
    n_rare : int, default 10
        Size of the rare-label section (labels with the fewest test positives).
    n_curves : int, default 6
        Precision-recall curves kept for the HTML plot (rarest labels with positives).

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    >>> s = np.array([[0.8, 0.3, 0.1], [0.2, 0.6, 0.2], [0.7, 0.4, 0.1], [0.1, 0.2, 0.3]])
    >>> r = mlbalance.evaluation_report(y, s, label_names=["a", "b", "c"])
    >>> r.overall["macro_f1"], r.overall["labels_without_support"]
    (0.833333, 1)
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
    return EvaluationReport(name, labels, overall, rare, curves, settings)


def _per_label(m, scores, thresholds, train_support, n_curves):
    results = map_label_columns(m, scores, lambda j, pos, neg: _label_entry(m, j, pos, neg, thresholds[j],
                                                                            train_support))
    labels = [entry for entry, _ in results]
    curve_data = {j: curve for j, (_, curve) in enumerate(results) if curve is not None}
    rarest = sorted(curve_data, key=lambda j: (labels[j]["support"], j))[:n_curves]
    curves = [(labels[j]["name"] + f" ({labels[j]['support']})",
               (curve_data[j].tp / curve_data[j].n_pos).tolist(),
               (curve_data[j].tp / (curve_data[j].tp + curve_data[j].fp)).tolist()) for j in rarest]
    return labels, curves


def _label_entry(m, j, pos, neg, t, train_support):
    """One label's figures at threshold ``t``, and its ranking curve (None without positives)."""
    tp, fp = int((pos >= t).sum()), int((neg >= t).sum())
    n_pos, n_neg = pos.size, neg.size
    fn = n_pos - tp
    entry = {
        "index": j, "name": m.label_names[j], "support": int(n_pos),
        "prevalence": _num(_ratio(n_pos, n_pos + n_neg)),
        "precision": _num(_ratio(tp, tp + fp)), "recall": _num(_ratio(tp, n_pos)),
        "f1": _num(_ratio(2 * tp, 2 * tp + fp + fn)),
        "average_precision": None, "roc_auc": None, "threshold": float(t),
        "predicted_positives": tp + fp, "tp": tp, "fp": fp, "fn": fn,
    }
    if train_support is not None:
        entry["train_support"] = int(train_support[j])
    curve = None
    if n_pos:
        curve = label_curve(pos, neg)
        entry["average_precision"] = _num(average_precision(curve))
        entry["roc_auc"] = _num(curve.auc)
    return entry, curve


def _aggregates(m, scores, thresholds, labels):
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
        "micro_f1": _num(_ratio(2 * tp, 2 * tp + fp + fn)),
        "macro_f1": _num(f1.mean()) if f1.size else None,
        "weighted_f1": _num((f1 * support).sum() / support.sum()) if f1.size else None,
        "samples_f1": _num(samples_f1),
        "hamming_loss": _num(_ratio(fp + fn, observed)),
        "subset_accuracy": _num(subset),
        "label_ranking_average_precision": _num(lrap),
        "coverage_error": _num(coverage),
        "labels_with_support": len(supported),
        "labels_without_support": len(labels) - len(supported),
    }


def _row_blocks(m, scores):
    csr = m.values if m.is_sparse else sp.csr_matrix(m.values)
    for start in range(0, m.n_samples, _ROW_BLOCK):
        stop = min(start + _ROW_BLOCK, m.n_samples)
        block = csr[start:stop]
        missing = None
        if m.missing is not None:
            missing = m.missing[start:stop]
            missing = missing.toarray() if sp.issparse(missing) else missing
        yield block, scores[start:stop], missing


def _map_row_blocks(m, scores, fn):
    """``[fn(block, scores_block, missing_block) ...]`` over row blocks, on a thread pool (NumPy releases the GIL)."""
    workers = min(os.cpu_count() or 1, 8)
    blocks, results = _row_blocks(m, scores), []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while chunk := list(itertools.islice(blocks, 2 * workers)):  # bounded: a few blocks in flight
            results.extend(pool.map(lambda args: fn(*args), chunk))
    return results


def _row_measures(m, scores, thresholds):
    """Samples-F1 and subset accuracy over the rows with at least one observed entry (None if there are none)."""
    results = _map_row_blocks(m, scores, lambda block, s, missing: _row_block_measures(block, s, missing, thresholds))
    rows = sum(r[2] for r in results)
    return _ratio(sum(r[0] for r in results), rows), _ratio(sum(r[1] for r in results), rows)


def _row_block_measures(block, s, missing, thresholds):
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


def _ranking_measures(m, scores):
    """scikit-learn's label ranking average precision and coverage error, a row block at a time."""
    results = _map_row_blocks(m, scores, lambda block, s, _: _ranking_block(block, s, m.n_labels))
    return sum(r[0] for r in results) / m.n_samples, sum(r[1] for r in results) / m.n_samples


def _ranking_block(block, s, q):
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
class ComparisonReport:
    """Several named runs side by side: per-label F1 and the difference from the first run.

    Build it with :func:`compare_reports`.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [0, 1], [1, 1]])
    >>> c = mlbalance.compare_reports({"bce": mlbalance.evaluation_report(y, np.full((3, 2), 0.4)),
    ...                                "weighted": mlbalance.evaluation_report(y, np.full((3, 2), 0.6))})
    >>> c.to_dict()["labels"][0]["f1"], c.to_dict()["labels"][0]["delta_f1"]
    ({'bce': 0.0, 'weighted': 0.8}, {'weighted': 0.8})
    """

    def __init__(self, reports):
        self.reports = reports

    def to_dict(self) -> dict:
        """Runs, their aggregates and per-label F1 / recall with differences from the first run.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> mlbalance.compare_reports({"a": r, "b": r}).to_dict()["runs"]
        ['a', 'b']
        """
        names = list(self.reports)
        base = names[0]
        first = self.reports[base]
        labels = []
        for j, x in enumerate(first.labels):
            f1 = {n: self.reports[n].labels[j]["f1"] for n in names}
            recall = {n: self.reports[n].labels[j]["recall"] for n in names}
            delta = {n: _num(f1[n] - f1[base]) if f1[n] is not None and f1[base] is not None else None
                     for n in names[1:]}
            labels.append({"name": x["name"], "support": x["support"], "f1": f1, "recall": recall,
                           "delta_f1": delta})
        return {"runs": names, "baseline": base,
                "overall": {n: self.reports[n].overall for n in names},
                "summary": {n: self.reports[n].summary() for n in names},
                "labels": labels}

    def to_json(self, **kwargs) -> str:
        """``to_dict()`` as JSON.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> mlbalance.compare_reports({"a": r}).to_json()[:9]
        '{"runs": '
        """
        return json.dumps(self.to_dict(), **{**kwargs, "allow_nan": False})

    def to_text(self) -> str:
        """Terminal tables: aggregates per run, then per-label F1 per run.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> print(mlbalance.compare_reports({"a": r}).to_text().splitlines()[0])
        run        macro-F1  micro-F1  labels never predicted
        """
        d = self.to_dict()
        names = d["runs"]
        shown = {n: terminal_text(n) for n in names}
        width = max(8, *(len(shown[n]) for n in names))
        lines = [f"{'run':<{width}}  macro-F1  micro-F1  labels never predicted"]
        for n in names:
            o = d["overall"][n]
            never = sum(1 for x in self.reports[n].labels if x["support"] and not x["predicted_positives"])
            lines.append(f"{shown[n]:<{width}}  {_fmt(o['macro_f1']):>8}  {_fmt(o['micro_f1']):>8}  "
                         f"{never:>3} of {o['labels_with_support']}")
        lines += ["", "per-label F1 (labels with test positives):"]
        label_names = [terminal_text(x["name"]) for x in d["labels"]]
        label_width = max(5, *(len(name) for name in label_names))
        lines.append(f"{'label':>{label_width}}  support  " + "  ".join(f"{shown[n][:10]:>10}" for n in names))
        for name, x in zip(label_names, d["labels"]):
            if x["support"]:
                lines.append(f"{name:>{label_width}}  {x['support']:>7}  "
                             + "  ".join(f"{_fmt(x['f1'][n]):>10}" for n in names))
        for n in names:
            lines += [f"{shown[n]}: {terminal_text(line)}" for line in d["summary"][n]]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_markdown(self) -> str:
        """Markdown tables of the comparison.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> mlbalance.compare_reports({"a": r}).to_markdown().splitlines()[0]
        '# Comparison: a'
        """
        d = self.to_dict()
        names = d["runs"]
        shown = {n: markdown_text(n) for n in names}
        lines = [f"# Comparison: {', '.join(shown.values())}", "", "| run | macro-F1 | micro-F1 |",
                 "| --- | --- | --- |"]
        lines += [f"| {shown[n]} | {_fmt(d['overall'][n]['macro_f1'])} | {_fmt(d['overall'][n]['micro_f1'])} |"
                  for n in names]
        lines += ["", "| label | support | " + " | ".join(shown.values()) + " |",
                  "| --- | --- |" + " --- |" * len(names)]
        lines += [f"| {markdown_text(x['name'])} | {x['support']} | " + " | ".join(_fmt(x["f1"][n]) for n in names)
                  + " |" for x in d["labels"]]
        return "\n".join(lines) + "\n"

    def to_html(self, path=None) -> str:
        """A self-contained HTML page comparing the runs (tables and an F1-per-label plot).

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> "<svg" in mlbalance.compare_reports({"a": r}).to_html()
        True
        """
        d = self.to_dict()
        names = d["runs"]
        body = [
            _svg.table(["run", "macro-F1", "micro-F1", "what happened"],
                       [[n, _fmt(d["overall"][n]["macro_f1"]), _fmt(d["overall"][n]["micro_f1"]),
                         "; ".join(d["summary"][n])] for n in names]),
            "<h2>F1 per label</h2>",
            _svg.grouped_bars([x["name"] for x in d["labels"] if x["support"]],
                              {n: [x["f1"][n] or 0.0 for x in d["labels"] if x["support"]] for n in names}),
            "<h2>Per label</h2>",
            _svg.table(["label", "support"] + names,
                       [[x["name"], x["support"]] + [_fmt(x["f1"][n]) for n in names] for x in d["labels"]]),
        ]
        return write_text(path, _svg.page("Comparison: " + ", ".join(names), "\n".join(body)))

    def save(self, path) -> str:
        """Write the comparison to ``path`` atomically, as HTML, JSON or Markdown by its extension.

        Parameters
        ----------
        path : str or path-like
            Ending in ``.html``, ``.json`` or ``.md`` (any case); any other extension is a
            ``ValueError``.

        Returns
        -------
        str
            The text written.

        Examples
        --------
        >>> import json, os, tempfile, mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> path = os.path.join(tempfile.mkdtemp(), "runs.json")
        >>> _ = mlbalance.compare_reports({"a": r}).save(path)
        >>> json.load(open(path))["runs"]
        ['a']
        """
        return _save(self, path)


def compare_reports(reports) -> ComparisonReport:
    """Put several named evaluation reports side by side.

    Parameters
    ----------
    reports : dict of {name: EvaluationReport}
        The first entry is the baseline for the per-label differences. All reports must
        cover the same labels.

    Returns
    -------
    ComparisonReport

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [0, 1]])
    >>> runs = {"bce": mlbalance.evaluation_report(y, [[0.4, 0.1], [0.2, 0.3]]),
    ...         "focal": mlbalance.evaluation_report(y, [[0.7, 0.1], [0.2, 0.8]])}
    >>> print(mlbalance.compare_reports(runs).to_text().splitlines()[1])
    bce          0.000     0.000    2 of 2
    """
    if not isinstance(reports, dict) or not reports:
        raise ValueError("Expected reports to be a non-empty dict {name: EvaluationReport}.")
    for key, value in reports.items():
        if not isinstance(key, str) or not isinstance(value, EvaluationReport):
            raise ValueError("Expected reports to be a dict {name (str): EvaluationReport}. "
                             f"Received: {key!r}: {type(value).__name__}.")
    names = [tuple(x["name"] for x in r.labels) for r in reports.values()]
    if any(n != names[0] for n in names):
        raise ValueError("All reports must cover the same labels in the same order.")
    return ComparisonReport(dict(reports))
