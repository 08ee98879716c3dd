"""Classifier re-training (mlbalance.retrain) against scikit-learn's own regressions, on any backend."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

keras = pytest.importorskip("keras")

import mlbalance  # noqa: E402
from mlbalance import fit_linear_classifier, retrain_classifier  # noqa: E402


def _data(n=240, d=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = np.zeros((n, 4), dtype=np.int8)
    y[:, 0] = x[:, 0] + 0.3 * rng.normal(size=n) > 1.6  # rare
    y[:, 1] = x[:, 1] > 0
    y[:5, 2] = 1  # five positives, noise
    return x, y  # label 3 has no positives


def _model(d=5, width=6, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((d,), name="inputs")
    h = keras.layers.Dense(width, activation="tanh", name="features")(inputs)
    h = keras.layers.Dropout(0.5)(h)
    return keras.Model(inputs, keras.layers.Dense(4, activation="sigmoid", name="out")(h))


def _reference(features, target, class_weight="balanced"):
    """scikit-learn, as a user would write it: StandardScaler, then LogisticRegression."""
    scaler = StandardScaler().fit(features)
    model = LogisticRegression(class_weight=class_weight, max_iter=2000).fit(scaler.transform(features), target)
    return model, scaler.transform(features)


@pytest.fixture(scope="module")
def retrained():
    x, y = _data()
    model = _model()
    with pytest.warns(UserWarning, match=r"1 label\(s\) have a single class in the training rows .*: 3\. Each gets"):
        probabilities = retrain_classifier(model, "features", x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the same warning
        logits = retrain_classifier(model, model.get_layer("features"), x, y, output="logits")
    features = np.asarray(keras.Model(model.inputs, model.get_layer("features").output).predict(x, verbose=0),
                          dtype=np.float64)
    return x, y, model, probabilities, logits, features


def test_predictions_equal_scikit_learns_balanced_regressions_on_standardised_features(retrained):
    x, y, _, probabilities, logits, features = retrained
    p = np.asarray(probabilities.predict(x, verbose=0), dtype=np.float64)
    z = np.asarray(logits.predict(x, verbose=0), dtype=np.float64)
    for j in range(3):
        reference, standardised = _reference(features, y[:, j])
        np.testing.assert_allclose(p[:, j], reference.predict_proba(standardised)[:, 1], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(z[:, j], reference.decision_function(standardised), rtol=1e-4, atol=1e-4)
    # The stated fallback for label 3 (no positives): a constant, the smoothed training rate, finite logits.
    np.testing.assert_allclose(p[:, 3], 0.5 / (len(y) + 1), rtol=1e-4)
    assert np.isfinite(z).all()
    assert probabilities.layers[-1].name == "classifier" and probabilities.layers[-1].activation.__name__ == "sigmoid"


def test_saved_model_reloads_without_custom_objects_and_predicts_the_same(retrained, tmp_path):
    x, _, _, probabilities, logits, _ = retrained
    for model in (probabilities, logits):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        again = keras.saving.load_model(path)  # no custom_objects
        np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_the_new_model_keeps_a_copy_of_the_representation(retrained):
    x, _, model, probabilities, _, _ = retrained
    before = probabilities.predict(x, verbose=0)
    layer = model.get_layer("features")
    saved = layer.get_weights()
    try:
        layer.set_weights([w + 1.0 for w in saved])  # e.g. the next fine-tuning run of the same model
        np.testing.assert_array_equal(probabilities.predict(x, verbose=0), before)
    finally:
        layer.set_weights(saved)
    assert all(a is not b for a in probabilities.layers for b in model.layers)


def test_weighting_pairs_and_none_match_scikit_learn():
    x, y = _data()
    features = x.astype(np.float64)
    pos, neg = mlbalance.label_weights(y[:, :3], "balanced")
    kernel, bias = fit_linear_classifier(features, y[:, :3], weighting=(pos, neg))
    balanced, balanced_bias = fit_linear_classifier(features, y[:, :3])
    np.testing.assert_allclose(features @ kernel + bias, features @ balanced + balanced_bias, rtol=1e-6, atol=1e-6)
    custom = (np.array([5.0, 1.0, 2.0]), np.array([1.0, 3.0, 0.5]))
    kernel, bias = fit_linear_classifier(features, y[:, :3], weighting=custom)
    plain, plain_bias = fit_linear_classifier(features, y[:, :3], weighting=None)
    for j in range(3):
        reference, standardised = _reference(features, y[:, j], {0: custom[1][j], 1: custom[0][j]})
        np.testing.assert_allclose(features @ kernel[:, j] + bias[j], reference.decision_function(standardised),
                                   rtol=1e-6, atol=1e-6)
        reference, standardised = _reference(features, y[:, j], None)
        np.testing.assert_allclose(expit(features @ plain[:, j] + plain_bias[j]),
                                   reference.predict_proba(standardised)[:, 1], rtol=1e-6, atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(20, 60), d=st.integers(1, 4), seed=st.integers(0, 2**16), scale=st.floats(1e-3, 1e3),
       constant=st.booleans())
def test_folding_the_standardisation_reproduces_the_pipeline(n, d, seed, scale, constant):
    rng = np.random.default_rng(seed)
    features = rng.normal(loc=3.0, scale=scale, size=(n, d))
    if constant:
        features[:, 0] = 7.0  # a constant feature: StandardScaler keeps sigma = 1
    y = np.stack([rng.random(n) < 0.2, rng.random(n) < 0.6], axis=1).astype(int)
    y[0], y[1] = 1, 0  # both classes in every label
    kernel, bias = fit_linear_classifier(features, y)
    for j in range(2):
        reference, standardised = _reference(features, y[:, j])
        np.testing.assert_allclose(features @ kernel[:, j] + bias[j], reference.decision_function(standardised),
                                   rtol=1e-6, atol=1e-6 * max(1.0, np.abs(bias[j])))


def test_a_label_with_no_negatives_gets_the_smoothed_rate_and_names_in_the_warning():
    import pandas as pd

    x, y = _data()
    labels = pd.DataFrame({"cat": y[:, 1], "all": np.ones(len(y), dtype=int), "none": np.zeros(len(y), dtype=int)})
    with pytest.warns(UserWarning, match=r"2 label\(s\) .*: 1 \('all'\), 2 \('none'\)"):
        kernel, bias = fit_linear_classifier(x, labels)
    assert (kernel[:, 1:] == 0).all()
    np.testing.assert_allclose(expit(bias[1:]), [(len(y) + 0.5) / (len(y) + 1), 0.5 / (len(y) + 1)])


def test_a_regression_that_does_not_converge_is_named():
    x, y = _data()
    with pytest.warns(UserWarning, match=r"label\(s\) .*did not converge in max_iter=1 iterations"):
        fit_linear_classifier(x, y[:, :2], max_iter=1)


@pytest.mark.parametrize("kwargs, words", [
    ({"output": "softmax"}, "Expected output to be one of ('sigmoid', 'logits'). Received: output='softmax'"),
    ({"representation": "nope"}, "Expected representation to be the name of a layer of the model. Received: "
                                 "representation='nope'; the model's layers: ['inputs', 'features', 'dropout"),
    ({"representation": keras.layers.Dense(3)}, "Expected representation to be a layer of the model, or its name"),
    ({"weighting": "sqrt"}, "Expected weighting to be one of ('balanced', None). Received: weighting='sqrt'"),
    ({"weighting": (np.ones(3), np.ones(4))}, "Received: pos_weight with shape (3,)"),
    ({"weighting": (np.ones(4), np.array([1, 1, 0, 1]))}, "Received: neg_weight[2]=0.0 (label 2)"),
    ({"C": 0}, "Expected C to be a finite number > 0. Received: C=0"),
    ({"batch_size": 0}, "Expected batch_size to be an integer >= 1. Received: batch_size=0"),
    ({"y": np.full((240, 4), 2)}, "other than 0 or 1"),
    ({"y": np.zeros((239, 4))}, "x has 240 rows but y has 239"),
    ({"model": "a model"}, "Expected model to be a keras.Model. Received: model='a model'"),
])
def test_bad_arguments_are_clear_errors(kwargs, words):
    x, y = _data()
    arguments = {"model": _model(), "representation": "features", "x": x, "y": y, **kwargs}
    model, representation = arguments.pop("model"), arguments.pop("representation")
    with pytest.raises(ValueError) as caught:
        retrain_classifier(model, representation, arguments.pop("x"), arguments.pop("y"), **arguments)
    assert words in str(caught.value)


def test_a_representation_that_is_not_one_vector_per_row_is_refused():
    inputs = keras.Input((3, 2))
    steps = keras.layers.LSTM(4, return_sequences=True, name="steps")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(steps)))
    with pytest.raises(ValueError, match=r"outputs \(None, 3, 4\); pick a layer after the pooling"):
        retrain_classifier(model, "steps", np.zeros((4, 3, 2)), np.eye(4, 2))


def test_non_finite_features_name_the_first_entry():
    features = np.zeros((6, 3))
    features[4, 2] = np.nan
    with pytest.raises(ValueError, match=r"features\[4, 2\] = nan \(row 4, feature 2\)"):
        fit_linear_classifier(features, np.eye(6, 2))


def test_mixed_precision_models_get_a_float32_classifier(retrained):
    x, y, _, _, _, _ = retrained
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = _model()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            new = retrain_classifier(model, "features", x, y)
    finally:
        keras.mixed_precision.set_dtype_policy(previous)
    assert keras.backend.standardize_dtype(new.output.dtype) == "float32"
