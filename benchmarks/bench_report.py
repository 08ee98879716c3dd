"""Thresholds + full evaluation report at scale, against the sort-only floor and scikit-learn's per-label loop.

Data: 1,000,000 x 1,000 sparse truth (~0.5% density, Zipf-like label frequencies) and float32
scores (uniform noise, +0.3 on true entries).

Printed in one run, each step timed side by side (best of ``--repeat`` rounds over all steps):

* floors: the sort-only floor, ``np.sort`` of every label's column (copied out of the C-ordered
  matrix in the same blocks of columns and row tiles, on the same threads as mlbalance), and the
  row-sort floor, ``np.sort`` of every row (same row blocks and threads) that LRAP and coverage
  error need on top (they rank each row's relevant labels among the row's scores);
* ``tune_thresholds`` alone, ``evaluation_report(thresholds=0.5)`` alone (its own ranking pass),
  ``evaluation_report(tuned)`` reusing the tuning's ranking (same rows), the combined path
  ``tune_thresholds`` + that report, and ``evaluation_report(thresholds="tune")`` (one pass);
  every figure of the report is computed (per label, aggregates, LRAP, coverage error; no plots);
* scikit-learn: the loop users write today, per label ``precision_recall_curve`` (to tune an
  F1 threshold), ``average_precision_score``, ``roc_auc_score`` and the counts at the tuned
  threshold. Timed on ``--sklearn-labels`` labels (a full run takes far too long here) and scaled
  by labels: the printed 1000-label figure is an extrapolation, labelled as such. Both sides give
  the same per-label numbers on the timed labels (asserted).

Memory: a second run of each mlbalance step under ``tracemalloc`` (NumPy reports its buffers to
it): the peak of memory allocated during the step, next to the size of the scores (which exist
before the step). Also the process' peak RSS (``resource.getrusage(...).ru_maxrss``) at the end.

    python benchmarks/bench_report.py [--rows 1000000] [--labels 1000] [--sklearn-labels 20] [--repeat 1]
"""

import argparse
import resource
import time
import warnings

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

import mlbalance
from _data import make_labels, measure
from mlbalance._ranking import map_row_blocks, thread_map

COLUMN_BLOCK, ROW_TILE = 32, 512  # as mlbalance._ranking.rank_labels


def column_sort_floor(scores):
    """Every label's column copied out (same blocks, tiles, threads as rank_labels) and sorted once."""
    n, q = scores.shape

    def block(start):
        stop = min(start + COLUMN_BLOCK, q)
        columns = np.empty((stop - start, n), dtype=scores.dtype)
        for row in range(0, n, ROW_TILE):
            columns[:, row:row + ROW_TILE] = scores[row:row + ROW_TILE, start:stop].T
        columns.sort(axis=1)
        return float(columns[0, -1])

    return thread_map(block, ((start,) for start in range(0, q, COLUMN_BLOCK)))


def row_sort_floor(m, scores):
    """Every row sorted once, in the report's row blocks on the same threads."""
    return map_row_blocks(m, scores, lambda truth, s, missing: float(np.sort(s, axis=1)[0, -1]))


def sklearn_loop(y_csc, scores, labels):
    out = []
    for j in labels:
        truth = np.zeros(scores.shape[0], dtype=np.int8)
        truth[y_csc.indices[y_csc.indptr[j]:y_csc.indptr[j + 1]]] = 1
        column = scores[:, j]
        precision, recall, thresholds = precision_recall_curve(truth, column)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(np.argmax(f1[:-1]))
        predicted = column >= thresholds[best]
        tp = int((predicted & (truth == 1)).sum())
        out.append((f1[best], average_precision_score(truth, column), roc_auc_score(truth, column), tp))
    return out


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--density", type=float, default=0.005)
    parser.add_argument("--sklearn-labels", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1, help="rounds over all steps (the best time of each is printed)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args()

    y = make_labels(args.rows, args.labels, args.density)
    rng = np.random.default_rng(1)
    scores = rng.random((args.rows, args.labels), dtype=np.float32) * np.float32(0.7)
    rows = np.repeat(np.arange(args.rows), np.diff(y.indptr))
    scores[rows, y.indices] += np.float32(0.3)
    m = mlbalance.as_label_matrix(y)
    gib = scores.nbytes / 2**30
    block_mib = COLUMN_BLOCK * args.rows * scores.itemsize / 2**20
    print(f"truth {args.rows:,} x {args.labels:,} sparse ({y.nnz:,} positives), scores float32 ({gib:.2f} GiB; "
          f"one column block {block_mib:.0f} MiB)")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tuned = quiet(mlbalance.tune_thresholds, y, scores)
    steps = {
        "column-sort floor (np.sort of every label's column)": lambda: column_sort_floor(scores),
        "row-sort floor (np.sort of every row, for LRAP/coverage)": lambda: row_sort_floor(m, scores),
        "tune_thresholds": lambda: quiet(mlbalance.tune_thresholds, y, scores),
        "evaluation_report(thresholds=0.5) alone": lambda: mlbalance.evaluation_report(y, scores, 0.5),
        "evaluation_report(tuned), reusing the ranking": lambda: mlbalance.evaluation_report(y, scores, tuned),
        "tune_thresholds + evaluation_report(tuned)": lambda: mlbalance.evaluation_report(
            y, scores, quiet(mlbalance.tune_thresholds, y, scores)),
        'evaluation_report(thresholds="tune"), one pass': lambda: mlbalance.evaluation_report(y, scores, "tune"),
    }
    results = {name: (None, float("inf"), float("nan")) for name in steps}
    for k in range(args.repeat):  # rounds over all steps, so a change of the machine's load hits every step alike
        for name, fn in steps.items():
            out, seconds, traced = measure(fn, trace_memory=not args.no_memory and k == 0)
            _, best, peak = results[name]
            results[name] = (out, min(best, seconds), traced if k == 0 else peak)
    floor = results["column-sort floor (np.sort of every label's column)"][1]
    row_floor = results["row-sort floor (np.sort of every row, for LRAP/coverage)"][1]
    print(f"{'step':58} {'time':>8} {'/ col floor':>11} {'/ both floors':>13} {'peak extra (tracemalloc)':>25}")
    for name, (_, seconds, peak) in results.items():
        print(f"{name:58} {seconds:7.2f}s {seconds / floor:10.2f}x {seconds / (floor + row_floor):12.2f}x "
              f"{peak:14.0f} MiB")
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process peak RSS {rss_after / 2**20:.2f} GiB (ru_maxrss; {rss_before / 2**20:.2f} GiB once the "
          f"data existed), scores {gib:.2f} GiB")

    one_pass = results['evaluation_report(thresholds="tune"), one pass'][0]
    reused = results["evaluation_report(tuned), reusing the ranking"][0]
    assert reused.settings["thresholds"] == one_pass.settings["thresholds"] == "tuned on these rows (optimistic)"
    assert reused.to_dict() == one_pass.to_dict()
    fresh = mlbalance.evaluation_report(y, scores, tuned.thresholds)  # numbers: a fresh ranking pass
    assert [x for x in fresh.labels] == [x for x in reused.labels] and fresh.overall == reused.overall
    print("one-pass, reused and fresh-ranking reports: identical figures (asserted)")

    y_csc = y.tocsc()
    counts = np.diff(y_csc.indptr)
    timed = [int(j) for j in np.linspace(0, args.labels - 1, args.sklearn_labels).round() if counts[int(j)] >= 5]
    start = time.perf_counter()
    reference = sklearn_loop(y_csc, scores, timed)
    t_sk = time.perf_counter() - start
    per_label = t_sk / len(timed)
    for j, (f1, ap, auc, _) in zip(timed, reference):
        x = reused.labels[j]
        assert abs(tuned.tuned_scores[j] - f1) < 1e-6 and abs(x["average_precision"] - ap) < 1e-6
        assert abs(x["roc_auc"] - auc) < 1e-6, (j, x["roc_auc"], auc)
    combined = results["tune_thresholds + evaluation_report(tuned)"][1]
    print(f"scikit-learn loop: {t_sk:.1f} s for {len(timed)} labels = {per_label:.2f} s/label; EXTRAPOLATED to "
          f"{args.labels} labels: {per_label * args.labels:.0f} s = {per_label * args.labels / floor:.0f}x the column "
          f"floor (per-label figures identical on the timed labels)")
    print(f"ratio (per label, same run): mlbalance tune + report {combined / args.labels * 1e3:.1f} ms/label vs "
          f"scikit-learn {per_label * 1e3:.0f} ms/label -> {per_label * args.labels / combined:.1f}x faster")


if __name__ == "__main__":
    main()
