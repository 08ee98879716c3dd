"""Imbalance measures against a direct, loop-by-loop reading of Charte et al. (2015)."""

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlbalance
from mlbalance.datasets import SEED_LABEL_COUNTS, SEED_N_SAMPLES, seed_scenario_labels


def reference_measures(y):
    """Charte et al.'s definitions written as plain loops, labels with positives only."""
    y = np.asarray(y)
    counts = y.sum(axis=0)
    top = counts.max()
    irl = {j: top / counts[j] for j in range(y.shape[1]) if counts[j] > 0}
    values = list(irl.values())
    mean_ir = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean_ir) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    rows = []
    for row in y:
        present = [irl[j] for j in np.flatnonzero(row)]
        if not present:
            rows.append(0.0)
            continue
        gmean = math.prod(present) ** (1 / len(present))
        rows.append(1 - gmean / (sum(present) / len(present)))
    return {"irl": irl, "mean_ir": mean_ir, "max_ir": max(values), "cvir": sd / mean_ir,
            "scumble": sum(rows) / len(rows), "cardinality": y.sum() / y.shape[0]}


def test_seed_scenario_summary():
    y = seed_scenario_labels()
    s = mlbalance.imbalance_summary(y)
    assert s.n_samples == SEED_N_SAMPLES and s.n_labels == 23
    for label in range(23):
        assert s.positives[label] == SEED_LABEL_COUNTS.get(label, 0)
    assert s.zero_positive_labels == (1, 3, 9, 11, 13, 14, 18, 21)
    assert s.rare_labels == (2, 6, 7, 10, 19)
    assert s.max_ir == pytest.approx(4702 / 4)
    ref = reference_measures(y)
    assert s.mean_ir == pytest.approx(ref["mean_ir"])
    assert s.scumble == pytest.approx(ref["scumble"])
    assert s.cvir == pytest.approx(ref["cvir"])


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(2, 25), st.integers(1, 8)), elements=st.integers(0, 1)))
def test_measures_match_the_reference_dense_and_sparse(y):
    if y.sum() == 0:
        return
    ref = reference_measures(y)
    for form in (y, sp.csr_matrix(y)):
        s = mlbalance.imbalance_summary(form)
        for j, value in ref["irl"].items():
            assert s.irlbl[j] == pytest.approx(value)
        assert s.mean_ir == pytest.approx(ref["mean_ir"])
        assert s.max_ir == pytest.approx(ref["max_ir"])
        assert s.cvir == pytest.approx(ref["cvir"], abs=1e-12)
        assert s.scumble == pytest.approx(ref["scumble"], abs=1e-12)
        assert s.cardinality == pytest.approx(ref["cardinality"])
        assert 0 <= s.scumble <= 1
        assert np.all(np.isinf(s.irlbl[s.positives == 0]))


def test_per_label_scumble_is_the_mean_over_rows_holding_the_label():
    y = np.array([[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 0, 0]])
    s = mlbalance.imbalance_summary(y)
    irl = np.array([1.0, 4.0, 4.0])
    row0 = 1 - math.sqrt(1 * 4) / 2.5
    assert s.label_scumble[1] == pytest.approx(row0)
    assert s.label_scumble[0] == pytest.approx(2 * row0 / 4)
    assert s.irlbl.tolist() == irl.tolist()


def test_mask_uses_observed_entries_for_prevalence():
    y = np.array([[1, -1], [0, 1], [-1, 0], [1, 0]])
    s = mlbalance.imbalance_summary(y, mask_value=-1)
    assert s.prevalence.tolist() == [2 / 3, 1 / 3]
    assert s.n_observed_entries == 6


def test_summary_to_dict_json_and_text():
    s = mlbalance.imbalance_summary(seed_scenario_labels())
    d = s.to_dict()
    assert d["overall"]["zero_positive_labels"] == ["1", "3", "9", "11", "13", "14", "18", "21"]
    assert d["labels"][1]["irlbl"] is None  # inf is not JSON
    assert '"mean_ir"' in s.to_json()
    text = str(s)
    assert "no positives" in text and "MeanIR" in text and len(text.splitlines()) == 23 + 7
    with pytest.raises(ValueError, match="min_positives"):
        mlbalance.imbalance_summary([[1]], min_positives=0)


def test_all_negative_matrix_gives_nan_ratios_not_errors():
    s = mlbalance.imbalance_summary(np.zeros((3, 2), dtype=int))
    assert math.isnan(s.mean_ir) and s.zero_positive_labels == (0, 1) and s.scumble == 0.0


# ================================================================ undefined, never NaN (issue #16)
def test_all_zero_labels_read_undefined_in_text_and_null_in_json():
    s = mlbalance.imbalance_summary(np.zeros((3, 2), dtype=int))
    text = s.to_text()
    assert "MeanIR undefined, MaxIR undefined, CVIR undefined" in text and "nan" not in text.lower()
    overall = json.loads(s.to_json())["overall"]
    assert overall["mean_ir"] is None and overall["max_ir"] is None and overall["cvir"] is None
    assert math.isnan(s.cvir)  # was 0.0: no label has a positive, so there is no IR to vary


def test_zero_positive_and_all_masked_labels_are_undefined_not_inf_or_nan():
    s = mlbalance.imbalance_summary([[1, -1, 0], [0, -1, 0]], mask_value=-1)
    lines = s.to_text().splitlines()
    assert "inf" not in s.to_text() and "nan" not in s.to_text()
    assert lines[2].split()[4:6] == ["undefined", "undefined"]  # label 1: no observed entry, no positive
    d = json.loads(s.to_json(indent=1))
    assert [x["irlbl"] for x in d["labels"]] == [1.0, None, None] and d["labels"][1]["prevalence"] is None
    with pytest.raises(ValueError, match="Out of range float"):
        json.dumps({"x": float("nan")}, allow_nan=False)  # what to_json's allow_nan=False guards against


def test_names_in_the_text_table_lose_control_characters():
    s = mlbalance.imbalance_summary([[1, 0], [1, 1]], label_names=["\x1b[31mred\x1b[0m", "ok\x07"])
    assert "\x1b" not in str(s) and "\x07" not in str(s) and "red" in str(s)
    assert s.to_dict()["labels"][0]["name"] == "\x1b[31mred\x1b[0m"  # the data keeps the name exactly
