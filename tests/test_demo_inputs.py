"""The seed-scenario example's inputs, flags and output directory are checked before Keras trains anything.

Issue #16's guarantees, kept when the demo moved from the library to examples/seed_scenario/ (#17).
None of these tests trains: the ``no_training`` fixture replaces the training stages with a
failure, so a check that comes too late (after minutes of training, as before) fails the test.
"""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("keras")

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
sys.path.insert(0, EXAMPLES)

import mlbalance  # noqa: E402
import seed_scenario.output  # noqa: E402
import seed_scenario.run as demo  # noqa: E402
from mlbalance.cli import main as mlbalance_main  # noqa: E402
from seed_scenario import stages  # noqa: E402
from seed_scenario.config import DemoConfig  # noqa: E402
from seed_scenario.data import check_data, pad_before, pretraining_sets  # noqa: E402
from seed_scenario.output import OutputPathError, prepare_output_dir  # noqa: E402
from seed_scenario.run import main, run_demo  # noqa: E402


@pytest.fixture
def no_training(monkeypatch):
    def training(*args, **kwargs):
        raise AssertionError("training started: the check came too late")

    monkeypatch.setattr(stages, "run_stages", training)


def _sequences(n=20, steps=4, features=6, labels=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros((n, labels), dtype=np.int8)
    y[np.arange(n), np.arange(n) % labels] = 1
    return rng.normal(size=(n, steps, features)).astype(np.float32), y


def _demo(tmp_path, capsys, *args):
    """Run the example with a fresh output directory; return (exit status, stderr)."""
    status = main(["--tiny", "--output-dir", str(tmp_path / "out"), *args])
    return status, capsys.readouterr().err


def _write_bytes(path, data):
    path.write_bytes(data)
    return path


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


BAD_FILES = {
    # name: (make the file in tmp_path, the words the error must contain)
    "truncated": (lambda p: _write_bytes(p / "t.npz", (_npz(p / "ok.npz", x=_sequences()[0], y=_sequences()[1])
                                                      .read_bytes())[:300]), "t.npz: a truncated or corrupt .npz"),
    "not npz": (lambda p: _write_bytes(p / "t.npz", b"row,label\n1,0\n"), "t.npz: not an .npz archive"),
    "empty": (lambda p: _write_bytes(p / "t.npz", b""), "t.npz: an empty file"),
    "npy": (lambda p: (np.save(p / "t.npy", _sequences()[0]), p / "t.npy")[1], "t.npy: a single .npy array"),
    "missing y": (lambda p: _npz(p / "t.npz", x=_sequences()[0], labels=_sequences()[1]),
                  "missing ['y']. Arrays found: ['labels', 'x']"),
    "object array": (lambda p: _npz(p / "t.npz", x=np.array([1, "a"], dtype=object), y=_sequences()[1]),
                     "t.npz: cannot read x and y (Object arrays cannot be loaded"),
    "x 2-D": (lambda p: _npz(p / "t.npz", x=_sequences()[0][:, 0], y=_sequences()[1]),
              "expected x to be a 3-D array (n sequences, T >= 1 steps, features >= 1). Received: x with shape "
              "(20, 6). For one feature vector per row, add a step axis"),
    "no steps": (lambda p: _npz(p / "t.npz", x=np.zeros((20, 0, 6)), y=_sequences()[1]), "shape (20, 0, 6)"),
    "rows differ": (lambda p: _npz(p / "t.npz", x=_sequences()[0], y=_sequences()[1][:19]),
                    "x has 20 sequences but y has 19 rows"),
    "y not 0/1": (lambda p: _npz(p / "t.npz", x=_sequences()[0], y=_sequences()[1] * 2),
                  "t.npz: y has 20 value(s) other than 0 or 1; the first is at row 0, column 0"),
    "nan in x": (lambda p: _npz(p / "t.npz", x=np.where(np.arange(6) == 5, np.nan, _sequences()[0]),
                                y=_sequences()[1]), "x[0, 0, 5] = nan (row 0, step 0, feature 5)"),
    "inf in x": (lambda p: _npz(p / "t.npz", x=np.where(np.arange(20)[:, None, None] == 7, np.inf,
                                                        _sequences()[0]), y=_sequences()[1]),
                 "x has 24 non-finite value(s) (NaN or inf); the first is x[7, 0, 0] = inf"),
    "beyond float32": (lambda p: _npz(p / "t.npz", x=np.full((20, 4, 6), 1e300), y=_sequences()[1]),
                       "NaN or inf, or beyond float32); the first is x[0, 0, 0] = 1e+300"),
    "too few rows": (lambda p: _npz(p / "t.npz", x=_sequences()[0][:9], y=_sequences()[1][:9]),
                     "9 rows; the demo splits them 60 / 20 / 20 into train, validation and test and needs at "
                     "least 10"),
    "one label": (lambda p: _npz(p / "t.npz", x=_sequences()[0], y=np.ones((20, 1))),
                  "needs at least 2 labels with positives"),
    "no such file": (lambda p: p / "absent.npz", "absent.npz: cannot read the data file (No such file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_data_files_fail_before_training_with_a_message_naming_the_file(case, tmp_path, capsys, no_training):
    make, words = BAD_FILES[case]
    path = make(tmp_path)
    status, err = _demo(tmp_path, capsys, "--data", str(path))
    assert status == 2
    assert err.startswith(f"error: {path}") and words in err, err


def test_a_data_error_comes_before_keras_is_imported(tmp_path):
    path = _write_bytes(tmp_path / "t.npz", b"PK\x03\x04 truncated")
    code = (f"import sys; sys.path.insert(0, {EXAMPLES!r}); from seed_scenario.run import main; "
            f"status = main(['--data', {str(path)!r}, '--output-dir', {str(tmp_path / 'out')!r}]); "
            "print(status, 'keras' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(mlbalance.__file__))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.split() == ["2", "False"], done.stderr
    assert "Traceback" not in done.stderr and "t.npz: a truncated or corrupt .npz archive" in done.stderr


@settings(max_examples=30, deadline=None)
@given(shape=st.tuples(st.integers(10, 14), st.integers(1, 4), st.integers(1, 5)), data=st.data())
def test_check_data_names_the_first_non_finite_entry(shape, data):
    x = np.zeros(shape)
    flat = data.draw(st.lists(st.integers(0, x.size - 1), min_size=1, max_size=5, unique=True))
    values = data.draw(st.lists(st.sampled_from([np.nan, np.inf, -np.inf]), min_size=len(flat), max_size=len(flat)))
    x.flat[flat] = values
    first = np.unravel_index(min(flat), shape)
    with pytest.raises(ValueError) as caught:
        check_data(x, np.eye(shape[0], 2), source="mine.npz")
    message = str(caught.value)
    assert message.startswith(f"mine.npz: x has {len(flat)} non-finite value(s)")
    assert f"x[{first[0]}, {first[1]}, {first[2]}] = {x[first].item()!r} (row {first[0]}, step {first[1]}" in message


def test_check_data_accepts_any_feature_width_and_label_count():
    x, y = _sequences(features=40, labels=7)
    checked_x, checked_y = check_data(x.astype(np.float64), y.astype(bool))
    assert checked_x.dtype == np.float32 and checked_x.shape == (20, 4, 40)
    assert checked_y.dtype == np.int8 and (checked_y == y).all()


def test_output_dir_is_checked_before_training(tmp_path, capsys, no_training):
    x, y = _sequences()
    data = _npz(tmp_path / "mine.npz", x=x, y=y)
    before = data.read_bytes()
    a_file = tmp_path / "taken"
    a_file.write_text("keep")
    assert main(["--tiny", "--data", str(data), "--output-dir", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert f"--output-dir {a_file} is an existing file, not a directory" in err and a_file.read_text() == "keep"
    # A report file that resolves to the --data input is refused: the input is never overwritten.
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(data, out / "demo_report.json")
    assert main(["--tiny", "--data", str(data), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"refusing to write {out / 'demo_report.json'}: it is the input --data ({data})" in err
    assert data.read_bytes() == before
    # ... and so is the saved model's file (a hard link to the input).
    os.unlink(out / "demo_report.json")
    os.link(data, out / "best_model.keras")
    assert main(["--tiny", "--data", str(data), "--output-dir", str(out)]) == 2
    assert f"refusing to write {out / 'best_model.keras'}: it is the input --data" in capsys.readouterr().err
    assert data.read_bytes() == before
    # A missing directory is created up front (before any training).
    fresh = tmp_path / "new" / "deeper"
    assert main(["--tiny", "--data", str(tmp_path / "absent.npz"), "--output-dir", str(fresh)]) == 2
    assert fresh.is_dir()


def test_prepare_output_dir_cannot_create_below_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(OutputPathError, match="cannot create the directory"):
        prepare_output_dir(tmp_path / "f" / "out")


def _fake_training(monkeypatch):
    """Replace the training stages by a result with a real comparison report."""
    report = mlbalance.evaluation_report([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.3, 0.8], [0.6, 0.7]], name="a")
    reports = {"a @0.5": report, "a @tuned": report}
    monkeypatch.setattr(stages, "run_stages", lambda *args, **kwargs: {"reports": reports, "models": {}})
    return mlbalance.compare_reports(reports)


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    comparison = _fake_training(monkeypatch)
    out = tmp_path / "out"
    result = run_demo(DemoConfig.tiny(), output_dir=str(out), verbose=False)
    assert json.loads((out / "demo_report.json").read_text()) == json.loads(comparison.to_json())
    assert (out / "demo_report.html").read_text() == comparison.to_html()
    assert "summary" in result
    # A write that fails (a full disk) leaves the previous reports whole and no temporary files.
    (out / "demo_report.html").write_text("previous html")
    (out / "demo_report.json").write_text("previous json")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mlbalance._files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="demo_report.html: writing failed"):
        run_demo(DemoConfig.tiny(), output_dir=str(out), verbose=False)
    assert (out / "demo_report.html").read_text() == "previous html"
    assert (out / "demo_report.json").read_text() == "previous json"
    assert sorted(os.listdir(out)) == ["demo_report.html", "demo_report.json"]


def test_the_saved_model_is_written_atomically(tmp_path, monkeypatch):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    thresholds = mlbalance.tune_thresholds([[1], [0], [1], [0]], [[0.9], [0.1], [0.8], [0.3]], min_positives=1)
    paths = str(tmp_path / "m.keras"), str(tmp_path / "t.json")
    seed_scenario.output.save_model(model, thresholds, *paths)
    assert json.loads((tmp_path / "t.json").read_text()) == thresholds.to_dict()
    again = keras.saving.load_model(paths[0])
    assert [w.tolist() for w in again.get_weights()] == [w.tolist() for w in model.get_weights()]
    previous = [(tmp_path / name).read_bytes() for name in ("m.keras", "t.json")]

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(seed_scenario.output.os, "fsync", disk_full)
    for args in (paths, (str(tmp_path / "other.keras"), paths[1])):  # the model fails; then the thresholds
        with pytest.raises(OSError, match="No space left on device"):
            seed_scenario.output.save_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
                                            thresholds, *args)
    assert [(tmp_path / name).read_bytes() for name in ("m.keras", "t.json")] == previous
    assert sorted(os.listdir(tmp_path)) == ["m.keras", "t.json"]  # no temporary files left


def test_mlbalance_demo_says_where_the_example_is(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(os.path.dirname(EXAMPLES))  # the repository's root
    assert mlbalance_main(["demo", "--tiny", "--seed", "3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlbalance: error: the demo is example code, not part of the installed mlbalance package")
    assert "it is here: run  python examples/seed_scenario/run.py --tiny --seed 3" in err  # run from the checkout
    monkeypatch.chdir(tmp_path)  # elsewhere: where to find it
    assert mlbalance_main(["demo"]) == 2
    assert "run it from a clone of the mlbalance repository:  python examples/seed_scenario/run.py" in \
        capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["--finetune-epochs", "-1"], "Expected --finetune-epochs to be an integer >= 0 or None. "
                                  "Received: --finetune-epochs=-1"),
    (["--seed", "-3"], "Expected --seed to be an integer >= 0. Received: --seed=-3"),
    (["--seed", str(2**32)], "Expected seed to be an integer in [0, 2**32 - 1]. Received: seed=4294967296"),
])
def test_flags_are_checked_before_training(args, words, tmp_path, capsys, no_training):
    status, err = _demo(tmp_path, capsys, *args)
    assert status == 2 and words in err, err


def test_tiny_and_full_are_exclusive(capsys, no_training):
    with pytest.raises(SystemExit) as caught:
        main(["demo", "--tiny", "--full"])
    assert caught.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_backend_conflicting_with_the_imported_keras_is_an_error(tmp_path, capsys, monkeypatch, no_training):
    import keras

    other = "jax" if keras.backend.backend() != "jax" else "torch"
    monkeypatch.setenv("KERAS_BACKEND", other)  # the environment agrees with the flag: Keras still does not
    status, err = _demo(tmp_path, capsys, "--backend", other)
    assert status == 2
    assert f"Keras is already imported in this process with the {keras.backend.backend()!r} backend" in err
    assert f"Received: --backend={other!r}" in err


def test_keras_backend_environment_that_cannot_train_is_an_error(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    with pytest.raises(ValueError, match=r"Expected KERAS_BACKEND to be one of \('tensorflow', 'jax', 'torch'\)"):
        demo.choose_backend()


@pytest.mark.parametrize("runs, finetune_runs, words", [
    (("bce", "bce2"), (), r"Expected runs to be among \(.* \(unknown: \['bce2'\]\)"),
    ((), (), r"Expected runs to be one or more of \("),
    (("bce",), ("class_weight",), r"Expected finetune_runs to be among \('bce', 'weighted_bce'"),
])
def test_unknown_or_no_runs_fail_before_training(runs, finetune_runs, words, no_training):
    with pytest.raises(ValueError, match=words):
        run_demo(DemoConfig.tiny(runs=runs, finetune_runs=finetune_runs), verbose=False)
    with pytest.raises(ValueError, match=r"Expected runs to be one or more of \("):  # nothing left to train
        DemoConfig(runs=(), finetune_epochs=0)


@pytest.mark.parametrize("overrides, words", [
    ({"base_epochs": 0}, "Expected base_epochs to be an integer >= 1. Received: base_epochs=0"),
    ({"head_batch_size": 0}, "Expected head_batch_size to be an integer >= 1"),
    ({"min_len": 9, "max_len": 8}, "Expected max_len to be an integer >= 9. Received: max_len=8"),
    ({"n_samples": 10_000}, "Expected n_samples to be an integer in [10, 6790] or None. Received: n_samples=10000"),
    ({"seed": -1}, "Expected seed to be an integer >= 0. Received: seed=-1"),
    ({"seed": 2**32}, "Expected seed to be an integer in [0, 2**32 - 1]"),
    ({"finetune_lr": 0}, "Expected finetune_lr to be a finite number > 0. Received: finetune_lr=0"),
    ({"active": 1.5}, "Expected active to be a finite number in [0, 1]. Received: active=1.5"),
    ({"mixed_precision": "yes"}, "Expected mixed_precision to be True or False. Received: mixed_precision='yes'"),
])
def test_config_rejects_values_that_would_fail_or_mislead_later(overrides, words):
    with pytest.raises(ValueError) as caught:
        DemoConfig.tiny(**overrides)
    assert words in str(caught.value)


def test_padding_first_keeps_steps_after_an_all_zero_step():
    x = np.zeros((2, 5, 3), dtype=np.float32)
    x[0, 0], x[0, 2] = 1.0, 2.0  # a zero step inside the sequence, then padding
    x[1, 0] = 3.0
    out = pad_before(x)
    np.testing.assert_array_equal(out[0], [[0] * 3, [0] * 3, [1] * 3, [0] * 3, [2] * 3])
    np.testing.assert_array_equal(out[1], [[0] * 3] * 4 + [[3] * 3])


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=5))
def test_padding_first_only_moves_the_trailing_padding(steps):
    nonzero = np.array(steps)
    x = np.where(nonzero[:, :, None], np.arange(1, 7, dtype=np.float32)[None, :, None], 0) * np.ones(3, np.float32)
    out = pad_before(x)
    for row, flags in enumerate(nonzero):
        length = int(np.flatnonzero(flags).max()) + 1 if flags.any() else 0
        np.testing.assert_array_equal(out[row, x.shape[1] - length:], x[row, :length])
        assert not out[row, :x.shape[1] - length].any()


def test_pretraining_sets_are_the_seeds_for_23_labels_and_derived_otherwise():
    from seed_scenario.data import SET_A, SET_B

    y = mlbalance.seed_scenario_labels()
    assert pretraining_sets(y)[0] == (SET_A, SET_B)
    counts = np.array([50, 0, 30, 40, 5, 20, 10])
    y = np.zeros((60, 7), dtype=int)
    for label, count in enumerate(counts):
        y[:count, label] = 1  # nested rows: every label co-occurs with the frequent ones
    sets, text = pretraining_sets(y)
    # ranked by count: 0 (50), 3 (40), 2 (30), 5 (20), 6 (10), 4 (5); label 1 has none
    assert sets == ((0, 2, 6), (3, 4, 5)) and "derived from the data" in text
    same_shape_as_the_seed = np.zeros((30, 23), dtype=int)
    same_shape_as_the_seed[:20, 0] = same_shape_as_the_seed[:10, 1] = 1  # the seed's set A has no positives
    assert pretraining_sets(same_shape_as_the_seed)[0] == ((0,), (1,))
    with pytest.warns(UserWarning, match="has no positive training rows: stage 1 learns nothing"):
        pretraining_sets(np.tile([[1, 0], [0, 1]], (15, 1)))  # two labels, never together


def test_mixed_precision_on_a_cpu_warns_and_the_outputs_stay_float32(monkeypatch):
    import keras

    from seed_scenario.models import base_model, head

    if demo._has_accelerator(keras.backend.backend()):
        pytest.skip("an accelerator is visible: mixed precision is what it is for")
    _fake_training(monkeypatch)
    with pytest.warns(UserWarning, match="no GPU is visible .* mixed_float16 gives no speed-up on a CPU"):
        run_demo(DemoConfig.tiny(mixed_precision=True), verbose=False)
    assert keras.mixed_precision.dtype_policy().name == "float32"  # restored
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        binary, base = base_model(keras, 4)
        top = head(keras, 3, "sigmoid", np.ones((4, 64), dtype=np.float32))
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert base.output.dtype == "float16"  # the layers compute in float16 ...
    assert binary.output.dtype == top.output.dtype == "float32"  # ... and the scores come out in float32
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        run_demo(DemoConfig.tiny(), verbose=False)  # no warning without mixed precision
