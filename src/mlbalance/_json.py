"""Plain-data numbers and JSON text that can never hold NaN or infinity.

Every ``to_dict`` turns its floats with :func:`finite_or_none` (an undefined figure becomes
``None``, i.e. ``null``) and every ``to_json`` goes through :func:`dumps`, which refuses NaN
and infinity (``allow_nan=False``) whatever the caller passes, so a NaN cannot reach a file or
a terminal silently. Computing code may import this module: it renders nothing.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps", "finite_or_none"]


def finite_or_none(x: Any, digits: int = 6) -> float | None:
    """``x`` as a float rounded to ``digits``; None for None, NaN or infinity (undefined).

    Examples
    --------
    >>> from mlbalance._json import finite_or_none
    >>> finite_or_none(2 / 3), finite_or_none(float("nan")), finite_or_none(None)
    (0.666667, None, None)
    """
    if x is None:
        return None
    x = float(x)
    return round(x, digits) if math.isfinite(x) else None


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps(data, **kwargs)`` with ``allow_nan=False`` always.

    Examples
    --------
    >>> from mlbalance._json import dumps
    >>> dumps({"f1": None})
    '{"f1": null}'
    >>> dumps({"f1": float("nan")})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Out of range float values are not JSON compliant...
    """
    return json.dumps(data, **{**kwargs, "allow_nan": False})
