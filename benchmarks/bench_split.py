"""Multi-label stratified 5-fold: mlbalance vs iterative-stratification vs scikit-multilearn, side by side.

Same label matrices for every library (Zipf-like label frequencies, see _data.py):

* 20,000 x 23 (5% density): all three libraries;
* 200,000 x 1,000 (0.5% density): mlbalance (sparse and dense input) vs iterative-stratification
  (dense only; scikit-multilearn is far too slow at this size);
* 1,000,000 x 1,000 sparse (0.5% density): mlbalance alone (the others need a dense matrix).

Prints wall time (an untraced run), peak traced memory (a second run under tracemalloc; skipped
for the other libraries at large sizes, where tracing their Python loops takes too long), the
quality measures LD and FLZ (Sechidis et al.; lower is better) and the speed ratio.

    pip install iterative-stratification==0.1.9 scikit-multilearn==0.2.0
    python benchmarks/bench_split.py [--skip-large]
"""

import argparse
import warnings

import numpy as np

import mlbalance
from _data import make_labels, measure


def run_mlbalance(y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cv = mlbalance.MultilabelStratifiedKFold(5, shuffle=True, random_state=0)
        return list(cv.split(None, y))


def run_iterstrat(y):
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    return list(MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))


def run_skmultilearn(y):
    from skmultilearn.model_selection import IterativeStratification

    return list(IterativeStratification(n_splits=5, order=1).split(np.zeros((y.shape[0], 1)), y))


def report(name, folds, seconds, mib, y, baseline=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        q = mlbalance.split_quality(y, folds)
    ratio = f"   {baseline / seconds:6.1f}x faster than iterative-stratification" if baseline else ""
    print(f"  {name:34s} {seconds:8.2f} s  peak {mib:8.1f} MiB   LD {q.ld:.6f}  FLZ {q.flz:4d}{ratio}")
    return seconds


def compare(rows, labels, density, libraries):
    y_sparse = make_labels(rows, labels, density)
    print(f"\n{rows:,} x {labels:,} labels, {y_sparse.nnz:,} positives ({y_sparse.nnz / rows / labels:.2%}), 5 folds")
    dense = y_sparse.toarray() if any(lib != "mlbalance (sparse)" for lib in libraries) else None
    results = {}
    for lib in libraries:
        if lib == "mlbalance (sparse)":
            results[lib] = measure(lambda: run_mlbalance(y_sparse))
        elif lib == "mlbalance (dense)":
            results[lib] = measure(lambda: run_mlbalance(dense))
        elif lib == "iterative-stratification":
            results[lib] = measure(lambda: run_iterstrat(dense), trace_memory=rows <= 20_000)
        elif lib == "scikit-multilearn":
            results[lib] = measure(lambda: run_skmultilearn(y_sparse.tocsr()), trace_memory=rows <= 20_000)
    base = results.get("iterative-stratification", (None, None, None))[1]
    for lib, (folds, seconds, mib) in results.items():
        report(lib, folds, seconds, mib, y_sparse, base if lib.startswith("mlbalance") else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the 200k and 1M matrices")
    args = parser.parse_args()
    compare(20_000, 23, 0.05, ["mlbalance (sparse)", "mlbalance (dense)", "iterative-stratification",
                               "scikit-multilearn"])
    if args.skip_large:
        return
    compare(200_000, 1000, 0.005, ["mlbalance (sparse)", "mlbalance (dense)", "iterative-stratification"])
    compare(1_000_000, 1000, 0.005, ["mlbalance (sparse)"])


if __name__ == "__main__":
    main()
