"""Writing files safely: atomic replacement, and outputs that can never overwrite an input.

Every file mlbalance writes goes through :func:`atomic_open` (or :func:`write_text`): the
content is written to a temporary file in the destination's own directory, flushed and
``fsync``-ed, then moved over the destination with :func:`os.replace`. A reader therefore
sees either the previous file or the complete new one, never a truncated mix; an error
while writing (a full disk, an exception in the caller, a kill) leaves the previous file
untouched and removes the temporary file.

:func:`check_output` is the one guard every command uses before any work: the output path
must not resolve (symlinks followed) to any input, nor be a hard link to one, must not be a directory, and its
directory must exist and be writable.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

__all__ = ["OutputPathError", "atomic_open", "check_output", "write_text"]


class OutputPathError(ValueError):
    """An output path that cannot be written, or that would overwrite an input.

    Examples
    --------
    >>> from mlbalance._files import OutputPathError, check_output
    >>> try:
    ...     check_output("labels.csv", {"LABELS": "labels.csv"})
    ... except OutputPathError as err:
    ...     print(str(err).split(";")[0])
    refusing to write labels.csv: it is the input LABELS (labels.csv)
    """


def _resolve(path: str | os.PathLike) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def check_output(output: str | os.PathLike, inputs: dict | Iterable = (), *, option: str = "-o") -> str:
    """Check an output path before any work is done; return it as a string.

    Parameters
    ----------
    output : path-like
        The file about to be written.
    inputs : dict of {what: path} or iterable of paths
        Every file the command reads. ``None`` entries are skipped. The output may not
        resolve (``os.path.realpath``: symlinks followed, ``..`` collapsed) to any of them.
    option : str, default "-o"
        How the output was named, for the message.

    Raises
    ------
    OutputPathError
        The output is an input, is a directory, or its directory is missing or not writable.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance._files import check_output
    >>> folder = tempfile.mkdtemp()
    >>> check_output(os.path.join(folder, "out.csv"), [os.path.join(folder, "in.csv")]).endswith("out.csv")
    True
    """
    out = os.fspath(output)
    items = inputs.items() if isinstance(inputs, dict) else ((None, p) for p in inputs)
    target = _resolve(out)
    for what, path in items:
        if path is None:
            continue
        if _resolve(path) == target or _same_file(out, path):
            label = f"the input {what} ({os.fspath(path)})" if what else f"the input {os.fspath(path)}"
            raise OutputPathError(
                f"refusing to write {out}: it is {label}; writing would destroy it. Choose another {option} path."
            )
    if os.path.isdir(out):
        raise OutputPathError(f"{option} {out} is a directory; give a file name inside it.")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise OutputPathError(f"{option} {out}: the directory {os.path.dirname(out) or '.'} does not exist; "
                              "create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{option} {out}: the directory {os.path.dirname(out) or '.'} is not writable.")
    return out


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` atomically.

    On any exception inside the ``with`` block (or while flushing), the temporary file is
    removed, ``path`` keeps its previous content, and the error is re-raised as an
    ``OSError`` naming ``path`` (other exceptions propagate unchanged).

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance._files import atomic_open
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> with atomic_open(path) as handle:
    ...     _ = handle.write("complete")
    >>> open(path).read()
    'complete'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"Expected mode to be 'w' or 'wb'. Received: mode={mode!r}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise OSError(f"{path}: cannot create a file in {folder} ({err.strerror or err}).") from None
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        mode_bits = _existing_mode(path)
        if mode_bits is not None:
            os.chmod(tmp, mode_bits)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and path not in str(err):
            message = f"{path}: writing failed ({err.strerror or err}); the previous file, if any, is unchanged."
            raise (OSError(err.errno, message) if err.errno else OSError(message)) from None
        raise


def _same_file(a: str, b: str | os.PathLike) -> bool:
    """Whether two existing paths are one file (a hard link, a bind mount); False if either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _existing_mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike | None, text: str) -> str:
    """Write ``text`` to ``path`` atomically (UTF-8); ``path=None`` writes nothing. Returns ``text``.

    Examples
    --------
    >>> import os, tempfile
    >>> from mlbalance._files import write_text
    >>> path = os.path.join(tempfile.mkdtemp(), "r.md")
    >>> write_text(path, "# report\\n") == open(path).read()
    True
    """
    if path is not None:
        with atomic_open(path) as handle:
            handle.write(text)
    return text
