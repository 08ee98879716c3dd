"""mlbalance.sklearn: the per-label threshold meta-estimator and scorers, against scikit-learn's own pieces."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, KFold, TunedThresholdClassifierCV, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlbalance
from mlbalance._ranking import check_scores
from mlbalance.sklearn import (
    MultilabelTunedThresholdClassifierCV,
    label_scores,
    macro_average_precision_scorer,
    macro_f1_scorer,
)


def make_data(n=240, q=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = (X[:, :q] + rng.normal(size=(n, q)) > np.linspace(0.8, 1.6, q)).astype(int)
    return X, Y


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------------------
# scikit-learn's estimator checks
# --------------------------------------------------------------------------------------
_ONE_D_Y = ("passes a 1-D y; this estimator takes only a multi-label y of shape (n_samples, n_labels) "
            "and refuses a 1-D one with an error saying so")
_NOT_01 = ("passes a y whose values are not 0/1 (classes 1 and 2, several classes or text); this estimator takes "
           "0/1 label columns and names the offending entry in its error")
EXPECTED_FAILED_CHECKS = {
    "check_classifiers_train": "expects predict of shape (n_samples,) for a y of shape (n_samples, 1); this "
                               "estimator keeps the label axis, (n_samples, n_labels), as MultiOutputClassifier",
    "check_classifier_multioutput": "checks predict against predict_proba at 0.5; this estimator predicts at its "
                                    "tuned per-label thresholds, which is its purpose",
    "check_classifiers_one_label_sample_weights": _ONE_D_Y,
    "check_classifiers_regression_target": "passes a continuous y of shape (n_samples, 1): it is refused as "
                                           "'values other than 0 or 1', not with the word 'continuous'",
    "check_classifier_not_supporting_multiclass": _NOT_01,
    "check_classifier_data_not_an_array": _NOT_01,
    "check_classifiers_classes": _NOT_01,
    "check_estimators_dtypes": _NOT_01,
    "check_fit2d_1feature": _NOT_01,
    "check_complex_data": "its y is complex too, and y is checked (and named) before X reaches the estimator",
}


@parametrize_with_checks([MultilabelTunedThresholdClassifierCV(GaussianNB(), cv=2, min_positives=1)],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# --------------------------------------------------------------------------------------
# Against references
# --------------------------------------------------------------------------------------
def test_oof_scores_equal_cross_val_predict_with_the_same_folds():
    X, Y = make_data()
    folds = list(mlbalance.MultilabelStratifiedKFold(3, shuffle=True, random_state=0).split(X, Y))
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0,
                                                 store_cv_results=True).fit(X, Y)
    reference = cross_val_predict(MultiOutputClassifier(LogisticRegression()), X, Y, cv=folds, method="predict_proba")
    np.testing.assert_allclose(model.cv_results_["oof_scores"], np.column_stack([p[:, 1] for p in reference]),
                               rtol=0, atol=1e-12)
    expected_fold = np.empty(len(Y), dtype=int)
    for k, (_, test) in enumerate(folds):
        expected_fold[test] = k
    np.testing.assert_array_equal(model.cv_results_["test_fold"], expected_fold)
    # Thresholds are tune_thresholds on those scores; the refit is the plain estimator on all rows.
    oof = model.cv_results_["oof_scores"]
    np.testing.assert_array_equal(model.thresholds_, mlbalance.tune_thresholds(Y, oof).thresholds)
    full = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    np.testing.assert_allclose(model.predict_proba(X), np.column_stack([p[:, 1] for p in full.predict_proba(X)]))


def _single_split(n, seed=0):
    rng = np.random.default_rng(seed)
    rows = rng.permutation(n)
    return [(np.sort(rows[: n // 2]), np.sort(rows[n // 2:]))]


def test_one_label_matches_tuned_threshold_classifier_cv():
    """Same split, sklearn's candidate grid set to every distinct held-out score: the same threshold.

    With its default grid (100 evenly spaced thresholds) scikit-learn can only come close:
    mlbalance's threshold reaches the brute-force F1 optimum on the held-out scores.
    """
    X, Y = make_data(n=120, q=1)
    cv = _single_split(len(Y))
    ours = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=cv, placement="high", min_positives=1,
                                                store_cv_results=True).fit(X, Y)
    test = cv[0][1]
    held_out = ours.cv_results_["oof_scores"][test, 0]
    grid = np.unique(held_out)
    theirs = TunedThresholdClassifierCV(LogisticRegression(), scoring="f1", cv=cv, thresholds=grid,
                                        store_cv_results=True).fit(X, Y[:, 0])
    best = theirs.cv_results_["scores"]
    assert np.sum(best == best.max()) == 1  # a unique optimum, so no tie-breaking rule is involved
    assert ours.thresholds_[0] == theirs.best_threshold_
    assert ours.best_scores_[0] == pytest.approx(theirs.best_score_, abs=1e-12)
    np.testing.assert_array_equal(ours.predict(X)[:, 0], theirs.predict(X))
    # The brute-force optimum over every distinct score, and sklearn's default 100-point grid.
    brute = max(f1_score(Y[test, 0], held_out >= t) for t in grid)
    assert ours.best_scores_[0] == pytest.approx(brute, abs=1e-12)
    default = TunedThresholdClassifierCV(LogisticRegression(), scoring="f1", cv=cv).fit(X, Y[:, 0])
    assert f1_score(Y[test, 0], held_out >= default.best_threshold_) <= brute + 1e-12


def test_matches_multioutput_of_tuned_threshold_classifier_cv():
    X, Y = make_data(n=120, q=3, seed=1)
    cv = _single_split(len(Y), seed=1)
    ours = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=cv, placement="high", min_positives=1,
                                                store_cv_results=True).fit(X, Y)
    held_out = ours.cv_results_["oof_scores"][cv[0][1]]
    grid = np.unique(held_out)  # all labels' held-out scores: every label's candidates, and more
    theirs = MultiOutputClassifier(TunedThresholdClassifierCV(LogisticRegression(), scoring="f1", cv=cv,
                                                              thresholds=grid)).fit(X, Y)
    # The same F1 and the same held-out predictions. The thresholds themselves may differ inside one
    # gap between a label's own scores: other labels' scores in the grid fall there too, all giving the
    # same predictions, and scikit-learn takes the lowest of those tied grid points.
    their_thresholds = np.array([e.best_threshold_ for e in theirs.estimators_])
    np.testing.assert_allclose(ours.best_scores_, [e.best_score_ for e in theirs.estimators_], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(held_out >= ours.thresholds_, held_out >= their_thresholds)
    assert (their_thresholds <= ours.thresholds_).all()  # ours is the top of the gap with placement="high"


def test_predict_is_predict_proba_at_thresholds_and_decision_function_path():
    X, Y = make_data(seed=2)
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0).fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == Y.shape and pred.dtype.kind == "i" and set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (model.predict_proba(X) >= model.thresholds_).astype(int))
    assert not hasattr(model, "decision_function")  # MultiOutputClassifier has none
    assert isinstance(model.estimator_, MultiOutputClassifier) and model.n_features_in_ == 4
    logits = MultilabelTunedThresholdClassifierCV(OneVsRestClassifier(LogisticRegression()), cv=3, random_state=0,
                                                  response_method="decision_function").fit(X, Y)
    assert logits.response_method_ == "decision_function"
    np.testing.assert_array_equal(logits.predict(X), (logits.decision_function(X) >= logits.thresholds_).astype(int))
    # The same folds and rankings: decision_function is a monotone map of predict_proba for LR.
    np.testing.assert_allclose(1 / (1 + np.exp(-logits.thresholds_)), model.thresholds_, atol=0.02)


def test_pipeline_grid_search_clone_pickle():
    X, Y = make_data(n=160, seed=3)
    pipe = make_pipeline(StandardScaler(), MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=2,
                                                                                 random_state=0))
    cv = mlbalance.MultilabelStratifiedKFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, {"multilabeltunedthresholdclassifiercv__estimator__C": [0.01, 1.0]}, cv=cv,
                          scoring={"f1": macro_f1_scorer, "ap": macro_average_precision_scorer}, refit="f1")
    quiet(search.fit, X, Y)
    for key in ("mean_test_f1", "mean_test_ap"):
        assert np.isfinite(search.cv_results_[key]).all()
    assert search.predict(X).shape == Y.shape
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0, scoring="fbeta", beta=2)
    assert clone(model).get_params()["beta"] == 2
    fitted = model.fit(X, Y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(again.thresholds_, fitted.thresholds_)
    # F2 favours recall: thresholds no higher than F1's on the same folds.
    f1 = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0).fit(X, Y)
    assert (fitted.thresholds_ <= f1.thresholds_ + 1e-12).all()


def test_callable_scoring_is_exhaustive_and_agrees_with_the_f1_path_and_sklearn():
    X, Y = make_data(n=120, seed=9)
    cv = _single_split(len(Y), seed=2)
    settings_ = dict(cv=cv, placement="high", min_positives=1, store_cv_results=True)
    fast = MultilabelTunedThresholdClassifierCV(LogisticRegression(), **settings_).fit(X, Y)
    slow = MultilabelTunedThresholdClassifierCV(LogisticRegression(), scoring=f1_score, **settings_).fit(X, Y)
    np.testing.assert_array_equal(slow.thresholds_, fast.thresholds_)
    np.testing.assert_allclose(slow.best_scores_, fast.best_scores_, rtol=0, atol=1e-12)
    # Any metric: the best value over every distinct held-out score, as scikit-learn finds it on that grid.
    ba = MultilabelTunedThresholdClassifierCV(LogisticRegression(), scoring=balanced_accuracy_score,
                                              **settings_).fit(X, Y)
    held_out = ba.cv_results_["oof_scores"][cv[0][1]]
    for j in range(Y.shape[1]):
        grid = np.unique(held_out[:, j])
        theirs = TunedThresholdClassifierCV(LogisticRegression(), scoring="balanced_accuracy", cv=cv,
                                            thresholds=grid).fit(X, Y[:, j])
        assert ba.best_scores_[j] == pytest.approx(theirs.best_score_, abs=1e-12)
        brute = max(balanced_accuracy_score(Y[cv[0][1], j], held_out[:, j] >= t) for t in grid)
        assert ba.best_scores_[j] == pytest.approx(brute, abs=1e-12)
    with pytest.raises(ValueError, match="Calling it on label 0's 0/1 columns failed: TypeError"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), scoring=lambda: 0.0, cv=cv).fit(X, Y)
    with pytest.raises(ValueError, match="Expected scoring to return a finite number. Received: nan for label 0"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), scoring=lambda y, p: float("nan"), cv=cv).fit(X, Y)


def test_refit_false_keeps_the_training_part_estimator_and_needs_one_split():
    X, Y = make_data(seed=4)
    cv = _single_split(len(Y))
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=cv, refit=False).fit(X, Y)
    train = cv[0][0]
    part = MultiOutputClassifier(LogisticRegression()).fit(X[train], Y[train])
    np.testing.assert_allclose(model.predict_proba(X), np.column_stack([p[:, 1] for p in part.predict_proba(X)]))
    with pytest.raises(ValueError, match="single split when refit=False"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, refit=False).fit(X, Y)


def test_argument_and_fold_errors():
    X, Y = make_data(n=60)
    with pytest.raises(ValueError, match=r"Expected scoring to be 'f1', 'fbeta' or a metric .* Received: scoring='roc'"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), scoring="roc").fit(X, Y)
    with pytest.raises(ValueError, match="Expected cv to be an int >= 2"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=None).fit(X, Y)
    with pytest.raises(ValueError, match="Row .* is in the test part of split 0 and of split 1"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=[(np.arange(30), np.arange(30, 60))] * 2
                                             ).fit(X, Y)
    with pytest.raises(ValueError, match="y is 1-D"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression()).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="X with 59 rows, y with 60"):
        MultilabelTunedThresholdClassifierCV(LogisticRegression()).fit(X[:-1], Y)


def test_one_class_training_fold_warns_and_errors_name_the_label():
    X, Y = make_data(n=60)
    Y[:, 2] = X[:, 2] > 0
    Y[:, 1] = 0
    Y[:2, 1] = 1  # two positives, both in the first test fold of an unshuffled KFold
    cv = KFold(3)
    with pytest.warns(UserWarning, match=r"one class only in some training fold .*: 1: 1, 0\. .*LogisticRegression "
                                         r"raises, GridSearchCV gives nan"):
        with pytest.raises(ValueError, match=r"training fold 0 .* 1 label\(s\) have one class only in those rows: 1\."):
            MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=cv).fit(X, Y)
    # What the warning says will fail does fail: scikit-learn gives nan for that fold.
    search = GridSearchCV(MultiOutputClassifier(LogisticRegression()), {"estimator__C": [1.0]}, cv=cv,
                          scoring=macro_f1_scorer)
    with pytest.warns(FitFailedWarning, match="at least 2 classes"):
        quiet(search.fit, X, Y)
    assert np.isnan(search.cv_results_["split0_test_score"][0])
    # A tree accepts a one-class label: its (n, 1) probabilities read as 0 (it saw only class 0).
    tree = quiet(MultilabelTunedThresholdClassifierCV(DecisionTreeClassifier(max_depth=2, random_state=0), cv=cv,
                                                      min_positives=1, store_cv_results=True).fit, X, Y)
    assert (tree.cv_results_["oof_scores"][:20, 1] == 0).all()


def test_stratified_k_fold_warns_about_training_folds():
    y = np.zeros((30, 3), dtype=int)
    y[0, 0] = 1  # one positive: the training fold of its test fold has none
    y[:4, 1] = 1  # four positives: every training fold keeps one
    y[:, 2] = 1
    y[5, 2] = 0  # one negative: one training fold is all positive
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(mlbalance.MultilabelStratifiedKFold(5, shuffle=True, random_state=0).split(None, y))
    messages = [str(w.message) for w in caught if "training fold" in str(w.message)]
    assert len(messages) == 1
    assert ": 0: 1, 0; 2: 0, 1." in messages[0]


# --------------------------------------------------------------------------------------
# Scorers
# --------------------------------------------------------------------------------------
def test_scorers_equal_sklearn_metrics_where_every_label_has_positives():
    X, Y = make_data(seed=5)
    listed = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    proba = np.column_stack([p[:, 1] for p in listed.predict_proba(X)])
    assert macro_average_precision_scorer(listed, X, Y) == pytest.approx(
        average_precision_score(Y, proba, average="macro"), abs=1e-12)
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0).fit(X, Y)
    assert macro_f1_scorer(model, X, Y) == pytest.approx(f1_score(Y, model.predict(X), average="macro"), abs=1e-12)
    assert macro_average_precision_scorer(model, X, Y) == pytest.approx(
        average_precision_score(Y, model.predict_proba(X), average="macro"), abs=1e-12)


def test_scorers_leave_out_labels_without_positives_and_say_so():
    X, Y = make_data(seed=6)
    model = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    rows = np.flatnonzero(Y[:, 2] == 0)
    proba = np.column_stack([p[:, 1] for p in model.predict_proba(X[rows])])
    with pytest.warns(UserWarning, match=r"1 label\(s\) have no positive in the scored rows .*: 2\."):
        ap = macro_average_precision_scorer(model, X[rows], Y[rows])
    assert ap == pytest.approx(average_precision_score(Y[rows, :2], proba[:, :2], average="macro"), abs=1e-12)
    with pytest.warns(UserWarning, match="left out of the macro average: 2"):
        f1 = macro_f1_scorer(model, X[rows], Y[rows])
    assert f1 == pytest.approx(f1_score(Y[rows, :2], model.predict(X[rows])[:, :2], average="macro"), abs=1e-12)
    with pytest.raises(ValueError, match="at least one label with a positive"):
        macro_f1_scorer(model, X[rows], np.zeros_like(Y[rows]))


# --------------------------------------------------------------------------------------
# predict_proba's list form wherever scores are read
# --------------------------------------------------------------------------------------
def test_list_form_predict_proba_in_report_and_tune_thresholds():
    X, Y = make_data(seed=7)
    listed = MultiOutputClassifier(LogisticRegression()).fit(X, Y).predict_proba(X)
    stacked = np.column_stack([p[:, 1] for p in listed])
    tuned = mlbalance.tune_thresholds(Y, listed)
    np.testing.assert_array_equal(tuned.thresholds, mlbalance.tune_thresholds(Y, stacked).thresholds)
    np.testing.assert_array_equal(tuned.apply(listed), tuned.apply(stacked))
    report = mlbalance.evaluation_report(Y, listed, thresholds=tuned)
    assert report.to_dict() == mlbalance.evaluation_report(Y, stacked, thresholds=tuned).to_dict()


def test_list_form_errors_name_the_label():
    X, Y = make_data(seed=8)
    Y[:, 1] = 0
    listed = MultiOutputClassifier(DecisionTreeClassifier(max_depth=2)).fit(X, Y).predict_proba(X)
    assert listed[1].shape == (len(Y), 1)
    with pytest.raises(ValueError, match=r"y_score\[1\] \(label 1\) .* shape \(240, 1\).*saw one class only"):
        mlbalance.tune_thresholds(Y, listed)
    with pytest.raises(ValueError, match=r"y_score\[0\] \(label 0\) .* shape \(240, 3\)"):
        mlbalance.evaluation_report(Y, [np.zeros((240, 3))] + list(listed[:2]))
    with pytest.raises(ValueError, match="list of 2 per-label arrays but y_true has 3"):
        mlbalance.tune_thresholds(Y, listed[:2])
    # The meta-estimator's reader knows the one class from classes_: probability 0 for that label.
    scores, method = label_scores(MultiOutputClassifier(DecisionTreeClassifier(max_depth=2)).fit(X, Y), X, 3)
    assert method == "predict_proba" and (scores[:, 1] == 0).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 20), q=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_list_form_is_column_one(n, q, seed):
    rng = np.random.default_rng(seed)
    p = rng.random((n, q))
    listed = [np.column_stack([1 - p[:, j], p[:, j]]) for j in range(q)]
    np.testing.assert_array_equal(check_scores(listed, n, q), p)


def test_a_refit_keeps_nothing_of_the_previous_fit_and_custom_metric_thresholds_save_and_load(tmp_path):
    # Review findings: feature_names_in_ / cv_results_ outlived a refit on other data; thresholds tuned
    # for a callable metric saved a file TunedThresholds.load refused.
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    Y = (X + rng.normal(size=(120, 2)) > 0.5).astype(int)
    model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0, store_cv_results=True)
    model.fit(pd.DataFrame(X, columns=["a", "b"]), Y)
    assert list(model.feature_names_in_) == ["a", "b"] and hasattr(model, "cv_results_")
    model.set_params(store_cv_results=False, scoring=balanced_accuracy_score).fit(X, Y)
    assert not hasattr(model, "feature_names_in_") and not hasattr(model, "cv_results_")
    assert model.tuned_thresholds_.metric == "custom:balanced_accuracy_score"
    model.tuned_thresholds_.save(tmp_path / "t.json")
    back = mlbalance.TunedThresholds.load(tmp_path / "t.json")
    assert back.metric == "custom:balanced_accuracy_score" and back.thresholds.tolist() == model.thresholds_.tolist()
