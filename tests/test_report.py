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
