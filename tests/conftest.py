"""Shared data builders for the tests."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

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
