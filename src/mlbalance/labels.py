"""One input path for multi-label targets.

Every mlbalance module reads labels through :func:`as_label_matrix` (a whole matrix)
or :func:`label_counts` (counts only, which also accepts a counts vector or a stream
of batches). Both validate strictly: a value that is not 0, 1 or the declared
``mask_value`` is an error that names the row, the column and the value received.
Nothing is cast silently.
"""

from __future__ import annotations

import collections.abc
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._sparse import issparse, scipy_sparse
from ._validation import check_int, check_mask_value

__all__ = [
    "LabelCounts",
    "LabelFormatError",
    "LabelMatrix",
    "as_label_matrix",
    "label_counts",
]


class LabelFormatError(ValueError):
    """Raised when a label input cannot be read as a 0/1 multi-label matrix.

    It is a :class:`ValueError`, so ``except ValueError`` catches it too.

    Examples
    --------
    >>> import mlbalance
    >>> try:
    ...     mlbalance.as_label_matrix([[0, 2]])
    ... except mlbalance.LabelFormatError as err:
    ...     print(str(err).splitlines()[0])
    y has 1 value(s) other than 0 or 1; the first is at row 0, column 1 (label '1'): received 2.

    Attributes
    ----------
    row, column : int or None
        Where the first bad value is (0-based), when the error is about one entry.
    """

    def __init__(self, message: str, *, row: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelCounts:
    """Positive and negative counts per label, over observed entries only.

    Parameters
    ----------
    positives, negatives : ndarray of int64, shape (n_labels,)
        Observed positive and negative entries of each label.
    n_samples : int
        Number of rows (samples), observed or not.
    label_names : tuple of str
        One name per label.

    Examples
    --------
    >>> import mlbalance
    >>> c = mlbalance.label_counts([[1, 0], [1, -1], [0, 0]], mask_value=-1)
    >>> c.positives.tolist(), c.negatives.tolist(), c.observed.tolist()
    ([2, 0], [1, 2], [3, 2])
    """

    positives: np.ndarray
    negatives: np.ndarray
    n_samples: int
    label_names: tuple

    @property
    def n_labels(self) -> int:
        """Number of labels."""
        return int(self.positives.shape[0])

    @property
    def observed(self) -> np.ndarray:
        """Observed (not masked) entries per label."""
        return self.positives + self.negatives

    def describe_labels(self, indices: Iterable[int]) -> str:
        """Format label indices as ``3 ('cat'), 7 ('dog')`` for messages.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.label_counts([[1, 0]], label_names=["cat", "dog"]).describe_labels([1])
        "1 ('dog')"
        """
        return describe_labels(indices, self.label_names)


@dataclass(frozen=True)
class LabelMatrix:
    """A validated multi-label matrix with its label names and missing-entry mask.

    Build it with :func:`as_label_matrix`; every mlbalance function accepts one.

    Attributes
    ----------
    values : ndarray of int8 or scipy.sparse.csr_matrix, shape (n_samples, n_labels)
        0/1 labels; masked entries hold 0 here.
    missing : ndarray of bool, scipy.sparse.csr_matrix of bool, or None
        True where the entry was unobserved (equal to ``mask_value``); None when every
        entry is observed.
    label_names : tuple of str

    Examples
    --------
    >>> import mlbalance
    >>> m = mlbalance.as_label_matrix([["cat", "dog"], ["dog"], []])
    >>> m.label_names, m.shape
    (('cat', 'dog'), (3, 2))
    >>> m.values.tolist()
    [[1, 1], [0, 1], [0, 0]]
    """

    values: object
    missing: object
    label_names: tuple

    @property
    def shape(self) -> tuple:
        """``(n_samples, n_labels)``."""
        return tuple(int(s) for s in self.values.shape)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return self.shape[0]

    @property
    def n_labels(self) -> int:
        """Number of labels (columns)."""
        return self.shape[1]

    @property
    def is_sparse(self) -> bool:
        """Whether ``values`` is a scipy.sparse CSR matrix."""
        return issparse(self.values)

    def counts(self) -> LabelCounts:
        """Positive and negative counts per label over observed entries.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.as_label_matrix([[1, 0], [1, 1]]).counts().positives.tolist()
        [2, 1]
        """
        n, q = self.shape
        positives = _column_sums(self.values, q)
        missing = np.zeros(q, dtype=np.int64) if self.missing is None else _column_sums(self.missing, q)
        negatives = (n - missing) - positives
        return LabelCounts(positives, negatives, n, self.label_names)

    def row_label_counts(self) -> np.ndarray:
        """Number of positive labels in each row.

        Examples
        --------
        >>> import mlbalance
        >>> mlbalance.as_label_matrix([[1, 0], [1, 1], [0, 0]]).row_label_counts().tolist()
        [1, 2, 0]
        """
        if self.is_sparse:
            return np.diff(self.values.indptr).astype(np.int64)
        return self.values.sum(axis=1, dtype=np.int64)


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------
def as_label_matrix(y: Any, *, label_names: Sequence[str] | None = None, mask_value: float | None = None,
                    classes: Sequence[Any] | None = None, sep: str = "|") -> LabelMatrix:
    """Validate a multi-label target and return it as a :class:`LabelMatrix`.

    Parameters
    ----------
    y : array-like, DataFrame, scipy.sparse matrix, list of label lists, or LabelMatrix
        Accepted forms:

        * a 2-D array of 0/1 values (bool, int or float), or a nested list of them;
        * a pandas DataFrame of 0/1 columns (column names become label names);
        * a scipy.sparse matrix of 0/1 values (kept sparse; never densified);
        * a list of label lists, e.g. ``[["cat", "dog"], ["dog"], []]`` or, with
          integer labels, ``[[0, 2], [1], []]`` (as scikit-learn's
          ``MultiLabelBinarizer``);
        * a list of delimited strings, e.g. ``["cat|dog", "dog", ""]`` (see ``sep``).

        A nested list of numbers whose rows all have the same length is read as a
        0/1 matrix; pass ``classes`` to read it as label lists instead.
    label_names : sequence of str, optional
        One name per label. Defaults to DataFrame columns, the label vocabulary, or
        ``"0", "1", ...``.
    mask_value : float, optional
        Value marking an unobserved entry (e.g. ``-1`` or ``float("nan")``). Masked
        entries are excluded from every count and weight. Default: no mask, so any
        value other than 0/1 is an error.
    classes : sequence, optional
        Label vocabulary for label lists, in output column order. A label outside it
        is an error. Default: the sorted labels found.
    sep : str, default "|"
        Delimiter for rows given as strings.

    Returns
    -------
    LabelMatrix

    Raises
    ------
    LabelFormatError
        For a value other than 0/1/``mask_value`` (the message names the row, column
        and value), a 1-D or empty ``y``, text in a 0/1 column, or mismatched names.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> m = mlbalance.as_label_matrix(np.array([[1, -1], [0, 1]]), mask_value=-1,
    ...                               label_names=["spam", "ham"])
    >>> m.values.tolist(), m.missing.tolist()
    ([[1, 0], [0, 1]], [[False, True], [False, False]])
    >>> mlbalance.as_label_matrix(["a|b", "b", ""]).values.tolist()
    [[1, 1], [0, 1], [0, 0]]
    """
    return _read(y, label_names, mask_value, classes, sep, _from_dense)


def as_csr_label_matrix(y: Any, *, label_names: Sequence[str] | None = None, mask_value: float | None = None,
                        classes: Sequence[Any] | None = None, sep: str = "|") -> LabelMatrix:
    """:func:`as_label_matrix` with CSR ``values`` (and ``missing``) for every input kind.

    What the splitters use. Dense input is validated and converted in one pass over row
    blocks of about ``BLOCK_ENTRIES`` entries: no full-size int8, bool or float64
    copy of the matrix is made, only the CSR result. Same checks and errors as
    :func:`as_label_matrix`.

    Parameters
    ----------
    y, label_names, mask_value, classes, sep
        As in :func:`as_label_matrix`.

    Returns
    -------
    LabelMatrix
        With ``values`` a ``scipy.sparse.csr_matrix`` of int8 (sorted indices) and
        ``missing`` a CSR matrix of bool or None.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.labels import as_csr_label_matrix
    >>> m = as_csr_label_matrix(np.array([[1.0, -1.0], [0.0, 1.0]]), mask_value=-1)
    >>> m.values.toarray().tolist(), m.missing.toarray().tolist()
    ([[1, 0], [0, 1]], [[False, True], [False, False]])
    """
    return _to_csr(_read(y, label_names, mask_value, classes, sep, _csr_from_dense))


def _read(y, label_names, mask_value, classes, sep, from_dense) -> LabelMatrix:
    """The dispatch on the input kind; ``from_dense`` reads a dense array (dense or CSR output)."""
    if isinstance(y, LabelMatrix):
        if label_names is not None:
            return LabelMatrix(y.values, y.missing, _check_names(label_names, y.n_labels))
        return y
    mask_value = check_mask_value(mask_value, error=LabelFormatError)
    if issparse(y):
        return _from_sparse(y, label_names, mask_value)
    if _is_dataframe(y):
        names = label_names if label_names is not None else [str(c) for c in y.columns]
        return from_dense(_dataframe_values(y), names, mask_value)
    if isinstance(y, (list, tuple)) and not isinstance(y, str):
        label_lists = _as_label_lists(y, classes)
        if label_lists is not None:
            return _from_label_lists(label_lists, label_names, classes, sep)
    elif classes is not None:
        raise LabelFormatError(
            "classes= is only used with label lists (e.g. [['cat', 'dog'], ['dog']]); "
            f"received y of type {type(y).__name__}."
        )
    return from_dense(y, label_names, mask_value)


def label_counts(y: Any, *, n_samples: int | None = None, mask_value: float | None = None,
                 label_names: Sequence[str] | None = None, classes: Sequence[Any] | None = None,
                 sep: str = "|") -> LabelCounts:
    """Count positives and negatives per label, from a matrix, a counts vector or a stream.

    Parameters
    ----------
    y : label input, counts vector, or iterable of batches
        Anything :func:`as_label_matrix` accepts; or a 1-D vector of positive counts
        per label together with ``n_samples``; or an iterator / generator /
        ``tf.data.Dataset`` yielding ``y`` batches or ``(x, y)`` / ``(x, y, w)``
        tuples. A stream is consumed once, one batch at a time, so the labels never
        have to fit in memory together. (A plain list is read as label lists: wrap a
        list of batches in ``iter(...)``.)
    n_samples : int, optional
        Total rows, required when ``y`` is a counts vector.
    mask_value, label_names, classes, sep
        As in :func:`as_label_matrix`.

    Returns
    -------
    LabelCounts

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> mlbalance.label_counts([30, 5], n_samples=100).negatives.tolist()
    [70, 95]
    >>> batches = (np.eye(3, dtype=int)[[i % 3]] for i in range(7))
    >>> mlbalance.label_counts(batches).positives.tolist()
    [3, 2, 2]
    """
    if isinstance(y, LabelCounts):
        return y
    if n_samples is not None:
        return _counts_from_vector(y, n_samples, label_names)
    if _is_stream(y):
        return _counts_from_stream(y, mask_value, label_names, classes, sep)
    return as_label_matrix(y, label_names=label_names, mask_value=mask_value, classes=classes, sep=sep).counts()


# --------------------------------------------------------------------------------------
# Helpers: formatting
# --------------------------------------------------------------------------------------
def default_label_names(n_labels: int) -> tuple:
    """Names ``"0", "1", ...`` used when none are given."""
    return tuple(str(i) for i in range(n_labels))


def describe_labels(indices: Iterable[int], names: Sequence[str], limit: int = 20) -> str:
    """Label indices with their names for messages: ``3 ('cat'), 7 ('dog')`` (at most ``limit``).

    Examples
    --------
    >>> from mlbalance.labels import describe_labels
    >>> describe_labels([0, 2], ("0", "dog", "cat"))
    "0, 2 ('cat')"
    """
    indices = [int(i) for i in indices]
    parts = [f"{i} ({names[i]!r})" if names[i] != str(i) else str(i) for i in indices[:limit]]
    if len(indices) > limit:
        parts.append(f"... and {len(indices) - limit} more")
    return ", ".join(parts)


def _where(row, col, names) -> str:
    return f"row {row}, column {col} (label {names[col]!r})"


def _check_names(label_names, n_labels) -> tuple:
    if label_names is None:
        return default_label_names(n_labels)
    if isinstance(label_names, (str, bytes, set, frozenset, dict)) or not isinstance(
            label_names, collections.abc.Iterable) or getattr(label_names, "ndim", 1) != 1:
        kind = "unordered" if isinstance(label_names, (set, frozenset, dict)) else "not a sequence of names"
        raise LabelFormatError(
            f"Expected label_names to be a sequence of names (list, tuple or 1-D array), one per label column, "
            f"in column order. Received: label_names={label_names!r} ({type(label_names).__name__}, {kind})."
        )
    names = tuple(str(n) for n in label_names)
    if len(names) != n_labels:
        raise LabelFormatError(
            f"label_names has {len(names)} name(s) but y has {n_labels} label column(s). "
            "Pass exactly one name per column."
        )
    seen, dupes = set(), []
    for n in names:
        if n in seen:
            dupes.append(n)
        seen.add(n)
    if dupes:
        raise LabelFormatError(f"label_names must be unique; repeated: {sorted(set(dupes))}.")
    return names


def _is_missing(values: np.ndarray, mask_value) -> np.ndarray:
    if mask_value is None:
        return np.zeros(values.shape, dtype=bool)
    if isinstance(mask_value, float) and math.isnan(mask_value):
        return np.isnan(values)
    return values == mask_value


def _is_dataframe(y) -> bool:
    return hasattr(y, "columns") and hasattr(y, "to_numpy") and hasattr(y, "dtypes")


def _is_stream(y) -> bool:
    return isinstance(y, collections.abc.Iterator) or (
        hasattr(y, "as_numpy_iterator") and type(y).__module__.startswith("tensorflow")
    )


def _column_sums(matrix, n_labels) -> np.ndarray:
    if issparse(matrix):
        return np.bincount(matrix.indices, minlength=n_labels).astype(np.int64)
    return matrix.sum(axis=0, dtype=np.int64)


# --------------------------------------------------------------------------------------
# Helpers: dense and sparse input
# --------------------------------------------------------------------------------------
def _dataframe_values(df) -> np.ndarray:
    for col_index, (name, dtype) in enumerate(zip(df.columns, df.dtypes)):
        if dtype.kind not in "biuf":
            column = df.iloc[:, col_index].to_numpy()
            for row, value in enumerate(column):
                if not _is_number(value):
                    raise LabelFormatError(
                        f"Column {col_index} ({str(name)!r}) of the DataFrame holds non-numeric text: "
                        f"row {row} (index {df.index[row]!r}) has {value!r}. Label columns must hold 0/1. "
                        "If this column holds label names, pass a list of label lists instead, "
                        "e.g. df[col].str.split('|').tolist(); drop ID columns before passing the frame."
                    )
            return _dense_array(df.to_numpy(dtype=object))
    return df.to_numpy()


def _is_number(value) -> bool:
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, str)


def _dense_array(y) -> np.ndarray:
    try:
        arr = np.asarray(y)
    except ValueError as err:
        raise LabelFormatError(
            f"y could not be read as a 2-D 0/1 matrix ({err}). Rows of different lengths are read as "
            "label lists only when every row is a list of labels."
        ) from None
    if arr.dtype == object:
        flat = arr.reshape(-1)
        for k, value in enumerate(flat):
            if not _is_number(value):
                where = np.unravel_index(k, arr.shape)
                raise LabelFormatError(
                    f"y holds non-numeric text at position {tuple(int(i) for i in where)}: received {value!r}. "
                    "Labels must be 0/1 numbers; convert with np.asarray(y, dtype=float) after fixing the value, "
                    "or pass label lists such as [['cat', 'dog'], ['dog']]."
                )
        arr = arr.astype(np.float64)
    elif arr.dtype.kind in "USa":
        raise LabelFormatError(
            f"y is an array of text (dtype {arr.dtype}). Pass 0/1 numbers, or label lists such as "
            "[['cat', 'dog'], ['dog']] (or delimited strings ['cat|dog', 'dog'])."
        )
    elif arr.dtype.kind not in "biuf":
        raise LabelFormatError(f"Expected y to hold 0/1 numbers. Received: array of dtype {arr.dtype}.")
    return arr


def _check_shape(shape) -> None:
    if len(shape) == 1:
        raise LabelFormatError(
            f"y is 1-D (shape {tuple(shape)}), but mlbalance expects a 2-D multi-label matrix of shape "
            "(n_samples, n_labels). For a single binary label use y.reshape(-1, 1); for a single-label "
            "multi-class target (one class index per row) use mlbalance.class_weights(y)."
        )
    if len(shape) != 2:
        raise LabelFormatError(
            f"Expected y to be 2-D (n_samples, n_labels). Received: y with shape {tuple(shape)}."
        )
    if shape[0] == 0 or shape[1] == 0:
        raise LabelFormatError(
            f"y is empty: received shape {tuple(shape)}. It needs at least one row and one label column."
        )


def _bad_value_error(count, row, col, value, names, mask_value) -> LabelFormatError:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    hint = (
        "pass mask_value=... to mark unobserved entries (e.g. mask_value=-1)"
        if mask_value is None
        else f"only 0, 1 and mask_value={mask_value!r} are allowed"
    )
    return LabelFormatError(
        f"y has {count} value(s) other than 0 or 1; the first is at {_where(row, col, names)}: received {value!r}.\n"
        f"Labels must be 0/1 (bool, int or float). If these are scores or probabilities, binarise them first "
        f"(e.g. y >= 0.5); {hint}.",
        row=row,
        column=col,
    )


# Row blocks of about this many entries: the per-block temporaries (a few bool masks) stay
# cache-sized, so validating and converting never makes a full-size float64 or bool copy.
BLOCK_ENTRIES = 1 << 18


def _row_blocks(n_rows, n_cols):
    step = max(1, BLOCK_ENTRIES // n_cols)
    for start in range(0, n_rows, step):
        yield start, min(start + step, n_rows)


def _ones_if_binary(block):
    """A bool mask of the block's 1s when every entry is 0 or 1; None otherwise (the fast check)."""
    kind = block.dtype.kind
    if kind == "b":
        return block
    if kind in "iu" and block.dtype.isnative:
        # 0 and 1 are the only integers whose unsigned reading is <= 1 (negatives wrap around)
        if block.view(np.dtype(f"u{block.dtype.itemsize}")).max() > 1:
            return None
        return block.view(bool) if block.dtype.itemsize == 1 else block != 0
    ones = block == 1
    if np.count_nonzero(ones) + np.count_nonzero(block == 0) != block.size:
        return None
    return ones


def _check_block(block, mask_value):
    """``(bad, missing)`` masks of an array's entries (not 0/1/mask, and mask); None where none is True."""
    missing = _is_missing(block, mask_value)
    bad = ~((block == 0) | (block == 1) | missing)
    return (bad if bad.any() else None), (missing if missing.any() else None)


def _validated_blocks(arr, names, mask_value):
    """Validate ``arr`` one row block at a time; yield ``(start, stop, ones, missing)``.

    ``ones`` is a bool mask of the block's positive entries, ``missing`` the block's mask
    of unobserved entries or None. A bad value raises the error that names the first
    one's row and column and counts them over the whole matrix.
    """
    blocks = _row_blocks(*arr.shape)
    for start, stop in blocks:
        block = arr[start:stop]
        ones = _ones_if_binary(block)
        if ones is not None:
            yield start, stop, ones, None
            continue
        bad, missing = _check_block(block, mask_value)
        if bad is not None:
            row, col = (int(i) for i in np.argwhere(bad)[0])
            count = int(bad.sum())
            for rest in blocks:  # the remaining blocks, only to count the bad values
                rest_bad = _check_block(arr[rest[0]:rest[1]], mask_value)[0]
                count += 0 if rest_bad is None else int(rest_bad.sum())
            raise _bad_value_error(count, start + row, col, arr[start + row, col], names, mask_value)
        yield start, stop, block == 1, missing


class _CsrRows:
    """A CSR matrix built from the nonzero entries of consecutive row blocks."""

    def __init__(self, shape):
        self.shape = shape
        self.row_counts = np.zeros(shape[0] + 1, dtype=np.int64)
        self.columns = []

    def add(self, start, stop, mask):
        """Append the True entries of ``mask``, the bool block of rows ``start:stop``."""
        width = self.shape[1]
        flat = np.flatnonzero(mask)  # much faster than a 2-D np.nonzero, and in row-major order
        rows = flat // width
        self.row_counts[start + 1:stop + 1] = np.bincount(rows, minlength=stop - start)
        self.columns.append((flat - rows * width).astype(np.int32 if width <= _INT32_MAX else np.int64))

    def matrix(self, dtype):
        """The CSR matrix of the blocks' nonzero entries (stored as 1 / True)."""
        indptr = np.cumsum(self.row_counts)
        index_dtype = np.int32 if indptr[-1] <= _INT32_MAX and self.shape[1] <= _INT32_MAX else np.int64
        indices = np.concatenate(self.columns).astype(index_dtype, copy=False) if self.columns else (
            np.zeros(0, dtype=index_dtype))
        data = np.ones(indices.size, dtype=dtype)
        return scipy_sparse().csr_matrix((data, indices, indptr.astype(index_dtype)), shape=self.shape, copy=False)


_INT32_MAX = np.iinfo(np.int32).max


def _dense_input(y, label_names):
    arr = _dense_array(y)
    _check_shape(arr.shape)
    return arr, _check_names(label_names, arr.shape[1])


def _from_dense(y, label_names, mask_value) -> LabelMatrix:
    arr, names = _dense_input(y, label_names)
    values = np.empty(arr.shape, dtype=np.int8)
    missing = None
    for start, stop, ones, block_missing in _validated_blocks(arr, names, mask_value):
        values[start:stop] = ones
        if block_missing is not None:
            if missing is None:
                missing = np.zeros(arr.shape, dtype=bool)
            missing[start:stop] = block_missing
    return LabelMatrix(values, missing, names)


def _csr_from_dense(y, label_names, mask_value) -> LabelMatrix:
    """Dense input straight to CSR, one row block at a time (no full-size copy of any kind)."""
    arr, names = _dense_input(y, label_names)
    return _csr_from_blocks(_validated_blocks(arr, names, mask_value), arr.shape, names)


def _csr_from_blocks(blocks, shape, names) -> LabelMatrix:
    values, missing = _CsrRows(shape), _CsrRows(shape)
    for start, stop, ones, block_missing in blocks:
        values.add(start, stop, ones)
        if block_missing is not None:
            missing.add(start, stop, block_missing)
    missing = missing.matrix(bool)
    return LabelMatrix(values.matrix(np.int8), missing if missing.nnz else None, names)


def _to_csr(m: LabelMatrix) -> LabelMatrix:
    """``m`` with CSR values and missing mask (a dense one is converted row block by row block)."""
    if m.is_sparse:
        return m
    blocks = ((start, stop, m.values[start:stop] != 0, None if m.missing is None else m.missing[start:stop])
              for start, stop in _row_blocks(*m.shape))
    return _csr_from_blocks(blocks, m.shape, m.label_names)


def _from_sparse(y, label_names, mask_value) -> LabelMatrix:
    sp = scipy_sparse()
    csr = sp.csr_matrix(y, copy=True)
    csr.sum_duplicates()
    _check_shape(csr.shape)
    names = _check_names(label_names, csr.shape[1])
    if csr.dtype.kind not in "biuf":
        raise LabelFormatError(f"Expected a sparse matrix of 0/1 numbers. Received: dtype {csr.dtype}.")
    data = csr.data
    bad, missing_data = _check_block(data, mask_value)
    if bad is not None:
        k = int(np.flatnonzero(bad)[0])
        row = int(np.searchsorted(csr.indptr, k, side="right") - 1)
        raise _bad_value_error(int(bad.sum()), row, int(csr.indices[k]), data[k], names, mask_value)
    missing = None
    if missing_data is not None:
        missing = sp.csr_matrix((missing_data, csr.indices.copy(), csr.indptr.copy()), shape=csr.shape)
        missing.eliminate_zeros()
    values = sp.csr_matrix(((data == 1).astype(np.int8), csr.indices, csr.indptr), shape=csr.shape)
    values.eliminate_zeros()
    return LabelMatrix(values, missing, names)


# --------------------------------------------------------------------------------------
# Helpers: label lists
# --------------------------------------------------------------------------------------
_ROW_TYPES = (list, tuple, set, frozenset)


def _as_label_lists(y, classes):
    """Return ``y`` as a list of label lists, or None when it is a nested 0/1 matrix."""
    if len(y) == 0:
        raise LabelFormatError("y is empty: received an empty list. It needs at least one row.")
    if all(isinstance(row, str) for row in y):
        return y
    if not all(isinstance(row, _ROW_TYPES) for row in y):
        if classes is not None:
            raise LabelFormatError("With classes=..., every row of y must be a list of labels or a delimited string.")
        return None
    has_text = any(isinstance(label, str) for row in y for label in row)
    rectangular = len({len(row) for row in y}) == 1 and not any(isinstance(row, (set, frozenset)) for row in y)
    if classes is None and not has_text and rectangular:
        return None  # nested list of numbers: a dense matrix
    if classes is None and not has_text and not any(isinstance(row, (set, frozenset)) for row in y):
        _refuse_ragged_binary_rows(y)
    return y


def _refuse_ragged_binary_rows(rows) -> None:
    """Rows of numbers of different lengths, all 0/1: a broken matrix or label lists of ids 0 and 1?"""
    if not all(_is_number(v) and v in (0, 1) for row in rows for v in row):
        return  # integer ids other than 0/1 (e.g. [[0, 2], [1], []]): label lists
    width = len(rows[0])
    i = next(i for i, row in enumerate(rows) if len(row) != width)
    raise LabelFormatError(
        f"y is a nested list of 0/1 values whose rows have different lengths: row 0 has {width} value(s) but "
        f"row {i} has {len(rows[i])}. As a 0/1 matrix every row needs one value per label; fix row {i}. "
        "If the rows are label lists of integer ids (row i lists the labels it holds), pass classes=[...] "
        "(e.g. classes=[0, 1]) to say so."
    )


def _from_label_lists(rows, label_names, classes, sep) -> LabelMatrix:
    rows = [_split_row(row, sep) for row in rows]
    if classes is None:
        found = {label for row in rows for label in row}
        try:
            vocabulary = sorted(found)
        except TypeError:
            raise LabelFormatError(
                "Label lists mix label types that cannot be sorted (e.g. text and numbers); pass classes=[...] "
                "to fix the vocabulary and column order."
            ) from None
        if not vocabulary:
            raise LabelFormatError(
                "No labels found in any row, so the label set is unknown. Pass classes=[...] to declare it."
            )
    else:
        vocabulary = list(classes)
        if len(set(vocabulary)) != len(vocabulary):
            raise LabelFormatError("classes must not repeat a label.")
    column = {label: j for j, label in enumerate(vocabulary)}
    row_idx, col_idx = [], []
    for i, row in enumerate(rows):
        for label in row:
            j = column.get(label)
            if j is None:
                raise LabelFormatError(
                    f"Row {i} has label {label!r}, which is not in classes. Add it to classes=[...] or remove it."
                )
            row_idx.append(i)
            col_idx.append(j)
    values = np.zeros((len(rows), len(vocabulary)), dtype=np.int8)
    values[row_idx, col_idx] = 1
    names = label_names if label_names is not None else [str(v) for v in vocabulary]
    return LabelMatrix(values, None, _check_names(names, len(vocabulary)))


def _split_row(row, sep):
    if isinstance(row, str):
        return [part.strip() for part in row.split(sep) if part.strip()]
    labels = list(row)
    for label in labels:
        if isinstance(label, float) and math.isnan(label):
            raise LabelFormatError("A label list holds NaN; remove missing values from the label lists.")
    return labels


# --------------------------------------------------------------------------------------
# Helpers: counts vectors and streams
# --------------------------------------------------------------------------------------
def _counts_from_vector(y, n_samples, label_names) -> LabelCounts:
    check_int("n_samples", n_samples, low=1, error=LabelFormatError)
    counts = np.asarray(y)
    if counts.ndim != 1 or counts.size == 0:
        raise LabelFormatError(
            f"With n_samples=..., y must be a 1-D vector of positive counts per label. Received: shape {counts.shape}."
        )
    names = _check_names(label_names, counts.size)
    if counts.dtype.kind not in "iuf" or not np.all(np.isfinite(counts)) or np.any(counts != np.round(counts)):
        raise LabelFormatError(f"Counts must be whole numbers. Received: {counts.tolist()[:10]}.")
    bad = np.flatnonzero((counts < 0) | (counts > n_samples))
    if bad.size:
        j = int(bad[0])
        raise LabelFormatError(
            f"Count of label {j} ({names[j]!r}) is {counts[j]}, outside [0, n_samples={n_samples}]."
        )
    positives = counts.astype(np.int64)
    return LabelCounts(positives, n_samples - positives, int(n_samples), names)


def _batch_labels(batch):
    if isinstance(batch, tuple) and len(batch) in (2, 3):
        return batch[1]
    return batch


def _counts_from_stream(stream, mask_value, label_names, classes, sep) -> LabelCounts:
    iterator = stream.as_numpy_iterator() if hasattr(stream, "as_numpy_iterator") else stream
    total = None
    for b, batch in enumerate(iterator):
        y = _batch_labels(batch)
        if classes is None and isinstance(y, (list, tuple)) and _as_label_lists(y, None) is not None:
            raise LabelFormatError(
                f"Batch {b} of the stream is a list of label lists; pass classes=[...] so that every batch "
                "uses the same label columns."
            )
        try:
            counts = as_label_matrix(y, mask_value=mask_value, classes=classes, sep=sep).counts()
        except LabelFormatError as err:
            raise LabelFormatError(f"In batch {b} of the stream: {err}") from None
        if total is None:
            names = label_names if label_names is not None else (
                [str(c) for c in y.columns] if _is_dataframe(y) else None
            )
            total = [counts.positives.copy(), counts.negatives.copy(), counts.n_samples,
                     _check_names(names, counts.n_labels)]
        elif counts.n_labels != total[0].size:
            raise LabelFormatError(
                f"Batch {b} of the stream has {counts.n_labels} label columns but earlier batches had {total[0].size}."
            )
        else:
            total[0] += counts.positives
            total[1] += counts.negatives
            total[2] += counts.n_samples
    if total is None:
        raise LabelFormatError("The label stream yielded no batches: y is empty.")
    return LabelCounts(total[0], total[1], total[2], total[3])
