"""The output directory: checked before anything trains; reports and the saved model written atomically.

Files written to ``output_dir``: ``demo_report.html`` and ``demo_report.json`` (the comparison of
every run, with the per-label tables), ``best_model.keras`` (the recipe's model, built by
:func:`mlbalance.retrain_classifier`) and ``best_thresholds.json`` (its per-label thresholds, as
:meth:`mlbalance.TunedThresholds.to_dict`). Each file is written to a temporary file beside it
and moved over it (``os.replace``): a failed run leaves the previous file whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any

REPORT_FILES = ("demo_report.html", "demo_report.json")
MODEL_FILES = ("best_model.keras", "best_thresholds.json")


class OutputPathError(ValueError):
    """An output path that cannot be written, or that would overwrite an input."""


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def prepare_output_dir(output_dir: str | os.PathLike, inputs: dict | None = None, *,
                       option: str = "output_dir") -> list[str]:
    """Create ``output_dir`` if needed and check its files can be written; return their paths.

    Done before any training: ``output_dir`` must not be an existing file and must be writable,
    and no output file may resolve (symlinks followed, hard links too) to one of ``inputs``
    (``{what: path}``). Raises ``OutputPathError``.

    Examples
    --------
    >>> import os, tempfile
    >>> from seed_scenario.output import prepare_output_dir
    >>> folder = os.path.join(tempfile.mkdtemp(), "out")
    >>> [os.path.basename(p) for p in prepare_output_dir(folder)], os.path.isdir(folder)
    (['demo_report.html', 'demo_report.json', 'best_model.keras', 'best_thresholds.json'], True)
    """
    folder = os.fspath(output_dir)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise OutputPathError(f"{option} {folder} is an existing file, not a directory; choose a directory "
                              "(it is created if missing).")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise OutputPathError(f"{option} {folder}: cannot create the directory ({err.strerror or err}).") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{option} {folder}: the directory is not writable.")
    paths = [os.path.join(folder, name) for name in REPORT_FILES + MODEL_FILES]
    for path in paths:
        if os.path.isdir(path):
            raise OutputPathError(f"{option}: {path} is a directory; remove it or choose another {option}.")
        for what, given in (inputs or {}).items():
            if given is not None and (os.path.realpath(path) == os.path.realpath(given) or _same_file(path, given)):
                raise OutputPathError(f"refusing to write {path}: it is the input {what} ({given}); writing would "
                                      f"destroy it. Choose another {option}.")
    return paths


@contextlib.contextmanager
def replaced_atomically(path: str) -> Iterator[str]:
    """Yield a temporary path beside ``path`` (same extension); on success it replaces ``path``."""
    folder, name = os.path.split(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=folder)
    os.close(fd)
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def save_model(model: Any, thresholds: Any, model_path: str, thresholds_path: str) -> None:
    """Save a Keras model (``.keras``) and its ``TunedThresholds`` (JSON), each atomically."""
    with replaced_atomically(model_path) as temporary:
        model.save(temporary)
    with replaced_atomically(thresholds_path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        json.dump(thresholds.to_dict(), handle, indent=2, allow_nan=False)


def usage_lines(model_path: str, thresholds_path: str) -> list[str]:
    """How to load and use the saved model: four lines of Python."""
    return ["    import json, keras",
            f"    model = keras.saving.load_model({model_path!r})",
            f"    thresholds = [x['threshold'] for x in json.load(open({thresholds_path!r}))['labels']]",
            "    predicted = model.predict(x) >= thresholds  # x: (n, T, features), zero-padded after each sequence"]
