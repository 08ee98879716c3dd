"""Summary + weights of a large sparse label matrix: mlbalance (sparse) vs the dense way users do it today.

Compares, on the same 1,000,000 x 1,000 matrix (~0.5% density, Zipf-like label frequencies):

* mlbalance: ``imbalance_summary`` + ``positive_weights`` + ``label_weights`` on the scipy.sparse
  matrix, never densified;
* baseline: densify to int8, then scikit-learn's ``compute_class_weight("balanced")`` column by
  column (the per-label loop users write today; it gives only the weights, no summary).

Prints wall time and peak traced memory (tracemalloc) of each, and their ratio.

    python benchmarks/bench_stats_weights.py [--rows 1000000] [--labels 1000] [--density 0.005]
"""

import argparse
import warnings

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

import mlbalance
from _data import make_labels, measure


def run_mlbalance(y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary = mlbalance.imbalance_summary(y)
        pos = mlbalance.positive_weights(y, "neg_pos", on_zero="one")
        both = mlbalance.label_weights(y, "balanced", on_zero="one")
    return summary, pos, both


def run_dense_baseline(y):
    dense = y.toarray()
    pos = np.empty(dense.shape[1])
    neg = np.empty(dense.shape[1])
    for j in range(dense.shape[1]):
        neg[j], pos[j] = compute_class_weight("balanced", classes=np.array([0, 1]), y=dense[:, j])
    return pos, neg


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--density", type=float, default=0.005)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    y = make_labels(args.rows, args.labels, args.density)
    print(f"labels: {y.shape[0]:,} x {y.shape[1]:,} sparse, {y.nnz:,} positives "
          f"({y.nnz / (y.shape[0] * y.shape[1]):.4%} density)")
    (summary, pos, both), t_ml, m_ml = measure(lambda: run_mlbalance(y))
    print(f"mlbalance summary+weights (sparse): {t_ml:8.2f} s  peak {m_ml:8.1f} MiB  "
          f"MeanIR {summary.mean_ir:.1f}, SCUMBLE {summary.scumble:.4f}")
    if args.skip_baseline:
        return
    (b_pos, b_neg), t_b, m_b = measure(lambda: run_dense_baseline(y))
    ok = (summary.positives > 0) & (summary.negatives > 0)
    assert np.allclose(b_pos[ok], both[0][ok]) and np.allclose(b_neg[ok], both[1][ok]), "weights differ"
    print(f"densify + sklearn per-label loop:   {t_b:8.2f} s  peak {m_b:8.1f} MiB  (weights only)")
    print(f"ratio: mlbalance is {t_b / t_ml:.1f}x faster and uses {m_b / m_ml:.1f}x less peak memory; "
          "balanced weights identical")


if __name__ == "__main__":
    main()
