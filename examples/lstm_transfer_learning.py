"""The seed's LSTM transfer-learning scenario end to end (same as `mlbalance demo`).

    python examples/lstm_transfer_learning.py            # quick run (a few minutes on a 2-core CPU)
    python examples/lstm_transfer_learning.py --full     # the seed's sizes
    KERAS_BACKEND=jax python examples/lstm_transfer_learning.py --full
    python examples/lstm_transfer_learning.py --data my_sequences.npz   # x (n, T, 128), y (n, q)

What it does, step by step, is documented in mlbalance/demo.py.
"""

import sys

from mlbalance.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
