"""The ``mlbalance`` command line.

Subcommands: ``stats`` (imbalance summary) and ``weights`` (per-label weights).
Errors are printed as one ``mlbalance: error: ...`` message with exit status 2;
soft problems as ``mlbalance: warning: ...`` on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

import numpy as np

from . import __version__
from .io import read_labels
from .stats import imbalance_summary
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
    return parser


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
    run = {"stats": _run_stats, "weights": _run_weights}[args.command]
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
