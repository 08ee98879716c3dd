"""Reading label, score, name and threshold files (mlbalance.io), as a user's files come."""

import os

import numpy as np
import pytest

import mlbalance
from mlbalance.datasets import seed_scenario_labels

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_CSV = os.path.join(ROOT, "examples", "seed_labels.csv")
Y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])


def test_every_format_reads_the_same_matrix(label_files):
    for key, path in label_files.items():
        m = mlbalance.read_labels(path)
        values = m.values.toarray() if m.is_sparse else m.values
        np.testing.assert_array_equal(values, Y, err_msg=key)
    assert mlbalance.read_labels(label_files["npz_dense"]).label_names == ("a", "b", "c")
    assert mlbalance.read_labels(label_files["csv_names"]).label_names == ("a", "b", "c")
    assert mlbalance.read_labels(label_files["npz_sparse"]).is_sparse


def test_file_errors_name_the_file_line_and_fix(tmp_path, label_files):
    with pytest.raises(FileNotFoundError, match="no such file"):
        mlbalance.read_labels(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,0\n0,yes\n")
    with pytest.raises(ValueError, match=r"bad.csv: line 3, column 1 \('b'\) holds non-numeric text 'yes'.*--label-column"):
        mlbalance.read_labels(bad)
    two = tmp_path / "two.csv"
    two.write_text("a,b\n1,0\n0,2\n")
    with pytest.raises(ValueError, match=r"two.csv: .*at line 3, column 1 \(label 'b'\): received 2\.\n"):
        mlbalance.read_labels(two)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,0\n1\n")
    with pytest.raises(ValueError, match="line 3 has 1 field"):
        mlbalance.read_labels(ragged)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="empty"):
        mlbalance.read_labels(tmp_path / "empty.csv")
    (tmp_path / "y.txt.gz").write_text("x")
    with pytest.raises(ValueError, match="unsupported file type '.gz'"):
        mlbalance.read_labels(tmp_path / "y.txt.gz")
    (tmp_path / "junk.npy").write_text("not numpy")
    with pytest.raises(ValueError, match="junk.npy: not a readable .npy"):
        mlbalance.read_labels(tmp_path / "junk.npy")
    np.savez(tmp_path / "many.npz", a=Y, b=Y)
    with pytest.raises(ValueError, match="name the label array 'y'"):
        mlbalance.read_labels(tmp_path / "many.npz")
    with pytest.raises(ValueError, match="no column named 'nope'"):
        mlbalance.read_labels(label_files["csv_names"], label_column="nope")


def test_read_scores(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("a,b\n0.1,0.9\n0.5,0.2\n")
    np.testing.assert_allclose(mlbalance.read_scores(path), [[0.1, 0.9], [0.5, 0.2]])
    with pytest.raises(FileNotFoundError):
        mlbalance.read_scores(tmp_path / "nope.npy")


def test_shipped_seed_file_is_the_deterministic_seed_matrix():
    m = mlbalance.read_labels(SEED_CSV)
    np.testing.assert_array_equal(m.values, seed_scenario_labels(random_state=0))
    assert m.label_names == tuple(str(j) for j in range(23))
