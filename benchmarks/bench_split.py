"""Multi-label stratified 5-fold: mlbalance vs iterative-stratification vs scikit-multilearn, side by side.

Same label matrices for every library (Zipf-like label frequencies, see _data.py):

* 20,000 x 23 (5% density): all three libraries, in this process;
* **dense input** (issue 19), 100,000 x 300 (1% density) and 200,000 x 1,000 (0.5% density), as
  int8 ndarrays (what ``toarray()`` gives) and, for mlbalance, also as float64: mlbalance vs
  iterative-stratification, each library in a **fresh subprocess** that loads the matrix from an
  ``.npy`` file, imports its library and splits a 100 x 5 matrix once (imports and first-call
  warm-up are not timed), then times the 5-fold split on the big matrix. Memory per library:

  - ``RSS peak``: the process' peak resident memory (``VmHWM``, reset just before the timed
    runs) over the timed runs; it includes the interpreter, the libraries and the input matrix
    itself. ``+RSS``: that peak minus the RSS just before the first timed run, i.e. the extra
    memory the split needed on top of its input (honest for both libraries, whatever allocates);
  - ``traced``: the tracemalloc peak of one more run (mlbalance only; tracemalloc sees NumPy's
    allocations, but tracing iterative-stratification's Python loop would take too long);

* 1,000,000 x 1,000 sparse (0.5% density): mlbalance alone (the others need a dense matrix).

Prints wall time, memory, the quality measures LD and FLZ (Sechidis et al.; lower is better) and
the speed ratio to iterative-stratification.

    pip install iterative-stratification==0.1.9 scikit-multilearn==0.2.0
    python benchmarks/bench_split.py [--skip-large] [--repeats 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np

import mlbalance
from _data import make_labels, measure

HERE = os.path.dirname(os.path.abspath(__file__))


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


RUNNERS = {"mlbalance": run_mlbalance, "iterative-stratification": run_iterstrat}


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


# --------------------------------------------------------------------------------------
# Dense input, one fresh subprocess per library
# --------------------------------------------------------------------------------------
def _status_mib(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from /proc/self/status, in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the peak covers only what follows.

    ``getrusage().ru_maxrss`` is not used: after ``vfork`` + ``exec`` Linux carries the
    parent's high-water mark into the child's, so it reported the parent's peak.
    """
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def worker(library, path, folds_path, repeats, trace):
    """Runs in the subprocess: load, warm up, time ``repeats`` splits, optionally trace one more."""
    run = RUNNERS[library]
    y = np.load(path)
    run(np.eye(5, dtype=y.dtype)[np.arange(100) % 5])  # imports and first-call work, not timed
    _reset_peak_rss()
    rss_before = _status_mib("VmRSS")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        folds = run(y)
        times.append(time.perf_counter() - start)
    rss_peak = _status_mib("VmHWM")
    traced = None
    if trace:
        del folds
        tracemalloc.start()
        folds = run(y)
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    part = np.empty(len(y), dtype=np.int64)
    for j, (_, test) in enumerate(folds):
        part[test] = j
    np.save(folds_path, part)
    print(json.dumps({"times": times, "rss_before": rss_before, "rss_peak": rss_peak, "traced": traced}))


def run_in_subprocess(library, y, tmp, repeats, trace):
    path, folds_path = os.path.join(tmp, "y.npy"), os.path.join(tmp, "folds.npy")
    np.save(path, y)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", library, path, folds_path,
                          str(repeats), str(int(trace))], check=True, capture_output=True, text=True, cwd=HERE)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["part"] = np.load(folds_path)
    return result


def compare_dense(rows, labels, density, repeats, iterstrat_repeats):
    y_sparse = make_labels(rows, labels, density)
    print(f"\nDENSE {rows:,} x {labels:,} labels, {y_sparse.nnz:,} positives ({y_sparse.nnz / rows / labels:.2%}), "
          f"5 folds, shuffle=True; fresh subprocess per row, best of the timed runs")
    print(f"  {'library (input dtype)':34s} {'best':>8s}   runs       RSS peak    +RSS   traced   LD        FLZ  ratio")
    setups = [("iterative-stratification", np.int8, iterstrat_repeats, False),
              ("mlbalance", np.int8, repeats, True),
              ("mlbalance", np.float64, repeats, True)]
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for library, dtype, n_runs, trace in setups:
            r = run_in_subprocess(library, y_sparse.toarray().astype(dtype, copy=False), tmp, n_runs, trace)
            best = min(r["times"])
            base = best if library == "iterative-stratification" else base
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                q = mlbalance.split_quality(y_sparse, r["part"])
            traced = f"{r['traced']:6.1f}" if r["traced"] is not None else "     -"
            ratio = f"{base / best:6.1f}x" if library != "iterative-stratification" else "     -"
            runs = "/".join(f"{t:.2f}" for t in r["times"])
            print(f"  {library + ' (' + np.dtype(dtype).name + ')':34s} {best:8.3f} s {runs:>10s} "
                  f"{r['rss_peak']:8.1f} {r['rss_peak'] - r['rss_before']:7.1f} {traced} MiB "
                  f"{q.ld:.6f} {q.flz:4d}  {ratio}")
    print(f"  input: {rows * labels / 2**20:.1f} MiB as int8, {rows * labels * 8 / 2**20:.1f} MiB as float64")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        library, path, folds_path, repeats, trace = sys.argv[2:]
        worker(library, path, folds_path, int(repeats), bool(int(trace)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the 200k dense and 1M sparse matrices")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per mlbalance row (best is reported)")
    args = parser.parse_args()
    run_mlbalance(np.eye(5, dtype=np.int8)[np.arange(100) % 5])  # first-call imports (scikit-learn), not timed
    compare(20_000, 23, 0.05, ["mlbalance (sparse)", "mlbalance (dense)", "iterative-stratification",
                               "scikit-multilearn"])
    compare_dense(100_000, 300, 0.01, args.repeats, iterstrat_repeats=args.repeats)
    if args.skip_large:
        return
    compare_dense(200_000, 1000, 0.005, args.repeats, iterstrat_repeats=1)
    compare(1_000_000, 1000, 0.005, ["mlbalance (sparse)"])


if __name__ == "__main__":
    main()
