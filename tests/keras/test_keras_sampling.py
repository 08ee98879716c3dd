"""The Keras-side oversampling feeders: ``RebalancedSequence`` (a ``PyDataset``) and ``tf_dataset``.

tests/test_backends.py re-runs this folder with KERAS_BACKEND=jax and torch.
"""

import keras
import numpy as np
import pytest

import mlbalance


def test_rebalanced_sequence_augments_only_repeats_and_trains():
    from mlbalance.keras_sampling import RebalancedSequence

    y = np.array([[1, 0]] * 18 + [[0, 1]] * 2, dtype="float32")
    x = np.arange(20, dtype="float32")[:, None]
    # threshold 0.5: label 0 (prevalence 0.9) has factor 1, label 1 (0.1) sqrt(5): only rows 18, 19 repeat
    data = RebalancedSequence(x, y, batch_size=8, threshold=0.5, augment=lambda row: row + 1000, random_state=0)
    batches = [data[k][0].ravel() for k in range(len(data))]
    values = np.concatenate(batches)
    originals = values[values < 1000]
    assert sorted(originals.tolist()) == list(range(20))  # each row once unaugmented
    assert np.all(np.isin(values[values >= 1000] - 1000, [18, 19]))  # repeats are the rare rows, augmented
    first = data.indices.copy()
    data.on_epoch_end()
    assert not np.array_equal(first, data.indices)  # new indices each epoch
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    assert len(model.fit(data, epochs=2, verbose=0).history["loss"]) == 2


def test_keras_side_sampling_is_lazy_and_public_names_still_work():
    from mlbalance import keras_sampling

    assert mlbalance.RebalancedSequence is keras_sampling.RebalancedSequence
    assert issubclass(mlbalance.RebalancedSequence, keras.utils.PyDataset)  # a class now, not a factory function
    assert mlbalance.tf_dataset is keras_sampling.tf_dataset
    with pytest.raises(ValueError, match="Expected batch_size to be an integer >= 1. Received: batch_size=0"):
        mlbalance.RebalancedSequence(np.zeros((2, 1)), np.eye(2), batch_size=0)
    with pytest.raises(ValueError, match="Expected random_state to be None, an integer"):
        mlbalance.RebalancedSequence(np.zeros((2, 1)), np.eye(2), random_state="seed")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.data needs the TensorFlow backend")
def test_tf_dataset_batches_one_resampled_epoch():
    y = np.array([[1, 0]] * 9 + [[0, 1]])
    ds = mlbalance.tf_dataset(np.arange(10.0)[:, None], y, batch_size=4, threshold=1.0, random_state=0)
    rows = np.concatenate([xb.numpy().ravel() for xb, _ in ds])
    expected = mlbalance.resample_indices(y, threshold=1.0, random_state=0)
    np.testing.assert_array_equal(rows, expected)  # exactly the rows of resample_indices, in its order
    with pytest.raises(ValueError, match="batch_size"):
        mlbalance.tf_dataset(np.zeros((2, 1)), np.eye(2), batch_size=0)
