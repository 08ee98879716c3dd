"""How learnable the demo's rare labels are: a linear model on time-averaged features.

For each seed, the demo's data and split; per label with >= 9 positives and at least one test
positive, the test average precision of (a) a logistic regression (class_weight="balanced") on
each sequence's mean feature vector and (b) the difference of the label's positive and negative
training centroids. Both see only the training rows. Prints one line per label; compare with the
LSTM's per-label figures from bench_demo_seeds.py. For the labels with fewer than 10 training
positives it also prints how many of their training and test positives carry each of the two
frequent labels (0 and 22): with 5-8 positives, chance makes these shares differ between the
splits, and a model that leans on co-occurring labels instead of the label's own signal then
ranks the test positives low (benchmarks/RESULTS.md has the per-seed comparison).

    python benchmarks/bench_demo_ceiling.py [--seeds 0 1 2]
"""

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from mlbalance.datasets import SEED_LABEL_COUNTS
from mlbalance.demo import DemoConfig, make_sequences, _sequence_lengths, _split_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    labels = sorted(j for j, n in SEED_LABEL_COUNTS.items() if n >= 9)
    for seed in args.seeds:
        x, y = make_sequences(DemoConfig(seed=seed), random_state=seed)
        train, _, test = _split_rows(y, seed)
        mean = x.sum(axis=1) / _sequence_lengths(x)[:, None]
        print(f"seed {seed}: test AP, logistic regression / centroid, on time-averaged features")
        for j in labels:
            if not y[test, j].any():
                continue
            model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(mean[train], y[train, j])
            centroid = mean[train][y[train, j] == 1].mean(axis=0) - mean[train][y[train, j] == 0].mean(axis=0)
            ap_lr = average_precision_score(y[test, j], model.decision_function(mean[test]))
            ap_c = average_precision_score(y[test, j], mean[test] @ centroid)
            print(f"  label {j:>2} ({int(y[train, j].sum()):>4} train / {int(y[test, j].sum()):>4} test positives): "
                  f"{ap_lr:.3f} / {ap_c:.3f}" + _co_labels(y, train, test, j))


def _co_labels(y, train, test, label, frequent=(0, 22)):
    if y[train, label].sum() >= 10:
        return ""
    parts = []
    for other in frequent:
        shares = [f"{int(y[rows, other][y[rows, label] == 1].sum())}/{int(y[rows, label].sum())}"
                  for rows in (train, test)]
        parts.append(f"with label {other}: {shares[0]} train, {shares[1]} test")
    return "; " + ", ".join(parts)


if __name__ == "__main__":
    main()
