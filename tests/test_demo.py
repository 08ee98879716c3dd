"""The demo runs end to end at a tiny size (the full run is the README's first command)."""

import json
import warnings

import numpy as np
import pytest

pytest.importorskip("keras")

from mlbalance.cli import main  # noqa: E402
from mlbalance.demo import DemoConfig, load_data, make_sequences, run_demo  # noqa: E402


def test_sequences_follow_the_seed_counts_and_are_deterministic():
    x, y = make_sequences(DemoConfig(n_samples=None, max_len=6, min_len=3))
    assert y.shape == (6790, 23) and int(y[:, 22].sum()) == 4702 and int(y[:, 2].sum()) == 4
    assert int(y[:, [1, 3, 9, 11, 13, 14, 18, 21]].sum()) == 0
    again, _ = make_sequences(DemoConfig(n_samples=None, max_len=6, min_len=3))
    np.testing.assert_array_equal(x, again)
    lengths = (np.abs(x).sum(axis=2) > 0).sum(axis=1)
    assert lengths.min() >= 3 and lengths.max() <= 6


def test_tiny_demo_runs_all_six_runs_and_writes_reports(tmp_path, capsys):
    assert main(["demo", "--tiny", "--output-dir", str(tmp_path), "--json", "--finetune-sampling", "ml_ros"]) == 0
    out = capsys.readouterr().out
    assert "[6/6]" in out and "stage 3 (fine-tuning, 1 epochs in all, " in out and "sequences/s" in out
    assert "rows per epoch, ml_ros sampling)" in out
    data = json.loads((tmp_path / "demo_report.json").read_text())
    assert len(data["runs"]) == 16  # six stage-2 runs, one fine-tuned run and its refit, each at 0.5 and tuned
    assert {r.split(" @")[0] for r in data["runs"]} == {"bce", "class_weight", "weighted_bce", "focal", "asymmetric",
                                                         "repeat_factor", "weighted_bce +ft", "weighted_bce +ft +cRT"}
    assert (tmp_path / "demo_report.html").read_text().count("<svg") >= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_report.html", "demo_report.json"]  # no temp files
    assert "[3/6] binary base (A: labels 12-22, B: labels 0-11 (the seed's sets))" in out


def test_own_data_file_with_other_label_count_and_feature_width(tmp_path, capsys):
    x, y = make_sequences(DemoConfig.tiny())
    labels = [22, 0, 12, 8, 16, 15, 17]  # 7 labels, 40 features: the models are sized to the data
    np.savez(tmp_path / "mine.npz", x=x[:, :, :40], y=y[:, labels])
    x2, y2 = load_data(tmp_path / "mine.npz")
    assert x2.shape == (600, 8, 40) and y2.shape == (600, 7)
    result = run_demo(DemoConfig.tiny(), data=(x2, y2), runs=("bce",))
    assert set(result["reports"]) == {"bce @0.5", "bce @tuned"}
    assert result["reports"]["bce @0.5"].settings["labels"] == 7
    # Sets A and B derived from the data and said so: training counts 244, 97, 9, 1, 4, 1, 2, so ranked
    # 0, 1, 2, 4, 6, 3, 5 (ties by index), alternately to A and B.
    assert result["pretraining_sets"]["A"] == [0, 2, 5, 6] and result["pretraining_sets"]["B"] == [1, 3, 4]
    out = capsys.readouterr().out
    assert "[3/6] binary base (A: labels [0, 2, 5, 6], B: labels [1, 3, 4] (derived from the data" in out
    assert "8 steps x 40 features (the seed had 128; the models' input is sized to the data)" in out


def test_padding_first_and_speed_figures(monkeypatch):
    import mlbalance.demo as demo

    placements, tune = [], demo.tune_thresholds
    monkeypatch.setattr(demo, "tune_thresholds", lambda *a, **k: placements.append(k["placement"]) or tune(*a, **k))
    x, y = make_sequences(DemoConfig.tiny())
    result = run_demo(DemoConfig.tiny(padding="pre", finetune_runs=("bce",)), data=(x, y), runs=("bce",),
                      verbose=False)
    assert set(result["reports"]) == {"bce @0.5", "bce @tuned", "bce +ft @0.5", "bce +ft @tuned", "bce +ft +cRT @0.5",
                                      "bce +ft +cRT @tuned"}
    n_train = result["split_sizes"][0]
    for stage in ("stage1", "stage3"):
        speed = result["speed"][stage]
        assert speed["epoch_s"] > 0 and speed["sequences_per_s"] == pytest.approx(speed["sequences"] / speed["epoch_s"])
    assert result["speed"]["stage1"]["sequences"] == n_train
    assert result["speed"]["stage3"]["sequences"] > n_train  # fine-tuning rows are oversampled by default
    assert "peak_device_memory_mib" not in result["speed"]  # CPU: no accelerator memory to report
    assert placements == ["midpoint", "midpoint", "low"]  # bce, bce +ft, bce +ft +cRT (tuned on out-of-fold rows too)
    # The held-out scores it returns re-tune to the same thresholds and figures, without training again.
    import mlbalance

    for name, placement in zip(("bce", "bce +ft", "bce +ft +cRT"), placements):
        y_tune, score_tune, score_test = result["scores"][name]
        assert score_test.shape == result["y_test"].shape and y_tune.shape == score_tune.shape
        with warnings.catch_warnings():  # the tiny data leaves most labels without 2 tuning positives
            warnings.simplefilter("ignore", UserWarning)
            tuned = mlbalance.tune_thresholds(y_tune, score_tune, min_positives=demo.TUNE_MIN_POSITIVES,
                                              mask_value=-1, placement=placement)
        again = mlbalance.evaluation_report(result["y_test"], score_test, tuned)
        assert again.overall["macro_f1"] == result["reports"][f"{name} @tuned"].overall["macro_f1"]
    assert len(result["scores"]["bce +ft +cRT"][0]) > len(result["scores"]["bce +ft"][0])  # + out-of-fold rows


def test_finetuning_draws_its_rows_by_repeat_factor_sampling(capsys):
    import mlbalance
    from mlbalance.split import train_val_test_split

    config = DemoConfig.tiny(finetune_runs=("bce",))
    x, y = make_sequences(config)
    result = run_demo(config, data=(x, y), runs=("bce",))
    with pytest.warns(UserWarning, match="cannot be in train, validation and test"):  # 600 rows: rare labels
        train, _, _ = train_val_test_split(np.arange(len(y)), y=y, val_size=0.2, test_size=0.2,
                                           random_state=config.seed)
    expected = mlbalance.resample_indices(y[train], "repeat_factor", config.seed, threshold=config.repeat_threshold)
    assert result["speed"]["stage3"]["sequences"] == len(expected) > len(train)
    assert f"{len(expected):,} rows per epoch, repeat_factor sampling" in capsys.readouterr().out
    plain = run_demo(DemoConfig.tiny(finetune_runs=("bce",), finetune_sampling=None), data=(x, y), runs=("bce",),
                     verbose=False)
    assert plain["speed"]["stage3"]["sequences"] == len(train)


def test_pad_before_moves_padding_to_the_front():
    from mlbalance.demo import _pad_before

    x = np.zeros((2, 4, 128), dtype=np.float32)
    x[0, :2] = 1.0
    x[1, :4] = 2.0
    out = _pad_before(x)
    assert (out[0, :2] == 0).all() and (out[0, 2:] == 1).all() and (out[1] == 2).all()


def test_config_rejects_unknown_padding_and_runs():
    with pytest.raises(ValueError, match=r"padding to be one of \('mask', 'pre'\). Received: padding='post'"):
        DemoConfig(padding="post")
    with pytest.raises(ValueError, match=r"finetune_epochs to be an integer >= 0 .* Received: finetune_epochs=-1"):
        DemoConfig(finetune_epochs=-1)
    with pytest.raises(ValueError, match=r"unknown: \['bce2'\]"):
        DemoConfig(finetune_runs=("bce2",))
    with pytest.raises(ValueError, match=r"finetune_sampling to be one of .* Received: finetune_sampling='smote'"):
        DemoConfig(finetune_sampling="smote")
    for bad in (0, 1.5, "0.1", True):
        with pytest.raises(ValueError, match=r"repeat_threshold to be a number in \(0, 1\]"):
            DemoConfig(repeat_threshold=bad)
    assert DemoConfig(repeat_threshold=np.float32(0.25)).repeat_threshold == 0.25  # any real number type


def test_finetuning_puts_the_head_on_the_lstm_and_restores_it():
    import keras

    from mlbalance import losses
    from mlbalance.demo import _base_model, _epoch_clock, _finetune, _loss_for

    config = DemoConfig.tiny()
    x, y = make_sequences(config)
    rows = np.arange(400)
    _, base = _base_model(keras, config.lstm_units)
    base.trainable = False
    lstm_states = keras.Model(base.input, base.get_layer("lstm").output)
    states = np.asarray(lstm_states.predict(x, verbose=0))
    assert states.shape == (len(x), config.lstm_units)  # the head sees the LSTM, not the 64 outputs
    before = [w.copy() for w in base.get_weights()]
    loss, from_logits, fit_kwargs = _loss_for("weighted_bce", y[rows], losses)
    clock = _epoch_clock(keras)
    trained = {}
    clock.on_train_end = lambda logs=None: trained.update(kernel=base.get_layer("lstm").get_weights()[0].copy())
    held_out = np.arange(400, 600)
    scores, refit, refit_train = _finetune(keras, config, loss, from_logits, fit_kwargs, lstm_states, states, x, y,
                                           rows, rows, held_out, clock)
    assert len(clock.seconds) == config.finetune_epochs
    assert not np.array_equal(trained["kernel"], before[0])  # the LSTM trained end to end
    assert scores.shape == y.shape and (scores[:400] == 0).all()
    assert ((scores[held_out] > 0) & (scores[held_out] < 1)).all()
    assert refit.shape == y.shape and (refit[:400] == 0).all() and ((refit >= 0) & (refit <= 1)).all()
    assert refit_train.shape == (400, y.shape[1])  # out-of-fold scores of the training rows, for tuning
    cross_fitted = (y[rows].sum(0) >= 2) & (y[rows].sum(0) <= 398)
    assert np.isfinite(refit_train[:, cross_fitted]).all() and np.isnan(refit_train[:, ~cross_fitted]).all()
    for w, w0 in zip(base.get_weights(), before):  # every run starts from the same binary base
        np.testing.assert_array_equal(w, w0)
    assert not base.get_layer("lstm").trainable


def test_refit_classifier_matches_scikit_learn_and_handles_labels_without_positives():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from mlbalance.demo import _refit_classifier

    rng = np.random.default_rng(0)
    states = rng.normal(size=(300, 5))
    y = np.zeros((300, 4), dtype=int)
    y[:, 0] = states[:, 0] + 0.3 * rng.normal(size=300) > 1.5  # rare, learnable
    y[:, 2] = 1  # no negatives
    y[7, 3] = 1  # one positive: a model, but nothing to cross-fit
    probabilities, out_of_fold = _refit_classifier(states[:200], y[:200], states[200:], random_state=4)

    def balanced_logistic(rows, label, score_rows):
        scaler = StandardScaler().fit(states[rows])
        model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(scaler.transform(states[rows]),
                                                                              y[rows, label])
        return model.predict_proba(scaler.transform(states[score_rows]))[:, 1]

    np.testing.assert_allclose(probabilities[:, 0], balanced_logistic(np.arange(200), 0, np.arange(200, 300)))
    assert (probabilities[:, 1] == 0).all() and (probabilities[:, 2] == 1).all()  # constant: the training rate
    assert ((probabilities[:, 3] > 0) & (probabilities[:, 3] < 1)).all()
    # Out of fold: each training row scored by the model fit on the other two folds.
    reference = np.empty(200)
    for fit_rows, score_rows in StratifiedKFold(3, shuffle=True, random_state=4).split(states[:200], y[:200, 0]):
        reference[score_rows] = balanced_logistic(fit_rows, 0, score_rows)
    np.testing.assert_allclose(out_of_fold[:, 0], reference)
    assert np.isnan(out_of_fold[:, 1:]).all()  # one class, or one positive: not cross-fitted
