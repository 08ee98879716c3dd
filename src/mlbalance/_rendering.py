"""The evaluation report's four formats, made from its figures: text, JSON, Markdown and HTML.

Every function here reads an :class:`mlbalance._evaluation.Evaluation` (or the dict of
:func:`mlbalance._evaluation.compare`) and computes nothing new. Numbers go through
:func:`mlbalance._tables.number` (an undefined figure reads ``-``), terminal tables through
:func:`mlbalance._tables.table` (control sequences removed), Markdown through
:func:`mlbalance._tables.markdown_table` (HTML and ``|`` escaped) and HTML through
``mlbalance._svg`` (escaped, inline SVG, no external resources). JSON keeps names exactly
and never holds NaN.
"""

from __future__ import annotations

import html

from . import _svg
from ._evaluation import Evaluation, never_predicted
from ._tables import markdown_table, number, table
from ._text import markdown_text, terminal_text

__all__ = ["comparison_html", "comparison_markdown", "comparison_text", "evaluation_html", "evaluation_markdown",
           "evaluation_text", "summary_lines"]

_LABEL_HEADERS = ["label", "support", "precision", "recall", "F1", "AP", "ROC-AUC", "threshold"]
_SHOWN = 15  # names listed in a summary line


def _figure(x: object) -> str:
    return number(x, ".3f", undefined="-")


def _label_cells(x: dict) -> list[str]:
    return [_figure(x[key]) for key in ("precision", "recall", "f1", "average_precision", "roc_auc")] + [
        number(x["threshold"], ".4g")]



def summary_lines(e: Evaluation) -> list[str]:
    """Plain-language lines on what happened (e.g. labels the model never predicts).

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> from mlbalance._rendering import summary_lines
    >>> summary_lines(evaluate([[1, 1], [0, 1]], [[0.9, 0.1], [0.1, 0.2]]))[1]
    'never predicts 1 of the 2 labels with test positives: 1'
    """
    o = e.overall
    lines = [f"macro-F1 {_figure(o['macro_f1'])} over {o['labels_with_support']} labels with test positives "
             f"({o['labels_without_support']} without were left out); micro-F1 {_figure(o['micro_f1'])}"]
    never = [x["name"] for x in never_predicted(e.labels)]
    if never:
        shown = ", ".join(never[:_SHOWN]) + (", ..." if len(never) > _SHOWN else "")
        lines.append(f"never predicts {len(never)} of the {o['labels_with_support']} labels with test "
                     f"positives: {shown}")
    zero = [x["name"] for x in e.labels if x["support"] > 0 and x["predicted_positives"] > 0 and not x["tp"]]
    if zero:
        lines.append(f"predicts but never correctly: {', '.join(zero[:_SHOWN])}")
    flood = [x["name"] for x in e.labels if x["support"] and x["predicted_positives"] > 5 * x["support"]]
    if flood:
        lines.append(f"over-predicts (more than 5x its positives): {', '.join(flood[:_SHOWN])}")
    return lines


# --------------------------------------------------------------------------------------
# One evaluation
# --------------------------------------------------------------------------------------
def evaluation_text(e: Evaluation) -> str:
    """A terminal table: one line per label, then the aggregates and the summary.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> from mlbalance._rendering import evaluation_text
    >>> print(evaluation_text(evaluate([[1], [0]], [[0.9], [0.1]])).splitlines()[1])
    label  support  precision  recall     F1     AP    AUC  threshold
    """
    s = e.settings
    train = s["train_support"]
    headers = ["label", *(["train"] if train else []), "support", "precision", "recall", "F1", "AP", "AUC",
               "threshold"]
    rows = [[x["name"], *([x["train_support"]] if train else []), x["support"], *_label_cells(x)] for x in e.labels]
    o = e.overall
    rarest = ", ".join(f"{e.labels[j]['name']} (support {e.labels[j]['support']}, F1 {_figure(e.labels[j]['f1'])})"
                       for j in e.rare)
    lines = [f"{e.name}: {s['rows']} rows, {s['labels']} labels, thresholds {s['thresholds']}",
             *table(headers, rows),
             "",
             f"F1 micro {_figure(o['micro_f1'])}, macro {_figure(o['macro_f1'])}, weighted {_figure(o['weighted_f1'])}, "
             f"samples {_figure(o['samples_f1'])}",
             f"hamming loss {_figure(o['hamming_loss'])}, subset accuracy {_figure(o['subset_accuracy'])}, "
             f"LRAP {_figure(o['label_ranking_average_precision'])}, coverage error {_figure(o['coverage_error'])}",
             "rarest labels: " + rarest,
             *summary_lines(e)]
    return "\n".join(terminal_text(line) for line in lines)


def _overall_rows(o: dict) -> list[list[str]]:
    return [[key.replace("_", " "), _figure(value)] for key, value in o.items()]


def _label_rows(e: Evaluation) -> list[list[object]]:
    return [[x["name"], x["support"], *_label_cells(x)] for x in e.labels]


def evaluation_markdown(e: Evaluation) -> str:
    """A Markdown document: aggregates, summary, per-label table.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> from mlbalance._rendering import evaluation_markdown
    >>> evaluation_markdown(evaluate([[1], [0]], [[0.9], [0.1]])).splitlines()[0]
    '# Evaluation report: model'
    """
    lines = [f"# Evaluation report: {markdown_text(e.name)}", "",
             f"{e.settings['rows']} rows, {e.settings['labels']} labels; thresholds: {e.settings['thresholds']}.", "",
             *markdown_table(["measure", "value"], _overall_rows(e.overall)), "",
             *(f"- {markdown_text(line)}" for line in summary_lines(e)), "",
             *markdown_table(_LABEL_HEADERS, _label_rows(e))]
    return "\n".join(lines) + "\n"


def evaluation_html(e: Evaluation) -> str:
    """One self-contained HTML page: aggregates, summary, plots and the per-label table.

    Examples
    --------
    >>> from mlbalance._evaluation import evaluate
    >>> from mlbalance._rendering import evaluation_html
    >>> evaluation_html(evaluate([[1], [0]], [[0.9], [0.1]])).count("<svg")
    3
    """
    parts = [f"<p>{e.settings['rows']:,} rows, {e.settings['labels']} labels; thresholds: "
             f"{html.escape(str(e.settings['thresholds']))}.</p>",
             "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines(e)) + "</ul>",
             _svg.table(["measure", "value"], _overall_rows(e.overall)),
             "<h2>F1 against support</h2>",
             _svg.scatter([(x["support"], x["f1"], x["name"]) for x in e.labels if x["support"] > 0],
                          "test positives (log scale)", "F1"),
             "<h2>Precision-recall curves of the rarest labels</h2>",
             _svg.curves(e.curves, "recall", "precision"),
             "<h2>Thresholds</h2>",
             _svg.bars([(x["name"], x["threshold"]) for x in e.labels], "threshold"),
             "<h2>Per label</h2>",
             _svg.table(_LABEL_HEADERS, _label_rows(e))]
    return _svg.page(f"Evaluation report: {e.name}", "\n".join(parts))


# --------------------------------------------------------------------------------------
# Several runs side by side (``d`` is a ComparisonReport's to_dict())
# --------------------------------------------------------------------------------------
def thresholds_line(d: dict) -> str:
    """The thresholds of each run of a comparison, in one line (one setting shared by all: said once).

    Examples
    --------
    >>> from mlbalance._rendering import thresholds_line
    >>> thresholds_line({"runs": ["a", "b"], "thresholds": {"a": "0.5", "b": "0.5"}})
    'thresholds: 0.5'
    >>> thresholds_line({"runs": ["a", "b"], "thresholds": {"a": "tuned on these rows (optimistic)", "b": "0.5"}})
    'thresholds: a tuned on these rows (optimistic); b 0.5'
    """
    settings = [d["thresholds"][n] for n in d["runs"]]
    if len(set(settings)) == 1:
        return f"thresholds: {settings[0]}"
    return "thresholds: " + "; ".join(f"{n} {t}" for n, t in zip(d["runs"], settings))


def comparison_text(d: dict, evaluations: dict[str, Evaluation]) -> str:
    """Terminal tables: aggregates per run, then per-label F1 per run, then each run's summary.

    Examples
    --------
    >>> from mlbalance._evaluation import compare, evaluate
    >>> from mlbalance._rendering import comparison_text
    >>> runs = {"a": evaluate([[1], [0]], [[0.9], [0.1]])}
    >>> print(comparison_text({**compare(runs), "summary": {"a": []}}, runs))
    run  macro-F1  micro-F1  labels never predicted
    a       1.000     1.000  0 of 1
    <BLANKLINE>
    per-label F1 (labels with test positives):
    label  support      a
        0        1  1.000
    thresholds: 0.5
    """
    names = d["runs"]
    runs = [[n, _figure(d["overall"][n]["macro_f1"]), _figure(d["overall"][n]["micro_f1"]),
             f"{len(never_predicted(evaluations[n].labels))} of {d['overall'][n]['labels_with_support']}"]
            for n in names]
    per_label = [[x["name"], x["support"], *(_figure(x["f1"][n]) for n in names)] for x in d["labels"] if x["support"]]
    lines = [*table(["run", "macro-F1", "micro-F1", "labels never predicted"], runs, align="<>><"),
             "", "per-label F1 (labels with test positives):",
             *table(["label", "support", *names], per_label),
             *(f"{n}: {line}" for n in names for line in d["summary"][n]),
             thresholds_line(d)]
    return "\n".join(terminal_text(line) for line in lines)


def comparison_markdown(d: dict) -> str:
    """Markdown tables of the comparison.

    Examples
    --------
    >>> from mlbalance._evaluation import compare, evaluate
    >>> from mlbalance._rendering import comparison_markdown
    >>> comparison_markdown(compare({"a": evaluate([[1], [0]], [[0.9], [0.1]])})).splitlines()[0]
    '# Comparison: a'
    """
    names = d["runs"]
    runs = [[n, _figure(d["overall"][n]["macro_f1"]), _figure(d["overall"][n]["micro_f1"])] for n in names]
    per_label = [[x["name"], x["support"], *(_figure(x["f1"][n]) for n in names)] for x in d["labels"]]
    lines = [f"# Comparison: {', '.join(markdown_text(n) for n in names)}", "",
             markdown_text(thresholds_line(d)), "",
             *markdown_table(["run", "macro-F1", "micro-F1"], runs), "",
             *markdown_table(["label", "support", *names], per_label)]
    return "\n".join(lines) + "\n"


def comparison_html(d: dict) -> str:
    """A self-contained HTML page comparing the runs (tables and an F1-per-label plot).

    Examples
    --------
    >>> from mlbalance._evaluation import compare, evaluate
    >>> from mlbalance._rendering import comparison_html
    >>> d = {**compare({"a": evaluate([[1], [0]], [[0.9], [0.1]])}), "summary": {"a": ["fine"]}}
    >>> "<td>fine</td>" in comparison_html(d)
    True
    """
    names = d["runs"]
    supported = [x for x in d["labels"] if x["support"]]
    body = [
        f"<p>{html.escape(thresholds_line(d))}.</p>",
        _svg.table(["run", "macro-F1", "micro-F1", "what happened"],
                   [[n, _figure(d["overall"][n]["macro_f1"]), _figure(d["overall"][n]["micro_f1"]),
                     "; ".join(d["summary"][n])] for n in names]),
        "<h2>F1 per label</h2>",
        _svg.grouped_bars([x["name"] for x in supported], {n: [x["f1"][n] or 0.0 for x in supported] for n in names}),
        "<h2>Per label</h2>",
        _svg.table(["label", "support"] + names,
                   [[x["name"], x["support"]] + [_figure(x["f1"][n]) for n in names] for x in d["labels"]]),
    ]
    return _svg.page("Comparison: " + ", ".join(names), "\n".join(body))
