"""keras_class_weight_effect: what Keras really applies with class_weight on a multi-hot y."""

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

import mlbalance
from mlbalance.datasets import seed_scenario_labels


def test_keras_class_weight_effect_matches_keras_own_conversion():
    data_adapter_utils = pytest.importorskip("keras.src.trainers.data_adapters.data_adapter_utils")
    y = seed_scenario_labels()
    counts = y.sum(axis=0)
    class_weight = {c: round(y.shape[0] / n, 1) for c, n in enumerate(counts) if n}  # the seed's dict
    effect = mlbalance.keras_class_weight_effect(y, class_weight)
    keras_weights = data_adapter_utils.class_weight_to_sample_weights(y.astype("float32"), class_weight)
    np.testing.assert_allclose(effect.row_weights, keras_weights, rtol=1e-6)
    np.testing.assert_allclose(mlbalance.keras_class_weight_effect(sp.csr_matrix(y), class_weight).row_weights,
                               keras_weights, rtol=1e-6)
    # The distortion: label 22 is the first positive of few of its rows and gets label 0's weight on the others.
    assert effect.positives_weighted_as_intended[22] < counts[22]
    # The brief's worked example.
    small = mlbalance.keras_class_weight_effect([[0, 1, 1], [0, 0, 0], [1, 0, 1], [0, 0, 1]], {0: 1, 1: 10, 2: 100})
    assert small.row_weights.tolist() == [10, 1, 1, 100]
    assert "intended" in str(small) and small.to_dict()["labels"][2]["positives"] == 3
    with pytest.raises(TypeError, match="dict"):
        mlbalance.keras_class_weight_effect(y, [1, 2])


def test_class_weight_effect_refuses_nan_weights_and_warns_on_keys_keras_never_uses():
    y = [[1, 1], [0, 1]]
    with pytest.raises(ValueError, match=r"class_weight\[1\]=nan"):
        mlbalance.keras_class_weight_effect(y, {0: 1.0, 1: float("nan")})  # was NaN row weights
    with pytest.warns(UserWarning, match=r"these keys are never used: \['cat', 5\]"):
        e = mlbalance.keras_class_weight_effect(y, {"cat": 3.0, 5: 2.0, 1: 4.0})
    assert e.row_weights.tolist() == [1.0, 4.0]


def test_class_weight_effect_text_strips_control_characters_and_dict_has_no_nan():
    e = mlbalance.keras_class_weight_effect([[1, 1], [0, 1]], {0: 1, 1: 5}, label_names=["\x1b[1mA", "B\r"])
    assert "\x1b" not in e.to_text() and "\r" not in str(e) and " A " in e.to_text()
    json.dumps(e.to_dict(), allow_nan=False)  # nan (no negative rows of label 1) is None


def test_class_weight_effect_is_numpy_only_and_stays_public():
    from mlbalance import class_weight_effect

    assert mlbalance.keras_class_weight_effect is class_weight_effect.keras_class_weight_effect
    assert mlbalance.ClassWeightEffect is class_weight_effect.ClassWeightEffect
    code = ("import sys, mlbalance.class_weight_effect as c; c.keras_class_weight_effect([[1, 0]], {0: 2.0});"
            "sys.exit([m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules] != [])")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_class_weight_effect_table_is_aligned_for_long_names():
    e = mlbalance.keras_class_weight_effect([[1, 1], [0, 1]], {0: 1, 1: 5}, label_names=["a very long name", "b"])
    lines = e.to_text().splitlines()
    assert len({len(line) for line in lines}) == 1  # every column as wide as its widest cell (was misaligned)
