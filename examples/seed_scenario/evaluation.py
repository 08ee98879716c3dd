"""Thresholds, test reports and the comparison of runs.

Each run is evaluated on the test split at threshold 0.5 and at per-label thresholds
(:func:`mlbalance.tune_thresholds`) tuned on the validation split. For the classifier
re-training runs (``+cRT``) the tuning rows also include the training rows scored out of fold
(:func:`out_of_fold_scores`: 3-fold cross-fitting of the same regressions), so a label with 2
validation positives is tuned on up to 7, and each threshold sits at the low end of its
F1-optimal gap (``placement="low"``): with few tuning positives that gap is wide and new
positives can score inside it. The other runs keep the midpoint, which measured better for them
(``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit

import mlbalance

TUNE_MIN_POSITIVES = 2  # thresholds are tuned for labels with >= 2 tuning positives; 0.5 below that


def tune_held_out(y_tune: np.ndarray, score_tune: np.ndarray, placement: str) -> mlbalance.TunedThresholds:
    """Thresholds tuned for labels with >= ``TUNE_MIN_POSITIVES`` positives; entries of ``y_tune`` at -1 left out.

    The fallback warning is silenced: the labels with no positives at all would raise it on
    every run, and the report already says which labels a run never predicts.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return mlbalance.tune_thresholds(y_tune, score_tune, min_positives=TUNE_MIN_POSITIVES, mask_value=-1,
                                         placement=placement)


def out_of_fold_scores(states: np.ndarray, y: np.ndarray, folds: int = 3, random_state: int = 0) -> np.ndarray:
    """Every training row scored by the re-trained classifier fit on the other folds (NaN: not cross-fitted).

    Per label, stratified on that label, with as many folds as it has positives (or negatives)
    when that is fewer than ``folds``; NaN where it has fewer than 2 of either.

    Examples
    --------
    >>> import numpy as np
    >>> from seed_scenario.evaluation import out_of_fold_scores
    >>> rng = np.random.default_rng(0)
    >>> states, y = rng.normal(size=(60, 3)), np.zeros((60, 2), dtype=int)
    >>> y[:20, 0], y[0, 1] = 1, 1
    >>> scores = out_of_fold_scores(states, y)
    >>> bool(np.isfinite(scores[:, 0]).all()), bool(np.isnan(scores[:, 1]).all())
    (True, True)
    """
    from sklearn.model_selection import StratifiedKFold

    scores = np.full(y.shape, np.nan)
    for label in range(y.shape[1]):
        target = y[:, label]
        n_folds = min(folds, int(target.sum()), int(len(target) - target.sum()))
        if n_folds < 2:
            continue
        for fit_rows, score_rows in StratifiedKFold(n_folds, shuffle=True, random_state=random_state).split(
                states, target):
            kernel, bias = mlbalance.fit_linear_classifier(states[fit_rows], target[fit_rows, None])
            scores[score_rows, label] = expit(states[score_rows] @ kernel[:, 0] + bias[0])
    return scores


class Evaluation:
    """The test reports of every run, the thresholds they used and the scores to re-tune them."""

    def __init__(self, y: np.ndarray, parts: tuple):
        self.y, (self.train, self.val, self.test) = y, parts
        self.reports, self.thresholds, self.scores = {}, {}, {}

    def add(self, name: str, scores: np.ndarray, train_scores: np.ndarray | None = None) -> None:
        """Evaluate one run: ``scores`` for every row (at least validation and test), ``train_scores`` out of fold."""
        y, train = self.y, self.train
        y_tune, s_tune = y[self.val], scores[self.val]
        if train_scores is not None:  # out-of-fold training scores join the validation rows (NaN: left out)
            y_tune = np.vstack([np.where(np.isnan(train_scores), -1, y[train]), y_tune])
            s_tune = np.vstack([np.nan_to_num(train_scores), s_tune])
        tuned = tune_held_out(y_tune, s_tune, "midpoint" if train_scores is None else "low")
        self.thresholds[name] = tuned
        self.scores[name] = (y_tune, s_tune, scores[self.test])
        for label, thresholds in (("0.5", 0.5), ("tuned", tuned)):
            key = f"{name} @{label}"
            self.reports[key] = mlbalance.evaluation_report(y[self.test], scores[self.test], thresholds,
                                                            y_train=y[train], name=key)

    def macro_f1(self, key: str) -> float:
        return self.reports[key].overall["macro_f1"] or 0.0


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def comparison_lines(reports: dict, saved: str | None) -> list[str]:
    """One table: each run's test macro-F1 at 0.5 and tuned, and how many labels it never predicts (tuned)."""
    runs = list(dict.fromkeys(key.rsplit(" @", 1)[0] for key in reports))
    any_report = next(iter(reports.values()))
    width = max(len("run"), *(len(run) for run in runs))
    lines = [f"test split: macro-F1 over the {any_report.overall['labels_with_support']} labels with test positives",
             f"{'run':<{width}}  at 0.5   tuned  never predicted (tuned)"]
    for run in runs:
        tuned = reports[f"{run} @tuned"]
        never = sum(1 for x in tuned.labels if x["support"] and not x["predicted_positives"])
        mark = "  <- saved" if run == saved else ""
        lines.append(f"{run:<{width}}  {_f(reports[f'{run} @0.5'].overall['macro_f1']):>6}  "
                     f"{_f(tuned.overall['macro_f1']):>6}  {never:>3} of {tuned.overall['labels_with_support']}{mark}")
    return lines


def story_lines(reports: dict, saved: str | None) -> list[str]:
    """A few plain-language lines on what the runs show."""
    def tuned(run: str) -> float | None:
        report = reports.get(f"{run} @tuned")
        return None if report is None else report.overall["macro_f1"]

    lines = []
    seed, plain = tuned("class_weight"), tuned("bce")
    if seed is not None and plain is not None:
        lines.append(f"- The seed's class_weight: {_f(seed)}, plain BCE: {_f(plain)} "
                     f"({'worse' if seed < plain else 'better'} by {abs(seed - plain):.3f}). Keras applies "
                     "class_weight per row, by the row's first positive label (argmax of y), not per label.")
    if saved is not None:
        base = saved.split(" +")[0]
        fine_tuned = tuned(f"{base} +ft")
        lines.append(f"- {saved}: fine-tuning from the LSTM state on oversampled rows with the {base} loss, then "
                     "classifier re-training (balanced logistic regression per label, mlbalance.retrain_classifier)"
                     f": {_f(tuned(saved))}" + (f" (without re-training: {_f(fine_tuned)})." if fine_tuned else "."))
        lines += [f"- {saved}: {line}" for line in reports[f"{saved} @tuned"].summary()[1:3]]
    return lines
