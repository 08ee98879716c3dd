"""The seed's LSTM transfer-learning scenario end to end (same as `mlbalance demo`).

    python examples/lstm_transfer_learning.py            # quick run (a few minutes on a 2-core CPU)
    python examples/lstm_transfer_learning.py --full     # the seed's sizes
    KERAS_BACKEND=jax python examples/lstm_transfer_learning.py --full
    python examples/lstm_transfer_learning.py --data my_sequences.npz   # x (n, T, features), y (n, q) 0/1

With --data, any number of features and of labels (>= 2 with positives) works: the models'
input is sized to x, and the binary pre-training task's sets A and B are derived from y (the
output says which). The data, the flags and --output-dir are checked before anything trains.

What it does, step by step, is documented in mlbalance/demo.py.
"""

import sys

from mlbalance.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
