"""Plain-text and Markdown tables and numbers: one formatter for every result class and the CLI.

Cells are formatted by the caller (see :func:`number`) and passed as strings; :func:`table`
sizes each column to its widest cell, right-aligns by default, strips terminal control
sequences from every cell (names come from users' files) and never emits ``nan``: an
undefined number is shown as ``undefined`` (or another stated word).
:func:`markdown_table` gives the same rows as a GitHub-flavoured Markdown table, every cell
escaped by :func:`mlbalance._text.markdown_text` (no raw HTML, no ``|`` that splits a row).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from ._text import markdown_text, terminal_text

__all__ = ["markdown_table", "number", "table"]


def number(value: object, spec: str = ".4f", *, undefined: str = "undefined") -> str:
    """``format(value, spec)``; ``undefined`` for ``None``, NaN or infinity.

    Integers (Python or NumPy) are printed as integers whatever ``spec`` says.

    Examples
    --------
    >>> from mlbalance._tables import number
    >>> number(0.123456, ".3f"), number(float("nan")), number(None, undefined="-"), number(7)
    ('0.123', 'undefined', '-', '7')
    """
    if value is None or isinstance(value, bool):
        return undefined if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        return undefined
    return format(float(value), spec)


def _check_rows(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    for k, row in enumerate(rows):
        if len(row) != len(headers):
            raise ValueError(f"table row {k} has {len(row)} cells for {len(headers)} headers.")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str | None = None,
          gap: int = 2) -> list[str]:
    """Lines of a table: a header line, then one line per row; trailing spaces removed.

    Parameters
    ----------
    headers : sequence of str
    rows : sequence of sequences
        Cells; anything that is not a ``str`` is passed through ``str``.
    align : str, optional
        One character per column: ``">"`` right (default for every column) or ``"<"`` left.
    gap : int, default 2
        Spaces between columns.

    Examples
    --------
    >>> from mlbalance._tables import table
    >>> print("\\n".join(table(["label", "name", "F1"], [[0, "cat", "0.500"], [1, "\\x1b[31mdog", "-"]],
    ...                        align=">< >".replace(" ", ""))))
    label  name     F1
        0  cat   0.500
        1  dog       -
    """
    _check_rows(headers, rows)
    cells = [[terminal_text(h) for h in headers]] + [[terminal_text(c) for c in row] for row in rows]
    n_columns = len(headers)
    align = align or ">" * n_columns
    if len(align) != n_columns or set(align) - {"<", ">"}:
        raise ValueError(f"Expected align to be one of '<' or '>' per column ({n_columns}). Received: align={align!r}")
    widths = [max(len(row[j]) for row in cells) for j in range(n_columns)]
    spacer = " " * gap
    return [spacer.join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths)).rstrip() for row in cells]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Lines of a Markdown table: header, ``---`` separator, one line per row; every cell escaped.

    Examples
    --------
    >>> from mlbalance._tables import markdown_table
    >>> print("\\n".join(markdown_table(["label", "F1"], [["a|b", "0.500"], ["<i>c</i>", "-"]])))
    | label | F1 |
    | --- | --- |
    | a\\|b | 0.500 |
    | &lt;i&gt;c&lt;/i&gt; | - |
    """
    _check_rows(headers, rows)
    return [_markdown_row(headers), "| " + " | ".join("---" for _ in headers) + " |",
            *(_markdown_row(row) for row in rows)]


def _markdown_row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(markdown_text(c) for c in cells) + " |"
