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

``--probe`` also trains the demo's binary base (stage 1, default sizes, TensorFlow on a CPU:
~20 s per seed) and adds two columns: the same logistic regression (on standardised inputs) on the
base's frozen LSTM state (192) and on its 64 outputs, the features stage 2 sees. Where the first
is high and the second low, the binary task's dense layers dropped the label; that is why the
demo's stage 3 puts the head on the LSTM.

    python benchmarks/bench_demo_ceiling.py [--seeds 0 1 2] [--probe]
"""

import argparse
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))

from mlbalance import fit_linear_classifier  # noqa: E402
from mlbalance.datasets import SEED_LABEL_COUNTS  # noqa: E402
from seed_scenario.config import DemoConfig  # noqa: E402
from seed_scenario.data import binary_target, make_sequences, sequence_lengths, split_rows  # noqa: E402
from seed_scenario.models import base_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--probe", action="store_true", help="also probe the binary base's LSTM state and outputs")
    args = parser.parse_args()
    labels = sorted(j for j, n in SEED_LABEL_COUNTS.items() if n >= 9)
    for seed in args.seeds:
        x, y = make_sequences(DemoConfig(seed=seed), random_state=seed)
        train, _, test = split_rows(y, seed)
        mean = x.sum(axis=1) / sequence_lengths(x)[:, None]
        probes = _binary_base_features(x, y, train, seed) if args.probe else {}
        print(f"seed {seed}: test AP, logistic regression / centroid, on time-averaged features"
              + "".join(f" / logistic regression on the base's {name}" for name in probes))
        for j in labels:
            if not y[test, j].any():
                continue
            model = LogisticRegression(class_weight="balanced", max_iter=2000).fit(mean[train], y[train, j])
            centroid = mean[train][y[train, j] == 1].mean(axis=0) - mean[train][y[train, j] == 0].mean(axis=0)
            ap_lr = average_precision_score(y[test, j], model.decision_function(mean[test]))
            ap_c = average_precision_score(y[test, j], mean[test] @ centroid)
            ap_probes = "".join(f" / {_probe(h, y[:, j], train, test):.3f}" for h in probes.values())
            print(f"  label {j:>2} ({int(y[train, j].sum()):>4} train / {int(y[test, j].sum()):>4} test positives): "
                  f"{ap_lr:.3f} / {ap_c:.3f}{ap_probes}" + _co_labels(y, train, test, j))


def _binary_base_features(x, y, train, seed):
    """Stage 1 of the demo (default sizes); the frozen base's LSTM state and 64 outputs for every row."""
    import keras

    config = DemoConfig(seed=seed)
    keras.utils.set_random_seed(seed)
    binary, base = base_model(keras, config.lstm_units)
    binary.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    binary.fit(x[train], binary_target(y)[train], epochs=config.base_epochs, batch_size=config.batch_size, verbose=0)
    lstm = keras.Model(base.input, base.get_layer("lstm").output)
    return {"LSTM state": np.asarray(lstm.predict(x, batch_size=256, verbose=0)),
            "64 outputs": np.asarray(base.predict(x, batch_size=256, verbose=0))}


def _probe(features, target, train, test):
    kernel, bias = fit_linear_classifier(features[train], target[train, None])  # balanced, standardised
    return average_precision_score(target[test], features[test] @ kernel[:, 0] + bias[0])


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
