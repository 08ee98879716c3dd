"""Evaluation report for multi-label predictions: the public classes, figures apart from text.

:func:`evaluation_report` computes per-label and aggregate figures (every one checked against
scikit-learn in the tests; computed by ``mlbalance._evaluation``, which imports no rendering
code) into an :class:`EvaluationReport`, whose ``to_dict()`` is the source for ``to_json()``,
``to_markdown()``, ``to_text()`` (terminal) and ``to_html()`` (one self-contained file with
inline CSS and SVG plots), all made by ``mlbalance._rendering``. :func:`compare_reports` puts
several named runs side by side, with per-label differences.

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

import os
from collections.abc import Sequence

from . import _rendering
from ._evaluation import Evaluation, compare, evaluate
from ._files import write_text
from ._json import dumps
from .thresholds import TunedThresholds

__all__ = ["ComparisonReport", "EvaluationReport", "compare_reports", "evaluation_report"]

REPORT_EXTENSIONS = (".html", ".json", ".md")

PathLike = str | os.PathLike


def _save(report: EvaluationReport | ComparisonReport, path: PathLike) -> str:
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in REPORT_EXTENSIONS:
        raise ValueError(f"Expected path to end in .html, .json or .md (the format is chosen by the extension). "
                         f"Received: path={os.fspath(path)!r}")
    render = {".html": report.to_html, ".json": lambda: report.to_json(indent=2), ".md": report.to_markdown}[ext]
    return write_text(path, render())


# --------------------------------------------------------------------------------------
# One model's report
# --------------------------------------------------------------------------------------
class EvaluationReport(Evaluation):
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

    def to_json(self, **kwargs: object) -> str:
        """``to_dict()`` as JSON.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_json()[:17]
        '{"name": "model",'
        """
        return dumps(self.to_dict(), **kwargs)

    def summary(self) -> list[str]:
        """Plain-language lines on what happened (e.g. labels the model never predicts).

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.evaluation_report([[1, 1], [0, 1]], [[0.9, 0.1], [0.1, 0.2]]).summary()[1]
        'never predicts 1 of the 2 labels with test positives: 1'
        """
        return _rendering.summary_lines(self)

    def to_text(self) -> str:
        """A terminal table: one line per label, then the aggregates and the summary.

        Examples
        --------
        >>> import mlbalance
        >>> print(mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]]).to_text().splitlines()[0])
        model: 2 rows, 1 labels, thresholds 0.5
        """
        return _rendering.evaluation_text(self)

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
        return _rendering.evaluation_markdown(self)

    def to_html(self, path: PathLike | None = None) -> str:
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
        return write_text(path, _rendering.evaluation_html(self))

    def save(self, path: PathLike) -> str:
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


def evaluation_report(y_true: object, y_score: object, thresholds: float | Sequence[float] | TunedThresholds | str = 0.5,
                      label_names: Sequence[str] | None = None, y_train: object = None, *, name: str = "model",
                      mask_value: float | None = None, n_rare: int = 10, n_curves: int = 6) -> EvaluationReport:
    """Evaluate multi-label scores label by label, with aggregates and the rarest labels.

    Parameters
    ----------
    y_true : label input (dense, sparse, DataFrame, label lists)
    y_score : array of shape (n_samples, n_labels), or list of n_labels arrays of shape (n_samples, 2)
        Finite probabilities (or logits, with thresholds in logit units). The list form is
        ``MultiOutputClassifier.predict_proba``'s: column 1 of each array is read.
    thresholds : float, array of shape (n_labels,), TunedThresholds or "tune", default 0.5
        Finite numbers; when the scores are probabilities (all in [0, 1]) they must be in
        [0, 1] too (see :func:`mlbalance.thresholds.check_thresholds`). A TunedThresholds must
        be for the same labels; tuned on these same rows (same truth, mask and scores, by
        fingerprint) its ranking is reused (no second sort of any label's scores) and the report
        says the thresholds were tuned on these rows (optimistic). "tune" tunes on these same
        rows and reports from the same ranking (one pass; also said to be optimistic).
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

    Thresholds tuned on the same rows bring their ranking along (nothing is sorted again):

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # labels with too few positives use the fallback
    ...     tuned = mlbalance.tune_thresholds(y, s, min_positives=1)
    >>> mlbalance.evaluation_report(y, s, tuned).settings["thresholds"]
    'tuned on these rows (optimistic)'
    >>> mlbalance.evaluation_report(y[:3], s[:3], tuned).settings["thresholds"]
    'tuned per label'
    """
    figures = evaluate(y_true, y_score, thresholds, label_names, y_train, name=name, mask_value=mask_value,
                       n_rare=n_rare, n_curves=n_curves)
    return EvaluationReport(**vars(figures))


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

    def __init__(self, reports: dict[str, EvaluationReport]) -> None:
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
        figures = compare(self.reports)
        return {"runs": figures["runs"], "baseline": figures["baseline"], "overall": figures["overall"],
                "thresholds": figures["thresholds"], "summary": {n: r.summary() for n, r in self.reports.items()},
                "labels": figures["labels"]}

    def to_json(self, **kwargs: object) -> str:
        """``to_dict()`` as JSON.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> mlbalance.compare_reports({"a": r}).to_json()[:9]
        '{"runs": '
        """
        return dumps(self.to_dict(), **kwargs)

    def to_text(self) -> str:
        """Terminal tables: aggregates per run, then per-label F1 per run.

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> print(mlbalance.compare_reports({"a": r}).to_text().splitlines()[0])
        run  macro-F1  micro-F1  labels never predicted
        """
        return _rendering.comparison_text(self.to_dict(), self.reports)

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
        return _rendering.comparison_markdown(self.to_dict())

    def to_html(self, path: PathLike | None = None) -> str:
        """A self-contained HTML page comparing the runs (tables and an F1-per-label plot).

        Examples
        --------
        >>> import mlbalance
        >>> r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
        >>> "<svg" in mlbalance.compare_reports({"a": r}).to_html()
        True
        """
        return write_text(path, _rendering.comparison_html(self.to_dict()))

    def save(self, path: PathLike) -> str:
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


def compare_reports(reports: dict[str, EvaluationReport]) -> ComparisonReport:
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
    >>> print("\\n".join(mlbalance.compare_reports(runs).to_text().splitlines()[:3]))
    run    macro-F1  micro-F1  labels never predicted
    bce       0.000     0.000  2 of 2
    focal     1.000     1.000  0 of 2
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
