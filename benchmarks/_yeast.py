"""The Yeast multi-label data set as it ships inside the ``river`` wheel (no download).

river 0.26.1 (BSD-3-Clause, https://riverml.xyz) bundles ``river/datasets/yeast.csv.gz``: the
MULAN version of Yeast (Elisseeff and Weston, "A kernel method for multi-labelled
classification", NeurIPS 2001; Tsoumakas et al., "MULAN: A Java library for multi-label
learning", JMLR 2011), 2,417 genes x 103 numeric expression/phylogenetic features, 14
functional-category labels (river's docstring: it matches OpenML data set 40597). The file is
read straight from the installed package (river itself is not imported) and its columns are
matched by header name: ``Att1`` .. ``Att103`` are the features, ``Class1`` .. ``Class14`` the
labels.

    pip install ".[bench]"      # river==0.26.1
"""

from __future__ import annotations

import csv
import gzip
import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np

FEATURES = tuple(f"Att{i}" for i in range(1, 104))
LABELS = tuple(f"Class{i}" for i in range(1, 15))
N_ROWS = 2417
INSTALL = 'pip install ".[bench]" (river==0.26.1, whose wheel ships river/datasets/yeast.csv.gz)'


def yeast_path() -> Path:
    """Where the installed river keeps ``yeast.csv.gz``; a clear error if river or the file is missing."""
    spec = importlib.util.find_spec("river")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"Expected the package river to be installed for the Yeast data set. "
                                  f"Received: no module named 'river'. Install it with {INSTALL}.")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "yeast.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"Expected river to ship {path} (river >= 0.26.1 does). Received: river "
                                f"{importlib.metadata.version('river')} without it. Install it with {INSTALL}.")
    return path


def parse_rows(path: Path, header: list[str], rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """X (float64) and y (int8) from the CSV's header and rows, columns matched by name; errors name row and column."""
    where = {name: j for j, name in enumerate(header)}
    missing = [name for name in FEATURES + LABELS if name not in where]
    if missing:
        raise ValueError(f"Expected {path} to have the columns Att1..Att103 and Class1..Class14. "
                         f"Received: a header without {missing[:5]} ({len(missing)} missing).")
    if len(rows) != N_ROWS:
        raise ValueError(f"Expected {N_ROWS} data rows in {path}. Received: {len(rows)}.")
    table = np.array(rows, dtype=object)
    x = table[:, [where[n] for n in FEATURES]].astype(np.float64)
    labels = table[:, [where[n] for n in LABELS]]
    bad = np.argwhere(~np.isin(labels, ("0", "1")))
    if bad.size:
        row, col = bad[0]
        raise ValueError(f"Expected 0 or 1 in every label column of {path}. Received: {labels[row, col]!r} in "
                         f"column {LABELS[col]}, data row {row + 1} (file line {row + 2}).")
    if not np.isfinite(x).all():
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"Expected finite features in {path}. Received: {x[row, col]!r} in column "
                         f"{FEATURES[col]}, data row {row + 1} (file line {row + 2}).")
    return x, (labels == "1").astype(np.int8)


def load_yeast() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """``(X, y, label_names, source)``: X float64 (2417, 103), y int8 (2417, 14), source names the file."""
    path = yeast_path()
    with gzip.open(path, "rt", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    x, y = parse_rows(path, header, rows)
    return x, y, LABELS, f"river {importlib.metadata.version('river')}: {path.name}"
