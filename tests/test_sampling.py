"""Multi-label oversampling: factors by hand, effect on the seed scenario, determinism (Keras feeders: tests/keras)."""

import numpy as np
import pytest
import scipy.sparse as sp

import mlbalance
from mlbalance.datasets import seed_scenario_labels


def test_repeat_factors_by_hand():
    y = np.zeros((100, 3), dtype=int)
    y[:50, 0] = 1  # prevalence 0.5  -> max(1, sqrt(0.1 / 0.5)) = 1
    y[:4, 1] = 1  # prevalence 0.04 -> sqrt(0.1 / 0.04) = 1.5811
    y[99, 2] = 1  # prevalence 0.01 -> sqrt(10) = 3.1623
    rows, labels = mlbalance.repeat_factors(y, threshold=0.1)
    np.testing.assert_allclose(labels, [1.0, np.sqrt(2.5), np.sqrt(10)])
    assert rows[0] == pytest.approx(np.sqrt(2.5)) and rows[99] == pytest.approx(np.sqrt(10)) and rows[50] == 1.0
    np.testing.assert_allclose(mlbalance.repeat_factors(sp.csr_matrix(y), threshold=0.1)[0], rows)
    with pytest.raises(ValueError, match="threshold"):
        mlbalance.repeat_factors(y, threshold=0)


@pytest.mark.parametrize("method", ["repeat_factor", "ml_ros"])
def test_seed_scenario_rare_prevalence_rises_and_mean_ir_falls(method):
    y = seed_scenario_labels()
    idx = mlbalance.resample_indices(y, method, random_state=0)
    assert set(np.unique(idx)) == set(range(len(y)))  # no row lost
    before, after = mlbalance.imbalance_summary(y), mlbalance.imbalance_summary(y[idx])
    assert after.mean_ir < before.mean_ir
    for label in (2, 10, 19):
        assert after.prevalence[label] > before.prevalence[label]
    assert np.array_equal(idx, mlbalance.resample_indices(y, method, random_state=0))  # same seed, same epoch
    assert not np.array_equal(idx, mlbalance.resample_indices(y, method, random_state=1))


def test_stochastic_rounding_matches_the_factor_on_average():
    y = np.array([[1, 0]] * 99 + [[0, 1]])
    draws = [np.count_nonzero(mlbalance.resample_indices(y, threshold=0.1, random_state=s) == 99) for s in range(400)]
    assert np.mean(draws) == pytest.approx(np.sqrt(10), abs=0.08)
    assert set(draws) <= {3, 4}


def test_ml_ros_adds_the_requested_clones_of_minority_rows():
    y = seed_scenario_labels()
    idx = mlbalance.resample_indices(y, "ml_ros", random_state=0, percentage=10)
    clones = np.bincount(idx, minlength=len(y)) - 1
    assert 0 < clones.sum() <= round(len(y) * 0.10)
    assert np.all(y[clones > 0][:, [0, 22]].sum(axis=1) < y[clones > 0].sum(axis=1))  # every clone has a rare label
    # It stops early only when no label is above the initial MeanIR any more (Charte et al.).
    before, after = mlbalance.imbalance_summary(y), mlbalance.imbalance_summary(y[idx])
    if clones.sum() < round(len(y) * 0.10):
        assert np.all(after.irlbl[after.positives > 0] <= before.mean_ir + 1e-9)
    small = np.array([[1, 0]] * 90 + [[1, 1]] * 2 + [[0, 1]] * 8)
    idx = mlbalance.resample_indices(small, "ml_ros", random_state=0, percentage=20)
    assert idx.size <= 120
    with pytest.raises(ValueError, match="method"):
        mlbalance.resample_indices(y, "smote")


def test_cli_resample(capsys, tmp_path):
    from mlbalance.cli import main

    out = tmp_path / "idx.txt"
    assert main(["resample", "examples/seed_labels.csv", "--seed", "0", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "MeanIR" in printed and "before" in printed and "after" in printed
    assert len(out.read_text().split()) > 6790


# ================================================================ clear errors, no traceback (issue #16)
def test_ml_ros_without_any_positive_returns_each_row_once_with_a_warning():
    with pytest.warns(UserWarning, match="no label has a positive"):
        idx = mlbalance.resample_indices(np.zeros((5, 2), int), "ml_ros", random_state=0, shuffle=False)
    assert idx.tolist() == [0, 1, 2, 3, 4]  # was a NumPy "zero-size array" error


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "ml_ros", "percentage": float("inf")}, "percentage=inf"),  # was an OverflowError
    ({"method": "ml_ros", "percentage": 0}, "percentage to be a finite number > 0"),
    ({"threshold": 0.0}, r"threshold to be a finite number in \(0, 1\]. Received: threshold=0.0"),
    ({"threshold": -1}, "threshold=-1"),
    ({"threshold": float("nan")}, "threshold=nan"),
    ({"method": "oversample"}, "Expected method to be one of"),
    ({"shuffle": "no"}, "shuffle='no'"),
])
def test_resample_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mlbalance.resample_indices(np.array([[1, 0], [0, 1], [1, 1]]), random_state=0, **kwargs)
