"""multilabel_compile_args: the same training as hand-built pieces, one from_logits, checked model. All backends."""

import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import mlbalance  # noqa: E402
from mlbalance.keras_compile import CompileArgs, multilabel_compile_args  # noqa: E402
from mlbalance.losses import AsymmetricLoss, BinaryFocalLoss, WeightedBinaryCrossentropy  # noqa: E402
from mlbalance.metrics import MultilabelF1Score, MultilabelPrecision  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(96, 5)).astype("float32")
Y = np.stack([X[:, 0] > 0.8, X[:, 1] > 0, X[:, 2] > 1.5, X[:, 3] + X[:, 4] > 0], axis=1).astype("float32")
NAMES = ["cat", "dog", "bird", "fish"]


def train(loss, metrics, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
    history = model.fit(X, Y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    return model, history.history


def test_training_with_the_pieces_equals_hand_built_pieces():
    pieces = multilabel_compile_args(Y, "weighted_bce", weights="balanced", max_weight=4.0, label_names=NAMES,
                                     metrics=["f1", "precision", "macro_f1"])
    pos, neg = mlbalance.label_weights(Y, "balanced", max_weight=4.0)
    hand_loss = WeightedBinaryCrossentropy(pos_weight=pos, neg_weight=neg, from_logits=True)
    hand_metrics = [MultilabelF1Score(4, from_logits=True, label_names=NAMES, name="f1"),
                    MultilabelPrecision(4, from_logits=True, label_names=NAMES, name="precision"),
                    MultilabelF1Score(4, from_logits=True, average="macro", name="macro_f1")]
    model, history = train(**pieces)
    hand_model, hand_history = train(hand_loss, hand_metrics)
    assert sorted(history) == sorted(hand_history)
    for key in history:
        np.testing.assert_allclose(history[key], hand_history[key], rtol=1e-5, equal_nan=True, err_msg=key)
    for a, b in zip(model.get_weights(), hand_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert {f"f1/{name}" for name in NAMES} <= set(history)  # one float per label (checked against
    # scikit-learn on fit's validation data in tests/keras/test_callbacks.py)


@pytest.mark.parametrize("loss, weights", [("focal", "sqrt"), ("asymmetric", "log"), ("asymmetric", None)])
def test_focal_and_asymmetric_pieces_equal_hand_built_losses(loss, weights):
    options = {"gamma": 1.5} if loss == "focal" else {"gamma_neg": 2.0, "clip": 0.1}
    pieces = multilabel_compile_args(Y, loss, weights=weights, max_weight=4.0, loss_options=options)
    pos = None if weights is None else mlbalance.positive_weights(Y, weights, max_weight=4.0)
    hand = (BinaryFocalLoss if loss == "focal" else AsymmetricLoss)(pos_weight=pos, from_logits=True, **options)
    logits = RNG.normal(size=Y.shape).astype("float32") * 3
    np.testing.assert_allclose(float(pieces.loss(Y, logits)), float(hand(Y, logits)), rtol=1e-6)
    assert pieces.loss.get_config() == hand.get_config()


@pytest.mark.parametrize("from_logits", [True, False])
def test_loss_and_metrics_share_one_from_logits(from_logits):
    pieces = multilabel_compile_args(Y, "focal", from_logits=from_logits, metrics=["f1", "recall", "micro_f1"])
    assert pieces.from_logits is from_logits and pieces.loss.get_config()["from_logits"] is from_logits
    assert [m.from_logits for m in pieces.metrics] == [from_logits] * 3
    assert isinstance(pieces, CompileArgs) and dict(**pieces).keys() == {"loss", "metrics"}
    with pytest.raises(ValueError, match=rf"from_logits={from_logits} \(the loss's setting\).*from_logits={not from_logits}"):
        multilabel_compile_args(Y, from_logits=from_logits,
                                metrics=[MultilabelF1Score(4, from_logits=not from_logits, name="mine")])
    with pytest.raises(ValueError, match="loss_options without"):
        multilabel_compile_args(Y, loss_options={"from_logits": not from_logits})


def test_model_check_catches_a_last_layer_that_disagrees():
    inputs = keras.Input((5,))
    sigmoid = keras.Model(inputs, keras.layers.Dense(4, activation="sigmoid", name="probs")(inputs))
    logits = keras.Model(inputs, keras.layers.Dense(4, name="logits")(inputs))
    with pytest.raises(ValueError, match="output logits .*from_logits=True. Received: layer 'probs' with activation='sigmoid'"):
        multilabel_compile_args(Y, model=sigmoid)
    with pytest.raises(ValueError, match="output probabilities .*Received: layer 'logits' with no activation"):
        multilabel_compile_args(Y, from_logits=False, model=logits)
    with pytest.raises(ValueError, match=r"4 units, one per label .*Received: output shape \(None, 3\)"):
        multilabel_compile_args(Y, model=keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)]))
    multilabel_compile_args(Y, model=logits)
    multilabel_compile_args(Y, from_logits=False, model=sigmoid)


def test_weights_are_visible_and_labels_without_positives_warned():
    y = np.concatenate([Y, np.zeros((len(Y), 1), "float32")], axis=1)
    with pytest.warns(UserWarning, match=r"1 label\(s\) with no positive entries: 4 \('none'\).*set to 1"):
        pieces = multilabel_compile_args(y, weights="neg_pos", max_weight=10.0, label_names=NAMES + ["none"])
    expected = np.minimum((len(y) - y.sum(0)) / np.maximum(y.sum(0), 1), 10.0)
    expected[4] = 1.0
    np.testing.assert_allclose(pieces.weights.pos_weight, expected)
    np.testing.assert_allclose(pieces.loss.get_config()["pos_weight"], expected)
    assert pieces.weights.label_names == tuple(NAMES + ["none"]) and "capped at 10" in str(pieces)
    with pytest.raises(ValueError, match="no positive weight for 1 label"):
        multilabel_compile_args(y, on_zero="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert multilabel_compile_args(Y, weights=None).weights is None


def test_arguments_are_checked():
    for kwargs, match in [({"loss": "bce"}, "loss"), ({"weights": "median"}, "weights"),
                          ({"loss": "focal", "weights": "balanced"}, "loss='weighted_bce'"),
                          ({"metrics": "f1"}, "list of metric names"), ({"metrics": ["auc"]}, "metrics"),
                          ({"threshold": 1.5}, "threshold"),
                          ({"loss": "focal", "loss_options": {"gama": 2}},
                           r"arguments of BinaryFocalLoss: \['gamma', 'alpha'.*Received: unknown \['gama'\]")]:
        with pytest.raises(ValueError, match=match):
            multilabel_compile_args(Y, **kwargs)
    with pytest.raises(KeyError, match="'loss' or 'metrics'"):
        multilabel_compile_args(Y)["optimizer"]
