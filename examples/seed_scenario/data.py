"""The seed scenario's data: sequences with the seed's label counts, or yours; the split; the binary task.

:func:`make_sequences` draws labels with exactly the seed's counts
(:func:`mlbalance.seed_scenario_labels`); each label ``l`` has a fixed random unit direction
``v_l`` in the 128 features, and a sequence with label ``l`` adds ``signal * v_l`` (default 3.0)
to a random fraction ``active`` (default all) of its time steps, on top of N(0, 1) noise.
(Weaker signals are lost by the binary base: a logistic probe on its frozen features then cannot
find the rare labels, whatever the loss.) Lengths are uniform in ``[min_len, max_len]``,
zero-padded after each sequence (the models mask the padding). Same seed, same data.

Your own data (:func:`load_data`, ``--data FILE.npz``): arrays ``x`` of shape (n, T, features)
and 0/1 ``y`` of shape (n, q), q >= 2 with at least 2 labels holding positives, n >= 10.
:func:`check_data` checks them before Keras is imported (NaN / inf, shapes, row counts, labels);
the models' input is sized to their features.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

import mlbalance

from .config import MIN_ROWS, DemoConfig

SET_A = tuple(range(12, 23))
SET_B = tuple(range(0, 12))


def make_sequences(config: DemoConfig, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences ``x`` (n, max_len, 128, zero-padded) and labels ``y`` (n, 23) with the seed's counts.

    Examples
    --------
    >>> from seed_scenario.config import DemoConfig
    >>> from seed_scenario.data import make_sequences
    >>> x, y = make_sequences(DemoConfig.tiny())
    >>> x.shape, y.shape, int(y[:, 1].sum())
    ((600, 8, 128), (600, 23), 0)
    """
    rng = np.random.default_rng(random_state)
    y = mlbalance.seed_scenario_labels(random_state=random_state)
    if config.n_samples is not None:
        y = y[rng.permutation(len(y))[:config.n_samples]]
    n, q = y.shape
    directions = rng.normal(size=(q, 128))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    lengths = rng.integers(config.min_len, config.max_len + 1, size=n)
    x = np.zeros((n, config.max_len, 128), dtype=np.float32)
    steps = np.arange(config.max_len)[None, :] < lengths[:, None]
    x[steps] = rng.normal(size=(int(steps.sum()), 128)).astype(np.float32)
    rows, labels = np.nonzero(y)
    active = (rng.random((rows.size, config.max_len)) < config.active) & steps[rows]
    for k in range(rows.size):
        x[rows[k], active[k]] += np.float32(config.signal) * directions[labels[k]].astype(np.float32)
    return x, y


def check_data(x, y, source: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Check the input arrays before any training; return ``x`` as float32 and ``y`` as int8.

    ``x``: sequences of shape (n, T, features), zero-padded after each sequence (any number of
    features: the models' input is sized to it; the seed's has 128), finite. ``y``: an (n, q)
    0/1 label matrix (:func:`mlbalance.as_label_matrix`), with the same ``n`` and at least
    ``MIN_ROWS`` (10) rows, so that the 60 / 20 / 20 split leaves 2 validation and 2 test rows.
    Every error names ``source`` and says what was received.

    Examples
    --------
    >>> import numpy as np
    >>> from seed_scenario.data import check_data
    >>> x, y = np.zeros((10, 3, 4)), np.eye(10, 2)
    >>> [a.dtype.name for a in check_data(x, y)]
    ['float32', 'int8']
    >>> x[2, 1, 3] = np.nan
    >>> check_data(x, y)
    Traceback (most recent call last):
    ...
    ValueError: data: x has 1 non-finite value(s) (NaN or inf); the first is x[2, 1, 3] = nan (row 2, step 1, feature 3). Replace them (or drop those rows) before training.
    """
    raw = np.asarray(x)
    if raw.ndim != 3 or 0 in raw.shape[1:]:
        hint = " For one feature vector per row, add a step axis: x[:, None, :]." if raw.ndim == 2 else ""
        raise ValueError(f"{source}: expected x to be a 3-D array (n sequences, T >= 1 steps, features >= 1). "
                         f"Received: x with shape {raw.shape}.{hint}")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool) or np.iscomplexobj(raw):
        raise ValueError(f"{source}: expected x to hold real numbers. Received: x with dtype {raw.dtype}.")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported below
        values = raw.astype(np.float32)
    bad = ~np.isfinite(values)
    if bad.any():
        row, step, feature = (int(i) for i in np.argwhere(bad)[0])
        value = raw[row, step, feature].item()
        raise ValueError(f"{source}: x has {int(bad.sum())} non-finite value(s) (NaN or inf"
                         f"{', or beyond float32' if np.isfinite(value) else ''}); the first is "
                         f"x[{row}, {step}, {feature}] = {value!r} (row {row}, step {step}, "
                         f"feature {feature}). Replace them (or drop those rows) before training.")
    try:
        labels = mlbalance.as_label_matrix(y)
    except ValueError as err:
        raise type(err)(f"{source}: {err}") from None
    if labels.n_samples != len(values):
        raise ValueError(f"{source}: x has {len(values)} sequences but y has {labels.n_samples} rows; "
                         "give one label row per sequence.")
    if len(values) < MIN_ROWS:
        raise ValueError(f"{source}: {len(values)} rows; the demo splits them 60 / 20 / 20 into train, validation "
                         f"and test and needs at least {MIN_ROWS}.")
    matrix = np.asarray(labels.values.toarray() if labels.is_sparse else labels.values).astype(np.int8)
    check_label_count(matrix, f"{source}: y")
    return values, matrix


def check_label_count(y: np.ndarray, what: str) -> None:
    """Stage 1 needs two labels with positives: one for set A, one for set B."""
    with_positives = np.flatnonzero(y.sum(axis=0) > 0).tolist()
    if len(with_positives) < 2:
        raise ValueError(f"{what} has positives in {len(with_positives)} of its {y.shape[1]} labels "
                         f"{with_positives}; the demo's binary pre-training task ('has a label of set A and a label "
                         "of set B') needs at least 2 labels with positives.")


def load_data(path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``x`` (n, T, features) and ``y`` (n, q) from an ``.npz`` file, checked by :func:`check_data`.

    A missing, truncated or non-``.npz`` file, or one without arrays ``x`` and ``y``, is a
    ``ValueError`` (``OSError`` when it cannot be opened) naming the file.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from seed_scenario.data import load_data
    >>> path = os.path.join(tempfile.mkdtemp(), "d.npz")
    >>> np.savez(path, x=np.zeros((10, 3, 128)), y=np.eye(10, 2))
    >>> [a.shape for a in load_data(path)]
    [(10, 3, 128), (10, 2)]
    >>> np.savez(path, features=np.zeros((10, 3, 128)), y=np.eye(10, 2))
    >>> load_data(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...d.npz: needs arrays 'x' (n, T, features) and 'y' (n, q); missing ['x']. Arrays found: ['features', 'y'].
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            magic = handle.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(f"{name}: a single .npy array, not an .npz archive; save both arrays with "
                             "numpy.savez(path, x=x, y=y).")
        if not magic.startswith(b"PK"):
            what = "an empty file" if not magic else "not an .npz archive (an .npz file is a zip archive; this is not)"
            raise ValueError(f"{name}: {what}. Write it with numpy.savez(path, x=x, y=y).")
        with np.load(name, allow_pickle=False) as archive:
            found = sorted(archive.files)
            missing = sorted({"x", "y"} - set(found))
            if missing:
                raise ValueError(f"{name}: needs arrays 'x' (n, T, features) and 'y' (n, q); missing {missing}. "
                                 f"Arrays found: {found}.")
            x, y = archive["x"], archive["y"]
    except OSError as err:
        raise OSError(f"{name}: cannot read the data file ({err.strerror or err}).") from None
    except ValueError as err:
        if str(err).startswith(name):
            raise
        raise ValueError(f"{name}: cannot read x and y ({err}). Save numeric arrays with "
                         "numpy.savez(path, x=x, y=y).") from None
    except Exception as err:  # zipfile.BadZipFile, EOFError, zlib.error, ...: a truncated or corrupt archive
        raise ValueError(f"{name}: a truncated or corrupt .npz archive ({type(err).__name__}: {err}). Write it "
                         "again with numpy.savez(path, x=x, y=y).") from None
    return check_data(x, y, source=name)


def split_rows(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stratified 60 / 20 / 20 train / validation / test row indices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # labels too rare for three parts: the summary lists them
        return mlbalance.train_val_test_split(np.arange(len(y)), y=y, val_size=0.2, test_size=0.2,
                                              random_state=seed)


def binary_target(y: np.ndarray, sets: tuple = (SET_A, SET_B)) -> np.ndarray:
    """Stage 1's target: 1 where a row has any label of set A and any label of set B."""
    set_a, set_b = sets
    return (y[:, list(set_a)].any(axis=1) & y[:, list(set_b)].any(axis=1)).astype(np.float32)


def pretraining_sets(y_train: np.ndarray) -> tuple[tuple, str]:
    """Sets A and B of the binary pre-training task, and a sentence saying where they come from.

    With the seed's 23 labels: the seed's sets (A: labels 12-22, B: labels 0-11), unless their
    target has no positive or no negative training row. Otherwise they are derived from the
    training rows: the labels with positives, ranked by count, go alternately to A and B (the
    most frequent to A), so that both sets hold frequent labels and the target is not rare.
    """
    counts = y_train.sum(axis=0)
    if y_train.shape[1] == len(SET_A) + len(SET_B) and 0 < binary_target(y_train).sum() < len(y_train):
        return (SET_A, SET_B), "A: labels 12-22, B: labels 0-11 (the seed's sets)"
    check_label_count(y_train, "the training split of y")
    ranked = [int(j) for j in np.argsort(-counts, kind="stable") if counts[j] > 0]
    sets = tuple(sorted(ranked[0::2])), tuple(sorted(ranked[1::2]))
    text = (f"A: labels {list(sets[0])}, B: labels {list(sets[1])} (derived from the data: labels with training "
            "positives, ranked by count, alternately to A and B)")
    positives = int(binary_target(y_train, sets).sum())
    if positives in (0, len(y_train)):
        warnings.warn(f"the binary pre-training task ({text}) has {'only' if positives else 'no'} positive training "
                      "rows: stage 1 learns nothing from it, and the later stages start from an untrained LSTM.",
                      UserWarning, stacklevel=3)
    return sets, text


def sequence_lengths(x: np.ndarray) -> np.ndarray:
    """Steps up to each sequence's last non-zero step (padding: the all-zero steps after it)."""
    nonzero = (x != 0).any(axis=2)
    return np.where(nonzero.any(axis=1), x.shape[1] - np.argmax(nonzero[:, ::-1], axis=1), 0)


def pad_before(x: np.ndarray) -> np.ndarray:
    """Move each sequence's zero padding from the end to the start (``padding="pre"``).

    ``padding="pre"`` drops the ``Masking`` layer: Keras' cuDNN LSTM on JAX and PyTorch takes no
    mask, so this is what lets ``--full`` use cuDNN on a GPU (the LSTM then also reads the
    leading zeros; its state after them depends only on their number).
    """
    out = np.zeros_like(x)
    for k, length in enumerate(sequence_lengths(x)):
        out[k, x.shape[1] - length:] = x[k, :length]
    return out
