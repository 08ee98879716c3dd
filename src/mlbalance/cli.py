"""The ``mlbalance`` command line.

Subcommands: ``stats`` (imbalance summary), ``weights`` (per-label weights),
``split`` (stratified folds or train/val/test to a CSV), ``report`` (evaluation report),
``resample`` (oversampling, before and after) and ``demo`` (the seed scenario end to end).
Errors are printed as one ``mlbalance: error: ...`` message with exit status 2;
soft problems as ``mlbalance: warning: ...`` on standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

from . import __version__
from . import _stratify
from .io import read_csv_column, read_labels, read_scores
from .labels import as_label_matrix
from .report import _save_by_extension, compare_reports, evaluation_report
from .split import (
    MultilabelStratifiedGroupKFold,
    MultilabelStratifiedKFold,
    multilabel_train_test_split,
    split_quality,
    train_val_test_split,
)
from .stats import imbalance_summary
from .thresholds import check_scores
from .weights import POSITIVE_WEIGHT_STRATEGIES, label_weights

__all__ = ["main"]


def _on_zero(value):
    if value in ("raise", "one", "max"):
        return value
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected raise, one, max or a number; received {value!r}") from None


def _add_label_input(parser) -> None:
    parser.add_argument("labels", metavar="LABELS", help="label file: .npy, .npz (dense or sparse) or .csv")
    parser.add_argument("--mask-value", type=float, default=None,
                        help="value marking unobserved entries (e.g. -1); excluded from counts")
    parser.add_argument("--label-column", default=None,
                        help="CSV column holding delimited label names (e.g. 'cat|dog')")
    parser.add_argument("--sep", default="|", help="delimiter between label names in --label-column (default '|')")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


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
    stats.add_argument("--min-positives", type=int, default=10, help="labels below this count are listed as rare")

    weights = sub.add_parser("weights", help="per-label positive (and negative) loss weights",
                             description="Per-label loss weights for a sigmoid multi-label output.")
    _add_label_input(weights)
    weights.add_argument("--strategy", choices=POSITIVE_WEIGHT_STRATEGIES, default="neg_pos",
                         help="weighting formula (default neg_pos = negatives / positives)")
    weights.add_argument("--max-weight", type=float, default=None, help="cap every weight at this value")
    weights.add_argument("--beta", type=float, default=0.999, help="beta of the effective_number strategy")
    weights.add_argument("--normalize", action="store_true", help="scale weights to average 1 before the cap")
    weights.add_argument("--on-zero", type=_on_zero, default="raise",
                         help="labels with no positives (or no negatives): raise (default), one, max, or a number")

    split = sub.add_parser("split", help="multi-label stratified k-fold or train/(val/)test split to a CSV",
                           description="Stratified split of a label file; writes one row per input row, in input "
                                       "order, with its fold or split name, and prints the split quality.")
    _add_label_input(split)
    how = split.add_mutually_exclusive_group(required=True)
    how.add_argument("--folds", type=int, help="number of folds (k-fold)")
    how.add_argument("--test-size", type=float, help="test fraction (e.g. 0.2) or count (e.g. 500)")
    split.add_argument("--val-size", type=float, default=None, help="validation fraction or count (with --test-size)")
    split.add_argument("--seed", type=int, default=None, help="random seed (default: deterministic order)")
    split.add_argument("--groups", default=None,
                       help="group ids: a column of LABELS (removed from the labels) or a file with one id per row")
    split.add_argument("--order", type=int, choices=(1, 2), default=1, help="2 also stratifies label pairs")
    split.add_argument("-o", "--output", required=True, help="output CSV (refuses to overwrite LABELS)")

    resample = sub.add_parser("resample", help="multi-label oversampling: imbalance before and after",
                              description="Draw one epoch of repeat-factor or ML-ROS oversampling and print the "
                                          "imbalance summary before and after (prevalence, MeanIR, SCUMBLE).")
    _add_label_input(resample)
    resample.add_argument("--method", choices=("repeat_factor", "ml_ros"), default="repeat_factor")
    resample.add_argument("--threshold", type=float, default=0.1, help="repeat_factor: rarer labels are repeated")
    resample.add_argument("--percentage", type=float, default=25.0, help="ml_ros: clones as %% of the rows")
    resample.add_argument("--seed", type=int, default=0)
    resample.add_argument("-o", "--output", help="write the epoch's row indices, one per line")

    demo = sub.add_parser("demo", help="the seed's LSTM transfer-learning scenario end to end (Keras)",
                          description="Rebuild the seed scenario (6,790 sequences, 23 labels, an LSTM base "
                                      "transferred from a binary model) and compare plain BCE, Keras class_weight, "
                                      "weighted BCE, focal and asymmetric losses, at 0.5 and at tuned thresholds.")
    size = demo.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the seed's sizes (longer sequences, more epochs)")
    size.add_argument("--tiny", action="store_true", help="a seconds-long smoke run (600 rows)")
    demo.add_argument("--seed", type=int, default=0, help="data, split and initialisation seed")
    demo.add_argument("--data", help="your own sequences: an .npz with x (n, T, features) and y (n, q) 0/1")
    demo.add_argument("--backend", choices=("tensorflow", "jax", "torch"),
                      help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    demo.add_argument("--mixed-precision", action="store_true", help="train under the mixed_float16 policy")
    demo.add_argument("--padding", choices=("mask", "pre"), default="mask",
                      help="'mask': zero padding at the end, masked (default); 'pre': padding first, no mask, "
                           "so JAX and PyTorch can use the cuDNN LSTM on a GPU")
    demo.add_argument("--finetune-epochs", type=int, help="epochs of stage 3 (end-to-end fine-tuning); 0 skips it")
    demo.add_argument("--finetune-sampling", choices=("repeat_factor", "ml_ros", "none"), default="repeat_factor",
                      help="how stage 3 draws its rows: oversampled by repeat factors (default), by ML-ROS, "
                           "or 'none' (every training row once)")
    demo.add_argument("--output-dir", default="demo_output",
                      help="where demo_report.html/.json go (created if missing; checked before training)")
    demo.add_argument("--json", action="store_true", help="print the comparison as JSON at the end")

    report = sub.add_parser("report", help="per-label evaluation report (terminal, HTML, JSON or Markdown)",
                            description="Evaluate scores against labels, per label; several --y-score files are "
                                        "compared side by side.")
    report.add_argument("--y-true", required=True, help="true labels: .npy, .npz or .csv")
    report.add_argument("--y-score", required=True, action="append", help="scores (repeat to compare runs)")
    report.add_argument("--name", action="append", help="run name for each --y-score, in order")
    report.add_argument("--labels", help="label names: a text file with one name per line")
    report.add_argument("--thresholds", default="0.5",
                        help="a number, 'tune' (tuned on these rows: optimistic) or a file with one threshold per "
                             "label (text, one per line, or the JSON of TunedThresholds.to_dict())")
    report.add_argument("--train-labels", help="training labels, to show each label's training support")
    report.add_argument("--mask-value", type=float, default=None, help="value marking unobserved label entries")
    report.add_argument("-o", "--output", help="write report.html, report.json or report.md")
    return parser


def _size(value):
    return int(value) if value is not None and value >= 1 and float(value).is_integer() else value


def _read_groups(args, n_rows):
    if os.path.exists(args.groups) and not os.path.isdir(args.groups):
        with open(args.groups, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()]
        if len(lines) == n_rows + 1:
            lines = lines[1:]  # a header line
        if len(lines) != n_rows:
            raise ValueError(f"{args.groups}: {len(lines)} group ids for {n_rows} label rows; give one per row.")
        return np.array(lines)
    if args.labels.lower().endswith((".csv", ".tsv", ".txt")):
        return np.array(read_csv_column(args.labels, args.groups))
    raise ValueError(f"--groups {args.groups!r} is neither a file nor a column of {args.labels}.")


def _progress_bar():
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


def _run_split(args) -> str:
    if os.path.exists(args.output) and os.path.samefile(args.output, args.labels):
        raise ValueError(f"refusing to overwrite the input {args.labels}; choose another -o path.")
    groups_column = args.groups if args.groups and not os.path.exists(args.groups) else None
    labels = read_labels(args.labels, mask_value=args.mask_value, label_column=args.label_column, sep=args.sep,
                         drop_columns=[groups_column] if groups_column else ())
    n = labels.n_samples
    progress, finish = _progress_bar()
    token = _stratify.PROGRESS.set(progress)
    try:
        if args.folds is not None:
            shuffle = args.seed is not None
            if args.groups:
                cv = MultilabelStratifiedGroupKFold(args.folds, shuffle=shuffle, random_state=args.seed)
                part = np.empty(n, dtype=np.int64)
                for j, (_, test) in enumerate(cv.split(None, labels, _read_groups(args, n))):
                    part[test] = j
            else:
                cv = MultilabelStratifiedKFold(args.folds, shuffle=shuffle, random_state=args.seed, order=args.order)
                part = cv.fold_assignment(None, labels)
            names = np.array([f"fold{j}" for j in range(args.folds)])
        else:
            if args.groups:
                raise ValueError("--groups works with --folds; for a grouped train/test split use --folds and "
                                 "take one fold as the test set.")
            index = np.arange(n)
            if args.val_size is None:
                parts = multilabel_train_test_split(index, y=labels, test_size=_size(args.test_size),
                                                    random_state=args.seed, shuffle=args.seed is not None,
                                                    order=args.order)
                names = np.array(["train", "test"])
            else:
                parts = train_val_test_split(index, y=labels, val_size=_size(args.val_size),
                                             test_size=_size(args.test_size), random_state=args.seed,
                                             order=args.order)
                names = np.array(["train", "val", "test"])
            part = np.empty(n, dtype=np.int64)
            for j, rows in enumerate(parts):
                part[rows] = j
    finally:
        _stratify.PROGRESS.reset(token)
        finish()
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("row,split\n")
        handle.writelines(f"{i},{name}\n" for i, name in enumerate(names[part]))
    requested = None
    if args.folds is None:  # the sizes asked for, so ED measures the deviation from them
        requested = [len(rows) for rows in parts]
    quality = split_quality(labels, part, target_sizes=requested)
    if args.json:
        return json.dumps({"output": args.output, "parts": names.tolist(), **quality.to_dict()}, indent=2)
    counts = quality.positives_per_part
    lines = [f"wrote {args.output}: {n:,} rows -> " + ", ".join(f"{name} {size:,}" for name, size in
                                                                 zip(names, quality.part_sizes)),
             f"quality: {quality}",
             "rarest labels (positives per part):"]
    rarest = np.argsort(counts.sum(axis=0), kind="stable")
    rarest = [j for j in rarest if counts[:, j].sum() > 0][:10]
    lines += [f"  {labels.label_names[j]:>10}: " + ", ".join(f"{name} {counts[p, j]}" for p, name in enumerate(names))
              for j in rarest]
    return "\n".join(lines)


def _read_thresholds(value, n_labels):
    try:
        return float(value)
    except ValueError:
        pass
    if value == "tune":
        return "tune"
    if not os.path.exists(value):
        raise ValueError(f"--thresholds {value!r}: expected a number, 'tune' or an existing file.")
    with open(value, encoding="utf-8") as handle:
        text = handle.read()
    try:
        data = json.loads(text)
        values = [x["threshold"] for x in data["labels"]] if isinstance(data, dict) else list(data)
    except (ValueError, KeyError, TypeError):
        try:
            values = [float(line.split(",")[-1]) for line in text.splitlines() if line.strip()]
        except ValueError:
            raise ValueError(f"{value}: expected one threshold per line (or TunedThresholds JSON).") from None
    if len(values) != n_labels:
        raise ValueError(f"{value}: {len(values)} thresholds for {n_labels} labels; give one per label, in order.")
    return np.asarray(values, dtype=np.float64)


def _run_report(args) -> str:
    names = None
    if args.labels:
        with open(args.labels, encoding="utf-8") as handle:
            names = [line.strip() for line in handle if line.strip()]
    y_true = read_labels(args.y_true, mask_value=args.mask_value)
    if names is not None:
        y_true = as_label_matrix(y_true, label_names=names)
    run_names = args.name or []
    if len(run_names) not in (0, len(args.y_score)):
        raise ValueError(f"{len(run_names)} --name for {len(args.y_score)} --y-score; give one name per score file.")
    thresholds = _read_thresholds(args.thresholds, y_true.n_labels)
    train = read_labels(args.train_labels, mask_value=args.mask_value) if args.train_labels else None
    reports = {}
    for k, path in enumerate(args.y_score):
        name = run_names[k] if run_names else os.path.splitext(os.path.basename(path))[0]
        scores = read_scores(path)
        try:
            check_scores(scores, y_true.n_samples, y_true.n_labels)
        except ValueError as err:
            raise ValueError(f"{path}: {err} The labels are in {args.y_true}.") from None
        reports[name] = evaluation_report(y_true, scores, thresholds, y_train=train, name=name,
                                          mask_value=args.mask_value)
    result = next(iter(reports.values())) if len(reports) == 1 else compare_reports(reports)
    if args.output:
        ext = os.path.splitext(args.output)[1].lower()
        if ext not in (".html", ".json", ".md"):
            raise ValueError(f"-o {args.output}: use a .html, .json or .md file name.")
        _save_by_extension(result, args.output)
    return result.to_text() + (f"\nwrote {args.output}" if args.output else "")


def _run_resample(args) -> str:
    from .sampling import resample_indices

    labels = read_labels(args.labels, mask_value=args.mask_value, label_column=args.label_column, sep=args.sep)
    indices = resample_indices(labels, args.method, args.seed, threshold=args.threshold, percentage=args.percentage,
                               shuffle=False)
    before = imbalance_summary(labels)
    after = imbalance_summary(labels.values[indices], label_names=labels.label_names)
    if args.output:
        np.savetxt(args.output, indices, fmt="%d")
    if args.json:
        return json.dumps({"method": args.method, "rows_before": labels.n_samples, "rows_after": int(indices.size),
                           "before": before.to_dict(), "after": after.to_dict()}, indent=2)
    lines = [f"{args.method}: {labels.n_samples:,} rows -> {indices.size:,} rows per epoch "
             f"(every original row at least once)",
             f"{'':>10}  {'MeanIR':>9}  {'MaxIR':>9}  {'SCUMBLE':>7}  {'cardinality':>11}",
             *(f"{name:>10}  {s.mean_ir:>9.2f}  {s.max_ir:>9.2f}  {s.scumble:>7.4f}  {s.cardinality:>11.4f}"
               for name, s in (("before", before), ("after", after))),
             "prevalence of the rarest labels (before -> after):"]
    order = [j for j in np.argsort(before.positives, kind="stable") if before.positives[j] > 0][:10]
    lines += [f"{labels.label_names[j]:>10}: {before.prevalence[j]:.5f} -> {after.prevalence[j]:.5f}" for j in order]
    return "\n".join(lines)


def _run_demo(args) -> str:
    from ._validation import check_int
    from .demo import DemoConfig, choose_backend, load_data, prepare_output_dir, run_demo

    # Every check before the first Keras import and before minutes of training.
    check_int("--seed", args.seed, low=0)
    check_int("--finetune-epochs", args.finetune_epochs, low=0, allow_none=True)
    choose_backend(args.backend, option="--backend")
    prepare_output_dir(args.output_dir, {"--data": args.data}, option="--output-dir")
    make = DemoConfig.full if args.full else DemoConfig.tiny if args.tiny else DemoConfig
    overrides = {} if args.finetune_epochs is None else {"finetune_epochs": args.finetune_epochs}
    sampling = None if args.finetune_sampling == "none" else args.finetune_sampling
    config = make(seed=args.seed, mixed_precision=args.mixed_precision, padding=args.padding,
                  finetune_sampling=sampling, **overrides)
    data = load_data(args.data) if args.data else None
    result = run_demo(config, data=data, output_dir=args.output_dir)
    if args.json:
        return result["comparison"].to_json(indent=2)
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items())
    speed = "; ".join(f"{stage}: " + ", ".join(f"{k} {v:,.2f}" for k, v in value.items()) if isinstance(value, dict)
                      else f"{stage} {value:,.0f}" for stage, value in result["speed"].items())
    return f"timings: {timings}\nspeed: {speed}"


def _run_stats(args) -> str:
    labels = read_labels(args.labels, mask_value=args.mask_value, label_column=args.label_column, sep=args.sep)
    summary = imbalance_summary(labels, min_positives=args.min_positives)
    return summary.to_json(indent=2) if args.json else summary.to_text()


def _run_weights(args) -> str:
    labels = read_labels(args.labels, mask_value=args.mask_value, label_column=args.label_column, sep=args.sep)
    pos, neg = label_weights(labels, args.strategy, max_weight=args.max_weight, beta=args.beta,
                             on_zero=args.on_zero, normalize=args.normalize)
    counts = labels.counts()
    rows = [
        {"index": j, "name": name, "positives": int(counts.positives[j]), "negatives": int(counts.negatives[j]),
         "pos_weight": float(pos[j]), "neg_weight": float(neg[j])}
        for j, name in enumerate(labels.label_names)
    ]
    if args.json:
        return json.dumps({"strategy": args.strategy, "max_weight": args.max_weight, "on_zero": args.on_zero,
                           "labels": rows}, indent=2)
    width = max(4, *(len(n) for n in labels.label_names))
    lines = [f"strategy {args.strategy}" + (f", capped at {args.max_weight:g}" if args.max_weight else ""),
             f"{'label':>5}  {'name':>{width}}  {'positives':>9}  {'negatives':>9}  {'pos_weight':>12}  {'neg_weight':>10}"]
    lines += [f"{r['index']:>5}  {r['name']:>{width}}  {r['positives']:>9}  {r['negatives']:>9}  "
              f"{r['pos_weight']:>12.4f}  {r['neg_weight']:>10.4f}" for r in rows]
    lines.append("pos_weight as a Python list: " + json.dumps(np.round(pos, 6).tolist()))
    return "\n".join(lines)


def main(argv=None) -> int:
    """Entry point of the ``mlbalance`` console script; returns the exit status.

    Examples
    --------
    >>> from mlbalance.cli import main
    >>> main(["stats", "no-such-file.csv"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    run = {"stats": _run_stats, "weights": _run_weights, "split": _run_split, "report": _run_report,
           "demo": _run_demo, "resample": _run_resample}[args.command]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            output = run(args)
        except (ValueError, OSError) as err:
            print(f"mlbalance: error: {err}", file=sys.stderr)
            return 2
    for warning in caught:
        print(f"mlbalance: warning: {warning.message}", file=sys.stderr)
    print(output)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
