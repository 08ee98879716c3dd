"""Shared data builders for the tests, as fixtures (``def test_x(make_data): y, s = make_data(200, 4)``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp


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


# The label matrix that every file of ``label_files`` holds.
LABEL_FILES_Y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])


@pytest.fixture
def label_files(tmp_path) -> dict:
    """One small label matrix (``LABEL_FILES_Y``, labels a, b, c) saved in every format mlbalance reads."""
    y = LABEL_FILES_Y
    paths = {}
    paths["npy"] = tmp_path / "y.npy"
    np.save(paths["npy"], y)
    paths["npz_dense"] = tmp_path / "dense.npz"
    np.savez(paths["npz_dense"], y=y, label_names=np.array(["a", "b", "c"]))
    paths["npz_sparse"] = tmp_path / "sparse.npz"
    sp.save_npz(paths["npz_sparse"], sp.csr_matrix(y))
    paths["csv"] = tmp_path / "y.csv"
    paths["csv"].write_text("a,b,c\n1,0,1\n0,0,1\n1,1,0\n")
    paths["csv_names"] = tmp_path / "names.csv"
    paths["csv_names"].write_text("tags\na|c\nc\na|b\n")
    return paths
