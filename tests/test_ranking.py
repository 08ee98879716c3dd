"""One ranking for thresholds and report: the one-pass, reused and separate paths agree exactly; no second sort."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import coverage_error, label_ranking_average_precision_score

import mlbalance
from mlbalance import _evaluation, _ranking, thresholds


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def _figures(report):
    """Everything of a report but the sentence saying how the thresholds were chosen."""
    d = report.to_dict()
    d["settings"] = {k: v for k, v in d["settings"].items() if k != "thresholds"}
    return d, report.curves


def _inputs(seed, n, q, decimals, logits, masked, sparse, dtype):
    rng = np.random.default_rng(seed)
    prevalence = rng.random(q) * 0.5
    y = (rng.random((n, q)) < prevalence).astype(np.int8)
    y[:, 0] = 0  # a label without positives
    s = (0.4 * y + rng.random((n, q))).astype(dtype)
    s = (np.round(s * 8 - 4, decimals) if logits else np.round(s / 1.4, decimals)).astype(dtype)  # ties
    truth, mask_value = y, None
    if masked:
        truth = y.astype(np.int64)
        truth[rng.random((n, q)) < 0.15] = -1
        mask_value = -1
    if sparse:
        truth = sp.csr_matrix(truth)
    return truth, s, mask_value


# ================================================================ one pass = reused = separate
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 60), st.integers(1, 7), st.integers(0, 2), st.booleans(),
       st.booleans(), st.booleans(), st.sampled_from([np.float32, np.float64]))
def test_one_pass_reused_and_separate_reports_are_identical(seed, n, q, decimals, logits, masked, sparse, dtype):
    y, s, mask_value = _inputs(seed, n, q, decimals, logits, masked, sparse, dtype)
    tuned = _quiet(mlbalance.tune_thresholds, y, s, mask_value=mask_value, fallback=0.0 if logits else 0.5)
    one_pass = mlbalance.evaluation_report(y, s, "tune", mask_value=mask_value) if not logits else None
    reused = mlbalance.evaluation_report(y, s, tuned, mask_value=mask_value)
    separate = mlbalance.evaluation_report(y, s, tuned.thresholds, mask_value=mask_value)  # numbers: a fresh pass
    assert reused.settings["thresholds"] == "tuned on these rows (optimistic)"
    assert separate.settings["thresholds"] == "per label"
    assert _figures(reused) == _figures(separate)  # exactly: same counts, curves and row measures
    if one_pass is not None:  # "tune" uses the default fallback 0.5, valid on probabilities
        assert _figures(one_pass) == _figures(reused)
    # The tuned F1 is the report's F1 at the tuned thresholds (tuned labels only).
    for j in set(range(q)) - set(tuned.fallback_labels):
        assert reused.labels[j]["f1"] == pytest.approx(tuned.tuned_scores[j], abs=1e-6)


def test_tune_sorts_each_column_once_and_a_report_of_the_same_rows_none_again(make_data, monkeypatch):
    y, s = make_data(200, 5, seed=3)
    calls = []

    def counting(m, scores, at):
        calls.append(scores.shape)
        return _ranking.rank_labels(m, scores, at)

    monkeypatch.setattr(thresholds, "rank_labels", counting)
    monkeypatch.setattr(_evaluation, "rank_labels", counting)
    mlbalance.evaluation_report(y, s, "tune")
    assert calls == [(200, 5)]
    tuned = _quiet(mlbalance.tune_thresholds, y, s)
    calls.clear()
    sorts = []
    monkeypatch.setattr(np, "sort", lambda *a, **k: sorts.append(1))  # the row pass sorts rows, never columns
    monkeypatch.setattr(_evaluation, "_ranking_block", lambda block, scores, q: (float(block.shape[0]), 0.0))
    r = mlbalance.evaluation_report(y, s, tuned)
    assert calls == [] and sorts == [] and r.settings["thresholds"] == "tuned on these rows (optimistic)"


def test_thresholds_tuned_on_other_rows_get_a_fresh_ranking(make_data, quiet):
    y, s = make_data(300, 4, seed=5)
    tuned = quiet(mlbalance.tune_thresholds, y, s)
    changed = s.copy()
    changed[[7, 8], 1] = changed[[8, 7], 1]  # two rows swapped within one column: same column sum
    others = [(y, changed), (y[::-1], s[::-1]), (y[:299], s[:299]), (np.roll(y, 1, axis=0), s)]
    for y2, s2 in others:
        r = mlbalance.evaluation_report(y2, s2, tuned)
        assert r.settings["thresholds"] == "tuned per label"
        assert _figures(r) == _figures(mlbalance.evaluation_report(y2, s2, tuned.thresholds))
    s[0, 0] = np.nextafter(s[0, 0], 2)  # changed in place after tuning: detected
    assert mlbalance.evaluation_report(y, s, tuned).settings["thresholds"] == "tuned per label"


def test_a_fingerprint_detects_any_single_change_or_swap():
    rng = np.random.default_rng(0)
    s = rng.random((50, 6)).astype(np.float32)
    m = mlbalance.as_label_matrix((rng.random((50, 6)) < 0.3).astype(int))
    base = _ranking.fingerprint(_ranking.label_rows(m), None, s.dtype, *_ranking.score_sums(s, _ranking.column_keys(s.shape[1])))
    for i, j in [(0, 0), (49, 5), (10, 3)]:
        t = s.copy()
        t[i, j] = np.nextafter(t[i, j], np.float32(2))
        assert _ranking.fingerprint(_ranking.label_rows(m), None, s.dtype, *_ranking.score_sums(t, _ranking.column_keys(t.shape[1]))) != base
    t = s.copy()
    t[[3, 4], 2] = t[[4, 3], 2]
    assert _ranking.fingerprint(_ranking.label_rows(m), None, s.dtype, *_ranking.score_sums(t, _ranking.column_keys(t.shape[1]))) != base
    m2 = mlbalance.as_label_matrix(np.roll(m.values, 1, axis=0))
    assert _ranking.fingerprint(_ranking.label_rows(m2), None, s.dtype, *_ranking.score_sums(s, _ranking.column_keys(s.shape[1]))) != base
    # Column pass and row pass agree bit for bit.
    assert _ranking.rank_labels(m, s, np.full(6, 0.5)).fingerprint == _evaluation._row_pass(m, s, np.full(6, 0.5))[
        "fingerprint"]


# ================================================================ the pieces against brute force / scikit-learn
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 80), st.integers(0, 2), st.sampled_from([np.float32, np.float64]))
def test_ranking_counts_match_brute_force_wherever_they_answer(seed, n, decimals, dtype):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 2)) < 0.4).astype(int)
    s = np.round(rng.random((n, 2)), decimals).astype(dtype)
    m = mlbalance.as_label_matrix(y)
    at = rng.random(2)
    ranking = _ranking.rank_labels(m, s, at)
    for j in range(2):
        assert (ranking.at_tp[j], ranking.at_fp[j]) == (((s[:, j] >= at[j]) & (y[:, j] == 1)).sum(),
                                                        ((s[:, j] >= at[j]) & (y[:, j] == 0)).sum())
    candidates = np.concatenate([s.ravel().astype(np.float64), rng.random(5) * 1.2 - 0.1, at])
    for t in candidates:
        counts = ranking.counts(np.full(2, t))
        if counts is None:
            continue
        predicted = s >= t
        assert counts[0].tolist() == (predicted & (y == 1)).sum(axis=0).tolist()
        assert counts[1].tolist() == (predicted & (y == 0)).sum(axis=0).tolist()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 40), st.integers(2, 30), st.integers(0, 2),
       st.sampled_from([np.float32, np.float64]))
def test_lrap_and_coverage_match_sklearn_with_ties(seed, n, q, decimals, dtype):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, q)) < rng.random()).astype(int)
    s = np.round(rng.random((n, q)), decimals).astype(dtype)
    m = mlbalance.as_label_matrix(y)
    rows = _evaluation._row_pass(m, s, np.full(q, 0.5))
    assert rows["lrap"] == pytest.approx(label_ranking_average_precision_score(y, s), abs=1e-9)
    assert rows["coverage"] == pytest.approx(coverage_error(y, s), abs=1e-9)


def test_thresholds_compare_exactly_in_the_scores_dtype():
    t = np.array([0.1, 0.30000001, -1e300, 1e300, 0.5])
    exact = _ranking.at_least(t, np.dtype(np.float32))
    values = np.array([0.1, 0.3, 0.30000001, 0.5, -3.4e38, 3.4e38], dtype=np.float32)
    assert exact.dtype == np.float32
    assert ((values[:, None] >= exact) == (values.astype(np.float64)[:, None] >= t)).all()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_are_located(bad):
    s = np.full((3, 2), 0.5)
    s[2, 1] = bad
    with pytest.raises(ValueError, match=rf"1 non-finite value\(s\); the first is at row 2, column 1: {bad!r}"):
        mlbalance.evaluation_report([[1, 0], [0, 1], [1, 1]], s)


def test_scores_moved_within_rows_or_sign_flipped_get_a_fresh_ranking():
    # Review finding: plain per-row and per-column sums of bit patterns matched for a checkerboard
    # swap, so the report reused the stale ranking and printed macro-F1 1.0 (the truth: 0.0).
    y = np.array([[1, 0], [0, 1]])
    s1 = np.array([[0.9, 0.1], [0.1, 0.9]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tuned = mlbalance.tune_thresholds(y, s1, min_positives=1)
    for other in (s1[:, ::-1].copy(), -s1, np.array([[0.9, -0.1], [-0.1, 0.9]])):
        report = mlbalance.evaluation_report(y, other, tuned)
        assert report.settings["thresholds"] == "tuned per label"
        plain = mlbalance.evaluation_report(y, other, np.asarray(tuned.thresholds))
        assert report.overall == plain.overall
    assert mlbalance.evaluation_report(y, s1, tuned).settings["thresholds"] == "tuned on these rows (optimistic)"
