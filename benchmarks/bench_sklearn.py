"""Per-label thresholds in scikit-learn: MultilabelTunedThresholdClassifierCV against the alternatives.

Data: ``sklearn.datasets.make_multilabel_classification`` (generated, so only a sanity check of
the mechanics; the real-data comparison is the issue-18 real-data benchmark), labels with fewer
than 20 positives dropped, split 70/30 with
``mlbalance.multilabel_train_test_split``. On the same split, with ``LogisticRegression`` per label:

* ``0.5``: ``MultiOutputClassifier(LogisticRegression())``, predict at 0.5;
* ``sklearn``: ``MultiOutputClassifier(TunedThresholdClassifierCV(LogisticRegression(), scoring="f1",
  cv=5))``: each label tuned on its own stratified folds, on a 100-point grid, fold curves averaged;
* ``mlbalance``: ``MultilabelTunedThresholdClassifierCV(LogisticRegression(), cv=5)``: one set of
  multi-label stratified folds, exact F1 optimum on the pooled out-of-fold scores.

Prints test macro-F1 / micro-F1 and fit seconds per seed, then mean +- sd and the fit-time ratio.

    python benchmarks/bench_sklearn.py [--rows 4000] [--labels 20] [--seeds 3]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import TunedThresholdClassifierCV
from sklearn.multioutput import MultiOutputClassifier

import mlbalance
from mlbalance.sklearn import MultilabelTunedThresholdClassifierCV


def models(seed):
    lr = LogisticRegression(max_iter=1000)
    return {
        "0.5": MultiOutputClassifier(lr),
        "sklearn": MultiOutputClassifier(TunedThresholdClassifierCV(lr, scoring="f1", cv=5, random_state=seed)),
        "mlbalance": MultilabelTunedThresholdClassifierCV(lr, cv=5, random_state=seed),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--labels", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for seed in range(args.seeds):
        X, Y = make_multilabel_classification(n_samples=args.rows, n_features=40, n_classes=args.labels, n_labels=2,
                                              random_state=seed)
        Y = Y[:, Y.sum(axis=0) >= 20]  # the generator can leave a label (nearly) unused: LogisticRegression refuses it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            X_train, X_test, Y_train, Y_test = mlbalance.multilabel_train_test_split(X, Y, y=Y, test_size=0.3,
                                                                                    random_state=seed)
        positives = Y_train.sum(axis=0)
        print(f"seed {seed}: {args.rows} rows x {Y.shape[1]} labels kept, training positives per label "
              f"{positives.min()}..{positives.max()}")
        for name, model in models(seed).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                model.fit(X_train, Y_train)
            seconds = time.perf_counter() - start
            pred = model.predict(X_test)
            macro = f1_score(Y_test, pred, average="macro", zero_division=0)
            micro = f1_score(Y_test, pred, average="micro", zero_division=0)
            results.setdefault(name, []).append((macro, micro, seconds))
            print(f"  {name:10s} macro-F1 {macro:.4f}  micro-F1 {micro:.4f}  fit {seconds:6.2f} s")
    print("mean +- sd over seeds:")
    for name, rows in results.items():
        a = np.array(rows)
        print(f"  {name:10s} macro-F1 {a[:, 0].mean():.4f} +- {a[:, 0].std(ddof=1):.4f}  "
              f"micro-F1 {a[:, 1].mean():.4f} +- {a[:, 1].std(ddof=1):.4f}  fit {a[:, 2].mean():.2f} s")
    ratio = np.array(results["sklearn"])[:, 2] / np.array(results["mlbalance"])[:, 2]
    print(f"fit time sklearn / mlbalance per seed: {', '.join(f'{r:.2f}' for r in ratio)}")


if __name__ == "__main__":
    main()
