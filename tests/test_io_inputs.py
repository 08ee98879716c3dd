"""Inputs are matched by name, never by position; every bad input names its file and line (issue #16)."""

import json

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

import mlbalance
from mlbalance.cli import main
from mlbalance.io import read_group_ids, read_label_file, read_label_names, read_scores, read_thresholds

NAMES = ["cat", "dog", "bird", "fish"]


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, len(NAMES))) < 0.3).astype(int)
    y[:4] = np.eye(4, dtype=int)  # every label has positives and negatives
    y[4] = 0
    scores = np.clip(0.3 * y + 0.7 * rng.random(y.shape), 0, 1).round(6)
    return y, scores


def _write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _report(tmp_path, capsys, *args):
    out = tmp_path / "report.json"
    status = main(["report", *args, "-o", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(out.read_text())


def _assert_aucs(data, y, scores):
    """The report's per-label ROC AUCs are scikit-learn's on the aligned columns (the JSON keeps 6 digits)."""
    expected = [roc_auc_score(y[:, j], scores[:, j]) for j in range(y.shape[1])]
    np.testing.assert_allclose([label["roc_auc"] for label in data["labels"]], expected, atol=1e-6)
    return expected


def _error(capsys, *argv):
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlbalance: error:") and "Traceback" not in err
    return err


# --------------------------------------------------------------------------------------
# Score columns are matched to the labels by name
# --------------------------------------------------------------------------------------
def test_report_matches_score_csv_columns_by_header_name(tmp_path, capsys):
    y, scores = _data()
    y_path = _write_csv(tmp_path / "y.csv", NAMES, y)
    order = [2, 0, 3, 1]
    s_path = _write_csv(tmp_path / "s.csv", [NAMES[j] for j in order], scores[:, order])
    data = _report(tmp_path, capsys, "--y-true", y_path, "--y-score", s_path)
    expected = _assert_aucs(data, y, scores)
    assert [label["name"] for label in data["labels"]] == NAMES
    assert min(expected) > 0.75 and len(set(expected)) == 4  # reading by position gave AUCs near 0.5


def test_score_csv_with_missing_or_extra_names_is_an_error_listing_them(tmp_path, capsys):
    y, scores = _data()
    y_path = _write_csv(tmp_path / "y.csv", NAMES, y)
    s_path = _write_csv(tmp_path / "s.csv", ["cat", "dog", "bird", "cow"], scores)
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", s_path)
    assert "s.csv" in err and "'fish'" in err and "'cow'" in err
    s_path = _write_csv(tmp_path / "id_first.csv", ["id", *NAMES], [[k, *row] for k, row in enumerate(scores)])
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", s_path)
    assert "'id'" in err and "--id-column" in err


def test_unnamed_labels_against_a_named_score_csv_ask_for_label_names(tmp_path, capsys):
    y, scores = _data()
    np.save(tmp_path / "y.npy", y)
    s_path = _write_csv(tmp_path / "s.csv", NAMES[::-1], scores[:, ::-1])
    err = _error(capsys, "report", "--y-true", str(tmp_path / "y.npy"), "--y-score", s_path)
    assert "--labels" in err and "s.csv" in err
    (tmp_path / "names.txt").write_text("\n".join(NAMES) + "\n")
    data = _report(tmp_path, capsys, "--y-true", str(tmp_path / "y.npy"), "--y-score", s_path,
                   "--labels", str(tmp_path / "names.txt"))
    _assert_aucs(data, y, scores)
    # a header of the default names 0..q-1, in another order, is matched to the .npy's columns
    s_path = _write_csv(tmp_path / "numbered.csv", ["3", "2", "1", "0"], scores[:, ::-1])
    np.testing.assert_array_equal(read_scores(s_path, label_names=["0", "1", "2", "3"]), scores)


def test_npy_scores_are_in_label_order_and_npz_label_names_are_matched(tmp_path):
    _, scores = _data()
    np.save(tmp_path / "s.npy", scores)
    np.testing.assert_array_equal(read_scores(tmp_path / "s.npy", label_names=NAMES), scores)
    np.savez(tmp_path / "s.npz", scores=scores[:, ::-1], label_names=np.array(NAMES[::-1]))
    np.testing.assert_array_equal(read_scores(tmp_path / "s.npz", label_names=NAMES), scores)
    bad = scores.copy()
    bad[3, 1] = np.inf
    np.save(tmp_path / "inf.npy", bad)
    with pytest.raises(ValueError, match=r"inf.npy: 1 non-finite score\(s\); the first is at row 3, column 1: inf"):
        read_scores(tmp_path / "inf.npy")
    np.savez(tmp_path / "two.npz", a=scores, b=scores)
    with pytest.raises(ValueError, match=r"two.npz: the .npz holds arrays \['a', 'b'\]; name the score array"):
        read_scores(tmp_path / "two.npz")


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_score_csv_in_any_column_and_row_order_reads_back_aligned(tmp_path_factory, data):
    n = data.draw(st.integers(1, 12))
    q = data.draw(st.integers(1, 6))
    names = [f"l{j}" for j in range(q)]
    ids = [f"r{k:03d}" for k in range(n)]
    values = np.array(data.draw(st.lists(st.lists(st.floats(0, 1, width=32), min_size=q, max_size=q),
                                         min_size=n, max_size=n)), dtype=np.float64)
    cols = data.draw(st.permutations(range(q)))
    rows = data.draw(st.permutations(range(n)))
    id_at = data.draw(st.integers(0, q))
    header = [names[j] for j in cols]
    header.insert(id_at, "id")
    body = []
    for k in rows:
        cells = [repr(float(values[k, j])) for j in cols]
        cells.insert(id_at, ids[k])
        body.append(cells)
    path = _write_csv(tmp_path_factory.mktemp("s") / "s.csv", header, body)
    np.testing.assert_array_equal(read_scores(path, label_names=names, ids=ids, id_column="id"), values)


# --------------------------------------------------------------------------------------
# Row ids
# --------------------------------------------------------------------------------------
def test_report_joins_score_rows_to_label_rows_on_the_id_column(tmp_path, capsys):
    y, scores = _data()
    ids = [f"img{k:04d}" for k in range(len(y))]
    y_path = _write_csv(tmp_path / "y.csv", ["id", *NAMES], [[ids[k], *y[k]] for k in range(len(y))])
    rows = np.random.default_rng(1).permutation(len(y))
    s_path = _write_csv(tmp_path / "s.csv", [*NAMES, "id"], [[*scores[k], ids[k]] for k in rows])
    data = _report(tmp_path, capsys, "--y-true", y_path, "--y-score", s_path, "--id-column", "id")
    _assert_aucs(data, y, scores)
    # an id missing on one side, or repeated, is an error naming it
    _write_csv(tmp_path / "short.csv", [*NAMES, "id"], [[*scores[k], ids[k]] for k in rows if k != 7])
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", str(tmp_path / "short.csv"), "--id-column", "id")
    assert "short.csv" in err and "'img0007'" in err
    body = [[*scores[k], ids[k]] for k in range(len(y))] + [[*scores[0], "stray"]]
    _write_csv(tmp_path / "extra.csv", [*NAMES, "id"], body)
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", str(tmp_path / "extra.csv"), "--id-column", "id")
    assert "'stray'" in err
    body = [[*scores[k], ids[k]] for k in range(len(y))]
    body[5][-1] = ids[3]
    _write_csv(tmp_path / "twice.csv", [*NAMES, "id"], body)
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", str(tmp_path / "twice.csv"), "--id-column", "id")
    assert "twice.csv" in err and "'img0003'" in err and "lines 5 and 7" in err


def test_repeated_or_empty_ids_in_the_label_file_are_errors(tmp_path):
    path = _write_csv(tmp_path / "y.csv", ["id", "a"], [["x", 1], ["y", 0], ["x", 1]])
    with pytest.raises(ValueError, match=r"y.csv: id 'x' \(column 'id'\) is repeated, on lines 2 and 4"):
        read_label_file(path, id_column="id")
    path = _write_csv(tmp_path / "e.csv", ["id", "a"], [["x", 1], [" ", 0]])
    with pytest.raises(ValueError, match=r"e.csv: line 3: the id column 'id' is empty"):
        read_label_file(path, id_column="id")
    np.save(tmp_path / "y.npy", np.eye(2, dtype=int))
    with pytest.raises(ValueError, match=r"y.npy: id_column='id' needs a CSV file"):
        read_label_file(tmp_path / "y.npy", id_column="id")
    with pytest.raises(ValueError, match=r"y.npy: drop_columns=\['a'\] needs a CSV file"):
        mlbalance.read_labels(tmp_path / "y.npy", drop_columns=["a"])


def test_split_writes_the_id_beside_each_row(tmp_path, capsys):
    rows = [[f"id,{k}" if k == 3 else f"s{k}", k % 2, int(k % 3 == 0), "x"] for k in range(30)]
    path = tmp_path / "y.csv"
    path.write_text("name,a,b,note\n" + "".join(
        f'"{r[0]}",{r[1]},{r[2]},{r[3]}\n' for r in rows), encoding="utf-8")
    out = tmp_path / "split.csv"
    assert main(["split", str(path), "--folds", "3", "--id-column", "name", "--drop-columns", "note",
                 "-o", str(out)]) == 0, capsys.readouterr().err
    written = mlbalance.io.read_csv_column(out, "name")
    assert out.read_text().splitlines()[0] == "row,name,split"
    assert written == [r[0] for r in rows]  # "id,3" is quoted, so it reads back as one cell
    assert mlbalance.io.read_csv_column(out, "row") == [str(k) for k in range(30)]


def test_split_groups_that_name_both_a_column_and_a_file_is_an_error(tmp_path, capsys, monkeypatch):
    rows = [[f"P{k // 3}", k % 2, int(k % 5 == 0)] for k in range(30)]
    path = _write_csv(tmp_path / "y.csv", ["patient", "a", "b"], rows)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "patient").write_text("\n".join(f"G{k % 2}" for k in range(30)) + "\n")
    out = str(tmp_path / "out.csv")
    err = _error(capsys, "split", path, "--folds", "2", "--groups", "patient", "-o", out)
    assert "is both a column of" in err and "./patient" in err
    assert main(["split", path, "--folds", "2", "--groups", "./patient", "-o", out]) == 2  # the column is a label
    assert "'patient'" in capsys.readouterr().err
    assert main(["split", path, "--folds", "2", "--groups", "./patient", "--drop-columns", "patient", "-o", out]) == 0


@pytest.mark.parametrize("command", ["stats", "weights", "resample"])
def test_label_commands_take_id_and_drop_columns(tmp_path, capsys, command):
    path = _write_csv(tmp_path / "y.csv", ["id", "a", "b", "group"],
                      [[f"r{k}", k % 2, int(k % 3 == 0), f"g{k % 4}"] for k in range(24)])
    argv = [command, path, "--id-column", "id", "--drop-columns", "group", "--json"]
    if command == "weights":
        argv += ["--on-zero", "one"]
    assert main(argv) == 0, capsys.readouterr().err
    printed = json.loads(capsys.readouterr().out)
    text = json.dumps(printed)
    assert '"a"' in text and '"b"' in text and '"group"' not in text and '"id"' not in text
    err = _error(capsys, command, path, "--drop-columns", "grp")
    assert "y.csv: no column named 'grp'" in err and "'group'" in err


def test_report_drops_columns_where_present_and_warns_on_positional_rows(tmp_path, capsys):
    y, scores = _data()
    np.save(tmp_path / "y.npy", y)
    (tmp_path / "names.txt").write_text("\n".join(NAMES) + "\n")
    s_path = _write_csv(tmp_path / "s.csv", ["row", *NAMES], [[k, *scores[k]] for k in range(len(y))])
    data = _report(tmp_path, capsys, "--y-true", str(tmp_path / "y.npy"), "--y-score", s_path,
                   "--labels", str(tmp_path / "names.txt"), "--drop-columns", "row")
    _assert_aucs(data, y, scores)
    err = _error(capsys, "report", "--y-true", str(tmp_path / "y.npy"), "--y-score", s_path,
                 "--labels", str(tmp_path / "names.txt"), "--drop-columns", "rwo")
    assert "--drop-columns 'rwo': no input has a column of that name" in err
    ids = [f"r{k}" for k in range(len(y))]
    y_path = _write_csv(tmp_path / "y.csv", ["id", *NAMES], [[ids[k], *y[k]] for k in range(len(y))])
    s_path = _write_csv(tmp_path / "plain.csv", NAMES, scores)
    assert main(["report", "--y-true", y_path, "--y-score", s_path, "--id-column", "id"]) == 0
    assert "plain.csv has no column 'id': its rows are taken in the order of the label rows" in capsys.readouterr().err


def test_labels_file_renaming_named_columns_is_reported(tmp_path, capsys):
    y, scores = _data()
    y_path = _write_csv(tmp_path / "y.csv", ["a", "b", "c", "d"], y)
    (tmp_path / "names.txt").write_text("\n".join(NAMES) + "\n")
    s_path = _write_csv(tmp_path / "s.csv", NAMES[::-1], scores[:, ::-1])
    assert main(["report", "--y-true", y_path, "--y-score", s_path, "--labels", str(tmp_path / "names.txt")]) == 0
    assert "names.txt renames the columns of" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# Run names
# --------------------------------------------------------------------------------------
def test_score_files_with_the_same_stem_keep_distinct_run_names(tmp_path, capsys):
    y, scores = _data()
    np.save(tmp_path / "y.npy", y)
    for run, s in (("bce", np.full(y.shape, 0.1)), ("focal", scores)):
        (tmp_path / run).mkdir()
        np.save(tmp_path / run / "scores.npy", s)
    data = _report(tmp_path, capsys, "--y-true", str(tmp_path / "y.npy"), "--y-score",
                   str(tmp_path / "bce" / "scores.npy"), "--y-score", str(tmp_path / "focal" / "scores.npy"))
    assert data["runs"] == ["bce/scores", "focal/scores"]
    err = _error(capsys, "report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "y.npy"),
                 "--y-score", str(tmp_path / "focal" / "scores.npy"), "--name", "a", "--name", "a")
    assert "--name 'a' is given more than once" in err
    err = _error(capsys, "report", "--y-true", str(tmp_path / "y.npy"), "--y-score",
                 str(tmp_path / "bce" / "scores.npy"), "--y-score", str(tmp_path / "bce" / "scores.npy"))
    assert "give each a --name" in err


# --------------------------------------------------------------------------------------
# Thresholds
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1.5", "-0.1"])
def test_threshold_numbers_must_be_finite_in_0_1(tmp_path, capsys, value):
    y, scores = _data()
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "s.npy", scores)
    err = _error(capsys, "report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "s.npy"),
                 f"--thresholds={value}")
    assert "Expected --thresholds to be a finite number in [0, 1]" in err


def test_threshold_files_are_checked_and_matched_by_name(tmp_path, capsys):
    (tmp_path / "nan.txt").write_text("0.5\nnan\n0.5\n0.5\n")
    with pytest.raises(ValueError, match=r"nan.txt: line 2: .*finite number in \[0, 1\]"):
        read_thresholds(tmp_path / "nan.txt", NAMES)
    (tmp_path / "three.txt").write_text("0.5\n0.4\n0.3\n")
    with pytest.raises(ValueError, match=r"three.txt: 3 threshold\(s\) for 4 labels"):
        read_thresholds(tmp_path / "three.txt", NAMES)
    (tmp_path / "named.txt").write_text("fish,0.4\ncat,0.1\ndog,0.2\nbird,0.3\n")
    assert read_thresholds(tmp_path / "named.txt", NAMES).tolist() == [0.1, 0.2, 0.3, 0.4]
    tuned = {"metric": "f1", "labels": [{"name": n, "threshold": t} for n, t in
                                        (("dog", 0.2), ("fish", 0.4), ("cat", 0.1), ("bird", 0.3))]}
    (tmp_path / "tuned.json").write_text(json.dumps(tuned))
    assert read_thresholds(tmp_path / "tuned.json", NAMES).tolist() == [0.1, 0.2, 0.3, 0.4]
    with pytest.raises(ValueError, match=r"tuned.json: .*missing from it: \['0'"):
        read_thresholds(tmp_path / "tuned.json", ["0", "1", "2", "3"])
    (tmp_path / "bad.json").write_text('[0.5, 0.5, 2, 0.5]')
    with pytest.raises(ValueError, match=r"bad.json: entry 2: .*Received: 2.0"):
        read_thresholds(tmp_path / "bad.json", NAMES)
    # through the command line: the tuned file's thresholds land on the right labels
    y, scores = _data()
    y_path = _write_csv(tmp_path / "y.csv", NAMES, y)
    np.save(tmp_path / "s.npy", scores)
    data = _report(tmp_path, capsys, "--y-true", y_path, "--y-score", str(tmp_path / "s.npy"),
                   "--thresholds", str(tmp_path / "tuned.json"))
    assert [label["threshold"] for label in data["labels"]] == [0.1, 0.2, 0.3, 0.4]
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", str(tmp_path / "s.npy"),
                 "--thresholds", str(tmp_path / "nan.txt"))
    assert "nan.txt: line 2" in err


# --------------------------------------------------------------------------------------
# Every error names its file and line
# --------------------------------------------------------------------------------------
def test_non_utf8_bytes_name_the_file_and_line(tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,b\n1,0\n0,1\n".encode() + "caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.csv: line 4, character 4: byte 0xe9 is not UTF-8"):
        mlbalance.read_labels(path)
    err = _error(capsys, "stats", str(path))
    assert "latin.csv: line 4" in err
    names = tmp_path / "names.txt"
    names.write_bytes(b"cat\ndog\nb\xefrd\nfish\n")
    with pytest.raises(ValueError, match=r"names.txt: line 3"):
        read_label_names(names)
    groups = tmp_path / "groups.txt"
    groups.write_bytes(b"P1\n\xff\n")
    with pytest.raises(ValueError, match=r"groups.txt: line 2"):
        read_group_ids(groups, 2)
    (tmp_path / "utf16.csv").write_bytes("a,b\n1,0\n".encode("utf-16"))
    with pytest.raises(ValueError, match=r"utf16.csv: the file is UTF-16"):
        mlbalance.read_labels(tmp_path / "utf16.csv")


def test_label_names_file_errors_name_the_file(tmp_path, capsys):
    y, scores = _data()
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "s.npy", scores)
    base = ["report", "--y-true", str(tmp_path / "y.npy"), "--y-score", str(tmp_path / "s.npy"), "--labels"]
    for text, expected in (("cat\ndog\nbird\n", r"names.txt: 3 label name\(s\) for 4 label column\(s\)"),
                           ("cat\ndog\ncat\nfish\n", r"names.txt: label name 'cat' on line 3 repeats line 1"),
                           ("", r"names.txt: the file is empty"),
                           ("cat\n\ndog\nbird\nfish\n", r"names.txt: line 2 is blank")):
        (tmp_path / "names.txt").write_text(text)
        err = _error(capsys, *base, str(tmp_path / "names.txt"))
        assert __import__("re").search(expected, err), err


def test_bad_score_csv_names_the_file_line_and_column(tmp_path):
    (tmp_path / "nan.csv").write_text("a,b\n0.1,0.2\n\n0.3,nan\n")
    with pytest.raises(ValueError, match=r"nan.csv: line 4, column 1 \('b'\) holds 'nan', which is not a finite"):
        read_scores(tmp_path / "nan.csv")
    (tmp_path / "text.csv").write_text("a,b\n0.1,high\n")
    with pytest.raises(ValueError, match=r"text.csv: line 2, column 1 \('b'\) holds non-numeric text 'high'"):
        read_scores(tmp_path / "text.csv")
    (tmp_path / "header_only.csv").write_text("a,b\n")
    with pytest.raises(ValueError, match=r"header_only.csv: the file has a header but no data rows"):
        read_scores(tmp_path / "header_only.csv")
    (tmp_path / "no_header.csv").write_text("0.1,0.9\n0.4,0.2\n")
    with pytest.raises(ValueError, match=r"no_header.csv: line 1 \(the header\) holds numbers.*looks like data"):
        read_scores(tmp_path / "no_header.csv")
    (tmp_path / "index.csv").write_text(",a,b\n0,0.1,0.9\n1,0.4,0.2\n")
    with pytest.raises(ValueError, match=r"index.csv: line 1 \(the header\): column 0 has no name.*index=False"):
        read_scores(tmp_path / "index.csv")
    (tmp_path / "twice.csv").write_text("a,b,a\n0.1,0.9,0.2\n")
    with pytest.raises(ValueError, match=r"twice.csv: line 1 \(the header\): column name\(s\) \['a'\] appear more"):
        read_scores(tmp_path / "twice.csv")
    (tmp_path / "short.csv").write_text("a,b\n0.1,0.9\n\n0.5\n")
    with pytest.raises(ValueError, match=r"short.csv: line 4 has 1 field\(s\) but the header \(line 1\) has 2"):
        read_scores(tmp_path / "short.csv")


@pytest.mark.parametrize("text, delimiter", [("a;b;c\n1;0;1\n0;1;1\n", "semicolon"),
                                             ("a\tb\tc\n1\t0\t1\n", "tab")])
def test_a_csv_that_looks_otherwise_delimited_is_refused(tmp_path, capsys, text, delimiter):
    path = tmp_path / "y.csv"
    path.write_text(text)
    err = _error(capsys, "stats", str(path))
    assert "y.csv: line 1 (the header) is one column 'a" in err
    assert f"looks {delimiter}-separated" in err and ".tsv" in err


def test_blank_lines_keep_line_numbers_and_never_drop_a_row(tmp_path):
    (tmp_path / "gap.csv").write_text("a,b\n1,0\n\n0,2\n")
    with pytest.raises(ValueError, match=r"gap.csv: .*at line 4, column 1 \(label 'b'\): received 2"):
        mlbalance.read_labels(tmp_path / "gap.csv")
    (tmp_path / "tags.csv").write_text("tags\ncat|dog\n\ndog\n")
    with pytest.raises(ValueError, match=r"tags.csv: line 3 is blank.*\"\" \(quoted\)"):
        mlbalance.read_labels(tmp_path / "tags.csv")
    (tmp_path / "quoted.csv").write_text('tags\ncat|dog\n""\ndog\n\n\n')  # how csv and pandas write an empty row
    assert mlbalance.read_labels(tmp_path / "quoted.csv").values.tolist() == [[1, 1], [0, 0], [0, 1]]
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfcat,dog\r\n1,0\r\n0,1\r\n")
    assert mlbalance.read_labels(tmp_path / "bom.csv").label_names == ("cat", "dog")


def test_scipy_sparse_npz_of_every_format_is_read(tmp_path):
    y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 0, 0]])
    for fmt in ("csr", "csc", "coo", "dia", "bsr"):
        sp.save_npz(tmp_path / f"{fmt}.npz", sp.csr_matrix(y).asformat(fmt))
        m = mlbalance.read_labels(tmp_path / f"{fmt}.npz")
        np.testing.assert_array_equal(m.values.toarray(), y, err_msg=fmt)
        np.testing.assert_array_equal(read_scores(tmp_path / f"{fmt}.npz"), y, err_msg=fmt)


def test_train_labels_are_matched_to_the_labels_by_name(tmp_path, capsys):
    y, scores = _data()
    train = np.zeros((50, 4), dtype=int)
    train[:, 0] = 1  # 50 cats, 10 dogs, 3 birds, 1 fish
    train[:10, 1] = 1
    train[:3, 2] = 1
    train[:1, 3] = 1
    y_path = _write_csv(tmp_path / "y.csv", NAMES, y)
    np.save(tmp_path / "s.npy", scores)
    t_path = _write_csv(tmp_path / "train.csv", NAMES[::-1], train[:, ::-1])
    data = _report(tmp_path, capsys, "--y-true", y_path, "--y-score", str(tmp_path / "s.npy"),
                   "--train-labels", t_path)
    assert [label["train_support"] for label in data["labels"]] == [50, 10, 3, 1]
    t_path = _write_csv(tmp_path / "other.csv", ["cat", "dog", "bird", "cow"], train)
    err = _error(capsys, "report", "--y-true", y_path, "--y-score", str(tmp_path / "s.npy"), "--train-labels", t_path)
    assert "other.csv" in err and "'cow'" in err and "'fish'" in err
