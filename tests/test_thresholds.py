"""Per-label thresholds and the ranking core they are tuned from, every figure against scikit-learn."""

import json
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, f1_score, fbeta_score, roc_auc_score

import mlbalance
from mlbalance._ranking import average_precision, best_fbeta, label_curve
from mlbalance.io import read_thresholds


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
    assert best2 == pytest.approx(max(fbeta_score(y, (s >= t).astype(int), beta=2.0) for t in np.unique(s)), abs=1e-12)


# ================================================================ thresholds
def test_tuned_thresholds_reach_the_best_f1_on_the_tuning_data(make_data):
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


def test_threshold_arguments_and_input_errors(make_data):
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


def test_cross_fitted_predictions_are_out_of_fold_and_less_optimistic(make_data):
    y, s = make_data(600, 6, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(y, s, cv=5, random_state=0)
    assert t.oof_predictions.shape == y.shape
    in_sample = f1_score(y[:, :5], t.apply(s)[:, :5], average="macro")
    out_of_fold = f1_score(y[:, :5], t.oof_predictions[:, :5], average="macro")
    assert out_of_fold <= in_sample + 1e-12


def test_masked_entries_are_left_out_of_tuning(make_data):
    y, s = make_data(200, 3, seed=4)
    masked = y.copy()
    masked[:50, 0] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(masked, s, mask_value=-1)
        ref = mlbalance.tune_thresholds(y[50:, :1], s[50:, :1])
    assert t.thresholds[0] == pytest.approx(ref.thresholds[0])


# ================================================================ trust (issue #16)
def test_tune_thresholds_fallback_is_checked_like_a_threshold(make_data, quiet):
    y, s = make_data(80, 3, seed=9)
    for fallback in (1.5, -0.5):
        with pytest.raises(ValueError, match=rf"fallback to be in \[0, 1\].*Received: fallback={fallback}"):
            quiet(mlbalance.tune_thresholds, y, s, fallback=fallback)
    for fallback in (float("inf"), True, "0.5"):
        with pytest.raises(ValueError, match="Expected fallback to be a finite number"):
            quiet(mlbalance.tune_thresholds, y, s, fallback=fallback)
    assert quiet(mlbalance.tune_thresholds, y, s * 10 - 5, fallback=2.0, min_positives=1000).thresholds.tolist() == [2.0] * 3


def test_tuned_thresholds_must_be_finite_numbers():
    from mlbalance.thresholds import TunedThresholds
    with pytest.raises(ValueError, match="label 1 .* has nan"):
        TunedThresholds(np.array([0.3, np.nan]), np.array([1.0, 1.0]), (), 0.5, 5, "f1", 1.0, ("a", "b"))
    with pytest.raises(ValueError, match="not numbers"):
        TunedThresholds(np.array(["0.3", "0.5"]), np.array([1.0, 1.0]), (), 0.5, 5, "f1", 1.0, ("a", "b"))
    t = TunedThresholds([0, 1], [1.0, 1.0], (), 0.5, 5, "f1", 1.0, ("a", "b"))
    assert t.thresholds.dtype == np.float64 and t.apply([[0.5, 0.5]]).tolist() == [[1, 0]]


# ================================================================ the one thread pool (issue #17)
def test_thread_map_keeps_order_and_bounds_the_items_in_flight():
    import os
    import threading
    import time

    from mlbalance._ranking import thread_map

    lock, state = threading.Lock(), {"taken": 0, "done": 0, "most": 0}

    def items():
        for k in range(60):
            with lock:
                state["taken"] += 1
                state["most"] = max(state["most"], state["taken"] - state["done"])
            yield k, (60 - k) % 7

    def work(k, pause):
        time.sleep(pause / 2000)  # later items often finish first
        with lock:
            state["done"] += 1
        return k * k

    assert thread_map(work, items()) == [k * k for k in range(60)]
    assert state["most"] <= 2 * min(os.cpu_count() or 1, 8) + 1  # a generator of blocks is never run ahead
    with pytest.raises(ZeroDivisionError):
        thread_map(lambda k: 1 / k, ((k,) for k in range(3)))


def test_tuning_crosses_column_blocks_label_by_label(quiet):
    """More labels than one block of columns (64): every label's threshold is its own best F1."""
    rng = np.random.default_rng(15)
    y = (rng.random((300, 130)) < 0.2).astype(int)
    s = np.round(np.clip(0.3 * y + rng.random(y.shape) * 0.7, 0, 1), 2)
    t = quiet(mlbalance.tune_thresholds, y, s, min_positives=1)
    for j in (0, 63, 64, 127, 129):
        best = max(f1_score(y[:, j], (s[:, j] >= c).astype(int)) for c in np.unique(s[:, j]))
        assert t.tuned_scores[j] == pytest.approx(best, abs=1e-12)
        assert f1_score(y[:, j], t.apply(s)[:, j]) == pytest.approx(best, abs=1e-12)


# ================================================================ saved thresholds and the tuning rows' fingerprint
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 40), st.integers(1, 5), st.sampled_from(["f1", "fbeta"]),
       st.sampled_from(["midpoint", "low", "high"]))
def test_saved_thresholds_read_back_exactly(tmp_path_factory, seed, n, q, metric, placement):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, q)) < 0.4).astype(int)
    s = rng.random((n, q)).astype(rng.choice([np.float32, np.float64]))
    names = [f"label {j}" for j in range(q)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(y, s, metric, beta=float(rng.uniform(0.5, 3)), min_positives=2,
                                      placement=placement, label_names=names, fingerprint=True)
    path = tmp_path_factory.mktemp("t") / "t.json"
    t.save(path)
    back = mlbalance.TunedThresholds.load(path)
    assert back.thresholds.tobytes() == t.thresholds.tobytes()  # bit for bit
    np.testing.assert_array_equal(back.tuned_scores, t.tuned_scores)  # nan where a label fell back
    for field in ("fallback_labels", "fallback", "min_positives", "metric", "beta", "label_names", "placement",
                  "tuned_on"):
        assert getattr(back, field) == getattr(t, field), field
    order = rng.permutation(q)  # read by name in another label order
    read = read_thresholds(str(path), [names[j] for j in order])
    assert isinstance(read, mlbalance.TunedThresholds)
    assert read.thresholds.tolist() == t.thresholds[order].tolist()
    assert read.fallback_labels == tuple(k for k, j in enumerate(order) if j in t.fallback_labels)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 30), st.integers(1, 6))
def test_fingerprint_ignores_row_and_column_order_and_sees_any_change(seed, n, q):
    from mlbalance.thresholds import rows_fingerprint

    rng = np.random.default_rng(seed)
    y = (rng.random((n, q)) < 0.3).astype(int)
    s = rng.random((n, q))
    names = [f"l{j}" for j in range(q)]
    base = rows_fingerprint(y, s, label_names=names)
    rows, cols = rng.permutation(n), rng.permutation(q)
    assert rows_fingerprint(y[rows][:, cols], s[rows][:, cols], label_names=[names[j] for j in cols]) == base
    i, j = rng.integers(n), rng.integers(q)
    changed = s.copy()
    changed[i, j] = np.nextafter(changed[i, j], 2.0)  # one score, one ulp
    assert rows_fingerprint(y, changed, label_names=names) != base
    flipped = y.copy()
    flipped[i, j] = 1 - flipped[i, j]
    assert rows_fingerprint(flipped, s, label_names=names) != base
    masked = y.copy()
    masked[i, j] = -1
    assert rows_fingerprint(masked, s, label_names=names, mask_value=-1) != base
    if n > 1:  # a strict subset of the rows is other rows
        assert rows_fingerprint(y[1:], s[1:], label_names=names) != base


def test_report_says_optimistic_only_on_the_tuning_rows(make_data, tmp_path):
    y, s = make_data(n=400, q=4, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = mlbalance.tune_thresholds(y[:200], s[:200], fingerprint=True)
        plain = mlbalance.tune_thresholds(y[:200], s[:200])
    assert plain.tuned_on is None and plain.thresholds.tolist() == t.thresholds.tolist()
    rows = np.random.default_rng(0).permutation(200)
    assert "optimistic" in mlbalance.evaluation_report(y[rows], s[rows], t).to_text().splitlines()[0]
    assert "tuned per label" in mlbalance.evaluation_report(y[200:], s[200:], t).to_text().splitlines()[0]
    # Without a fingerprint, only the in-memory ranking (the same rows, in the same order) tells:
    assert "optimistic" in mlbalance.evaluation_report(y[:200], s[:200], plain).to_text().splitlines()[0]
    assert "tuned per label" in mlbalance.evaluation_report(y[rows], s[rows], plain).to_text().splitlines()[0]
    saved = tmp_path / "plain.json"
    plain.save(saved)  # a file keeps no ranking: without tuned_on it cannot tell the tuning rows
    loaded = mlbalance.TunedThresholds.load(saved)
    assert loaded.ranking is None
    assert "tuned per label" in mlbalance.evaluation_report(y[:200], s[:200], loaded).to_text().splitlines()[0]
    t.save(saved)
    assert "optimistic" in mlbalance.evaluation_report(y[rows], s[rows], mlbalance.TunedThresholds.load(saved)).to_text().splitlines()[0]


def test_a_thresholds_file_that_is_not_tuned_thresholds_says_what_is_wrong(tmp_path):
    path = tmp_path / "t.json"
    # A hand-written file without the saved settings is named thresholds (as before tune existed) ...
    path.write_text(json.dumps({"metric": "f1", "labels": [{"name": "b", "threshold": 0.25}, {"name": "a",
                                                                                             "threshold": 0.5}]}))
    assert read_thresholds(str(path), ["a", "b"]).tolist() == [0.5, 0.25]
    # ... and a saved one with a bad field says which:
    with pytest.raises(ValueError, match=r"t.json: expected the JSON of TunedThresholds.to_dict\(\).*Missing: labels"):
        mlbalance.TunedThresholds.from_dict({"metric": "f1", "beta": 1, "fallback": 0.5, "min_positives": 5}, where="t.json")
    path.write_text(json.dumps({"metric": "f2", "beta": 1, "fallback": 0.5, "min_positives": 5,
                                "labels": [{"name": "a", "threshold": 0.5}]}))
    with pytest.raises(ValueError, match=r"t.json: Expected metric to be one of"):
        read_thresholds(str(path), ["a"])
    path.write_text(json.dumps({"metric": "f1", "beta": 1, "fallback": 0.5, "min_positives": 5,
                                "labels": [{"name": "a", "threshold": "high"}]}))
    with pytest.raises(ValueError, match=r"label 'a': expected a threshold number. Received: 'high'"):
        read_thresholds(str(path), ["a"])


def test_rows_fingerprint_sees_sign_flips_and_reads_sparse_truth_alike():
    from mlbalance.thresholds import rows_fingerprint

    y = np.array([[1, 0], [0, 1], [1, 1]])
    s = np.array([[0.9, 0.2], [0.3, 0.8], [0.6, 0.4]])
    assert rows_fingerprint(y, s) != rows_fingerprint(y, -s)  # two flips per row cancelled in a plain sum
    assert rows_fingerprint(sp.csr_matrix(y), s) == rows_fingerprint(y, s)
