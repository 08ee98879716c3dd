"""The swap pass after the greedy split (``_stratify.improve_by_swaps``) and the quality claim it supports."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlbalance
from mlbalance._stratify import improve_by_swaps
from mlbalance.datasets import seed_scenario_labels


def quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args)


def quality(y, part):
    return quiet(mlbalance.split_quality, y, part)


def uniform(seed):
    return (np.random.default_rng(seed).random((600, 20)) < 0.15).astype(np.int8)


def cooccurring(seed):
    rng = np.random.default_rng(seed)
    topics = rng.random((600, 3)) < 0.4
    loading = rng.random((3, 15)) < 0.5
    return (rng.random((600, 15)) < np.where(topics.astype(int) @ loading.astype(int) > 0, 0.8, 0.1)).astype(np.int8)


def rare(seed):
    """200 x 20; label j on 1 + j % 6 random rows (each column's rows ranked by a random key)."""
    rank = np.random.default_rng(seed).random((200, 20)).argsort(axis=0).argsort(axis=0)
    return (rank < 1 + np.arange(20) % 6).astype(np.int8)


def zipf_like(seed):
    rng = np.random.default_rng(seed)
    p = 0.3 / np.arange(1, 31) ** 1.1
    return (rng.random((1000, 30)) < p).astype(np.int8)


@pytest.mark.parametrize("make", [uniform, cooccurring, rare, zipf_like, seed_scenario_labels])
def test_ld_never_above_iterative_stratification(make):
    """The README's claim on small matrices: per seed, LD <= iterative-stratification's, with exact sizes."""
    iterstrat = pytest.importorskip("iterstrat.ml_stratifiers")
    for seed in range(3):
        y = make(seed)
        ours = quality(y, quiet(mlbalance.MultilabelStratifiedKFold(5, shuffle=True, random_state=seed)
                                .fold_assignment, None, y))
        theirs = quality(y, list(iterstrat.MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
                                 .split(np.zeros(len(y)), y)))
        assert ours.ld <= theirs.ld * (1 + 1e-9), (make.__name__, seed, ours.ld, theirs.ld)
        assert ours.flz <= theirs.flz
        assert np.ptp(ours.part_sizes) <= 1


def covered(y, part, k):
    counts = np.zeros((k, y.shape[1]), dtype=int)
    np.add.at(counts, part, y)
    return counts > 0


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(4, 50), st.integers(1, 6)), elements=st.integers(0, 1)),
       st.integers(2, 5), st.integers(0, 2**16), st.booleans())
def test_swaps_keep_sizes_and_coverage_never_raise_ld_and_are_deterministic(y, k, seed, anywhere):
    n = y.shape[0]
    k = min(k, n)
    start = np.random.default_rng(seed).permutation(np.arange(n) % k)  # any start, exact k-fold sizes
    csr = sp.csr_matrix(y)
    part, again = start.copy(), start.copy()
    counts = improve_by_swaps(csr, part, k, anywhere=anywhere)
    improve_by_swaps(csr, again, k, anywhere=anywhere)
    np.testing.assert_array_equal(part, again)
    np.testing.assert_array_equal(counts, np.array([y[part == j].sum(axis=0) for j in range(k)]))
    np.testing.assert_array_equal(np.bincount(part, minlength=k), np.bincount(start, minlength=k))
    before, after = covered(y, start, k), covered(y, part, k)
    if anywhere:  # as many parts hold each label as before
        assert (after.sum(axis=0) >= before.sum(axis=0)).all()
    else:  # every part keeps every label it held
        assert (after >= before).all()
    assert quality(y, part).ld <= quality(y, start).ld + 1e-12


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(10, 80), st.integers(1, 8)), elements=st.integers(0, 1)),
       st.integers(2, 5), st.integers(0, 1000))
def test_every_row_is_in_exactly_one_test_fold(y, k, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        folds = list(mlbalance.MultilabelStratifiedKFold(k, shuffle=True, random_state=seed).split(None, y))
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(len(y)))
    for train, test in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    sizes = sorted(len(test) for _, test in folds)
    assert sizes == sorted(len(y) // k + (j < len(y) % k) for j in range(k))


def test_swaps_fix_a_bad_start_and_stop_at_a_local_optimum():
    y = np.repeat(np.eye(2, dtype=np.int8), 4, axis=0)  # label 0 on rows 0-3, label 1 on rows 4-7
    part = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    assert improve_by_swaps(sp.csr_matrix(y), part, 2).tolist() == [[2, 2], [2, 2]]  # each label split evenly
    assert quality(y, part).ld == 0.0
    again = part.copy()
    improve_by_swaps(sp.csr_matrix(y), again, 2)
    assert again.tolist() == part.tolist()
