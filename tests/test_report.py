"""Thresholds and the evaluation report, every figure against scikit-learn."""

import json
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
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
from mlbalance._ranking import average_precision, best_fbeta, label_curve


def make_data(n=300, q=8, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    prevalence = rng.random(q) * 0.3 + 0.05
    y = (rng.random((n, q)) < prevalence).astype(int)
    y[:, -1] = 0  # a label without support
    scores = np.clip(0.35 * y + rng.random((n, q)) * 0.65, 0, 1)
    if ties:
        scores = np.round(scores, 1)
    return y, scores


# ================================================================ ranking core
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 120), st.integers(1, 3))
def test_curve_matches_sklearn_auc_ap_and_best_f1(seed, n, decimals):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rng.random()).astype(int)
    if y.sum() == 0 or y.sum() == n:
        return
    s = np.round(rng.random(n) + y * rng.random(), decimals)  # many ties
    curve = label_curve(s[y == 1], s[y == 0])
    assert curve.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert average_precision(curve) == pytest.approx(average_precision_score(y, s), abs=1e-12)
    _, best = best_fbeta(curve)
    assert best == pytest.approx(max(f1_score(y, (s >= t).astype(int)) for t in np.unique(s)), abs=1e-12)
    _, best2 = best_fbeta(curve, beta=2.0)
    from sklearn.metrics import fbeta_score
    assert best2 == pytest.approx(max(fbeta_score(y, (s >= t).astype(int), beta=2.0) for t in np.unique(s)), abs=1e-12)


# ================================================================ thresholds
def test_tuned_thresholds_reach_the_best_f1_on_the_tuning_data():
    y, s = make_data()
    with pytest.warns(UserWarning, match=r"fewer than 5 positives.*fallback threshold 0.5: 7"):
        t = mlbalance.tune_thresholds(y, s)
    assert t.fallback_labels == (7,)
    predictions = t.apply(s)
    for j in range(7):
        best = max(f1_score(y[:, j], (s[:, j] >= c).astype(int)) for c in np.unique(s[:, j]))
        assert f1_score(y[:, j], predictions[:, j]) == pytest.approx(best)
        assert t.tuned_scores[j] == pytest.approx(best)
    assert np.array(t).shape == (8,) and t.thresholds[7] == 0.5
    # Sparse truth gives the same thresholds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_allclose(mlbalance.tune_thresholds(sp.csr_matrix(y), s).thresholds, t.thresholds)
    assert json.dumps(t.to_dict())


def test_threshold_arguments_and_input_errors():
    y, s = make_data(50, 3)
    for kwargs, match in [({"metric": "auc"}, "metric"), ({"beta": 0}, "beta"), ({"min_positives": 0}, "min_positives"),
                          ({"fallback": float("nan")}, "fallback"), ({"cv": 1}, "cv"),
                          ({"placement": "lowest"}, r"placement to be one of \('midpoint', 'low', 'high'\)")]:
        with pytest.raises(ValueError, match=match), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            mlbalance.tune_thresholds(y, s, **kwargs)
    with pytest.raises(ValueError, match=r"y_score has shape \(50, 2\) but y_true has shape \(50, 3\)"):
        mlbalance.tune_thresholds(y, s[:, :2])
    bad = s.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="row 4, column 1: nan"):
        mlbalance.tune_thresholds(y, bad)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(4, 80), st.integers(1, 3), st.sampled_from([np.float32, np.float64]))
def test_every_placement_makes_the_same_predictions_on_the_tuning_rows(seed, n, decimals, dtype):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 3)) < 0.3).astype(int)
    y[0] = 1
    s = np.round(rng.random((n, 3)) + y * rng.random((n, 3)), decimals).astype(dtype)  # ties
    t = {p: mlbalance.tune_thresholds(y, s, min_positives=1, placement=p) for p in ("low", "midpoint", "high")}
    for p, tuned in t.items():
        assert tuned.placement == p and tuned.to_dict()["placement"] == p
        np.testing.assert_array_equal(tuned.apply(s), t["midpoint"].apply(s))
        np.testing.assert_array_equal(tuned.tuned_scores, t["midpoint"].tuned_scores)
    assert (t["low"].thresholds <= t["midpoint"].thresholds).all()
    assert (t["midpoint"].thresholds <= t["high"].thresholds).all()
    for j in range(3):
        column = s[:, j]
        assert dtype(t["high"].thresholds[j]) in column  # the lowest score kept
        below = column[column < t["high"].thresholds[j]]
        expected_low = np.nextafter(below.max(), dtype(np.inf)) if below.size else t["high"].thresholds[j]
        assert t["low"].thresholds[j] == expected_low  # the next score up, in the scores' own precision
        for p in ("low", "high"):  # still exact after a cast to that precision
            cast = column >= dtype(t[p].thresholds[j])
            np.testing.assert_array_equal(cast, t["midpoint"].apply(s)[:, j].astype(bool))


def test_low_placement_keeps_a_new_positive_that_the_midpoint_drops():
    y = np.array([[1], [1], [0], [0], [0]])
    s = np.array([[0.9], [0.8], [0.4], [0.2], [0.1]])
    new_rows = np.array([[0.5], [0.7]])  # a new positive scoring below the tuning positives
    mid = mlbalance.tune_thresholds(y, s, min_positives=1)
    low = mlbalance.tune_thresholds(y, s, min_positives=1, placement="low", cv=2, random_state=0)
    assert mid.thresholds[0] == pytest.approx(0.6) and low.thresholds[0] == np.nextafter(0.4, 1.0)
    assert mid.apply(new_rows).ravel().tolist() == [0, 1] and low.apply(new_rows).ravel().tolist() == [1, 1]
    assert low.oof_predictions.shape == (5, 1)


def test_cross_fitted_predictions_are_out_of_fold_and_less_optimistic():
    y, s = make_data(600, 6, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(y, s, cv=5, random_state=0)
    assert t.oof_predictions.shape == y.shape
    in_sample = f1_score(y[:, :5], t.apply(s)[:, :5], average="macro")
    out_of_fold = f1_score(y[:, :5], t.oof_predictions[:, :5], average="macro")
    assert out_of_fold <= in_sample + 1e-12


def test_masked_entries_are_left_out_of_tuning():
    y, s = make_data(200, 3, seed=4)
    masked = y.copy()
    masked[:50, 0] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(masked, s, mask_value=-1)
        ref = mlbalance.tune_thresholds(y[50:, :1], s[50:, :1])
    assert t.thresholds[0] == pytest.approx(ref.thresholds[0])


# ================================================================ the report
@pytest.mark.parametrize("ties", [False, True])
def test_report_figures_match_sklearn(ties):
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


def test_report_formats_and_summary_lines(tmp_path):
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


def test_tune_option_and_threshold_errors():
    y, s = make_data(200, 4, seed=5)
    r = mlbalance.evaluation_report(y, s, "tune")
    assert "optimistic" in r.settings["thresholds"]
    with pytest.raises(ValueError, match="'tune'"):
        mlbalance.evaluation_report(y, s, "best")
    with pytest.raises(ValueError, match="one per label"):
        mlbalance.evaluation_report(y, s, [0.5, 0.5])
    with pytest.raises(ValueError, match="y_train has 3 labels"):
        mlbalance.evaluation_report(y, s, y_train=y[:, :3])


def test_masked_report_uses_observed_entries_only():
    y, s = make_data(300, 3, seed=6)
    masked = y.copy()
    masked[:100, 1] = -1
    r = mlbalance.evaluation_report(masked, s, 0.5, mask_value=-1)
    pred = (s >= 0.5).astype(int)
    assert r.labels[1]["f1"] == pytest.approx(f1_score(y[100:, 1], pred[100:, 1]), abs=1e-6)
    assert r.overall["label_ranking_average_precision"] is None


def test_compare_reports():
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
def test_thresholds_must_be_finite_and_in_0_1_on_probabilities(thresholds, match):
    y, s = make_data(60, 8)
    with pytest.raises(ValueError, match=match):
        mlbalance.evaluation_report(y, s, thresholds)


def test_a_nan_threshold_used_to_give_every_f1_as_0():
    y, s = make_data(60, 8)
    with pytest.raises(ValueError, match="finite"):
        mlbalance.evaluation_report(y, s, float("nan"))  # before: a report with every F1 at 0


def test_logit_scores_accept_any_finite_threshold():
    y, s = make_data(200, 4, seed=3)
    logits = np.log(np.clip(s, 1e-3, 1 - 1e-3) / (1 - np.clip(s, 1e-3, 1 - 1e-3)))
    r = mlbalance.evaluation_report(y, logits, [-1.0, 0.0, 1.5, 3.0])
    pred = logits >= np.array([-1.0, 0.0, 1.5, 3.0])
    assert r.labels[2]["f1"] == pytest.approx(f1_score(y[:, 2], pred[:, 2]), abs=1e-6)
    tuned = quiet_tune(y, logits, fallback=-2.0, min_positives=60)
    assert np.isfinite(tuned.thresholds).all() and -2.0 in tuned.thresholds
    assert tuned.apply(logits).shape == logits.shape


def test_tuned_thresholds_from_logits_are_refused_on_probabilities():
    y, s = make_data(300, 3, seed=4)
    logits = 8 * s - 4
    tuned = mlbalance.tune_thresholds(y[:, :2], logits[:, :2])
    assert (np.abs(tuned.thresholds) > 1).any()
    with pytest.raises(ValueError, match="scores are probabilities"):
        tuned.apply(s[:, :2])
    with pytest.raises(ValueError, match="scores are probabilities"):
        mlbalance.evaluation_report(y[:, :2], s[:, :2], tuned)


def test_tuned_thresholds_of_the_wrong_length_are_a_clear_error():
    y, s = make_data(120, 4, seed=8)
    tuned = quiet_tune(y[:, :3], s[:, :3])
    with pytest.raises(ValueError, match=r"TunedThresholds for 3 label\(s\), but y_true has 4"):
        mlbalance.evaluation_report(y, s, tuned)  # was an IndexError
    with pytest.raises(ValueError, match=r"y_score has shape \(120, 4\), but these thresholds are for 3 label"):
        tuned.apply(s)  # was a NumPy broadcasting error
    with pytest.raises(ValueError, match=r"y_score has shape \(3,\)"):
        tuned.apply(s[0, :3])
    named = quiet_tune(y, s, label_names=list("abcd"))
    with pytest.raises(ValueError, match="column 0 is 'a' in the TunedThresholds but 'w' in y_true"):
        mlbalance.evaluation_report(y, s, named, label_names=list("wxyz"))
    assert mlbalance.evaluation_report(y, s, named).labels[0]["threshold"] == named.thresholds[0]


def quiet_tune(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return mlbalance.tune_thresholds(*args, **kwargs)


def test_tune_thresholds_fallback_is_checked_like_a_threshold():
    y, s = make_data(80, 3, seed=9)
    for fallback in (1.5, -0.5):
        with pytest.raises(ValueError, match=rf"fallback to be in \[0, 1\].*Received: fallback={fallback}"):
            quiet_tune(y, s, fallback=fallback)
    for fallback in (float("inf"), True, "0.5"):
        with pytest.raises(ValueError, match="Expected fallback to be a finite number"):
            quiet_tune(y, s, fallback=fallback)
    assert quiet_tune(y, s * 10 - 5, fallback=2.0, min_positives=1000).thresholds.tolist() == [2.0] * 3


def test_tuned_thresholds_must_be_finite_numbers():
    from mlbalance.thresholds import TunedThresholds
    with pytest.raises(ValueError, match="label 1 .* has nan"):
        TunedThresholds(np.array([0.3, np.nan]), np.array([1.0, 1.0]), (), 0.5, 5, "f1", 1.0, ("a", "b"))
    with pytest.raises(ValueError, match="not numbers"):
        TunedThresholds(np.array(["0.3", "0.5"]), np.array([1.0, 1.0]), (), 0.5, 5, "f1", 1.0, ("a", "b"))
    t = TunedThresholds([0, 1], [1.0, 1.0], (), 0.5, 5, "f1", 1.0, ("a", "b"))
    assert t.thresholds.dtype == np.float64 and t.apply([[0.5, 0.5]]).tolist() == [[1, 0]]


def test_everything_masked_gives_stated_undefined_figures():
    y = np.full((4, 2), -1)
    r = mlbalance.evaluation_report(y, np.full((4, 2), 0.7), mask_value=-1)  # was a ZeroDivisionError
    o = r.overall
    assert o["hamming_loss"] is None and o["samples_f1"] is None and o["subset_accuracy"] is None
    assert o["micro_f1"] is None and o["macro_f1"] is None and o["labels_with_support"] == 0
    assert "hamming loss -" in r.to_text() and "nan" not in r.to_json() + r.to_markdown() + r.to_text()


def test_fully_masked_rows_are_left_out_of_the_row_measures():
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


def test_names_are_escaped_in_markdown_and_stripped_in_text():
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


def test_markdown_tables_keep_their_columns_with_pipes_in_names():
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


def test_save_chooses_the_format_by_extension_and_writes_atomically(tmp_path, monkeypatch):
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
