"""Keras-side feeders for multi-label oversampling: a ``PyDataset`` and a ``tf.data`` pipeline.

The row indices come from :func:`mlbalance.resample_indices` (repeat-factor sampling or
ML-ROS, see :mod:`mlbalance.sampling`); this module only feeds them to ``model.fit``. It
imports Keras, so ``import mlbalance`` does not load it: ``mlbalance.RebalancedSequence``
and ``mlbalance.tf_dataset`` import it on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._keras import keras
from ._validation import check_int, check_random_state
from .sampling import resample_indices
from .split import take_rows

__all__ = ["RebalancedSequence", "tf_dataset"]


class RebalancedSequence(keras.utils.PyDataset):
    """A ``keras.utils.PyDataset`` that oversamples rare-label rows, with fresh indices each epoch.

    Parameters
    ----------
    x, y : arrays with the same number of rows
    batch_size : int, default 32
    method, threshold, percentage
        As in :func:`mlbalance.resample_indices`.
    augment : callable, optional
        Applied to each *repeated* row of ``x`` (never to a row's first appearance in the epoch),
        e.g. a random rotation / shear / zoom for images, or noise for sequences.
    sample_weight : array, optional
    random_state : int, RandomState or None
    **kwargs
        Passed to ``PyDataset`` (``workers``, ``use_multiprocessing``, ``max_queue_size``).

    Examples
    --------
    >>> import numpy as np, keras, mlbalance
    >>> y = np.array([[1, 0]] * 9 + [[0, 1]], dtype="float32")
    >>> data = mlbalance.RebalancedSequence(np.arange(10, dtype="float32")[:, None], y, batch_size=4,
    ...                                     threshold=1.0, augment=lambda row: row + 100, random_state=0)
    >>> len(data.indices) >= 10, len(data)
    (True, 3)
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy")
    >>> len(model.fit(data, epochs=2, verbose=0).history["loss"])
    2
    """

    def __init__(self, x: Any, y: Any, batch_size: int = 32, method: str = "repeat_factor",
                 augment: Callable[[np.ndarray], np.ndarray] | None = None, sample_weight: Any = None,
                 random_state: Any = None, threshold: float = 0.1, percentage: float = 25.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} rows but y has {len(y)}.")
        self.x, self.y, self.sample_weight = x, np.asarray(y), sample_weight
        self.batch_size, self.method, self.augment = check_int("batch_size", batch_size, low=1), method, augment
        self.threshold, self.percentage = threshold, percentage
        self._rng = check_random_state("random_state", random_state)
        self.on_epoch_end()

    def on_epoch_end(self) -> None:
        """Draw the next epoch's row indices."""
        self.indices = resample_indices(self.y, self.method, self._rng, threshold=self.threshold,
                                        percentage=self.percentage)
        seen = np.zeros(len(self.y), dtype=bool)
        self._repeat = np.zeros(self.indices.size, dtype=bool)
        for k, row in enumerate(self.indices):  # the first draw of a row is the original
            self._repeat[k] = seen[row]
            seen[row] = True

    def __len__(self) -> int:
        return int(np.ceil(self.indices.size / self.batch_size))

    def __getitem__(self, batch: int) -> tuple:
        part = slice(batch * self.batch_size, (batch + 1) * self.batch_size)
        rows = self.indices[part]
        x = np.array(take_rows(self.x, rows), copy=True)
        if self.augment is not None:
            for k in np.flatnonzero(self._repeat[part]):
                x[k] = self.augment(x[k])
        out = (x, self.y[rows])
        if self.sample_weight is not None:
            out = out + (np.asarray(self.sample_weight)[rows],)
        return out


def tf_dataset(x: Any, y: Any, batch_size: int = 32, method: str = "repeat_factor", random_state: Any = None,
               threshold: float = 0.1, percentage: float = 25.0) -> Any:
    """A ``tf.data.Dataset`` of ``(x, y)`` batches over one epoch of resampled rows.

    Build a new one each epoch (or ``.repeat()`` it for a fixed resampling). Needs TensorFlow.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> ds = mlbalance.tf_dataset(np.zeros((10, 2)), np.array([[1, 0]] * 9 + [[0, 1]]), batch_size=5,
    ...                           threshold=1.0, random_state=0)
    >>> sum(int(xb.shape[0]) for xb, _ in ds) >= 10
    True
    """
    import tensorflow as tf

    batch_size = check_int("batch_size", batch_size, low=1)
    indices = resample_indices(y, method, random_state, threshold=threshold, percentage=percentage)
    return tf.data.Dataset.from_tensor_slices((np.asarray(x)[indices], np.asarray(y)[indices])).batch(batch_size)
