"""mlbalance.torch: the PyTorch losses against PyTorch, torchvision's and the ASL paper's formulas and the
Keras losses; masks, errors, numerics; the sampler with DataLoader, seeds, epochs and shards."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

import mlbalance  # noqa: E402
from mlbalance.torch import (  # noqa: E402
    AsymmetricLoss,
    RepeatFactorSampler,
    SigmoidFocalLoss,
    WeightedBCEWithLogitsLoss,
    asymmetric_loss,
    sigmoid_focal_loss,
    weighted_binary_cross_entropy_with_logits,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.default_rng(0)
Y = (RNG.random((64, 7)) < 0.3).astype("float32")
LOGITS = (RNG.normal(size=(64, 7)) * 3).astype("float32")
POS_W = [0.5, 1.0, 2.0, 3.0, 10.0, 0.0, 7.5]
NEG_W = [1.0, 0.5, 2.0, 1.0, 1.0, 3.0, 0.25]
X64, Y64 = torch.tensor(LOGITS, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)


# ---------------------------------------------------------------- independent references
def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """The formula of torchvision.ops.sigmoid_focal_loss (torchvision/ops/focal_loss.py, pytorch/vision
    commit 148ddaa; BSD-3-Clause, (c) Soumith Chintala 2016 and the torchvision contributors), restated:
    torchvision itself cannot be installed beside torch 2.13.0+cpu here (its wheel fails to import)."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"mean": loss.mean, "sum": loss.sum}.get(reduction, lambda: loss)()


def asl_paper_loss(x, y, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8):
    """The ASL paper's reference AsymmetricLoss.forward (Alibaba-MIIL/ASL, src/loss_functions/losses.py,
    commit 05b193d; MIT License, (c) 2020 Alibaba-MIIL), restated: probabilities clamped at eps, the
    negative probability shifted by clip, focusing weights with gradients, and a **sum** over everything."""
    p = torch.sigmoid(x)
    p_neg = 1 - p
    if clip is not None and clip > 0:
        p_neg = (p_neg + clip).clamp(max=1)
    loss = y * torch.log(p.clamp(min=eps)) + (1 - y) * torch.log(p_neg.clamp(min=eps))
    if gamma_neg > 0 or gamma_pos > 0:
        pt = p * y + p_neg * (1 - y)
        loss = loss * torch.pow(1 - pt, gamma_pos * y + gamma_neg * (1 - y))
    return -loss.sum()


def grad_of(fn, x):
    x = x.clone().requires_grad_(True)
    value = fn(x)
    value.backward()
    return value.detach(), x.grad


# ================================================================ equal to the references
@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16), st.floats(0.1, 30.0),
       st.sampled_from(["mean", "sum", "none"]))
def test_weighted_bce_equals_bce_with_logits_pos_weight(n, q, seed, scale, reduction):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, q, generator=gen, dtype=torch.float64) * scale
    y = (torch.rand(n, q, generator=gen) < 0.4).double()
    pos_weight = torch.rand(q, generator=gen, dtype=torch.float64) * 10
    weight = torch.rand(n, 1, generator=gen, dtype=torch.float64)
    reference = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, weight=weight, reduction=reduction)(x, y)
    ours = WeightedBCEWithLogitsLoss(pos_weight=pos_weight, weight=weight, reduction=reduction)(x, y)
    torch.testing.assert_close(ours, reference, rtol=1e-10, atol=1e-12)
    functional = weighted_binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, neg_weight=1.0,
                                                           weight=weight, reduction=reduction)
    torch.testing.assert_close(functional, reference, rtol=1e-10, atol=1e-12)
    # A sequence of Python numbers becomes a tensor of the default dtype (float32): float32 accuracy.
    from_list = weighted_binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight.tolist(), weight=weight.numpy(),
                                                          reduction=reduction)
    torch.testing.assert_close(from_list, reference, rtol=1e-6, atol=1e-9)


def test_negative_weight_is_bce_with_logits_weight_and_ratio():
    # w+ z sp(-x) + w- (1 - z) sp(x) = w- (pos_weight=w+/w- term): torch's weight=w-, pos_weight=w+/w-.
    pw, nw = torch.tensor(POS_W, dtype=torch.float64), torch.tensor(NEG_W, dtype=torch.float64)
    reference = F.binary_cross_entropy_with_logits(X64, Y64, pos_weight=pw / nw, weight=nw, reduction="none")
    ours = weighted_binary_cross_entropy_with_logits(X64, Y64, pos_weight=POS_W, neg_weight=NEG_W, reduction="none")
    torch.testing.assert_close(ours, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (0.6, 0.5), (-1, 3.0), (0.25, 0.0)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_focal_equals_torchvision_formula(alpha, gamma, reduction):
    reference = torchvision_sigmoid_focal_loss(X64, Y64, alpha=alpha, gamma=gamma, reduction=reduction)
    ours = sigmoid_focal_loss(X64, Y64, alpha=None if alpha < 0 else alpha, gamma=gamma, reduction=reduction)
    torch.testing.assert_close(ours, reference, rtol=1e-10, atol=1e-12)
    # Gradients too (float64, moderate logits where torchvision's p-based formula is accurate).
    _, g_ref = grad_of(lambda t: torchvision_sigmoid_focal_loss(t, Y64, alpha, gamma, "sum"), X64)
    _, g_ours = grad_of(lambda t: sigmoid_focal_loss(t, Y64, None if alpha < 0 else alpha, gamma, reduction="sum"), X64)
    torch.testing.assert_close(g_ours, g_ref, rtol=1e-8, atol=1e-10)


def test_per_label_alpha_and_pos_weight_are_columnwise_torchvision():
    alpha = [0.25, 0.5, 0.75, 0.1, 0.9, 0.3, 0.6]
    ours = SigmoidFocalLoss(alpha=torch.tensor(alpha, dtype=torch.float64), gamma=2.0,
                            pos_weight=torch.tensor(POS_W, dtype=torch.float64), reduction="none")(X64, Y64)
    for j in range(7):
        column = torchvision_sigmoid_focal_loss(X64[:, j], Y64[:, j], alpha=alpha[j], gamma=2.0)
        column = torch.where(Y64[:, j] == 1, column * POS_W[j], column)
        torch.testing.assert_close(ours[:, j], column, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("gamma_neg, gamma_pos, clip", [(4, 1, 0.05), (4, 0, 0.05), (2, 1, 0.0), (0.5, 0.5, 0.2),
                                                        (0, 0, 0)])
def test_asymmetric_equals_the_paper_code_value_and_gradient(gamma_neg, gamma_pos, clip):
    # Logits within +-15: the paper code's 1e-8 clamp of probabilities does not bite there.
    x = X64.clamp(-15, 15)
    ref_value, ref_grad = grad_of(lambda t: asl_paper_loss(t, Y64, gamma_neg, gamma_pos, clip), x)
    value, grad = grad_of(lambda t: asymmetric_loss(t, Y64, gamma_neg, gamma_pos, clip, reduction="sum"), x)
    torch.testing.assert_close(value, ref_value, rtol=1e-10, atol=1e-10)
    # With gamma_neg < 1 the paper code's gradient is NaN at clipped negatives (d/dp of p_m ** 0.5 at p_m = 0,
    # times the clamp's 0); ours is 0 there. Everywhere else the gradients agree.
    finite = torch.isfinite(ref_grad)
    assert torch.isfinite(grad).all() and (finite.all() or gamma_neg < 1)
    torch.testing.assert_close(grad[finite], ref_grad[finite], rtol=1e-8, atol=1e-10)
    assert torch.all(grad[~finite] == 0)
    module = AsymmetricLoss(gamma_neg, gamma_pos, clip)(x.float(), Y64.float())  # mean = sum / numel
    torch.testing.assert_close(module.double(), ref_value / Y64.numel(), rtol=1e-5, atol=1e-7)


def test_asymmetric_defaults_are_the_paper_training_script_defaults():
    # gamma_neg=4, gamma_pos=0, clip=0.05: the ASL training script's values and mlbalance.losses' defaults.
    torch.testing.assert_close(AsymmetricLoss(reduction="sum")(X64.clamp(-15, 15), Y64),
                               asl_paper_loss(X64.clamp(-15, 15), Y64, gamma_pos=0), rtol=1e-10, atol=1e-10)


def test_equal_to_mlbalance_keras_losses_on_the_same_numbers():
    keras = pytest.importorskip("keras")
    from mlbalance import losses as keras_losses

    def k(value):  # Keras' default reduction: mean over rows of the per-row mean over labels
        return float(np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64))

    y_masked = np.where(RNG.random(Y.shape) < 0.2, -1.0, Y).astype("float32")
    x = torch.tensor(LOGITS)
    pairs = [
        (keras_losses.WeightedBinaryCrossentropy(pos_weight=POS_W, neg_weight=NEG_W, from_logits=True, mask_value=-1),
         WeightedBCEWithLogitsLoss(pos_weight=POS_W, neg_weight=NEG_W, ignore_index=-1)),
        (keras_losses.BinaryFocalLoss(gamma=2.0, alpha=[0.25, 0.5, 0.75, 0.1, 0.9, 0.3, 0.6], pos_weight=POS_W,
                                      from_logits=True, mask_value=-1),
         SigmoidFocalLoss(alpha=[0.25, 0.5, 0.75, 0.1, 0.9, 0.3, 0.6], gamma=2.0, pos_weight=POS_W, ignore_index=-1)),
        (keras_losses.AsymmetricLoss(gamma_pos=1.0, gamma_neg=4.0, clip=0.05, pos_weight=POS_W, from_logits=True,
                                     mask_value=-1),
         AsymmetricLoss(gamma_neg=4.0, gamma_pos=1.0, clip=0.05, pos_weight=POS_W, ignore_index=-1)),
        (keras_losses.AsymmetricLoss(gamma_pos=0.5, gamma_neg=2.0, clip=0.0, from_logits=True),
         AsymmetricLoss(gamma_neg=2.0, gamma_pos=0.5, clip=0.0)),
        # The defaults agree across frameworks: one recipe, the same loss.
        (keras_losses.AsymmetricLoss(from_logits=True), AsymmetricLoss()),
    ]
    for keras_loss, torch_loss in pairs:
        for target in (Y, y_masked):
            if target is y_masked and torch_loss.ignore_index is None:
                continue
            # float32 on both sides, different kernels: agree to 1e-5 relative.
            assert torch_loss(x, torch.tensor(target)).item() == pytest.approx(k(keras_loss(target, LOGITS)), rel=1e-5)


# ================================================================ masks
LOSSES = [
    lambda **kw: WeightedBCEWithLogitsLoss(pos_weight=POS_W, neg_weight=NEG_W, **kw),
    lambda **kw: SigmoidFocalLoss(alpha=0.25, gamma=2.0, **kw),
    lambda **kw: AsymmetricLoss(**kw),
]


@pytest.mark.parametrize("make", LOSSES)
def test_masked_entries_count_zero_and_get_no_gradient(make):
    masked = torch.tensor(RNG.random(Y.shape) < 0.3)
    y = torch.tensor(Y)
    elementwise = make(reduction="none")(torch.tensor(LOGITS), y)
    expected = torch.where(masked, 0.0, elementwise)
    x = torch.tensor(LOGITS)
    by_index = make(ignore_index=-1)
    y_ignored = torch.where(masked, -1.0, y)
    torch.testing.assert_close(by_index(x, y_ignored), expected.sum() / expected.numel())
    torch.testing.assert_close(make()(x, y, mask=~masked), expected.sum() / expected.numel())
    torch.testing.assert_close(make(reduction="mean_observed")(x, y, mask=~masked),
                               expected.sum() / (~masked).sum())
    torch.testing.assert_close(make(reduction="none", ignore_index=-1)(x, y_ignored), expected)
    value, grad = grad_of(lambda t: by_index(t, y_ignored), x)
    assert torch.all(grad[masked] == 0)
    torch.testing.assert_close(by_index(torch.where(masked, 50.0, x), y_ignored), value)
    # mask and ignore_index combine; masked entries may hold any target value.
    garbage = torch.where(masked, 7.0, y)
    torch.testing.assert_close(make(ignore_index=-1)(x, garbage, mask=~masked), value)


def test_nan_ignore_index_and_nothing_observed_give_zero_not_nan():
    y = torch.tensor(Y).clone()
    y[0] = float("nan")
    loss = WeightedBCEWithLogitsLoss(ignore_index=float("nan"))
    assert torch.isfinite(loss(torch.tensor(LOGITS), y))
    for reduction in ("mean", "sum", "mean_observed"):
        empty = WeightedBCEWithLogitsLoss(ignore_index=-1, reduction=reduction)(torch.zeros(2, 3), torch.full((2, 3), -1))
        assert empty.item() == 0.0


# ================================================================ errors
def test_shape_mismatch_is_an_error_never_a_broadcast():
    with pytest.raises(ValueError, match=r"WeightedBCEWithLogitsLoss: expected target to have input's shape .* "
                                         r"Received: input.shape=\(4, 3\), target.shape=\(4, 1\)"):
        WeightedBCEWithLogitsLoss()(torch.zeros(4, 3), torch.zeros(4, 1))
    with pytest.raises(ValueError, match=r"pos_weight has 2 values but input has 3 labels"):
        sigmoid_focal_loss(torch.zeros(4, 3), torch.zeros(4, 3), pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected weight to broadcast to input's shape \(4, 3\). "
                                         r"Received: weight.shape=\(2,\)"):
        weighted_binary_cross_entropy_with_logits(torch.zeros(4, 3), torch.zeros(4, 3), weight=torch.ones(2))
    with pytest.raises(ValueError, match=r"expected mask to be a torch.bool tensor"):
        AsymmetricLoss()(torch.zeros(4, 3), torch.zeros(4, 3), mask=torch.ones(4, 3))


@pytest.mark.parametrize("make", LOSSES)
def test_targets_outside_0_1_raise_or_are_nan_without_the_check(make):
    y = torch.tensor(Y).clone()
    y[5, 2] = 2.0
    with pytest.raises(ValueError, match=r"expected target to hold only 0 and 1. Received: target\[5, 2\]=2.0 "
                                         r"\(row 5, label 2; 1 such entries"):
        make()(torch.tensor(LOGITS), y)
    y[5, 2] = -1.0
    with pytest.raises(ValueError, match=r"only 0, 1 and ignore_index=-2.0"):
        make(ignore_index=-2)(torch.tensor(LOGITS), y)
    # check_target=False: no host sync, and the bad entry makes the loss NaN (loud, never plausible).
    assert torch.isnan(make(check_target=False)(torch.tensor(LOGITS), y))
    assert torch.isfinite(make(check_target=False)(torch.tensor(LOGITS), torch.tensor(Y)))


def test_inside_torch_compile_one_graph_and_bad_targets_are_nan():
    # fullgraph=True: no graph break (the host-side check is skipped while compiling); a bad target is NaN.
    loss = torch.compile(WeightedBCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0]), backend="eager", fullgraph=True)
    x, y = torch.tensor(LOGITS[:4, :3]), torch.tensor(Y[:4, :3])
    torch.testing.assert_close(loss(x, y), WeightedBCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0])(x, y))
    assert torch.isnan(loss(x, torch.where(y == 1, 2.0, y)))


def test_bad_arguments_are_refused_with_what_was_received():
    cases = [
        (lambda: WeightedBCEWithLogitsLoss(pos_weight=[1.0, -1.0]),
         r"Expected pos_weight to be a finite number >= 0 for every label. Received: pos_weight\[1\]=-1.0"),
        (lambda: WeightedBCEWithLogitsLoss(neg_weight=torch.tensor([1.0, float("nan")])), r"neg_weight\[1\]=nan"),
        (lambda: SigmoidFocalLoss(alpha=1.5), r"Expected alpha to be a number in \[0, 1\]. Received: alpha=1.5"),
        (lambda: SigmoidFocalLoss(gamma=-1), r"Expected gamma to be a finite number >= 0. Received: gamma=-1"),
        (lambda: AsymmetricLoss(clip=1.0), r"Expected clip to be a finite number in \[0, 1\). Received: clip=1.0"),
        (lambda: AsymmetricLoss(reduction="avg"), r"Expected reduction to be one of .*Received: reduction='avg'"),
        (lambda: WeightedBCEWithLogitsLoss(ignore_index=1), r"Expected ignore_index to be None or a number other"),
        (lambda: WeightedBCEWithLogitsLoss(check_target="no"), r"Received: check_target='no'"),
        (lambda: WeightedBCEWithLogitsLoss(weight=[[1.0, -2.0]]), r"Received: weight\[0, 1\]=-2.0"),
        (lambda: WeightedBCEWithLogitsLoss()(torch.zeros(2, 2, dtype=torch.long), torch.zeros(2, 2)),
         r"expected input to be a floating-point tensor of logits. Received: input.dtype=torch.int64"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError, match=message):
            make()
    with pytest.raises(TypeError, match=r"expected input to be a torch.Tensor of logits. Received: input of type ndarray"):
        WeightedBCEWithLogitsLoss()(LOGITS, Y)


# ================================================================ numerics
EXTREME_X = torch.tensor([[1e4, -1e4, 0.0, 1e4], [-1e4, 1e4, 30.0, -30.0]])
EXTREME_Y = torch.tensor([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
STABLE = [
    WeightedBCEWithLogitsLoss(pos_weight=[1.0, 10.0, 3.0, 0.5], neg_weight=2.0),
    SigmoidFocalLoss(alpha=[0.25, 0.5, 0.75, 1.0], gamma=0.5),
    SigmoidFocalLoss(),
    AsymmetricLoss(gamma_neg=0.5, gamma_pos=0.5, clip=0.0),
    AsymmetricLoss(),
]


@pytest.mark.parametrize("loss", STABLE, ids=lambda loss: type(loss).__name__)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_gradients_finite_at_logits_1e4_and_half_precision_computed_in_float32(loss, dtype):
    x = EXTREME_X.to(dtype)  # float16 holds 1e4 (max 65504)
    value, grad = grad_of(lambda t: loss(t, EXTREME_Y), x)
    assert value.dtype == torch.float32 and torch.isfinite(value) and torch.all(torch.isfinite(grad)), (value, grad)
    torch.testing.assert_close(value, loss(x.float(), EXTREME_Y))  # the same as the float32 input it rounds to
    # A confident wrong logit costs ~1e4 per entry, not a clipped 16.
    assert loss(torch.full((1, 4), -1e4), torch.ones(1, 4)).item() > 1e3


def test_exact_tails_where_probability_formulas_fail():
    # log(1 - p) at x = -15 for a negative: 3.06e-7 (p-based float32 code gives 0).
    value = weighted_binary_cross_entropy_with_logits(torch.tensor([[-15.0]]), torch.zeros(1, 1))
    assert value.item() == pytest.approx(math.log1p(math.exp(-15.0)), rel=1e-6)
    assert sigmoid_focal_loss(torch.tensor([[-100.0]]), torch.ones(1, 1), alpha=None, gamma=0.0).item() == 100.0


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 5.0), st.floats(-80, 80), st.sampled_from([0.0, 1.0]))
def test_focal_and_asl_finite_and_non_negative_for_any_gamma_and_logit(gamma, logit, label):
    y, x = torch.tensor([[label]]), torch.tensor([[logit]])
    for loss in (SigmoidFocalLoss(gamma=gamma), AsymmetricLoss(gamma_neg=gamma, gamma_pos=gamma)):
        value, grad = grad_of(lambda t: loss(t, y), x)
        assert torch.isfinite(value) and torch.isfinite(grad).all() and value >= 0


def test_buffers_follow_the_module_and_state_dict():
    loss = SigmoidFocalLoss(alpha=[0.25, 0.5], pos_weight=torch.tensor([1.0, 4.0], dtype=torch.float64))
    assert set(loss.state_dict()) == {"alpha", "pos_weight"} and SigmoidFocalLoss(alpha=0.25).alpha == 0.25
    assert loss.double().pos_weight.dtype == torch.float64  # nn.Module casts buffers
    assert "gamma=2.0" in repr(loss) and "reduction='mean'" in repr(loss)


# ================================================================ sampler
Y_RARE = np.zeros((40, 3), dtype=int)
Y_RARE[:, 0] = 1
Y_RARE[:4, 1] = 1  # prevalence 0.1
Y_RARE[4, 2] = 1  # prevalence 0.025


def epoch_rows(sampler, epoch):
    sampler.set_epoch(epoch)
    return list(sampler)


def test_sampler_rows_follow_repeat_factors_with_stochastic_rounding():
    sampler = RepeatFactorSampler(Y_RARE, threshold=0.3, seed=3)
    np.testing.assert_allclose(sampler.row_factors, mlbalance.repeat_factors(Y_RARE, threshold=0.3)[0])
    np.testing.assert_allclose(sampler.row_factors[[0, 4, 5]], [math.sqrt(3), math.sqrt(12), 1.0])
    factors = sampler.row_factors
    counts = np.stack([np.bincount(epoch_rows(sampler, e), minlength=40) for e in range(300)])
    assert np.all(counts >= np.floor(factors)) and np.all(counts <= np.ceil(factors))
    # Mean count over 300 epochs matches the factor (rounding is Bernoulli(r - floor r): sd <= 0.5 / sqrt(300)).
    np.testing.assert_allclose(counts.mean(axis=0), factors, atol=0.1)
    assert set(counts[:, 4]) == {3, 4} and set(counts[:, 0]) == {1, 2} and set(counts[:, 5]) == {1}


def test_sampler_reproducible_by_seed_new_draw_per_epoch_and_len_is_the_epoch_length():
    a, b = RepeatFactorSampler(Y_RARE, threshold=0.4, seed=7), RepeatFactorSampler(Y_RARE, threshold=0.4, seed=7)
    draws = [epoch_rows(a, e) for e in range(4)]
    assert draws == [epoch_rows(b, e) for e in range(4)]
    assert len({tuple(d) for d in draws}) == 4
    assert epoch_rows(RepeatFactorSampler(Y_RARE, threshold=0.4, seed=8), 0) != draws[0]
    for e, rows in enumerate(draws):
        a.set_epoch(e)
        assert len(a) == len(rows)
    # Without set_epoch, each iteration moves on to the next epoch (and len() describes the coming one).
    c = RepeatFactorSampler(Y_RARE, threshold=0.4, seed=7)
    seen = []
    for _ in range(3):
        n = len(c)
        seen.append(list(c))
        assert len(seen[-1]) == n
    assert seen == draws[:3]


def test_sampler_with_dataloader_and_ml_ros():
    data = torch.utils.data.TensorDataset(torch.arange(40), torch.tensor(Y_RARE))
    sampler = RepeatFactorSampler(torch.tensor(Y_RARE), threshold=0.4, seed=0)
    loader = torch.utils.data.DataLoader(data, batch_size=8, sampler=sampler)
    sampler.set_epoch(2)
    rows = torch.cat([index for index, _ in loader]).tolist()
    assert rows == epoch_rows(sampler, 2) and len(loader) == math.ceil(len(rows) / 8)
    ros = RepeatFactorSampler(Y_RARE, method="ml_ros", percentage=25, seed=0)
    rows = epoch_rows(ros, 0)
    expected = mlbalance.resample_indices(Y_RARE, "ml_ros", np.random.RandomState(0), percentage=25)
    assert rows == expected.tolist() and len(rows) > 40 and set(range(40)) <= set(rows)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.booleans(), st.integers(0, 50), st.booleans())
def test_shards_are_disjoint_equal_and_cover_the_epoch_draw(num_replicas, drop_last, epoch, shuffle):
    full = RepeatFactorSampler(Y_RARE, threshold=0.4, seed=1, shuffle=shuffle)
    draw = epoch_rows(full, epoch)
    shards = [epoch_rows(RepeatFactorSampler(Y_RARE, threshold=0.4, seed=1, shuffle=shuffle, num_replicas=num_replicas,
                                             rank=r, drop_last=drop_last), epoch) for r in range(num_replicas)]
    sizes = {len(s) for s in shards}
    assert len(sizes) == 1
    size = sizes.pop()
    if drop_last:
        assert size == len(draw) // num_replicas
        expected = draw[:size * num_replicas]
    else:  # padded with the draw's first indices, as DistributedSampler does
        assert size == math.ceil(len(draw) / num_replicas)
        expected = (draw * 2)[:size * num_replicas]
    # Replica r holds positions r, r + R, ...: disjoint positions whose union is the (padded / cut) draw.
    interleaved = [shards[i % num_replicas][i // num_replicas] for i in range(size * num_replicas)]
    assert interleaved == expected


def test_sampler_argument_errors():
    with pytest.raises(ValueError, match=r"Expected rank to be an integer in \[0, 1\]. Received: rank=2"):
        RepeatFactorSampler(Y_RARE, num_replicas=2, rank=2)
    with pytest.raises(ValueError, match=r"Expected threshold to be a finite number in \(0, 1\]"):
        RepeatFactorSampler(Y_RARE, threshold=0)
    with pytest.raises(ValueError, match=r"Expected method to be one of"):
        RepeatFactorSampler(Y_RARE, method="lvis")
    with pytest.raises(ValueError, match=r"Expected epoch to be an integer >= 0. Received: epoch=-1"):
        RepeatFactorSampler(Y_RARE).set_epoch(-1)
    with pytest.raises(mlbalance.LabelFormatError, match="row 0, column 1"):
        RepeatFactorSampler([[1, 2]])


# ================================================================ package and example
def test_mlbalance_torch_loads_lazily_without_keras():
    code = ("import sys, mlbalance; assert 'torch' not in sys.modules; from mlbalance.torch import AsymmetricLoss;"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow', 'jax', 'sklearn'));"
            "print(bad); sys.exit(1 if bad else 0)")
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "src")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert mlbalance.torch.AsymmetricLoss is AsymmetricLoss and "torch" in dir(mlbalance)


def test_example_runs_quick(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("pytorch_multilabel", os.path.join(ROOT, "examples",
                                                                                     "pytorch_multilabel.py"))
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert example.main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith(("plain BCE", "weighted BCE", "asymmetric", "BCE + Repeat"))]
    assert len(rows) == 4, lines
    scores = [float(v) for row in rows for v in row.split()[-3:]]
    assert all(0.0 <= v <= 1.0 for v in scores), rows
