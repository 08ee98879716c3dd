"""PerLabelReport writes one report per epoch, in the format its file name asks for."""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

keras = pytest.importorskip("keras")

from mlbalance import multilabel_compile_args  # noqa: E402
from mlbalance._files import OutputPathError  # noqa: E402
from mlbalance.callbacks import PerLabelReport  # noqa: E402
from mlbalance.report import evaluation_report  # noqa: E402


@pytest.mark.parametrize("ext", ["html", "md", "json"])
def test_report_file_per_epoch_in_the_format_of_its_extension(tmp_path, ext):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, :3] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("adam", "binary_crossentropy")
    callback = PerLabelReport((x, y), path=str(tmp_path / f"epoch_{{epoch}}.{ext}"), from_logits=True, verbose=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert len(callback.reports) == 2
    text = (tmp_path / f"epoch_2.{ext}").read_text()
    if ext == "json":
        assert json.loads(text)["name"] == "epoch 2"
    else:
        assert text.startswith("<!DOCTYPE html>" if ext == "html" else "# Evaluation report: epoch 2")
    # Logits are turned into probabilities before the report: same figures as a report on sigmoid scores.
    logits = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
    expected = evaluation_report(y, 1.0 / (1.0 + np.exp(-logits)), 0.5, name="epoch 2")
    assert callback.reports[-1].overall == expected.overall


def test_rejects_a_file_name_it_cannot_write(tmp_path):
    data = (np.zeros((2, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"path to end in .html, .md or .json. Received: path='r.txt'"):
        PerLabelReport(data, path="r.txt")
    # A missing directory used to be found only after the first epoch had been trained.
    missing = tmp_path / "no" / "such" / "dir" / "r_{epoch}.html"
    with pytest.raises(OutputPathError, match="does not exist"):
        PerLabelReport(data, path=missing)
    with pytest.raises(OutputPathError, match="is a directory"):
        (tmp_path / "r.md").mkdir()
        PerLabelReport(data, path=tmp_path / "r.md")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root can write anywhere
            with pytest.raises(OutputPathError, match="not writable"):
                PerLabelReport(data, path=locked / "r.json")
    finally:
        locked.chmod(0o700)
    assert PerLabelReport(data, path=tmp_path / "ok_{epoch}.MD").path.endswith("ok_{epoch}.MD")


def test_arguments_are_checked_at_construction():
    data = (np.zeros((2, 1)), np.zeros((2, 1)))
    for kwargs, match in [({"every": 0}, "every=0"), ({"batch_size": 2.5}, "batch_size=2.5"),
                          ({"from_logits": "yes"}, "from_logits='yes'"), ({"verbose": None}, "verbose=None")]:
        with pytest.raises(ValueError, match=match):
            PerLabelReport(data, **kwargs)


RNG = np.random.default_rng(1)
X = RNG.normal(size=(80, 4)).astype("float32")
Y = np.stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] > 1.0, np.zeros(80, bool)], axis=1).astype("float32")
NAMES = ["cat", "dog", "bird", "none"]  # "none" has no positives: its F1 is undefined (NaN)


def logit_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
    model.compile(keras.optimizers.SGD(0.05), keras.losses.BinaryCrossentropy(from_logits=True))
    return model


def sklearn_f1(model):
    logits = np.asarray(model.predict(X, verbose=0))
    return f1_score(Y, (logits >= 0).astype(int), average=None, zero_division=np.nan)


@pytest.mark.parametrize("report_first", [True, False])
def test_logs_reach_early_stopping_and_csv_logger_whatever_the_order(tmp_path, monkeypatch, report_first):
    report = PerLabelReport((X, Y), from_logits=True, label_names=NAMES, verbose=False)
    stop = keras.callbacks.EarlyStopping(monitor="val_macro_f1", mode="max", patience=10)
    csv = keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="val_f1/cat", mode="max",
                                           save_best_only=True, save_weights_only=True)
    callbacks = [report, stop, best, csv] if report_first else [stop, best, csv, report]
    model = logit_model()
    with warnings.catch_warnings():  # EarlyStopping warns when its monitor is missing from the logs
        warnings.filterwarnings("error", message=".*(conditioned on metric|save best model only with)")
        history = model.fit(X, Y, epochs=3, batch_size=40, verbose=0, callbacks=callbacks)
    assert stop.best == max(history.history["val_macro_f1"]) and math.isfinite(stop.best)
    assert best.best == max(history.history["val_f1/cat"]) and (tmp_path / "best.weights.h5").is_file()
    if not report_first:  # the reason for the move: listed after it, EarlyStopping would not see the value
        monkeypatch.setattr(PerLabelReport, "_move_to_front", lambda self: None)
        with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_macro_f1` which is not available"):
            logit_model().fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.EarlyStopping(
                monitor="val_macro_f1", mode="max"), PerLabelReport((X, Y), verbose=False)])
    table = pd.read_csv(tmp_path / "log.csv")
    assert sorted(f"val_f1/{n}" for n in NAMES) == [c for c in table.columns if c.startswith("val_f1/")]
    last = table.iloc[-1]
    np.testing.assert_allclose([last[f"val_f1/{n}"] for n in NAMES], sklearn_f1(model), atol=1e-6, equal_nan=True)
    assert last["val_macro_f1"] == pytest.approx(np.nanmean(sklearn_f1(model)[:3]), abs=1e-6)


def test_datasets_give_the_same_report_as_arrays():
    tf = pytest.importorskip("tensorflow")
    model = logit_model()

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return X[i * 30:(i + 1) * 30], Y[i * 30:(i + 1) * 30]

    sources = {"arrays": (X, Y), "DataFrame x": (pd.DataFrame(X), Y), "pydataset": Batches(), "tf.data": tf.data.Dataset.from_tensor_slices((X, Y)).batch(16),
               "tf.data (x, y, w)": tf.data.Dataset.from_tensor_slices((X, Y, np.ones(80, "float32"))).batch(16)}
    reports = {}
    for name, data in sources.items():
        callback = PerLabelReport(data, from_logits=True, batch_size=7, verbose=False)
        callback.set_model(model)
        if name.endswith("w)"):
            with pytest.warns(UserWarning, match="unweighted"):
                callback.on_epoch_end(0, {})
        else:
            callback.on_epoch_end(0, {})
        reports[name] = callback.reports[0].to_dict()
    assert all(r == reports["arrays"] for r in reports.values())
    with pytest.raises(ValueError, match="infinite"):
        bad = PerLabelReport(tf.data.Dataset.from_tensor_slices((X, Y)).batch(16).repeat(), verbose=False)
        bad.set_model(model)
        bad.on_epoch_end(0, {})
    with pytest.raises(ValueError, match=r"\(x, y\) or \(x, y, sample_weight\).*Received: a batch of type ndarray"):
        bad = PerLabelReport(tf.data.Dataset.from_tensor_slices(X).batch(16), verbose=False)
        bad.set_model(model)
        bad.on_epoch_end(0, {})


def test_without_validation_data_it_reads_what_fit_computed_on_its_own_validation_data(capsys):
    model = logit_model()
    pieces = multilabel_compile_args(Y, weights=None, label_names=NAMES)
    model.compile(keras.optimizers.SGD(0.05), **pieces)
    report = PerLabelReport(from_logits=True)
    history = model.fit(X, Y, validation_data=(X, Y), epochs=2, batch_size=40, verbose=0, callbacks=[report])
    assert [h["val_f1/cat"] for h in report.history] == history.history["val_f1/cat"]
    np.testing.assert_allclose([history.history[f"val_f1/{n}"][-1] for n in NAMES], sklearn_f1(model), rtol=1e-5,
                               equal_nan=True)
    assert "epoch 2: weakest per-label values: val_f1/" in capsys.readouterr().out
    # Fit's logs without named per-label values (no mlbalance metrics compiled): a clear error.
    with pytest.raises(ValueError, match="found no per-label values in fit's validation logs.*multilabel_compile_args"):
        PerLabelReport().on_epoch_end(0, {"loss": 0.5, "val_loss": 0.6})
    PerLabelReport().on_epoch_end(0, {"loss": 0.5})  # an epoch fit did not validate (validation_freq): nothing
    # A per-label metric compiled without label names logs a vector: named in the error, not a NumPy TypeError.
    with pytest.raises(ValueError, match=r"logged a vector under \['val_f1'\].*label_names="):
        PerLabelReport().on_epoch_end(0, {"val_loss": 0.6, "val_f1": np.array([0.1, 0.2]), "val_f1/cat": 0.3})
    # With data: never overwrites a value fit logged; log_prefix gives the report's values their own names.
    with_data = PerLabelReport((X, Y), from_logits=True, label_names=NAMES, verbose=False)
    with_data.set_model(model)
    with pytest.raises(ValueError, match=r"overwrite values fit already logged .*'val_f1/bird'.*log_prefix='report_'"):
        with_data.on_epoch_end(0, dict(report.history[-1]))
    own = PerLabelReport((X, Y), from_logits=True, verbose=False, label_names=NAMES, log_prefix="report_")
    own.set_model(model)
    logs = dict(report.history[-1])
    own.on_epoch_end(1, logs)
    np.testing.assert_allclose([logs[f"report_f1/{n}"] for n in NAMES], [logs[f"val_f1/{n}"] for n in NAMES],
                               atol=1e-6, equal_nan=True)
    with pytest.raises(ValueError, match="pass validation_data together with path"):
        PerLabelReport(path="r.html")
    with pytest.raises(ValueError, match="Expected validation_data to be .*Received: validation_data of type str"):
        PerLabelReport("val.csv")
    with pytest.raises(ValueError, match=r"same number of rows. Received: row counts \[3, 80\]"):
        PerLabelReport((X, Y[:3]))
