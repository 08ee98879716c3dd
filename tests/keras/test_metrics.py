"""Keras metrics against scikit-learn, batched == one-shot. Runs under every Keras backend."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

keras = pytest.importorskip("keras")

from mlbalance.metrics import MultilabelF1Score, MultilabelPrecision, MultilabelRecall  # noqa: E402

RNG = np.random.default_rng(0)
Y = (RNG.random((200, 6)) < [0.3, 0.1, 0.05, 0.5, 0.2, 0.0]).astype("float32")  # label 5: no positives
SCORES = np.clip(0.4 * Y + RNG.random(Y.shape) * 0.6, 0, 1).astype("float32")
SCORES[:, 5] = 0.1  # label 5: never predicted either
THRESHOLDS = [0.5, 0.45, 0.55, 0.5, 0.6, 0.5]
CASES = [(MultilabelF1Score, f1_score), (MultilabelPrecision, precision_score), (MultilabelRecall, recall_score)]


def batched(metric, y, s, sample_weight=None, batch=37):
    for start in range(0, len(y), batch):
        w = None if sample_weight is None else sample_weight[start:start + batch]
        metric.update_state(y[start:start + batch], s[start:start + batch], sample_weight=w)
    return np.asarray(keras.ops.convert_to_numpy(metric.result()), dtype=np.float64)


@pytest.mark.parametrize("cls, reference", CASES)
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_batched_equals_sklearn(cls, reference, average):
    pred = (SCORES >= np.array(THRESHOLDS)).astype(int)
    expected = reference(Y, pred, average=average, zero_division=np.nan)
    got = batched(cls(6, threshold=THRESHOLDS, average=average), Y, SCORES)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    one_shot = cls(6, threshold=THRESHOLDS, average=average)
    one_shot.update_state(Y, SCORES)
    np.testing.assert_allclose(got, np.asarray(keras.ops.convert_to_numpy(one_shot.result())), rtol=1e-6,
                               equal_nan=True)


@pytest.mark.parametrize("cls, reference", CASES)
def test_zero_division_number_and_sample_weight_and_logits(cls, reference):
    w = RNG.random(200).astype("float32")
    pred = (SCORES >= 0.5).astype(int)
    expected = reference(Y, pred, average="macro", zero_division=0.0, sample_weight=w)
    got = batched(cls(6, average="macro", zero_division=0.0), Y, SCORES, sample_weight=w)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    logits = np.log(SCORES / (1 - SCORES + 1e-7) + 1e-7).astype("float32")
    got = batched(cls(6, threshold=0.5, from_logits=True), Y, logits)
    expected = reference(Y, pred, average=None, zero_division=np.nan)
    np.testing.assert_allclose(got, expected, rtol=1e-5, equal_nan=True)


def test_mask_value_counts_observed_entries_only():
    masked = Y.copy()
    masked[:50, 0] = -1
    m = MultilabelF1Score(6, mask_value=-1)
    got = batched(m, masked, SCORES)
    pred = (SCORES >= 0.5).astype(int)
    assert got[0] == pytest.approx(f1_score(Y[50:, 0], pred[50:, 0]), rel=1e-5)
    m.reset_state()
    assert np.isnan(np.asarray(keras.ops.convert_to_numpy(m.result()))).all()


def test_metric_in_fit_config_and_errors():
    m = MultilabelF1Score(6, threshold=THRESHOLDS, average="macro", name="f1")
    clone = MultilabelF1Score.from_config(m.get_config())
    assert clone.get_config() == m.get_config()
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(6, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=[m])
    history = model.fit(SCORES, Y, epochs=1, verbose=0)
    assert "f1" in history.history
    with pytest.raises(ValueError, match="num_labels=3 but the model output has 6"):
        MultilabelF1Score(3).update_state(Y, SCORES)
    for kwargs, match in [({"average": "samples"}, "average"), ({"threshold": 1.5}, "threshold"),
                          ({"threshold": [0.5, 0.5]}, "threshold"), ({"zero_division": "warn"}, "zero_division"),
                          ({"mask_value": 0}, "mask_value")]:
        with pytest.raises(ValueError, match=match):
            MultilabelF1Score(6, **kwargs)


# ---------------------------------------------------------------- issue #16: strict about their inputs
@pytest.mark.parametrize("cls", [MultilabelF1Score, MultilabelPrecision, MultilabelRecall])
def test_target_shape_and_values_are_checked(cls):
    with pytest.raises(ValueError, match=r"same shape .*y_true.shape=\(200, 1\), y_pred.shape=\(200, 6\)"):
        cls(6).update_state(Y[:, :1], SCORES)  # broadcast the first label over all six before
    bad = Y.copy()
    bad[7, 2] = 255
    with pytest.raises(ValueError, match=r"expected y_true to hold only 0 and 1. Received: y_true\[7, 2\] "
                                         r"\(row 7, label 2\)=255.0"):
        cls(6).update_state(bad, SCORES)
    bad[7, 2] = -1
    with pytest.raises(ValueError, match=r"y_true\[7, 2\]"):
        cls(6).update_state(bad, SCORES)  # -1 without mask_value counted as a negative before
    with pytest.raises(ValueError, match="from_logits"):
        cls(6, from_logits="False")


def test_bad_targets_in_a_compiled_step_make_every_result_nan():
    # Per-label NaN would be left out of the macro average: every value is NaN instead.
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(6, activation="sigmoid")])
    model.compile("sgd", "mse",  # a loss that accepts any target: the metrics are under test
                  metrics=[MultilabelF1Score(6, average="macro", name="f1"), MultilabelRecall(6, name="recall")])
    bad = Y.copy()
    bad[:, 0] *= 255
    if keras.backend.backend() == "torch":  # eager: the error itself
        with pytest.raises(ValueError, match="y_true to hold only 0 and 1"):
            model.evaluate(SCORES, bad, verbose=0)
        return
    result = model.evaluate(SCORES, bad, verbose=0, return_dict=True)
    assert np.isnan(result["f1"]) and np.all(np.isnan(np.asarray(result["recall"]))), result


@pytest.mark.parametrize("cls, reference", CASES)
def test_per_entry_sample_weight_equals_per_label_sklearn(cls, reference):
    w = RNG.random(Y.shape).astype("float32")
    got = batched(cls(6, threshold=THRESHOLDS), Y, SCORES, sample_weight=w)
    pred = (SCORES >= np.array(THRESHOLDS)).astype(int)
    expected = [reference(Y[:, j], pred[:, j], sample_weight=w[:, j], zero_division=np.nan) for j in range(6)]
    np.testing.assert_allclose(got, expected, rtol=1e-5, equal_nan=True)
    with pytest.raises(ValueError, match=r"expected sample_weight to have shape \(200,\) .*Received: "
                                         r"sample_weight.shape=\(200, 3\)"):
        cls(6).update_state(Y, SCORES, sample_weight=w[:, :3])


@pytest.mark.parametrize("cls, reference", CASES)
def test_label_names_give_one_named_scalar_per_label_in_fit_logs(cls, reference):
    names = ["cat", "dog", "bird", "fish", "ant", "none"]
    metric = cls(6, threshold=THRESHOLDS, label_names=names, name="m")
    metric.update_state(Y, SCORES)
    result = metric.result()
    assert list(result) == [f"m/{n}" for n in names]
    expected = reference(Y, (SCORES >= np.array(THRESHOLDS)).astype(int), average=None, zero_division=np.nan)
    got = [float(keras.ops.convert_to_numpy(result[f"m/{n}"])) for n in names]
    np.testing.assert_allclose(got, expected, rtol=1e-5, equal_nan=True)
    assert cls.from_config(metric.get_config()).label_names == names
    if cls is MultilabelF1Score:  # in fit: one float per label (train and val_), never a vector or a string
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(6, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy", metrics=[cls(6, label_names=names, name="m")])
        history = model.fit(SCORES, Y, validation_data=(SCORES, Y), epochs=1, batch_size=64, verbose=0)
        for prefix in ("m/", "val_m/"):
            assert all(isinstance(history.history[f"{prefix}{n}"][0], float) for n in names)


def test_label_names_are_checked():
    for kwargs, match in [({"label_names": ["a"]}, r"2 non-empty strings .*Received: label_names=\['a'\]"),
                          ({"label_names": "ab"}, "sequence of 2 strings"),
                          ({"label_names": ["a", "a"]}, r"distinct.*\['a'\]"),
                          ({"label_names": ["a", "b"], "average": "macro"}, "needs average=None")]:
        with pytest.raises(ValueError, match=match):
            MultilabelF1Score(2, **kwargs)
