"""Write examples/seed_labels.csv: the seed scenario's 6790 x 23 label matrix.

The matrix has exactly the published positives per label (see mlbalance.datasets);
the same seed always gives the same file.  Run:  python examples/make_seed_labels.py
"""

import os

import numpy as np

from mlbalance.datasets import SEED_N_LABELS, seed_scenario_labels

HERE = os.path.dirname(os.path.abspath(__file__))


def main(path=os.path.join(HERE, "seed_labels.csv")):
    y = seed_scenario_labels(random_state=0)
    header = ",".join(str(j) for j in range(SEED_N_LABELS))
    np.savetxt(path, y, fmt="%d", delimiter=",", header=header, comments="")
    print(f"wrote {path}: {y.shape[0]} rows x {y.shape[1]} labels")


if __name__ == "__main__":
    main()
