"""mlbalance.torch: import cost and loss step time next to PyTorch's own BCEWithLogitsLoss, in one run.

    python benchmarks/bench_torch.py [--runs N] [--repeats K] [--rows R] [--labels Q] [--threads T]

1. Import: best-of-N wall time of fresh interpreters running ``import torch`` and
   ``import torch, mlbalance.torch`` (the difference is what mlbalance.torch adds), and whether
   Keras / scikit-learn / SciPy got imported.
2. Step: forward + backward of each loss on (R, Q) float32 logits on the CPU, median over N
   interleaved repeats, as a ratio to ``torch.nn.BCEWithLogitsLoss(pos_weight=...)``; with
   ``check_target=True`` (the default: one target check, a host sync on a GPU) and ``False``.
   On a CPU the check costs no sync, only its element-wise ops; the GPU figure needs a GPU.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import torch

from mlbalance.torch import AsymmetricLoss, SigmoidFocalLoss, WeightedBCEWithLogitsLoss

CHECK = ("import sys; bad = [m for m in ('keras', 'sklearn', 'scipy') if m in sys.modules]; "
         "print('heavy modules imported:', bad or 'none')")


def best_of(code: str, runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        times.append(time.perf_counter() - start)
    return min(times), out.strip()


def import_time_of_mlbalance_torch() -> str:
    """Cumulative import time of mlbalance.torch (and of mlbalance inside it) after torch, from -X importtime."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import torch, mlbalance.torch"],
                            capture_output=True, text=True, check=True)
    cumulative = {}
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, value, name = line.split("|")
            cumulative[name.strip()] = int(value) / 1e6
    return (f"python -X importtime: mlbalance.torch {cumulative['mlbalance.torch']:.3f} s cumulative "
            f"(of which mlbalance {cumulative['mlbalance']:.3f} s), torch {cumulative['torch']:.3f} s")


def step_times(losses: dict, x: torch.Tensor, y: torch.Tensor, repeats: int) -> dict[str, float]:
    times = {name: [] for name in losses}
    for _ in range(repeats):
        for name, loss_fn in losses.items():  # interleaved: contention hits every loss alike
            logits = x.clone().requires_grad_(True)
            start = time.perf_counter()
            loss_fn(logits, y).backward()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per import figure")
    parser.add_argument("--repeats", type=int, default=200, help="timed steps per loss")
    parser.add_argument("--rows", type=int, default=1024)
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (1 on a shared machine: many small ops each wait at an OpenMP "
                             "barrier for a descheduled thread, which inflates multi-op losses)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    base, _ = best_of("import torch", args.runs)
    ours, heavy = best_of("import torch, mlbalance.torch; " + CHECK, args.runs)
    print(f"import torch                   {base:.3f} s (best of {args.runs})")
    print(f"import torch, mlbalance.torch  {ours:.3f} s (best of {args.runs}): {ours - base:+.3f} s; {heavy}")
    print(import_time_of_mlbalance_torch())

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.rows, args.labels, generator=gen) * 3
    y = (torch.rand(args.rows, args.labels, generator=gen) < 0.1).float()
    pos_weight = torch.rand(args.labels, generator=gen) * 10
    losses = {
        "torch BCEWithLogitsLoss(pos_weight)": torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        "WeightedBCEWithLogitsLoss": WeightedBCEWithLogitsLoss(pos_weight=pos_weight),
        "WeightedBCEWithLogitsLoss check_target=False": WeightedBCEWithLogitsLoss(pos_weight=pos_weight,
                                                                                 check_target=False),
        "WeightedBCEWithLogitsLoss ignore_index=-1": WeightedBCEWithLogitsLoss(pos_weight=pos_weight, ignore_index=-1),
        "SigmoidFocalLoss": SigmoidFocalLoss(),
        "AsymmetricLoss": AsymmetricLoss(),
    }
    medians = step_times(losses, x, y, args.repeats)
    reference = medians["torch BCEWithLogitsLoss(pos_weight)"]
    print(f"forward + backward, ({args.rows}, {args.labels}) float32 logits, CPU, {torch.get_num_threads()} threads, "
          f"median of {args.repeats}:")
    for name, seconds in medians.items():
        print(f"  {name:<46} {seconds * 1e3:8.3f} ms  {seconds / reference:5.2f}x")


if __name__ == "__main__":
    main()
