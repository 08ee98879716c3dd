"""mlbalance._tables: the one text-table formatter."""

import numpy as np
import pytest

from mlbalance._tables import number, table


def test_number_never_prints_nan_or_inf():
    for value in (float("nan"), np.float32("nan"), float("inf"), -np.inf, None):
        assert number(value) == "undefined"
    assert number(np.int64(3), ".2f") == "3" and number(np.float32(0.5), ".2f") == "0.50"


def test_table_sizes_columns_and_strips_control_sequences():
    lines = table(["name", "n"], [["\x1b]0;title\x07long name", 1], ["a", 22]], align="<>")
    assert lines == ["name        n", "long name   1", "a          22"]


def test_table_refuses_ragged_rows_and_bad_alignment():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="align"):
        table(["a", "b"], [[1, 2]], align="^>")
