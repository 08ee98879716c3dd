"""Thresholds + full evaluation report at scale: mlbalance vs the naive scikit-learn per-label loop.

Data: 1,000,000 x 1,000 sparse truth (~0.5% density, Zipf-like label frequencies) and float32
scores (uniform noise, +0.3 on true entries).

* mlbalance: ``tune_thresholds`` then ``evaluation_report`` (every per-label figure, the
  aggregates, LRAP and coverage error; no plots), timed on all labels.
* scikit-learn: the loop users write today, per label ``precision_recall_curve`` (to tune an
  F1 threshold), ``average_precision_score``, ``roc_auc_score`` and ``precision_recall_fscore_support``
  at the tuned threshold. Timed on ``--sklearn-labels`` labels (a full run takes far too long here)
  and scaled by labels: the printed per-1000-labels figure is an extrapolation, labelled as such.
  Both sides compute the same per-label numbers on the timed labels (checked).

    python benchmarks/bench_report.py [--rows 1000000] [--labels 1000] [--sklearn-labels 20]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

import mlbalance
from _data import make_labels


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--density", type=float, default=0.005)
    parser.add_argument("--sklearn-labels", type=int, default=20)
    args = parser.parse_args()

    y = make_labels(args.rows, args.labels, args.density)
    rng = np.random.default_rng(1)
    scores = rng.random((args.rows, args.labels), dtype=np.float32) * np.float32(0.7)
    rows = np.repeat(np.arange(args.rows), np.diff(y.indptr))
    scores[rows, y.indices] += np.float32(0.3)
    print(f"truth {args.rows:,} x {args.labels:,} sparse ({y.nnz:,} positives), scores float32 "
          f"({scores.nbytes / 2**30:.1f} GiB)")

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tuned = mlbalance.tune_thresholds(y, scores)
    t_tune = time.perf_counter() - start
    start = time.perf_counter()
    report = mlbalance.evaluation_report(y, scores, tuned)
    t_report = time.perf_counter() - start
    total = t_tune + t_report
    print(f"mlbalance: tune_thresholds {t_tune:.1f} s + evaluation_report {t_report:.1f} s = {total:.1f} s "
          f"for {args.labels} labels (macro-F1 {report.overall['macro_f1']:.3f}, LRAP "
          f"{report.overall['label_ranking_average_precision']:.3f})")

    y_csc = y.tocsc()
    counts = np.diff(y_csc.indptr)
    timed = [int(j) for j in np.linspace(0, args.labels - 1, args.sklearn_labels).round() if counts[int(j)] >= 5]
    start = time.perf_counter()
    reference = sklearn_loop(y_csc, scores, timed)
    t_sk = time.perf_counter() - start
    per_label = t_sk / len(timed)
    for j, (f1, ap, auc, _) in zip(timed, reference):
        x = report.labels[j]
        assert abs(tuned.tuned_scores[j] - f1) < 1e-6 and abs(x["average_precision"] - ap) < 1e-6
        assert abs(x["roc_auc"] - auc) < 1e-6, (j, x["roc_auc"], auc)
    print(f"scikit-learn loop: {t_sk:.1f} s for {len(timed)} labels = {per_label:.2f} s/label; "
          f"extrapolated to {args.labels} labels: {per_label * args.labels:.0f} s (per-label figures identical)")
    print(f"ratio (per label, same run): mlbalance {total / args.labels * 1e3:.1f} ms/label vs scikit-learn "
          f"{per_label * 1e3:.0f} ms/label -> {per_label * args.labels / total:.1f}x faster")


if __name__ == "__main__":
    main()
