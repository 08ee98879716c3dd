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

__all__ = ["check_bool", "check_choice", "check_choice_or_number", "check_int", "check_mask_value", "check_number",
           "check_per_label", "check_random_state", "check_str"]


def _fail(name: str, what: str, value: Any, error: type[ValueError] = ValueError) -> ValueError:
    return error(f"Expected {name} to be {what}. Received: {name}={value!r}")


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
              allow_none: bool = False, error: type[ValueError] = ValueError) -> int | None:
    """An integer (not a bool, not a float) in ``[low, high]``, as ``int``.

    ``error`` is the exception class raised (``ValueError`` or a subclass of it).

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
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or (low is not None and value < low) or (high is not None and value > high):
        raise _fail(name, what, value, error)
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


def check_str(name: str, value: Any) -> str:
    """A string (possibly empty); anything else is an error.

    Examples
    --------
    >>> from mlbalance._validation import check_str
    >>> check_str("prefix", 3)
    Traceback (most recent call last):
    ...
    ValueError: Expected prefix to be a string. Received: prefix=3
    """
    if isinstance(value, str):
        return value
    raise _fail(name, "a string", value)


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


def check_choice_or_number(name: str, value: Any, allowed: Sequence[str], **bounds: Any) -> str | float:
    """One of the words ``allowed``, or a number as :func:`check_number` with ``bounds`` accepts it.

    Examples
    --------
    >>> from mlbalance._validation import check_choice_or_number
    >>> check_choice_or_number("on_zero", "max", ("raise", "one", "max"), low=0, low_open=True)
    'max'
    >>> check_choice_or_number("on_zero", 0, ("raise", "one", "max"), low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: Expected on_zero to be one of ('raise', 'one', 'max') or a finite number > 0. Received: on_zero=0
    """
    try:
        if isinstance(value, str):
            return check_choice(name, value, allowed)
        return check_number(name, value, **bounds)
    except ValueError:
        what = "a finite number" + _bounds_text(bounds.get("low"), bounds.get("high"), bounds.get("low_open", False),
                                                bounds.get("high_open", False))
        raise _fail(name, f"one of {tuple(allowed)!r} or {what}", value) from None


def check_per_label(name: str, value: Any, *, allow_none: bool = True,
                    upper: float | None = None) -> float | list[float] | None:
    """A scalar-or-per-label argument (``pos_weight``, ``alpha``, ...) as a ``float`` or a list of floats.

    ``value`` is a real number or a 1-D sequence / array (callers convert framework tensors to
    NumPy first). Negative, non-finite or (with ``upper``) too large values raise a ``ValueError``
    naming the label.

    Examples
    --------
    >>> from mlbalance._validation import check_per_label
    >>> check_per_label("pos_weight", 3), check_per_label("pos_weight", [1, 2.5])
    (3.0, [1.0, 2.5])
    >>> check_per_label("alpha", [0.25, 1.5], upper=1.0)
    Traceback (most recent call last):
    ...
    ValueError: Expected alpha to be a number in [0, 1] for every label. Received: alpha[1]=1.5 (label 1; 1 bad value(s) in all)
    """
    import numpy as np

    if value is None:
        if allow_none:
            return None
        raise ValueError(f"Expected {name} to be a number or one number per label. Received: {name}=None")
    if isinstance(value, bool):
        raise ValueError(f"Expected {name} to be a number or one number per label. Received: {name}={value!r}")
    if isinstance(value, numbers.Real):
        arr = np.asarray([float(value)])
        scalar = True
    else:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Expected {name} to be a number or a 1-D sequence of numbers. Received: {name}={value!r}") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"Expected {name} to be a number or a 1-D sequence (one value per label). "
                             f"Received: {name} with shape {arr.shape}")
        scalar = False
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | ((arr > upper) if upper is not None else False))
    if bad.size:
        bound = f"a number in [0, {upper:g}]" if upper is not None else "a finite number >= 0"
        if scalar:
            raise ValueError(f"Expected {name} to be {bound}. Received: {name}={float(arr[0])!r}")
        i = int(bad[0])
        raise ValueError(f"Expected {name} to be {bound} for every label. Received: {name}[{i}]={float(arr[i])!r} "
                         f"(label {i}; {bad.size} bad value(s) in all)")
    return float(arr[0]) if scalar else [float(v) for v in arr]


def check_mask_value(value: Any, *, name: str = "mask_value", error: type[ValueError] = ValueError) -> float | None:
    """``None`` or a real number other than the label values 0 and 1 (NaN allowed), as ``float``.

    ``error`` is the exception class raised (a ``ValueError`` subclass such as
    ``LabelFormatError``), so each caller keeps its own error type with the one wording.

    Examples
    --------
    >>> from mlbalance._validation import check_mask_value
    >>> check_mask_value(-1), check_mask_value(None)
    (-1.0, None)
    >>> check_mask_value(1)
    Traceback (most recent call last):
    ...
    ValueError: Expected mask_value to be None or a number other than 0 and 1 (which are label values), e.g. -1 or float('nan'). Received: mask_value=1
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value in (0, 1):
        raise _fail(name, "None or a number other than 0 and 1 (which are label values), "
                    "e.g. -1 or float('nan')", value, error)
    return float(value)


def check_random_state(name: str, value: Any) -> Any:
    """``None``, an int or a ``numpy.random.RandomState`` as a ``RandomState`` (scikit-learn's rule).

    ``None`` is NumPy's global ``RandomState`` (so ``np.random.seed`` applies), an int seeds a
    new one, and a ``RandomState`` is used as it is. scikit-learn is imported here, on first
    use, not when mlbalance is imported.

    Examples
    --------
    >>> from mlbalance._validation import check_random_state
    >>> int(check_random_state("random_state", 0).randint(100))
    44
    >>> check_random_state("random_state", "seed")
    Traceback (most recent call last):
    ...
    ValueError: Expected random_state to be None, an integer in [0, 2**32 - 1] or a numpy.random.RandomState. Received: random_state='seed'
    """
    from sklearn.utils import check_random_state as sklearn_check_random_state

    if isinstance(value, bool):
        raise _fail(name, "None, an integer in [0, 2**32 - 1] or a numpy.random.RandomState", value)
    try:
        return sklearn_check_random_state(value)
    except (TypeError, ValueError):
        raise _fail(name, "None, an integer in [0, 2**32 - 1] or a numpy.random.RandomState", value) from None
