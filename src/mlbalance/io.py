"""Read label, score, threshold and name files for the command line and for Python.

Files are matched **by name, never by position**, wherever both sides carry names:

* CSV files have a header row. A label CSV holds one 0/1 column per label (the header gives
  the label names) or one column of delimited label names per row, e.g. ``cat|dog`` (chosen
  with ``label_column``, or automatically when the file has a single text column).
* A score file with column names (a CSV header, or a ``label_names`` array in an ``.npz``)
  is matched to the label names and reordered to them; a missing or extra name is an error
  that lists them. A file without names (``.npy``) is in the label order by construction.
  Labels without names (``.npy``) are named ``"0", "1", ...``: a score header other than
  those is an error that asks for the label names.
* With an id column (``id_column``), score rows are joined to the label rows on the id;
  an id missing on either side, or repeated, is an error that names it.

Text is read as UTF-8 (a byte-order mark is allowed). Every error names the file, and the
line (1-based, as an editor shows it) and column where there is one. In a file of two or
more columns blank lines are skipped; in a one-column file a blank line between data rows
is an error (it could be a row with no labels or no row at all: write an empty value as
``""``), while blank lines at the end are ignored.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import warnings
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._sparse import issparse, scipy_sparse
from ._validation import check_number
from .labels import LabelFormatError, LabelMatrix, as_label_matrix
from .thresholds import TunedThresholds

__all__ = [
    "LabelFile",
    "csv_header",
    "read_csv_column",
    "read_group_ids",
    "read_label_file",
    "read_label_names",
    "read_labels",
    "read_scores",
    "read_thresholds",
]

_TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
_SHOWN = 10  # names listed in an error before "... and N more"


# --------------------------------------------------------------------------------------
# Text and CSV tables
# --------------------------------------------------------------------------------------
def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: is a directory; expected a file.")


def _read_text(path: str) -> str:
    """The file as text: UTF-8, an optional byte-order mark removed; bad bytes name the line."""
    _check_file(path)
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise LabelFormatError(f"{path}: the file is UTF-16 text; save it as UTF-8 (e.g. Excel's 'CSV UTF-8').")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise LabelFormatError(
            f"{path}: line {line}, character {column}: byte 0x{data[err.start]:02x} is not UTF-8 text. "
            "Save the file as UTF-8 (e.g. Excel's 'CSV UTF-8'), or convert it: iconv -f latin1 -t utf-8."
        ) from None


def _lines(path: str) -> list[tuple[int, str]]:
    """``(line number, stripped text)`` of each line up to the last non-blank one.

    A blank line before that is an error: names and ids cannot be empty.
    """
    lines = [(k + 1, text.strip()) for k, text in enumerate(_read_text(path).splitlines())]
    while lines and not lines[-1][1]:
        lines.pop()
    for number, text in lines:
        if not text:
            raise LabelFormatError(f"{path}: line {number} is blank; give one value per line, none empty.")
    if not lines:
        raise LabelFormatError(f"{path}: the file is empty.")
    return lines


@dataclass
class _Table:
    path: str
    header: list
    rows: list
    lines: list  # the 1-based line number where each row starts

    def column(self, name: str) -> list:
        j = self.header.index(name)
        return [row[j] for row in self.rows]

    def without(self, names: Sequence[str]) -> _Table:
        names = set(names)
        if not names & set(self.header):
            return self
        keep = [j for j, name in enumerate(self.header) if name not in names]
        return _Table(self.path, [self.header[j] for j in keep], [[row[j] for j in keep] for row in self.rows],
                      self.lines)

    def require(self, names: Sequence[str], what: str) -> None:
        missing = [name for name in names if name not in self.header]
        if missing:
            raise LabelFormatError(f"{self.path}: no column named {missing[0]!r} ({what}); the header has "
                                   f"{_shown(self.header)}.")

    def rows_of(self, order: np.ndarray) -> _Table:
        return _Table(self.path, self.header, [self.rows[k] for k in order], [self.lines[k] for k in order])


def _read_table(path: str) -> _Table:
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    _check_file(path)
    with open(path, "rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            _read_text(path)  # raises: UTF-16
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader, start = csv.reader(handle, delimiter=delimiter), 1
            for row in reader:
                rows.append(row)
                lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError:
        _read_text(path)  # raises the error naming the line
        raise  # pragma: no cover
    except csv.Error as err:
        raise LabelFormatError(f"{path}: line {reader.line_num}: not readable as CSV ({err}).") from None
    first = next((k for k, row in enumerate(rows) if row), None)
    if first is None:
        raise LabelFormatError(f"{path}: the file is empty; expected a header row and one row per sample.")
    header_line = lines[first]
    header = _check_header(path, header_line, [name.strip() for name in rows[first]], delimiter)
    rows, lines = rows[first + 1:], lines[first + 1:]
    if len(header) == 1:  # a blank line is an empty cell, or nothing: refuse to guess
        while rows and not rows[-1]:
            rows.pop()
            lines.pop()
        blank = next((number for number, row in zip(lines, rows) if not row), None)
        if blank is not None:
            raise LabelFormatError(
                f"{path}: line {blank} is blank. In a one-column file a blank line could be a row with no "
                'labels or no row at all: write an empty value as "" (quoted), or delete the line.'
            )
    elif not all(rows):
        lines = [number for number, row in zip(lines, rows) if row]
        rows = [row for row in rows if row]
    for number, row in zip(lines, rows):
        if len(row) != len(header):
            raise LabelFormatError(f"{path}: line {number} has {len(row)} field(s) but the header (line "
                                   f"{header_line}) has {len(header)}.")
    if not rows:
        raise LabelFormatError(f"{path}: the file has a header but no data rows.")
    return _Table(path, header, rows, lines)


def _check_header(path: str, line: int, header: list, delimiter: str) -> list:
    where = f"{path}: line {line} (the header)"
    if len(header) == 1:
        for other, name in ((";", "semicolon"), ("\t", "tab"), (",", "comma")):
            if other != delimiter and other in header[0]:
                wanted = "tab-separated (.tsv)" if delimiter == "\t" else "comma-separated"
                raise LabelFormatError(
                    f"{where} is one column {header[0]!r} that contains {name}s: the file looks {name}-separated, "
                    f"but a {os.path.splitext(path)[1] or 'CSV'} file is read as {wanted}. Save it comma-separated "
                    "as .csv, or tab-separated with a .tsv name."
                )
    empty = [j for j, name in enumerate(header) if not name]
    if empty:
        raise LabelFormatError(
            f"{where}: column {empty[0]} has no name. Every column needs a name (a pandas index saved by "
            "to_csv? save with index=False, or name it and pass --id-column / --drop-columns)."
        )
    if all(_is_number(name) for name in header) and sorted(header) != sorted(str(j) for j in range(len(header))):
        raise LabelFormatError(
            f"{where} holds numbers {_shown(header)}: it looks like data, not a header. Add a header row with "
            "the column names (e.g. np.savetxt(path, a, delimiter=',', header=','.join(names), comments=''))."
        )
    seen, repeated = set(), []
    for name in header:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        raise LabelFormatError(f"{where}: column name(s) {_shown(repeated)} appear more than once; names must "
                               "be unique.")
    return header


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _shown(names: Sequence) -> str:
    names = list(names)
    text = ", ".join(repr(n) for n in names[:_SHOWN])
    return f"[{text}{f', ... and {len(names) - _SHOWN} more' if len(names) > _SHOWN else ''}]"


def _numeric(table: _Table, hint: str, *, finite: bool = False) -> np.ndarray:
    """The table's cells as float64; the first bad cell is named by line and column."""
    try:
        values = np.array(table.rows, dtype=np.float64).reshape(len(table.rows), len(table.header))
    except ValueError:
        values = None
    if values is not None and (not finite or np.isfinite(values).all()):
        return values
    for k, row in enumerate(table.rows):
        for j, cell in enumerate(row):
            try:
                number = float(cell)
            except ValueError:
                what = "an empty cell" if not cell.strip() else f"non-numeric text {cell!r}"
            else:
                if not finite or math.isfinite(number):
                    continue
                what = f"{cell.strip()!r}, which is not a finite number"
            raise LabelFormatError(f"{table.path}: line {table.lines[k]}, column {j} ({table.header[j]!r}) holds "
                                   f"{what}; {hint}")
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------------------
# Matching by name and by id
# --------------------------------------------------------------------------------------
def _is_default(names: Sequence[str]) -> bool:
    return list(names) == [str(j) for j in range(len(names))]


def _name_order(found: Sequence[str], wanted: Sequence[str], where: str) -> np.ndarray:
    """Indices putting columns named ``found`` into the order of ``wanted``; every name once."""
    found, wanted = [str(n) for n in found], [str(n) for n in wanted]
    repeated = sorted(n for n, count in Counter(found).items() if count > 1)
    if repeated:
        raise LabelFormatError(f"{where}: name(s) {_shown(repeated)} appear more than once; names must be unique.")
    missing = [n for n in wanted if n not in set(found)]
    extra = [n for n in found if n not in set(wanted)]
    if missing or extra:
        parts = ([f"label(s) missing from it: {_shown(missing)}"] if missing else []) + \
                ([f"name(s) that are not labels: {_shown(extra)}"] if extra else [])
        if _is_default(wanted):
            hint = ("The labels have no names (e.g. an .npy file), so they are called '0'..'{}': pass the label "
                    "names (--labels, one name per line) to match by name.").format(len(wanted) - 1)
        else:
            hint = ("Columns are matched to the labels by name: rename them, or if some are row ids or other "
                    "data pass --id-column / --drop-columns.")
        raise LabelFormatError(f"{where}: the column names do not match the {len(wanted)} label names; "
                               + "; ".join(parts) + ". " + hint)
    position = {n: j for j, n in enumerate(found)}
    return np.array([position[n] for n in wanted], dtype=np.intp)


def _ids(table: _Table, id_column: str) -> list:
    ids = [value.strip() for value in table.column(id_column)]
    first = {}
    for k, value in enumerate(ids):
        if not value:
            raise LabelFormatError(f"{table.path}: line {table.lines[k]}: the id column {id_column!r} is empty.")
        if value in first:
            raise LabelFormatError(f"{table.path}: id {value!r} (column {id_column!r}) is repeated, on lines "
                                   f"{table.lines[first[value]]} and {table.lines[k]}; ids must be unique.")
        first[value] = k
    return ids


def _id_order(found: list, wanted: Sequence, where: str, other: str) -> np.ndarray:
    position = {value: k for k, value in enumerate(found)}
    missing = [value for value in wanted if value not in position]
    extra = [value for value in found if value not in set(wanted)]
    if missing or extra:
        parts = ([f"{len(missing)} id(s) of {other} missing from it: {_shown(missing)}"] if missing else []) + \
                ([f"{len(extra)} id(s) not in {other}: {_shown(extra)}"] if extra else [])
        raise LabelFormatError(f"{where}: its rows do not match the label rows; " + "; ".join(parts) + ".")
    return np.array([position[value] for value in wanted], dtype=np.intp)


# --------------------------------------------------------------------------------------
# Label files
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelFile:
    """A label file as read: the labels, the row ids and any other columns asked for.

    Attributes
    ----------
    labels : LabelMatrix
        The labels, in the file's row order (or, with ``label_names``, the columns in that order).
    ids : tuple of str or None
        The values of ``id_column``, one per row (trimmed of spaces); ``None`` without one.
    columns : dict of {str: tuple of str}
        The ``extra_columns`` asked for (e.g. group ids), one value per row.
    path : str
        The file read.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import read_label_file
    >>> path = os.path.join(tempfile.mkdtemp(), "y.csv")
    >>> _ = open(path, "w").write("id,patient,a,b\\nr1,P1,1,0\\nr2,P1,0,1\\n")
    >>> f = read_label_file(path, id_column="id", extra_columns=["patient"])
    >>> f.ids, f.columns["patient"], f.labels.label_names
    (('r1', 'r2'), ('P1', 'P1'), ('a', 'b'))
    """

    labels: LabelMatrix
    ids: tuple | None = None
    columns: dict = field(default_factory=dict)
    path: str = ""


def read_label_file(path: str | os.PathLike, *, mask_value: float | None = None, label_column: str | None = None,
                    sep: str = "|", drop_columns: Sequence[str] = (), id_column: str | None = None,
                    extra_columns: Sequence[str] = (), label_names: Sequence[str] | None = None) -> LabelFile:
    """Read a label file with its row ids and other columns.

    Parameters
    ----------
    path : str or path-like
        ``.npy`` (2-D 0/1 array), ``.npz`` (saved with ``scipy.sparse.save_npz`` in any
        format, or ``np.savez`` with an array named ``y`` or ``labels``, or a single array,
        and an optional ``label_names`` array), ``.csv`` / ``.txt`` (comma-separated) or
        ``.tsv`` (tab-separated), with a header row, then 0/1 columns or a column of
        delimited label names.
    mask_value : float, optional
        Marks unobserved entries (see :func:`mlbalance.as_label_matrix`).
    label_column : str, optional
        CSV only: read label names from this column (split on ``sep``).
    sep : str, default "|"
        Delimiter between label names within a CSV cell.
    drop_columns : sequence of str, default ()
        CSV only: columns that are not labels, removed before reading; each must exist.
    id_column : str, optional
        CSV only: the column of row ids (unique, non-empty; compared as text with spaces
        trimmed). It is not a label.
    extra_columns : sequence of str, default ()
        CSV only: other non-label columns to return in ``columns`` (e.g. group ids).
    label_names : sequence of str, optional
        Match the file's columns to these names and reorder them so; a missing or extra
        name is an error. A file without names (``.npy``, an ``.npz`` without
        ``label_names``) is taken to be in this order.

    Returns
    -------
    LabelFile

    Raises
    ------
    LabelFormatError
        The message names the file, and the line and column where there is one.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import read_label_file
    >>> path = os.path.join(tempfile.mkdtemp(), "y.csv")
    >>> _ = open(path, "w").write("b,a\\n1,0\\n1,1\\n")
    >>> read_label_file(path, label_names=["a", "b"]).labels.values.tolist()
    [[0, 1], [1, 1]]
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext in _TEXT_EXTENSIONS:
        table = _read_table(path)
        ids = None
        if id_column is not None:
            table.require([id_column], "id_column, --id-column")
            ids = tuple(_ids(table, id_column))
        table.require(drop_columns, "to drop, --drop-columns")
        table.require(extra_columns, "asked for")
        columns = {name: tuple(table.column(name)) for name in extra_columns}
        table = table.without([*drop_columns, *extra_columns, *([id_column] if id_column is not None else [])])
        if not table.header:
            raise LabelFormatError(f"{path}: no label columns are left after removing the id and dropped columns.")
        labels = _labels_from_table(table, mask_value=mask_value, label_column=label_column, sep=sep)
        return LabelFile(_match_labels(labels, True, label_names, path), ids, columns, path)
    _check_file(path)
    if ext not in (".npy", ".npz"):
        raise LabelFormatError(f"{path}: unsupported file type {ext!r}. Use .npy, .npz (dense or "
                               "scipy.sparse.save_npz), .csv or .tsv.")
    for value, what in ((label_column, "label_column"), (id_column, "id_column"),
                        (list(drop_columns) or None, "drop_columns"), (list(extra_columns) or None, "extra_columns")):
        if value is not None:
            raise LabelFormatError(f"{path}: {what}={value!r} needs a CSV file with a header; this file has "
                                   "no named columns.")
    values, names = _load_array(path, ("y", "labels"))
    try:
        labels = as_label_matrix(values, label_names=names, mask_value=mask_value)
    except LabelFormatError as err:
        raise LabelFormatError(f"{path}: {err}", row=err.row, column=err.column) from None
    return LabelFile(_match_labels(labels, names is not None, label_names, path), None, {}, path)


def _match_labels(labels: LabelMatrix, named: bool, label_names: Sequence[str] | None, path: str) -> LabelMatrix:
    """The labels with their columns in the order of ``label_names`` (by name when the file has names)."""
    if label_names is None:
        return labels
    if not named:
        try:
            return as_label_matrix(labels, label_names=label_names)
        except LabelFormatError as err:
            raise LabelFormatError(f"{path}: {err}") from None
    order = _name_order(labels.label_names, label_names, path)
    missing = None if labels.missing is None else labels.missing[:, order]
    return LabelMatrix(labels.values[:, order], missing, tuple(str(n) for n in label_names))


def read_labels(path: str | os.PathLike, *, mask_value: float | None = None, label_column: str | None = None,
                sep: str = "|", drop_columns: Sequence[str] = (), id_column: str | None = None) -> LabelMatrix:
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
    id_column : str, optional
        CSV only: a column of row ids, removed (use :func:`mlbalance.io.read_label_file`
        to get the ids too).

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
    return read_label_file(path, mask_value=mask_value, label_column=label_column, sep=sep,
                           drop_columns=drop_columns, id_column=id_column).labels


def _labels_from_table(table: _Table, *, mask_value: float | None, label_column: str | None,
                       sep: str) -> LabelMatrix:
    if label_column is None and len(table.header) == 1 and not _all_numeric(table.rows):
        label_column = table.header[0]
    if label_column is not None:
        table.require([label_column], "label_column, --label-column")
        try:
            return as_label_matrix(table.column(label_column), sep=sep)
        except LabelFormatError as err:
            raise LabelFormatError(f"{table.path}: column {label_column!r}: {err}") from None
    values = _numeric(table, "label columns must hold 0/1. If a column holds delimited label names (e.g. "
                             "cat|dog), pass label_column=<its name> (--label-column on the command line); name "
                             "ID and other columns with --id-column / --drop-columns; mark missing entries with a "
                             "number such as -1 and pass mask_value.")
    try:
        return as_label_matrix(values, label_names=table.header, mask_value=mask_value)
    except LabelFormatError as err:
        if err.row is None:
            raise LabelFormatError(f"{table.path}: {err}") from None
        message = str(err).replace(f"at row {err.row}, column", f"at line {table.lines[err.row]}, column", 1)
        raise LabelFormatError(f"{table.path}: {message}", row=err.row, column=err.column) from None


def _all_numeric(rows: list) -> bool:
    try:
        np.array(rows, dtype=np.float64)
        return True
    except ValueError:
        return False


def _load_array(path: str, keys: tuple) -> tuple:
    """``(array or sparse matrix, names or None)`` from an .npy / .npz file."""
    _check_file(path)
    try:
        if path.lower().endswith(".npy"):
            return np.load(path, allow_pickle=False), None
        with np.load(path, allow_pickle=False) as data:
            files = list(data.files)
            if {"format", "shape"} <= set(files):  # scipy.sparse.save_npz, any format (csr, csc, coo, dia, bsr)
                return scipy_sparse().load_npz(path), None
            names = [str(n) for n in data["label_names"].tolist()] if "label_names" in files else None
            named = [k for k in keys if k in files]
            arrays = [k for k in files if k != "label_names"]
            if len(named) == 1 or (not named and len(arrays) == 1):
                return data[named[0] if named else arrays[0]], names
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        kind = ".npy array without pickles" if path.lower().endswith(".npy") else ".npz archive"
        raise LabelFormatError(f"{path}: not a readable {kind} ({err}).") from None
    what = "label" if keys[0] == "y" else "score"
    raise LabelFormatError(
        f"{path}: the .npz holds arrays {sorted(files)}; name the {what} array {keys[0]!r} or {keys[1]!r}, not "
        f"both (np.savez(path, {keys[0]}=array, label_names=names)), or save a single array, or a sparse "
        "matrix with scipy.sparse.save_npz."
    )


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------
def read_scores(path: str | os.PathLike, *, label_names: Sequence[str] | None = None, ids: Sequence[str] | None = None,
                id_column: str | None = None, drop_columns: Sequence[str] = ()) -> np.ndarray:
    """Read a 2-D float score matrix, matched to the labels by column name and row id.

    Parameters
    ----------
    path : str or path-like
        ``.npy``, ``.npz`` (one array, or one named ``y_score`` or ``scores``, and an
        optional ``label_names`` array) or CSV / TSV with a header row.
    label_names : sequence of str, optional
        The label names, in label order. A file with column names (a CSV header, an
        ``.npz`` ``label_names``) is matched by name and reordered to them; a missing or
        extra name is an error listing them. A file without names (``.npy``) is in label
        order by construction. Default: the file's own column order.
    ids : sequence of str, optional
        The label rows' ids (see :func:`read_label_file`). Rows of a CSV holding
        ``id_column`` are reordered to them; an id missing on either side, or repeated,
        is an error. A file without that column is taken in label-row order (a CSV
        without it gives a warning).
    id_column : str, optional
        The id column's name; it is never a score column.
    drop_columns : sequence of str, default ()
        CSV columns that are not scores, removed where present.

    Returns
    -------
    ndarray of float64, shape (n_samples, n_labels)
        Finite everywhere (a NaN or infinite score in a CSV is an error naming its line).

    Examples
    --------
    >>> import os, tempfile, numpy as np, mlbalance
    >>> path = os.path.join(tempfile.mkdtemp(), "s.npy"); np.save(path, np.array([[0.2, 0.9]]))
    >>> mlbalance.read_scores(path).tolist()
    [[0.2, 0.9]]
    >>> path = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(path, "w").write("id,dog,cat\\nr2,0.1,0.8\\nr1,0.7,0.3\\n")
    >>> mlbalance.read_scores(path, label_names=["cat", "dog"], ids=["r1", "r2"], id_column="id").tolist()
    [[0.3, 0.7], [0.8, 0.1]]
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext in _TEXT_EXTENSIONS:
        table = _read_table(path)
        table = table.without([c for c in drop_columns if c != id_column])
        if id_column is not None and id_column in table.header:
            if ids is not None:
                table = table.rows_of(_id_order(_ids(table, id_column), list(ids), path, "the labels"))
            table = table.without([id_column])
        elif id_column is not None and ids is not None:
            warnings.warn(f"{path} has no column {id_column!r}: its rows are taken in the order of the label rows.",
                          UserWarning, stacklevel=2)
        if not table.header:
            raise LabelFormatError(f"{path}: no score columns are left after removing the id and dropped columns.")
        scores = _numeric(table, "score columns must hold finite numbers (one column per label, one row per "
                                 "sample); name ID and other columns with --id-column / --drop-columns.",
                          finite=True)
        names = table.header
    elif ext in (".npy", ".npz"):
        scores, names = _load_array(path, ("y_score", "scores"))
        scores = scores.toarray() if issparse(scores) else np.asarray(scores)
        if scores.ndim != 2 or scores.dtype.kind not in "biuf":
            raise LabelFormatError(f"{path}: expected a 2-D numeric score matrix. Received: shape {scores.shape}, "
                                   f"dtype {scores.dtype}.")
        bad = np.argwhere(~np.isfinite(scores))
        if bad.size:
            row, col = (int(i) for i in bad[0])
            raise LabelFormatError(f"{path}: {len(bad)} non-finite score(s); the first is at row {row}, column "
                                   f"{col}: {float(scores[row, col])!r}. Scores must be finite (check the model's "
                                   "outputs for NaN).")
    else:
        _check_file(path)
        raise LabelFormatError(f"{path}: unsupported file type {ext!r}. Use .npy, .npz, .csv or .tsv.")
    if names is not None and len(names) != scores.shape[1]:
        raise LabelFormatError(f"{path}: {len(names)} label_names for {scores.shape[1]} score columns.")
    if label_names is not None and names is not None:
        scores = scores[:, _name_order(names, label_names, path)]
    return scores.astype(np.float64)


# --------------------------------------------------------------------------------------
# Names, groups, thresholds
# --------------------------------------------------------------------------------------
def read_label_names(path: str | os.PathLike, n_labels: int | None = None) -> list:
    """Label names from a text file, one per line (spaces trimmed, blank lines at the end ignored).

    Parameters
    ----------
    path : str or path-like
    n_labels : int, optional
        The number of label columns the names are for; another count is an error.

    Raises
    ------
    LabelFormatError
        For an empty file, a blank line between names, a repeated name (both lines are
        named) or the wrong count.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import read_label_names
    >>> path = os.path.join(tempfile.mkdtemp(), "names.txt")
    >>> _ = open(path, "w").write("cat\\ndog\\n\\n")
    >>> read_label_names(path, 2)
    ['cat', 'dog']
    """
    path = os.fspath(path)
    lines = _lines(path)
    first = {}
    for number, name in lines:
        if name in first:
            raise LabelFormatError(f"{path}: label name {name!r} on line {number} repeats line {first[name]}; "
                                   "names must be unique.")
        first[name] = number
    if n_labels is not None and len(lines) != n_labels:
        raise LabelFormatError(f"{path}: {len(lines)} label name(s) for {n_labels} label column(s); give one "
                               "name per line, in the label file's column order.")
    return [name for _, name in lines]


def read_group_ids(path: str | os.PathLike, n_rows: int) -> np.ndarray:
    """Group ids from a text file, one per label row, with an optional header line.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import read_group_ids
    >>> path = os.path.join(tempfile.mkdtemp(), "groups.txt")
    >>> _ = open(path, "w").write("patient\\nP1\\nP1\\nP2\\n")
    >>> read_group_ids(path, 3).tolist()
    ['P1', 'P1', 'P2']
    """
    path = os.fspath(path)
    values = [text for _, text in _lines(path)]
    if len(values) == n_rows + 1:
        values = values[1:]  # a header line
    if len(values) != n_rows:
        raise LabelFormatError(f"{path}: {len(values)} group id(s) for {n_rows} label rows; give one per row "
                               "(and at most one header line).")
    return np.array(values)


def read_thresholds(value: str | os.PathLike, label_names: Sequence[str]) -> float | str | np.ndarray:
    """A decision threshold setting: a number, ``"tune"``, or a file of one threshold per label.

    Parameters
    ----------
    value : str
        A number in [0, 1]; ``"tune"``; or a file: text with one threshold per line (in
        label order), or ``name,threshold`` per line (matched by name); or JSON, either a
        list of numbers (label order), a ``{"labels": [{"name": ..., "threshold": ...}]}``
        dict (matched by name), or the file of :meth:`TunedThresholds.save` (``mlbalance
        tune``), read back whole as a :class:`~mlbalance.TunedThresholds` in label order,
        with its settings and the fingerprint of its tuning rows.
    label_names : sequence of str
        The label names, in label order.

    Returns
    -------
    float, "tune", ndarray of shape (n_labels,), or TunedThresholds
        Every threshold is a finite number, in [0, 1] except in a TunedThresholds file
        tuned on logits (the report checks it against the scores' units).

    Examples
    --------
    >>> import json, os, tempfile
    >>> from mlbalance.io import read_thresholds
    >>> read_thresholds("0.3", ["a", "b"])
    0.3
    >>> path = os.path.join(tempfile.mkdtemp(), "t.json")
    >>> _ = open(path, "w").write(json.dumps({"labels": [{"name": "b", "threshold": 0.7},
    ...                                                  {"name": "a", "threshold": 0.2}]}))
    >>> read_thresholds(path, ["a", "b"]).tolist()
    [0.2, 0.7]
    """
    value = os.fspath(value)
    names = [str(n) for n in label_names]
    if value == "tune":
        return "tune"
    if _is_number(value):
        return check_number("--thresholds", float(value), low=0, high=1)
    if not os.path.exists(value):
        raise ValueError(f"Expected --thresholds to be a number in [0, 1], 'tune' or an existing file. "
                         f"Received: --thresholds={value!r}")
    text = _read_text(value)
    saved = _saved_tuned_thresholds(value, text)
    if saved is not None:  # TunedThresholds.save's file: keep it whole
        tuned = TunedThresholds.from_dict(saved, where=value)
        _name_order(tuned.label_names, names, value)  # the same labels, or an error naming the difference
        return tuned.select(names)
    if text.lstrip().startswith(("{", "[")):
        found, values = _thresholds_json(value, text)
    else:
        found, values = _thresholds_lines(value)
    if found is None:
        if len(values) != len(names):
            raise LabelFormatError(f"{value}: {len(values)} threshold(s) for {len(names)} labels; give one per "
                                   "label, in label order (or name,threshold lines).")
        return np.array(values)
    return np.array(values)[_name_order(found, names, value)]


def _saved_tuned_thresholds(path: str, text: str) -> dict | None:
    """The parsed JSON if it holds every setting of ``TunedThresholds.to_dict()``, else None: a
    hand-written ``{"labels": [...]}`` (with or without ``"metric"``) is read as named thresholds."""
    if not text.lstrip().startswith("{") or '"min_positives"' not in text:
        return None
    try:
        data = json.loads(text)
    except ValueError as err:
        raise LabelFormatError(f"{path}: not valid JSON ({err}).") from None
    saved = isinstance(data, dict) and all(k in data for k in ("metric", "beta", "fallback", "min_positives"))
    return data if saved else None


def _threshold(number: float, where: str) -> float:
    if not (math.isfinite(number) and 0 <= number <= 1):
        raise ValueError(f"{where}: expected a threshold that is a finite number in [0, 1]. Received: {number!r}")
    return float(number)


def _thresholds_lines(path: str) -> tuple:
    names, values = [], []
    for number, text in _lines(path):
        name, _, cell = text.rpartition(",")
        try:
            values.append(_threshold(float(cell), f"{path}: line {number}"))
        except ValueError as err:
            if _is_number(cell):
                raise LabelFormatError(str(err)) from None
            raise LabelFormatError(f"{path}: line {number}: {text!r} is not a threshold; expected one number "
                                   "per line (or name,number).") from None
        names.append(name.strip() or None)
    if all(n is None for n in names):
        return None, values
    if any(n is None for n in names):
        raise LabelFormatError(f"{path}: some lines have a label name and some do not; give name,threshold on "
                               "every line, or only numbers.")
    return names, values


def _thresholds_json(path: str, text: str) -> tuple:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise LabelFormatError(f"{path}: not valid JSON ({err}).") from None
    entries = data.get("labels") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise LabelFormatError(f"{path}: expected a JSON list of thresholds or the JSON of "
                               "TunedThresholds.to_dict() (a 'labels' list).")
    names, values = [], []
    for k, entry in enumerate(entries):
        number = entry.get("threshold") if isinstance(entry, dict) else entry
        where = f"{path}: entry {k}" + (f" (label {entry['name']!r})" if isinstance(entry, dict) and "name" in entry
                                        else "")
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise LabelFormatError(f"{where}: expected a threshold number. Received: {number!r}")
        values.append(_threshold(float(number), where))
        names.append(str(entry["name"]) if isinstance(entry, dict) and "name" in entry else None)
    if all(n is None for n in names):
        return None, values
    if any(n is None for n in names):
        raise LabelFormatError(f"{path}: some entries have a 'name' and some do not.")
    return names, values


def csv_header(path: str | os.PathLike) -> list | None:
    """The column names of a CSV / TSV file (its first non-blank line), or ``None`` for other files.

    Only the header is read. Use it to decide which optional columns a file has.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance.io import csv_header
    >>> path = os.path.join(tempfile.mkdtemp(), "y.csv")
    >>> _ = open(path, "w").write("id, a,b\\n1,1,0\\n")
    >>> csv_header(path), csv_header("y.npy")
    (['id', 'a', 'b'], None)
    """
    path = os.fspath(path)
    if os.path.splitext(path)[1].lower() not in _TEXT_EXTENSIONS:
        return None
    _check_file(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                break  # _read_table says what is wrong
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                break
            if text.strip():
                delimiter = "\t" if path.lower().endswith(".tsv") else ","
                return [name.strip() for name in next(csv.reader([text], delimiter=delimiter))]
    return _read_table(path).header  # raises the error that explains the file


def read_csv_column(path: str | os.PathLike, column: str) -> list:
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
    table = _read_table(os.fspath(path))
    table.require([column], "asked for")
    return table.column(column)
