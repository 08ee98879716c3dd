"""benchmarks/bench_realdata.py: the Yeast loader against river's own reader, and the --quick run.

river (in the ``test`` extra for Python >= 3.11) ships the data file; the tests skip only where
river is not installed.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("river") is None,
                                reason='river is not installed (pip install ".[test]" installs it on Python >= 3.11)')

# Positives per label of MULAN's Yeast (Elisseeff and Weston, 2001), Class1 .. Class14.
YEAST_POSITIVES = [762, 1038, 983, 862, 722, 597, 428, 480, 178, 253, 289, 1816, 1799, 34]


def _load(name: str, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_loader_matches_river_reader(monkeypatch):
    from river.datasets import Yeast

    x, y, names, source = _load("_yeast", monkeypatch).load_yeast()
    assert x.shape == (2417, 103) and y.shape == (2417, 14) and source.startswith("river 0.26")
    assert y.sum(axis=0).tolist() == YEAST_POSITIVES
    rows = list(Yeast())  # river's own CSV reader: (features dict, labels dict) per row
    assert len(rows) == 2417
    np.testing.assert_array_equal(x, [[row[f"Att{i}"] for i in range(1, 104)] for row, _ in rows])
    np.testing.assert_array_equal(y, [[labels[n] for n in names] for _, labels in rows])


def test_loader_names_what_is_wrong(monkeypatch, tmp_path):
    yeast = _load("_yeast", monkeypatch)
    path = yeast.yeast_path()
    with gzip.open(path, "rt") as f:
        header, *rows = [line.rstrip("\n").split(",") for line in f]
    with pytest.raises(ValueError, match=r"without \['Class14'\] \(1 missing\)"):
        yeast.parse_rows(path, header[:-1] + ["Other"], rows)
    rows[4][header.index("Class3")] = "2"
    with pytest.raises(ValueError, match=r"Received: '2' in column Class3, data row 5 \(file line 6\)"):
        yeast.parse_rows(path, header, rows)
    with pytest.raises(ValueError, match="Expected 2417 data rows"):
        yeast.parse_rows(path, header, rows[:10])


def test_quick_run_has_every_method_with_finite_figures(monkeypatch, capsys):
    bench = _load("bench_realdata", monkeypatch)
    results, facts = bench.main(["--quick"])
    out = capsys.readouterr().out
    assert facts["folds_run"] == 2 and facts["epochs"] == 1 and facts["labels_without_test_positives"] == 0
    assert set(results) == set(bench.METHODS)
    for key, title in bench.METHODS.items():
        r = results[key]
        assert r.not_run is None, f"{title}: {r.not_run}"
        assert len(r.macro_f1) == len(r.micro_f1) == len(r.never_predicted) == 2
        for value in r.macro_f1 + r.micro_f1:
            assert math.isfinite(value) and 0 <= value <= 1
        assert all(0 <= n <= 14 for n in r.never_predicted)
        line = next(line for line in out.splitlines() if line.startswith(f"| {title.replace('<', '&lt;')} |"))
        assert "undefined" not in line and "nan" not in line
    assert "not run" not in out
