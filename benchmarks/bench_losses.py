"""Training-step time of mlbalance's losses against Keras' BinaryCrossentropy, in the same run.

Two models: a Dense model (128 -> 256 -> 23) and the seed scenario's LSTM model
(Input (None, None, 128) -> LSTM(192) -> Dense 160 -> 128 -> 128 -> 64 -> 4 x [Dense 64 +
Dropout] -> Dense 32 -> Dense 23). Each loss is compiled into an identical copy of the
model; rounds interleave the losses so machine noise hits all of them alike; the median
step time per loss is compared with Keras' BinaryCrossentropy (ratio = loss / BCE), and the
ratios of both models are printed side by side at the end.

The cost of mlbalance's target check (0/1 or mask_value, same shape; see mlbalance._keras):
"WeightedBCE, no target check" is the same weighted formula written here in five lines of
keras.ops without the check, so WeightedBinaryCrossentropy / that row is the check's price.

``--baseline REV`` adds the same losses as they were at git revision REV (extracted into a
temporary package beside the current one), so a change to losses.py is measured before and
after in one run, side by side.

    python benchmarks/bench_losses.py [--rounds 7] [--steps 20] [--model dense|lstm|both]
    KERAS_BACKEND=jax python benchmarks/bench_losses.py
    KERAS_BACKEND=torch python benchmarks/bench_losses.py --model dense --baseline 1c54f7a
    KERAS_BACKEND=torch python benchmarks/bench_losses.py --loss-calls --baseline 1c54f7a
"""

import argparse
import importlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import keras

import mlbalance.losses as current_losses

N_LABELS = 23
BASE = "keras BinaryCrossentropy"


class UncheckedWeightedBCE(keras.losses.Loss):
    """WeightedBinaryCrossentropy's formula from logits without its target and shape checks."""

    def __init__(self, pos_weight):
        super().__init__(name="unchecked_weighted_bce")
        self.pos_weight = np.asarray(pos_weight, dtype="float32")

    def call(self, y_true, y_pred):
        z = keras.ops.cast(y_true, y_pred.dtype)
        pos_weight = keras.ops.convert_to_tensor(self.pos_weight, dtype=y_pred.dtype)  # numpy * torch tensor fails
        terms = pos_weight * z * keras.ops.softplus(-y_pred) + (1.0 - z) * keras.ops.softplus(y_pred)
        return keras.ops.mean(terms, axis=-1)


def dense_model():
    inputs = keras.Input((128,))
    x = keras.layers.Dense(256, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(N_LABELS)(x))


def lstm_model():
    inputs = keras.Input((None, 128))
    x = keras.layers.LSTM(192)(inputs)
    for units in (160, 128, 128, 64):
        x = keras.layers.Dense(units, activation="relu")(x)
    for _ in range(4):
        x = keras.layers.Dropout(0.2)(keras.layers.Dense(64, activation="relu")(x))
    x = keras.layers.Dense(32, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(N_LABELS)(x))


def baseline_module(rev):
    """``mlbalance.losses`` as it was at git revision ``rev``, imported as a separate package."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = "mlbalance_" + re.sub(r"\W", "_", rev)
    folder = os.path.join(tempfile.mkdtemp(), package)
    os.makedirs(folder)
    files = subprocess.check_output(["git", "-C", root, "ls-tree", "--name-only", rev, "src/mlbalance/"], text=True)
    for path in files.split():
        if path.endswith(".py"):
            text = subprocess.check_output(["git", "-C", root, "show", f"{rev}:{path}"], text=True)
            # Its own Keras registration name, so both versions' classes can be registered in one process.
            text = text.replace('PACKAGE = "mlbalance"', f'PACKAGE = "{package}"')
            with open(os.path.join(folder, os.path.basename(path)), "w", encoding="utf-8") as handle:
                handle.write(text)
    sys.path.insert(0, os.path.dirname(folder))
    return importlib.import_module(f"{package}.losses")


def losses(baseline=None):
    pos_weight = list(np.linspace(1.0, 100.0, N_LABELS))
    table = {
        BASE: keras.losses.BinaryCrossentropy(from_logits=True),
        "WeightedBCE, no target check": UncheckedWeightedBCE(pos_weight),
    }
    for rev, module in [(None, current_losses)] + ([baseline] if baseline else []):
        tag = "" if rev is None else f" @{rev}"
        table.update({
            f"WeightedBinaryCrossentropy{tag}": module.WeightedBinaryCrossentropy(pos_weight=pos_weight,
                                                                                 from_logits=True),
            f"WeightedBCE + mask_value{tag}": module.WeightedBinaryCrossentropy(pos_weight=pos_weight,
                                                                               from_logits=True, mask_value=-1),
            f"BinaryFocalLoss{tag}": module.BinaryFocalLoss(gamma=2.0, alpha=0.25, from_logits=True),
            f"AsymmetricLoss{tag}": module.AsymmetricLoss(from_logits=True),
        })
    return table


def bench(name, build, x, y, rounds, steps, baseline=None):
    models = {}
    for loss_name, loss in losses(baseline).items():
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer="adam", loss=loss)
        for _ in range(3):  # compile and warm up
            model.train_on_batch(x, y)
        models[loss_name] = model
    times = {k: [] for k in models}
    order_rng = np.random.default_rng(1)
    for _ in range(rounds):
        # A fresh random order each round, so position effects (caches, clocks) hit all losses alike.
        for loss_name in order_rng.permutation(list(models)):
            model = models[loss_name]
            start = time.perf_counter()
            for _ in range(steps):
                model.train_on_batch(x, y)
            times[loss_name].append((time.perf_counter() - start) / steps)
    base = statistics.median(times[BASE])
    print(f"\n{name}: batch {x.shape}, median of {rounds} rounds x {steps} steps, backend {keras.backend.backend()}")
    ratios = {}
    for loss_name, values in times.items():
        med = statistics.median(values)
        ratios[loss_name] = med / base
        print(f"  {loss_name:38s} {med * 1e3:8.2f} ms/step   ratio {med / base:5.3f}")
    check = times["WeightedBinaryCrossentropy"], times["WeightedBCE, no target check"]
    print(f"  target check: WeightedBinaryCrossentropy / no-check row = "
          f"{statistics.median(check[0]) / statistics.median(check[1]):5.3f}")
    return ratios


def loss_calls(baseline, repeats=7, number=200):
    """One loss call with its backward pass on fixed (256, 23) logits, no model: min over repeats (robust to load)."""
    rng = np.random.default_rng(0)
    y = keras.ops.convert_to_tensor((rng.random((256, N_LABELS)) < 0.1).astype("float32"))
    logits = rng.normal(size=(256, N_LABELS)).astype("float32")
    table = losses(baseline)
    if keras.backend.backend() != "torch":
        print("\n--loss-calls times eager forward+backward and needs KERAS_BACKEND=torch")
        return
    import torch

    from torch.profiler import ProfilerActivity, profile

    x = torch.tensor(logits, requires_grad=True)
    ops_count = {}
    for name, loss in table.items():  # aten ops dispatched from Python (not those inside other aten ops)
        loss(y, x).backward()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            loss(y, x).backward()
        events = [e for e in prof.events() if e.name.startswith("aten::")]
        ops_count[name] = sum(1 for e in events if e.cpu_parent is None or not e.cpu_parent.name.startswith("aten::"))
    best = dict.fromkeys(table, float("inf"))
    for r in range(repeats):
        for name in np.random.default_rng(r).permutation(list(table)):
            start = time.perf_counter()
            for _ in range(number):
                table[name](y, x).backward()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    print(f"\nloss call + backward, batch (256, {N_LABELS}), min of {repeats} x {number} calls, backend torch")
    for name, value in best.items():
        print(f"  {name:38s} {value * 1e6:7.0f} us   ratio {value / best[BASE]:5.2f}   "
              f"{ops_count[name]:4d} top-level aten ops")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seq-len", type=int, default=40)
    parser.add_argument("--model", choices=("dense", "lstm", "both"), default="both")
    parser.add_argument("--baseline", metavar="REV", help="also time the losses of this git revision, side by side")
    parser.add_argument("--loss-calls", action="store_true",
                        help="only time one loss call + backward (PyTorch, no model): min of repeats")
    args = parser.parse_args()
    baseline = (args.baseline, baseline_module(args.baseline)) if args.baseline else None
    if args.loss_calls:
        loss_calls(baseline)
        return
    rng = np.random.default_rng(0)
    y = (rng.random((256, N_LABELS)) < 0.1).astype("float32")
    x = rng.normal(size=(256, 128)).astype("float32")
    table = {}
    if args.model in ("dense", "both"):
        table["Dense"] = bench("Dense model", dense_model, x, y, args.rounds, args.steps, baseline)
    if args.model in ("lstm", "both"):
        x = rng.normal(size=(64, args.seq_len, 128)).astype("float32")
        table["Seed LSTM"] = bench("Seed LSTM model", lstm_model, x, y[:64], args.rounds, max(2, args.steps // 5),
                                   baseline)
    print(f"\nratio to {BASE} (step time), backend {keras.backend.backend()}")
    print(f"  {'loss':38s}" + "".join(f"{model:>12s}" for model in table))
    for loss_name in next(iter(table.values())):
        print(f"  {loss_name:38s}" + "".join(f"{ratios[loss_name]:12.3f}" for ratios in table.values()))


if __name__ == "__main__":
    main()
