"""The command line (mlbalance.cli), as a user runs it."""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import mlbalance
from mlbalance.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_CSV = os.path.join(ROOT, "examples", "seed_labels.csv")


def test_cli_stats_and_weights_text_and_json(capsys, label_files):
    assert main(["stats", SEED_CSV]) == 0
    out = capsys.readouterr().out
    assert "MeanIR" in out and "no positives" in out

    assert main(["stats", str(label_files["npz_sparse"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"]["samples"] == 3

    assert main(["weights", SEED_CSV, "--strategy", "sqrt", "--max-weight", "30", "--on-zero", "one", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["labels"][2]["pos_weight"] == 30.0
    assert "warning" in captured.err and "1, 3, 9, 11, 13, 14, 18, 21" in captured.err

    assert main(["weights", str(label_files["csv"]), "--strategy", "balanced"]) == 0
    assert "pos_weight as a Python list" in capsys.readouterr().out


def test_cli_errors_are_one_clear_line(capsys, tmp_path):
    assert main(["weights", SEED_CSV]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlbalance: error:") and "on_zero='one'" in err and "Traceback" not in err
    assert main(["stats", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["weights", SEED_CSV, "--on-zero", "sometimes"])


def test_console_script_help_runs():
    exe = os.path.join(os.path.dirname(sys.executable), "mlbalance")
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True)
    assert "stats" in result.stdout and "weights" in result.stdout
    result = subprocess.run([exe, "weights", "--help"], capture_output=True, text=True, check=True)
    assert "--max-weight" in result.stdout and "--on-zero" in result.stdout


def test_cli_split_folds_and_three_way(tmp_path, capsys):
    out = tmp_path / "folds.csv"
    assert main(["split", SEED_CSV, "--folds", "5", "--seed", "0", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "row,split" and len(lines) == 6791
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    printed = capsys.readouterr()
    assert "quality: LD" in printed.out and "fewer than 5 positives" in printed.err
    folds = np.array([line.split(",")[1] for line in lines[1:]])
    assert sorted(np.unique(folds, return_counts=True)[1].tolist()) == [1358] * 5

    out = tmp_path / "tvt.csv"
    assert main(["split", SEED_CSV, "--test-size", "0.1", "--val-size", "0.1", "--seed", "1", "-o", str(out),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parts"] == ["train", "val", "test"] and data["part_sizes"] == [5432, 679, 679] and data["ED"] == 0


def test_cli_split_groups_column_and_refusals(tmp_path, capsys):
    path = tmp_path / "y.csv"
    rows = ["patient,a,b"] + [f"P{i // 3},{i % 2},{int(i % 5 == 0)}" for i in range(60)]
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    assert main(["split", str(path), "--folds", "3", "--groups", "patient", "-o", str(out)]) == 0
    assignment = [line.split(",")[1] for line in out.read_text().splitlines()[1:]]
    for g in range(20):  # rows of one patient share a fold
        assert len(set(assignment[3 * g:3 * g + 3])) == 1
    capsys.readouterr()
    assert main(["split", str(path), "--folds", "3", "--groups", "patient", "-o", str(path)]) == 2
    assert "refusing to write" in capsys.readouterr().err
    assert main(["split", str(path), "--folds", "3", "--groups", "nope", "-o", str(out)]) == 2


def test_cli_report_single_compare_and_errors(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = (rng.random((300, 4)) < 0.2).astype(int)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "good.npy", np.clip(0.4 * y + rng.random(y.shape) * 0.6, 0, 1))
    np.save(tmp_path / "flat.npy", np.full(y.shape, 0.1))
    (tmp_path / "names.txt").write_text("cat\ndog\nbird\nfish\n")
    (tmp_path / "t.txt").write_text("0.5\n0.4\n0.6\n0.5\n")
    out = tmp_path / "r.html"
    assert main(["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "good.npy"),
                 "--labels", str(tmp_path / "names.txt"), "--thresholds", str(tmp_path / "t.txt"),
                 "--train-labels", str(tmp_path / "y.npy"), "-o", str(out)]) == 0
    assert "fish" in out.read_text() and "F1 micro" in capsys.readouterr().out
    out = tmp_path / "c.json"
    assert main(["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "flat.npy"),
                 "--y-score", str(tmp_path / "good.npy"), "--name", "bce", "--name", "weighted",
                 "--thresholds", "tune", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["runs"] == ["bce", "weighted"]
    capsys.readouterr()
    np.save(tmp_path / "narrow.npy", np.zeros((300, 3)))
    assert main(["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "narrow.npy")]) == 2
    err = capsys.readouterr().err
    assert "narrow.npy" in err and "shape (300, 3)" in err and "y.npy" in err
    bad = np.full(y.shape, 0.5)
    bad[7, 2] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    assert main(["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "nan.npy")]) == 2
    assert "row 7, column 2" in capsys.readouterr().err
    assert main(["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "good.npy"),
                 "--thresholds", str(tmp_path / "names.txt")]) == 2


def _write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(str(v) for v in row) + "\n" for row in rows))


def _tune_files(tmp_path):
    """Validation labels with ids, scores in another row and column order, and a held-out part."""
    rng = np.random.default_rng(4)
    names = ["cat", "dog", "bird", "owl"]
    y = (rng.random((240, 4)) < [0.3, 0.2, 0.1, 0.01]).astype(int)
    y[:3, 3] = 0
    y[0, 3] = 1  # owl: one positive in the validation half
    s = np.clip(0.4 * y + 0.6 * rng.random(y.shape), 0, 1)
    ids = [f"r{i}" for i in range(240)]
    val, held = np.arange(120), np.arange(120, 240)
    _write_csv(tmp_path / "val_y.csv", ["id", *names], [[ids[i], *y[i]] for i in val])
    order = rng.permutation(val)
    _write_csv(tmp_path / "val_s.csv", ["id", *names[::-1]], [[ids[i], *map(repr, s[i, ::-1].tolist())] for i in order])
    _write_csv(tmp_path / "test_y.csv", ["id", *names], [[ids[i], *y[i]] for i in held])
    _write_csv(tmp_path / "test_s.csv", ["id", *names], [[ids[i], *map(repr, s[i].tolist())] for i in held])
    return names, y[val], s[val]


def test_cli_tune_writes_what_report_reads_and_report_knows_the_tuning_rows(tmp_path, capsys):
    from sklearn.metrics import f1_score

    names, y, s = _tune_files(tmp_path)
    out = tmp_path / "thresholds.json"
    f = {k: str(tmp_path / f"{k}.csv") for k in ("val_y", "val_s", "test_y", "test_s")}
    assert main(["tune", "--y-true", f["val_y"], "--y-score", f["val_s"], "--id-column", "id", "--cv", "3",
                 "--seed", "0", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "tuned 3 of 4 label(s) for F1" in captured.out and "owl" in captured.out and "out-of-fold F1" in captured.out
    assert "owl" in captured.err and "Traceback" not in captured.err  # the fallback warning names it
    saved = json.loads(out.read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = mlbalance.tune_thresholds(y, s, label_names=names)
    assert [x["threshold"] for x in saved["labels"]] == expected.thresholds.tolist()  # the library's, exactly
    for j, x in enumerate(saved["labels"][:3]):  # the F1 it reports is scikit-learn's at that threshold
        assert x["tuned_score"] == pytest.approx(f1_score(y[:, j], s[:, j] >= x["threshold"]), abs=1e-12)
    assert saved["labels"][3]["fallback"] and saved["labels"][3]["threshold"] == 0.5

    assert main(["report", "--y-true", f["val_y"], "--y-score", f["val_s"], "--id-column", "id",
                 "--thresholds", str(out)]) == 0
    assert "thresholds tuned on these rows (optimistic)" in capsys.readouterr().out.splitlines()[0]
    assert main(["report", "--y-true", f["test_y"], "--y-score", f["test_s"], "--id-column", "id",
                 "--thresholds", str(out)]) == 0
    assert "thresholds tuned per label" in capsys.readouterr().out.splitlines()[0]
    md = tmp_path / "c.md"
    assert main(["report", "--y-true", f["val_y"], "--y-score", f["val_s"], "--y-score", f["test_s"],
                 "--id-column", "id", "--name", "val", "--name", "other", "--thresholds", str(out),
                 "-o", str(md)]) == 2  # test_s has other ids: refused, not mixed up
    assert "r120" in capsys.readouterr().err
    shifted = tmp_path / "val_s2.csv"
    _write_csv(shifted, ["id", *names], [[f"r{i}", *map(repr, (s[i] * 0.9).tolist())] for i in range(120)])
    assert main(["report", "--y-true", f["val_y"], "--y-score", f["val_s"], "--y-score", str(shifted),
                 "--id-column", "id", "--name", "val", "--name", "other", "--thresholds", str(out),
                 "-o", str(md)]) == 0
    printed = capsys.readouterr().out
    line = "thresholds: val tuned on these rows (optimistic); other tuned per label"
    assert line in printed and line in md.read_text()


@pytest.mark.parametrize("change, words", [
    (lambda d: (d / "val_s.csv").write_text((d / "val_s.csv").read_text().replace(",dog", ",dgo", 1)),
     "label(s) missing from it: ['dog']"),
    (lambda d: (d / "val_s.csv").write_text((d / "val_s.csv").read_text().replace("0.", "nan#", 1).replace("#", "")),
     "line 2"),
    (lambda d: (d / "names.txt").write_text("cat\ndog\nbird\nemu\n"), "'emu'"),
])
def test_cli_tune_bad_inputs_are_one_clear_line(tmp_path, capsys, change, words):
    _tune_files(tmp_path)
    (tmp_path / "names.txt").write_text("cat\ndog\nbird\nowl\n")
    change(tmp_path)
    out = tmp_path / "t.json"
    code = main(["tune", "--y-true", str(tmp_path / "val_y.csv"), "--y-score", str(tmp_path / "val_s.csv"),
                 "--labels", str(tmp_path / "names.txt"), "--id-column", "id", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("mlbalance: error: ") and err.count("\n") == 1, err
    assert words in err and "Traceback" not in err and not out.exists()


def test_cli_tune_refuses_to_overwrite_its_input(tmp_path, capsys):
    _tune_files(tmp_path)
    before = (tmp_path / "val_y.csv").read_text()
    os.symlink(tmp_path / "val_y.csv", tmp_path / "y.json")
    assert main(["tune", "--y-true", str(tmp_path / "val_y.csv"), "--y-score", str(tmp_path / "val_s.csv"),
                 "--id-column", "id", "-o", str(tmp_path / "y.json")]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and "--y-true" in err and (tmp_path / "val_y.csv").read_text() == before
