"""The ``mlbalance`` command line.

Subcommands: ``stats`` (imbalance summary), ``weights`` (per-label weights),
``split`` (stratified folds or train/val/test to a CSV), ``tune`` (per-label thresholds on
validation scores, to the JSON file ``report --thresholds`` reads), ``report`` (evaluation report),
``resample`` (oversampling, before and after); ``demo`` only says where the seed-scenario example
is (``examples/seed_scenario/run.py``: it is not part of the installed package).
Errors are printed as one ``mlbalance: error: ...`` message with exit status 2;
soft problems as ``mlbalance: warning: ...`` on standard error.

Exit status: 0 success; 2 an error (a bad option, a bad file, an output that would
overwrite an input, or an unexpected exception, reported as a bug); 130 interrupted
(Ctrl-C); 141 standard output closed early (``mlbalance stats y.csv | head``), quietly.
Every file written goes through :func:`mlbalance._files.atomic_open`: a failed or
interrupted run leaves the previous file as it was, and an output path that resolves to
any input of the command is refused before any work.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import __version__
from ._files import atomic_open, check_output
from ._json import dumps
from ._tables import number, table
from ._text import terminal_text
from ._validation import check_choice_or_number, check_int, check_mask_value, check_number
from .io import LabelFile, csv_header, read_group_ids, read_label_file, read_label_names, read_scores, read_thresholds
from .labels import LabelMatrix, as_label_matrix, describe_labels
from .report import compare_reports, evaluation_report
from .split import (
    MultilabelStratifiedGroupKFold,
    MultilabelStratifiedKFold,
    multilabel_train_test_split,
    split_quality,
    train_val_test_split,
)
from .stats import imbalance_summary
from ._ranking import check_scores
from .thresholds import tune_thresholds
from .weights import POSITIVE_WEIGHT_STRATEGIES, weight_summary

__all__ = ["main"]


def _number(option: str, **bounds: Any) -> Callable[[str], float]:
    """An argparse ``type``: a finite number within ``bounds`` (see ``check_number``)."""
    def parse(text: str) -> float:
        try:
            return check_number(option, _float_or_text(text), **bounds)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    return parse


def _integer(option: str, low: int | None = None, high: int | None = None,
             what: str | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an integer in ``[low, high]`` (see ``check_int``; ``what`` rewords the bounds)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = text
        try:
            return check_int(option, value, low=low, high=high)
        except ValueError as err:
            message = str(err) if what is None else f"Expected {option} to be {what}. Received: {option}={value!r}"
            raise argparse.ArgumentTypeError(message) from None
    return parse


def _mask_value(text: str) -> float:
    """An argparse ``type``: any number but the label values 0 and 1 (nan allowed, as the library allows it)."""
    try:
        return check_mask_value(_float_or_text(text), name="--mask-value")
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _float_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _size(option: str) -> Callable[[str], int | float]:
    """An argparse ``type`` for --test-size/--val-size: a fraction or a row count, by how it is written.

    A whole number written without a decimal point (``500``, ``1``) is a row count >= 1;
    anything else (``0.2``, ``1.0``, ``2e-1``) is a fraction, which must lie in (0, 1).
    """
    def parse(text: str) -> int | float:
        expected = (f"Expected {option} to be a fraction in (0, 1) such as 0.2, or a row count written without a "
                    f"decimal point such as 500. Received: {option}={text!r}")
        if re.fullmatch(r"\s*[-+]?[0-9]+\s*", text):
            if int(text) < 1:
                raise argparse.ArgumentTypeError(expected)
            return int(text)
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(expected) from None
        if not 0 < value < 1:  # also refuses nan and inf
            hint = (f"; for a count of {int(value)} row(s) write {int(value)}"
                    if value >= 1 and value.is_integer() and value < 2**63 else "")
            raise argparse.ArgumentTypeError(expected + hint)
        return value
    return parse


_SEED = dict(low=0, high=2**32 - 1, what="an integer in [0, 2**32 - 1]")


def _on_zero(text: str) -> str | float:
    """An argparse ``type``: raise, one, max or a number > 0 (as ``label_weights`` accepts)."""
    value = text if text in ("raise", "one", "max") else _float_or_text(text)
    try:
        return check_choice_or_number("--on-zero", value, ("raise", "one", "max"), low=0, low_open=True)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_label_input(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("labels", metavar="LABELS", help="label file: .npy, .npz (dense or sparse) or .csv")
    parser.add_argument("--mask-value", type=_mask_value, default=None,
                        help="value marking unobserved entries (e.g. -1 or nan; not 0 or 1); excluded from counts")
    parser.add_argument("--label-column", default=None,
                        help="CSV column holding delimited label names (e.g. 'cat|dog')")
    parser.add_argument("--sep", default="|", help="delimiter between label names in --label-column (default '|')")
    _add_column_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _add_column_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id-column", default=None,
                        help="CSV column of row ids (unique): not a label; split writes it beside each row, report "
                             "joins score rows to label rows on it")
    parser.add_argument("--drop-columns", action="append", default=[], metavar="NAME[,NAME...]",
                        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
                        help="CSV columns that are not labels (repeatable, or comma-separated)")


def _add_scores_input(parser: argparse.ArgumentParser, *, repeat: bool) -> None:
    """--y-true, --y-score (repeatable for report), --labels, --mask-value and the column options."""
    parser.add_argument("--y-true", required=True, help="true labels: .npy, .npz or .csv")
    parser.add_argument("--y-score", required=True, action="append" if repeat else "store",
                        help="scores: .npy (columns in label order), .npz, or .csv whose header names the labels "
                             "(matched by name)" + ("; repeat to compare runs" if repeat else ""))
    parser.add_argument("--labels", help="names for the --y-true columns: a text file with one name per line")
    parser.add_argument("--mask-value", type=_mask_value, default=None,
                        help="value marking unobserved label entries (e.g. -1 or nan; not 0 or 1)")
    _add_column_options(parser)


def _dropped(args: argparse.Namespace) -> list:
    return [name for names in args.drop_columns for name in names]


def _read_label_args(args: argparse.Namespace, **extra) -> LabelFile:
    return read_label_file(args.labels, mask_value=args.mask_value, label_column=args.label_column, sep=args.sep,
                           drop_columns=_dropped(args), id_column=args.id_column, **extra)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools and tests).

    Examples
    --------
    >>> from mlbalance.cli import build_parser
    >>> build_parser().parse_args(["stats", "y.csv"]).command
    'stats'
    """
    parser = argparse.ArgumentParser(
        prog="mlbalance",
        description="Imbalance statistics and per-label weights for multi-label targets.",
    )
    parser.add_argument("--version", action="version", version=f"mlbalance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    stats = sub.add_parser("stats", help="per-label counts and imbalance measures (IRLbl, MeanIR, SCUMBLE)",
                           description="Per-label counts and multi-label imbalance measures (Charte et al., 2015).")
    _add_label_input(stats)
    stats.add_argument("--min-positives", type=_integer("--min-positives", low=1), default=10,
                       help="labels below this count (>= 1, default 10) are listed as rare")

    weights = sub.add_parser("weights", help="per-label positive (and negative) loss weights",
                             description="Per-label loss weights for a sigmoid multi-label output.")
    _add_label_input(weights)
    weights.add_argument("--strategy", choices=POSITIVE_WEIGHT_STRATEGIES, default="neg_pos",
                         help="weighting formula (default neg_pos = negatives / positives)")
    weights.add_argument("--max-weight", type=_number("--max-weight", low=0, low_open=True), default=None,
                         help="cap every weight at this value (> 0)")
    weights.add_argument("--beta", type=_number("--beta", low=0, high=1, low_open=True, high_open=True),
                         default=None, help="beta in (0, 1) of --strategy effective_number (default 0.999)")
    weights.add_argument("--normalize", action="store_true", help="scale weights to average 1 before the cap")
    weights.add_argument("--on-zero", type=_on_zero, default="raise",
                         help="labels with no positives (or no negatives): raise (default), one, max, or a number")

    split = sub.add_parser("split", help="multi-label stratified k-fold or train/(val/)test split to a CSV",
                           description="Stratified split of a label file; writes one row per input row, in input "
                                       "order, with its fold or split name, and prints the split quality.")
    _add_label_input(split)
    how = split.add_mutually_exclusive_group(required=True)
    how.add_argument("--folds", type=_integer("--folds", low=2), help="number of folds (k-fold, >= 2)")
    how.add_argument("--test-size", type=_size("--test-size"),
                     help="test fraction in (0, 1), e.g. 0.2, or a row count written without a decimal point, "
                          "e.g. 500 (1.0 is refused: write 1 for one row)")
    split.add_argument("--val-size", type=_size("--val-size"), default=None,
                       help="validation fraction or row count, as --test-size (only with --test-size)")
    split.add_argument("--seed", type=_integer("--seed", **_SEED), default=None,
                       help="shuffle with this seed (0 to 2**32-1); without it, --folds and a train/test split keep "
                            "a deterministic order, and a train/val/test split uses seed 0")
    split.add_argument("--groups", default=None,
                       help="group ids: a column of LABELS (removed from the labels) or a file with one id per row")
    split.add_argument("--order", type=int, choices=(1, 2), default=1,
                       help="2 also stratifies label pairs (not with --groups)")
    split.add_argument("-o", "--output", required=True,
                       help="output CSV, written atomically (refuses LABELS and the --groups file)")

    resample = sub.add_parser("resample", help="multi-label oversampling: imbalance before and after",
                              description="Draw one epoch of repeat-factor or ML-ROS oversampling and print the "
                                          "imbalance summary before and after (prevalence, MeanIR, SCUMBLE).")
    _add_label_input(resample)
    resample.add_argument("--method", choices=("repeat_factor", "ml_ros"), default="repeat_factor")
    resample.add_argument("--threshold", type=_number("--threshold", low=0, high=1, low_open=True), default=None,
                          help="repeat_factor only: labels rarer than this prevalence in (0, 1] are repeated "
                               "(default 0.1)")
    resample.add_argument("--percentage", type=_number("--percentage", low=0, low_open=True), default=None,
                          help="ml_ros only: clones as %% of the rows, > 0 (default 25)")
    resample.add_argument("--seed", type=_integer("--seed", **_SEED), default=0, help="random seed (default 0)")
    resample.add_argument("-o", "--output",
                          help="write the epoch's row indices, one per line, atomically (refuses LABELS)")

    # The demo is example code in the repository (examples/seed_scenario/), not part of the installed
    # library: this entry only says where it is. '+' prefixes: every argument after "demo" is accepted.
    demo = sub.add_parser("demo", help="where the seed-scenario demo is (examples/seed_scenario/run.py)",
                          prefix_chars="+", add_help=False)
    demo.add_argument("arguments", nargs="*")

    tune = sub.add_parser("tune", help="per-label thresholds tuned on validation scores, to the file that "
                                       "report --thresholds reads",
                          description="Tune one threshold per label (maximising F1 or F-beta) on validation labels "
                                      "and scores; write them as JSON for 'mlbalance report --thresholds'.")
    _add_scores_input(tune, repeat=False)
    tune.add_argument("--metric", choices=("f1", "fbeta"), default="f1", help="what to maximise (default f1)")
    tune.add_argument("--beta", type=_number("--beta", low=0, low_open=True), default=None,
                      help="beta > 0 of --metric fbeta (default 1; > 1 favours recall)")
    tune.add_argument("--placement", choices=("midpoint", "low", "high"), default="midpoint",
                      help="where in the best threshold's gap between scores to put it (default midpoint; low: "
                           "most recall, high: most precision)")
    tune.add_argument("--min-positives", type=_integer("--min-positives", low=1), default=5,
                      help="labels with fewer validation positives (>= 1, default 5) get --fallback")
    tune.add_argument("--fallback", type=_number("--fallback"), default=0.5,
                      help="threshold of the labels with too few positives (default 0.5; in [0, 1] for "
                           "probability scores)")
    tune.add_argument("--cv", type=_integer("--cv", low=2), default=None,
                      help="also cross-fit with this many stratified folds and print out-of-fold F1 (an honest "
                           "estimate; the thresholds written are tuned on all rows)")
    tune.add_argument("--seed", type=_integer("--seed", **_SEED), default=None,
                      help="seed of the --cv folds (0 to 2**32-1; default: unshuffled folds)")
    tune.add_argument("-o", "--output", required=True,
                      help="thresholds file (.json), written atomically (refuses any input file)")

    report = sub.add_parser("report", help="per-label evaluation report (terminal, HTML, JSON or Markdown)",
                            description="Evaluate scores against labels, per label; several --y-score files are "
                                        "compared side by side.")
    _add_scores_input(report, repeat=True)
    report.add_argument("--name", action="append", help="run name for each --y-score, in order (default: file stem)")
    report.add_argument("--thresholds", default="0.5",
                        help="a number in [0, 1], 'tune' (tuned on these rows: optimistic) or a file with one "
                             "threshold per label (text: one per line in label order, or name,threshold; or JSON: "
                             "the file of 'mlbalance tune', matched by name; the report says when it was tuned on "
                             "the rows it evaluates)")
    report.add_argument("--train-labels", help="training labels, to show each label's training support")
    report.add_argument("-o", "--output",
                        help="write report.html, report.json or report.md (refuses any input file)")
    return parser


def _conflicts(args: argparse.Namespace) -> str | None:
    """An option that the command would ignore or reinterpret, as a message; None if none."""
    if args.command == "split":
        if args.folds is not None and args.val_size is not None:
            return ("--val-size needs --test-size (a train/val/test split); with --folds every fold serves once as "
                    "the validation set. Drop --val-size, or use --test-size.")
        if args.groups and args.folds is None:
            return ("--groups works with --folds; for a grouped train/test split use --folds and take one fold as "
                    "the test set.")
        if args.groups and args.order == 2:
            return "--order 2 is not available with --groups (groups are stratified by label counts only); drop one."
    if args.command == "tune":
        if args.beta is not None and args.metric != "fbeta":
            return "--beta is used by --metric fbeta only; add --metric fbeta, or drop --beta."
        if args.seed is not None and args.cv is None:
            return "--seed sets the --cv folds; add --cv K, or drop --seed."
    if args.command == "weights" and args.beta is not None and args.strategy != "effective_number":
        return f"--beta applies to --strategy effective_number only; --strategy {args.strategy} would ignore it."
    if args.command == "resample":
        if args.method == "repeat_factor" and args.percentage is not None:
            return "--percentage applies to --method ml_ros only; --method repeat_factor would ignore it."
        if args.method == "ml_ros" and args.threshold is not None:
            return "--threshold applies to --method repeat_factor only; --method ml_ros would ignore it."
    return None


def _read_groups(args: argparse.Namespace, labels_file: LabelFile) -> np.ndarray:
    if args.groups in labels_file.columns:
        return np.array(labels_file.columns[args.groups])
    return read_group_ids(args.groups, labels_file.labels.n_samples)


def _progress_bar() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    start = time.perf_counter()
    shown = [False]

    def progress(done, total):
        if time.perf_counter() - start < 1.0 or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\rsplitting [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows")
        sys.stderr.flush()
        shown[0] = True

    def finish():
        if shown[0]:
            sys.stderr.write("\n")

    return progress, finish


def _run_split(args: argparse.Namespace) -> str:
    check_output(args.output, {"LABELS": args.labels,
                               "--groups": args.groups if args.groups and os.path.isfile(args.groups) else None})
    groups_column = None
    if args.groups:
        in_labels = args.groups in (csv_header(args.labels) or [])
        if in_labels and os.path.isfile(args.groups):
            raise ValueError(f"--groups {args.groups!r} is both a column of {args.labels} and a file: write "
                             f"--groups ./{args.groups} to mean the file, or move the file away to mean the column.")
        if not in_labels and not os.path.isfile(args.groups):
            raise ValueError(f"--groups {args.groups!r} is neither a file nor a column of {args.labels}.")
        groups_column = args.groups if in_labels else None
    labels_file = _read_label_args(args, extra_columns=[groups_column] if groups_column else ())
    labels = labels_file.labels
    n = labels.n_samples
    progress, finish = _progress_bar()
    try:
        if args.folds is not None:
            shuffle = args.seed is not None
            if args.groups:
                cv = MultilabelStratifiedGroupKFold(args.folds, shuffle=shuffle, random_state=args.seed)
                part = np.empty(n, dtype=np.int64)
                for j, (_, test) in enumerate(cv.split(None, labels, _read_groups(args, labels_file))):
                    part[test] = j
            else:
                cv = MultilabelStratifiedKFold(args.folds, shuffle=shuffle, random_state=args.seed, order=args.order)
                part = cv.fold_assignment(None, labels, progress=progress)
            names = [f"fold{j}" for j in range(args.folds)]
        else:
            index = np.arange(n)
            if args.val_size is None:
                parts = multilabel_train_test_split(index, y=labels, test_size=args.test_size,
                                                    random_state=args.seed, shuffle=args.seed is not None,
                                                    order=args.order, progress=progress)
                names = ["train", "test"]
            else:
                parts = train_val_test_split(index, y=labels, val_size=args.val_size, test_size=args.test_size,
                                             random_state=0 if args.seed is None else args.seed, order=args.order,
                                             progress=progress)
                names = ["train", "val", "test"]
            part = np.empty(n, dtype=np.int64)
            for j, rows in enumerate(parts):
                part[rows] = j
    finally:
        finish()
    with atomic_open(args.output) as handle:
        _write_split_rows(handle, np.array(names)[part], labels_file.ids, args.id_column)
    requested = None
    if args.folds is None:  # the sizes asked for, so ED measures the deviation from them
        requested = [len(rows) for rows in parts]
    quality = split_quality(labels, part, target_sizes=requested)
    if args.json:
        return dumps({"output": args.output, "parts": names, **quality.to_dict()}, indent=2)
    sizes = ", ".join(f"{name} {size:,}" for name, size in zip(names, quality.part_sizes))
    return f"wrote {args.output}: {n:,} rows -> {sizes}\n" + quality.to_text(names)


def _write_split_rows(handle, part_names: np.ndarray, ids: tuple | None, id_column: str | None) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["row", "split"] if ids is None else ["row", id_column, "split"])
    writer.writerows((i, name) if ids is None else (i, ids[i], name) for i, name in enumerate(part_names))


def _run_names(paths: list, names: list | None) -> list:
    """One distinct name per --y-score: --name, else the file stem (with its folder where stems repeat)."""
    if names:
        if len(names) != len(paths):
            raise ValueError(f"{len(names)} --name for {len(paths)} --y-score; give one name per score file.")
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"--name {repeated[0]!r} is given more than once; each --y-score needs its own name.")
        return list(names)
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    names = [f"{os.path.basename(os.path.dirname(os.path.abspath(p)))}/{stem}" if stems.count(stem) > 1
             else stem for p, stem in zip(paths, stems)]
    for k, name in enumerate(names):
        if names.index(name) != k:
            raise ValueError(f"--y-score {paths[k]} and {paths[names.index(name)]} would both be called {name!r}; "
                             "give each a --name.")
    return names


def _present(args: argparse.Namespace, path: str) -> dict:
    """--id-column and the --drop-columns that the CSV ``path`` has (report applies them where present)."""
    header = csv_header(path) or []
    return {"id_column": args.id_column if args.id_column in header else None,
            "drop_columns": [name for name in _dropped(args) if name in header]}


def _read_y_true(args: argparse.Namespace, other_inputs: list) -> tuple[LabelFile, LabelMatrix]:
    """--y-true (with --labels' names, --id-column, --drop-columns), after checking every dropped column exists."""
    headers = [csv_header(path) or [] for path in [args.y_true, *other_inputs]]
    unknown = [name for name in _dropped(args) if not any(name in header for header in headers)]
    if unknown:
        raise ValueError(f"--drop-columns {unknown[0]!r}: no input has a column of that name.")
    y_file = read_label_file(args.y_true, mask_value=args.mask_value, id_column=args.id_column,
                             drop_columns=_present(args, args.y_true)["drop_columns"])
    y_true = y_file.labels
    if args.labels:
        names = read_label_names(args.labels, y_true.n_labels)
        if names != list(y_true.label_names) and list(y_true.label_names) != [str(j) for j in range(len(names))]:
            warnings.warn(f"--labels {args.labels} renames the columns of {args.y_true} "
                          f"({', '.join(y_true.label_names[:5])}{', ...' if y_true.n_labels > 5 else ''}).",
                          UserWarning, stacklevel=2)
        y_true = as_label_matrix(y_true, label_names=names)
    return y_file, y_true


def _read_run_scores(args: argparse.Namespace, path: str, y_file: LabelFile, y_true: LabelMatrix) -> np.ndarray:
    """One --y-score file, its columns matched to the labels by name and its rows to theirs by id."""
    scores = read_scores(path, label_names=y_true.label_names, ids=y_file.ids, id_column=args.id_column,
                         drop_columns=_dropped(args))
    try:
        return check_scores(scores, y_true.n_samples, y_true.n_labels)
    except ValueError as err:
        raise ValueError(f"{path}: {err} The labels are in {args.y_true}.") from None


def _run_tune(args: argparse.Namespace) -> str:
    if os.path.splitext(args.output)[1].lower() != ".json":
        raise ValueError(f"-o {args.output}: use a .json file name (the thresholds file is JSON).")
    check_output(args.output, {"--y-true": args.y_true, "--y-score": args.y_score, "--labels": args.labels})
    y_file, y_true = _read_y_true(args, [args.y_score])
    scores = _read_run_scores(args, args.y_score, y_file, y_true)
    tuned = tune_thresholds(y_true, scores, args.metric, beta=1.0 if args.beta is None else args.beta,
                            min_positives=args.min_positives, fallback=args.fallback, placement=args.placement,
                            cv=args.cv, random_state=args.seed, fingerprint=True)
    tuned.save(args.output)
    out_of_fold = None
    if tuned.oof_predictions is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out_of_fold = evaluation_report(y_true, tuned.oof_predictions, 0.5)
    return _tune_summary(tuned, y_true, out_of_fold, args.y_score, args.output)


_TUNE_SHOWN = 30


def _tune_summary(tuned, y_true: LabelMatrix, out_of_fold, scores_path: str, output: str) -> str:
    """What ``tune`` did: labels tuned, fallbacks, and per label its threshold and metric (first 30 labels)."""
    q = len(tuned)
    metric = "F1" if tuned.metric == "f1" else f"F{tuned.beta:g}"
    fallbacks = set(tuned.fallback_labels)
    lines = [f"tuned {q - len(fallbacks)} of {q} label(s) for {metric} ({tuned.placement} placement) on "
             f"{y_true.n_samples:,} rows of {scores_path}"]
    if fallbacks:
        lines.append(f"fallback threshold {tuned.fallback:g} for {len(fallbacks)} label(s) with fewer than "
                     f"{tuned.min_positives} positives: {describe_labels(sorted(fallbacks), tuned.label_names)}")
    header = ["label", "positives", "threshold", f"{metric} (tuning rows)"]
    if out_of_fold is not None:
        header.append("out-of-fold F1")
    positives = y_true.counts().positives
    rows = []
    for j, name in enumerate(tuned.label_names[:_TUNE_SHOWN]):
        row = [name, int(positives[j]), number(tuned.thresholds[j], ".4g"),
               "fallback" if j in fallbacks else number(tuned.tuned_scores[j], ".3f")]
        if out_of_fold is not None:
            row.append(number(out_of_fold.labels[j]["f1"], ".3f"))
        rows.append(row)
    lines += table(header, rows)
    if q > _TUNE_SHOWN:
        lines.append(f"... {q - _TUNE_SHOWN} more label(s) in {output}")
    tuned_values = tuned.tuned_scores[~np.isnan(tuned.tuned_scores)]
    if tuned_values.size:
        lines.append(f"mean {metric} of the tuned labels on the tuning rows: {tuned_values.mean():.3f} (optimistic: "
                     "a report on these rows says so)")
    if out_of_fold is not None:
        lines.append(f"out-of-fold macro-F1 (each row predicted by thresholds tuned on the other folds): "
                     f"{number(out_of_fold.overall['macro_f1'], '.3f')} over "
                     f"{out_of_fold.overall['labels_with_support']} labels with positives")
    lines.append(f"wrote {output}")
    return "\n".join(terminal_text(line) for line in lines)


def _run_report(args: argparse.Namespace) -> str:
    if args.output:
        if os.path.splitext(args.output)[1].lower() not in (".html", ".json", ".md"):
            raise ValueError(f"-o {args.output}: use a .html, .json or .md file name.")
        inputs = {"--y-true": args.y_true, "--labels": args.labels, "--train-labels": args.train_labels,
                  "--thresholds": args.thresholds if os.path.isfile(args.thresholds) else None}
        inputs.update({f"--y-score #{k + 1}": path for k, path in enumerate(args.y_score)})
        check_output(args.output, inputs)
    y_file, y_true = _read_y_true(args, [*args.y_score, *([args.train_labels] if args.train_labels else [])])
    run_names = _run_names(args.y_score, args.name)
    thresholds = read_thresholds(args.thresholds, y_true.label_names)
    train = None
    if args.train_labels:
        train = read_label_file(args.train_labels, mask_value=args.mask_value, label_names=y_true.label_names,
                                **_present(args, args.train_labels)).labels
    reports = {}
    for name, path in zip(run_names, args.y_score):
        scores = _read_run_scores(args, path, y_file, y_true)
        reports[name] = evaluation_report(y_true, scores, thresholds, y_train=train, name=name,
                                          mask_value=args.mask_value)
    result = next(iter(reports.values())) if len(reports) == 1 else compare_reports(reports)
    if args.output:
        result.save(args.output)
    return result.to_text() + (f"\nwrote {args.output}" if args.output else "")


def _run_resample(args: argparse.Namespace) -> str:
    from .sampling import resample_indices

    if args.output:
        check_output(args.output, {"LABELS": args.labels})
    labels = _read_label_args(args).labels
    indices = resample_indices(labels, args.method, args.seed, shuffle=False,
                               threshold=0.1 if args.threshold is None else args.threshold,
                               percentage=25.0 if args.percentage is None else args.percentage)
    before = imbalance_summary(labels)
    after = imbalance_summary(labels.values[indices], label_names=labels.label_names)
    if args.output:
        with atomic_open(args.output) as handle:
            np.savetxt(handle, indices, fmt="%d")
    if args.json:
        return dumps({"method": args.method, "rows_before": labels.n_samples, "rows_after": int(indices.size),
                           "before": before.to_dict(), "after": after.to_dict()}, indent=2)
    measures = table(["", "MeanIR", "MaxIR", "SCUMBLE", "cardinality"],
                     [[name, number(s.mean_ir, ".2f"), number(s.max_ir, ".2f"), number(s.scumble, ".4f"),
                       number(s.cardinality, ".4f")] for name, s in (("before", before), ("after", after))],
                     align="<>>>>")
    order = [j for j in np.argsort(before.positives, kind="stable") if before.positives[j] > 0][:10]
    prevalence = table(["label", "before", "after"],
                       [[labels.label_names[j], number(before.prevalence[j], ".5f"),
                         number(after.prevalence[j], ".5f")] for j in order])
    return "\n".join([f"{args.method}: {labels.n_samples:,} rows -> {indices.size:,} rows per epoch "
                      "(every original row at least once)", *measures,
                      "prevalence of the rarest labels (before -> after):", *prevalence])


DEMO_SCRIPT = os.path.join("examples", "seed_scenario", "run.py")


def _run_demo(args) -> str:
    """The demo moved out of the library: say where it is and how to run it (exit status 2)."""
    found = os.path.isfile(DEMO_SCRIPT)
    where = (f"it is here: run  python {DEMO_SCRIPT} {' '.join(args.arguments)}".rstrip() if found else
             f"run it from a clone of the mlbalance repository:  python {DEMO_SCRIPT}  (in the repository's root)")
    raise ValueError(f"the demo is example code, not part of the installed mlbalance package (a model training "
                     f"application: examples/seed_scenario/); {where}. Options: --all, --full, --tiny, --data "
                     "FILE.npz, --backend, --output-dir; --help lists them.")


def _run_stats(args: argparse.Namespace) -> str:
    labels = _read_label_args(args).labels
    summary = imbalance_summary(labels, min_positives=args.min_positives)
    return summary.to_json(indent=2) if args.json else summary.to_text()


def _run_weights(args: argparse.Namespace) -> str:
    summary = weight_summary(_read_label_args(args).labels, args.strategy, max_weight=args.max_weight,
                             beta=0.999 if args.beta is None else args.beta, on_zero=args.on_zero,
                             normalize=args.normalize)
    return summary.to_json(indent=2) if args.json else summary.to_text()


def _print(text: str, stream) -> None:
    """Print ``text``; characters the stream cannot encode are written as escapes, not a traceback."""
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, "backslashreplace").decode(encoding), file=stream)


def _message(err: Exception) -> str:
    """An error as one readable message: an ``OSError`` without its ``[Errno N]`` prefix, naming its file."""
    if isinstance(err, OSError) and err.strerror:
        return f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    return str(err)


def _quiet_stdout() -> None:
    """After a broken pipe: point standard output at devnull so the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured output)
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mlbalance`` console script; returns the exit status.

    0 on success, 2 on any error (one ``mlbalance: error: ...`` line on standard error;
    argparse's own option errors exit 2 through ``SystemExit``), 130 when interrupted,
    141 when standard output is closed early (as by ``| head``).

    Examples
    --------
    >>> from mlbalance.cli import main
    >>> main(["stats", "no-such-file.csv"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    conflict = _conflicts(args)
    if conflict:
        parser.exit(2, f"{parser.prog} {args.command}: error: {conflict}\n")
    run = {"stats": _run_stats, "weights": _run_weights, "split": _run_split, "report": _run_report,
           "tune": _run_tune, "demo": _run_demo, "resample": _run_resample}[args.command]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                output, error = run(args), None
            except BrokenPipeError:
                raise
            except (ValueError, OSError) as err:
                output, error = None, _message(err)
            except Exception as err:  # a bug: still one line, no traceback
                detail = " ".join(str(err).split())
                output, error = None, (f"unexpected {type(err).__name__}: {detail}. This is a bug in mlbalance "
                                       f"{__version__}; please report it with the command you ran.")
        if error is not None:
            _print(f"mlbalance: error: {error}", sys.stderr)
            return 2
        for warning in caught:
            _print(f"mlbalance: warning: {warning.message}", sys.stderr)
        _print(output, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except KeyboardInterrupt:
        _print("mlbalance: interrupted", sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
