"""`python examples/seed_scenario/run.py --full --all` on a GPU: masked LSTM vs cuDNN LSTM (padding first), per backend.

Runs the full-size demo once per padding mode in fresh processes and prints, side by side,
per-epoch time, sequences per second and peak accelerator memory for stage 1 (binary base)
and stage 3 (end-to-end fine-tuning), the ratio masked / cuDNN, and the best test macro-F1.
First checks that Keras' LSTM really takes the cuDNN path on this backend (``use_cudnn=True``
raises when it cannot).

    KERAS_BACKEND=jax python benchmarks/bench_demo_gpu.py [--paddings mask pre] [--seed 0]
    KERAS_BACKEND=torch python benchmarks/bench_demo_gpu.py
"""

import argparse
import json
import os
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
CHILD = """
import json, sys
sys.path.insert(0, {examples!r})
from seed_scenario.config import DemoConfig
from seed_scenario.run import run_demo
result = run_demo(DemoConfig.full(seed={seed}, padding={padding!r}, everything=True), verbose=True)
best = result["reports"][result["best"]].overall["macro_f1"]
print("RESULT " + json.dumps({{"speed": result["speed"], "timings": result["timings"], "best": result["best"],
                               "best_macro_f1": best}}))
"""

CUDNN_CHECK = """
import numpy as np, keras
layer = keras.layers.LSTM(8, use_cudnn=True)
try:
    layer(np.zeros((2, 5, 4), "float32"))
    print("cuDNN LSTM: used")
except ValueError as error:
    print("cuDNN LSTM: not available -", str(error).splitlines()[0])
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paddings", nargs="+", default=["mask", "pre"], choices=["mask", "pre"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(f"backend {backend}", flush=True)
    subprocess.run([sys.executable, "-c", CUDNN_CHECK], check=False)
    results = {}
    for padding in args.paddings:
        child = subprocess.Popen([sys.executable, "-u", "-c", CHILD.format(examples=EXAMPLES, seed=args.seed, padding=padding)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in child.stdout:  # streamed, so a run cut short still shows its progress
            if line.startswith("RESULT "):
                lines.append(line)
            elif line.strip() and not line.startswith("    "):
                print(f"  [{padding}] {line.rstrip()}", flush=True)
        if child.wait() or not lines:
            raise SystemExit(f"padding={padding}: the demo failed (exit {child.returncode})")
        results[padding] = json.loads(lines[-1][len("RESULT "):])
        print(f"padding={padding}: {json.dumps(results[padding])}", flush=True)
    print(f"\n{'':22s}" + "".join(f"{p:>16s}" for p in results))
    for stage in ("stage1", "stage3"):
        for key in ("first_epoch_s", "epoch_s", "sequences_per_s"):
            values = [results[p]["speed"].get(stage, {}).get(key) for p in results]
            print(f"{stage + ' ' + key:22s}" + "".join(f"{v:16.2f}" if v is not None else f"{'-':>16s}"
                                                        for v in values))
    peak = [results[p]["speed"].get("peak_device_memory_mib") for p in results]
    print(f"{'peak memory MiB':22s}" + "".join(f"{v:16.0f}" if v is not None else f"{'-':>16s}" for v in peak))
    print(f"{'best test macro-F1':22s}" + "".join(f"{results[p]['best_macro_f1']:16.3f}" for p in results))
    print(f"{'best run':22s}" + "".join(f"{results[p]['best']:>16s}" for p in results))
    if set(results) == {"mask", "pre"}:
        for stage in ("stage1", "stage3"):
            ratio = results["mask"]["speed"][stage]["epoch_s"] / results["pre"]["speed"][stage]["epoch_s"]
            print(f"{stage}: masked / cuDNN epoch time = {ratio:.2f}x")


if __name__ == "__main__":
    main()
