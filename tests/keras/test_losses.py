"""Keras losses: references, numerics, masks, serialisation. Runs under every Keras backend.

tests/test_backends.py re-runs this folder with KERAS_BACKEND=jax and torch.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")
from keras import ops  # noqa: E402

from mlbalance.losses import (  # noqa: E402
    AsymmetricLoss,
    BinaryFocalLoss,
    WeightedBinaryCrossentropy,
    asymmetric_loss,
    binary_focal_loss,
    weighted_binary_crossentropy,
)

BACKEND = keras.backend.backend()
RTOL, ATOL = 1e-5, 1e-6
RNG = np.random.default_rng(0)
Y = (RNG.random((64, 7)) < 0.3).astype("float32")
LOGITS = (RNG.normal(size=(64, 7)) * 3).astype("float32")
PROBS = (1 / (1 + np.exp(-LOGITS))).astype("float32")
POS_W = [0.5, 1.0, 2.0, 3.0, 10.0, 0.0, 7.5]
NEG_W = [1.0, 0.5, 2.0, 1.0, 1.0, 3.0, 0.25]


def to_np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


# ---------------------------------------------------------------- NumPy references (float64)
def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def ref_terms(y, pred, from_logits):
    pred = pred.astype(np.float64)
    if from_logits:
        return log_sigmoid(pred), log_sigmoid(-pred)
    p = np.clip(pred, 1e-7, 1 - 1e-7)
    return np.log(p), np.log(1 - p)


def ref_focal(y, pred, gamma, alpha=None, pos_weight=None, from_logits=False):
    log_p, log_1mp = ref_terms(y, pred, from_logits)
    p = np.exp(log_p)
    pos = -y * (1 - p) ** gamma * log_p
    neg = -(1 - y) * p**gamma * log_1mp
    if alpha is not None:
        pos, neg = pos * np.asarray(alpha), neg * (1 - np.asarray(alpha))
    if pos_weight is not None:
        pos = pos * np.asarray(pos_weight)
    return pos + neg


def ref_asl(y, p, gamma_pos, gamma_neg, clip):
    """The paper's formula on probabilities in (0, 1)."""
    p = p.astype(np.float64)
    p_m = np.maximum(p - clip, 0)
    return -y * (1 - p) ** gamma_pos * np.log(p) - (1 - y) * p_m**gamma_neg * np.log(1 - p_m)


# ---------------------------------------------------------------- gradients on any backend
def value_and_grad(fn, x):
    x = np.asarray(x, dtype="float32")
    if BACKEND == "tensorflow":
        import tensorflow as tf

        var = tf.Variable(x)
        with tf.GradientTape() as tape:
            value = fn(var)
        return to_np(value), to_np(tape.gradient(value, var))
    if BACKEND == "jax":
        import jax

        value, grad = jax.value_and_grad(lambda t: fn(t))(jax.numpy.asarray(x))
        return to_np(value), to_np(grad)
    if BACKEND == "torch":
        import torch

        t = torch.tensor(x, requires_grad=True)
        value = fn(t)
        value.backward()
        return value.detach().cpu().numpy(), t.grad.cpu().numpy()
    pytest.skip(f"no gradient helper for backend {BACKEND}")


# ================================================================ equivalences
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_unit_weights_equal_keras_binary_crossentropy(from_logits, smoothing):
    pred = LOGITS if from_logits else PROBS
    ours = WeightedBinaryCrossentropy(pos_weight=[1.0] * 7, neg_weight=1.0, from_logits=from_logits,
                                      label_smoothing=smoothing)
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(to_np(ours(Y, pred)), to_np(keras_bce(Y, pred)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(to_np(WeightedBinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing)(Y, pred)),
                               to_np(keras_bce(Y, pred)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(to_np(AsymmetricLoss(0, 0, 0, from_logits=from_logits)(Y, pred)),
                               to_np(keras.losses.BinaryCrossentropy(from_logits=from_logits)(Y, pred)),
                               rtol=RTOL, atol=ATOL)


def test_weighted_bce_equals_torch_bce_with_logits_pos_weight():
    torch = pytest.importorskip("torch")
    ours = to_np(WeightedBinaryCrossentropy(pos_weight=POS_W, from_logits=True)(Y, LOGITS))
    reference = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(POS_W, dtype=torch.float64))(
        torch.tensor(LOGITS, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64))
    np.testing.assert_allclose(ours, reference.item(), rtol=RTOL)
    # Per row, with a per-label negative weight folded into torch's per-element `weight`.
    per_elem = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(LOGITS, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64),
        pos_weight=torch.tensor(np.array(POS_W) / np.array(NEG_W)), weight=torch.tensor(NEG_W, dtype=torch.float64),
        reduction="none").numpy()
    rows = to_np(weighted_binary_crossentropy(Y, LOGITS, pos_weight=POS_W, neg_weight=NEG_W, from_logits=True))
    np.testing.assert_allclose(rows, per_elem.mean(axis=1), rtol=RTOL, atol=ATOL)


def test_weighted_bce_equals_tf_weighted_cross_entropy_with_logits():
    if BACKEND != "tensorflow":
        pytest.skip("tf.nn reference needs the TensorFlow backend")
    import tensorflow as tf

    reference = tf.nn.weighted_cross_entropy_with_logits(Y, LOGITS, pos_weight=tf.constant(POS_W)).numpy()
    rows = to_np(weighted_binary_crossentropy(Y, LOGITS, pos_weight=POS_W, from_logits=True))
    np.testing.assert_allclose(rows, reference.mean(axis=1), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("from_logits", [True, False])
def test_focal_gamma_0_is_weighted_bce_and_matches_reference(from_logits):
    pred = LOGITS if from_logits else PROBS
    np.testing.assert_allclose(
        to_np(binary_focal_loss(Y, pred, gamma=0.0, pos_weight=POS_W, from_logits=from_logits)),
        to_np(weighted_binary_crossentropy(Y, pred, pos_weight=POS_W, from_logits=from_logits)), rtol=RTOL, atol=ATOL)
    alpha = [0.25, 0.5, 0.75, 0.1, 0.9, 0.3, 0.6]
    for gamma in (0.5, 2.0, 3.0):
        expected = ref_focal(Y, pred, gamma, alpha, POS_W, from_logits).mean(axis=1)
        got = to_np(binary_focal_loss(Y, pred, gamma=gamma, alpha=alpha, pos_weight=POS_W, from_logits=from_logits))
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=ATOL)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (None, 2.0), (0.6, 0.5)])
def test_focal_matches_keras_binary_focal_crossentropy(smoothing, alpha, gamma):
    # Keras' convention, label smoothing included: smoothed z, p_t = z p + (1-z)(1-p), alpha_t likewise.
    keras_focal = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=alpha is not None, alpha=alpha or 0.25,
                                                       gamma=gamma, label_smoothing=smoothing)
    ours = BinaryFocalLoss(gamma=gamma, alpha=alpha, label_smoothing=smoothing)
    np.testing.assert_allclose(to_np(ours(Y, PROBS)), to_np(keras_focal(Y, PROBS)), rtol=1e-4, atol=ATOL)
    from_logits = BinaryFocalLoss(gamma=gamma, alpha=alpha, label_smoothing=smoothing, from_logits=True)
    np.testing.assert_allclose(to_np(from_logits(Y, LOGITS)), to_np(keras_focal(Y, PROBS)), rtol=1e-4, atol=ATOL)
    # Where they differ: a confident wrong logit. Keras clips probabilities; we do not.
    assert to_np(BinaryFocalLoss(gamma=0.0, from_logits=True)(np.ones((1, 1)), np.full((1, 1), -100.0))) == pytest.approx(100.0)


def test_focal_matches_torchvision_style_sigmoid_focal_loss():
    torch = pytest.importorskip("torch")
    x, t = torch.tensor(LOGITS, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    p = torch.sigmoid(x)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** 2.0
    loss = (0.25 * t + 0.75 * (1 - t)) * loss  # torchvision.ops.sigmoid_focal_loss, alpha=0.25, gamma=2
    ours = to_np(BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True)(Y, LOGITS))
    np.testing.assert_allclose(ours, loss.mean().item(), rtol=1e-4)
    # The same code on smoothed targets (torchvision takes soft targets as they are).
    z = t * 0.8 + 0.1
    ce = torch.nn.functional.binary_cross_entropy_with_logits(x, z, reduction="none")
    loss = (0.25 * z + 0.75 * (1 - z)) * ce * (1 - (p * z + (1 - p) * (1 - z))) ** 2.0
    ours = to_np(BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True, label_smoothing=0.2)(Y, LOGITS))
    np.testing.assert_allclose(ours, loss.mean().item(), rtol=1e-4)


@pytest.mark.parametrize("gammas_clip", [(0.0, 4.0, 0.05), (1.0, 4.0, 0.05), (0.5, 0.5, 0.2), (0.0, 2.0, 0.0)])
def test_asymmetric_loss_matches_the_paper_formula(gammas_clip):
    gamma_pos, gamma_neg, clip = gammas_clip
    probs = np.clip(PROBS, 1e-3, 1 - 1e-3)
    expected = ref_asl(Y, probs, gamma_pos, gamma_neg, clip).mean(axis=1)
    got = to_np(asymmetric_loss(Y, probs, gamma_pos, gamma_neg, clip))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    from_logits = to_np(asymmetric_loss(Y, np.log(probs / (1 - probs)), gamma_pos, gamma_neg, clip, from_logits=True))
    np.testing.assert_allclose(from_logits, expected, rtol=1e-4, atol=1e-6)


def test_asymmetric_pos_weight_scales_only_the_positive_term():
    probs = np.clip(PROBS, 1e-3, 1 - 1e-3)
    weights = np.asarray(POS_W)
    unweighted = ref_asl(Y, probs, 0.0, 4.0, 0.05)
    expected = np.where(Y == 1, weights * unweighted, unweighted).mean(axis=1)
    np.testing.assert_allclose(to_np(asymmetric_loss(Y, probs, pos_weight=POS_W)), expected, rtol=1e-4, atol=1e-6)
    logits = np.log(probs / (1 - probs))
    np.testing.assert_allclose(to_np(AsymmetricLoss(pos_weight=POS_W, from_logits=True)(Y, logits)), expected.mean(),
                               rtol=1e-4)
    np.testing.assert_allclose(to_np(asymmetric_loss(Y, probs, pos_weight=1.0)), to_np(asymmetric_loss(Y, probs)),
                               rtol=1e-6)


# ================================================================ masks and sample weights
MASK_CASES = [
    lambda mv: WeightedBinaryCrossentropy(pos_weight=POS_W, neg_weight=NEG_W, from_logits=True, mask_value=mv),
    lambda mv: BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True, mask_value=mv),
    lambda mv: AsymmetricLoss(from_logits=True, mask_value=mv),
]


@pytest.mark.parametrize("make", MASK_CASES)
def test_masked_entries_change_nothing(make):
    masked = RNG.random(Y.shape) < 0.3
    y_masked = np.where(masked, -1.0, Y).astype("float32")
    loss = make(-1)
    unmasked_loss = make(None)
    # Equals the sum of the per-entry loss over the observed entries divided by the number of
    # entries (masked terms count 0): compute each label's column on its own (a one-label loss).
    elementwise = []
    for j in range(Y.shape[1]):
        kwargs = dict(unmasked_loss._fn_kwargs)
        for key in ("pos_weight", "neg_weight", "alpha"):
            if isinstance(kwargs.get(key), list):
                kwargs[key] = [kwargs[key][j]]
        elementwise.append(to_np(unmasked_loss._fn(Y[:, [j]], LOGITS[:, [j]], **kwargs)))
    elementwise = np.stack(elementwise, axis=1)
    expected = np.where(masked, 0.0, elementwise).sum() / elementwise.size
    np.testing.assert_allclose(to_np(loss(y_masked, LOGITS)), expected, rtol=RTOL, atol=ATOL)
    # Predictions at masked entries do not matter, for the value and the gradient.
    value, grad = value_and_grad(lambda x: loss(y_masked, x), LOGITS)
    assert np.all(grad[masked] == 0)
    other = np.where(masked, 50.0, LOGITS).astype("float32")
    np.testing.assert_allclose(to_np(loss(y_masked, other)), value, rtol=RTOL)
    # Nothing masked: identical to the unmasked loss.
    np.testing.assert_allclose(to_np(loss(Y, LOGITS)), to_np(unmasked_loss(Y, LOGITS)), rtol=RTOL)


def test_nan_mask_and_fully_masked_batch():
    y = Y.copy()
    y[0, :] = np.nan
    loss = WeightedBinaryCrossentropy(from_logits=True, mask_value=float("nan"))
    assert np.isfinite(to_np(loss(y, LOGITS)))
    assert to_np(loss(np.full((2, 3), np.nan), np.zeros((2, 3)))) == 0.0


def test_sample_weight_scales_rows_on_top_of_label_weights():
    w = RNG.random(64).astype("float32")
    loss = WeightedBinaryCrossentropy(pos_weight=POS_W, from_logits=True)
    rows = to_np(weighted_binary_crossentropy(Y, LOGITS, pos_weight=POS_W, from_logits=True))
    np.testing.assert_allclose(to_np(loss(Y, LOGITS, sample_weight=w)), (rows * w).sum() / 64, rtol=RTOL)
    summed = WeightedBinaryCrossentropy(pos_weight=POS_W, from_logits=True, reduction="sum")
    np.testing.assert_allclose(to_np(summed(Y, LOGITS)), rows.sum(), rtol=RTOL)


# ================================================================ numerics
EXTREME_LOGITS = np.array([[1e4, -1e4, 0.0, 1e4], [-1e4, 1e4, 30.0, -30.0]], dtype="float32")
EXTREME_PROBS = np.array([[1.0, 0.0, 0.5, 1.0], [0.0, 1.0, 1.0, 0.0]], dtype="float32")
EXTREME_Y = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype="float32")
STABILITY_LOSSES = [
    WeightedBinaryCrossentropy(pos_weight=[1.0, 10.0, 3.0, 0.5], neg_weight=2.0),
    BinaryFocalLoss(gamma=0.5, alpha=[0.25, 0.5, 0.75, 1.0]),
    BinaryFocalLoss(gamma=2.0),
    BinaryFocalLoss(gamma=0.5, alpha=0.25, label_smoothing=0.1),
    AsymmetricLoss(gamma_pos=0.5, gamma_neg=0.5, clip=0.0),
    AsymmetricLoss(gamma_pos=0.5, gamma_neg=0.5, clip=0.05),
    AsymmetricLoss(),
]


@pytest.mark.parametrize("index", range(len(STABILITY_LOSSES)))
@pytest.mark.parametrize("compute_dtype", ["float32", "float16", "bfloat16"])
def test_loss_and_gradient_finite_at_extremes(index, compute_dtype):
    config = STABILITY_LOSSES[index].get_config()
    cls = type(STABILITY_LOSSES[index])
    for from_logits, pred in ((True, EXTREME_LOGITS), (False, EXTREME_PROBS)):
        loss = cls(**{**config, "from_logits": from_logits})
        value, grad = value_and_grad(lambda x: loss(EXTREME_Y, ops.cast(x, compute_dtype)), pred)
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad)), (from_logits, value, grad)
    # A confident wrong logit costs what it should: ~1e4 per entry, not a clipped 16.
    wrong = to_np(cls(**{**config, "from_logits": True}).call(np.ones((1, 4)), np.full((1, 4), -1e4)))
    assert wrong[0] > 1e3


def test_mixed_precision_policies_train_with_finite_loss():
    for policy in ("mixed_float16", "mixed_bfloat16"):
        keras.mixed_precision.set_dtype_policy(policy)
        try:
            inputs = keras.Input((5,))
            outputs = keras.layers.Dense(3)(keras.layers.Dense(8, activation="relu")(inputs))
            model = keras.Model(inputs, outputs)
            model.compile("adam", loss=BinaryFocalLoss(gamma=0.5, from_logits=True, alpha=0.25))
            x = RNG.normal(size=(32, 5)).astype("float32") * 100
            history = model.fit(x, Y[:32, :3], epochs=2, batch_size=8, verbose=0)
            assert np.all(np.isfinite(history.history["loss"])), policy
        finally:
            keras.mixed_precision.set_dtype_policy("float32")


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 5.0), st.floats(-60, 60), st.sampled_from([0.0, 1.0]))
def test_focal_and_asl_finite_for_any_gamma_and_logit(gamma, logit, label):
    y, x = np.array([[label]], "float32"), np.array([[logit]], "float32")
    for loss in (BinaryFocalLoss(gamma=gamma, from_logits=True),
                 AsymmetricLoss(gamma_pos=gamma, gamma_neg=gamma, from_logits=True)):
        value, grad = value_and_grad(lambda t: loss(y, t), x)
        assert np.isfinite(value) and np.all(np.isfinite(grad)) and value >= 0


# ================================================================ argument and shape errors
def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"Expected pos_weight to be a finite number >= 0 for every label. "
                                         r"Received: pos_weight\[1\]=-1.0 \(label 1"):
        WeightedBinaryCrossentropy(pos_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="Expected neg_weight to be a finite number"):
        WeightedBinaryCrossentropy(neg_weight=float("nan"))
    with pytest.raises(ValueError, match=r"Expected alpha to be a number in \[0, 1\] for every label"):
        BinaryFocalLoss(alpha=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"Expected from_logits to be True or False. Received: from_logits='False'"):
        WeightedBinaryCrossentropy(from_logits="False")  # bool("False") would silently mean True
    with pytest.raises(ValueError, match="gamma"):
        BinaryFocalLoss(gamma=-1)
    with pytest.raises(ValueError, match="clip"):
        AsymmetricLoss(clip=1.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        WeightedBinaryCrossentropy(label_smoothing=2)
    with pytest.raises(ValueError, match="mask_value"):
        WeightedBinaryCrossentropy(mask_value=1)
    with pytest.raises(ValueError, match="1-D"):
        WeightedBinaryCrossentropy(pos_weight=[[1.0, 2.0]])


def test_weight_length_mismatch_names_both_sizes():
    loss = WeightedBinaryCrossentropy(pos_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"pos_weight has 3 values but the model output has 7 labels"):
        loss(Y, PROBS)
    with pytest.raises(ValueError, match="same shape"):
        loss(Y[:, 0], PROBS)
    # The function API checks NumPy arrays too (it broadcast a 7-value array over a 1-label output).
    with pytest.raises(ValueError, match=r"pos_weight has 7 values but the model output has 1 labels"):
        weighted_binary_crossentropy(Y[:, :1], PROBS[:, :1], pos_weight=np.array(POS_W))
    with pytest.raises(ValueError, match=r"Expected alpha to be a number in \[0, 1\]"):
        binary_focal_loss(Y, PROBS, alpha=np.full(7, 2.0))
    with pytest.raises(ValueError, match="Expected gamma_neg"):
        asymmetric_loss(Y, PROBS, gamma_neg=-1.0)


# ================================================================ serialisation and models
def test_config_round_trip_with_plain_lists():
    losses = [
        WeightedBinaryCrossentropy(pos_weight=np.array(POS_W), neg_weight=2.0, from_logits=True, label_smoothing=0.1,
                                   mask_value=-1, reduction="sum", name="wbce"),
        BinaryFocalLoss(gamma=1.5, alpha=np.array([0.25] * 7), pos_weight=3.0, mask_value=-1),
        AsymmetricLoss(gamma_pos=1.0, gamma_neg=3.0, clip=0.1, pos_weight=np.array(POS_W), from_logits=True),
    ]
    for loss in losses:
        config = loss.get_config()
        assert all(not isinstance(v, np.ndarray) for v in config.values())
        clone = type(loss).from_config(config)
        assert clone.get_config() == config
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert type(restored) is type(loss) and restored.get_config() == config
        assert keras.losses.serialize(loss)["registered_name"].startswith("mlbalance>")


def test_multi_output_model_with_a_dict_of_losses():
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(inputs, {"tags": keras.layers.Dense(7, name="tags")(hidden),
                                 "flag": keras.layers.Dense(1, activation="sigmoid", name="flag")(hidden)})
    model.compile("adam", loss={"tags": WeightedBinaryCrossentropy(pos_weight=POS_W, from_logits=True, mask_value=-1),
                                "flag": BinaryFocalLoss(gamma=2.0)})
    x = RNG.normal(size=(64, 5)).astype("float32")
    y_tags = np.where(RNG.random(Y.shape) < 0.1, -1, Y).astype("float32")
    history = model.fit(x, {"tags": y_tags, "flag": Y[:, :1]}, sample_weight=np.ones(64), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_saved_model_loads_with_plain_load_model_in_a_fresh_process(tmp_path):
    x = RNG.normal(size=(32, 5)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", Y[:32])
    losses = {
        "wbce": WeightedBinaryCrossentropy(pos_weight=POS_W, from_logits=True, mask_value=-1),
        "focal": BinaryFocalLoss(gamma=2.0, alpha=[0.25] * 7, from_logits=True),
        "asl": AsymmetricLoss(from_logits=True),
    }
    for name, loss in losses.items():
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(7)])
        model.compile("adam", loss=loss)
        model.fit(x, Y[:32], epochs=1, verbose=0)
        model.save(tmp_path / f"{name}.keras")
        np.save(tmp_path / f"{name}_pred.npy", to_np(model.predict(x, verbose=0)))
    script = textwrap.dedent(f"""
        import numpy as np, keras
        import mlbalance.losses  # registers the losses; no custom_objects below
        d = {str(tmp_path)!r}
        x, y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
        for name in ("wbce", "focal", "asl"):
            model = keras.saving.load_model(d + "/" + name + ".keras")
            assert type(model.loss).__module__ == "mlbalance.losses", model.loss
            np.testing.assert_allclose(np.asarray(model.predict(x, verbose=0)), np.load(d + "/" + name + "_pred.npy"), rtol=1e-6)
            h = model.fit(x, y, epochs=1, verbose=0)
            assert np.isfinite(h.history["loss"][0])
        print("ok")
    """)
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-3000:]


def test_lazy_access_from_the_package():
    import mlbalance

    assert mlbalance.WeightedBinaryCrossentropy is WeightedBinaryCrossentropy
    assert mlbalance.losses.asymmetric_loss is asymmetric_loss


# ================================================================ issue #16: exact, and strict about inputs
ALL_LOSSES = [
    lambda **kw: WeightedBinaryCrossentropy(pos_weight=2.0, **kw),
    lambda **kw: BinaryFocalLoss(gamma=2.0, alpha=0.25, **kw),
    lambda **kw: AsymmetricLoss(**kw),
]


@settings(max_examples=40, deadline=None)
@given(st.floats(-80.0, 80.0), st.sampled_from([0.0, 1.0]))
def test_log_probabilities_from_logits_are_exact_at_both_tails(logit, label):
    # One entry: the loss is softplus(-x) (positive) or softplus(x) (negative), the gradient
    # sigmoid(x) - label. log(1 - p) = log p - x cancelled: 0 at x = -15 instead of 3.06e-7.
    y, x = np.array([[label]], "float32"), np.array([[logit]], "float32")
    x64 = float(x[0, 0])
    exact = np.logaddexp(0.0, -x64) if label else np.logaddexp(0.0, x64)
    exact_grad = -1.0 / (1.0 + np.exp(x64)) if label else 1.0 / (1.0 + np.exp(-x64))  # sigmoid(x) - label, no cancellation
    for loss in (WeightedBinaryCrossentropy(from_logits=True), BinaryFocalLoss(gamma=0.0, from_logits=True),
                 AsymmetricLoss(0.0, 0.0, 0.0, from_logits=True)):
        value, grad = value_and_grad(lambda t: loss(y, t), x)
        np.testing.assert_allclose(value, exact, rtol=1e-5, atol=1e-37)
        np.testing.assert_allclose(grad[0, 0], exact_grad, rtol=1e-4, atol=1e-37)


def test_confident_negatives_cost_their_exact_loss():
    y = np.zeros((1, 3), "float32")
    x = np.array([[-10.0, -15.0, -20.0]], "float32")
    rows = np.stack([to_np(weighted_binary_crossentropy(y[:, [j]], x[:, [j]], from_logits=True)) for j in range(3)])
    np.testing.assert_allclose(rows[:, 0], np.logaddexp(0.0, x[0].astype(np.float64)), rtol=1e-5)
    assert rows[1, 0] == pytest.approx(3.059e-7, rel=1e-3)


@pytest.mark.parametrize("make", ALL_LOSSES)
def test_target_shape_must_equal_output_shape(make):
    with pytest.raises(ValueError, match=r"same shape .*Received: y_true.shape=\(3, 1\), y_pred.shape=\(3, 3\)"):
        make(from_logits=True)(np.ones((3, 1)), np.zeros((3, 3)))
    # Keras' one exception: (n,) against (n, 1).
    np.testing.assert_allclose(to_np(make(from_logits=True)(np.ones(3), np.zeros((3, 1)))),
                               to_np(make(from_logits=True)(np.ones((3, 1)), np.zeros((3, 1)))))
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("sgd", loss=make(from_logits=True))
    with pytest.raises(ValueError, match="same shape"):
        model.fit(np.zeros((8, 4)), np.ones((8, 1)), verbose=0)


@pytest.mark.parametrize("make", ALL_LOSSES)
@pytest.mark.parametrize("bad, mask_value", [(255.0, None), (-1.0, None), (0.5, None), (np.nan, None), (2.0, -1.0)])
def test_targets_outside_0_1_raise_on_concrete_inputs(make, bad, mask_value):
    y = np.zeros((4, 3), "float32")
    y[2, 1] = bad
    loss = make(from_logits=True, mask_value=mask_value)
    with pytest.raises(ValueError, match=r"expected y_true to hold only 0(, 1 and the mask value -1.0| and 1). "
                                         r"Received: y_true\[2, 1\] \(row 2, label 1\)"):
        loss(y, np.zeros((4, 3)))


@pytest.mark.parametrize("make", ALL_LOSSES)
def test_targets_outside_0_1_are_not_a_silent_loss_in_fit(make):
    # In a compiled step (TensorFlow, JAX) the loss is NaN; PyTorch trains eagerly and raises.
    # (y = 255 gave a loss of about -380 before.)
    x = RNG.normal(size=(16, 4)).astype("float32")
    y = (RNG.random((16, 3)) < 0.3).astype("float32") * 255
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("sgd", loss=make(from_logits=True))
    if BACKEND == "torch":
        with pytest.raises(ValueError, match="y_true to hold only 0 and 1"):
            model.fit(x, y, epochs=1, verbose=0)
    else:
        history = model.fit(x, y, epochs=1, verbose=0)
        assert np.isnan(history.history["loss"][0])


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([0, 1, 2]))
def test_masked_row_values_do_not_depend_on_the_rest_of_the_batch(seed, which):
    # A row's value depends on that row alone, so any sharding of the batch gives the same
    # mean (the reason for the normalisation), including a shard that is fully masked.
    rng = np.random.default_rng(seed)
    y = np.where(rng.random((8, 5)) < 0.5, -1.0, (rng.random((8, 5)) < 0.3)).astype("float32")
    y[:4] = np.where(rng.random() < 0.5, -1.0, y[:4])  # sometimes the first shard is fully masked
    x = (rng.normal(size=(8, 5)) * 3).astype("float32")
    loss = ALL_LOSSES[which](from_logits=True, mask_value=-1)
    whole = to_np(loss.call(y, x))
    halves = np.concatenate([to_np(loss.call(y[:4], x[:4])), to_np(loss.call(y[4:], x[4:]))])
    np.testing.assert_allclose(whole, halves, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(to_np(loss(y, x)), (to_np(loss(y[:4], x[:4])) + to_np(loss(y[4:], x[4:]))) / 2,
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_inputs_are_computed_in_float32_on_every_backend(dtype):
    # On PyTorch the half-precision check compared a torch dtype to strings and computed in half.
    half = ops.cast(LOGITS, dtype)
    as_float32 = ops.cast(half, "float32")
    for make in ALL_LOSSES:
        loss = make(from_logits=True)
        got = loss.call(Y, half)
        assert keras.backend.standardize_dtype(got.dtype) == "float32"
        np.testing.assert_allclose(to_np(got), to_np(loss.call(Y, as_float32)), rtol=1e-6)


def test_a_loss_object_reused_across_steps_dtypes_and_widths_keeps_its_weights_and_checks():
    """The per-label weights a loss keeps between calls (PyTorch backend) are the right ones every call."""
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    logits = np.array([[0.3, -1.2, 2.0], [-0.5, 0.7, -3.0]])
    loss = WeightedBinaryCrossentropy(pos_weight=[2.0, 5.0, 0.5], from_logits=True)
    expected = np.mean([2.0 * np.logaddexp(0, -0.3), np.logaddexp(0, -1.2), 0.5 * np.logaddexp(0, -2.0),
                        np.logaddexp(0, -0.5), 5.0 * np.logaddexp(0, -0.7), np.logaddexp(0, -3.0)])
    for dtype in ("float32", "float64", "float32"):
        value = float(loss(ops.convert_to_tensor(y, dtype), ops.convert_to_tensor(logits, dtype)))
        assert value == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="pos_weight has 3 values but the model output has 4 labels"):
        loss(np.zeros((2, 4)), np.zeros((2, 4)))
