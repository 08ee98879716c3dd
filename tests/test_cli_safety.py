"""The command line never loses a file, never prints a traceback, never ignores an option.

Every command is run in-process (``main``) except where a real process is the point: a
split killed or cut off by the file-size limit mid-write, and a closed pipe.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlbalance import cli
from mlbalance.cli import main

N_ROWS = 60


def _make_files(folder: str) -> None:
    rng = np.random.default_rng(0)
    y = (rng.random((N_ROWS, 4)) < [0.5, 0.3, 0.2, 0.1]).astype(int)
    np.savetxt(os.path.join(folder, "y.csv"), y, fmt="%d", delimiter=",", header="a,b,c,d", comments="")
    np.save(os.path.join(folder, "y.npy"), y)
    np.save(os.path.join(folder, "s.npy"), rng.random(y.shape))
    np.save(os.path.join(folder, "s2.npy"), np.clip(0.5 * y + 0.5 * rng.random(y.shape), 0, 1))
    np.save(os.path.join(folder, "train.npy"), y[:40])
    with open(os.path.join(folder, "yg.csv"), "w") as handle:
        handle.write("patient,a,b\n" + "".join(f"P{i // 3},{i % 2},{int(i % 5 == 0)}\n" for i in range(N_ROWS)))
    with open(os.path.join(folder, "g.txt"), "w") as handle:
        handle.write("".join(f"{i // 3}\n" for i in range(N_ROWS)))
    with open(os.path.join(folder, "names.md"), "w") as handle:
        handle.write("cat\ndog\nbird\nfish\n")
    with open(os.path.join(folder, "t.json"), "w") as handle:
        json.dump([0.5, 0.4, 0.6, 0.5], handle)
    with open(os.path.join(folder, "t.txt"), "w") as handle:
        handle.write("0.5\n0.4\n0.6\n0.5\n")
    os.symlink("y.npy", os.path.join(folder, "latest.json"))  # a symlink to the ground truth
    os.symlink("y.csv", os.path.join(folder, "link.csv"))
    os.symlink("s2.npy", os.path.join(folder, "scores.md"))
    os.symlink("train.npy", os.path.join(folder, "train.html"))
    os.mkdir(os.path.join(folder, "sub"))


def _digest(path: str) -> str | None:
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _snapshot(folder: str) -> dict:
    return {name: _digest(os.path.join(folder, name)) for name in sorted(os.listdir(folder))}


def _run(argv: list[str]) -> tuple[int, str, str, bool]:
    """``main(argv)`` with captured output: (exit status, stdout, stderr, whether argparse exited)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return main(argv), out.getvalue(), err.getvalue(), False
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue(), True


def _temporaries(folder: str) -> list[str]:
    return glob.glob(os.path.join(folder, "**", ".*.tmp"), recursive=True)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    _make_files(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------------------
# Outputs that resolve to an input
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, victim", [
    (["resample", "y.csv", "-o", "y.csv"], "y.csv"),
    (["resample", "y.npy", "-o", "sub/../y.npy"], "y.npy"),
    (["split", "link.csv", "--folds", "3", "-o", "y.csv"], "y.csv"),
    (["split", "y.csv", "--folds", "3", "--groups", "g.txt", "-o", "g.txt"], "g.txt"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "latest.json"], "y.npy"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "--thresholds", "t.json", "-o", "t.json"], "t.json"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "--labels", "names.md", "-o", "names.md"], "names.md"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "--y-score", "s2.npy", "-o", "scores.md"], "s2.npy"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "--train-labels", "train.npy", "-o", "train.html"],
     "train.npy"),
    (["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "latest.json"], "y.npy"),
])
def test_an_output_that_resolves_to_an_input_is_refused(folder, argv, victim):
    before = _snapshot(folder)
    code, _, err, _ = _run(argv)
    assert code == 2 and err.startswith("mlbalance: error: refusing to write") and "Traceback" not in err
    assert victim in err
    assert _snapshot(folder) == before


@pytest.mark.parametrize("argv, message", [
    (["split", "y.csv", "--folds", "3", "-o", "missing/out.csv"], "missing does not exist"),
    (["split", "y.csv", "--folds", "3", "-o", "sub"], "sub is a directory"),
    (["resample", "y.csv", "-o", "missing/idx.txt"], "missing does not exist"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "missing/r.json"], "missing does not exist"),
    (["report", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "r.txt"], "use a .html, .json or .md"),
    (["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "missing/t.json"], "missing does not exist"),
    (["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "t.csv"], "use a .json file name"),
])
def test_output_problems_are_found_before_any_work(folder, monkeypatch, argv, message):
    def no_work(*args, **kwargs):
        raise AssertionError("the labels were read before the output was checked")

    monkeypatch.setattr(cli, "read_label_file", no_work)
    code, _, err, _ = _run(argv)
    assert code == 2 and message in err and "read before" not in err


# --------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["split", "y.csv", "--folds", "3", "-o", "prev.csv"],
                                  ["resample", "y.csv", "-o", "prev.csv"]])
@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_previous_file(folder, monkeypatch, argv, failure):
    (folder / "prev.csv").write_text("the previous, good output\n")

    def fail(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)  # the disk fills up (or Ctrl-C) as the file is finished
    code, out, err, _ = _run(argv)
    assert (folder / "prev.csv").read_text() == "the previous, good output\n"
    assert _temporaries(str(folder)) == [] and "Traceback" not in err and out == ""
    if isinstance(failure, KeyboardInterrupt):
        assert code == 130 and err == "mlbalance: interrupted\n"
    else:
        assert code == 2 and err.count("\n") == 1 and "prev.csv" in err and "No space left" in err


def _split_under_file_size_limit(tmp_path, killed: bool) -> subprocess.CompletedProcess:
    """``mlbalance split`` of 20,000 rows in a process that may write at most 64 kB to a file.

    Python ignores SIGXFSZ, so past the limit a write fails with EFBIG; with ``killed``
    the default action is restored first, and the kernel kills the process inside the write.
    """
    resource = pytest.importorskip("resource")
    if not hasattr(signal, "SIGXFSZ"):
        pytest.skip("no SIGXFSZ on this platform")
    rows = 20_000  # the split CSV is about 240 kB; the limit stops it at 64 kB
    y = (np.random.default_rng(1).random((rows, 3)) < 0.3).astype(int)
    np.savetxt(tmp_path / "big.csv", y, fmt="%d", delimiter=",", header="a,b,c", comments="")
    (tmp_path / "folds.csv").write_text("row,split\n0,fold0\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, 65_536))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.dirname(cli.__file__)),
                                          os.environ.get("PYTHONPATH", "")])}
    restore = "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); " if killed else ""
    code = restore + "import sys; from mlbalance.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "split", "big.csv", "--folds", "3", "-o", "folds.csv"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, preexec_fn=limit, timeout=120)


def test_a_split_cut_off_mid_write_keeps_the_previous_file_and_no_temporary(tmp_path):
    result = _split_under_file_size_limit(tmp_path, killed=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("mlbalance: error: folds.csv: writing failed") and "Traceback" not in result.stderr
    assert (tmp_path / "folds.csv").read_text() == "row,split\n0,fold0\n"
    assert _temporaries(str(tmp_path)) == []


def test_a_split_killed_mid_write_keeps_the_previous_file(tmp_path):
    result = _split_under_file_size_limit(tmp_path, killed=True)
    assert result.returncode == -signal.SIGXFSZ  # killed by the kernel in the middle of a write
    assert (tmp_path / "folds.csv").read_text() == "row,split\n0,fold0\n"
    # A killed process cannot clean up: its partial temporary file stays, hidden, never under the output's name.
    assert all(os.path.basename(p).startswith(".folds.csv.") for p in _temporaries(str(tmp_path)))


# --------------------------------------------------------------------------------------
# No traceback
# --------------------------------------------------------------------------------------
def test_an_unexpected_exception_is_one_line_with_its_type(folder, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "imbalance_summary", boom)
    code, out, err, _ = _run(["stats", "y.csv"])
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("mlbalance: error: unexpected RuntimeError: boom second line.") and "report it" in err


def test_ctrl_c_exits_130_without_traceback(folder, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "imbalance_summary", interrupted)
    assert _run(["stats", "y.csv"]) == (130, "", "mlbalance: interrupted\n", False)


def test_a_closed_pipe_exits_quietly(tmp_path):
    wide = (np.random.default_rng(0).random((50, 2000)) < 0.2).astype(int)  # ~150 kB of table: more than a pipe holds
    np.save(tmp_path / "wide.npy", wide)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(cli.__file__))}
    proc = subprocess.Popen([sys.executable, "-m", "mlbalance.cli", "stats", "wide.npy"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"label")
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == ""


def test_output_the_terminal_cannot_encode_is_escaped(folder, monkeypatch):
    (folder / "u.csv").write_text("café,b\n1,0\n0,1\n1,1\n")
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["stats", "u.csv"]) == 0
    stream.flush()
    assert "caf\\xe9" in stream.buffer.getvalue().decode("ascii")


# --------------------------------------------------------------------------------------
# Options: refused, never ignored or reinterpreted
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, test_rows", [("0.2", 12), ("0.5", 30), ("12", 12), ("1", 1), ("59", 59)])
def test_test_size_with_a_decimal_point_is_a_fraction_without_one_a_count(folder, text, test_rows):
    code, _, err, _ = _run(["split", "y.csv", "--test-size", text, "-o", "out.csv"])
    assert code == 0, err
    parts = [line.split(",")[1] for line in (folder / "out.csv").read_text().splitlines()[1:]]
    assert parts.count("test") == test_rows and len(parts) == N_ROWS


@pytest.mark.parametrize("option", ["--test-size", "--val-size"])
@pytest.mark.parametrize("text", ["1.0", "1e1", "2.0", "1.5", "0", "0.0", "-3", "-0.2", "nan", "inf", "abc", ""])
def test_sizes_that_are_neither_a_fraction_nor_a_count_are_refused(folder, option, text):
    argv = ["split", "y.csv", "-o", "out.csv", "--test-size", "0.2", "--val-size", "0.2"]
    argv[argv.index(option) + 1] = text
    code, _, err, exited = _run(argv)
    assert (code, exited) == (2, True) and f"argument {option}: Expected {option} to be a fraction" in err
    assert not (folder / "out.csv").exists()
    if text in ("1.0", "1e1"):
        assert f"write {int(float(text))}" in err


@pytest.mark.parametrize("argv, words", [
    (["split", "y.csv", "--folds", "3", "--val-size", "0.2", "-o", "o.csv"], "--val-size needs --test-size"),
    (["split", "y.csv", "--folds", "3", "--order", "2", "--groups", "g.txt", "-o", "o.csv"], "--order 2"),
    (["split", "y.csv", "--test-size", "0.2", "--groups", "g.txt", "-o", "o.csv"], "--groups works with --folds"),
    (["weights", "y.csv", "--beta", "0.9"], "--beta applies to --strategy effective_number"),
    (["resample", "y.csv", "--percentage", "50"], "--percentage applies to --method ml_ros"),
    (["resample", "y.csv", "--method", "ml_ros", "--threshold", "0.5"], "--threshold applies to --method repeat"),
    (["tune", "--y-true", "y.npy", "--y-score", "s.npy", "--beta", "2", "-o", "o.json"], "--beta is used by --metric"),
    (["tune", "--y-true", "y.npy", "--y-score", "s.npy", "--seed", "1", "-o", "o.json"], "--seed sets the --cv"),
])
def test_an_option_the_command_would_ignore_is_refused(folder, argv, words):
    code, out, err, exited = _run(argv)
    assert (code, exited, out) == (2, True, "") and words in err and err.count("\n") == 1
    assert not (folder / "o.csv").exists() and not (folder / "o.json").exists()


@pytest.mark.parametrize("argv", [
    ["stats", "y.csv", "--min-positives", "0"], ["stats", "y.csv", "--min-positives", "-1"],
    ["stats", "y.csv", "--min-positives", "2.5"],
    ["weights", "y.csv", "--max-weight", "nan"], ["weights", "y.csv", "--max-weight", "0"],
    ["weights", "y.csv", "--max-weight", "-1"], ["weights", "y.csv", "--max-weight", "inf"],
    ["weights", "y.csv", "--strategy", "effective_number", "--beta", "1"],
    ["weights", "y.csv", "--strategy", "effective_number", "--beta", "nan"],
    ["resample", "y.csv", "--threshold", "0"], ["resample", "y.csv", "--threshold", "1.5"],
    ["resample", "y.csv", "--threshold", "nan"],
    ["resample", "y.csv", "--method", "ml_ros", "--percentage", "inf"],
    ["resample", "y.csv", "--method", "ml_ros", "--percentage", "nan"],
    ["resample", "y.csv", "--method", "ml_ros", "--percentage", "-5"],
    ["resample", "y.csv", "--seed", "-1"],
    ["stats", "y.csv", "--mask-value", "0"], ["stats", "y.csv", "--mask-value", "1.0"],
    ["stats", "y.csv", "--mask-value", "x"],
    ["report", "--y-true", "y.npy", "--y-score", "s.npy", "--mask-value", "1"],
    ["split", "y.csv", "--folds", "1", "-o", "o.csv"], ["split", "y.csv", "--folds", "2.0", "-o", "o.csv"],
    ["split", "y.csv", "--folds", "3", "--seed", "-1", "-o", "o.csv"],
    ["split", "y.csv", "--folds", "3", "--seed", str(2**32), "-o", "o.csv"],
    ["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "o.csv", "--min-positives", "0"],
    ["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "o.csv", "--fallback", "nan"],
    ["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "o.csv", "--metric", "fbeta", "--beta", "0"],
    ["tune", "--y-true", "y.npy", "--y-score", "s.npy", "-o", "o.csv", "--cv", "1"],
])
def test_bad_option_values_are_refused_by_the_parser(folder, argv):
    option = next(a for a in reversed(argv) if a.startswith("--"))
    code, out, err, exited = _run(argv)
    assert (code, exited, out) == (2, True, "")
    assert f"argument {option}: Expected {option} to be" in err and f"Received: {option}=" in err
    assert "Traceback" not in err and not (folder / "o.csv").exists()


@pytest.mark.parametrize("argv", [
    ["stats", "y.csv", "--mask-value", "nan"], ["stats", "y.csv", "--mask-value", "-1"],
    ["weights", "y.csv", "--strategy", "effective_number", "--beta", "0.99", "--max-weight", "5"],
    ["resample", "y.csv", "--threshold", "1"], ["resample", "y.csv", "--method", "ml_ros", "--percentage", "10"],
    ["split", "y.csv", "--folds", "3", "--seed", str(2**32 - 1), "-o", "o.csv"],
])
def test_good_option_values_still_run(folder, argv):
    code, _, err, _ = _run(argv)
    assert code == 0, err


def test_a_train_val_test_split_without_seed_is_reproducible(folder):
    outputs = []
    for global_seed in (1, 2):  # the split must not depend on NumPy's global random state
        np.random.seed(global_seed)
        assert _run(["split", "y.csv", "--test-size", "0.2", "--val-size", "0.2", "-o", "tvt.csv"])[0] == 0
        outputs.append((folder / "tvt.csv").read_text())
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------------------
# The property: whatever the arguments, no traceback, no input changed, outputs complete
# --------------------------------------------------------------------------------------
GOOD_LABELS, BAD_LABELS = ("y.csv", "y.npy", "link.csv"), ("yg.csv", "names.md", "nope.csv", "sub")
GOOD_OUTPUTS = {"split": ("out.csv", "prev.csv", "out.txt"), "resample": ("out.txt", "prev.csv"),
                "report": ("out.json", "out.md", "out.html", "prev.json", "prev.md"), "tune": ("out.json", "prev.json")}
BAD_OUTPUTS = ("sub", "missing/out.csv", "sub/../y.csv", "y.csv", "y.npy", "link.csv", "latest.json", "g.txt",
               "t.json", "names.md", "scores.md", "train.html", "s.npy", "s2.npy", "out.txt", "out.csv")
PREVIOUS = {"prev.csv": "row,split\n0,old\n", "prev.json": '{"old": true}\n', "prev.md": "# old\n"}


def _options(choices: dict, valid: bool) -> st.SearchStrategy:
    """Any subset of the options; each value drawn from its good values (or, unless ``valid``, its bad ones).

    ``choices`` maps an option to ``(good, bad)`` value tuples; ``None`` as the only good value: a flag.
    """
    def value(good, bad):
        return st.sampled_from(good if valid else good + bad)

    items = [st.tuples(st.just(option), value(*values)) for option, values in choices.items()]
    return st.lists(st.one_of(items), max_size=4, unique_by=lambda item: item[0]).map(
        lambda picked: [a for option, v in picked for a in ([option] if v is None else [option, v])])


MASK = {"--mask-value": (("-1", "nan", "inf"), ("0", "1", "1.0", "x")), "--json": ((None,), ())}


def _labels(valid: bool) -> st.SearchStrategy:
    return st.sampled_from(GOOD_LABELS if valid else GOOD_LABELS + BAD_LABELS).map(lambda f: [f])


def _out(command: str, valid: bool, required: bool = False) -> st.SearchStrategy:
    files = st.sampled_from(GOOD_OUTPUTS[command] if valid else GOOD_OUTPUTS[command] + BAD_OUTPUTS)
    output = files.map(lambda o: ["-o", o])
    return output if required else st.one_of(st.just([]), output)


def _split(valid: bool) -> st.SearchStrategy:
    folds = st.tuples(st.just(["--folds"]), st.sampled_from(("2", "3", "5") if valid else ("2", "1", "0", "x", "70")
                                                             ).map(lambda v: [v]),
                      _options({"--seed": (("0", "7"), ("-1", "x")), "--groups": (("g.txt", "patient"), ("nope",)),
                                "--order": (("1",), ("2", "3")), **MASK}, valid))
    sizes = ("0.2", "0.3", "12", "1") if valid else ("0.2", "1.0", "0", "nan", "59", "60", "abc")
    held_out = st.tuples(st.just(["--test-size"]), st.sampled_from(sizes).map(lambda v: [v]),
                         _options({"--val-size": (("0.2", "10"), ("1.0", "0.9", "50")),
                                   "--seed": (("0", "7"), ("-1",)), "--order": (("1", "2"), ("3",)),
                                   **MASK}, valid))
    return st.one_of(folds, held_out).map(lambda p: p[0] + p[1] + p[2])


def _command(valid: bool) -> st.SearchStrategy:
    weights = {"--strategy": (("neg_pos", "sqrt", "balanced"), ("bogus",)),
               "--max-weight": (("10", "0.5"), ("0", "-1", "nan", "inf")), "--normalize": ((None,), ()),
               "--on-zero": (("raise", "one", "max", "2"), ("nan", "x")), **MASK}
    rf = {"--method": (("repeat_factor",), ("x",)), "--threshold": (("0.1", "1"), ("0", "nan")),
          "--seed": (("0", "3"), ("-1",)), **MASK}
    ros = {"--method": (("ml_ros",), ()), "--percentage": (("25", "1e3"), ("0", "inf", "-5")), **MASK}
    report = {"--labels": (("names.md",), ("t.txt", "nope.txt")),
              "--thresholds": (("0.5", "tune", "t.json", "t.txt"), ("nan", "2", "names.md")),
              "--train-labels": (("train.npy",), ("nope.npy",)), "--mask-value": (("-1",), ("0", "x"))}
    scores = ("s.npy", "s2.npy") if valid else ("s.npy", "s2.npy", "y.npy", "names.md", "nope.npy")
    tune = {"--labels": (("names.md",), ("t.txt", "nope.txt")), "--metric": (("f1",), ("x",)),
            "--placement": (("low", "high"), ("mid",)), "--min-positives": (("1", "5"), ("0",)),
            "--fallback": (("0.3",), ("2", "nan")), "--cv": (("2", "3"), ("1",)), "--mask-value": (("-1",), ("0",))}
    return st.sampled_from([  # each command equally often (one_of favours the simpler branches)
        st.tuples(st.just(["stats"]), _labels(valid),
                  _options({"--min-positives": (("1", "5"), ("0", "-2", "2.5")), **MASK}, valid)),
        st.tuples(st.just(["weights"]), _labels(valid), _options(weights, valid)),
        st.tuples(st.just(["weights", "--strategy", "effective_number"]), _labels(valid),
                  _options({"--beta": (("0.99", "0.5"), ("1", "nan")), **MASK}, valid)),
        st.tuples(st.just(["split"]), _labels(valid), _split(valid), _out("split", valid, True)),
        st.tuples(st.just(["resample"]), _labels(valid), _options(rf, valid), _out("resample", valid)),
        st.tuples(st.just(["resample"]), _labels(valid), _options(ros, valid), _out("resample", valid)),
        st.tuples(st.just(["report", "--y-true"]), st.sampled_from(("y.npy", "y.csv", "link.csv")).map(lambda f: [f]),
                  st.lists(st.sampled_from(scores), min_size=1, max_size=2, unique=valid).map(
                      lambda files: [a for f in files for a in ("--y-score", f)]),
                  _options(report, valid), _out("report", valid)),
        st.tuples(st.just(["tune", "--y-true"]), st.sampled_from(("y.npy", "y.csv", "link.csv")).map(lambda f: [f]),
                  st.sampled_from(scores).map(lambda f: ["--y-score", f]), _options(tune, valid),
                  _out("tune", valid, True)),
    ]).flatmap(lambda command: command)


COMMANDS = st.booleans().flatmap(_command).map(lambda parts: [a for part in parts for a in part])


def _check_output_is_complete(command: str, path: str) -> None:
    text = open(path, encoding="utf-8").read()
    if command == "split":
        lines = text.splitlines()
        assert lines[0] == "row,split" and len(lines) == N_ROWS + 1 and text.endswith("\n")
        assert [int(line.split(",")[0]) for line in lines[1:]] == list(range(N_ROWS))
    elif command == "resample":
        rows = [int(line) for line in text.splitlines()]
        assert len(rows) >= N_ROWS and set(rows) == set(range(N_ROWS))
    elif path.endswith(".json"):
        json.loads(text)
    elif path.endswith(".html"):
        assert text.rstrip().endswith("</html>")
    else:
        assert text.strip()


def _name(root: str, path: str) -> str:
    return os.path.relpath(os.path.realpath(path), os.path.realpath(root))


@settings(max_examples=120, deadline=None)
@given(argv=COMMANDS)
def test_property_no_traceback_no_input_changed_outputs_complete(argv):
    command = argv[0]
    root = tempfile.mkdtemp()
    cwd = os.getcwd()
    try:
        _make_files(root)
        for name, text in PREVIOUS.items():
            with open(os.path.join(root, name), "w") as handle:
                handle.write(text)
        os.chdir(root)
        before = _snapshot(root)
        code, out, err, exited = _run(argv)
        after = _snapshot(root)
        assert "Traceback" not in err and "unexpected" not in err, (argv, err)
        assert code in (0, 2), (argv, code, err)
        if code == 2 and not exited:
            assert err.count("mlbalance: error:") == 1 and err.endswith("\n") and err.count("\n") == 1, (argv, err)
        target = argv[argv.index("-o") + 1] if "-o" in argv else None
        named = [a for i, a in enumerate(argv) if argv[i - 1] != "-o" and os.path.isfile(a)]
        inputs = {os.path.normpath(a) for a in named} | {_name(root, a) for a in named}  # links and their targets
        changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
        # Only the output may change (the -o name itself, or the file its symlink points to), and only on success.
        allowed = {os.path.normpath(target), _name(root, target)} if target and code == 0 else set()
        assert changed <= allowed and not changed & inputs, (argv, code, changed, err)
        assert _temporaries(root) == [] and os.listdir(os.path.join(root, "sub")) == []
        if target and code == 0:
            _check_output_is_complete(command, os.path.join(root, target))
    finally:
        os.chdir(cwd)
        shutil.rmtree(root)


@pytest.mark.parametrize("argv", [
    ["weights", "ESC", "--on-zero", "one"],
    ["resample", "ESC"],
    ["split", "ESC", "--folds", "2", "-o", "OUT"],
    ["stats", "ESC"],
])
def test_terminal_output_strips_control_sequences_from_label_names(tmp_path, capsys, argv):
    path = tmp_path / "esc.csv"
    path.write_text("red\x1b[31m,\x1b]0;title\x07b,c\n1,0,0\n0,1,0\n1,1,0\n0,0,0\n")
    argv = [str(path) if a == "ESC" else str(tmp_path / "o.csv") if a == "OUT" else a for a in argv]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "red" in out


def test_resample_of_an_all_zero_matrix_prints_undefined_not_nan(tmp_path, capsys):
    path = tmp_path / "zero.csv"
    path.write_text("a,b\n0,0\n0,0\n")
    assert main(["resample", str(path)]) == 0
    out = capsys.readouterr().out
    assert "undefined" in out and "nan" not in out.lower().replace("meanir", "")
    assert main(["resample", str(path), "--json"]) == 0
    json.loads(capsys.readouterr().out)  # allow_nan=False upstream: parses as strict JSON
