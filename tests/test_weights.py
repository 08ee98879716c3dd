"""Per-label weights: hand-computed values, scikit-learn references, invariants and policies."""

import json
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.utils.class_weight import compute_class_weight

import mlbalance
from mlbalance.datasets import seed_scenario_labels

# Three labels over 8 rows: 2, 4 and 1 positives.
Y = np.zeros((8, 3), dtype=int)
Y[:2, 0] = 1
Y[:4, 1] = 1
Y[7, 2] = 1


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("neg_pos", [6 / 2, 4 / 4, 7 / 1]),
        ("inverse_frequency", [8 / 2, 8 / 4, 8 / 1]),
        ("sqrt", [math.sqrt(3), 1.0, math.sqrt(7)]),
        ("log", [2.0, 1.0, 3.0]),  # log2(1 + Q/P)
        ("balanced", [8 / 4, 8 / 8, 8 / 2]),
    ],
)
def test_strategies_against_hand_computed_values(strategy, expected):
    np.testing.assert_allclose(mlbalance.positive_weights(Y, strategy), expected)


def test_effective_number_against_the_formula_and_normalisation():
    beta = 0.9
    raw = np.array([(1 - beta) / (1 - beta**n) for n in (2, 4, 1)])
    w = mlbalance.positive_weights(Y, "effective_number", beta=beta)
    np.testing.assert_allclose(w, raw * 3 / raw.sum())
    assert w.sum() == pytest.approx(3)
    # Stable for huge counts (beta**n underflows to 0): weight -> (1 - beta) before normalisation.
    big = mlbalance.positive_weights([10**7, 10], n_samples=2 * 10**7, strategy="effective_number")
    assert np.all(np.isfinite(big)) and big[1] > big[0]


def test_label_weights_balanced_equals_sklearn_column_by_column():
    rng = np.random.default_rng(1)
    y = (rng.random((500, 7)) < rng.random(7) * 0.3 + 0.01).astype(int)
    pos, neg = mlbalance.label_weights(y, "balanced")
    for j in range(y.shape[1]):
        w_neg, w_pos = compute_class_weight("balanced", classes=np.array([0, 1]), y=y[:, j])
        assert pos[j] == pytest.approx(w_pos) and neg[j] == pytest.approx(w_neg)
    np.testing.assert_allclose(mlbalance.positive_weights(y, "balanced"), pos)


@settings(max_examples=80, deadline=None)
@given(
    hnp.arrays(np.int8, st.tuples(st.integers(2, 40), st.integers(1, 6)), elements=st.integers(0, 1)),
    st.sampled_from(mlbalance.weights.POSITIVE_WEIGHT_STRATEGIES),
)
def test_invariants_finite_positive_and_balanced_keeps_total(y, strategy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        w = mlbalance.positive_weights(y, strategy, on_zero="one")
        pos, neg = mlbalance.label_weights(y, "balanced", on_zero="one")
    assert np.all(np.isfinite(w)) and np.all(w > 0)
    p, n = y.sum(axis=0), y.shape[0] - y.sum(axis=0)
    ok = (p > 0) & (n > 0)
    np.testing.assert_allclose((pos * p + neg * n)[ok], y.shape[0])  # sum of w * count = N
    # Sparse and dense agree, and streamed == in-memory.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_allclose(mlbalance.positive_weights(sp.csr_matrix(y), strategy, on_zero="one"), w)
        batches = (y[i:i + 3] for i in range(0, y.shape[0], 3))
        np.testing.assert_allclose(mlbalance.positive_weights(batches, strategy, on_zero="one"), w)


def test_cap_and_normalise():
    w = mlbalance.positive_weights(Y, "neg_pos", max_weight=5)
    assert w.tolist() == [3.0, 1.0, 5.0]
    w = mlbalance.positive_weights(Y, "neg_pos", normalize=True)
    assert w.mean() == pytest.approx(1.0)
    w = mlbalance.positive_weights(Y, "neg_pos", normalize=True, max_weight=1.5)
    assert w.max() == 1.5
    for bad in (0, -1, float("inf"), "big"):
        with pytest.raises(ValueError, match="max_weight"):
            mlbalance.positive_weights(Y, max_weight=bad)
    with pytest.raises(ValueError, match="strategy"):
        mlbalance.positive_weights(Y, "nope")
    with pytest.raises(ValueError, match="beta"):
        mlbalance.positive_weights(Y, "effective_number", beta=1.0)


def test_zero_positive_labels_policies_on_the_seed_scenario():
    y = seed_scenario_labels()
    with pytest.raises(ValueError) as info:
        mlbalance.positive_weights(y)
    message = str(info.value)
    assert "8 label(s) with no positive entries: 1, 3, 9, 11, 13, 14, 18, 21" in message
    assert "on_zero='one'" in message
    with pytest.warns(UserWarning, match=r"no positive entries: 1, 3, 9.*set to 1 \(on_zero='one'\)"):
        w = mlbalance.positive_weights(y, on_zero="one")
    assert w[1] == 1.0 and w[2] == pytest.approx(6786 / 4)
    with pytest.warns(UserWarning, match="on_zero='max'"):
        w = mlbalance.positive_weights(y, on_zero="max", max_weight=100)
    assert w[1] == 100 and w.max() == 100
    with pytest.warns(UserWarning, match="set to 7"):
        w = mlbalance.positive_weights(y, on_zero=7.0)
    assert w[3] == 7.0
    with pytest.raises(ValueError, match="on_zero"):
        mlbalance.positive_weights(y, on_zero="ignore")


def test_zero_negative_labels_are_degenerate_too():
    y = np.array([[1, 0], [1, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"no negative entries: 0"):
        mlbalance.positive_weights(y)
    with pytest.warns(UserWarning, match="no negative entries"):
        pos, neg = mlbalance.label_weights(y, on_zero="one")
    assert pos[0] == 1.0 and neg[0] == 1.0
    assert pos[1] == pytest.approx(1.5) and neg[1] == pytest.approx(0.75)


def test_label_names_appear_in_messages_and_counts_vector_input():
    with pytest.raises(ValueError, match=r"1 \('rare'\)"):
        mlbalance.positive_weights([5, 0], n_samples=10, label_names=["common", "rare"])
    w = mlbalance.positive_weights([100, 1], n_samples=400)
    assert w.tolist() == [3.0, 399.0]


def test_mask_changes_counts_used_by_weights():
    y = np.array([[1, -1], [0, 1], [0, 0], [-1, 0]])
    assert mlbalance.positive_weights(y, mask_value=-1).tolist() == [2.0, 2.0]


def test_sample_weights():
    y = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0], [-1, -1, -1]])
    pos = [2.0, 3.0, 10.0]
    assert mlbalance.sample_weights(y, pos, mask_value=-1).tolist() == [2.0, 10.0, 1.0, 0.0]
    mean = mlbalance.sample_weights(y, pos, reduce="mean", mask_value=-1)
    np.testing.assert_allclose(mean, [4 / 3, 14 / 3, 1.0, 0.0])
    np.testing.assert_allclose(mlbalance.sample_weights(sp.csr_matrix(y), pos, reduce="mean", mask_value=-1), mean)
    norm = mlbalance.sample_weights(y[:3], pos, normalize=True)
    assert norm.mean() == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"one value per label \(3\).*shape \(2,\)"):
        mlbalance.sample_weights(y, [1.0, 2.0], mask_value=-1)
    with pytest.raises(ValueError, match="reduce"):
        mlbalance.sample_weights(y, pos, reduce="sum", mask_value=-1)


def test_class_weights_single_label_strategies():
    y = np.array([0] * 6 + [1] * 3 + [2] * 1)
    w = mlbalance.class_weights(y)
    np.testing.assert_allclose(list(w.values()), compute_class_weight("balanced", classes=np.arange(3), y=y))
    assert mlbalance.class_weights(y, "max_over_count") == {0: 1.0, 1: 2.0, 2: 6.0}  # seed 000's formula
    # seed 003's formula: cls_num = max / count; weight = cls_num / sum(cls_num)
    cls_num = np.array([1.0, 2.0, 6.0])
    np.testing.assert_allclose(list(mlbalance.class_weights(y, "normalized_inverse").values()), cls_num / cls_num.sum())
    one_hot = np.eye(3, dtype=int)[y]
    assert mlbalance.class_weights(one_hot) == w
    assert mlbalance.class_weights(y, "max_over_count", max_weight=4) == {0: 1.0, 1: 2.0, 2: 4.0}
    with pytest.raises(ValueError, match=r"class\(es\) with no rows in y: \[3\]"):
        mlbalance.class_weights(y, classes=[0, 1, 2, 3])
    with pytest.warns(UserWarning, match="no rows"):
        assert mlbalance.class_weights(y, classes=[0, 1, 2, 3], on_zero="one")[3] == 1.0


def test_class_weights_rejects_multi_label_and_text():
    with pytest.raises(ValueError, match="row 1 has 2 positive labels.*positive_weights"):
        mlbalance.class_weights([[1, 0], [1, 1]])
    with pytest.raises(ValueError, match="LabelEncoder"):
        mlbalance.class_weights(["cat", "dog"])
    with pytest.raises(ValueError, match="row 1 has 1.5"):
        mlbalance.class_weights([0, 1.5])


# ================================================================ no silent wrong answer (issue #16)
def test_sample_weights_normalize_with_all_zero_weights_is_an_error():
    y = np.array([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match=r"normalize=True\): every row weight is 0"):
        mlbalance.sample_weights(y, 0.0, neg_weight=0.0, normalize=True)  # was an array of NaN
    with pytest.raises(ValueError, match="every row weight is 0"):
        mlbalance.sample_weights(np.full((2, 2), -1), [1.0, 2.0], mask_value=-1, normalize=True)
    assert mlbalance.sample_weights(y, 0.0, neg_weight=0.0).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("weights, match", [
    (["2", "5"], r"pos_weight to be a number or one number per label \(2\).*dtype <U1"),
    ([True, False], "dtype bool"),
    ([np.nan, 1.0], "label 0 has nan"),
    ([1.0, -np.inf], "label 1 has -inf"),
])
def test_sample_weights_refuse_text_bool_and_non_finite_weights(weights, match):
    with pytest.raises(ValueError, match=match):
        mlbalance.sample_weights([[1, 0], [0, 1]], weights)  # text was silently cast to numbers


def test_normalize_must_be_a_bool():
    with pytest.raises(ValueError, match="Expected normalize to be True or False. Received: normalize='yes'"):
        mlbalance.positive_weights(Y, normalize="yes")
    with pytest.raises(ValueError, match="normalize=1"):
        mlbalance.sample_weights(Y, 1.0, normalize=1)


# ================================================================ the weights table as a result object (#17)
def test_weight_summary_matches_label_weights_and_prints_a_table():
    y = seed_scenario_labels()
    with pytest.warns(UserWarning, match="no positive entries"):
        summary = mlbalance.weight_summary(y, "balanced", max_weight=50, on_zero="one")
    with pytest.warns(UserWarning):
        pos, neg = mlbalance.label_weights(y, "balanced", max_weight=50, on_zero="one")
    np.testing.assert_array_equal(summary.pos_weight, pos)
    np.testing.assert_array_equal(summary.neg_weight, neg)
    assert summary.positives.tolist() == y.sum(axis=0).tolist()
    data = json.loads(summary.to_json())
    assert data["max_weight"] == 50.0 and data["labels"][22]["positives"] == 4702
    lines = summary.to_text().splitlines()
    assert lines[0] == "strategy balanced, capped at 50" and lines[1].split()[0] == "label"
    assert len({len(line) for line in lines[2:25]}) == 1  # one aligned table
    assert lines[-1].startswith("pos_weight as a Python list: [")
    named = mlbalance.weight_summary([[1, 0], [0, 1]], label_names=["\x1b[31mcat", "dog"]).to_text()
    assert "\x1b" not in named and "cat" in named


@pytest.mark.parametrize("kwargs, match", [
    ({"on_zero": 0}, r"Expected on_zero to be one of \('raise', 'one', 'max'\) or a finite number > 0. "
                     r"Received: on_zero=0"),
    ({"on_zero": "never"}, "on_zero='never'"),
    ({"on_zero": float("nan")}, "on_zero=nan"),
    ({"max_weight": True}, "Expected max_weight to be a finite number > 0 or None. Received: max_weight=True"),
    ({"strategy": "effective_number", "beta": 0}, r"Expected beta to be a finite number in \(0, 1\)"),
    ({"strategy": "nope"}, r"Expected strategy to be one of \('neg_pos'"),
])
def test_weight_argument_errors_share_one_wording(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mlbalance.positive_weights(Y, **kwargs)
