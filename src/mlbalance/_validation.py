"""Argument checks shared by every module: one wording, one place.

Each check returns the value in a normalised form (``float``, ``int``, ...) or raises a
``ValueError`` that reads ``Expected <name> to be <what>. Received: <name>=<value!r>``,
as Keras' own argument errors do. Data checks (label matrices, scores) live next to the
data they check; these are for scalar arguments.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = ["check_bool", "check_choice", "check_int", "check_number"]


def _fail(name: str, what: str, value: Any) -> ValueError:
    return ValueError(f"Expected {name} to be {what}. Received: {name}={value!r}")


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, allow_none: bool = False) -> float | None:
    """A finite real number (not a bool) inside the given bounds, as ``float``.

    Examples
    --------
    >>> from mlbalance._validation import check_number
    >>> check_number("clip", 0.05, low=0, high=1, high_open=True)
    0.05
    >>> check_number("clip", float("nan"), low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: Expected clip to be a finite number in [0, 1]. Received: clip=nan
    """
    if value is None and allow_none:
        return None
    what = "a finite number" + _bounds_text(low, high, low_open, high_open)
    if allow_none:
        what += " or None"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise _fail(name, what, value)
    if low is not None and (value <= low if low_open else value < low):
        raise _fail(name, what, value)
    if high is not None and (value >= high if high_open else value > high):
        raise _fail(name, what, value)
    return float(value)


def _bounds_text(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None,
              allow_none: bool = False) -> int | None:
    """An integer (not a bool, not a float) in ``[low, high]``, as ``int``.

    Examples
    --------
    >>> from mlbalance._validation import check_int
    >>> check_int("n_splits", 5, low=2)
    5
    >>> check_int("n_splits", 2.0, low=2)
    Traceback (most recent call last):
    ...
    ValueError: Expected n_splits to be an integer >= 2. Received: n_splits=2.0
    """
    if value is None and allow_none:
        return None
    what = "an integer" + _bounds_text(low, high, False, False) + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail(name, what, value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(name, what, value)
    return int(value)


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (NumPy bools too); anything else is an error.

    Examples
    --------
    >>> from mlbalance._validation import check_bool
    >>> check_bool("shuffle", "yes")
    Traceback (most recent call last):
    ...
    ValueError: Expected shuffle to be True or False. Received: shuffle='yes'
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise _fail(name, "True or False", value)


def check_choice(name: str, value: Any, allowed: Sequence) -> Any:
    """One of ``allowed`` (compared with ``==``, type-strict for strings).

    Examples
    --------
    >>> from mlbalance._validation import check_choice
    >>> check_choice("placement", "low", ("midpoint", "low", "high"))
    'low'
    >>> check_choice("placement", "lo", ("midpoint", "low", "high"))
    Traceback (most recent call last):
    ...
    ValueError: Expected placement to be one of ('midpoint', 'low', 'high'). Received: placement='lo'
    """
    for option in allowed:
        if type(option) is type(value) and option == value or (option is None and value is None):
            return value
    raise _fail(name, f"one of {tuple(allowed)!r}", value)
