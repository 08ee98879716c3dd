"""scikit-learn side: per-label threshold tuning as a meta-estimator, and multi-label scorers.

:class:`MultilabelTunedThresholdClassifierCV` does for a multi-label target what
scikit-learn's ``TunedThresholdClassifierCV`` does for one binary target: it cross-fits
clones of an estimator (with :class:`mlbalance.MultilabelStratifiedKFold` when ``cv`` is an
int), tunes every label's threshold on the out-of-fold scores with
:func:`mlbalance.tune_thresholds`, and refits on all rows. :func:`macro_f1_scorer` and
:func:`macro_average_precision_scorer` are scorers for ``cross_validate`` and
``GridSearchCV(scoring=...)``.

This module imports scikit-learn; ``import mlbalance`` does not (it loads on first use).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.multioutput import MultiOutputClassifier
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._ranking import average_precision, check_scores, is_per_label_list, rank_labels
from ._validation import check_bool, check_choice, check_int, check_number
from .labels import LabelMatrix, as_label_matrix, describe_labels
from .split import MultilabelStratifiedKFold, take_rows, warn_one_class_training
from .thresholds import CUSTOM_METRIC_PREFIX, TunedThresholds, place_threshold, tune_thresholds

# The first three are top-level names too (mlbalance.MultilabelTunedThresholdClassifierCV, ...).
__all__ = ["MultilabelTunedThresholdClassifierCV", "macro_average_precision_scorer", "macro_f1_scorer",
           "tune_with_metric"]

_RESPONSE_METHODS = ("auto", "predict_proba", "decision_function")


# --------------------------------------------------------------------------------------
# Reading per-label scores from a fitted estimator
# --------------------------------------------------------------------------------------
def _response_methods(response_method: str) -> tuple[str, ...]:
    check_choice("response_method", response_method, _RESPONSE_METHODS)
    return ("predict_proba", "decision_function") if response_method == "auto" else (response_method,)


def _positive_probabilities(proba: list, classes: Any) -> list:
    """Per-label arrays with a one-class label (``classes_[j]`` of length 1) made two-column.

    The stated rule: a label whose classifier saw only class ``c`` in training gets positive
    probability 1 if ``c`` is 1, else 0, for every row.
    """
    if not isinstance(classes, (list, tuple)) or len(classes) != len(proba):
        return proba
    out = []
    for a, c in zip(proba, classes):
        a, c = np.asarray(a), np.asarray(c)
        if a.ndim == 2 and a.shape[1] == 1 and c.shape == (1,):
            positive = float(c[0] == 1)
            a = np.column_stack([np.full(a.shape[0], 1.0 - positive), np.full(a.shape[0], positive)])
        out.append(a)
    return out


def label_scores(estimator: Any, X: Any, n_labels: int, response_method: str = "auto") -> tuple[np.ndarray, str]:
    """A fitted estimator's per-label scores for ``X`` as an ``(n_samples, n_labels)`` array, and the method used.

    ``predict_proba`` may return an ``(n, q)`` array or a list of q ``(n, 2)`` arrays
    (``MultiOutputClassifier``, multi-output trees and neighbours): column 1 of each is
    read. A label whose classifier saw one class only (an ``(n, 1)`` array, ``classes_[j]``
    of one class ``c``) gets probability ``float(c == 1)`` on every row. With one label, an
    estimator that treats the ``(n, 1)`` target as binary returns ``(n, 2)``: column 1 is read.
    ``decision_function`` must return ``(n, q)`` (or ``(n,)`` for one label).

    Parameters
    ----------
    estimator : fitted estimator
    X : array-like
    n_labels : int
    response_method : {"auto", "predict_proba", "decision_function"}, default "auto"
        ``"auto"`` uses ``predict_proba`` when the estimator has it, else ``decision_function``.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_labels)
    method : str

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mlbalance.sklearn import label_scores
    >>> X, Y = np.arange(8.0).reshape(4, 2), np.array([[0, 0], [0, 0], [1, 0], [1, 0]])
    >>> tree = DecisionTreeClassifier().fit(X, Y)  # label 1 has one class: its predict_proba is (4, 1)
    >>> scores, method = label_scores(tree, X, 2)
    >>> scores.tolist(), method
    ([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 0.0]], 'predict_proba')
    """
    for method in _response_methods(response_method):
        if not hasattr(estimator, method):
            continue
        raw = getattr(estimator, method)(X)
        if is_per_label_list(raw):
            raw = _positive_probabilities(list(raw), getattr(estimator, "classes_", None))
        elif n_labels == 1 and method == "predict_proba" and np.ndim(raw) == 2 and np.shape(raw)[1] == 2:
            raw = np.asarray(raw)[:, 1:]  # one label fitted as a binary target: column 1 is class 1
        elif n_labels == 1 and method == "decision_function" and np.ndim(raw) == 1:
            raw = np.asarray(raw).reshape(-1, 1)
        n_rows = raw[0].shape[0] if is_per_label_list(raw) else np.shape(raw)[0]
        return check_scores(raw, n_rows, n_labels, name=f"{type(estimator).__name__}.{method}(X)"), method
    raise ValueError(
        f"Expected an estimator with {' or '.join(_response_methods(response_method))}. Received: "
        f"{type(estimator).__name__}, which has neither. Use a classifier with predict_proba, or "
        "response_method='auto'."
    )


def _label_matrix(y: Any) -> tuple[LabelMatrix, np.ndarray]:
    """The checked label matrix and its dense int64 0/1 values (what scikit-learn estimators take)."""
    m = as_label_matrix(y)
    values = m.values.toarray() if m.is_sparse else np.asarray(m.values)
    return m, values.astype(np.int64)


def per_label_fbeta(y_true: np.ndarray, y_pred: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """F-beta of each label column; 0.0 where it is undefined (no positive, none predicted).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.sklearn import per_label_fbeta
    >>> per_label_fbeta(np.array([[1, 0], [1, 0]]), np.array([[1, 0], [0, 0]])).tolist()
    [0.6666666666666666, 0.0]
    """
    truth, pred = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    tp = (truth & pred).sum(axis=0).astype(np.float64)
    fp = (~truth & pred).sum(axis=0)
    fn = (truth & ~pred).sum(axis=0)
    b2 = beta * beta
    denominator = (1 + b2) * tp + b2 * fn + fp
    return np.divide((1 + b2) * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def _metric_value(score_func: Callable, y: np.ndarray, pred: np.ndarray, label: str) -> float:
    try:
        value = score_func(y, pred)
    except Exception as err:  # a user function: say which label and what it was given
        raise ValueError(f"Expected scoring to be 'f1', 'fbeta' or a metric score_func(y_true, y_pred) -> float "
                         f"(e.g. sklearn.metrics.balanced_accuracy_score). Calling it on label {label}'s 0/1 "
                         f"columns failed: {type(err).__name__}: {err}") from None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"Expected scoring to return a finite number. Received: {value!r} for label {label}.")
    return float(value)


def tune_with_metric(y_true: np.ndarray, y_score: np.ndarray, score_func: Callable, *, min_positives: int = 5,
                     fallback: float = 0.5, placement: str = "midpoint",
                     label_names: Sequence[str] | None = None) -> TunedThresholds:
    """Per-label thresholds maximising any ``score_func(y_true, y_pred)`` (higher is better), exhaustively.

    Each label's candidates are its distinct scores (every different set of predictions a
    threshold can make that predicts at least one row), so the maximum is exact; the cost is
    one ``score_func`` call per distinct score and label. Ties go to the highest threshold;
    ``placement`` puts the threshold in its gap as :func:`mlbalance.tune_thresholds` does, and
    labels with fewer than ``min_positives`` positives get ``fallback`` (warned, as there).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import balanced_accuracy_score
    >>> from mlbalance.sklearn import tune_with_metric
    >>> y = np.array([[1], [1], [0], [0], [0]])
    >>> s = np.array([[0.9], [0.4], [0.5], [0.2], [0.1]])
    >>> t = tune_with_metric(y, s, balanced_accuracy_score, min_positives=1)
    >>> t.thresholds.round(3).tolist(), t.tuned_scores.round(3).tolist(), t.metric
    ([0.3], [0.833], 'custom:balanced_accuracy_score')
    """
    base = tune_thresholds(y_true, y_score, min_positives=min_positives, fallback=fallback, placement=placement,
                           label_names=label_names)
    m = as_label_matrix(y_true, label_names=label_names)
    truth = m.values.toarray() if m.is_sparse else np.asarray(m.values)
    scores = check_scores(y_score, m.n_samples, m.n_labels)
    thresholds, tuned = base.thresholds.copy(), np.full(m.n_labels, np.nan)
    for j in sorted(set(range(m.n_labels)) - set(base.fallback_labels)):
        column = scores[:, j]
        candidates = np.unique(column)  # ascending
        label = describe_labels([j], m.label_names)
        values = np.array([_metric_value(score_func, truth[:, j], (column >= c).astype(np.int64), label)
                           for c in candidates])
        best = candidates.size - 1 - int(np.argmax(values[::-1]))  # ties: the highest threshold
        below = candidates[best - 1] if best > 0 else None
        thresholds[j] = place_threshold(candidates[best], below, placement, scores.dtype)
        tuned[j] = values[best]
    name = CUSTOM_METRIC_PREFIX + getattr(score_func, "__name__", type(score_func).__name__)
    return TunedThresholds(thresholds, tuned, base.fallback_labels, base.fallback, base.min_positives, name, 1.0,
                           m.label_names, None, placement)


# --------------------------------------------------------------------------------------
# The meta-estimator
# --------------------------------------------------------------------------------------
_FITTED_ATTRIBUTES = ("estimator_", "tuned_thresholds_", "thresholds_", "response_method_", "best_scores_",
                      "classes_", "cv_results_", "n_features_in_", "feature_names_in_")


def _fits_multi_output(estimator: Any) -> bool:
    try:
        return bool(get_tags(estimator).target_tags.multi_output)
    except (AttributeError, TypeError, ValueError):
        return False


def _base_estimator(estimator: Any) -> Any:
    """``estimator`` itself when it takes a multi-label y, else ``MultiOutputClassifier(estimator)``."""
    return estimator if _fits_multi_output(estimator) else MultiOutputClassifier(estimator)


def _inner_has(method: str):
    def check(self: MultilabelTunedThresholdClassifierCV) -> bool:
        inner = self.estimator_ if hasattr(self, "estimator_") else _base_estimator(self.estimator)
        getattr(inner, method)  # AttributeError hides the method, as scikit-learn's meta-estimators do
        return True

    return check


def _fit_params(params: dict, n_samples: int, rows: np.ndarray) -> dict:
    """Fit parameters for a subset of rows: sample-aligned arrays are indexed, the rest passed as they are."""
    return {key: take_rows(value, rows) if hasattr(value, "__len__") and not isinstance(value, str)
            and len(value) == n_samples else value for key, value in params.items()}


def _fit_one(estimator: Any, X: Any, Y: np.ndarray, rows: np.ndarray | None, params: dict, where: str,
             label_names: tuple) -> Any:
    """Fit ``estimator`` on ``rows`` (all rows if None); a failure with one-class labels says which."""
    X_fit, Y_fit = (X, Y) if rows is None else (take_rows(X, rows), Y[rows])
    try:
        return estimator.fit(X_fit, Y_fit, **(params if rows is None else _fit_params(params, Y.shape[0], rows)))
    except ValueError as err:
        positives = Y_fit.sum(axis=0)
        one_class = np.flatnonzero((positives == 0) | (positives == Y_fit.shape[0]))
        if not one_class.size:
            raise
        raise ValueError(
            f"Fitting {type(estimator).__name__} on {where} ({Y_fit.shape[0]} rows) failed, and "
            f"{one_class.size} label(s) have one class only in those rows: "
            f"{describe_labels(one_class, label_names)}. Use fewer folds (cv=...), drop or merge those labels, "
            f"or use an estimator that accepts a constant label. The estimator said: {err}"
        ) from None


def _fit_and_score(estimator, X, Y, train, test, params, response_method, fold, label_names, keep):
    _fit_one(estimator, X, Y, train, params, f"training fold {fold}", label_names)
    scores, method = label_scores(estimator, take_rows(X, test), Y.shape[1], response_method)
    return scores, method, estimator if keep else None


def _check_folds(folds: list, n_samples: int) -> tuple[list, np.ndarray]:
    """Integer (train, test) pairs; each row in at most one test fold. Returns the test fold of each row (-1: none)."""
    if not folds:
        raise ValueError("Expected cv to give at least one (train, test) split. Received: none.")
    test_fold = np.full(n_samples, -1, dtype=np.int64)
    checked = []
    for k, pair in enumerate(folds):
        try:
            train, test = (np.asarray(part) for part in pair)
        except (TypeError, ValueError):
            raise ValueError(f"Expected cv to give (train_index, test_index) pairs. Received at split {k}: "
                             f"{type(pair).__name__}.") from None
        for name, index in (("train", train), ("test", test)):
            if index.ndim != 1 or index.dtype.kind not in "iu" or index.size == 0 \
                    or index.min() < 0 or index.max() >= n_samples:
                raise ValueError(f"Expected split {k}'s {name} index to be a non-empty 1-D array of row "
                                 f"indices in [0, {n_samples}). Received: shape {index.shape}, dtype {index.dtype}.")
        again = np.flatnonzero(test_fold[test] >= 0)
        if again.size:
            row = int(test[again[0]])
            raise ValueError(f"Row {row} is in the test part of split {int(test_fold[row])} and of split {k}: "
                             "out-of-fold scores need each row in at most one test part (a partition such as "
                             "k-fold, or a single train/test split).")
        test_fold[test] = k
        checked.append((train, test))
    return checked, test_fold


class MultilabelTunedThresholdClassifierCV(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Tune one decision threshold per label on out-of-fold scores, then refit (multi-label).

    scikit-learn's ``TunedThresholdClassifierCV`` for a multi-label ``y`` of shape
    ``(n_samples, n_labels)``: clones of ``estimator`` are fitted on each training fold, every
    row's scores come from the fold that did not see it, each label's threshold maximises F1
    (or F-beta) on those out-of-fold scores (:func:`mlbalance.tune_thresholds`: exact, every
    distinct score is a candidate, no grid), and ``estimator`` is refitted on all rows.

    Parameters
    ----------
    estimator : estimator
        A classifier with ``predict_proba`` or ``decision_function``. One that does not take a
        multi-label ``y`` (its tags say ``target_tags.multi_output=False``, e.g.
        ``LogisticRegression``) is fitted one label at a time as
        ``MultiOutputClassifier(estimator)``; ``estimator_`` is then that wrapper.
    scoring : {"f1", "fbeta"} or callable, default "f1"
        The metric each label's threshold maximises. ``"f1"`` and ``"fbeta"`` take the exact
        one-sort path of :func:`mlbalance.tune_thresholds`. A callable
        ``score_func(y_true, y_pred) -> float`` (higher is better, e.g.
        ``sklearn.metrics.balanced_accuracy_score``) is called on each label's 0/1 columns at
        every distinct out-of-fold score (exact too, one call per distinct score and label:
        slower on many rows); see :func:`mlbalance.sklearn.tune_with_metric`.
    beta : float > 0, default 1.0
        For ``scoring="fbeta"``.
    cv : int >= 2, splitter or iterable of (train, test), default 5
        An int is ``MultilabelStratifiedKFold(cv, shuffle=True, random_state=random_state)``.
        Each row may be in at most one test part; rows in none are left out of the tuning.
    refit : bool, default True
        Refit on all rows. ``False`` keeps the estimator fitted on the training part and needs
        a cv with a single split.
    placement : {"midpoint", "low", "high"}, default "midpoint"
        Where in the best threshold's gap to put it (see :func:`mlbalance.tune_thresholds`).
    min_positives : int >= 1, default 5
        Labels with fewer out-of-fold positives get ``fallback`` (a ``UserWarning`` names them).
    fallback : float or "auto", default "auto"
        In the units of the scores: ``"auto"`` is 0.5 for ``predict_proba`` and 0.0 for
        ``decision_function``.
    response_method : {"auto", "predict_proba", "decision_function"}, default "auto"
        ``"auto"``: ``predict_proba`` when the estimator has it, else ``decision_function``.
        ``predict`` uses the same method as the tuning.
    random_state : int, RandomState or None
        For the folds when ``cv`` is an int.
    n_jobs : int or None
        Folds fitted in parallel (joblib).
    store_cv_results : bool, default False
        Keep the out-of-fold scores in ``cv_results_``.

    Attributes
    ----------
    estimator_ : estimator
        Fitted on all rows (or on the training part with ``refit=False``).
    thresholds_ : ndarray of shape (n_labels,)
        Predict a label when its score is >= its threshold.
    tuned_thresholds_ : TunedThresholds
        The thresholds with their settings and fallback labels.
    best_scores_ : ndarray of shape (n_labels,)
        Each label's out-of-fold ``scoring`` value at its threshold (F-beta: 0.0 where undefined,
        no positive and none predicted).
    response_method_ : str
        ``"predict_proba"`` or ``"decision_function"``.
    classes_ : list of ndarray
        ``[array([0, 1])] * n_labels``, as ``MultiOutputClassifier``.
    n_features_in_, feature_names_in_
        From ``estimator_`` when it has them.
    cv_results_ : dict
        With ``store_cv_results``: ``"oof_scores"`` (n_samples, n_labels) and ``"test_fold"``
        (each row's test split, -1 for none).

    Examples
    --------
    >>> import numpy as np, warnings
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = (X[:, :3] + rng.normal(size=(300, 3)) > [1.0, 1.5, 2.0]).astype(int)
    >>> model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0).fit(X, Y)
    >>> model.thresholds_.round(2).tolist(), model.best_scores_.round(2).tolist()
    ([0.4, 0.18, 0.17], [0.65, 0.57, 0.48])
    >>> bool((model.predict(X) == (model.predict_proba(X) >= model.thresholds_)).all())
    True
    """

    def __init__(self, estimator: Any, *, scoring: str = "f1", beta: float = 1.0, cv: Any = 5, refit: bool = True,
                 placement: str = "midpoint", min_positives: int = 5, fallback: float | str = "auto",
                 response_method: str = "auto", random_state: Any = None, n_jobs: int | None = None,
                 store_cv_results: bool = False) -> None:
        self.estimator = estimator
        self.scoring = scoring
        self.beta = beta
        self.cv = cv
        self.refit = refit
        self.placement = placement
        self.min_positives = min_positives
        self.fallback = fallback
        self.response_method = response_method
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.store_cv_results = store_cv_results

    def _check_params(self) -> None:
        if not callable(self.scoring):
            try:
                check_choice("scoring", self.scoring, ("f1", "fbeta"))
            except ValueError:
                raise ValueError(f"Expected scoring to be 'f1', 'fbeta' or a metric function score_func(y_true, "
                                 f"y_pred) -> float. Received: scoring={self.scoring!r}") from None
        check_number("beta", self.beta, low=0, low_open=True)
        check_bool("refit", self.refit)
        check_choice("placement", self.placement, ("midpoint", "low", "high"))
        check_int("min_positives", self.min_positives, low=1)
        if not (isinstance(self.fallback, str) and self.fallback == "auto"):
            check_number("fallback", self.fallback)
        _response_methods(self.response_method)
        check_int("n_jobs", self.n_jobs, allow_none=True)
        check_bool("store_cv_results", self.store_cv_results)

    def _folds(self, X: Any, m: LabelMatrix, Y: np.ndarray) -> list:
        cv = self.cv
        if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            check_int("cv", cv, low=2)
            cv = MultilabelStratifiedKFold(int(cv), shuffle=True, random_state=self.random_state)
        if hasattr(cv, "split"):
            folds = list(cv.split(X, Y))
        elif isinstance(cv, Iterable) and not isinstance(cv, (str, bytes)):
            folds = list(cv)
        else:
            raise ValueError(f"Expected cv to be an int >= 2, a splitter with split(X, y) or an iterable of "
                             f"(train, test) index pairs. Received: cv={self.cv!r}")
        folds, test_fold = _check_folds(folds, m.n_samples)
        if not isinstance(cv, MultilabelStratifiedKFold):  # that one warns itself
            train_positives = np.array([Y[train].sum(axis=0) for train, _ in folds])
            warn_one_class_training(m, train_positives, np.array([train.size for train, _ in folds]), stacklevel=4)
        if not self.refit and len(folds) > 1:
            raise ValueError(f"Expected a cv with a single split when refit=False (the estimator fitted on its "
                             f"training part is kept). Received: {len(folds)} splits.")
        return folds, test_fold

    def fit(self, X: Any, y: Any, **params: Any) -> MultilabelTunedThresholdClassifierCV:
        """Cross-fit, tune each label's threshold on the out-of-fold scores, refit.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Anything ``estimator.fit`` accepts (rows are taken with ``take_rows``).
        y : multi-label target of shape (n_samples, n_labels)
            0/1 dense, sparse, a DataFrame (its column names become the label names) or label lists.
        **params
            Passed to ``estimator.fit``; arrays with one entry per row are indexed per fold.

        Returns
        -------
        self

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV
        >>> X = np.arange(40.0).reshape(20, 2)
        >>> Y = np.array([[i % 2, i < 10] for i in range(20)])
        >>> MultilabelTunedThresholdClassifierCV(KNeighborsClassifier(3), cv=2, min_positives=2).fit(X, Y).thresholds_.shape
        (2,)
        """
        for name in _FITTED_ATTRIBUTES:  # a refit keeps nothing of the previous fit
            self.__dict__.pop(name, None)
        self._check_params()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None: pass the "
                             "multi-label target of shape (n_samples, n_labels).")
        m, Y = _label_matrix(y)
        n_rows = X.shape[0] if hasattr(X, "shape") and len(X.shape) else len(X)
        if n_rows != m.n_samples:
            raise ValueError(f"Expected X and y to have the same rows. Received: X with {n_rows} rows, "
                             f"y with {m.n_samples}.")
        base = _base_estimator(self.estimator)
        folds, test_fold = self._folds(X, m, Y)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_and_score)(clone(base), X, Y, train, test, params, self.response_method, k, m.label_names,
                                    not self.refit)
            for k, (train, test) in enumerate(folds)
        )
        method = results[0][1]
        oof = np.zeros(Y.shape, dtype=np.result_type(*(scores.dtype for scores, _, _ in results)))
        for (_, test), (scores, _, _) in zip(folds, results):
            oof[test] = scores
        fallback = self.fallback
        if isinstance(fallback, str):
            fallback = 0.5 if method == "predict_proba" else 0.0
        rows = test_fold >= 0
        if callable(self.scoring):
            tuned = tune_with_metric(Y[rows], oof[rows], self.scoring, min_positives=self.min_positives,
                                     fallback=fallback, placement=self.placement, label_names=m.label_names)
        else:
            tuned = tune_thresholds(Y[rows], oof[rows], self.scoring, beta=self.beta,
                                    min_positives=self.min_positives, fallback=fallback, placement=self.placement,
                                    label_names=m.label_names)
        if self.refit:
            self.estimator_ = _fit_one(clone(base), X, Y, None, params, "all rows", m.label_names)
        else:
            self.estimator_ = results[0][2]
        self.tuned_thresholds_: TunedThresholds = tuned
        self.thresholds_ = np.array(tuned.thresholds)
        self.response_method_ = method
        predicted = (oof[rows] >= self.thresholds_).astype(np.int64)
        if callable(self.scoring):
            self.best_scores_ = np.array([_metric_value(self.scoring, Y[rows, j], predicted[:, j],
                                                        describe_labels([j], m.label_names))
                                          for j in range(m.n_labels)])
        else:
            self.best_scores_ = per_label_fbeta(Y[rows], predicted, tuned.beta)
        self.classes_ = [np.array([0, 1]) for _ in range(m.n_labels)]
        if self.store_cv_results:
            self.cv_results_ = {"oof_scores": oof, "test_fold": test_fold}
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def _scores(self, X: Any, method: str) -> np.ndarray:
        check_is_fitted(self, "thresholds_")
        return label_scores(self.estimator_, X, len(self.thresholds_), method)[0]

    def predict(self, X: Any) -> np.ndarray:
        """0/1 predictions of shape (n_samples, n_labels): score >= ``thresholds_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV as Tuned
        >>> y = np.array([[i >= 10, i < 5] for i in range(20)])
        >>> Tuned(KNeighborsClassifier(3), cv=2, min_positives=2).fit(np.arange(20.0)[:, None], y).predict([[0], [19]])
        array([[0, 1],
               [1, 0]])
        """
        check_is_fitted(self, "thresholds_")
        scores = self._scores(X, self.response_method_)
        return (scores >= self.thresholds_).astype(np.int64)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Positive-class probabilities of shape (n_samples, n_labels) (the list form made one array).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV
        >>> x = np.linspace(0, 1, 30)[:, None]
        >>> fitted = MultilabelTunedThresholdClassifierCV(GaussianNB(), cv=3, min_positives=2).fit(x, x > [0.3, 0.6])
        >>> fitted.predict_proba(x).shape, type(fitted.estimator_).__name__
        ((30, 2), 'MultiOutputClassifier')
        """
        return self._scores(X, "predict_proba")

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """``estimator_.decision_function(X)`` as (n_samples, n_labels): the units of ``thresholds_``.

        Only when the fitted estimator has ``decision_function`` (``OneVsRestClassifier`` has,
        ``MultiOutputClassifier`` has not).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)

        Examples
        --------
        >>> from sklearn.multiclass import OneVsRestClassifier
        >>> from sklearn.linear_model import LogisticRegression
        >>> import numpy as np
        >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV
        >>> x = np.linspace(-1, 1, 24)[:, None]
        >>> logits = MultilabelTunedThresholdClassifierCV(OneVsRestClassifier(LogisticRegression()), cv=2,
        ...                                               response_method="decision_function", min_positives=2)
        >>> scores = logits.fit(x, np.hstack([x > 0, x < 0.5])).decision_function(x)
        >>> bool((logits.predict(x) == (scores >= logits.thresholds_)).all()), logits.response_method_
        (True, 'decision_function')
        """
        return self._scores(X, "decision_function")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags


# --------------------------------------------------------------------------------------
# Scorers
# --------------------------------------------------------------------------------------
def _scored_labels(m: LabelMatrix, Y: np.ndarray, what: str) -> np.ndarray:
    """Labels with at least one positive in the scored rows; the others are named in a UserWarning."""
    has = Y.sum(axis=0) > 0
    if not has.any():
        raise ValueError(f"Expected at least one label with a positive in the scored rows for {what}. Received: "
                         f"{m.n_samples} rows with no positive label (use larger or stratified folds, "
                         "e.g. mlbalance.MultilabelStratifiedKFold).")
    if not has.all():
        warnings.warn(f"{what}: {int((~has).sum())} label(s) have no positive in the scored rows and are left out "
                      f"of the macro average: {describe_labels(np.flatnonzero(~has), m.label_names)}.",
                      UserWarning, stacklevel=3)
    return np.flatnonzero(has)


def macro_f1_scorer(estimator: Any, X: Any, y: Any) -> float:
    """Macro F1 of ``estimator.predict(X)`` (at its tuned thresholds) over labels with positives in ``y``.

    A scorer for ``cross_validate`` and ``GridSearchCV(scoring=...)``. Labels with no positive
    in the scored rows are left out of the average (F1 is undefined there, not 0) and a
    ``UserWarning`` names them; with all labels present it equals
    ``sklearn.metrics.f1_score(y, predict(X), average="macro")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlbalance import MultilabelStratifiedKFold
    >>> from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV, macro_f1_scorer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> Y = (X + rng.normal(size=(200, 3)) > 1).astype(int)
    >>> model = MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=3, random_state=0)
    >>> cv = MultilabelStratifiedKFold(3, shuffle=True, random_state=0)
    >>> cross_val_score(model, X, Y, scoring=macro_f1_scorer, cv=cv).round(2).tolist()
    [0.51, 0.53, 0.47]
    """
    m, Y = _label_matrix(y)
    pred = np.asarray(estimator.predict(X))
    if pred.shape != Y.shape:
        raise ValueError(f"Expected {type(estimator).__name__}.predict(X) to have the shape of y, {Y.shape}. "
                         f"Received: shape {pred.shape}.")
    labels = _scored_labels(m, Y, "macro_f1_scorer")
    return float(per_label_fbeta(Y[:, labels], pred[:, labels]).mean())


def macro_average_precision_scorer(estimator: Any, X: Any, y: Any) -> float:
    """Macro average precision of the estimator's scores over labels with positives in ``y``.

    Scores come from ``predict_proba`` (an ``(n, q)`` array or the list of ``(n, 2)`` arrays),
    else ``decision_function``. Each label's AP is scikit-learn's
    ``average_precision_score``; labels with no positive in the scored rows are left out of
    the average (AP is undefined there) and a ``UserWarning`` names them. With all labels
    present it equals ``average_precision_score(y, scores, average="macro")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from mlbalance.sklearn import macro_average_precision_scorer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> Y = (X + rng.normal(size=(200, 3)) > 1).astype(int)
    >>> model = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    >>> round(macro_average_precision_scorer(model, X, Y), 3)
    0.622
    """
    m, Y = _label_matrix(y)
    scores, _ = label_scores(estimator, X, m.n_labels)
    if scores.shape[0] != m.n_samples:
        raise ValueError(f"Expected one score row per row of y ({m.n_samples}). Received: {scores.shape[0]}.")
    labels = _scored_labels(m, Y, "macro_average_precision_scorer")
    curves = rank_labels(m, scores, np.full(m.n_labels, 0.5)).curves  # one sort per label column
    return float(np.mean([average_precision(curves[j]) for j in labels]))
