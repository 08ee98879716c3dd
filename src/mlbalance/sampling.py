"""Multi-label oversampling: repeat-factor sampling (LVIS) and ML-ROS (Charte et al., 2015).

Single-label oversampling does not carry over: one row holds several labels, so repeating
it raises every one of them. Both methods here decide per row, from its labels:

* **repeat-factor sampling** (Gupta et al., LVIS, CVPR 2019): each label gets
  ``r(l) = max(1, sqrt(t / f(l)))`` with ``f(l)`` its prevalence and ``t`` a threshold;
  a row is repeated ``r(row) = max over its labels`` times (1 for label-less rows), with
  stochastic rounding each epoch (``floor(r)`` plus one more with probability ``r - floor(r)``);
* **ML-ROS** (Charte et al., 2015): clone random rows holding a minority label (IRLbl above the
  initial MeanIR), label by label in turn, up to ``percentage`` percent of the rows; a label
  leaves the minority set once its IRLbl falls to that MeanIR, so the clones stop early when
  no minority label is left.

Repeating a rare row also repeats the frequent labels it carries, so SCUMBLE (concurrence of
rare and frequent labels) usually rises while MeanIR falls; ``mlbalance resample`` shows both.

Every original row appears at least once in an epoch. The NumPy functions do not import
Keras; :class:`RebalancedSequence` (a ``keras.utils.PyDataset``) loads Keras on first use.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils import check_random_state

from ._validation import check_bool, check_choice, check_int, check_number
from .labels import as_label_matrix
from .split import take_rows

__all__ = ["RebalancedSequence", "repeat_factors", "resample_indices", "tf_dataset"]


def repeat_factors(y, threshold=0.1, *, mask_value=None):
    """Repeat factor of every row: the largest ``max(1, sqrt(threshold / prevalence))`` of its labels.

    Parameters
    ----------
    y : label input
    threshold : float in (0, 1], default 0.1
        Labels rarer than this fraction of rows get repeated (LVIS used 0.001 on 1,230 classes).
    mask_value : float, optional

    Returns
    -------
    row_factors : ndarray, shape (n_samples,)
    label_factors : ndarray, shape (n_labels,)
        1 for labels with no positives.

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0], [1, 0], [1, 0], [1, 1]])  # label 1 in 1 of 4 rows
    >>> rows, labels = mlbalance.repeat_factors(y, threshold=1.0)
    >>> labels.tolist(), rows.tolist()
    ([1.0, 2.0], [1.0, 1.0, 1.0, 2.0])
    """
    check_number("threshold", threshold, low=0, high=1, low_open=True)
    m = as_label_matrix(y, mask_value=mask_value)
    counts = m.counts()
    with np.errstate(divide="ignore", invalid="ignore"):
        prevalence = counts.positives / np.maximum(counts.observed, 1)
        label_factors = np.where(counts.positives > 0, np.maximum(1.0, np.sqrt(threshold / prevalence)), 1.0)
    values = m.values.tocsr() if m.is_sparse else None
    if values is None:
        row_factors = np.where(m.values.astype(bool), label_factors, 1.0).max(axis=1)
    else:
        row_factors = np.ones(m.n_samples)
        rows = np.repeat(np.arange(m.n_samples), np.diff(values.indptr))
        np.maximum.at(row_factors, rows, label_factors[values.indices])
    return row_factors, label_factors


def _ml_ros(m, percentage, rng):
    y = (m.values.toarray() if m.is_sparse else m.values).astype(bool)
    n = m.n_samples
    counts = y.sum(axis=0).astype(np.float64)
    present = counts > 0
    n_clones = int(round(n * percentage / 100.0))
    clones = []
    if not present.any():
        warnings.warn("resample_indices(method='ml_ros'): no label has a positive, so there is no minority label "
                      "to oversample; the rows are returned once each.", UserWarning, stacklevel=3)
        return np.arange(n)

    initial = counts[present].max() / counts[present]
    mean_ir = initial.mean()
    minority = [int(j) for j in np.flatnonzero(present)[initial > mean_ir]]
    bags = {j: np.flatnonzero(y[:, j]) for j in minority}
    while len(clones) < n_clones and minority:
        for j in list(minority):
            if len(clones) >= n_clones:
                break
            row = int(rng.choice(bags[j]))
            clones.append(row)
            counts += y[row]
            if counts[present].max() / counts[j] <= mean_ir:
                minority.remove(j)
    return np.concatenate([np.arange(n), np.asarray(clones, dtype=np.int64)])


def resample_indices(y, method="repeat_factor", random_state=None, *, threshold=0.1, percentage=25.0,
                     mask_value=None, shuffle=True):
    """Row indices for one epoch of multi-label oversampling; every row appears at least once.

    Parameters
    ----------
    y : label input
    method : {"repeat_factor", "ml_ros"}, default "repeat_factor"
    random_state : int, RandomState or None
        Call again with a new state (or a RandomState that advances) for the next epoch.
    threshold : float, default 0.1
        For ``"repeat_factor"`` (see :func:`repeat_factors`).
    percentage : float > 0, default 25
        For ``"ml_ros"``: clones to add, as a percentage of the rows (Charte et al. use 10-25).
    mask_value : float, optional
    shuffle : bool, default True
        Shuffle the returned indices (else sorted).

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> y = np.array([[1, 0]] * 9 + [[0, 1]])
    >>> idx = mlbalance.resample_indices(y, threshold=1.0, random_state=0, shuffle=False)
    >>> idx.tolist()  # row 9 (label 1 in 1/10 rows) has factor sqrt(10) = 3.16: repeated 3 or 4 times
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]
    """
    check_choice("method", method, ("repeat_factor", "ml_ros"))
    check_bool("shuffle", shuffle)
    if method == "ml_ros":
        check_number("percentage", percentage, low=0, low_open=True)
    rng = check_random_state(random_state)
    m = as_label_matrix(y, mask_value=mask_value)
    if method == "repeat_factor":
        factors, _ = repeat_factors(m, threshold)
        whole = np.floor(factors).astype(np.int64)
        repeats = whole + (rng.random(factors.size) < factors - whole)
        indices = np.repeat(np.arange(m.n_samples), repeats)
    else:
        indices = _ml_ros(m, percentage, rng)
    return rng.permutation(indices) if shuffle else np.sort(indices)


def _make_sequence_class():
    import keras

    class _RebalancedSequence(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size=32, method="repeat_factor", augment=None, sample_weight=None,
                     random_state=None, threshold=0.1, percentage=25.0, **kwargs):
            super().__init__(**kwargs)
            if len(x) != len(y):
                raise ValueError(f"x has {len(x)} rows but y has {len(y)}.")
            self.x, self.y, self.sample_weight = x, np.asarray(y), sample_weight
            self.batch_size, self.method, self.augment = check_int("batch_size", batch_size, low=1), method, augment
            self.threshold, self.percentage = threshold, percentage
            self._rng = check_random_state(random_state)
            self.on_epoch_end()

        def on_epoch_end(self):
            self.indices = resample_indices(self.y, self.method, self._rng, threshold=self.threshold,
                                            percentage=self.percentage)
            seen = np.zeros(len(self.y), dtype=bool)
            self._repeat = np.zeros(self.indices.size, dtype=bool)
            for k, row in enumerate(self.indices):  # the first draw of a row is the original
                self._repeat[k] = seen[row]
                seen[row] = True

        def __len__(self):
            return int(np.ceil(self.indices.size / self.batch_size))

        def __getitem__(self, batch):
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

    return _RebalancedSequence


def RebalancedSequence(x, y, batch_size=32, method="repeat_factor", augment=None, sample_weight=None,
                       random_state=None, threshold=0.1, percentage=25.0, **kwargs):
    """A ``keras.utils.PyDataset`` that oversamples rare-label rows, with fresh indices each epoch.

    Parameters
    ----------
    x, y : arrays with the same number of rows
    batch_size : int, default 32
    method, threshold, percentage
        As in :func:`resample_indices`.
    augment : callable, optional
        Applied to each *repeated* row of ``x`` (never to a row's first appearance in the epoch),
        e.g. a random rotation / shear / zoom for images, or noise for sequences.
    sample_weight : array, optional
    random_state : int, RandomState or None
    **kwargs
        Passed to ``PyDataset`` (``workers``, ``use_multiprocessing``, ``max_queue_size``).

    Examples
    --------
    >>> import numpy as np, keras
    >>> from mlbalance.sampling import RebalancedSequence
    >>> y = np.array([[1, 0]] * 9 + [[0, 1]], dtype="float32")
    >>> data = RebalancedSequence(np.arange(10, dtype="float32")[:, None], y, batch_size=4, threshold=1.0,
    ...                           augment=lambda row: row + 100, random_state=0)
    >>> len(data.indices) >= 10, len(data)
    (True, 3)
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy")
    >>> len(model.fit(data, epochs=2, verbose=0).history["loss"])
    2
    """
    return _make_sequence_class()(x, y, batch_size, method, augment, sample_weight, random_state, threshold,
                                  percentage, **kwargs)


def tf_dataset(x, y, batch_size=32, method="repeat_factor", random_state=None, threshold=0.1, percentage=25.0):
    """A ``tf.data.Dataset`` of ``(x, y)`` batches over one epoch of resampled rows.

    Build a new one each epoch (or ``.repeat()`` it for a fixed resampling). Needs TensorFlow.

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance.sampling import tf_dataset
    >>> ds = tf_dataset(np.zeros((10, 2)), np.array([[1, 0]] * 9 + [[0, 1]]), batch_size=5, threshold=1.0,
    ...                 random_state=0)
    >>> sum(int(xb.shape[0]) for xb, _ in ds) >= 10
    True
    """
    import tensorflow as tf

    indices = resample_indices(y, method, random_state, threshold=threshold, percentage=percentage)
    return tf.data.Dataset.from_tensor_slices((np.asarray(x)[indices], np.asarray(y)[indices])).batch(batch_size)
