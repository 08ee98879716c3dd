"""Run the seed scenario: ``python examples/seed_scenario/run.py [--all] [--full | --tiny] [--data FILE.npz]``.

Everything that can fail on the flags, the data or the output directory fails first, before
Keras is imported and before anything trains: one ``error: ...`` line, exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import logging
import os
import sys
import time
import warnings

if __package__ in (None, ""):  # run as a script: make the seed_scenario package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import mlbalance  # noqa: E402
from seed_scenario import stages  # noqa: E402
from seed_scenario.config import RECIPE, DemoConfig, check_int  # noqa: E402
from seed_scenario.data import (check_data, load_data, make_sequences, pad_before, pretraining_sets,  # noqa: E402
                                split_rows)
from seed_scenario.evaluation import comparison_lines, story_lines  # noqa: E402
from seed_scenario.output import prepare_output_dir, save_model, usage_lines  # noqa: E402

BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def choose_backend(name: str | None = None, *, option: str = "backend") -> str:
    """Select the Keras backend the demo trains on, before Keras is imported; return its name.

    ``name`` (or, when None, ``KERAS_BACKEND``, default ``"tensorflow"``) must be one of
    ``tensorflow``, ``jax`` or ``torch`` with its package installed. Keras fixes its backend when
    it is first imported, so if Keras is already imported with another backend this is an error
    (run in a new process), never a silent switch. Does not import Keras.

    Examples
    --------
    >>> from seed_scenario.run import choose_backend
    >>> choose_backend("theano")
    Traceback (most recent call last):
    ...
    ValueError: Expected backend to be one of ('tensorflow', 'jax', 'torch') (the demo trains models). Received: backend='theano'
    """
    requested = name if name is not None else os.environ.get("KERAS_BACKEND", "tensorflow")
    source = option if name is not None else "KERAS_BACKEND"
    if requested not in BACKEND_PACKAGES:
        raise ValueError(f"Expected {source} to be one of {tuple(BACKEND_PACKAGES)} (the demo trains models). "
                         f"Received: {source}={requested!r}")
    if "keras" in sys.modules:
        current = sys.modules["keras"].backend.backend()
        if name is not None and current != requested:
            raise ValueError(f"Keras is already imported in this process with the {current!r} backend, and a "
                             f"backend is fixed when Keras is first imported. Received: {option}={requested!r}. Run "
                             f"the demo in a new process (or set KERAS_BACKEND={requested} before importing Keras).")
        return current
    if importlib.util.find_spec(BACKEND_PACKAGES[requested]) is None:
        raise ValueError(f"the {requested!r} Keras backend needs the {BACKEND_PACKAGES[requested]!r} package, which "
                         "is not installed; install it or choose another backend (tensorflow, jax or torch).")
    os.environ["KERAS_BACKEND"] = requested
    # TensorFlow's C++ logging (oneDNN notices, CUDA / cuInit errors on a machine without a GPU) is read
    # from the environment when TensorFlow loads: silence it for this run, unless you set it yourself.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return requested


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence file descriptor 2 while TensorFlow loads, then restore it.

    TensorFlow 2.21 prints its C++ start-up messages ("Could not find cuda drivers", cuInit
    errors) before its logging honours ``TF_CPP_MIN_LOG_LEVEL``. Python errors still propagate.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # no real file descriptor (captured output)
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(fd), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _has_accelerator(backend: str) -> bool:
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return jax.devices()[0].platform != "cpu"
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def _check_mixed_precision(keras, enabled: bool) -> None:
    """Warn when ``mixed_float16`` is asked for without an accelerator: it runs, only slower."""
    if enabled and not _has_accelerator(keras.backend.backend()):
        warnings.warn(f"mixed_precision: no GPU is visible to the {keras.backend.backend()!r} backend, and mixed_float16 "
                      "gives no speed-up on a CPU (float16 has no fast path there); it is meant for GPUs with "
                      "float16 units. The run goes on, in mixed precision.", UserWarning, stacklevel=3)


def _imbalance_lines(summary) -> list[str]:
    positives = summary.positives
    present = np.flatnonzero(positives > 0)
    rare = [int(j) for j in present if positives[j] < 10]
    return [f"labels: {len(present)} of {summary.n_labels} have positives, from {int(positives.max()):,} down to "
            f"{int(positives[present].min()):,}; {len(summary.zero_positive_labels)} have none "
            f"{list(summary.zero_positive_labels)}; under 10 positives: {rare}",
            f"        MeanIR {summary.mean_ir:.1f}, MaxIR {summary.max_ir:.1f} (imbalance ratios, Charte et al. 2015)"]


def run_demo(config: DemoConfig | None = None, *, data: tuple | None = None, output_dir: str | None = None,
             inputs: dict | None = None, verbose: bool = True) -> dict:
    """Run the seed scenario; return its reports, the saved model's figures, timings and scores.

    Parameters
    ----------
    config : DemoConfig, optional
        Default ``DemoConfig()``: the story in three runs.
    data : (x, y) arrays, optional
        Your own sequences (n, T, features) and 0/1 labels (n, q), checked by
        :func:`seed_scenario.data.check_data` before anything trains; default:
        :func:`seed_scenario.data.make_sequences`.
    output_dir : str, optional
        Where the reports and the saved model go (atomically); created and checked
        (:func:`seed_scenario.output.prepare_output_dir`) before anything trains.
    inputs : dict, optional
        ``{what: path}`` of the files read, which no output may overwrite.
    verbose : bool, default True

    Returns
    -------
    dict
        ``reports`` (name -> EvaluationReport on the test split, ``"<run> @0.5"`` and
        ``"<run> @tuned"``; fine-tuned runs ``"<run> +ft"`` and ``"<run> +ft +cRT"``),
        ``comparison``, ``best`` (the best report on the test split), ``saved`` (the saved
        run's name, or None without fine-tuning), ``saved_macro_f1``, ``paths``, ``timings``,
        ``speed``, ``summary``, ``scores`` (run -> ``(y_tune, score_tune, score_test)``),
        ``split`` (train, validation and test row indices), ``y_test``, ``pretraining_sets``.

    Examples
    --------
    >>> from seed_scenario.run import run_demo
    >>> from seed_scenario.config import DemoConfig
    >>> result = run_demo(DemoConfig.tiny(runs=("bce",), finetune_runs=()), verbose=False)
    >>> sorted(result["reports"]), result["saved"]
    (['bce @0.5', 'bce @tuned'], None)
    """
    config = config or DemoConfig()
    if not isinstance(config, DemoConfig):
        raise ValueError(f"Expected config to be a DemoConfig. Received: config={config!r}")
    paths = None if output_dir is None else prepare_output_dir(output_dir, inputs)
    # Everything that can fail on the data fails here, before Keras is imported or anything trains.
    timings, speed = {}, {}
    start = time.perf_counter()
    x, y = check_data(*data) if data is not None else make_sequences(config, random_state=config.seed)
    if config.padding == "pre":
        x = pad_before(x)
    parts = split_rows(y, config.seed)
    pretraining = pretraining_sets(y[parts[0]])
    backend = choose_backend()
    timings["data"] = time.perf_counter() - start
    with quiet_native_stderr() if backend == "tensorflow" and "tensorflow" not in sys.modules \
            else contextlib.nullcontext():
        import keras

    _check_mixed_precision(keras, config.mixed_precision)
    keras.utils.set_random_seed(config.seed)
    previous_policy = keras.mixed_precision.dtype_policy()
    if config.mixed_precision:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
    # Each run builds new models, so TensorFlow logs "triggered tf.function retracing" warnings
    # that are expected here; keep the output readable.
    tf_logger = logging.getLogger("tensorflow")
    previous_level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    log = print if verbose else (lambda *args, **kwargs: None)
    try:
        summary = mlbalance.imbalance_summary(y)
        width = "" if x.shape[2] == 128 else " (the seed had 128; the models' input is sized to the data)"
        log(f"data: {x.shape[0]:,} sequences, up to {x.shape[1]} steps x {x.shape[2]} features{width}, "
            f"{y.shape[1]} labels; backend {keras.backend.backend()}")
        for line in _imbalance_lines(summary):
            log(line)
        log(f"split (stratified): train {len(parts[0]):,}, validation {len(parts[1]):,}, test {len(parts[2]):,}",
            flush=True)
        result = stages.run_stages(keras, config, x, y, parts, pretraining, verbose, timings, speed)
    finally:
        keras.mixed_precision.set_dtype_policy(previous_policy)
        tf_logger.setLevel(previous_level)
    reports = result["reports"]
    saved = f"{RECIPE} +ft +cRT" if f"{RECIPE} +ft +cRT" in result["models"] else next(iter(result["models"]), None)
    result.update(summary=summary, comparison=mlbalance.compare_reports(reports), saved=saved, paths=paths,
                  saved_macro_f1=None if saved is None else reports[f"{saved} @tuned"].overall["macro_f1"])
    log("")
    for line in comparison_lines(reports, saved) + story_lines(reports, saved):
        log(line)
    if paths is not None:
        html_path, json_path, model_path, thresholds_path = paths
        result["comparison"].save(html_path)
        result["comparison"].save(json_path)
        log(f"report (per-label tables): {html_path} (and {os.path.basename(json_path)})")
        if saved is not None:
            save_model(result["models"][saved], result["evaluation"].thresholds[saved], model_path, thresholds_path)
            log(f"saved model: {model_path} ({saved}, test macro-F1 {result['saved_macro_f1']:.3f} at the "
                f"thresholds in {thresholds_path}); to use it:")
            for line in usage_lines(model_path, thresholds_path):
                log(line)
    log("stages: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + f" (total {sum(timings.values()):.0f} s)")
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python examples/seed_scenario/run.py",
                                     description="The seed scenario: an LSTM transferred from a binary model, 23 "
                                                 "imbalanced sigmoid labels; Keras class_weight against mlbalance.")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the seed's sizes (longer sequences, more epochs)")
    size.add_argument("--tiny", action="store_true", help="a seconds-long smoke run (600 rows)")
    parser.add_argument("--all", action="store_true",
                        help="every loss in stage 2 and every fine-tunable loss in stage 3 (benchmarks/"
                             "bench_demo_seeds.py's comparison) instead of the story's three runs")
    parser.add_argument("--seed", type=int, default=0, help="data, split and initialisation seed")
    parser.add_argument("--data", help="your own sequences: an .npz with x (n, T, features) and y (n, q) 0/1")
    parser.add_argument("--backend", choices=tuple(BACKEND_PACKAGES),
                        help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    parser.add_argument("--mixed-precision", action="store_true", help="train under the mixed_float16 policy")
    parser.add_argument("--padding", choices=("mask", "pre"), default="mask",
                        help="'mask': zero padding at the end, masked (default); 'pre': padding first, no mask, "
                             "so JAX and PyTorch can use the cuDNN LSTM on a GPU")
    parser.add_argument("--finetune-epochs", type=int, help="epochs of stage 3 (end-to-end fine-tuning); 0 skips it")
    parser.add_argument("--finetune-sampling", choices=("repeat_factor", "ml_ros", "none"), default="repeat_factor",
                        help="how stage 3 draws its rows: oversampled by repeat factors (default), by ML-ROS, "
                             "or 'none' (every training row once)")
    parser.add_argument("--output-dir", default="demo_output",
                        help="where the reports and the saved model go (created if missing; checked before "
                             "training)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON at the end")
    return parser


def _run(args: argparse.Namespace) -> str | None:
    # Every check before the first Keras import and before minutes of training.
    check_int("--seed", args.seed, low=0)
    check_int("--finetune-epochs", args.finetune_epochs, low=0, allow_none=True)
    choose_backend(args.backend, option="--backend")
    prepare_output_dir(args.output_dir, {"--data": args.data}, option="--output-dir")
    make = DemoConfig.full if args.full else DemoConfig.tiny if args.tiny else DemoConfig
    overrides = {} if args.finetune_epochs is None else {"finetune_epochs": args.finetune_epochs}
    config = make(seed=args.seed, mixed_precision=args.mixed_precision, padding=args.padding, everything=args.all,
                  finetune_sampling=None if args.finetune_sampling == "none" else args.finetune_sampling, **overrides)
    data = load_data(args.data) if args.data else None
    result = run_demo(config, data=data, output_dir=args.output_dir, inputs={"--data": args.data})
    return result["comparison"].to_json(indent=2) if args.json else None


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status: 0, or 2 with one ``error: ...`` line on standard error.

    Examples
    --------
    >>> from seed_scenario.run import main
    >>> main(["--seed", "-1"])
    2
    """
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            output = _run(args)
        except (ValueError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    if output is not None:
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
