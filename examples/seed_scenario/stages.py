"""The three training stages of the seed scenario.

1. **Stage 1**, the binary base (:func:`seed_scenario.models.base_model`), trained on "has any
   label of set A and any label of set B" (:func:`seed_scenario.data.pretraining_sets`).
2. **Stage 2**, as the seed did it: the base is frozen and the seed's head is trained on its
   64-d outputs with each run's loss (:func:`seed_scenario.models.loss_for`). The base is frozen,
   so its outputs are computed once and the heads train on them: the same computation as
   fitting the stacked model, without re-running the LSTM every epoch. Each head is assembled
   into the full stacked model, checked to predict the same.
3. **Stage 3**, fine-tuning (``"<run> +ft"``): a base trained for the binary task keeps little of
   the rare labels in its 64 outputs (its dense layers only need "any of A" and "any of B"), but
   its LSTM state keeps more. So a new seed's head goes on the LSTM state, is trained on the
   frozen states with the run's loss, then the LSTM and the head are trained end to end (Adam at
   ``finetune_lr``, gradient-norm clipping 1.0) on rows drawn by ``finetune_sampling`` (default
   repeat-factor sampling, :func:`mlbalance.resample_indices`; one draw, the same rows for every
   run, so the fine-tuned runs differ by their loss alone). The LSTM is reset to its stage-1
   weights after each run. Each fine-tuned run then gets **classifier re-training**
   (``"<run> +ft +cRT"``, Kang et al., 2020): :func:`mlbalance.retrain_classifier` keeps the
   fine-tuned LSTM and refits the last layer per label as a balanced logistic regression on its
   standardised states, folded into one ``Dense`` layer: a Keras model that can be saved.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from scipy.special import expit

import mlbalance

from .config import DemoConfig
from .data import binary_target
from .evaluation import Evaluation, out_of_fold_scores
from .models import base_model, head, loss_for


def epoch_clock(keras: Any) -> Any:
    """A callback that records the wall-clock seconds of every epoch in ``.seconds``."""

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    clock = EpochClock()
    clock.seconds = []
    return clock


def throughput(seconds: list, n_sequences: int) -> dict:
    """First epoch (compilation included), median of the later ones, sequences per epoch and per second."""
    steady = float(np.median(seconds[1:])) if len(seconds) > 1 else float(seconds[0])
    return {"first_epoch_s": float(seconds[0]), "epoch_s": steady, "sequences": int(n_sequences),
            "sequences_per_s": n_sequences / steady}


def speed_text(speed: dict) -> str:
    return (f"first epoch {speed['first_epoch_s']:.1f} s, then {speed['epoch_s']:.2f} s/epoch "
            f"({speed['sequences_per_s']:,.0f} sequences/s)")


def peak_device_memory(backend: str) -> int | None:
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


def _log(verbose: bool, message: str) -> None:
    if verbose:
        print(message, flush=True)


def drawn_rows(y: np.ndarray, train: np.ndarray, sampling: str | None, seed: int,
               repeat_threshold: float) -> np.ndarray:
    """``train`` resampled by ``sampling`` (``"repeat_factor"``, ``"ml_ros"`` or None: every row once), one draw."""
    if sampling is None:
        return train
    threshold = {"threshold": repeat_threshold} if sampling == "repeat_factor" else {}
    return train[mlbalance.resample_indices(y[train], sampling, seed, **threshold)]


def run_stages(keras: Any, config: DemoConfig, x: np.ndarray, y: np.ndarray, parts: tuple, pretraining: tuple,
               verbose: bool, timings: dict, speed: dict) -> dict:
    """Stages 1-3 and the evaluation of every run; see the module docstring."""
    train, val, test = parts
    sets, sets_text = pretraining
    evaluation = Evaluation(y, parts)
    start = time.perf_counter()
    _log(verbose, f"[1/3] the binary base ({sets_text})")
    binary, base = base_model(keras, config.lstm_units, config.padding, n_features=x.shape[2])
    binary.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    target = binary_target(y, sets)
    clock = epoch_clock(keras)
    history = binary.fit(x[train], target[train], validation_data=(x[val], target[val]), epochs=config.base_epochs,
                         batch_size=config.batch_size, verbose=2 if verbose else 0, callbacks=[clock])
    timings["stage1"] = time.perf_counter() - start
    speed["stage1"] = throughput(clock.seconds, len(train))
    _log(verbose, f"      validation accuracy {history.history['val_accuracy'][-1]:.3f} (positive rate "
                  f"{target.mean():.3f}), {timings['stage1']:.0f} s")

    start = time.perf_counter()
    base.trainable = False
    lstm_states = keras.Model(base.input, base.get_layer("lstm").output, name="lstm_states")
    stacked = None
    if config.runs:
        _log(verbose, f"[2/3] the seed's head on the frozen base: {', '.join(config.runs)}")
        features = np.asarray(base.predict(x, batch_size=256, verbose=0), dtype=np.float32)
    for run in config.runs:
        loss, from_logits, fit_kwargs = loss_for(run, y[train])
        keras.utils.set_random_seed(config.seed)
        model = head(keras, y.shape[1], None if from_logits else "sigmoid", features[train])
        model.compile(optimizer=keras.optimizers.Adam(2e-3), loss=loss)
        rows = drawn_rows(y, train, "repeat_factor", config.seed, config.repeat_threshold) \
            if fit_kwargs.pop("resample", False) else train
        model.fit(features[rows], y[rows].astype(np.float32), epochs=config.head_epochs,
                  batch_size=config.head_batch_size, verbose=0, **fit_kwargs)
        scores = np.asarray(model.predict(features, batch_size=1024, verbose=0), dtype=np.float64)
        evaluation.add(run, expit(scores) if from_logits else scores)
        stacked = keras.Model(base.input, model(base.output), name="seed_model")
        # A wiring check, not bitwise: GPUs may run float32 matrix products in TF32.
        inside = keras.ops.convert_to_numpy(stacked(x[test[:64]], training=False))  # a call: no predict tracing
        np.testing.assert_allclose(np.asarray(inside, dtype=np.float64), scores[test[:64]], rtol=1e-2, atol=1e-2)
    timings["stage2"] = time.perf_counter() - start
    if config.runs:
        _log(verbose, f"      {timings['stage2']:.0f} s; the stacked model has {stacked.count_params():,} parameters, "
                      f"{sum(int(np.prod(w.shape)) for w in stacked.trainable_weights):,} trainable with the base "
                      "frozen")

    models = {}
    if config.fine_tuned:
        start = time.perf_counter()
        states = np.asarray(lstm_states.predict(x[train], batch_size=256, verbose=0), dtype=np.float32)
        rows = drawn_rows(y, train, config.finetune_sampling, config.seed, config.repeat_threshold)
        clock = epoch_clock(keras)
        drawn = "" if config.finetune_sampling is None else f", {config.finetune_sampling} sampling"
        _log(verbose, f"[3/3] fine-tuning from the LSTM state ({len(rows):,} rows per epoch{drawn}), then classifier "
                      f"re-training: {', '.join(config.fine_tuned)}")
        for run in config.fine_tuned:
            scores, retrained, retrained_scores, train_scores = finetune(
                keras, config, run, lstm_states, states, x, y, train, rows, np.concatenate([val, test]), clock,
                verbose)
            evaluation.add(f"{run} +ft", scores)
            evaluation.add(f"{run} +ft +cRT", retrained_scores, train_scores=train_scores)
            models[f"{run} +ft +cRT"] = retrained
        timings["stage3"] = time.perf_counter() - start
        speed["stage3"] = throughput(clock.seconds, len(rows))
        _log(verbose, f"      {timings['stage3']:.0f} s; fine-tuning {speed_text(speed['stage3'])}")
    peak = peak_device_memory(keras.backend.backend())
    if peak is not None:
        speed["peak_device_memory_mib"] = peak / 2**20
    reports = evaluation.reports
    return {"reports": reports, "evaluation": evaluation, "models": models, "timings": timings, "speed": speed,
            "pretraining_sets": {"A": list(sets[0]), "B": list(sets[1]), "how": sets_text},
            "best": max(reports, key=evaluation.macro_f1), "split": parts,
            "split_sizes": (len(train), len(val), len(test)), "scores": evaluation.scores, "y_test": y[test]}


def finetune(keras: Any, config: DemoConfig, run: str, lstm_states: Any, states: np.ndarray, x: np.ndarray,
             y: np.ndarray, train: np.ndarray, rows: np.ndarray, held_out: np.ndarray, clock: Any,
             verbose: bool = False) -> tuple:
    """Stage 3 for one run: the seed's head on the LSTM, trained frozen, then end to end; then re-training.

    Returns ``(scores, retrained, retrained_scores, train_scores)``: the fine-tuned model's
    probabilities for the ``held_out`` rows (in a zero matrix of ``y``'s shape), the re-trained
    Keras model (:func:`mlbalance.retrain_classifier` on the fine-tuned LSTM), its probabilities
    for the ``held_out`` rows (same layout), and its out-of-fold probabilities for the ``train``
    rows (:func:`seed_scenario.evaluation.out_of_fold_scores`). The LSTM's weights are restored
    afterwards, so every run starts from the same binary base.
    """
    loss, from_logits, fit_kwargs = loss_for(run, y[train])
    lstm = lstm_states.get_layer("lstm")
    lstm_weights = lstm.get_weights()
    keras.utils.set_random_seed(config.seed)
    top = head(keras, y.shape[1], None if from_logits else "sigmoid", states)
    top.compile(optimizer=keras.optimizers.Adam(2e-3), loss=loss)
    top.fit(states, y[train].astype(np.float32), epochs=config.head_epochs, batch_size=config.head_batch_size,
            verbose=0, **fit_kwargs)
    model = keras.Model(lstm_states.input, top(lstm_states.output), name="seed_model_on_lstm")
    lstm.trainable = True
    try:
        model.compile(optimizer=keras.optimizers.Adam(config.finetune_lr, clipnorm=1.0), loss=loss)
        model.fit(x[rows], y[rows].astype(np.float32), epochs=config.finetune_epochs, batch_size=config.batch_size,
                  verbose=2 if verbose else 0, callbacks=[clock], **fit_kwargs)
        held_out_scores = np.asarray(model.predict(x[held_out], batch_size=256, verbose=0), dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # labels without training positives: stated fallback
            retrained = mlbalance.retrain_classifier(model, "lstm", x[train], y[train])
    finally:
        lstm.trainable = False
        lstm.set_weights(lstm_weights)
    tuned_states = keras.Model(retrained.inputs, retrained.get_layer("lstm").output)
    train_states = np.asarray(tuned_states.predict(x[train], batch_size=256, verbose=0), dtype=np.float64)
    scores, retrained_scores = np.zeros(y.shape), np.zeros(y.shape)
    scores[held_out] = expit(held_out_scores) if from_logits else held_out_scores
    retrained_scores[held_out] = retrained.predict(x[held_out], batch_size=256, verbose=0)
    return scores, retrained, retrained_scores, out_of_fold_scores(train_states, y[train],
                                                                   random_state=config.seed)
