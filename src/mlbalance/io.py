"""Read label files for the command line: ``.npy``, ``.npz`` (dense or scipy sparse) and CSV.

CSV files have a header row. Two layouts are read:

* one 0/1 column per label (the header gives the label names);
* one column of delimited label names per row, e.g. ``cat|dog`` (chosen with
  ``label_column``, or automatically when the file has a single text column).
"""

from __future__ import annotations

import csv
import os
import zipfile

import numpy as np
import scipy.sparse as sp

from .labels import LabelFormatError, LabelMatrix, as_label_matrix

__all__ = ["read_labels", "read_scores"]

_SPARSE_NPZ_KEYS = {"indices", "indptr", "format", "shape", "data"}


def read_labels(path, *, mask_value=None, label_column=None, sep="|", drop_columns=()) -> LabelMatrix:
    """Read a label file into a validated :class:`mlbalance.LabelMatrix`.

    Parameters
    ----------
    path : str or path-like
        ``.npy`` (2-D 0/1 array), ``.npz`` (saved with ``scipy.sparse.save_npz``, or
        ``np.savez`` with an array named ``y`` or ``labels``, or a single array, and an
        optional ``label_names`` array), ``.csv`` / ``.tsv`` / ``.txt`` (header row, then
        0/1 columns or a column of delimited label names).
    mask_value : float, optional
        Marks unobserved entries (see :func:`mlbalance.as_label_matrix`).
    label_column : str, optional
        CSV only: read label names from this column (split on ``sep``) and ignore the
        other columns.
    sep : str, default "|"
        Delimiter between label names within a CSV cell.
    drop_columns : sequence of str, default ()
        CSV only: columns that are not labels (IDs, groups), removed before reading.

    Returns
    -------
    LabelMatrix

    Examples
    --------
    >>> import os, tempfile, mlbalance
    >>> path = os.path.join(tempfile.mkdtemp(), "tags.csv")
    >>> _ = open(path, "w").write("id,tags\\n1,cat|dog\\n2,dog\\n3,\\n")
    >>> m = mlbalance.read_labels(path, label_column="tags")
    >>> m.label_names, m.values.tolist()
    (('cat', 'dog'), [[1, 1], [0, 1], [0, 0]])
    """
    path = os.fspath(path)
    _check_file(path)
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            return as_label_matrix(_load_npy(path), mask_value=mask_value)
        if ext == ".npz":
            values, names = _load_npz(path)
            return as_label_matrix(values, label_names=names, mask_value=mask_value)
        if ext in (".csv", ".tsv", ".txt"):
            return _read_csv(path, mask_value=mask_value, label_column=label_column, sep=sep,
                             drop_columns=drop_columns)
    except LabelFormatError as err:
        raise LabelFormatError(f"{path}: {err}") from None
    raise LabelFormatError(
        f"{path}: unsupported file type {ext!r}. Use .npy, .npz (dense or scipy.sparse.save_npz) or .csv."
    )


def read_scores(path) -> np.ndarray:
    """Read a 2-D float score matrix (``.npy``, ``.npz`` or CSV with a header row).

    Examples
    --------
    >>> import os, tempfile, numpy as np, mlbalance
    >>> path = os.path.join(tempfile.mkdtemp(), "s.npy"); np.save(path, np.array([[0.2, 0.9]]))
    >>> mlbalance.read_scores(path).tolist()
    [[0.2, 0.9]]
    """
    path = os.fspath(path)
    _check_file(path)
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npy":
        scores = _load_npy(path)
    elif ext == ".npz":
        scores, _ = _load_npz(path)
        scores = scores.toarray() if sp.issparse(scores) else scores
    elif ext in (".csv", ".tsv", ".txt"):
        header, rows = _csv_rows(path)
        scores = _numeric_table(path, header, rows)
    else:
        raise ValueError(f"{path}: unsupported file type {ext!r}. Use .npy, .npz or .csv.")
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.dtype.kind not in "biuf":
        raise ValueError(f"{path}: expected a 2-D numeric score matrix. Received: shape {scores.shape}, dtype {scores.dtype}.")
    return scores.astype(np.float64)


def _check_file(path) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: is a directory; expected a label file (.npy, .npz or .csv).")


def _load_npy(path):
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as err:
        raise LabelFormatError(f"not a readable .npy array without pickles ({err}).") from None


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = set(data.files)
            if _SPARSE_NPZ_KEYS <= keys:
                return sp.load_npz(path), None
            names = data["label_names"].tolist() if "label_names" in keys else None
            arrays = [k for k in data.files if k != "label_names"]
            for key in ("y", "labels"):
                if key in keys:
                    return data[key], names
            if len(arrays) == 1:
                return data[arrays[0]], names
    except (ValueError, zipfile.BadZipFile) as err:
        raise LabelFormatError(f"not a readable .npz archive ({err}).") from None
    raise LabelFormatError(
        f"the .npz holds arrays {sorted(keys)}; name the label array 'y' or 'labels' "
        "(np.savez(path, y=y, label_names=names)), or save a sparse matrix with scipy.sparse.save_npz."
    )


def _csv_rows(path):
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        rows = [row for row in reader if row]
    if header is None:
        raise LabelFormatError("the file is empty; expected a header row and one row per sample.")
    if not rows:
        raise LabelFormatError("the file has a header but no data rows: y is empty.")
    for k, row in enumerate(rows):
        if len(row) != len(header):
            raise LabelFormatError(f"line {k + 2} has {len(row)} field(s) but the header has {len(header)}.")
    return [h.strip() for h in header], rows


def _numeric_table(path, header, rows) -> np.ndarray:
    try:
        return np.array(rows, dtype=np.float64)
    except ValueError:
        pass
    for k, row in enumerate(rows):
        for j, cell in enumerate(row):
            try:
                float(cell)
            except ValueError:
                what = "an empty cell" if not cell.strip() else f"non-numeric text {cell!r}"
                raise LabelFormatError(
                    f"line {k + 2}, column {j} ({header[j]!r}) holds {what}; label columns must hold 0/1. "
                    "If a column holds delimited label names (e.g. cat|dog), pass label_column=<its name> "
                    "(--label-column on the command line); remove ID columns; mark missing entries with a "
                    "number such as -1 and pass mask_value."
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def read_csv_column(path, column):
    """One column of a CSV label file, as a list of strings (e.g. group ids).

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import read_csv_column
    >>> path = os.path.join(tempfile.mkdtemp(), "y.csv")
    >>> _ = open(path, "w").write("patient,a\\nP1,1\\nP2,0\\n")
    >>> read_csv_column(path, "patient")
    ['P1', 'P2']
    """
    header, rows = _csv_rows(os.fspath(path))
    if column not in header:
        raise LabelFormatError(f"{path}: no column named {column!r}; the header has {header}.")
    j = header.index(column)
    return [row[j] for row in rows]


def _read_csv(path, *, mask_value, label_column, sep, drop_columns=()) -> LabelMatrix:
    header, rows = _csv_rows(path)
    missing = [c for c in drop_columns if c not in header]
    if missing:
        raise LabelFormatError(f"no column named {missing[0]!r} to drop; the header has {header}.")
    if drop_columns:
        keep = [j for j, name in enumerate(header) if name not in set(drop_columns)]
        header = [header[j] for j in keep]
        rows = [[row[j] for j in keep] for row in rows]
    if label_column is None and len(header) == 1 and not _all_numeric(rows):
        label_column = header[0]
    if label_column is not None:
        if label_column not in header:
            raise LabelFormatError(f"no column named {label_column!r}; the header has {header}.")
        j = header.index(label_column)
        return as_label_matrix([row[j] for row in rows], sep=sep)
    values = _numeric_table(path, header, rows)
    try:
        return as_label_matrix(values, label_names=header, mask_value=mask_value)
    except LabelFormatError as err:
        if err.row is None:
            raise
        message = str(err).replace(f"at row {err.row}, column", f"at line {err.row + 2}, column", 1)
        raise LabelFormatError(message, row=err.row, column=err.column) from None


def _all_numeric(rows) -> bool:
    try:
        np.array(rows, dtype=np.float64)
        return True
    except ValueError:
        return False
