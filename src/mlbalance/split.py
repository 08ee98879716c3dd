"""Multi-label stratified splitting, scikit-learn compatible.

Iterative stratification (Sechidis et al., 2011), optionally on label pairs
(``order=2``, Szymanski & Kajdanowicz, 2017), vectorised so it scales to millions of
rows and thousands of labels, on dense or scipy.sparse labels.

Guarantees (checked by the tests, and a ``UserWarning`` lists any label for which the
data make them impossible):

* **k-fold**: folds have scikit-learn's ``KFold`` sizes (``n // k`` or ``n // k + 1``);
  a label with ``p`` positives has positives in ``min(p, n_splits)`` different test
  folds, so every label with at least ``n_splits`` positives is in every test fold.
* **two-way splits** (shuffle-split, train/test): sizes exactly as scikit-learn's
  ``ShuffleSplit``; a label with at least 2 positives has a positive on each side; a
  label with 1 positive goes to train.
* **train/validation/test**: a label with at least 3 positives is in all three parts;
  with 2, in train and test; with 1, in train.
* **groups**: samples of one group stay together; groups are stratified by their label
  counts. Sizes and coverage follow the groups, so only the warning is guaranteed.

Labels with fewer positives than the split needs (fewer than ``n_splits`` for k-fold,
fewer than 2 for a two-way split, fewer than 3 for three parts) trigger a ``UserWarning``
that lists them.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _stratify
from ._sparse import issparse, scipy_sparse
from ._tables import number, table
from ._validation import check_bool, check_int, check_random_state
from .labels import LabelMatrix, as_csr_label_matrix, describe_labels

if TYPE_CHECKING:
    import scipy.sparse as sp

#: ``progress(done_rows, total_rows)``, called as the stratification advances (e.g. to draw a bar).
Progress = Callable[[int, int], None]

__all__ = [
    "MultilabelStratifiedGroupKFold",
    "MultilabelStratifiedKFold",
    "MultilabelStratifiedShuffleSplit",
    "RepeatedMultilabelStratifiedKFold",
    "SplitQuality",
    "multilabel_train_test_split",
    "split_quality",
    "train_val_test_split",
]


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------
def _check_order(order: Any) -> int:
    """1 (labels) or 2 (label pairs)."""
    return check_int("order", order, low=1, high=2)


def _check_progress(progress: Any) -> Progress | None:
    if progress is not None and not callable(progress):
        raise ValueError("Expected progress to be None or a callable progress(done_rows, total_rows). "
                         f"Received: progress={progress!r}")
    return progress


def _rng(random_state: Any, use: bool = True) -> np.random.RandomState | None:
    return check_random_state("random_state", random_state) if use else None


class _Splitter:
    """scikit-learn's splitter protocol, implemented here rather than by subclassing its private base.

    scikit-learn accepts any object with ``split`` and ``get_n_splits`` as ``cv=`` (its
    ``check_cv`` is duck-typed), so the splitters work in ``cross_val_score``,
    ``cross_validate`` and ``GridSearchCV`` without importing scikit-learn. ``repr`` is
    scikit-learn's: the constructor's parameters in name order, wrapped as it wraps them.
    """

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        name = type(self).__name__
        code = type(self).__init__.__code__  # the parameters by name, without importing inspect
        params = sorted(code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount])
        pieces, length = [], len(name)
        separator = ",\n" + (1 + len(name) // 2) * " "
        for i, key in enumerate(params):
            value = getattr(self, key, None)
            text = f"{key}={value}" if isinstance(value, float) else f"{key}={value!r}"
            if len(text) > 500:
                text = text[:300] + "..." + text[-100:]
            if i > 0:
                if length + len(text) >= 75 or "\n" in text:
                    pieces.append(separator)
                    length = len(separator)
                else:
                    pieces.append(", ")
                    length += 2
            pieces.append(text)
            length += len(text)
        body = "\n".join(line.rstrip(" ") for line in "".join(pieces).split("\n"))
        return f"{name}({body})"


def _labels(y: Any, n_samples: int | None = None) -> tuple[sp.csr_matrix, LabelMatrix]:
    if y is None:
        raise ValueError("A multi-label y is required: split(X, y). Received: y=None.")
    m = as_csr_label_matrix(y)
    if n_samples is not None and m.n_samples != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {m.n_samples}; they must match.")
    return m.values, m


def _n_rows(X: Any) -> int | None:
    if X is None:
        return None
    if hasattr(X, "shape") and len(X.shape) > 0:
        return int(X.shape[0])
    return len(X)


def _warn_rare(m, positives, needed, what, stacklevel=4):
    rare = np.flatnonzero(positives < needed)
    if rare.size:
        detail = describe_labels(rare, m.label_names)
        counts = ", ".join(str(int(positives[j])) for j in rare[:20])
        warnings.warn(
            f"{rare.size} label(s) have fewer than {needed} positives, so {what}: {detail} "
            f"(positives: {counts}{', ...' if rare.size > 20 else ''}).",
            UserWarning,
            stacklevel=stacklevel,
        )


def warn_one_class_training(m: LabelMatrix, train_positives: np.ndarray, train_sizes: np.ndarray,
                            stacklevel: int = 4) -> None:
    """Warn about labels that have one class only (no positive, or no negative) in some training fold.

    ``train_positives`` is ``(n_folds, n_labels)``: each training fold's positives per label;
    ``train_sizes`` the rows of each training fold. The test-fold warning (fewer positives
    than folds) does not cover this: with ``p >= 2`` positives every training fold keeps one.

    Examples
    --------
    >>> import numpy as np, warnings, mlbalance
    >>> from mlbalance.split import warn_one_class_training
    >>> m = mlbalance.as_label_matrix([[1, 1], [0, 1], [0, 1]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_one_class_training(m, np.array([[1, 2], [0, 1]]), np.array([2, 1]))
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    2 label(s) have one class only in some training fold (label: training folds with no positive, with no negative): 0: 1, 0; 1: 0, 2. A classifier fitted on that training fold sees one class only: LogisticRegression raises, GridSearchCV gives nan ...
    """
    train_positives = np.asarray(train_positives)
    no_pos = (train_positives == 0).sum(axis=0)
    no_neg = (train_positives == np.asarray(train_sizes)[:, None]).sum(axis=0)
    bad = np.flatnonzero((no_pos > 0) | (no_neg > 0))
    if bad.size:
        detail = "; ".join(f"{describe_labels([j], m.label_names)}: {int(no_pos[j])}, {int(no_neg[j])}"
                           for j in bad[:20])
        warnings.warn(
            f"{bad.size} label(s) have one class only in some training fold (label: training folds with no "
            f"positive, with no negative): {detail}{'; ...' if bad.size > 20 else ''}. A classifier fitted on "
            "that training fold sees one class only: LogisticRegression raises, GridSearchCV gives nan for that "
            "fold's score. Use fewer folds, drop or merge these labels, or use an estimator that accepts a "
            "constant label.",
            UserWarning,
            stacklevel=stacklevel,
        )


def _warn_unsatisfied(m, unsatisfied, stacklevel=4):
    if unsatisfied:
        warnings.warn(
            f"Could not reach the coverage guarantee for {len(unsatisfied)} label(s) (their positives "
            f"share rows with other rare labels, or the parts are too small to hold them all): "
            f"{describe_labels(sorted(unsatisfied), m.label_names)}.",
            UserWarning,
            stacklevel=stacklevel,
        )


def _kfold_sizes(n, k):
    return np.array([n // k + (1 if j < n % k else 0) for j in range(k)])


def _size_kind(name, value):
    """How scikit-learn reads a size: "i" (a count), "f" (a fraction) or None; check what needs no n."""
    if value is None:
        return None
    kind = np.asarray(value).dtype.kind if np.ndim(value) == 0 else "other"
    if kind not in ("i", "f"):
        raise ValueError(f"Expected {name} to be a float in (0, 1), an int >= 1 or None. Received: {name}={value!r}")
    if (kind == "f" and not 0 < value < 1) or (kind == "i" and value <= 0):
        raise ValueError(f"Expected {name} to be a float in (0, 1) (a fraction of the rows) or an int >= 1 "
                         f"(a number of rows). Received: {name}={value!r}")
    return kind


def _check_sizes(test_size, train_size, names=("test_size", "train_size")):
    """The checks of scikit-learn's ShuffleSplit that do not depend on the number of rows."""
    test_kind, train_kind = _size_kind(names[0], test_size), _size_kind(names[1], train_size)
    if test_kind == "f" and train_kind == "f" and train_size + test_size > 1:
        raise ValueError(f"{names[0]} + {names[1]} = {test_size!r} + {train_size!r} = {test_size + train_size:g} "
                         f"is more than 1 (all the rows). Reduce {names[0]} and/or {names[1]}.")
    return test_kind, train_kind


def _split_sizes(n, test_size, train_size, default_test, names=("test_size", "train_size")):
    """Train and test sizes exactly as scikit-learn's ShuffleSplit / train_test_split compute them.

    Same results and the same cases refused (tested against scikit-learn over many sizes):
    a float is a fraction in (0, 1) (test rounds up, train down), an int a number of rows in
    [1, n - 1]; two floats may not sum to more than 1; the two sides may not exceed ``n``
    rows; the train side may not be empty.
    """
    if test_size is None and train_size is None:
        test_size = default_test
    test_kind, train_kind = _check_sizes(test_size, train_size, names)
    for name, value, kind in ((names[0], test_size, test_kind), (names[1], train_size, train_kind)):
        if kind == "i" and value >= n:
            raise ValueError(f"{name}={value!r} rows, but there are only {n} samples: give at most {n - 1} rows, "
                             f"or a fraction in (0, 1).")
    n_test = None if test_size is None else (int(test_size) if test_kind == "i" else math.ceil(test_size * n))
    n_train = None if train_size is None else (int(train_size) if train_kind == "i" else math.floor(train_size * n))
    if n_train is None:
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(f"{names[1]} + {names[0]} = {n_train} + {n_test} rows exceeds the {n} samples. "
                         f"Reduce {names[0]} and/or {names[1]}.")
    if n_train == 0:
        raise ValueError(f"With n_samples={n}, {names[0]}={test_size!r} and {names[1]}={train_size!r}, the "
                         f"{names[1].replace('_size', '')} side would be empty; adjust the sizes.")
    return n_train, n_test


def _run(y_csr, sizes, rng, order, priority, progress=None):
    sizes = np.asarray(sizes)
    ratios = sizes / sizes.sum()
    return _stratify.stratify(y_csr, ratios, rng=rng, order=order, priority=priority, targets=sizes,
                              progress=progress)


# --------------------------------------------------------------------------------------
# K-fold
# --------------------------------------------------------------------------------------
class MultilabelStratifiedKFold(_Splitter):
    """Stratified k-fold for multi-label targets (iterative stratification).

    Parameters
    ----------
    n_splits : int >= 2, default 5
    shuffle : bool, default False
        Randomise the order in which samples and tied labels are taken. Without it the
        folds are deterministic and ``random_state`` is not used (not an error, unlike
        scikit-learn's ``KFold``, so one configuration can switch shuffling on and off).

    ``n_splits``, ``shuffle`` and ``order`` are checked here, as scikit-learn's ``KFold``
    checks its arguments at construction.
    random_state : int, RandomState or None
        Stored as given and resolved at each ``split`` call (same int, same folds).
    order : {1, 2}, default 1
        2 also stratifies label pairs (Szymanski & Kajdanowicz, 2017).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance import MultilabelStratifiedKFold
    >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
    >>> cv = MultilabelStratifiedKFold(n_splits=2, shuffle=True, random_state=0)
    >>> cv
    MultilabelStratifiedKFold(n_splits=2, order=1, random_state=0, shuffle=True)
    >>> [len(test) for _, test in cv.split(np.zeros(6), y)]
    [3, 3]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None, order: int = 1) -> None:
        check_int("n_splits", n_splits, low=2)
        check_bool("shuffle", shuffle)
        _check_order(order)
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state
        self.order = order

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of folds (``n_splits``)."""
        return check_int("n_splits", self.n_splits, low=2)

    def fold_assignment(self, X: Any, y: Any, progress: Progress | None = None) -> np.ndarray:
        """The test fold of every row, as one array (what ``split`` iterates over).

        ``progress``, if given, is called as ``progress(done_rows, total_rows)`` while the
        rows are assigned (the command line draws a progress bar with it).

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance import MultilabelStratifiedKFold
        >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
        >>> MultilabelStratifiedKFold(n_splits=2).fold_assignment(None, y).tolist()
        [0, 1, 0, 1]
        """
        k = self.get_n_splits()
        check_bool("shuffle", self.shuffle)
        _check_order(self.order)
        progress = _check_progress(progress)
        rng = _rng(self.random_state, self.shuffle)
        y_csr, m = _labels(y, _n_rows(X))
        if m.n_samples < k:
            raise ValueError(f"Cannot split {m.n_samples} samples into n_splits={k} folds.")
        positives = m.counts().positives
        _warn_rare(m, positives, k, f"some of the {k} test folds have no positive of them", stacklevel=5)
        part, unsatisfied = _run(y_csr, _kfold_sizes(m.n_samples, k), rng, self.order, priority=None,
                                 progress=progress)
        _warn_unsatisfied(m, unsatisfied, stacklevel=5)
        train_positives = positives - _stratify.part_label_counts(y_csr, part, k)
        warn_one_class_training(m, train_positives, m.n_samples - np.bincount(part, minlength=k), stacklevel=5)
        return part

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_index, test_index)`` for each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or None
        y : multi-label target (dense, sparse, DataFrame or label lists)
        groups : ignored

        Examples
        --------
        >>> import numpy as np
        >>> from mlbalance import MultilabelStratifiedKFold
        >>> y = np.eye(3, dtype=int).repeat(2, axis=0)
        >>> [test.tolist() for _, test in MultilabelStratifiedKFold(n_splits=2).split(None, y)]
        [[0, 2, 4], [1, 3, 5]]
        """
        part = self.fold_assignment(X, y)
        indices = np.arange(part.size)
        for j in range(self.get_n_splits()):
            yield indices[part != j], indices[part == j]


class RepeatedMultilabelStratifiedKFold(_Splitter):
    """Repeats :class:`MultilabelStratifiedKFold` ``n_repeats`` times with different randomisation.

    Parameters
    ----------
    n_splits : int >= 2, default 5
    n_repeats : int >= 1, default 10
    random_state : int, RandomState or None
    order : {1, 2}, default 1

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance import RepeatedMultilabelStratifiedKFold
    >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]] * 3)
    >>> cv = RepeatedMultilabelStratifiedKFold(n_splits=3, n_repeats=2, random_state=0)
    >>> cv.get_n_splits(), len(list(cv.split(None, y)))
    (6, 6)
    """

    def __init__(self, n_splits: int = 5, n_repeats: int = 10, random_state: Any = None, order: int = 1) -> None:
        check_int("n_splits", n_splits, low=2)
        check_int("n_repeats", n_repeats, low=1)
        _check_order(order)
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.random_state = random_state
        self.order = order

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """``n_splits * n_repeats``."""
        return check_int("n_splits", self.n_splits, low=2) * check_int("n_repeats", self.n_repeats, low=1)

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_index, test_index)``, ``n_splits`` folds per repetition."""
        rng = _rng(self.random_state)
        for _ in range(check_int("n_repeats", self.n_repeats, low=1)):
            cv = MultilabelStratifiedKFold(self.n_splits, shuffle=True, random_state=rng, order=self.order)
            yield from cv.split(X, y)


# --------------------------------------------------------------------------------------
# Shuffle-split and the train/test functions
# --------------------------------------------------------------------------------------
def _two_way_parts(y_csr, m, n_train, n_test, rng, order, stacklevel, progress=None):
    """Part per row: 0 train, 1 test, 2 unused (when train + test < n)."""
    n_rest = m.n_samples - n_train - n_test
    sizes = [n_train, n_test] + ([n_rest] if n_rest else [])
    _warn_rare(m, m.counts().positives, 2, "they cannot be on both sides of the split", stacklevel=stacklevel)
    part, unsatisfied = _run(y_csr, sizes, rng, order, priority=[0, 1], progress=progress)
    _warn_unsatisfied(m, unsatisfied, stacklevel=stacklevel)
    return part


class MultilabelStratifiedShuffleSplit(_Splitter):
    """Random stratified train/test splits for multi-label targets.

    ``test_size`` and ``train_size`` behave exactly as in scikit-learn's
    ``ShuffleSplit`` (default ``test_size=0.1``; a float is a fraction, an int a count;
    ``train_size`` alone sets the test side to the rest; both may leave rows unused).

    Parameters
    ----------
    n_splits : int >= 1, default 10
    test_size, train_size : float, int or None
    random_state : int, RandomState or None
    order : {1, 2}, default 1

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance import MultilabelStratifiedShuffleSplit
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 5)
    >>> cv = MultilabelStratifiedShuffleSplit(n_splits=2, test_size=0.25, random_state=0)
    >>> [(len(train), len(test)) for train, test in cv.split(None, y)]
    [(15, 5), (15, 5)]
    """

    def __init__(self, n_splits: int = 10, *, test_size: float | int | None = None,
                 train_size: float | int | None = None, random_state: Any = None, order: int = 1) -> None:
        check_int("n_splits", n_splits, low=1)
        _check_sizes(test_size, train_size)
        _check_order(order)
        self.n_splits = n_splits
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state
        self.order = order

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of re-shuffled splits (``n_splits``)."""
        return check_int("n_splits", self.n_splits, low=1)

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_index, test_index)`` for each split."""
        n_splits = self.get_n_splits()
        _check_order(self.order)
        y_csr, m = _labels(y, _n_rows(X))
        n_train, n_test = _split_sizes(m.n_samples, self.test_size, self.train_size, default_test=0.1)
        rng = _rng(self.random_state)
        indices = np.arange(m.n_samples)
        for _ in range(n_splits):
            part = _two_way_parts(y_csr, m, n_train, n_test, rng, self.order, stacklevel=5)
            yield indices[part == 0], indices[part == 1]


def take_rows(array: Any, index: np.ndarray) -> Any:
    """``array``'s rows at ``index``, keeping its type (DataFrame, sparse, ndarray or list).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.split import take_rows
    >>> take_rows(["a", "b", "c"], np.array([2, 0])), take_rows(np.arange(3), np.array([1])).tolist()
    (['c', 'a'], [1])
    """
    if hasattr(array, "iloc"):
        return array.iloc[index]
    if issparse(array):
        return array.tocsr()[index]
    if isinstance(array, np.ndarray) or hasattr(array, "__array__") and hasattr(array, "shape"):
        return array[index]
    return [array[i] for i in index]


def _index_arrays(arrays, n, parts):
    for array in arrays:
        if _n_rows(array) != n:
            raise ValueError(f"Every array must have {n} rows, like y; one has {_n_rows(array)}.")
    return [take_rows(array, index) for array in arrays for index in parts]


def multilabel_train_test_split(*arrays: Any, y: Any, test_size: float | int | None = None,
                                train_size: float | int | None = None, random_state: Any = None, shuffle: bool = True,
                                order: int = 1, progress: Progress | None = None) -> list:
    """Split arrays into stratified train and test parts (scikit-learn's return convention).

    Parameters
    ----------
    *arrays : sequences of equal length
        Each is split (NumPy arrays, scipy.sparse matrices, DataFrames, lists). Pass
        ``y`` here too to get it split.
    y : multi-label target used for stratification.
    test_size, train_size : float, int or None
        As scikit-learn's ``train_test_split`` (default ``test_size=0.25``).
    random_state : int, RandomState or None
    shuffle : bool, default True
        Without shuffling the split is deterministic (still stratified).
    order : {1, 2}, default 1
    progress : callable, optional
        Called as ``progress(done_rows, total_rows)`` while the rows are assigned.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> X = np.arange(20).reshape(10, 2)
    >>> y = np.array([[1, 0], [0, 1]] * 5)
    >>> X_train, X_test, y_train, y_test = mlbalance.multilabel_train_test_split(
    ...     X, y, y=y, test_size=0.2, random_state=0)
    >>> X_train.shape, y_test.sum(axis=0).tolist()
    ((8, 2), [1, 1])
    """
    _check_order(order)
    check_bool("shuffle", shuffle)
    _check_sizes(test_size, train_size)
    progress = _check_progress(progress)
    rng = _rng(random_state, shuffle)
    y_csr, m = _labels(y)
    n_train, n_test = _split_sizes(m.n_samples, test_size, train_size, default_test=0.25)
    part = _two_way_parts(y_csr, m, n_train, n_test, rng, order, stacklevel=4, progress=progress)
    indices = np.arange(m.n_samples)
    return _index_arrays(arrays, m.n_samples, [indices[part == 0], indices[part == 1]])


def train_val_test_split(*arrays: Any, y: Any, val_size: float | int = 0.1, test_size: float | int = 0.1,
                         random_state: Any = None, order: int = 1, progress: Progress | None = None) -> list:
    """Split arrays into stratified train, validation and test parts in one pass.

    Rule for rare labels: a label with at least 3 positives has positives in all three
    parts; with 2, in train and test; with 1, in train (a ``UserWarning`` lists labels
    with fewer than 3).

    Parameters
    ----------
    *arrays : sequences of equal length (pass ``y`` too to get it split)
    y : multi-label target used for stratification
    val_size, test_size : float in (0, 1) or int
        Validation size rounds down (as a train size does), test size rounds up.
    random_state : int, RandomState or None
    order : {1, 2}, default 1
    progress : callable, optional
        Called as ``progress(done_rows, total_rows)`` while the rows are assigned.

    Returns
    -------
    list
        ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]``.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 5)
    >>> y_train, y_val, y_test = mlbalance.train_val_test_split(y, y=y, val_size=0.2, test_size=0.2,
    ...                                                          random_state=0)
    >>> len(y_train), len(y_val), len(y_test)
    (12, 4, 4)
    """
    _check_order(order)
    names = ("test_size", "val_size")
    if val_size is None or test_size is None:
        raise ValueError(f"Expected val_size and test_size to be sizes, not None. Received: val_size={val_size!r}, "
                         f"test_size={test_size!r}")
    _check_sizes(test_size, val_size, names)
    progress = _check_progress(progress)
    rng = _rng(random_state)
    y_csr, m = _labels(y)
    n = m.n_samples
    n_val, n_test = _split_sizes(n, test_size, val_size, default_test=0.1, names=names)
    n_train = n - n_val - n_test
    if n_train <= 0:
        raise ValueError(f"val_size={val_size} and test_size={test_size} leave no training rows out of {n}.")
    _warn_rare(m, m.counts().positives, 3, "they cannot be in train, validation and test", stacklevel=3)
    part, unsatisfied = _run(y_csr, [n_train, n_val, n_test], rng, order, priority=[0, 2, 1], progress=progress)
    _warn_unsatisfied(m, unsatisfied, stacklevel=3)
    indices = np.arange(n)
    return _index_arrays(arrays, n, [indices[part == j] for j in range(3)])


# --------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------
class MultilabelStratifiedGroupKFold(_Splitter):
    """Stratified k-fold over groups: rows of one group stay in one fold.

    Groups are stratified by their label counts (a group with a label in 5 rows counts 5)
    and their sizes, with the iterative rule applied group by group.

    Parameters
    ----------
    n_splits : int >= 2, default 5
    shuffle : bool, default False
    random_state : int, RandomState or None

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance import MultilabelStratifiedGroupKFold
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 0]])
    >>> groups = [0, 0, 1, 1, 2, 3]
    >>> for train, test in MultilabelStratifiedGroupKFold(n_splits=2).split(None, y, groups):
    ...     print(test.tolist())
    [0, 1, 2, 3]
    [4, 5]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None) -> None:
        check_int("n_splits", n_splits, low=2)
        check_bool("shuffle", shuffle)
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of folds (``n_splits``)."""
        return check_int("n_splits", self.n_splits, low=2)

    def split(self, X: Any, y: Any, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_index, test_index)``; ``groups`` (one label per row) is required."""
        k = self.get_n_splits()
        check_bool("shuffle", self.shuffle)
        y_csr, m = _labels(y, _n_rows(X))
        if groups is None:
            raise ValueError("MultilabelStratifiedGroupKFold needs groups=... (one group id per row).")
        groups = np.asarray(groups)
        if groups.shape != (m.n_samples,):
            raise ValueError(f"groups must have one entry per row ({m.n_samples}); received shape {groups.shape}.")
        unique, group_of_row = np.unique(groups, return_inverse=True)
        if unique.size < k:
            raise ValueError(f"Cannot split {unique.size} groups into n_splits={k} folds.")
        membership = scipy_sparse().csr_matrix((np.ones(m.n_samples), (group_of_row, np.arange(m.n_samples))),
                                               shape=(unique.size, m.n_samples))
        counts = membership @ y_csr.astype(np.float64)
        sizes = np.bincount(group_of_row).astype(np.float64)
        rng = _rng(self.random_state, self.shuffle)
        group_part = _stratify.greedy_group_parts(counts, sizes, np.full(k, 1.0 / k), rng)
        part = group_part[group_of_row]
        per_fold = _stratify.part_label_counts(y_csr, part, k)
        missing = np.flatnonzero(((per_fold > 0).sum(axis=0) < np.minimum(m.counts().positives, k)))
        if missing.size:
            warnings.warn(
                f"{missing.size} label(s) are missing from some test folds because their positives sit in "
                f"too few groups: {describe_labels(missing, m.label_names)}.",
                UserWarning,
                stacklevel=2,
            )
        warn_one_class_training(m, m.counts().positives - per_fold, m.n_samples - np.bincount(part, minlength=k),
                                stacklevel=2)
        indices = np.arange(m.n_samples)
        for j in range(k):
            yield indices[part != j], indices[part == j]


# --------------------------------------------------------------------------------------
# Quality measures (Sechidis et al., 2011)
# --------------------------------------------------------------------------------------
class SplitQuality:
    """Quality of a split: LD, LPD, ED, FZ, FLZ, and positives per label in each part.

    Build it with :func:`split_quality`. Lower LD / LPD / ED are better; FZ counts parts
    with at least one label absent, FLZ the (part, label) pairs with no positive
    (labels with no positive at all are not counted).

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> q = mlbalance.split_quality(np.array([[1, 0], [1, 1], [0, 1], [0, 0]]), np.array([0, 1, 0, 1]))
    >>> q.ld, q.fz, q.flz, q.positives_per_part.tolist()
    (0.0, 0, 0, [[1, 1], [1, 1]])
    """

    def __init__(self, ld: float, lpd: float, ed: float, fz: int, flz: int, positives_per_part: np.ndarray,
                 part_sizes: np.ndarray, label_names: tuple[str, ...]) -> None:
        self.ld, self.lpd, self.ed, self.fz, self.flz = ld, lpd, ed, fz, flz
        self.positives_per_part = positives_per_part
        self.part_sizes = part_sizes
        self.label_names = label_names

    def to_dict(self) -> dict[str, Any]:
        """Every figure as plain Python types.

        Examples
        --------
        >>> import numpy as np, mlbalance
        >>> mlbalance.split_quality(np.eye(2, dtype=int).repeat(2, 0), np.array([0, 1, 0, 1])).to_dict()["FLZ"]
        0
        """
        return {
            "LD": self.ld, "LPD": self.lpd, "ED": self.ed, "FZ": self.fz, "FLZ": self.flz,
            "part_sizes": self.part_sizes.tolist(),
            "labels": [{"name": name, "positives_per_part": self.positives_per_part[:, j].tolist()}
                       for j, name in enumerate(self.label_names)],
        }

    def to_text(self, part_names: Sequence[str] | None = None, max_labels: int = 10) -> str:
        """The one-line summary, then positives per part of the ``max_labels`` rarest labels (a table).

        Parameters
        ----------
        part_names : sequence of str, optional
            One name per part (default ``part0``, ``part1``, ...).
        max_labels : int, default 10
            How many labels to list, rarest first (labels with no positive are left out).

        Examples
        --------
        >>> import numpy as np, mlbalance
        >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
        >>> print(mlbalance.split_quality(y, np.array([0, 1, 0, 1, 0, 1])).to_text(["train", "test"]))
        quality: LD 0.750000, LPD 0.583333, ED 0.00, FZ 0, FLZ 0; part sizes [3, 3]
        rarest labels (positives per part):
        label  train  test
            0      2     1
            1      1     2
        """
        check_int("max_labels", max_labels, low=0)
        names = list(part_names) if part_names is not None else [f"part{j}" for j in range(self.part_sizes.size)]
        if len(names) != self.part_sizes.size:
            raise ValueError(f"Expected part_names to hold {self.part_sizes.size} names, one per part. "
                             f"Received: part_names={part_names!r}")
        counts = self.positives_per_part
        rarest = [j for j in np.argsort(counts.sum(axis=0), kind="stable") if counts[:, j].sum() > 0][:max_labels]
        rows = [[self.label_names[j], *(int(c) for c in counts[:, j])] for j in rarest]
        return "\n".join([f"quality: {self}", "rarest labels (positives per part):",
                          *table(["label", *names], rows)])

    def __str__(self) -> str:
        return (f"LD {number(self.ld, '.6f')}, LPD {number(self.lpd, '.6f')}, ED {number(self.ed, '.2f')}, "
                f"FZ {self.fz}, FLZ {self.flz}; part sizes {self.part_sizes.tolist()}")

    __repr__ = __str__


def _ld(part_counts, part_sizes, total_counts, n):
    """Sechidis' LD over columns (labels or label pairs) with positives and negatives.

    The measure compares positive/negative ratios, undefined for a column with no
    negatives overall; such columns are left out like those with no positives. A part
    with no negative of a column uses a denominator of 1.
    """
    keep = (total_counts > 0) & (total_counts < n)
    if not keep.any():
        return 0.0
    part_counts, total_counts = part_counts[:, keep], total_counts[keep]

    def ratio(pos, size):
        neg = size - pos
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(neg > 0, pos / np.maximum(neg, 1), pos)

    overall = ratio(total_counts.astype(float), float(n))
    per_part = ratio(part_counts.astype(float), part_sizes[:, None].astype(float))
    return float(np.abs(per_part - overall).mean())


def _integer_indices(values, what):
    """``values`` as a 1-D int64 array; integral floats are accepted, anything else is an error."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"Expected {what} to be a 1-D array of integers. Received: shape {arr.shape}.")
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
        if bad.size:
            raise ValueError(f"Expected {what} to hold integers. Received: {float(arr[bad[0]])!r} at position "
                             f"{int(bad[0])}.")
    elif arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"Expected {what} to hold integers. Received: {arr[0]!r} (dtype {arr.dtype}).")
    return arr.astype(np.int64)


def _parts(folds, n):
    """Part id of each row used and those rows, from part ids or from (train, test) index pairs."""
    if isinstance(folds, np.ndarray) or (
            isinstance(folds, (list, tuple)) and folds and all(isinstance(f, numbers.Number) for f in folds)):
        part = _integer_indices(folds, "folds (part ids)")
        if part.size != n:
            raise ValueError(f"folds has {part.size} part ids but y has {n} rows: give one part id per row.")
        if (part < 0).any():
            row = int(np.flatnonzero(part < 0)[0])
            raise ValueError(f"folds holds a negative part id: row {row} has {int(part[row])}. "
                             "Part ids are 0, 1, ..., k - 1.")
        unused = np.flatnonzero(np.bincount(part) == 0)
        if unused.size:
            raise ValueError(f"folds has no row in part {int(unused[0])} (ids go up to {int(part.max())}): "
                             "part ids must be 0, 1, ..., k - 1, each used.")
        return part, np.arange(n)
    try:
        pairs = list(folds)
    except TypeError:
        raise ValueError(f"Expected folds to be an array of part ids or an iterable of (train, test) index pairs. "
                         f"Received: {type(folds).__name__}.") from None
    if not pairs:
        raise ValueError("folds is empty: give one part id per row, or at least one (train, test) index pair.")
    owner = np.full(n, -1, dtype=np.int64)
    for j, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"Expected folds to be (train, test) index pairs; item {j} is {type(pair).__name__} "
                             f"of length {len(pair) if hasattr(pair, '__len__') else '?'}.")
        train, test = (_integer_indices(index, f"the {side} indices of pair {j}")
                       for side, index in zip(("train", "test"), pair))
        for side, index in (("train", train), ("test", test)):
            outside = np.flatnonzero((index < 0) | (index >= n))
            if outside.size:
                raise ValueError(f"The {side} indices of pair {j} hold {int(index[outside[0]])}, outside the "
                                 f"{n} rows of y (valid: 0 to {n - 1}).")
        if test.size == 0:
            raise ValueError(f"The test set of pair {j} is empty.")
        repeated = np.flatnonzero(np.bincount(test, minlength=n) > 1)
        if repeated.size:
            raise ValueError(f"The test set of pair {j} holds row {int(repeated[0])} more than once.")
        shared = np.intersect1d(train, test)
        if shared.size:
            raise ValueError(f"Row {int(shared[0])} is in both the train and the test set of pair {j}.")
        taken = owner[test] >= 0
        if taken.any():
            row = int(test[np.flatnonzero(taken)[0]])
            raise ValueError(f"Row {row} is in the test sets of pairs {int(owner[row])} and {j}: the parts are the "
                             "test sets, so they may not overlap (measure overlapping splits one at a time, "
                             "with part ids).")
        owner[test] = j
    rows = np.concatenate([np.asarray(pair[1], dtype=np.int64) for pair in pairs])
    return owner[rows], rows


def _check_target_sizes(target_sizes, n_parts):
    targets = np.asarray(target_sizes)
    if targets.dtype.kind not in "iuf" or targets.shape != (n_parts,) or not np.all(np.isfinite(targets)) \
            or np.any(targets < 0):
        raise ValueError(f"Expected target_sizes to be {n_parts} finite numbers >= 0, one per part. "
                         f"Received: target_sizes={target_sizes!r}")
    return targets.astype(np.float64)


def split_quality(y: Any, folds: Any, target_sizes: Sequence[float] | None = None) -> SplitQuality:
    """Measure how well a split preserves the label distribution (Sechidis et al., 2011).

    Parameters
    ----------
    y : multi-label target
    folds : array of part ids (one per row), or an iterable of ``(train, test)`` index
        pairs (then the parts are the test sets, as in k-fold).
        Part ids are integers ``0, 1, ..., k - 1``, each used. Index pairs hold integer
        row indices in ``[0, n_samples)``; the test sets may not overlap one another or
        their own train set, and none may be empty. Anything else is a ``ValueError``
        saying what is wrong and where.
    target_sizes : sequence of int, optional
        Requested part sizes for ED (default: equal shares, as in k-fold).

    Returns
    -------
    SplitQuality
        ``ld`` (label distribution), ``lpd`` (label-pair distribution), ``ed`` (examples
        distribution: mean absolute deviation of part sizes from ``target_sizes``),
        ``fz`` (parts missing at least one label), ``flz`` (part-label pairs with no
        positive), and ``positives_per_part`` (parts x labels).

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
    >>> cv = mlbalance.MultilabelStratifiedKFold(n_splits=2)
    >>> print(mlbalance.split_quality(y, cv.split(None, y)))
    LD 0.750000, LPD 0.583333, ED 0.00, FZ 0, FLZ 0; part sizes [3, 3]
    """
    y_csr, m = _labels(y)
    n = m.n_samples
    part, rows = _parts(folds, n)
    n_parts = int(part.max()) + 1
    sub = y_csr[rows]
    counts = _stratify.part_label_counts(scipy_sparse().csr_matrix(sub), part, n_parts)
    sizes = np.bincount(part, minlength=n_parts)
    total = np.asarray(sub.sum(axis=0)).ravel()
    pairs = _stratify.pair_matrix(sub)
    pair_counts = _stratify.part_label_counts(pairs, part, n_parts)
    pair_total = np.asarray(pairs.sum(axis=0)).ravel()
    present = total > 0
    zero = (counts == 0) & present[None, :]
    targets = sizes.sum() / n_parts if target_sizes is None else _check_target_sizes(target_sizes, n_parts)
    ed = float(np.abs(sizes - targets).mean())
    return SplitQuality(
        ld=_ld(counts, sizes, total, sizes.sum()),
        lpd=_ld(pair_counts, sizes, pair_total, sizes.sum()),
        ed=ed,
        fz=int(zero.any(axis=1).sum()),
        flz=int(zero.sum()),
        positives_per_part=counts,
        part_sizes=sizes,
        label_names=m.label_names,
    )
