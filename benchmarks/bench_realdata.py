"""What mlbalance's pieces change on real data: Yeast (2,417 x 103, 14 labels), the same 5 folds.

The data set ships inside the river wheel (benchmarks/_yeast.py; ``pip install ".[bench]"``), so
nothing is downloaded. Settings are fixed here, chosen before the first run:

* folds: ``mlbalance.MultilabelStratifiedKFold(5, shuffle=True, random_state=0)``; inside each
  training fold ``mlbalance.multilabel_train_test_split(test_size=0.2, random_state=0)`` holds out
  a validation part (20 %) for the methods that tune thresholds on held-out rows;
* thresholds: ``mlbalance.tune_thresholds`` defaults (F1, ``min_positives=5``, fallback 0.5,
  midpoint placement), on probabilities;
* the Keras model, the same for every loss: features standardised on the fitted rows, Dense 128
  ReLU, Dropout 0.2, Dense 14 (logits); Adam 1e-3, 40 epochs, batch 32, ``keras.utils.set_random_seed``
  of the fold before each model (same initial weights and batch order for every loss in a fold),
  fitted on the 80 % part. Losses, all ``from_logits=True``: Keras' ``BinaryCrossentropy``;
  ``mlbalance.losses.WeightedBinaryCrossentropy`` with ``positive_weights(y_fit, "sqrt",
  max_weight=50, on_zero="one")`` (the README's recipe); ``mlbalance.losses.AsymmetricLoss()``
  (gamma_neg 4, gamma_pos 0, clip 0.05);
* the linear baseline: ``StandardScaler`` + ``OneVsRestClassifier(LogisticRegression(max_iter=1000))``
  (C = 1), fitted on the 80 % part (at 0.5 and tuned on the 20 %), on the whole training fold at 0.5,
  and inside ``mlbalance.sklearn.MultilabelTunedThresholdClassifierCV(estimator, cv=5, random_state=0)`` on the whole
  training fold (thresholds from out-of-fold scores, then a refit on all its rows).

Figures: macro-F1 (mlbalance's report rule: the mean over the labels with positives in the test
fold; a label without test positives is left out and counted), micro-F1, both mean +- sd (ddof=1)
over the folds, and the labels with test positives that a method never predicts, per fold.

    python benchmarks/bench_realdata.py            # the full run (about 3 min on 2 shared cores)
    python benchmarks/bench_realdata.py --quick    # 2 of the 5 folds, 1 epoch, cv=2: a smoke run
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
import warnings
from dataclasses import dataclass, field

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from threadpoolctl import threadpool_limits

import mlbalance  # noqa: E402
from _yeast import load_yeast  # noqa: E402  (benchmarks/ is on sys.path when this file runs as a script)
from mlbalance._evaluation import never_predicted  # noqa: E402
from mlbalance._tables import markdown_table, number  # noqa: E402

SEED = 0
N_FOLDS = 5
VAL_SIZE = 0.2
EPOCHS, BATCH, HIDDEN, DROPOUT, LEARNING_RATE = 40, 32, 128, 0.2, 1e-3
WEIGHTING = {"strategy": "sqrt", "max_weight": 50.0, "on_zero": "one"}
OOF_CV = 5
META = "MultilabelTunedThresholdClassifierCV"

# Row label -> what it is; the order of the printed table.
METHODS = {
    "a": "(a) MLP, BCE, threshold 0.5",
    "b": "(b) MLP, BCE, thresholds tuned on the held-out 20 %",
    "d0": "(d) MLP, weighted BCE (sqrt, cap 50), threshold 0.5",
    "d": "(d) MLP, weighted BCE (sqrt, cap 50), tuned on the held-out 20 %",
    "e0": "(e) MLP, asymmetric loss, threshold 0.5",
    "e": "(e) MLP, asymmetric loss, tuned on the held-out 20 %",
    "f0": "(f) linear LR, 80 % part, threshold 0.5",
    "f": "(f) linear LR, 80 % part, tuned on the held-out 20 %",
    "f_all": "(f) linear LR, whole training fold, threshold 0.5",
    "c": f"(c) linear LR in {META}, whole training fold",
}


@dataclass
class Settings:
    folds_run: int = N_FOLDS
    epochs: int = EPOCHS
    oof_cv: int = OOF_CV


@dataclass
class MethodResult:
    """One method's figures, one entry per fold."""

    macro_f1: list = field(default_factory=list)
    micro_f1: list = field(default_factory=list)
    never_predicted: list = field(default_factory=list)
    fallback_labels: list = field(default_factory=list)
    seconds: float = 0.0
    not_run: str | None = None


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------
def meta_estimator() -> tuple[type | None, str | None]:
    """``(class, None)`` when mlbalance.sklearn has the meta-estimator, else ``(None, why not)``."""
    try:
        module = importlib.import_module("mlbalance.sklearn")
    except ImportError as error:
        return None, f"mlbalance.sklearn is not importable on this branch ({error})"
    if not hasattr(module, META):
        return None, f"mlbalance.sklearn has no {META} on this branch"
    return getattr(module, META), None


def linear_model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), OneVsRestClassifier(LogisticRegression(max_iter=1000)))


def keras_losses(y_fit: np.ndarray) -> dict:
    import keras

    from mlbalance.losses import AsymmetricLoss, WeightedBinaryCrossentropy

    pos_weight = mlbalance.positive_weights(y_fit, **WEIGHTING)
    return {
        "b": keras.losses.BinaryCrossentropy(from_logits=True),
        "d": WeightedBinaryCrossentropy(pos_weight=pos_weight, from_logits=True),
        "e": AsymmetricLoss(from_logits=True),
    }


def mlp_probabilities(loss, x_fit, y_fit, x_eval, *, epochs: int, seed: int) -> list[np.ndarray]:
    """Fit the benchmark's MLP with ``loss`` on ``(x_fit, y_fit)``; sigmoid probabilities for each of ``x_eval``."""
    import keras
    from scipy.special import expit
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_fit)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((x_fit.shape[1],))
    hidden = keras.layers.Dropout(DROPOUT)(keras.layers.Dense(HIDDEN, activation="relu")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(y_fit.shape[1])(hidden))
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss=loss)
    model.fit(scaler.transform(x_fit), y_fit.astype("float32"), epochs=epochs, batch_size=BATCH, verbose=0)
    return [expit(keras.ops.convert_to_numpy(model(scaler.transform(x), training=False)).astype(np.float64))
            for x in x_eval]


# --------------------------------------------------------------------------------------
# One fold
# --------------------------------------------------------------------------------------
def tuned(y_val: np.ndarray, scores_val: np.ndarray, names) -> mlbalance.TunedThresholds:
    """tune_thresholds with its defaults; its fallback warning is reported in the table's notes instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return mlbalance.tune_thresholds(y_val, scores_val, label_names=names)


def record(result: MethodResult, y_test, scores, thresholds, names, fallback=()) -> None:
    report = mlbalance.evaluation_report(y_test, scores, thresholds, label_names=names)
    result.macro_f1.append(report.overall["macro_f1"])
    result.micro_f1.append(report.overall["micro_f1"])
    result.never_predicted.append(len(never_predicted(report.labels)))
    result.fallback_labels.append(tuple(names[j] for j in fallback))


def run_fold(results: dict, x, y, names, train, test, fold: int, settings: Settings, meta) -> None:
    fit, val = mlbalance.multilabel_train_test_split(train, y=y[train], test_size=VAL_SIZE, random_state=SEED)
    y_test = y[test]

    for key, loss in keras_losses(y[fit]).items():
        start = time.perf_counter()
        s_val, s_test = mlp_probabilities(loss, x[fit], y[fit], [x[val], x[test]], epochs=settings.epochs,
                                          seed=SEED + fold)
        t = tuned(y[val], s_val, names)
        at_half = "a" if key == "b" else f"{key}0"
        record(results[at_half], y_test, s_test, 0.5, names)
        record(results[key], y_test, s_test, t, names, t.fallback_labels)
        results[key].seconds += time.perf_counter() - start

    start = time.perf_counter()
    model = linear_model().fit(x[fit], y[fit])
    t = tuned(y[val], model.predict_proba(x[val]), names)
    s_test = model.predict_proba(x[test])
    record(results["f0"], y_test, s_test, 0.5, names)
    record(results["f"], y_test, s_test, t, names, t.fallback_labels)
    results["f"].seconds += time.perf_counter() - start

    start = time.perf_counter()
    record(results["f_all"], y_test, linear_model().fit(x[train], y[train]).predict_proba(x[test]), 0.5, names)
    results["f_all"].seconds += time.perf_counter() - start

    if meta is not None:
        start = time.perf_counter()
        with warnings.catch_warnings():  # its fallback warning: reported in the table instead
            warnings.simplefilter("ignore", UserWarning)
            estimator = meta(linear_model(), cv=settings.oof_cv, random_state=SEED).fit(x[train], y[train])
        record(results["c"], y_test, estimator.predict_proba(x[test]), estimator.thresholds_, names,
               estimator.tuned_thresholds_.fallback_labels)
        results["c"].seconds += time.perf_counter() - start


def run(settings: Settings) -> tuple[dict, dict]:
    """All methods on the same folds: ``(results by method key, facts about the run)``."""
    x, y, names, source = load_yeast()
    meta, why_not = meta_estimator()
    results = {key: MethodResult() for key in METHODS}
    if meta is None:
        results["c"].not_run = why_not
    splitter = mlbalance.MultilabelStratifiedKFold(N_FOLDS, shuffle=True, random_state=SEED)
    folds = list(splitter.split(x, y))
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):  # 2 shared cores: threaded BLAS made the LR fits 4x slower
        for fold, (train, test) in enumerate(folds[: settings.folds_run]):
            run_fold(results, x, y, names, train, test, fold, settings, meta)
    test_support = np.array([y[test].sum(axis=0) for _, test in folds[: settings.folds_run]])
    facts = {
        "source": source, "shape": x.shape, "labels": len(names), "positives": y.sum(axis=0).tolist(),
        "folds_run": settings.folds_run, "epochs": settings.epochs, "oof_cv": settings.oof_cv,
        "min_test_support": int(test_support.min()),
        "labels_without_test_positives": int((test_support == 0).sum()),
        "pos_weight_range": _weight_range(y, folds[: settings.folds_run]),
        "seconds": time.perf_counter() - start,
    }
    return results, facts


def _weight_range(y, folds) -> tuple[float, float]:
    weights = [mlbalance.positive_weights(y[train], **WEIGHTING) for train, _ in folds]
    return float(np.min(weights)), float(np.max(weights))


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
def mean_sd(values: list) -> str:
    if not values or any(v is None for v in values):
        return "undefined"
    sd = np.std(values, ddof=1) if len(values) > 1 else None
    return f"{number(float(np.mean(values)), '.3f')} ± {number(sd, '.3f')}"


def render(results: dict, facts: dict) -> list[str]:
    low, high = facts["pos_weight_range"]
    cap = "cap 50 not reached" if high < WEIGHTING["max_weight"] else "capped at 50"
    lines = [
        f"Yeast ({facts['source']}): {facts['shape'][0]} rows x {facts['shape'][1]} features, "
        f"{facts['labels']} labels, positives per label {facts['positives']}",
        f"{facts['folds_run']} of {N_FOLDS} MultilabelStratifiedKFold folds (shuffle, random_state={SEED}); "
        f"MLP {facts['epochs']} epochs; {META} cv={facts['oof_cv']}; weighted BCE pos_weight "
        f"{low:.2f}..{high:.2f} (sqrt, {cap})",
        f"macro-F1 over the labels with test positives (fewest test positives of a label in a fold: "
        f"{facts['min_test_support']}; label-fold pairs without test positives: "
        f"{facts['labels_without_test_positives']}); sd over folds, ddof=1",
        "",
    ]
    rows = []
    for key, title in METHODS.items():
        r = results[key]
        if r.not_run:
            rows.append([title, "not run", "not run", "not run", "-"])
            continue
        fallbacks = sorted({name for fold in r.fallback_labels for name in fold})
        rows.append([title, mean_sd(r.macro_f1), mean_sd(r.micro_f1), "/".join(map(str, r.never_predicted)),
                     ", ".join(fallbacks) or "-"])
    lines += markdown_table(["method", "macro-F1", "micro-F1", "never predicted (per fold)",
                             "labels on the fallback threshold (under 5 validation positives)"], rows)
    lines.append("")
    for key in METHODS:
        if results[key].not_run:
            lines.append(f"{METHODS[key]}: not run: {results[key].not_run}.")
    timed = [f"{key} {results[key].seconds:.1f} s" for key in ("b", "d", "e", "f", "f_all", "c") if results[key].seconds]
    lines.append(f"wall time {facts['seconds']:.1f} s (per model, all folds: {', '.join(timed)}; "
                 "b, d, e also give a, d0, e0)")
    return lines


def main(argv: list[str] | None = None) -> tuple[dict, dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 of the 5 folds, 1 epoch, cv=2 (a smoke run)")
    args = parser.parse_args(argv)
    settings = Settings(folds_run=2, epochs=1, oof_cv=2) if args.quick else Settings()
    print("Comparing on the same folds:", *(f"  {t}" for t in METHODS.values()), sep="\n", flush=True)
    results, facts = run(settings)
    print("\n".join(render(results, facts)))
    return results, facts


if __name__ == "__main__":
    main()
