"""The evaluation report, every figure against scikit-learn; its layout (figures apart from rendering)."""

import ast
import json
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import (
    average_precision_score,
    coverage_error,
    f1_score,
    hamming_loss,
    label_ranking_average_precision_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

import mlbalance

SRC = pathlib.Path(mlbalance.__file__).parent


# ================================================================ the report
@pytest.mark.parametrize("ties", [False, True])
def test_report_figures_match_sklearn(ties, make_data):
    y, s = make_data(400, 8, seed=1, ties=ties)
    thresholds = np.linspace(0.4, 0.6, 8)
    r = mlbalance.evaluation_report(y, s, thresholds, label_names=[f"L{j}" for j in range(8)], y_train=y)
    pred = (s >= thresholds).astype(int)
    supported = y.sum(axis=0) > 0
    for j, x in enumerate(r.labels):
        assert x["support"] == y[:, j].sum() and x["train_support"] == y[:, j].sum()
        if supported[j]:
            assert x["precision"] == pytest.approx(precision_score(y[:, j], pred[:, j], zero_division=np.nan), abs=1e-6)
            assert x["recall"] == pytest.approx(recall_score(y[:, j], pred[:, j]), abs=1e-6)
            assert x["f1"] == pytest.approx(f1_score(y[:, j], pred[:, j]), abs=1e-6)
            assert x["average_precision"] == pytest.approx(average_precision_score(y[:, j], s[:, j]), abs=1e-6)
            assert x["roc_auc"] == pytest.approx(roc_auc_score(y[:, j], s[:, j]), abs=1e-6)
        else:
            assert x["recall"] is None and x["average_precision"] is None and x["roc_auc"] is None
    o = r.overall
    assert o["micro_f1"] == pytest.approx(f1_score(y, pred, average="micro"), abs=1e-6)
    assert o["macro_f1"] == pytest.approx(f1_score(y[:, supported], pred[:, supported], average="macro"), abs=1e-6)
    assert o["weighted_f1"] == pytest.approx(f1_score(y, pred, average="weighted", zero_division=0), abs=1e-6)
    assert o["samples_f1"] == pytest.approx(f1_score(y, pred, average="samples", zero_division=1.0), abs=1e-6)
    assert o["hamming_loss"] == pytest.approx(hamming_loss(y, pred), abs=1e-6)
    assert o["subset_accuracy"] == pytest.approx(np.mean(np.all(y == pred, axis=1)), abs=1e-6)
    assert o["label_ranking_average_precision"] == pytest.approx(label_ranking_average_precision_score(y, s), abs=1e-6)
    assert o["coverage_error"] == pytest.approx(coverage_error(y, s), abs=1e-6)
    assert o["labels_without_support"] == 1 and o["labels_with_support"] == 7
    # sparse truth: identical report
    assert mlbalance.evaluation_report(sp.csr_matrix(y), s, thresholds).overall == {
        k: v for k, v in mlbalance.evaluation_report(y, s, thresholds).overall.items()}


def test_report_formats_and_summary_lines(tmp_path, make_data):
    y, s = make_data(200, 6, seed=2)
    s[:, 2] = 0.0  # label 2 is never predicted
    r = mlbalance.evaluation_report(y, s, 0.5, label_names=list("abcdef"), name="bce")
    assert any("never predicts" in line and "c" in line for line in r.summary())
    d = json.loads(r.to_json())
    assert d["name"] == "bce" and len(d["labels"]) == 6 and d["rare_labels"]
    assert "| a |" in r.to_markdown() and "F1 micro" in r.to_text()
    page = r.to_html(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == page
    for name in "abcde":
        assert f">{name}<" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # self-contained: no external resources


def test_tune_option_and_threshold_errors(make_data):
    y, s = make_data(200, 4, seed=5)
    r = mlbalance.evaluation_report(y, s, "tune")
    assert "optimistic" in r.settings["thresholds"]
    with pytest.raises(ValueError, match="'tune'"):
        mlbalance.evaluation_report(y, s, "best")
    with pytest.raises(ValueError, match="one per label"):
        mlbalance.evaluation_report(y, s, [0.5, 0.5])
    with pytest.raises(ValueError, match="y_train has 3 labels"):
        mlbalance.evaluation_report(y, s, y_train=y[:, :3])


def test_masked_report_uses_observed_entries_only(make_data):
    y, s = make_data(300, 3, seed=6)
    masked = y.copy()
    masked[:100, 1] = -1
    r = mlbalance.evaluation_report(masked, s, 0.5, mask_value=-1)
    pred = (s >= 0.5).astype(int)
    assert r.labels[1]["f1"] == pytest.approx(f1_score(y[100:, 1], pred[100:, 1]), abs=1e-6)
    assert r.overall["label_ranking_average_precision"] is None


def test_compare_reports(make_data):
    y, s = make_data(200, 5, seed=7)
    weak = np.full_like(s, 0.1)
    c = mlbalance.compare_reports({"bce": mlbalance.evaluation_report(y, weak, name="bce"),
                                   "weighted": mlbalance.evaluation_report(y, s, name="weighted")})
    d = c.to_dict()
    assert d["runs"] == ["bce", "weighted"] and d["baseline"] == "bce"
    assert all(x["delta_f1"]["weighted"] >= 0 for x in d["labels"] if x["support"])
    assert "never predicted" in c.to_text() and "| bce |" in c.to_markdown() and "<svg" in c.to_html()
    with pytest.raises(ValueError, match="same labels"):
        mlbalance.compare_reports({"a": mlbalance.evaluation_report(y, s),
                                   "b": mlbalance.evaluation_report(y[:, :2], s[:, :2])})


# ================================================================ trust (issue #16)
@pytest.mark.parametrize("thresholds, match", [
    (float("nan"), "thresholds must be finite; label 0 has nan"),
    (float("inf"), "thresholds must be finite"),
    ([0.5, np.nan, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], "label 1 has nan"),
    (1.5, r"thresholds for label 0 is 1.5, outside \[0, 1\], but the scores are probabilities"),
    ([0.5, 0.5, -0.1, 0.5, 0.5, 0.5, 0.5, 0.5], "label 2 is -0.1, outside"),
    (True, "Expected thresholds to be a finite number"),
    ("0.5", "'tune'"),
    (["0.5"] * 8, "not numbers"),
    ([0.5, 0.5], "Expected thresholds to be a number or 8 values, one per label"),
])
def test_thresholds_must_be_finite_and_in_0_1_on_probabilities(thresholds, match, make_data):
    y, s = make_data(60, 8)
    with pytest.raises(ValueError, match=match):
        mlbalance.evaluation_report(y, s, thresholds)


def test_a_nan_threshold_used_to_give_every_f1_as_0(make_data):
    y, s = make_data(60, 8)
    with pytest.raises(ValueError, match="finite"):
        mlbalance.evaluation_report(y, s, float("nan"))  # before: a report with every F1 at 0


def test_logit_scores_accept_any_finite_threshold(make_data, quiet):
    y, s = make_data(200, 4, seed=3)
    logits = np.log(np.clip(s, 1e-3, 1 - 1e-3) / (1 - np.clip(s, 1e-3, 1 - 1e-3)))
    r = mlbalance.evaluation_report(y, logits, [-1.0, 0.0, 1.5, 3.0])
    pred = logits >= np.array([-1.0, 0.0, 1.5, 3.0])
    assert r.labels[2]["f1"] == pytest.approx(f1_score(y[:, 2], pred[:, 2]), abs=1e-6)
    tuned = quiet(mlbalance.tune_thresholds, y, logits, fallback=-2.0, min_positives=60)
    assert np.isfinite(tuned.thresholds).all() and -2.0 in tuned.thresholds
    assert tuned.apply(logits).shape == logits.shape


def test_tuned_thresholds_from_logits_are_refused_on_probabilities(make_data):
    y, s = make_data(300, 3, seed=4)
    logits = 8 * s - 4
    tuned = mlbalance.tune_thresholds(y[:, :2], logits[:, :2])
    assert (np.abs(tuned.thresholds) > 1).any()
    with pytest.raises(ValueError, match="scores are probabilities"):
        tuned.apply(s[:, :2])
    with pytest.raises(ValueError, match="scores are probabilities"):
        mlbalance.evaluation_report(y[:, :2], s[:, :2], tuned)


def test_tuned_thresholds_of_the_wrong_length_are_a_clear_error(make_data, quiet):
    y, s = make_data(120, 4, seed=8)
    tuned = quiet(mlbalance.tune_thresholds, y[:, :3], s[:, :3])
    with pytest.raises(ValueError, match=r"TunedThresholds for 3 label\(s\), but y_true has 4"):
        mlbalance.evaluation_report(y, s, tuned)  # was an IndexError
    with pytest.raises(ValueError, match=r"y_score has shape \(120, 4\), but these thresholds are for 3 label"):
        tuned.apply(s)  # was a NumPy broadcasting error
    with pytest.raises(ValueError, match=r"y_score has shape \(3,\)"):
        tuned.apply(s[0, :3])
    named = quiet(mlbalance.tune_thresholds, y, s, label_names=list("abcd"))
    with pytest.raises(ValueError, match="column 0 is 'a' in the TunedThresholds but 'w' in y_true"):
        mlbalance.evaluation_report(y, s, named, label_names=list("wxyz"))
    assert mlbalance.evaluation_report(y, s, named).labels[0]["threshold"] == named.thresholds[0]


def test_everything_masked_gives_stated_undefined_figures():
    y = np.full((4, 2), -1)
    r = mlbalance.evaluation_report(y, np.full((4, 2), 0.7), mask_value=-1)  # was a ZeroDivisionError
    o = r.overall
    assert o["hamming_loss"] is None and o["samples_f1"] is None and o["subset_accuracy"] is None
    assert o["micro_f1"] is None and o["macro_f1"] is None and o["labels_with_support"] == 0
    assert "hamming loss -" in r.to_text() and "nan" not in r.to_json() + r.to_markdown() + r.to_text()


def test_fully_masked_rows_are_left_out_of_the_row_measures(make_data):
    y, s = make_data(200, 4, seed=10)
    masked = y.copy()
    masked[:50] = -1  # rows 0-49 have no observed entry
    pred = (s >= 0.5).astype(int)
    r = mlbalance.evaluation_report(masked, s, 0.5, mask_value=-1)
    # Before, each fully masked row counted as a perfect row (F1 1, exactly right).
    assert r.overall["samples_f1"] == pytest.approx(f1_score(y[50:], pred[50:], average="samples", zero_division=1),
                                                    abs=1e-6)
    assert r.overall["subset_accuracy"] == pytest.approx(np.mean((y[50:] == pred[50:]).all(axis=1)), abs=1e-6)
    assert r.overall["hamming_loss"] == pytest.approx(hamming_loss(y[50:], pred[50:]), abs=1e-6)


HOSTILE = ["<script>alert(1)</script>", "a|b", "\x1b[2J\x1b]0;pwned\x07red", "line\nbreak"]


def test_names_are_escaped_in_markdown_and_stripped_in_text(make_data):
    y, s = make_data(100, 4, seed=11)
    r = mlbalance.evaluation_report(y, s, label_names=HOSTILE, name="<img src=x onerror=alert(1)>|run")
    c = mlbalance.compare_reports({"<b>bce</b>": r, "\x1b[31mfocal": r})
    for md in (r.to_markdown(), c.to_markdown()):
        assert "<script>" not in md and "<img" not in md and "<b>" not in md and "\x1b" not in md
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "| a\\|b |" in md
        assert_tables_keep_their_columns(md)
    for text in (r.to_text(), str(r), c.to_text(), str(c)):
        assert "\x1b" not in text and "\x07" not in text and "\nbreak" not in text
    assert "line break" in r.to_text() and "focal" in c.to_text()
    for page in (r.to_html(), c.to_html()):
        assert "<script>" not in page and "<img" not in page and "<b>bce" not in page
        assert "&lt;script&gt;" in page
    assert json.loads(r.to_json())["labels"][0]["name"] == HOSTILE[0]  # JSON keeps the name exactly


def test_markdown_tables_keep_their_columns_with_pipes_in_names(make_data):
    y, s = make_data(50, 2, seed=12)
    assert_tables_keep_their_columns(mlbalance.evaluation_report(y, s, label_names=["x|y", "z\\|w"]).to_markdown())


def assert_tables_keep_their_columns(md):
    """Every row of every Markdown table has as many cells as the table's header."""
    tables, current = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert tables
    for table in tables:
        widths = {len(_split_cells(row)) for row in table}
        assert len(widths) == 1, table


def _split_cells(row):
    """A GFM table row's cells: split on | not escaped by a backslash."""
    cells, cell, k = [], "", 1
    while k < len(row):
        if row[k] == "\\" and k + 1 < len(row):
            cell += row[k:k + 2]
            k += 2
            continue
        if row[k] == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += row[k]
        k += 1
    return cells


def test_json_never_holds_nan_even_for_degenerate_input():
    cases = [(np.zeros((5, 3), int), np.zeros((5, 3))), (np.ones((5, 3), int), np.ones((5, 3))),
             (np.full((5, 3), -1), np.full((5, 3), 0.5))]
    for y, s in cases:
        r = mlbalance.evaluation_report(y, s, mask_value=-1)
        for text in (r.to_json(), mlbalance.compare_reports({"a": r, "b": r}).to_json()):
            json.loads(text)  # allow_nan=False would have raised
            assert "NaN" not in text and "Infinity" not in text


def test_save_chooses_the_format_by_extension_and_writes_atomically(tmp_path, monkeypatch, make_data):
    y, s = make_data(50, 3, seed=13)
    r = mlbalance.evaluation_report(y, s)
    c = mlbalance.compare_reports({"a": r})
    for report in (r, c):
        for ext, start in ((".html", "<!DOCTYPE html>"), (".md", "# "), (".JSON", "{")):
            path = tmp_path / f"out{ext}"
            assert report.save(path) == path.read_text() and path.read_text().startswith(start)
        with pytest.raises(ValueError, match=r"Expected path to end in .html, .json or .md.*'out.txt'"):
            report.save("out.txt")
    # A failure while writing leaves the previous file as it was (before: truncated, half-written).
    path = tmp_path / "keep.md"
    path.write_text("previous")

    def fail(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mlbalance._files.os.fsync", fail)
    with pytest.raises(OSError, match="keep.md"):
        r.save(path)
    assert path.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()).count("keep.md") == 1
    with pytest.raises(OSError):
        r.to_html(tmp_path / "keep.md")
    assert path.read_text() == "previous"


def test_compare_reports_needs_string_run_names():
    r = mlbalance.evaluation_report([[1], [0]], [[0.9], [0.1]])
    with pytest.raises(ValueError, match=r"name \(str\): EvaluationReport.*Received: 1: EvaluationReport"):
        mlbalance.compare_reports({1: r})
    with pytest.raises(ValueError, match="Received: 'a': dict"):
        mlbalance.compare_reports({"a": r.to_dict()})


# ================================================================ layout and text tables (issue #17)
def imported_modules(path):
    """Every module a source file imports (relative imports as ``mlbalance.<name>``), at any depth."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "mlbalance." + (node.module or "") if node.level else node.module
            names.add(base.rstrip("."))
            if node.level and not node.module:  # from . import _svg
                names.update(f"mlbalance.{alias.name}" for alias in node.names)
    return names


def test_the_computing_module_imports_no_rendering_code():
    rendering = {"mlbalance._svg", "mlbalance._rendering", "mlbalance._tables", "mlbalance._text", "mlbalance.report",
                 "html", "json"}
    direct = imported_modules(SRC / "_evaluation.py")
    assert "mlbalance._ranking" in direct and not direct & rendering, direct & rendering
    # Nor through the package modules it uses (the report's own rendering modules are never reached).
    seen, todo = set(), [m for m in direct if m.startswith("mlbalance.")]
    while todo:
        module = todo.pop()
        if module in seen or not (SRC / f"{module.removeprefix('mlbalance.')}.py").exists():
            continue
        seen.add(module)
        todo += [m for m in imported_modules(SRC / f"{module.removeprefix('mlbalance.')}.py") if m.startswith("mlbalance.")]
    assert not seen & {"mlbalance._svg", "mlbalance._rendering", "mlbalance.report"}, seen
    # The rendering module computes nothing of its own: it reads figures and formats them.
    assert not imported_modules(SRC / "_rendering.py") & {"numpy", "scipy.sparse", "mlbalance._ranking"}


def test_one_thread_pool_for_the_per_label_and_per_row_work():
    users = sorted(p.name for p in SRC.glob("*.py") if "ThreadPoolExecutor" in p.read_text())
    assert users == ["_ranking.py"]  # thresholds and report both go through _ranking.thread_map


def test_report_figures_match_sklearn_across_column_and_row_blocks():
    """More labels than one column block (64) and more rows than one row block (4096), sparse truth."""
    rng = np.random.default_rng(14)
    y = (rng.random((4500, 70)) < np.linspace(0.002, 0.2, 70)).astype(np.int8)
    s = np.clip(0.3 * y + rng.random(y.shape, dtype=np.float32) * 0.7, 0, 1)
    r = mlbalance.evaluation_report(sp.csr_matrix(y), s, 0.5)
    pred = (s >= 0.5).astype(int)
    for j in (0, 63, 64, 69):
        assert r.labels[j]["f1"] == pytest.approx(f1_score(y[:, j], pred[:, j]), abs=1e-6)
        assert r.labels[j]["average_precision"] == pytest.approx(average_precision_score(y[:, j], s[:, j]), abs=1e-6)
    o = r.overall
    assert o["samples_f1"] == pytest.approx(f1_score(y, pred, average="samples", zero_division=1.0), abs=1e-6)
    assert o["subset_accuracy"] == pytest.approx(np.mean(np.all(y == pred, axis=1)), abs=1e-6)
    assert o["label_ranking_average_precision"] == pytest.approx(label_ranking_average_precision_score(y, s),
                                                                 abs=1e-6)
    assert o["coverage_error"] == pytest.approx(coverage_error(y, s), abs=1e-6)


def test_text_tables_stay_aligned_with_large_counts():
    # A label with 123,456 training positives: the train column was a fixed 5 characters wide, so its
    # row stuck out one character past the header and every column after it was shifted.
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    train = sp.csr_matrix(np.ones((123_456, 2), dtype=np.int8))
    r = mlbalance.evaluation_report(y, [[0.9, 0.2], [0.1, 0.8], [0.7, 0.6], [0.2, 0.1]], y_train=train)
    lines = r.to_text().splitlines()[1:4]  # header and the two label rows
    assert lines[1].split()[1] == "123456"
    assert len({len(line) for line in lines}) == 1, lines  # right-aligned columns: every line equally long
    assert lines[0].index("support") + len("support") == lines[1].index(" 2 ") + 2  # support under its header


def test_comparison_text_keeps_run_names_apart():
    # Run names were cut to 10 characters in the per-label header: "asymmetric +ft" and
    # "asymmetric +ft +cRT" both read "asymmetric", so a reader could not tell whose F1 was whose.
    y = np.array([[1, 0], [0, 1], [1, 1]])
    runs = {"asymmetric +ft": mlbalance.evaluation_report(y, np.full((3, 2), 0.4)),
            "asymmetric +ft +cRT": mlbalance.evaluation_report(y, np.full((3, 2), 0.6))}
    text = mlbalance.compare_reports(runs).to_text()
    header = next(line for line in text.splitlines() if line.lstrip().startswith("label"))
    assert header.split("  ")[-2:] == ["asymmetric +ft", "asymmetric +ft +cRT"]
    rows = text.splitlines()
    assert rows[1].startswith("asymmetric +ft       ") and rows[2].startswith("asymmetric +ft +cRT  ")
