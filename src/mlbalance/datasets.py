"""The seed scenario's label matrix, generated deterministically from its published counts.

A user trained a 23-label sigmoid model on 6,790 samples whose positives per label
were published (``SEED_LABEL_COUNTS``); labels 1, 3, 9, 11, 13, 14, 18 and 21 had
none. :func:`seed_scenario_labels` rebuilds a matrix with exactly those counts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SEED_LABEL_COUNTS", "SEED_N_LABELS", "SEED_N_SAMPLES", "seed_scenario_labels"]

SEED_N_SAMPLES = 6790
SEED_N_LABELS = 23
SEED_LABEL_COUNTS = {22: 4702, 0: 1749, 12: 130, 8: 43, 16: 39, 15: 30, 17: 24, 20: 17, 4: 13, 5: 13,
                     19: 9, 6: 7, 7: 6, 2: 4, 10: 4}


def seed_scenario_labels(random_state: int | None = 0) -> np.ndarray:
    """The seed scenario's 6790 x 23 label matrix, with exactly the published counts.

    Each label's positives are placed on rows drawn uniformly without replacement,
    label by label in index order, from ``numpy.random.default_rng(random_state)``,
    so the matrix is the same for the same seed on every platform.

    Parameters
    ----------
    random_state : int, default 0

    Returns
    -------
    ndarray of int8, shape (6790, 23)

    Examples
    --------
    >>> from mlbalance.datasets import seed_scenario_labels
    >>> y = seed_scenario_labels()
    >>> y.shape, int(y[:, 22].sum()), int(y[:, 1].sum())
    ((6790, 23), 4702, 0)
    """
    rng = np.random.default_rng(random_state)
    y = np.zeros((SEED_N_SAMPLES, SEED_N_LABELS), dtype=np.int8)
    for label in range(SEED_N_LABELS):
        count = SEED_LABEL_COUNTS.get(label, 0)
        y[rng.choice(SEED_N_SAMPLES, size=count, replace=False), label] = 1
    return y
