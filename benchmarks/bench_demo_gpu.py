"""The seed-scenario demo on a GPU: per-stage speed, peak memory and the best run, per precision and padding.

Runs ``examples/seed_scenario``'s ``--full`` configuration (``DemoConfig.full()``: 20-100-step
sequences, 5 base epochs, 60 head epochs, 15 fine-tuning epochs; the story's runs, or every
run with ``--all``) once per (padding, precision) in fresh processes, and prints side by side:
seconds per epoch of stage 1 (binary base) and stage 3 (end-to-end fine-tuning), first-epoch
time (compilation included), sequences per second, peak accelerator memory, the best run and
its test macro-F1, and the whole demo's wall time. ``--padding pre`` (padding first, no mask)
is the cuDNN path of Keras' LSTM on JAX and PyTorch; the script first checks that
``keras.layers.LSTM(use_cudnn=True)`` runs on this backend. ``mixed`` trains under
``keras.mixed_precision`` policy ``mixed_float16`` (the demo's output layers stay float32, and
the child checks that the model's output is float32).

A CPU reference: run the same configuration with ``--device cpu --save cpu.json`` (the child
sees no accelerator), then pass ``--reference cpu.json`` on the GPU machine; its figures are
printed as extra columns. ``--quick`` runs the demo's tiny configuration (seconds; to check the
script end to end on a CPU).

    KERAS_BACKEND=jax python benchmarks/bench_demo_gpu.py                 # pre, float32 and mixed
    KERAS_BACKEND=torch python benchmarks/bench_demo_gpu.py --reference cpu_torch.json
    KERAS_BACKEND=jax python benchmarks/bench_demo_gpu.py --paddings mask pre --precisions float32
    KERAS_BACKEND=torch python benchmarks/bench_demo_gpu.py --quick --device cpu --save cpu_torch.json
"""

import argparse
import json
import os
import subprocess
import sys
import time

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
CHILD = """
import json, sys, time
sys.path.insert(0, {examples!r})
from seed_scenario.config import DemoConfig
from seed_scenario.run import run_demo
import keras

make = DemoConfig.tiny if {quick!r} else DemoConfig.full
config = make(seed={seed}, padding={padding!r}, mixed_precision={mixed!r}, everything={everything!r})
start = time.perf_counter()
result = run_demo(config, verbose=True)
wall = time.perf_counter() - start
best = result["reports"][result["best"]].overall["macro_f1"]
model = result["models"][result["saved"]] if result.get("models") and result.get("saved") else None
output_dtype = None if model is None else keras.backend.standardize_dtype(model.outputs[0].dtype)
if {mixed!r} and output_dtype not in (None, "float32"):
    raise SystemExit(f"mixed precision: the model's output is {{output_dtype}}, expected float32")
print("RESULT " + json.dumps({{"speed": result["speed"], "timings": result["timings"], "best": result["best"],
                               "best_macro_f1": best, "wall_s": wall, "output_dtype": output_dtype,
                               "backend": keras.backend.backend()}}))
"""

CUDNN_CHECK = """
import numpy as np, keras
backend = keras.backend.backend()
if backend == "torch":
    import torch
    gpu = torch.cuda.is_available()
elif backend == "jax":
    import jax
    gpu = jax.devices()[0].platform != "cpu"
else:
    import tensorflow as tf
    gpu = bool(tf.config.list_physical_devices("GPU"))
layer = keras.layers.LSTM(8, use_cudnn=True)
try:
    layer(np.zeros((2, 5, 4), "float32"))
    # Keras' torch LSTM accepts use_cudnn=True on a CPU too (it then runs without cuDNN).
    print("cuDNN LSTM: used" if gpu else "cuDNN LSTM: accepted, but no GPU is visible (CPU run)")
except ValueError as error:
    print("cuDNN LSTM: not available -", str(error).splitlines()[0])
"""

ROWS = [("stage1", "first_epoch_s", "stage1 first epoch s"), ("stage1", "epoch_s", "stage1 s/epoch"),
        ("stage1", "sequences_per_s", "stage1 sequences/s"), ("stage3", "first_epoch_s", "stage3 first epoch s"),
        ("stage3", "epoch_s", "stage3 s/epoch"), ("stage3", "sequences_per_s", "stage3 sequences/s")]


def child_env(device: str) -> dict:
    env = dict(os.environ)
    if device == "cpu":  # no accelerator for the child, on every backend
        env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    return env


def run_one(args, padding: str, mixed: bool) -> dict:
    code = CHILD.format(examples=EXAMPLES, seed=args.seed, padding=padding, mixed=mixed, everything=args.all,
                        quick=args.quick)
    tag = f"{padding}/{'mixed' if mixed else 'float32'}"
    child = subprocess.Popen([sys.executable, "-u", "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, env=child_env(args.device))
    lines, last_error = [], "no result line"
    for line in child.stdout:  # streamed, so a run cut short still shows its progress
        if line.startswith("RESULT "):
            lines.append(line)
        elif line.strip() and not line.startswith("    "):
            print(f"  [{tag}] {line.rstrip()}", flush=True)
            if "Error" in line.split(":")[0] or line.startswith("SystemExit"):
                last_error = line.strip()
    if child.wait() or not lines:  # recorded, and the other runs still go ahead
        print(f"{tag}: the demo failed (exit {child.returncode}): {last_error}", flush=True)
        return {"speed": {}, "best": f"failed: {last_error[:60]}", "best_macro_f1": None, "failed": last_error}
    result = json.loads(lines[-1][len("RESULT "):])
    print(f"{tag}: {json.dumps(result)}", flush=True)
    return result


def cell(value, spec: str) -> str:
    return f"{value:{spec}}" if isinstance(value, (int, float)) else f"{'-' if value is None else value}"


def print_table(columns: dict) -> None:
    width = max(16, *(len(name) + 2 for name in columns), *(len(str(r["best"])) + 2 for r in columns.values()))
    print(f"\n{'':24s}" + "".join(f"{name:>{width}s}" for name in columns))

    def row(label, values, spec):
        print(f"{label:24s}" + "".join(f"{cell(v, spec):>{width}s}" for v in values))

    for stage, key, label in ROWS:
        row(label, [r["speed"].get(stage, {}).get(key) for r in columns.values()],
            ",.0f" if key == "sequences_per_s" else ".2f")
    row("peak device memory MiB", [r["speed"].get("peak_device_memory_mib") for r in columns.values()], ",.0f")
    row("demo wall s", [r.get("wall_s") for r in columns.values()], ".0f")
    row("best test macro-F1", [r.get("best_macro_f1") for r in columns.values()], ".3f")
    row("best run", [r["best"] for r in columns.values()], "s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paddings", nargs="+", default=["pre"], choices=["mask", "pre"],
                        help="pre (default): cuDNN LSTM; mask: Keras' masked LSTM")
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed"], choices=["float32", "mixed"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--all", action="store_true", help="every run of the demo (--all), not the story's three")
    parser.add_argument("--quick", action="store_true", help="the demo's tiny configuration (a CPU check)")
    parser.add_argument("--device", choices=["auto", "cpu"], default="auto",
                        help="cpu: hide every accelerator from the demo (a CPU reference run)")
    parser.add_argument("--save", help="write the results as JSON (e.g. a CPU reference for --reference)")
    parser.add_argument("--reference", help="results JSON of an earlier --save run, printed as extra columns")
    args = parser.parse_args()
    reference = None
    if args.reference:  # read first: a bad file fails before minutes of training
        with open(args.reference, encoding="utf-8") as handle:
            reference = json.load(handle)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    config = (f"{'DemoConfig.tiny' if args.quick else 'DemoConfig.full'}(seed={args.seed}"
              f"{', everything=True' if args.all else ''})")
    print(f"backend {backend}, device {args.device}, {config}", flush=True)
    subprocess.run([sys.executable, "-c", CUDNN_CHECK], check=False, env=child_env(args.device))
    start = time.perf_counter()
    results = {}
    for padding in args.paddings:
        for precision in args.precisions:
            results[f"{padding}/{precision}"] = run_one(args, padding, precision == "mixed")
    print(f"\nall runs: {time.perf_counter() - start:.0f} s")
    columns = dict(results)
    if reference:
        columns.update({f"ref {name}": r for name, r in reference["results"].items()})
        print(f"reference: {args.reference} ({reference['backend']}, device {reference['device']}, "
              f"{reference['config']})")
    print_table(columns)
    if args.save:
        tmp = args.save + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"backend": backend, "device": args.device, "config": config, "results": results}, handle,
                      indent=2)
        os.replace(tmp, args.save)
        print(f"wrote {args.save}")
    failed = [name for name, r in results.items() if r.get("failed")]
    if failed:
        raise SystemExit(f"failed runs: {', '.join(failed)} (see their lines above)")


if __name__ == "__main__":
    main()
