"""The seed's LSTM transfer-learning scenario: same as ``python examples/seed_scenario/run.py``.

    python examples/lstm_transfer_learning.py            # the story in three runs (~2-3 minutes on a 2-core CPU)
    python examples/lstm_transfer_learning.py --all      # every loss, with and without fine-tuning
    python examples/lstm_transfer_learning.py --full     # the seed's sizes
    KERAS_BACKEND=jax python examples/lstm_transfer_learning.py --full
    python examples/lstm_transfer_learning.py --data my_sequences.npz   # x (n, T, features), y (n, q) 0/1

The code is in examples/seed_scenario/ (data, models, stages, evaluation, output, run.py).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seed_scenario.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
