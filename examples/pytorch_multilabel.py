"""A small PyTorch multi-label model on generated data with rare labels, trained four ways.

    python examples/pytorch_multilabel.py           # ~20 s of CPU time (2 cores)
    python examples/pytorch_multilabel.py --quick   # tiny sizes (the smoke test)

The data: 32 Gaussian features through a fixed random tanh layer; label j is on where a noisy
linear score of those passes a cut chosen for a prevalence from 30 % down to 0.4 % (geometric),
so the last labels have a few dozen positives. The design is fixed up front (not tuned to make
any method win). Steps, all mlbalance:

1. ``train_val_test_split``: stratified train / validation / test in one pass;
2. ``positive_weights`` -> ``mlbalance.torch.WeightedBCEWithLogitsLoss``; ``AsymmetricLoss``;
   ``RepeatFactorSampler`` with plain BCE;
3. ``tune_thresholds`` on the validation scores;
4. ``evaluation_report`` on the test rows, at 0.5 and at the tuned thresholds.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import torch

import mlbalance
from mlbalance.torch import AsymmetricLoss, RepeatFactorSampler, WeightedBCEWithLogitsLoss


def make_data(n: int, n_features: int = 32, n_labels: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features ``x`` (n, n_features) and 0/1 labels ``y`` (n, n_labels), prevalences 0.3 -> 0.004."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype(np.float32)
    hidden = np.tanh(x @ rng.normal(size=(n_features, 64)) / np.sqrt(n_features))
    scores = hidden @ rng.normal(size=(64, n_labels)) + 0.5 * rng.normal(size=(n, n_labels))
    prevalence = np.geomspace(0.3, 0.004, n_labels)
    cuts = np.array([np.quantile(scores[:, j], 1 - p) for j, p in enumerate(prevalence)])
    return x, (scores > cuts).astype(np.int64)


def train(x: np.ndarray, y: np.ndarray, loss_fn: torch.nn.Module, *, sampler: RepeatFactorSampler | None,
          epochs: int, seed: int = 0) -> torch.nn.Module:
    """A two-layer MLP (logits out) trained with Adam."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, y.shape[1]))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    data = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y, dtype=torch.float32))
    loader = torch.utils.data.DataLoader(data, batch_size=256, shuffle=sampler is None, sampler=sampler)
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a new repeat-factor draw each epoch
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model


def probabilities(model: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(model(torch.as_tensor(x))).numpy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n, epochs = (1500, 3) if args.quick else (8000, 15)
    start = time.perf_counter()

    x, y = make_data(n, seed=args.seed)
    x_train, x_val, x_test, y_train, y_val, y_test = mlbalance.train_val_test_split(
        x, y, y=y, val_size=0.15, test_size=0.15, random_state=args.seed)
    print(f"{n} rows, {y.shape[1]} labels; positives in train: {y_train.sum(axis=0).tolist()}")
    pos_weight = mlbalance.positive_weights(y_train, "sqrt", max_weight=50, on_zero="one")

    runs = {
        "plain BCE": (WeightedBCEWithLogitsLoss(), None),
        "weighted BCE (sqrt pos_weight)": (WeightedBCEWithLogitsLoss(pos_weight=pos_weight), None),
        "asymmetric (4, 0, 0.05)": (AsymmetricLoss(gamma_neg=4, gamma_pos=0, clip=0.05), None),
        "BCE + RepeatFactorSampler": (WeightedBCEWithLogitsLoss(),
                                      RepeatFactorSampler(y_train, threshold=0.1, seed=args.seed)),
    }
    print(f"{'run':<32} {'macro-F1 @0.5':>14} {'macro-F1 tuned':>15} {'micro-F1 tuned':>15}")
    for name, (loss_fn, sampler) in runs.items():
        model = train(x_train, y_train, loss_fn, sampler=sampler, epochs=epochs, seed=args.seed)
        with warnings.catch_warnings():  # rare labels fall back to 0.5: the report says so per label
            warnings.simplefilter("ignore", UserWarning)
            thresholds = mlbalance.tune_thresholds(y_val, probabilities(model, x_val))
            at_half = mlbalance.evaluation_report(y_test, probabilities(model, x_test), 0.5, name=name)
            tuned = mlbalance.evaluation_report(y_test, probabilities(model, x_test), thresholds, name=name)
        overall_half, overall_tuned = at_half.to_dict()["overall"], tuned.to_dict()["overall"]
        print(f"{name:<32} {overall_half['macro_f1']:>14.3f} {overall_tuned['macro_f1']:>15.3f} "
              f"{overall_tuned['micro_f1']:>15.3f}")
    print(f"labels whose threshold fell back to 0.5 (too few validation positives): "
          f"{list(thresholds.fallback_labels)}; one run, seed {args.seed}; {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
