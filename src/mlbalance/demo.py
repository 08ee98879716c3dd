"""The seed scenario end to end: why ``class_weight`` fails, and what fixes it.

A user trained a 23-label sigmoid model on 6,790 variable-length sequences of 128 features,
with label counts from 4,702 down to 4 and eight labels with none: an LSTM base transferred
from a binary model, a small dense head, and Keras ``class_weight``. This demo rebuilds it:

1. **Data** (:func:`make_sequences`): labels with exactly the seed's counts
   (:func:`mlbalance.seed_scenario_labels`); each label ``l`` has a fixed random unit
   direction ``v_l`` in the 128 features, and a sequence with label ``l`` adds
   ``signal * v_l`` (default 3.0) to a random fraction ``active`` (default all) of its time
   steps, on top of N(0, 1) noise. (Weaker signals are lost by the binary base: a logistic
   probe on its frozen features then cannot find the rare labels, whatever the loss.) Lengths are
   uniform in ``[min_len, max_len]``, zero-padded (the models mask the padding). Same seed,
   same data. ``--data FILE.npz`` (arrays ``x`` of shape (n, T, features) and 0/1 ``y`` of
   shape (n, q), q >= 2, n >= 10) uses your own sequences instead: :func:`check_data` checks
   them before Keras is imported (NaN / inf, shapes, row counts, labels), and the models'
   input is sized to their features.
2. Imbalance summary; stratified train / validation / test split (60 / 20 / 20).
3. **Stage 1**, the binary base: Input (None, None, 128) -> LSTM(192) -> Dense 160 -> 128 ->
   128 -> 64 -> 1, trained on "has any label of set A and any label of set B" (A: labels
   12-22, B: labels 0-11, the seed's sets, for 23 labels; for other data, or when those sets
   leave the target constant, the labels with training positives ranked by count go
   alternately to A and B; the output says which).
4. **Stage 2**, as the seed did it: the base is frozen; the seed's head (4 x [Dense 64 +
   Dropout 0.2], Dense 32, Dense 23, after a ``Normalization`` layer adapted to the frozen
   features) is trained with each of: plain BCE; Keras ``class_weight`` as the seed used it;
   weighted BCE, focal loss and asymmetric loss, the three with the same per-label
   ``pos_weight`` (:func:`mlbalance.positive_weights`, ``"sqrt"``, capped at 30); plain BCE
   on rows oversampled by repeat-factor sampling (:mod:`mlbalance.sampling`, one draw). The
   base is frozen, so its 64-d outputs are computed once and the heads train on them: the
   same computation as fitting the stacked model, without re-running the LSTM every epoch.
   Each head is assembled into the full stacked model, checked to predict the same.
5. **Stage 3**, fine-tuning: a base trained for the binary task keeps little of the rare labels
   in its 64 outputs (its four dense layers only need "any of A" and "any of B"), which caps
   every stage-2 run; its LSTM state keeps more (a logistic probe on the frozen LSTM state
   ranks most rare labels far better than one on the 64 outputs). So the seed's next step,
   ``trainable=True``, is done here with care: for the runs in ``finetune_runs`` a new seed's
   head is put on the base's LSTM state (below the binary task's dense layers: the usual rule
   for transfer between unlike tasks, reuse the general layers and drop the task-specific
   ones), trained on the frozen states with the run's loss as in stage 2, then the LSTM and the
   head are trained end to end with the same loss, Adam at ``finetune_lr`` with gradient-norm
   clipping 1.0, for ``finetune_epochs`` epochs; the LSTM is reset to its stage-1 weights after
   each run. Runs are named ``"<run> +ft"``. Fine-tuning trains on rows drawn by
   ``finetune_sampling`` (default repeat-factor sampling, :func:`mlbalance.resample_indices`,
   ``repeat_threshold`` 0.1; one draw, the same rows for every run, so the fine-tuned runs
   differ by their loss alone): a label with 8 training positives then shows up about 7 times
   as often, and the weighted losses can learn it. Each fine-tuned run also gets a
   **classifier re-training** run, ``"<run> +ft +cRT"`` (Kang et al., 2020, "Decoupling
   representation and classifier for long-tailed recognition"): the fine-tuned LSTM is kept as
   the representation and the last layer is refit per label as a logistic regression with
   ``class_weight="balanced"`` on its standardised states. The fine-tuned head, trained end to
   end through dense layers and dropout, ranks labels with 5-8 training positives less well
   than a linear model on the same states. Standardising and the logistic regressions are affine
   in the states, so the refit layer is equivalent to one ``Dense(q, "sigmoid")`` on the LSTM.
6. Each run is evaluated on the test split at threshold 0.5 and at per-label thresholds tuned
   on the validation split (for ``+cRT`` runs, on the validation rows plus the training rows
   scored out of fold by 3-fold cross-fitting of the same logistic regressions: a label with 2
   validation positives is then tuned on up to 7, and each threshold sits at the low end of its
   F1-optimal gap, ``tune_thresholds(placement="low")``: with a few tuning positives that gap
   is wide and new positives can score inside it; the other runs keep the midpoint, which
   measured better for them, see ``benchmarks/RESULTS.md``); a comparison report (terminal +
   HTML) shows macro-F1 over labels with test positives, per-label F1, and what each run gets
   wrong, written atomically (``demo_report.html`` / ``.json`` in ``output_dir``, which is
   checked before anything trains: :func:`prepare_output_dir`). Timings per epoch, sequences
   per second and the accelerator's peak memory (JAX and PyTorch on a GPU) are returned and
   printed.

``padding="pre"`` left-aligns the padding and drops the ``Masking`` layer: Keras' cuDNN LSTM
on JAX and PyTorch takes no mask, so this is what lets ``--full`` use cuDNN on a GPU (the LSTM
then also reads the leading zeros; its state after them depends only on their number).
"""

from __future__ import annotations

import logging
import numbers
import os
import time
import warnings

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ._files import OutputPathError, check_output, write_text
from ._validation import check_bool, check_choice, check_int, check_number
from .datasets import seed_scenario_labels
from .labels import as_label_matrix
from .report import compare_reports, evaluation_report
from .sampling import resample_indices
from .split import train_val_test_split
from .stats import imbalance_summary
from .thresholds import tune_thresholds
from .weights import positive_weights

__all__ = ["DemoConfig", "make_sequences", "run_demo"]

SET_A = tuple(range(12, 23))
SET_B = tuple(range(0, 12))
RUNS = ("bce", "class_weight", "weighted_bce", "focal", "asymmetric", "repeat_factor")
FINETUNE_RUNS = ("bce", "weighted_bce", "focal", "asymmetric")
PADDINGS = ("mask", "pre")
SAMPLINGS = ("repeat_factor", "ml_ros", None)
SEED_ROWS = 6790  # rows of the seed scenario (make_sequences draws n_samples of them)
MIN_ROWS = 10  # the 60 / 20 / 20 split then leaves 2 validation and 2 test rows
REPORT_FILES = ("demo_report.html", "demo_report.json")


class DemoConfig:
    """Sizes and training settings of the demo.

    ``DemoConfig()`` is the quick default (a few minutes on a 2-core CPU); ``DemoConfig.full()``
    uses the seed's sizes (longer sequences, more epochs); ``DemoConfig.tiny()`` is for tests.

    Examples
    --------
    >>> from mlbalance.demo import DemoConfig
    >>> DemoConfig().max_len, DemoConfig.full().max_len, DemoConfig().finetune_runs
    (24, 100, ('bce', 'weighted_bce', 'focal', 'asymmetric'))
    """

    def __init__(self, min_len=8, max_len=24, signal=3.0, active=1.0, base_epochs=3, head_epochs=40, batch_size=64,
                 head_batch_size=256, finetune_epochs=6, finetune_lr=1e-3, finetune_runs=FINETUNE_RUNS,
                 n_samples=None, lstm_units=192, seed=0, mixed_precision=False, padding="mask",
                 finetune_sampling="repeat_factor", repeat_threshold=0.1):
        check_choice("padding", padding, PADDINGS)
        check_choice("finetune_sampling", finetune_sampling, SAMPLINGS)
        if isinstance(repeat_threshold, bool) or not isinstance(repeat_threshold, numbers.Real) \
                or not 0 < repeat_threshold <= 1:
            raise ValueError("Expected repeat_threshold to be a number in (0, 1]. "
                             f"Received: repeat_threshold={repeat_threshold!r}")
        if isinstance(finetune_epochs, bool) or not isinstance(finetune_epochs, int) or finetune_epochs < 0:
            raise ValueError("Expected finetune_epochs to be an integer >= 0 (0 skips fine-tuning). "
                             f"Received: finetune_epochs={finetune_epochs!r}")
        unknown = sorted(set(finetune_runs) - set(RUNS))
        if unknown:
            raise ValueError(f"Expected finetune_runs among {RUNS}. Received: finetune_runs={tuple(finetune_runs)!r} "
                             f"(unknown: {unknown})")
        for name, value in (("base_epochs", base_epochs), ("head_epochs", head_epochs), ("batch_size", batch_size),
                            ("head_batch_size", head_batch_size), ("lstm_units", lstm_units), ("min_len", min_len)):
            check_int(name, value, low=1)
        check_int("max_len", max_len, low=min_len)
        check_int("n_samples", n_samples, low=MIN_ROWS, high=SEED_ROWS, allow_none=True)
        if check_int("seed", seed, low=0) >= 2**32:  # NumPy's and Keras' seeding range
            raise ValueError(f"Expected seed to be an integer in [0, 2**32 - 1]. Received: seed={seed!r}")
        check_number("signal", signal)
        check_number("active", active, low=0, high=1)
        check_number("finetune_lr", finetune_lr, low=0, low_open=True)
        check_bool("mixed_precision", mixed_precision)
        self.min_len, self.max_len, self.signal, self.active = min_len, max_len, signal, active
        self.base_epochs, self.head_epochs, self.batch_size = base_epochs, head_epochs, batch_size
        self.head_batch_size = head_batch_size
        self.finetune_epochs, self.finetune_lr, self.finetune_runs = finetune_epochs, finetune_lr, tuple(finetune_runs)
        self.n_samples, self.lstm_units, self.seed = n_samples, lstm_units, seed
        self.mixed_precision, self.padding = mixed_precision, padding
        self.finetune_sampling, self.repeat_threshold = finetune_sampling, float(repeat_threshold)

    @classmethod
    def full(cls, **overrides):
        """The seed's sizes: sequences of 20-100 steps, more epochs."""
        return cls(**{"min_len": 20, "max_len": 100, "base_epochs": 5, "head_epochs": 60, "finetune_epochs": 15,
                      **overrides})

    @classmethod
    def tiny(cls, **overrides):
        """A seconds-long run for tests: 600 rows, short sequences, few epochs."""
        return cls(**{"min_len": 4, "max_len": 8, "base_epochs": 1, "head_epochs": 3, "finetune_epochs": 1,
                      "finetune_runs": ("weighted_bce",), "n_samples": 600, "lstm_units": 16, **overrides})


def make_sequences(config, random_state=0):
    """Sequences ``x`` (n, max_len, 128, zero-padded) and labels ``y`` (n, 23) with the seed's counts.

    Examples
    --------
    >>> from mlbalance.demo import DemoConfig, make_sequences
    >>> x, y = make_sequences(DemoConfig.tiny())
    >>> x.shape, y.shape, int(y[:, 1].sum())
    ((600, 8, 128), (600, 23), 0)
    """
    rng = np.random.default_rng(random_state)
    y = seed_scenario_labels(random_state=random_state)
    if config.n_samples is not None:
        y = y[rng.permutation(len(y))[:config.n_samples]]
    n, q = y.shape
    directions = rng.normal(size=(q, 128))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    lengths = rng.integers(config.min_len, config.max_len + 1, size=n)
    x = np.zeros((n, config.max_len, 128), dtype=np.float32)
    steps = np.arange(config.max_len)[None, :] < lengths[:, None]
    x[steps] = rng.normal(size=(int(steps.sum()), 128)).astype(np.float32)
    rows, labels = np.nonzero(y)
    active = (rng.random((rows.size, config.max_len)) < config.active) & steps[rows]
    for k in range(rows.size):
        x[rows[k], active[k]] += np.float32(config.signal) * directions[labels[k]].astype(np.float32)
    return x, y


def _binary_target(y, sets=(SET_A, SET_B)):
    """Stage 1's target: 1 where a row has any label of set A and any label of set B."""
    set_a, set_b = sets
    return (y[:, list(set_a)].any(axis=1) & y[:, list(set_b)].any(axis=1)).astype(np.float32)


def _pretraining_sets(y_train):
    """Sets A and B of the binary pre-training task, and a sentence saying where they come from.

    With the seed's 23 labels: the seed's sets (A: labels 12-22, B: labels 0-11), unless their
    target has no positive or no negative training row. Otherwise they are derived from the
    training rows: the labels with positives, ranked by count, go alternately to A and B (the
    most frequent to A), so that both sets hold frequent labels and the target is not rare.
    """
    counts = y_train.sum(axis=0)
    if y_train.shape[1] == len(SET_A) + len(SET_B) and 0 < _binary_target(y_train).sum() < len(y_train):
        return (SET_A, SET_B), "A: labels 12-22, B: labels 0-11 (the seed's sets)"
    _check_label_count(y_train, "the training split of y")
    ranked = [int(j) for j in np.argsort(-counts, kind="stable") if counts[j] > 0]
    sets = tuple(sorted(ranked[0::2])), tuple(sorted(ranked[1::2]))
    text = (f"A: labels {list(sets[0])}, B: labels {list(sets[1])} (derived from the data: labels with training "
            "positives, ranked by count, alternately to A and B)")
    positives = int(_binary_target(y_train, sets).sum())
    if positives in (0, len(y_train)):
        warnings.warn(f"the binary pre-training task ({text}) has {'only' if positives else 'no'} positive training "
                      "rows: stage 1 learns nothing from it, and the later stages start from an untrained LSTM.",
                      UserWarning, stacklevel=3)
    return sets, text


def _base_model(keras, units, padding="mask", n_features=128):
    inputs = keras.Input((None, n_features), name="sequence")
    h = keras.layers.Masking(mask_value=0.0)(inputs) if padding == "mask" else inputs
    h = keras.layers.LSTM(units, name="lstm")(h)
    for k, width in enumerate((160, 128, 128, 64)):
        h = keras.layers.Dense(width, activation="relu", name=f"base_dense_{k + 1}")(h)
    features = h
    # Output layers in float32 (as Keras advises for mixed precision): no float16 rounding of the scores.
    output = keras.layers.Dense(1, activation="sigmoid", name="binary", dtype="float32")(features)
    return keras.Model(inputs, output, name="binary_base"), keras.Model(inputs, features, name="base_features")


def _sequence_lengths(x):
    """Steps up to each sequence's last non-zero step (padding: the all-zero steps after it)."""
    nonzero = (x != 0).any(axis=2)
    return np.where(nonzero.any(axis=1), x.shape[1] - np.argmax(nonzero[:, ::-1], axis=1), 0)


def _split_rows(y, seed):
    """The demo's stratified 60 / 20 / 20 train / validation / test row indices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # labels too rare for three parts: the summary lists them
        return train_val_test_split(np.arange(len(y)), y=y, val_size=0.2, test_size=0.2, random_state=seed)


def _pad_before(x):
    """Move each sequence's zero padding from the end to the start (``padding="pre"``)."""
    out = np.zeros_like(x)
    for k, length in enumerate(_sequence_lengths(x)):
        out[k, x.shape[1] - length:] = x[k, :length]
    return out


def _head(keras, n_labels, activation, features):
    inputs = keras.Input((features.shape[1],), name="features")
    normalize = keras.layers.Normalization(name="standardize")
    normalize.adapt(features)
    h = normalize(inputs)
    for k in range(4):
        h = keras.layers.Dense(64, activation="relu", name=f"dense_top_{k + 1}")(h)
        h = keras.layers.Dropout(0.2)(h)
    h = keras.layers.Dense(32, activation="relu", name="dense_top_5")(h)
    out = keras.layers.Dense(n_labels, activation=activation, name="out", dtype="float32")(h)  # see _base_model
    return keras.Model(inputs, out, name="head")


def _loss_for(run, y_train, losses):
    """(loss, from_logits, fit kwargs) for one run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zero-positive labels: stated fallback weight 1
        pos_weight = positive_weights(y_train, "sqrt", max_weight=30.0, on_zero="one")
    if run == "bce":
        return "binary_crossentropy", False, {}
    if run == "class_weight":
        counts = y_train.sum(axis=0)
        class_weight = {c: round(len(y_train) / n, 1) for c, n in enumerate(counts) if n}  # the seed's dict
        return "binary_crossentropy", False, {"class_weight": class_weight}
    if run == "weighted_bce":
        return losses.WeightedBinaryCrossentropy(pos_weight=pos_weight, from_logits=True), True, {}
    if run == "focal":
        return losses.BinaryFocalLoss(gamma=2.0, pos_weight=pos_weight, from_logits=True), True, {}
    if run == "repeat_factor":  # plain BCE on rows oversampled by repeat-factor sampling (mlbalance.sampling)
        return "binary_crossentropy", False, {"resample": True}
    if run == "asymmetric":
        return losses.AsymmetricLoss(gamma_pos=0.0, gamma_neg=4.0, clip=0.05, pos_weight=pos_weight,
                                     from_logits=True), True, {}
    raise ValueError(f"unknown run {run!r}")


def _log(verbose, message):
    if verbose:
        print(message, flush=True)


TUNE_MIN_POSITIVES = 2  # thresholds are tuned for labels with >= 2 tuning positives; 0.5 below that


def _tune_held_out(y_tune, score_tune, placement):
    """The demo's thresholds: tuned for labels with >= ``TUNE_MIN_POSITIVES`` positives, -1 left out.

    The fallback warning is silenced: the labels with no positives at all would raise it on
    every run, and the report already says which labels a run never predicts.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return tune_thresholds(y_tune, score_tune, min_positives=TUNE_MIN_POSITIVES, mask_value=-1,
                               placement=placement)


def run_demo(config=None, *, data=None, runs=RUNS, output_dir=None, verbose=True):
    """Run the whole scenario; return ``{"reports": {...}, "comparison": ComparisonReport, ...}``.

    Parameters
    ----------
    config : DemoConfig, optional
    data : (x, y) arrays, optional
        Your own sequences (n, T, features) and 0/1 labels (n, q), checked by :func:`check_data`
        before anything trains; default: :func:`make_sequences`.
    runs : sequence of str
        One or more of ``"bce", "class_weight", "weighted_bce", "focal", "asymmetric", "repeat_factor"``.
    output_dir : str, optional
        Where to write ``demo_report.html`` and ``demo_report.json`` (atomically). Created and
        checked (:func:`prepare_output_dir`) before anything trains.
    verbose : bool, default True

    Returns
    -------
    dict
        ``reports`` (name -> EvaluationReport on the test split, ``"<run> @0.5"`` and
        ``"<run> @tuned"``; fine-tuned runs ``"<run> +ft"`` and ``"<run> +ft +cRT"``),
        ``comparison`` (ComparisonReport), ``timings`` (seconds), ``summary`` (ImbalanceSummary
        of all labels), ``scores`` (run name -> ``(y_tune, score_tune, score_test)``: the rows
        its thresholds were tuned on, -1 where left out, and its test scores, to re-tune or
        re-evaluate without training again), ``y_test`` and ``pretraining_sets`` (``{"A": [...],
        "B": [...], "how": ...}``: the labels of stage 1's binary task and where they come from).

    Raises
    ------
    ValueError
        For bad arguments or data, and ``OutputPathError`` for an unusable ``output_dir``: all
        before Keras is imported and before any training.

    Examples
    --------
    >>> from mlbalance.demo import DemoConfig, run_demo
    >>> result = run_demo(DemoConfig.tiny(), runs=("bce", "weighted_bce"), verbose=False)
    >>> sorted(result["reports"])  # tiny() fine-tunes weighted_bce only
    ['bce @0.5', 'bce @tuned', 'weighted_bce +ft +cRT @0.5', 'weighted_bce +ft +cRT @tuned', 'weighted_bce +ft @0.5', 'weighted_bce +ft @tuned', 'weighted_bce @0.5', 'weighted_bce @tuned']
    """
    config = config or DemoConfig()
    if not isinstance(config, DemoConfig):
        raise ValueError(f"Expected config to be a DemoConfig. Received: config={config!r}")
    runs = (runs,) if isinstance(runs, str) else tuple(runs)
    unknown = [run for run in runs if run not in RUNS]
    if unknown or not runs:
        raise ValueError(f"Expected runs to be one or more of {RUNS}. Received: runs={runs!r}"
                         + (f" (unknown: {unknown})" if unknown else ""))
    report_paths = None if output_dir is None else prepare_output_dir(output_dir)
    # Everything that can fail on the data fails here, before Keras is imported or anything trains.
    timings, speed = {}, {}
    start = time.perf_counter()
    x, y = check_data(*data) if data is not None else make_sequences(config, random_state=config.seed)
    if config.padding == "pre":
        x = _pad_before(x)
    train, val, test = _split_rows(y, config.seed)
    sets, sets_text = _pretraining_sets(y[train])

    import keras

    from . import losses

    _check_mixed_precision(keras, config.mixed_precision)
    keras.utils.set_random_seed(config.seed)
    previous_policy = keras.mixed_precision.dtype_policy()
    if config.mixed_precision:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
    # Each run builds new models, so TensorFlow logs "triggered tf.function retracing" warnings
    # that are expected here; keep the demo's output readable.
    tf_logger = logging.getLogger("tensorflow")
    previous_level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        summary = imbalance_summary(y)
        width = "" if x.shape[2] == 128 else " (the seed had 128; the models' input is sized to the data)"
        _log(verbose, f"[1/6] data: {x.shape[0]:,} sequences, up to {x.shape[1]} steps x {x.shape[2]} features"
                      f"{width}, {y.shape[1]} labels (backend {keras.backend.backend()}, padding {config.padding!r})")
        _log(verbose, summary.to_text())
        if config.padding == "mask" and keras.backend.backend() == "torch" and _peak_device_memory("torch") is not None:
            _log(verbose, "      hint: on PyTorch + CUDA, Keras' masked LSTM is a per-step loop; --padding pre "
                          "(padding first, no mask) lets it use cuDNN")
        _log(verbose, f"[2/6] stratified split: train {len(train):,}, validation {len(val):,}, test {len(test):,}")
        timings["data"] = time.perf_counter() - start
        result = _run(keras, losses, config, x, y, (train, val, test), (sets, sets_text), runs, verbose,
                      timings, speed)
    finally:
        keras.mixed_precision.set_dtype_policy(previous_policy)
        tf_logger.setLevel(previous_level)
    result["summary"] = summary
    if report_paths is not None:
        html_path, json_path = report_paths
        write_text(html_path, result["comparison"].to_html())
        write_text(json_path, result["comparison"].to_json(indent=2))
        _log(verbose, f"wrote {html_path} and {json_path}")
    return result


def _run(keras, losses, config, x, y, parts, pretraining, runs, verbose, timings, speed):
    train, val, test = parts
    sets, sets_text = pretraining
    start = time.perf_counter()
    binary, base = _base_model(keras, config.lstm_units, config.padding, n_features=x.shape[2])
    binary.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    target = _binary_target(y, sets)
    clock = _epoch_clock(keras)
    history = binary.fit(x[train], target[train], validation_data=(x[val], target[val]), epochs=config.base_epochs,
                         batch_size=config.batch_size, verbose=2 if verbose else 0, callbacks=[clock])
    timings["stage1"] = time.perf_counter() - start
    speed["stage1"] = _throughput(clock.seconds, len(train))
    _log(verbose, f"[3/6] binary base ({sets_text}): val accuracy {history.history['val_accuracy'][-1]:.3f} "
                  f"(positive rate {target.mean():.3f}), {timings['stage1']:.1f} s, {_speed_text(speed['stage1'])}")

    start = time.perf_counter()
    base.trainable = False
    features = np.asarray(base.predict(x, batch_size=256, verbose=0), dtype=np.float32)
    lstm_states = keras.Model(base.input, base.get_layer("lstm").output, name="lstm_states")
    fine_tuned = [run for run in runs if run in config.finetune_runs] if config.finetune_epochs > 0 else []
    states = np.asarray(lstm_states.predict(x, batch_size=256, verbose=0), dtype=np.float32) if fine_tuned else None
    reports, held_out_scores, finetune_clock, finetune_seconds = {}, {}, _epoch_clock(keras), 0.0

    def evaluate(name, scores, train_scores=None):
        y_tune, s_tune = y[val], scores[val]
        if train_scores is not None:  # out-of-fold training scores join the validation rows (NaN: left out)
            y_tune = np.vstack([np.where(np.isnan(train_scores), -1, y[train]), y_tune])
            s_tune = np.vstack([np.nan_to_num(train_scores), s_tune])
        tuned = _tune_held_out(y_tune, s_tune, "midpoint" if train_scores is None else "low")
        held_out_scores[name] = (y_tune, s_tune, scores[test])
        for label, thresholds in (("0.5", 0.5), ("tuned", tuned)):
            key = f"{name} @{label}"
            reports[key] = evaluation_report(y[test], scores[test], thresholds, y_train=y[train], name=key)
        _log(verbose, f"      {name:22s} test macro-F1 @0.5 {_f(reports[f'{name} @0.5'])}, "
                      f"@tuned {_f(reports[f'{name} @tuned'])}")

    # One repeat-factor draw, for the "repeat_factor" run and (by default) for fine-tuning.
    oversampled = train[resample_indices(y[train], "repeat_factor", config.seed, threshold=config.repeat_threshold)]
    if config.finetune_sampling == "repeat_factor":
        finetune_rows = oversampled
    elif config.finetune_sampling is None:
        finetune_rows = train
    else:
        finetune_rows = train[resample_indices(y[train], config.finetune_sampling, config.seed)]
    _log(verbose, "[4/6] stage 2: the seed's head on the frozen base, one per run")
    for run in runs:
        loss, from_logits, fit_kwargs = _loss_for(run, y[train], losses)
        keras.utils.set_random_seed(config.seed)
        head = _head(keras, y.shape[1], None if from_logits else "sigmoid", features[train])
        head.compile(optimizer=keras.optimizers.Adam(2e-3), loss=loss)
        rows = oversampled if fit_kwargs.pop("resample", False) else train
        head.fit(features[rows], y[rows].astype(np.float32), epochs=config.head_epochs,
                 batch_size=config.head_batch_size, verbose=0, **fit_kwargs)
        head_scores = np.asarray(head.predict(features, batch_size=1024, verbose=0), dtype=np.float64)
        evaluate(run, expit(head_scores) if from_logits else head_scores)
        stacked = keras.Model(base.input, head(base.output), name="seed_model")
        # A wiring check, not bitwise: GPUs may run float32 matrix products in TF32.
        inside = keras.ops.convert_to_numpy(stacked(x[test[:64]], training=False))  # a call: no predict tracing
        np.testing.assert_allclose(np.asarray(inside, dtype=np.float64),
                                   head_scores[test[:64]], rtol=1e-2, atol=1e-2)
        if run in fine_tuned:
            finetune_start = time.perf_counter()
            scores, refit, refit_train = _finetune(keras, config, loss, from_logits, fit_kwargs, lstm_states,
                                                   states, x, y, train, finetune_rows, np.concatenate([val, test]),
                                                   finetune_clock)
            evaluate(f"{run} +ft", scores)
            evaluate(f"{run} +ft +cRT", refit, train_scores=refit_train)
            finetune_seconds += time.perf_counter() - finetune_start
    timings["stage2"] = time.perf_counter() - start - finetune_seconds
    if finetune_clock.seconds:
        timings["stage3"] = finetune_seconds
        speed["stage3"] = _throughput(finetune_clock.seconds, len(finetune_rows))
        drawn = "" if config.finetune_sampling is None else f", {config.finetune_sampling} sampling"
        _log(verbose, f"[5/6] stage 3 (fine-tuning, {len(finetune_clock.seconds)} epochs in all, "
                      f"{len(finetune_rows):,} rows per epoch{drawn}): {_speed_text(speed['stage3'])}")
    peak = _peak_device_memory(keras.backend.backend())
    if peak is not None:
        speed["peak_device_memory_mib"] = peak / 2**20
        _log(verbose, f"      peak accelerator memory: {speed['peak_device_memory_mib']:.0f} MiB")

    best = max(reports, key=lambda k: reports[k].overall["macro_f1"] or 0.0)
    comparison = compare_reports(reports)
    _log(verbose, "[6/6] test split, every run:\n" + comparison.to_text())
    _log(verbose, f"best: {best}; the stacked model has {stacked.count_params():,} parameters, "
                  f"{sum(int(np.prod(w.shape)) for w in stacked.trainable_weights):,} trainable with the base frozen "
                  "(each head was checked to predict the same inside it)")
    return {"reports": reports, "comparison": comparison, "timings": timings, "speed": speed,
            "pretraining_sets": {"A": list(sets[0]), "B": list(sets[1]), "how": sets_text}, "best": best,
            "split_sizes": (len(train), len(val), len(test)), "scores": held_out_scores, "y_test": y[test]}


def _finetune(keras, config, loss, from_logits, fit_kwargs, lstm_states, states, x, y, train, rows, held_out,
              clock):
    """Stage 3 for one run: the seed's head on the base's LSTM, trained frozen, then end to end.

    Returns ``(scores, refit, refit_train)``: the fine-tuned model's probabilities and those of
    the classifier re-trained on its LSTM states (:func:`_refit_classifier`), each for the
    ``held_out`` rows in a zero matrix of ``y``'s shape (the other rows are not scored), and the
    re-trained classifier's out-of-fold probabilities for the ``train`` rows (NaN where a label
    could not be cross-fitted). The LSTM's weights are restored afterwards, so every run starts
    from the same binary base.
    """
    lstm = lstm_states.get_layer("lstm")
    lstm_weights = lstm.get_weights()
    keras.utils.set_random_seed(config.seed)
    head = _head(keras, y.shape[1], None if from_logits else "sigmoid", states[train])
    head.compile(optimizer=keras.optimizers.Adam(2e-3), loss=loss)
    head.fit(states[train], y[train].astype(np.float32), epochs=config.head_epochs,
             batch_size=config.head_batch_size, verbose=0, **fit_kwargs)
    model = keras.Model(lstm_states.input, head(lstm_states.output), name="seed_model_on_lstm")
    lstm.trainable = True
    try:
        model.compile(optimizer=keras.optimizers.Adam(config.finetune_lr, clipnorm=1.0), loss=loss)
        model.fit(x[rows], y[rows].astype(np.float32), epochs=config.finetune_epochs, batch_size=config.batch_size,
                  verbose=0, callbacks=[clock], **fit_kwargs)
        # One pass gives the held-out scores and the fine-tuned states of every row the refit needs.
        both = keras.Model(lstm_states.input, [model.output, lstm_states.output], name="scores_and_states")
        outputs, tuned_states = both.predict(x[np.concatenate([train, held_out])], batch_size=256, verbose=0)
        held_out_scores = np.asarray(outputs[len(train):], dtype=np.float64)
        tuned_states = np.asarray(tuned_states, dtype=np.float64)
    finally:
        lstm.trainable = False
        lstm.set_weights(lstm_weights)
    scores, refit = np.zeros(y.shape), np.zeros(y.shape)
    scores[held_out] = expit(held_out_scores) if from_logits else held_out_scores
    refit[held_out], refit_train = _refit_classifier(tuned_states[:len(train)], y[train], tuned_states[len(train):],
                                                     random_state=config.seed)
    return scores, refit, refit_train


def _balanced_logistic():
    """Standardised inputs, then a logistic regression with ``class_weight="balanced"``."""
    return make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000))


def _refit_classifier(train_states, y_train, states, folds=3, random_state=0):
    """Classifier re-training: per label, a balanced logistic regression on fixed features.

    Returns ``(probabilities, out_of_fold)``. ``probabilities``: every label for every row of
    ``states``, from a model fit on all training rows; a label with no training positives (or no
    negatives) gets a constant score of its training rate. ``out_of_fold``: every label for every
    training row, from ``folds``-fold cross-fitting (stratified on the label; as many folds as it
    has positives when that is fewer), so that thresholds can be tuned on the training rows too;
    NaN where a label has fewer than 2 training positives (or negatives) to cross-fit.
    Inputs are standardised; ``class_weight="balanced"`` weighs a label's positives and negatives
    equally, however few the positives (Kang et al., 2020, "Decoupling representation and
    classifier").
    """
    probabilities = np.empty((len(states), y_train.shape[1]))
    out_of_fold = np.full(y_train.shape, np.nan)
    # Many small fits on a (rows x features) matrix: one BLAS thread each is faster than threads that contend.
    with threadpool_limits(1):
        for label in range(y_train.shape[1]):
            target = y_train[:, label]
            if target.min() == target.max():
                probabilities[:, label] = target.mean()
                continue
            model = _balanced_logistic()
            probabilities[:, label] = model.fit(train_states, target).predict_proba(states)[:, 1]
            n_folds = min(folds, int(target.sum()), int(len(target) - target.sum()))
            if n_folds >= 2:
                cv = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
                out_of_fold[:, label] = cross_val_predict(model, train_states, target, cv=cv,
                                                          method="predict_proba")[:, 1]
    return probabilities, out_of_fold


def _epoch_clock(keras):
    """A callback that records the wall-clock seconds of every epoch in ``.seconds``."""

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    clock = EpochClock()
    clock.seconds = []
    return clock


def _throughput(seconds, n_sequences):
    """First epoch (compilation included), median of the later ones, sequences per epoch and per second."""
    steady = float(np.median(seconds[1:])) if len(seconds) > 1 else float(seconds[0])
    return {"first_epoch_s": float(seconds[0]), "epoch_s": steady, "sequences": int(n_sequences),
            "sequences_per_s": n_sequences / steady}


def _speed_text(speed):
    return (f"first epoch {speed['first_epoch_s']:.1f} s, then {speed['epoch_s']:.2f} s/epoch "
            f"({speed['sequences_per_s']:,.0f} sequences/s)")


def _peak_device_memory(backend):
    """Peak bytes held on the accelerator (JAX, PyTorch on CUDA), or None on CPU / other backends."""
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        stats = device.memory_stats() if device.platform != "cpu" else None
        return None if not stats else stats.get("peak_bytes_in_use")
    if backend == "torch":
        import torch

        return torch.cuda.max_memory_allocated() if torch.cuda.is_available() else None
    return None


BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def choose_backend(name: str | None = None, *, option: str = "backend") -> str:
    """Select the Keras backend the demo will train on, before Keras is imported; return its name.

    ``name`` (or, when None, ``KERAS_BACKEND``, default ``"tensorflow"``) must be one of
    ``tensorflow``, ``jax`` or ``torch`` with its package installed. Keras fixes its backend when
    it is first imported, so if Keras is already imported with another backend this is an error
    (run in a new process), never a silent switch. Does not import Keras.

    Examples
    --------
    >>> from mlbalance.demo import choose_backend
    >>> choose_backend("theano")
    Traceback (most recent call last):
    ...
    ValueError: Expected backend to be one of ('tensorflow', 'jax', 'torch') (the demo trains models). Received: backend='theano'
    """
    import importlib.util
    import sys

    requested = name if name is not None else os.environ.get("KERAS_BACKEND", "tensorflow")
    source = option if name is not None else "KERAS_BACKEND"
    if requested not in BACKEND_PACKAGES:
        raise ValueError(f"Expected {source} to be one of {tuple(BACKEND_PACKAGES)} (the demo trains models). "
                         f"Received: {source}={requested!r}")
    if "keras" in sys.modules:
        current = sys.modules["keras"].backend.backend()
        if name is not None and current != requested:
            raise ValueError(f"Keras is already imported in this process with the {current!r} backend, and a "
                             f"backend is fixed when Keras is first imported. Received: {option}={requested!r}. Run "
                             f"the demo in a new process (or set KERAS_BACKEND={requested} before importing Keras).")
        return current
    if importlib.util.find_spec(BACKEND_PACKAGES[requested]) is None:
        raise ValueError(f"the {requested!r} Keras backend needs the {BACKEND_PACKAGES[requested]!r} package, which "
                         "is not installed; install it or choose another backend (tensorflow, jax or torch).")
    os.environ["KERAS_BACKEND"] = requested
    return requested


def _has_accelerator(backend):
    """Whether the Keras backend sees a GPU (or other accelerator)."""
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return jax.devices()[0].platform != "cpu"
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def _check_mixed_precision(keras, enabled):
    """Warn when ``mixed_float16`` is asked for without an accelerator: it runs, only slower."""
    if enabled and not _has_accelerator(keras.backend.backend()):
        warnings.warn(f"mixed_precision: no GPU is visible to the {keras.backend.backend()!r} backend, and mixed_float16 "
                      "gives no speed-up on a CPU (float16 has no fast path there); it is meant for GPUs with "
                      "float16 units. The run goes on, in mixed precision.", UserWarning, stacklevel=3)


def _f(report):
    value = report.overall["macro_f1"]
    return "-" if value is None else f"{value:.3f}"


def check_data(x, y, source: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Check the demo's input arrays before any training; return ``x`` as float32 and ``y`` as int8.

    ``x``: sequences of shape (n, T, features), zero-padded after each sequence (any number of
    features: the models' input is sized to it; the seed's has 128), finite. ``y``: an (n, q)
    0/1 label matrix (:func:`mlbalance.as_label_matrix`), with the same ``n`` and at least
    ``MIN_ROWS`` (10) rows, so that the 60 / 20 / 20 split leaves 2 validation and 2 test rows.
    Every error names ``source`` and says what was received.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.demo import check_data
    >>> x, y = np.zeros((10, 3, 4)), np.eye(10, 2)
    >>> [a.dtype.name for a in check_data(x, y)]
    ['float32', 'int8']
    >>> x[2, 1, 3] = np.nan
    >>> check_data(x, y)
    Traceback (most recent call last):
    ...
    ValueError: data: x has 1 non-finite value(s) (NaN or inf); the first is x[2, 1, 3] = nan (row 2, step 1, feature 3). Replace them (or drop those rows) before training.
    """
    raw = np.asarray(x)
    if raw.ndim != 3 or 0 in raw.shape[1:]:
        hint = " For one feature vector per row, add a step axis: x[:, None, :]." if raw.ndim == 2 else ""
        raise ValueError(f"{source}: expected x to be a 3-D array (n sequences, T >= 1 steps, features >= 1). "
                         f"Received: x with shape {raw.shape}.{hint}")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool) or np.iscomplexobj(raw):
        raise ValueError(f"{source}: expected x to hold real numbers. Received: x with dtype {raw.dtype}.")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported below
        values = raw.astype(np.float32)
    bad = ~np.isfinite(values)
    if bad.any():
        row, step, feature = (int(i) for i in np.argwhere(bad)[0])
        value = raw[row, step, feature].item()
        raise ValueError(f"{source}: x has {int(bad.sum())} non-finite value(s) (NaN or inf"
                         f"{', or beyond float32' if np.isfinite(value) else ''}); the first is "
                         f"x[{row}, {step}, {feature}] = {value!r} (row {row}, step {step}, "
                         f"feature {feature}). Replace them (or drop those rows) before training.")
    try:
        labels = as_label_matrix(y)
    except ValueError as err:
        raise type(err)(f"{source}: {err}") from None
    if labels.n_samples != len(values):
        raise ValueError(f"{source}: x has {len(values)} sequences but y has {labels.n_samples} rows; "
                         "give one label row per sequence.")
    if len(values) < MIN_ROWS:
        raise ValueError(f"{source}: {len(values)} rows; the demo splits them 60 / 20 / 20 into train, validation "
                         f"and test and needs at least {MIN_ROWS}.")
    matrix = np.asarray(labels.values.toarray() if labels.is_sparse else labels.values).astype(np.int8)
    _check_label_count(matrix, f"{source}: y")
    return values, matrix


def _check_label_count(y, what):
    """Stage 1 needs two labels with positives: one for set A, one for set B."""
    with_positives = np.flatnonzero(y.sum(axis=0) > 0).tolist()
    if len(with_positives) < 2:
        raise ValueError(f"{what} has positives in {len(with_positives)} of its {y.shape[1]} labels "
                         f"{with_positives}; the demo's binary pre-training task ('has a label of set A and a label "
                         "of set B') needs at least 2 labels with positives.")


def load_data(path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``x`` (n, T, features) and ``y`` (n, q) from an ``.npz`` file, checked by :func:`check_data`.

    A missing, truncated or non-``.npz`` file, or one without arrays ``x`` and ``y``, is a
    ``ValueError`` (``OSError`` when it cannot be opened) naming the file.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from mlbalance.demo import load_data
    >>> path = os.path.join(tempfile.mkdtemp(), "d.npz")
    >>> np.savez(path, x=np.zeros((10, 3, 128)), y=np.eye(10, 2))
    >>> [a.shape for a in load_data(path)]
    [(10, 3, 128), (10, 2)]
    >>> np.savez(path, features=np.zeros((10, 3, 128)), y=np.eye(10, 2))
    >>> load_data(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...d.npz: needs arrays 'x' (n, T, features) and 'y' (n, q); missing ['x']. Arrays found: ['features', 'y'].
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            magic = handle.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(f"{name}: a single .npy array, not an .npz archive; save both arrays with "
                             "numpy.savez(path, x=x, y=y).")
        if not magic.startswith(b"PK"):
            what = "an empty file" if not magic else "not an .npz archive (an .npz file is a zip archive; this is not)"
            raise ValueError(f"{name}: {what}. Write it with numpy.savez(path, x=x, y=y).")
        with np.load(name, allow_pickle=False) as archive:
            found = sorted(archive.files)
            missing = sorted({"x", "y"} - set(found))
            if missing:
                raise ValueError(f"{name}: needs arrays 'x' (n, T, features) and 'y' (n, q); missing {missing}. "
                                 f"Arrays found: {found}.")
            x, y = archive["x"], archive["y"]
    except OSError as err:
        raise OSError(f"{name}: cannot read the data file ({err.strerror or err}).") from None
    except ValueError as err:
        if str(err).startswith(name):
            raise
        raise ValueError(f"{name}: cannot read x and y ({err}). Save numeric arrays with "
                         "numpy.savez(path, x=x, y=y).") from None
    except Exception as err:  # zipfile.BadZipFile, EOFError, zlib.error, ...: a truncated or corrupt archive
        raise ValueError(f"{name}: a truncated or corrupt .npz archive ({type(err).__name__}: {err}). Write it "
                         "again with numpy.savez(path, x=x, y=y).") from None
    return check_data(x, y, source=name)


def prepare_output_dir(output_dir, inputs=(), *, option: str = "output_dir") -> list[str]:
    """Create ``output_dir`` if needed and check its report files can be written; return their paths.

    Done before any training: ``output_dir`` must not be an existing file, must be writable, and
    ``demo_report.html`` / ``demo_report.json`` in it must not resolve (symlinks followed) to
    any of ``inputs`` (:func:`mlbalance._files.check_output`). Raises ``OutputPathError``.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.demo import prepare_output_dir
    >>> folder = os.path.join(tempfile.mkdtemp(), "out")
    >>> [os.path.basename(p) for p in prepare_output_dir(folder)], os.path.isdir(folder)
    (['demo_report.html', 'demo_report.json'], True)
    """
    folder = os.fspath(output_dir)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise OutputPathError(f"{option} {folder} is an existing file, not a directory; choose a directory "
                              "(it is created if missing).")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"{option} {folder}: cannot create the directory ({err.strerror or err}).") from None
    return [check_output(os.path.join(folder, name), inputs, option=option) for name in REPORT_FILES]
