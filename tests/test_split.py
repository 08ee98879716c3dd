"""Stratified splitting: invariants, guarantees, scikit-learn contract, parity with iterative-stratification."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RepeatedKFold,
    ShuffleSplit,
    cross_val_score,
    cross_validate,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier

import mlbalance
from mlbalance import (
    MultilabelStratifiedGroupKFold,
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
    RepeatedMultilabelStratifiedKFold,
)
from mlbalance._stratify import greedy_sequence, pair_matrix
from mlbalance.datasets import seed_scenario_labels

SEED_Y = seed_scenario_labels()


def random_labels(n, q, density, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(q) ** 3 * density * 5
    return (rng.random((n, q)) < p).astype(np.int8)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def assert_holds_or_warned(broken, caught):
    """A coverage rule may fail only where a 'coverage guarantee' warning names the label."""
    if broken:
        message = " ".join(str(w.message) for w in caught if "coverage guarantee" in str(w.message))
        named = {int(x) for x in message.split(":")[-1].strip(" .").split(", ")} if message else set()
        assert set(broken) <= named, (broken, message)


def folds_of(cv, y, X=None, groups=None):
    return quiet(lambda: list(cv.split(X, y, groups) if groups is not None else cv.split(X, y)))


# ================================================================ the engine
@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.int64, st.integers(1, 6), elements=st.integers(-5, 12)),
    st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75]), min_size=6, max_size=6),
    st.lists(st.integers(-3, 20), min_size=6, max_size=6),
    st.integers(0, 40),
)
def test_vectorised_greedy_equals_the_sample_by_sample_rule(whole, fractions, caps, m):
    wants = whole + np.array(fractions[:whole.size])
    size_wants = np.array(caps[:whole.size], dtype=float)
    expected, w, c = [], wants.copy(), size_wants.copy()
    for _ in range(m):  # Sechidis: most wanted part, ties by size want, then lowest index
        j = max(range(w.size), key=lambda i: (w[i], c[i], -i))
        expected.append(j)
        w[j] -= 1
        c[j] -= 1
    assert greedy_sequence(wants, size_wants, m, None).tolist() == expected


def test_pair_matrix_lists_every_label_pair_of_each_row():
    y = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]])
    pairs = pair_matrix(sp.csr_matrix(y)).toarray()
    expected_rows = [{(0, 0), (1, 1), (3, 3), (0, 1), (0, 3), (1, 3)}, set(), {(1, 1), (2, 2), (1, 2)}, {(0, 0)}]
    assert [int(r.sum()) for r in pairs] == [len(s) for s in expected_rows]
    assert pairs.shape[1] == len(set().union(*expected_rows))


# ================================================================ partitions and sizes
@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(6, 60), st.integers(1, 6)), elements=st.integers(0, 1)),
       st.integers(2, 5), st.integers(0, 2**16), st.sampled_from([1, 2]))
def test_kfold_is_a_partition_with_kfold_sizes(y, k, seed, order):
    y[:, 0] = 0  # a label with no positives and, usually, all-zero rows
    if k > len(y):
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        folds = list(MultilabelStratifiedKFold(k, shuffle=True, random_state=seed, order=order).split(None, y))
    tests = [test for _, test in folds]
    assert sorted(np.concatenate(tests).tolist()) == list(range(len(y)))
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0 and train.size + test.size == len(y)
    assert sorted(t.size for t in tests) == sorted(t.size for _, t in KFold(k).split(np.zeros(len(y))))
    counts = np.array([y[t].sum(axis=0) for t in tests])
    p = y.sum(axis=0)
    broken = np.flatnonzero((counts > 0).sum(axis=0) < np.minimum(p, k))  # min(p, k) distinct test folds
    assert_holds_or_warned(broken.tolist(), caught)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(10, 80), st.integers(1, 6)), elements=st.integers(0, 1)),
       st.sampled_from([0.1, 0.25, 0.5, 3]), st.sampled_from([None, 0.5, 5]), st.integers(0, 2**16))
def test_shuffle_split_sizes_match_sklearn_and_rare_labels_reach_both_sides(y, test_size, train_size, seed):
    try:
        expected = next(ShuffleSplit(1, test_size=test_size, train_size=train_size).split(np.zeros(len(y))))
    except ValueError:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        (train, test), = MultilabelStratifiedShuffleSplit(1, test_size=test_size, train_size=train_size,
                                                          random_state=seed).split(None, y)
    assert (train.size, test.size) == (expected[0].size, expected[1].size)  # sizes are exact, always
    assert np.intersect1d(train, test).size == 0
    p = y.sum(axis=0)
    both = (y[train].sum(axis=0) > 0) & (y[test].sum(axis=0) > 0)
    broken = set(np.flatnonzero((p >= 2) & ~both)) | set(np.flatnonzero((p == 1) & (y[train].sum(axis=0) != 1)))
    assert_holds_or_warned(broken, caught)  # only where the sizes make the rule impossible


def test_shuffle_split_defaults_and_train_size_as_sklearn():
    cv = MultilabelStratifiedShuffleSplit(random_state=0)
    splits = folds_of(cv, SEED_Y)
    assert len(splits) == 10 and all(t.size == 679 for _, t in splits)
    (train, test), = folds_of(MultilabelStratifiedShuffleSplit(1, train_size=0.5, random_state=0), SEED_Y)
    assert (train.size, test.size) == (3395, 3395)
    (train, test), = folds_of(MultilabelStratifiedShuffleSplit(1, train_size=0.5, test_size=0.2, random_state=0), SEED_Y)
    assert (train.size, test.size) == (3395, 1358)


def test_seed_scenario_guarantees_every_label_with_5_positives_in_every_fold():
    # Labels 2 and 10 (4 positives) miss a test fold but keep >= 3 positives in every training fold;
    # the 8 labels without positives are one-class in every training fold, and say so.
    with pytest.warns(UserWarning, match=r"10 label\(s\) have fewer than 5 positives.*: 1, 2, 3, 9, 10, 11, 13, 14, 18, 21"), \
            pytest.warns(UserWarning, match=r"8 label\(s\) have one class only in some training fold .*: 1: 5, 0; 3: 5, 0; "
                                            r"9: 5, 0; 11: 5, 0; 13: 5, 0; 14: 5, 0; 18: 5, 0; 21: 5, 0\. "):
        folds = list(MultilabelStratifiedKFold(5, shuffle=True, random_state=1).split(None, SEED_Y))
    counts = np.array([SEED_Y[test].sum(axis=0) for _, test in folds])
    p = SEED_Y.sum(axis=0)
    assert np.all(counts[:, p >= 5] > 0)
    assert np.all((counts > 0).sum(axis=0) == np.minimum(p, 5))
    # proportions: every label within one positive of its share in every fold
    assert np.all(np.abs(counts - p / 5) <= 1.0 + 1e-9)


def test_train_val_test_rule():
    y = random_labels(400, 12, 0.05, 3)
    y[:3, 10] = 1
    y[3:, 10] = 0  # exactly 3 positives
    y[:, 11] = 0
    y[:2, 11] = 1  # exactly 2 positives
    with pytest.warns(UserWarning, match="fewer than 3 positives"):
        y_train, y_val, y_test = mlbalance.train_val_test_split(y, y=y, val_size=0.1, test_size=0.1, random_state=0)
    assert (len(y_train), len(y_val), len(y_test)) == (320, 40, 40)
    p = y.sum(axis=0)
    parts = [part.sum(axis=0) for part in (y_train, y_val, y_test)]
    for j in range(y.shape[1]):
        if p[j] >= 3:
            assert all(part[j] > 0 for part in parts), j
        elif p[j] == 2:
            assert parts[0][j] > 0 and parts[2][j] > 0, j
        elif p[j] == 1:
            assert parts[0][j] == 1, j


def test_train_test_split_return_convention_and_types():
    y = random_labels(200, 5, 0.1, 0)
    X = np.arange(400).reshape(200, 2)
    df = pd.DataFrame(X, columns=["a", "b"])
    parts = quiet(mlbalance.multilabel_train_test_split, X, df, sp.csr_matrix(X), list(range(200)), y, y=y,
                  test_size=0.2, random_state=0)
    assert len(parts) == 10
    X_train, X_test, df_train, df_test, s_train, s_test, l_train, l_test, y_train, y_test = parts
    assert X_train.shape == (160, 2) and X_test.shape == (40, 2)
    np.testing.assert_array_equal(df_test.to_numpy(), X_test)
    np.testing.assert_array_equal(s_test.toarray(), X_test)
    assert l_test == X_test[:, 0].tolist()[:0] + [v // 2 for v in X_test[:, 0]]
    np.testing.assert_array_equal(y_test, y[X_test[:, 0] // 2])
    no_shuffle = quiet(mlbalance.multilabel_train_test_split, X, y=y, shuffle=False)
    again = quiet(mlbalance.multilabel_train_test_split, X, y=y, shuffle=False)
    np.testing.assert_array_equal(no_shuffle[1], again[1])
    with pytest.raises(ValueError, match="rows"):
        quiet(mlbalance.multilabel_train_test_split, X[:10], y=y)


# ================================================================ determinism and randomness
def test_random_state_semantics():
    y = random_labels(300, 8, 0.1, 1)

    def folds(**kwargs):
        return quiet(MultilabelStratifiedKFold(5, **kwargs).fold_assignment, None, y)

    a, b, c = folds(shuffle=True, random_state=0), folds(shuffle=True, random_state=0), folds(shuffle=True,
                                                                                               random_state=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # shuffle=False: deterministic, and a random_state is accepted (and unused).
    np.testing.assert_array_equal(folds(random_state=7), folds())
    # A RandomState instance advances between calls, as in scikit-learn.
    cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=np.random.RandomState(0))
    assert not np.array_equal(quiet(cv.fold_assignment, None, y), quiet(cv.fold_assignment, None, y))
    assert cv.random_state.__class__ is np.random.RandomState  # stored raw


def test_dense_sparse_dataframe_give_the_same_folds():
    y = random_labels(200, 6, 0.1, 2)
    cv = MultilabelStratifiedKFold(4, shuffle=True, random_state=3)
    ref = quiet(cv.fold_assignment, None, y)
    for form in (sp.csr_matrix(y), sp.csc_matrix(y), pd.DataFrame(y), y.astype(bool)):
        np.testing.assert_array_equal(quiet(cv.fold_assignment, None, form), ref)


# ================================================================ scikit-learn contract
def test_sklearn_integration():
    rng = np.random.default_rng(0)
    y = random_labels(240, 4, 0.15, 4)
    X = y + rng.normal(scale=0.5, size=y.shape)
    cv = MultilabelStratifiedKFold(3, shuffle=True, random_state=0)
    assert repr(cv) == "MultilabelStratifiedKFold(n_splits=3, order=1, random_state=0, shuffle=True)"
    scores = quiet(cross_val_score, KNeighborsClassifier(3), X, y, cv=cv)
    assert scores.shape == (3,) and np.all(scores > 0)
    result = quiet(cross_validate, KNeighborsClassifier(3), X, y, cv=MultilabelStratifiedShuffleSplit(2, random_state=0))
    assert len(result["test_score"]) == 2
    search = quiet(GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 3]}, cv=cv).fit, X, y)
    assert search.best_params_["n_neighbors"] in (1, 3)
    assert RepeatedMultilabelStratifiedKFold(3, n_repeats=2).get_n_splits() == 6
    groups = np.repeat(np.arange(60), 4)
    scores = quiet(cross_val_score, KNeighborsClassifier(3), X, y, groups=groups,
                   cv=MultilabelStratifiedGroupKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)


def test_repeated_kfold_repetitions_differ():
    y = random_labels(150, 5, 0.1, 5)
    folds = folds_of(RepeatedMultilabelStratifiedKFold(3, n_repeats=3, random_state=0), y)
    assert len(folds) == 9
    first, second = [np.sort(t) for _, t in folds[:3]], [np.sort(t) for _, t in folds[3:6]]
    assert any(not np.array_equal(a, b) for a, b in zip(first, second))
    again = folds_of(RepeatedMultilabelStratifiedKFold(3, n_repeats=3, random_state=0), y)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_group_kfold_keeps_groups_together_and_stratifies():
    rng = np.random.default_rng(0)
    y = random_labels(600, 6, 0.1, 6)
    groups = rng.integers(0, 150, size=600)
    folds = folds_of(MultilabelStratifiedGroupKFold(5, shuffle=True, random_state=0), y, groups=groups)
    seen = {}
    for j, (train, test) in enumerate(folds):
        assert np.intersect1d(train, test).size == 0
        for g in np.unique(groups[test]):
            assert seen.setdefault(g, j) == j  # a group is in one test fold only
        assert not set(groups[test]) & set(groups[train])
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(600))
    with pytest.raises(ValueError, match="groups"):
        list(MultilabelStratifiedGroupKFold(5).split(None, y))


# ================================================================ errors and warnings
def test_argument_errors():
    y = random_labels(50, 3, 0.2, 0)
    with pytest.raises(ValueError, match="n_splits"):
        list(MultilabelStratifiedKFold(1).split(None, y))
    with pytest.raises(ValueError, match="order"):
        list(MultilabelStratifiedKFold(3, order=3).split(None, y))
    with pytest.raises(ValueError, match="X has 10 rows but y has 50"):
        list(MultilabelStratifiedKFold(3).split(np.zeros(10), y))
    with pytest.raises(ValueError, match="test_size=1.5"):
        list(MultilabelStratifiedShuffleSplit(test_size=1.5).split(None, y))
    with pytest.raises(ValueError, match="exceeds"):
        list(MultilabelStratifiedShuffleSplit(test_size=30, train_size=30).split(None, y))
    with pytest.raises(ValueError, match="y=None"):
        list(MultilabelStratifiedKFold(3).split(np.zeros(50), None))
    with pytest.raises(ValueError, match=r"received 2"):
        list(MultilabelStratifiedKFold(3).split(None, y * 2))
    with pytest.raises(ValueError, match="Cannot split 2 samples"):
        list(MultilabelStratifiedKFold(3).split(None, y[:2]))


def test_two_way_warning_lists_single_positive_labels():
    y = random_labels(100, 4, 0.2, 0)
    y[:, 3] = 0
    y[5, 3] = 1
    with pytest.warns(UserWarning, match=r"fewer than 2 positives.*: 2, 3 \(positives: 0, 1\)"):
        mlbalance.multilabel_train_test_split(y, y=y, random_state=0)


# ================================================================ quality
def test_split_quality_measures_by_hand():
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    q = mlbalance.split_quality(y, np.array([0, 0, 1, 1]))
    # label 0: overall 2 pos / 2 neg = 1; part 0: 2/0 -> 2 (denominator 1), part 1: 0/2 = 0
    # label 1: overall 1/3; part 0: 0/2 = 0, part 1: 1/1 = 1
    expected = (abs(2 - 1) + abs(0 - 1) + abs(0 - 1 / 3) + abs(1 - 1 / 3)) / 4
    assert q.ld == pytest.approx(expected)
    assert q.fz == 2 and q.flz == 2 and q.ed == 0
    assert q.positives_per_part.tolist() == [[2, 0], [0, 1]]
    folds = [(np.array([2, 3]), np.array([0, 1])), (np.array([0, 1]), np.array([2, 3]))]
    assert mlbalance.split_quality(y, folds).to_dict()["FLZ"] == 2


@pytest.mark.parametrize("matrix", [0, 1, 2, 3])
def test_quality_at_least_as_good_as_iterative_stratification(matrix):
    iterstrat = pytest.importorskip("iterstrat.ml_stratifiers")
    y = [SEED_Y, random_labels(500, 10, 0.1, 10), random_labels(1000, 30, 0.05, 11),
         random_labels(2000, 50, 0.02, 12)][matrix]
    ours, theirs = [], []
    for seed in range(4):
        for cv, out in ((MultilabelStratifiedKFold(5, shuffle=True, random_state=seed), ours),
                        (iterstrat.MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=seed), theirs)):
            out.append(quiet(mlbalance.split_quality, y, folds_of(cv, y, X=np.zeros(len(y)))))
    assert np.mean([q.ld for q in ours]) <= np.mean([q.ld for q in theirs]) * 1.02
    assert np.mean([q.flz for q in ours]) <= np.mean([q.flz for q in theirs])


def test_order_2_improves_label_pair_distribution():
    y = random_labels(1000, 20, 0.08, 13)
    lpd = {}
    for order in (1, 2):
        qs = [quiet(mlbalance.split_quality, y,
                    folds_of(MultilabelStratifiedKFold(5, shuffle=True, random_state=s, order=order), y))
              for s in range(3)]
        lpd[order] = np.mean([q.lpd for q in qs])
    assert lpd[2] < lpd[1]


# ================================================================ scikit-learn's argument contract (issue #16)
_SIZE = st.one_of(st.none(), st.integers(-2, 14), st.floats(-0.25, 1.25, allow_nan=False),
                  st.sampled_from([0.0, 1.0, 0.5, 0.95, 0.05, True, "0.5", np.float32(0.3), np.int64(3), np.uint8(3),
                                   float("nan"), float("inf")]))


def sklearn_sizes(n, test_size, train_size, how):
    """(n_train, n_test) from scikit-learn's public splitters, or "raises"."""
    try:
        if how == "shuffle_split":
            train, test = next(ShuffleSplit(1, test_size=test_size, train_size=train_size).split(np.zeros(n)))
        else:
            train, test = train_test_split(np.arange(n), test_size=test_size, train_size=train_size, random_state=0)
    except (ValueError, TypeError):
        return "raises"
    return len(train), len(test)


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 12), _SIZE, _SIZE, st.sampled_from(["shuffle_split", "train_test_split"]))
def test_sizes_are_scikit_learns_or_both_raise(n, test_size, train_size, how):
    if how == "train_test_split" and np.float32 in (type(test_size), type(train_size)):
        how = "shuffle_split"  # train_test_split's parameter check refuses np.float32; ShuffleSplit (and mlbalance) accept it
    y = np.eye(2, dtype=int)[np.arange(n) % 2]
    expected = sklearn_sizes(n, test_size, train_size, how)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if how == "shuffle_split":
                (train, test), = MultilabelStratifiedShuffleSplit(
                    1, test_size=test_size, train_size=train_size, random_state=0).split(None, y)
            else:
                train, test = mlbalance.multilabel_train_test_split(np.arange(n), y=y, test_size=test_size,
                                                                    train_size=train_size, random_state=0)
        got = (len(train), len(test))
    except ValueError as err:
        assert "Traceback" not in str(err)
        got = "raises"
    assert got == expected


def test_float_sizes_summing_past_1_raise_as_in_scikit_learn():
    y = np.eye(2, dtype=int)[np.arange(10) % 2]
    with pytest.raises(ValueError, match="The sum of test_size and train_size"):
        train_test_split(np.arange(10), test_size=0.1, train_size=0.95)
    with pytest.raises(ValueError, match=r"test_size \+ train_size = 0.1 \+ 0.95 = 1.05 is more than 1"):
        mlbalance.multilabel_train_test_split(y, y=y, test_size=0.1, train_size=0.95)  # was (9, 1)
    with pytest.raises(ValueError, match=r"test_size \+ train_size = 0.1 \+ 0.95"):
        MultilabelStratifiedShuffleSplit(test_size=0.1, train_size=0.95)  # at construction
    with pytest.raises(ValueError, match=r"test_size \+ val_size = 0.5 \+ 0.6"):
        mlbalance.train_val_test_split(y, y=y, val_size=0.6, test_size=0.5)


@pytest.mark.parametrize("make, match", [
    (lambda: MultilabelStratifiedKFold(2.0), "Expected n_splits to be an integer >= 2. Received: n_splits=2.0"),
    (lambda: MultilabelStratifiedKFold(1), "n_splits=1"),
    (lambda: MultilabelStratifiedKFold(True), "n_splits=True"),
    (lambda: MultilabelStratifiedKFold(3, shuffle="yes"), "Expected shuffle to be True or False. Received: shuffle='yes'"),
    (lambda: MultilabelStratifiedKFold(3, shuffle=1), "shuffle=1"),
    (lambda: MultilabelStratifiedKFold(3, order=3), "order=3"),
    (lambda: MultilabelStratifiedKFold(3, order=True), "order=True"),
    (lambda: RepeatedMultilabelStratifiedKFold(n_repeats=0), "Expected n_repeats to be an integer >= 1"),
    (lambda: RepeatedMultilabelStratifiedKFold(n_repeats=2.5), "n_repeats=2.5"),
    (lambda: RepeatedMultilabelStratifiedKFold(n_splits=1), "n_splits=1"),
    (lambda: RepeatedMultilabelStratifiedKFold(order=0), "order=0"),
    (lambda: MultilabelStratifiedShuffleSplit(0), "Expected n_splits to be an integer >= 1"),
    (lambda: MultilabelStratifiedShuffleSplit(2.0), "n_splits=2.0"),
    (lambda: MultilabelStratifiedShuffleSplit(test_size="0.2"), "test_size='0.2'"),
    (lambda: MultilabelStratifiedShuffleSplit(train_size=-3), "train_size=-3"),
    (lambda: MultilabelStratifiedShuffleSplit(order="2"), "order='2'"),
    (lambda: MultilabelStratifiedGroupKFold(1), "n_splits=1"),
    (lambda: MultilabelStratifiedGroupKFold(3, shuffle=None), "shuffle=None"),
])
def test_constructors_check_their_arguments_as_scikit_learn_does(make, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        make()


def test_scikit_learn_refuses_the_same_constructor_arguments():
    # The reference: KFold and RepeatedKFold raise in __init__ (shuffle as TypeError; mlbalance
    # raises ValueError for every argument error).
    for kwargs in [{"n_splits": 2.0}, {"n_splits": 1}]:
        with pytest.raises(ValueError):
            KFold(**kwargs)
    with pytest.raises(TypeError):
        KFold(3, shuffle="yes")
    for n_repeats in (0, 2.5):
        with pytest.raises(ValueError):
            RepeatedKFold(n_repeats=n_repeats)


def test_random_state_without_shuffle_is_allowed_and_unused():
    y = random_labels(40, 3, 0.3, 1)
    a = quiet(MultilabelStratifiedKFold(4, random_state=0).fold_assignment, None, y)
    b = quiet(MultilabelStratifiedKFold(4, random_state=1).fold_assignment, None, y)
    assert a.tolist() == b.tolist() == quiet(MultilabelStratifiedKFold(4).fold_assignment, None, y).tolist()


def test_split_time_checks_still_catch_attributes_changed_after_construction():
    cv = MultilabelStratifiedKFold(3)
    cv.shuffle = "no"
    with pytest.raises(ValueError, match="shuffle='no'"):
        cv.fold_assignment(None, random_labels(30, 2, 0.3, 0))


@pytest.mark.parametrize("folds, match", [
    (np.array([0, 1, 0]), "folds has 3 part ids but y has 4 rows"),
    (np.array([0, -1, 0, 1]), "negative part id: row 1 has -1"),
    (np.array([0.0, 0.5, 0.0, 1.0]), "hold integers. Received: 0.5 at position 1"),
    (np.array([True, False, True, False]), "hold integers"),
    (np.array([0, 2, 0, 2]), "no row in part 1"),
    ([], "folds is empty"),
    ([(np.array([1, 2]), np.array([0, 9]))], "hold 9, outside the 4 rows"),
    ([(np.array([1, 2]), np.array([0, -1]))], "hold -1, outside the 4 rows"),
    ([(np.array([1, 2]), np.array([0.5]))], "test indices of pair 0 to hold integers"),
    ([(np.array([1, 2, 3]), np.array([], dtype=int))], "test set of pair 0 is empty"),
    ([(np.array([1, 2]), np.array([0, 0]))], "holds row 0 more than once"),
    ([(np.array([0, 2]), np.array([0, 1]))], "Row 0 is in both the train and the test set of pair 0"),
    ([(np.array([2, 3]), np.array([0, 1])), (np.array([3]), np.array([1, 2]))],
     "Row 1 is in the test sets of pairs 0 and 1"),
    ([np.array([0, 1])], "Expected folds to be \\(train, test\\) index pairs; item 0"),
])
def test_split_quality_refuses_bad_folds_with_a_clear_error(folds, match):
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match=match):
        mlbalance.split_quality(y, folds)


def test_split_quality_accepts_part_ids_as_a_list_and_checks_target_sizes():
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    assert str(mlbalance.split_quality(y, [0, 1, 0, 1])) == str(mlbalance.split_quality(y, np.array([0, 1, 0, 1])))
    assert mlbalance.split_quality(y, [0, 1, 0, 1], target_sizes=[3, 1]).ed == 1.0
    with pytest.raises(ValueError, match="target_sizes to be 2 finite numbers"):
        mlbalance.split_quality(y, [0, 1, 0, 1], target_sizes=[1, 1, 2])
    assert json.loads(json.dumps(mlbalance.split_quality(y, [0, 1, 0, 1]).to_dict(), allow_nan=False))["FZ"] == 0


# ================================================================ scikit-learn protocol without its base class (#17)
def test_splitters_are_scikit_learn_splitters_without_its_private_base_class():
    import sklearn.model_selection

    assert not any(isinstance(cv, sklearn.model_selection.BaseCrossValidator) for cv in (
        MultilabelStratifiedKFold(), MultilabelStratifiedShuffleSplit(), MultilabelStratifiedGroupKFold(),
        RepeatedMultilabelStratifiedKFold()))
    # scikit-learn's repr, wrapped as scikit-learn wraps it (expected strings printed by scikit-learn 1.9's
    # own repr of these objects while they subclassed BaseCrossValidator).
    assert repr(MultilabelStratifiedShuffleSplit()) == (
        "MultilabelStratifiedShuffleSplit(n_splits=10, order=1, random_state=None,\n"
        "                 test_size=None, train_size=None)")
    assert repr(RepeatedMultilabelStratifiedKFold(n_splits=3, n_repeats=2, random_state=1)) == (
        "RepeatedMultilabelStratifiedKFold(n_repeats=2, n_splits=3, order=1,\n"
        "                 random_state=1)")
    assert repr(MultilabelStratifiedGroupKFold(4)) == (
        "MultilabelStratifiedGroupKFold(n_splits=4, random_state=None, shuffle=False)")
    assert repr(MultilabelStratifiedShuffleSplit(3, test_size=0.25, train_size=0.5)).endswith(
        "test_size=0.25, train_size=0.5)")
    y = random_labels(60, 3, 0.2, 0)
    assert sklearn.model_selection.check_cv(MultilabelStratifiedKFold(3), y) is not None


def test_random_state_errors_name_the_argument():
    y = random_labels(30, 3, 0.3, 0)
    with pytest.raises(ValueError, match=r"Expected random_state to be None, an integer in \[0, 2\*\*32 - 1\] or a "
                                         r"numpy.random.RandomState. Received: random_state='seed'"):
        list(MultilabelStratifiedKFold(3, shuffle=True, random_state="seed").split(None, y))
    with pytest.raises(ValueError, match="random_state=-1"):
        mlbalance.train_val_test_split(y, y=y, random_state=-1)
    with pytest.raises(ValueError, match="random_state=True"):  # a bool is not a seed (was RandomState(1))
        mlbalance.multilabel_train_test_split(y, y=y, random_state=True)
    assert MultilabelStratifiedKFold(3, order=np.int64(2)).order == 2  # NumPy integers are integers


# ================================================================ progress through a public argument (#17)
@pytest.mark.parametrize("run", [
    lambda y, progress: MultilabelStratifiedKFold(3).fold_assignment(None, y, progress=progress),
    lambda y, progress: mlbalance.multilabel_train_test_split(y, y=y, random_state=0, progress=progress),
    lambda y, progress: mlbalance.train_val_test_split(y, y=y, random_state=0, progress=progress),
], ids=["kfold", "train_test", "train_val_test"])
def test_progress_is_called_with_rows_done_and_total(run):
    y = random_labels(200, 6, 0.1, 0)
    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        run(y, lambda done, total: calls.append((done, total)))
    assert calls and all(total == 200 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and 0 < done[-1] <= 200
    with pytest.raises(ValueError, match="Expected progress to be None or a callable"):
        run(y, "bar")


def test_split_quality_text_is_a_table_of_the_rarest_labels():
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
    quality = mlbalance.split_quality(y, np.array([0, 1, 0, 1, 0, 1]))
    lines = quality.to_text(["train", "test"]).splitlines()
    assert lines[0] == f"quality: {quality}" and lines[2].split() == ["label", "train", "test"]
    assert [line.split() for line in lines[3:]] == [["0", "2", "1"], ["1", "1", "2"]]
    assert quality.to_text(max_labels=1).splitlines()[2].split() == ["label", "part0", "part1"]
    with pytest.raises(ValueError, match="part_names to hold 2 names"):
        quality.to_text(["train"])
