"""The seed-scenario example (examples/seed_scenario/) end to end at a tiny size, as the README runs it.

One tiny run for the whole module (``python examples/seed_scenario/run.py --tiny``, in a new
process, as a user runs it); the other tests check the pieces without training, or with a
seconds-long fine-tuning of one run.
"""

import doctest
import importlib
import json
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import mlbalance  # noqa: E402
from seed_scenario.config import DemoConfig  # noqa: E402
from seed_scenario.data import make_sequences, split_rows  # noqa: E402
from seed_scenario.evaluation import TUNE_MIN_POSITIVES, Evaluation, out_of_fold_scores  # noqa: E402
from seed_scenario.stages import drawn_rows, epoch_clock, finetune, throughput  # noqa: E402

KERAS_PROGRESS = re.compile(r"^(Epoch \d+/\d+|\s*\d+/\d+ .*(step|ETA).*)$")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The README's command at tiny size: exit status, stdout, stderr and the output directory."""
    out = tmp_path_factory.mktemp("demo") / "demo_output"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "seed_scenario", "run.py"), "--tiny",
                           "--output-dir", str(out)], capture_output=True, text=True, env=env, timeout=900)
    return done.returncode, done.stdout, done.stderr, out


@pytest.mark.parametrize("module", ["config", "data", "evaluation", "output", "run"])
def test_the_examples_docstrings_run(module):
    """The example's modules are outside the package (pytest's --doctest-modules does not see them)."""
    found = doctest.testmod(importlib.import_module(f"seed_scenario.{module}"),
                            optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert found.attempted > 0 and found.failed == 0


def test_sequences_follow_the_seed_counts_and_are_deterministic():
    x, y = make_sequences(DemoConfig(n_samples=None, max_len=6, min_len=3))
    assert y.shape == (6790, 23) and int(y[:, 22].sum()) == 4702 and int(y[:, 2].sum()) == 4
    assert int(y[:, [1, 3, 9, 11, 13, 14, 18, 21]].sum()) == 0
    again, _ = make_sequences(DemoConfig(n_samples=None, max_len=6, min_len=3))
    np.testing.assert_array_equal(x, again)
    lengths = (np.abs(x).sum(axis=2) > 0).sum(axis=1)
    assert lengths.min() >= 3 and lengths.max() <= 6


def test_tiny_run_tells_the_story_in_under_40_lines_and_writes_every_file(tiny_run):
    status, out, err, folder = tiny_run
    assert status == 0, err
    assert err == ""  # no TensorFlow C++ start-up noise (CUDA stubs, cuInit), no warning
    lines = [line for line in out.splitlines() if not KERAS_PROGRESS.match(line)]
    assert len(lines) <= 40, "\n".join(lines)
    assert "[1/3] the binary base (A: labels 12-22, B: labels 0-11 (the seed's sets))" in out
    table = [line.split()[0] for line in lines if re.match(r"^\S.*\s\d\.\d{3}\s+\d\.\d{3}\s+\d+ of \d+", line)]
    assert table == ["class_weight", "bce", "asymmetric", "asymmetric"]  # ... +ft, ... +ft +cRT
    assert re.search(r"^asymmetric \+ft \+cRT .*<- saved$", out, re.M)
    assert "model = keras.saving.load_model(" in out and "predicted = model.predict(x) >= thresholds" in out
    assert sorted(p.name for p in folder.iterdir()) == ["best_model.keras", "best_thresholds.json",
                                                        "demo_report.html", "demo_report.json"]  # no temp files
    report = json.loads((folder / "demo_report.json").read_text())
    assert [r.split(" @")[0] for r in report["runs"][::2]] == ["class_weight", "bce", "asymmetric +ft",
                                                               "asymmetric +ft +cRT"]
    assert (folder / "demo_report.html").read_text().count("<svg") >= 1  # the per-label tables are in the report
    assert not any(line.startswith("per-label") for line in lines)  # ... and not on the terminal


def test_saved_model_reloads_without_custom_objects_and_reproduces_the_printed_macro_f1(tiny_run):
    status, out, err, folder = tiny_run
    assert status == 0, err
    printed = re.search(r"saved model: .*best_model\.keras \(asymmetric \+ft \+cRT, test macro-F1 (\d\.\d{3})", out)
    config = DemoConfig.tiny()
    x, y = make_sequences(config, random_state=config.seed)
    _, _, test = split_rows(y, config.seed)
    model = keras.saving.load_model(folder / "best_model.keras")  # plain Keras: no custom_objects
    thresholds = [entry["threshold"] for entry in json.loads((folder / "best_thresholds.json").read_text())["labels"]]
    scores = model.predict(x[test], verbose=0)
    report = mlbalance.evaluation_report(y[test], scores, np.array(thresholds))
    assert f"{report.overall['macro_f1']:.3f}" == printed.group(1)
    saved = json.loads((folder / "demo_report.json").read_text())["overall"]["asymmetric +ft +cRT @tuned"]
    assert report.overall["macro_f1"] == saved["macro_f1"]  # exactly the reported figure, not just its rounding
    predicted = np.asarray(scores >= np.array(thresholds))
    assert predicted.shape == y[test].shape


def test_stage_3_trains_on_rows_drawn_by_repeat_factor_sampling(tiny_run):
    _, out, _, _ = tiny_run
    config = DemoConfig.tiny()
    _, y = make_sequences(config, random_state=config.seed)
    train, _, _ = split_rows(y, config.seed)
    rows = drawn_rows(y, train, "repeat_factor", config.seed, config.repeat_threshold)
    expected = mlbalance.resample_indices(y[train], "repeat_factor", config.seed, threshold=config.repeat_threshold)
    np.testing.assert_array_equal(rows, train[expected])
    assert len(rows) > len(train) and f"({len(rows):,} rows per epoch, repeat_factor sampling)" in out
    assert drawn_rows(y, train, None, 0, 0.1) is train
    assert len(drawn_rows(y, train, "ml_ros", 0, 0.1)) > len(train)


def test_config_rejects_unknown_padding_and_runs():
    with pytest.raises(ValueError, match=r"padding to be one of \('mask', 'pre'\). Received: padding='post'"):
        DemoConfig(padding="post")
    with pytest.raises(ValueError, match=r"finetune_epochs to be an integer >= 0. Received: finetune_epochs=-1"):
        DemoConfig(finetune_epochs=-1)
    with pytest.raises(ValueError, match=r"unknown: \['bce2'\]"):
        DemoConfig(finetune_runs=("bce2",))
    with pytest.raises(ValueError, match=r"finetune_sampling to be one of .* Received: finetune_sampling='smote'"):
        DemoConfig(finetune_sampling="smote")
    for bad in (0, 1.5, "0.1", True):
        with pytest.raises(ValueError, match=r"repeat_threshold to be a finite number in \(0, 1\]"):
            DemoConfig(repeat_threshold=bad)
    assert DemoConfig(repeat_threshold=np.float32(0.25)).repeat_threshold == 0.25  # any real number type
    everything = DemoConfig(everything=True)
    assert everything.runs == ("bce", "class_weight", "weighted_bce", "focal", "asymmetric", "repeat_factor")
    assert everything.fine_tuned == ("bce", "weighted_bce", "focal", "asymmetric")
    assert DemoConfig(finetune_epochs=0).fine_tuned == ()


def test_the_models_are_sized_to_the_data_and_padding_first_drops_the_mask():
    from seed_scenario.models import base_model

    binary, base = base_model(keras, 8, n_features=40)
    assert tuple(binary.input.shape) == (None, None, 40) and tuple(base.output.shape) == (None, 64)
    assert any(isinstance(layer, keras.layers.Masking) for layer in binary.layers)
    binary, _ = base_model(keras, 8, padding="pre")
    assert not any(isinstance(layer, keras.layers.Masking) for layer in binary.layers)


def test_throughput_figures():
    speed = throughput([3.0, 1.0, 2.0, 1.5], 300)
    assert speed == {"first_epoch_s": 3.0, "epoch_s": 1.5, "sequences": 300, "sequences_per_s": 200.0}


def test_out_of_fold_scores_match_scikit_learn_cross_fitting():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    states = rng.normal(size=(200, 5))
    y = np.zeros((200, 4), dtype=int)
    y[:, 0] = states[:, 0] + 0.3 * rng.normal(size=200) > 1.5  # rare, learnable
    y[:, 2] = 1  # no negatives
    y[7, 3] = 1  # one positive: nothing to cross-fit
    scores = out_of_fold_scores(states, y, random_state=4)
    reference = np.empty(200)
    for fit_rows, score_rows in StratifiedKFold(3, shuffle=True, random_state=4).split(states, y[:, 0]):
        scaler = StandardScaler().fit(states[fit_rows])
        model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(scaler.transform(states[fit_rows]),
                                                                              y[fit_rows, 0])
        reference[score_rows] = model.predict_proba(scaler.transform(states[score_rows]))[:, 1]
    np.testing.assert_allclose(scores[:, 0], reference, rtol=1e-6, atol=1e-9)
    assert np.isnan(scores[:, 1:]).all()  # one class, or one positive: not cross-fitted


def test_evaluation_tunes_crt_runs_at_the_low_end_on_out_of_fold_rows_too(monkeypatch):
    import seed_scenario.evaluation as evaluation

    placements, tune = [], mlbalance.tune_thresholds
    monkeypatch.setattr(evaluation.mlbalance, "tune_thresholds",
                        lambda *a, **k: placements.append(k["placement"]) or tune(*a, **k))
    rng = np.random.default_rng(0)
    y = (rng.random((90, 3)) < 0.3).astype(int)
    parts = np.arange(50), np.arange(50, 70), np.arange(70, 90)
    scores = np.clip(y * 0.4 + rng.random((90, 3)) * 0.6, 0, 1)
    train_scores = np.where(rng.random((50, 3)) < 0.2, np.nan, scores[:50])
    result = Evaluation(y, parts)
    result.add("run", scores)
    result.add("run +ft +cRT", scores, train_scores=train_scores)
    assert placements == ["midpoint", "low"]
    assert len(result.scores["run +ft +cRT"][0]) == 70 and len(result.scores["run"][0]) == 20
    for name, placement in zip(("run", "run +ft +cRT"), placements):  # the held-out scores re-tune the same
        y_tune, score_tune, score_test = result.scores[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tuned = mlbalance.tune_thresholds(y_tune, score_tune, min_positives=TUNE_MIN_POSITIVES, mask_value=-1,
                                              placement=placement)
        np.testing.assert_array_equal(tuned.thresholds, result.thresholds[name].thresholds)
        again = mlbalance.evaluation_report(y[parts[2]], score_test, tuned)
        assert again.overall["macro_f1"] == result.reports[f"{name} @tuned"].overall["macro_f1"]


def test_finetuning_puts_the_head_on_the_lstm_retrains_and_restores_it():
    from seed_scenario.models import base_model

    config = DemoConfig.tiny()
    x, y = make_sequences(config)
    rows = np.arange(400)
    _, base = base_model(keras, config.lstm_units)
    base.trainable = False
    lstm_states = keras.Model(base.input, base.get_layer("lstm").output)
    states = np.asarray(lstm_states.predict(x[rows], verbose=0))
    assert states.shape == (len(rows), config.lstm_units)  # the head sees the LSTM, not the 64 outputs
    before = [w.copy() for w in base.get_weights()]
    clock = epoch_clock(keras)
    trained = {}
    clock.on_train_end = lambda logs=None: trained.update(kernel=base.get_layer("lstm").get_weights()[0].copy())
    held_out = np.arange(400, 600)
    scores, retrained, retrained_scores, train_scores = finetune(keras, config, "weighted_bce", lstm_states, states,
                                                                 x, y, rows, rows, held_out, clock)
    assert len(clock.seconds) == config.finetune_epochs
    assert not np.array_equal(trained["kernel"], before[0])  # the LSTM trained end to end
    assert scores.shape == y.shape and (scores[:400] == 0).all()
    assert ((scores[held_out] > 0) & (scores[held_out] < 1)).all()
    assert retrained_scores.shape == y.shape and (retrained_scores[:400] == 0).all()
    np.testing.assert_allclose(retrained_scores[held_out], retrained.predict(x[held_out], verbose=0), rtol=1e-5,
                               atol=1e-6)  # another batch size: float32 rounding differs
    # The re-trained model keeps the fine-tuned LSTM, not the restored one.
    assert not np.array_equal(retrained.get_layer("lstm").get_weights()[0], before[0])
    assert train_scores.shape == (400, y.shape[1])  # out-of-fold scores of the training rows, for tuning
    cross_fitted = (y[rows].sum(0) >= 2) & (y[rows].sum(0) <= 398)
    assert np.isfinite(train_scores[:, cross_fitted]).all() and np.isnan(train_scores[:, ~cross_fitted]).all()
    for w, w0 in zip(base.get_weights(), before):  # every run starts from the same binary base
        np.testing.assert_array_equal(w, w0)
    assert not base.get_layer("lstm").trainable
