"""The seed-scenario example's full comparison (``run.py --all``) over several seeds: test macro-F1 (mean +- sd) per run, and F1 of the labels with >= 9 positives.

Each seed regenerates the data, the split and the initialisation. Prints one line per run
(loss x threshold), for the best run the test F1 of every label with at least 9 positives, and
for every run in how many seeds each of those labels got a non-zero test F1. Per seed it also
prints, for every fine-tuned run, the test average precision of the labels with >= 9 positives
(a ranking figure, independent of thresholds: it tells a label the model did not learn from one
whose threshold was off). ``--runs`` restricts the stage-2 runs (the fine-tuned runs follow
them); each run's figures do not depend on which other runs ran. Last, for every run, the tuned
test macro-F1 with each ``tune_thresholds`` placement side by side (midpoint, low, high: the
same models and tuning rows, re-tuned from ``run_demo``'s held-out scores), and how many
(label, seed) pairs of the labels with >= 9 positives get a test F1 of 0 with each.

The ``+cRT`` runs' figures are those of the re-trained Keras models themselves
(:func:`mlbalance.retrain_classifier`), the models the example saves.

    python benchmarks/bench_demo_seeds.py [--seeds 0 1 2] [--full] [--runs weighted_bce asymmetric]
    KERAS_BACKEND=jax python benchmarks/bench_demo_seeds.py --full     # on a GPU
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))

from mlbalance import evaluation_report  # noqa: E402
from mlbalance.datasets import SEED_LABEL_COUNTS  # noqa: E402
from seed_scenario.config import FINETUNE_RUNS, RUNS, DemoConfig  # noqa: E402
from seed_scenario.evaluation import tune_held_out  # noqa: E402
from seed_scenario.run import run_demo  # noqa: E402

PLACEMENTS = ("midpoint", "low", "high")


def placement_figures(result, frequent):
    """{run: {placement: (test macro-F1, labels in ``frequent`` with test F1 0)}}, thresholds re-tuned."""
    figures = {}
    for name, (y_tune, score_tune, score_test) in result["scores"].items():
        for placement in PLACEMENTS:
            report = evaluation_report(result["y_test"], score_test, tune_held_out(y_tune, score_tune, placement))
            missed = [x["index"] for x in report.labels if x["support"] and x["index"] in frequent and not x["f1"]]
            figures.setdefault(name, {})[placement] = (report.overall["macro_f1"], missed)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS))
    args = parser.parse_args()
    macro, per_label, timings, placed = {}, {}, [], {}
    frequent = sorted(j for j, n in SEED_LABEL_COUNTS.items() if n >= 9)
    for seed in args.seeds:
        config = (DemoConfig.full if args.full else DemoConfig)(
            seed=seed, runs=tuple(args.runs), finetune_runs=tuple(run for run in FINETUNE_RUNS if run in args.runs))
        start = time.perf_counter()
        result = run_demo(config, verbose=False)
        timings.append(time.perf_counter() - start)
        for name, by_placement in placement_figures(result, frequent).items():
            for placement, figure in by_placement.items():
                placed.setdefault(name, {}).setdefault(placement, []).append(figure)
        for name, report in result["reports"].items():
            macro.setdefault(name, []).append(report.overall["macro_f1"])
            per_label.setdefault(name, []).append({x["index"]: x["f1"] for x in report.labels if x["support"]})
        print(f"seed {seed}: {timings[-1]:.0f} s, best {result['best']}, saved model {result['saved']} "
              f"{result['saved_macro_f1'] or 0:.3f}; "
              + ", ".join(f"{name} {report.overall['macro_f1']:.3f}" for name, report in result["reports"].items()
                          if name.endswith("@tuned")), flush=True)
        print(f"  speed: {result['speed']}", flush=True)
        for name, report in result["reports"].items():
            if "+ft" in name and name.endswith("@tuned"):
                ap = {x["index"]: x["average_precision"] for x in report.labels if x["support"]}
                print(f"  test AP, {name.split(' @')[0]}: "
                      + ", ".join(f"label {j} {ap[j]:.2f}" for j in frequent if j in ap), flush=True)
    print(f"\ntest macro-F1 over labels with test positives, {len(args.seeds)} seeds "
          f"({'full' if args.full else 'default'} sizes):")
    for name, values in macro.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {name:22s} {statistics.mean(values):.3f} +- {sd:.3f}   ({', '.join(f'{v:.3f}' for v in values)})")
    best = max(macro, key=lambda k: statistics.mean(macro[k]))
    print(f"seeds (of {len(args.seeds)}) with test F1 > 0, labels with >= 9 positives, every run:")
    print(f"  {'run':24s} " + " ".join(f"{j:>3}" for j in frequent) + "   all in every seed")
    for name, runs in per_label.items():
        hits = [sum(run.get(j, 0) > 0 for run in runs) for j in frequent]
        every = all(h == sum(j in run for run in runs) for h, j in zip(hits, frequent))
        print(f"  {name:24s} " + " ".join(f"{h:>3}" for h in hits) + f"   {'yes' if every else 'no'}")
    print(f"best on average: {best}; test F1 of labels with >= 9 positives (mean over seeds with test positives):")
    for j in frequent:
        values = [run.get(j) for run in per_label[best] if run.get(j) is not None]
        print(f"  label {j:>2} ({SEED_LABEL_COUNTS[j]:>4} positives): "
              f"{np.mean(values):.3f}  (seeds with F1 > 0: {sum(v > 0 for v in values)}/{len(values)})")
    print("\ntuned test macro-F1 by threshold placement (same models and tuning rows; the demo uses 'low' for "
          "+cRT, 'midpoint' otherwise), and (label, seed) pairs with >= 9 positives and test F1 0:")
    print(f"  {'run':22s} " + " ".join(f"{p:>15s}" for p in PLACEMENTS) + "   low - midpoint per seed")
    for name, by_placement in placed.items():
        cells = " ".join(f"{np.mean([f for f, _ in by_placement[p]]):>7.3f} ({sum(len(m) for _, m in by_placement[p]):>2} "
                         "0s)" for p in PLACEMENTS)
        delta = [lo - mid for (lo, _), (mid, _) in zip(by_placement["low"], by_placement["midpoint"])]
        print(f"  {name:22s} {cells}   {' '.join(f'{d:+.3f}' for d in delta)}")


if __name__ == "__main__":
    main()
