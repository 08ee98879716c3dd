"""Names made safe to show: terminal text without control sequences, Markdown without raw HTML.

Label and run names come from users' files. Printed as they are, a name can carry an ANSI
escape sequence (which recolours, clears or retitles the terminal) or raw HTML (a
``<script>`` runs when the Markdown is rendered). Every ``to_text`` / ``__str__`` passes
names through :func:`terminal_text` and every ``to_markdown`` through :func:`markdown_text`;
HTML output uses :func:`html.escape`; JSON keeps names exactly (it is data, not display).
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_text", "terminal_text"]

# ANSI CSI (ESC [ ... final byte) and OSC (ESC ] ... BEL or ESC \) sequences, other two-byte
# ESC sequences, then any remaining C0/C1 control character and the Unicode bidirectional
# overrides that can make a name display as something else.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"[\t\n\r]+")


def terminal_text(text: object) -> str:
    """``str(text)`` without terminal control sequences; tabs and line breaks become one space.

    Examples
    --------
    >>> from mlbalance._text import terminal_text
    >>> terminal_text("\\x1b[31mred\\x1b[0m label\\nnext")
    'red label next'
    """
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    return _CONTROL.sub("", _LINE_BREAK.sub(" ", text))


def markdown_text(text: object) -> str:
    """``str(text)`` for a Markdown table cell or line: HTML escaped, ``|`` and ``\\`` escaped.

    Control characters are removed as by :func:`terminal_text` (a Markdown file is often read
    in a terminal), and line breaks become spaces so a name cannot end a table row.

    Examples
    --------
    >>> from mlbalance._text import markdown_text
    >>> markdown_text("<script>alert(1)</script> | a&b")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\\\| a&amp;b'
    """
    text = html.escape(terminal_text(text), quote=False)
    return text.replace("\\", "\\\\").replace("|", "\\|")
