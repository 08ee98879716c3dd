"""Import time of ``import mlbalance`` and ``mlbalance --help`` (best of N runs, fresh processes).

    python benchmarks/bench_import.py [N]

Prints wall-clock seconds (best of N, default 5) of a fresh interpreter running each
command, next to ``import numpy`` (the one dependency mlbalance imports eagerly) and
``import numpy, scipy.sparse`` (what it would cost if SciPy were eager) so the figure can
be read on a loaded machine, and the modules that ``python -X importtime`` shows as
slowest. Not part of the test suite: timing depends on the machine; the tests
(tests/test_package.py) check only that SciPy, scikit-learn and Keras are not imported.
"""

from __future__ import annotations

import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "import numpy, scipy.sparse": [sys.executable, "-c", "import numpy, scipy.sparse"],
    "import mlbalance": [sys.executable, "-c", "import mlbalance"],
    "mlbalance --help": [sys.executable, "-m", "mlbalance.cli", "--help"],
}


def best_of(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def slowest_imports(count: int = 8) -> list[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mlbalance"], capture_output=True,
                            text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            rows.append((int(cumulative), name.rstrip()))
    return [f"{us / 1e6:7.3f} s  {name}" for us, name in sorted(rows, reverse=True)[:count]]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for what, cmd in COMMANDS.items():
        print(f"{what:<28} {best_of(cmd, runs):.3f} s (best of {runs})")
    print("slowest imports (cumulative, python -X importtime -c 'import mlbalance'):")
    print("\n".join(slowest_imports()))


if __name__ == "__main__":
    main()
