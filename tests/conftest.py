"""Shared data builders for the tests (as fixtures: ``def test_x(make_data): y, s = make_data(200, 4)``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest


def _make_data(n: int = 300, q: int = 8, seed: int = 0, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Multi-hot ``y`` (n, q) with prevalences in [0.05, 0.35] and a last label without positives, and
    probability scores that rank positives higher (``0.35 * y`` plus uniform noise; rounded to 0.1 with ``ties``)."""
    rng = np.random.default_rng(seed)
    prevalence = rng.random(q) * 0.3 + 0.05
    y = (rng.random((n, q)) < prevalence).astype(int)
    y[:, -1] = 0  # a label without support
    scores = np.clip(0.35 * y + rng.random((n, q)) * 0.65, 0, 1)
    if ties:
        scores = np.round(scores, 1)
    return y, scores


def _quiet(fn: Callable, *args: object, **kwargs: object) -> object:
    """``fn(*args, **kwargs)`` with its UserWarnings silenced (for tests about something else)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


@pytest.fixture
def make_data() -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """The builder ``make_data(n=300, q=8, seed=0, ties=False) -> (y, scores)``."""
    return _make_data


@pytest.fixture
def quiet() -> Callable:
    """``quiet(fn, *args, **kwargs)``: call ``fn`` with UserWarnings silenced."""
    return _quiet
