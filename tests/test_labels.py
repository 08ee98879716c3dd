"""Label input: every accepted form, the mask, and every rejected input."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlbalance
from mlbalance import LabelFormatError, as_label_matrix, label_counts

Y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, np.float32, np.float64, bool])
def test_dense_dtypes_give_the_same_matrix(dtype):
    m = as_label_matrix(Y.astype(dtype))
    np.testing.assert_array_equal(m.values, Y)
    assert m.missing is None
    assert m.label_names == ("0", "1", "2")


def test_nested_list_dataframe_sparse_and_label_lists_agree():
    forms = [
        Y.tolist(),
        pd.DataFrame(Y, columns=["a", "b", "c"]),
        sp.csr_matrix(Y),
        sp.coo_matrix(Y),
        sp.csc_matrix(Y.astype(float)),
        [["a", "c"], ["c"], ["a", "b"], []],
        ["a|c", "c", "a|b", ""],
        [{"a", "c"}, {"c"}, {"a", "b"}, set()],
    ]
    for form in forms:
        m = as_label_matrix(form)
        values = m.values.toarray() if m.is_sparse else m.values
        np.testing.assert_array_equal(values, Y, err_msg=repr(type(form)))
    assert as_label_matrix(pd.DataFrame(Y, columns=["a", "b", "c"])).label_names == ("a", "b", "c")
    assert as_label_matrix(["a|c", "c", "a|b", ""]).label_names == ("a", "b", "c")


def test_integer_label_lists_and_classes_vocabulary():
    m = as_label_matrix([[0, 2], [2], [0, 1], []])
    np.testing.assert_array_equal(m.values, Y)
    # Equal-length numeric rows are a 0/1 matrix unless classes= says they are label lists.
    m = as_label_matrix([[0, 2], [1, 2]], classes=[0, 1, 2, 3])
    np.testing.assert_array_equal(m.values, [[1, 0, 1, 0], [0, 1, 1, 0]])
    assert m.label_names == ("0", "1", "2", "3")
    with pytest.raises(LabelFormatError, match=r"Row 1 has label 'fish', which is not in classes"):
        as_label_matrix([["cat"], ["fish"]], classes=["cat", "dog"])
    m = as_label_matrix(["x;y", "y"], sep=";")
    assert m.label_names == ("x", "y")


def test_label_names_are_checked():
    m = as_label_matrix(Y, label_names=["x", "y", "z"])
    assert m.label_names == ("x", "y", "z")
    with pytest.raises(LabelFormatError, match="label_names has 2 name.*3 label column"):
        as_label_matrix(Y, label_names=["x", "y"])
    with pytest.raises(LabelFormatError, match="unique"):
        as_label_matrix(Y, label_names=["x", "x", "z"])


@pytest.mark.parametrize(
    "bad, shown",
    [(2, "2"), (-0.5, "-0.5"), (np.nan, "nan"), (np.inf, "inf"), (0.5, "0.5")],
)
def test_values_other_than_0_1_name_row_column_and_value(bad, shown):
    y = Y.astype(float)
    y[2, 1] = bad
    for form in (y, pd.DataFrame(y, columns=["a", "b", "c"])):
        with pytest.raises(LabelFormatError) as info:
            as_label_matrix(form)
        message = str(info.value)
        assert "row 2, column 1" in message and f"received {shown}" in message
        assert "mask_value" in message  # says how to fix it
    with pytest.raises(LabelFormatError, match=rf"row 2, column 1 .*received {shown}"):
        as_label_matrix(sp.csr_matrix(y))


def test_sparse_duplicate_entries_that_sum_to_2_are_rejected():
    coo = sp.coo_matrix(([1, 1], ([0, 0], [1, 1])), shape=(2, 2))
    with pytest.raises(LabelFormatError, match=r"row 0, column 1 .*received 2"):
        as_label_matrix(coo)


def test_one_dimensional_and_empty_inputs():
    with pytest.raises(LabelFormatError, match=r"1-D.*reshape\(-1, 1\).*class_weights"):
        as_label_matrix(np.array([0, 1, 1]))
    for empty in (np.zeros((0, 3)), np.zeros((3, 0)), [], sp.csr_matrix((0, 2))):
        with pytest.raises(LabelFormatError, match="empty"):
            as_label_matrix(empty)
    with pytest.raises(LabelFormatError, match="2-D"):
        as_label_matrix(np.zeros((2, 2, 2)))


def test_text_in_a_0_1_column_is_rejected_not_cast():
    df = pd.DataFrame({"a": [0, 1, 1], "b": ["0", "yes", "1"]})
    with pytest.raises(LabelFormatError, match=r"Column 1 \('b'\).*row 0.*'0'"):
        as_label_matrix(df)
    with pytest.raises(LabelFormatError, match="non-numeric text at position"):
        as_label_matrix(np.array([[0, "x"]], dtype=object))
    with pytest.raises(LabelFormatError, match="array of text"):
        as_label_matrix(np.array([["0", "1"]]))


def test_mask_value_excludes_entries_from_counts():
    y = np.array([[1, -1], [0, 1], [-1, -1], [1, 0]])
    m = as_label_matrix(y, mask_value=-1)
    np.testing.assert_array_equal(m.missing, y == -1)
    c = m.counts()
    assert c.positives.tolist() == [2, 1] and c.negatives.tolist() == [1, 1]
    nan_masked = as_label_matrix(np.where(y == -1, np.nan, y), mask_value=float("nan")).counts()
    np.testing.assert_array_equal(nan_masked.positives, c.positives)
    sparse = as_label_matrix(sp.csr_matrix(y), mask_value=-1).counts()
    np.testing.assert_array_equal(sparse.negatives, c.negatives)
    with pytest.raises(LabelFormatError, match=r"Expected mask_value to be None or a number other than 0 and 1 \(which are label values\).*Received: mask_value=1"):
        as_label_matrix(y, mask_value=1)
    with pytest.raises(LabelFormatError, match=r"received -1\b"):
        as_label_matrix(y)  # no mask declared: -1 is a bad value


def test_counts_vector_and_stream():
    c = label_counts([3, 0, 7], n_samples=10, label_names=["a", "b", "c"])
    assert c.negatives.tolist() == [7, 10, 3]
    with pytest.raises(LabelFormatError, match=r"label 2 \('c'\) is 11"):
        label_counts([3, 0, 11], n_samples=10, label_names=["a", "b", "c"])
    with pytest.raises(LabelFormatError, match="whole numbers"):
        label_counts([1.5], n_samples=10)
    with pytest.raises(LabelFormatError, match="n_samples"):
        label_counts([1], n_samples=0)

    rng = np.random.default_rng(0)
    y = (rng.random((1000, 6)) < 0.1).astype(int)
    y[rng.random(y.shape) < 0.05] = -1
    full = label_counts(y, mask_value=-1)
    for stream in (
        (y[i:i + 64] for i in range(0, 1000, 64)),
        ((None, y[i:i + 64]) for i in range(0, 1000, 64)),
        ((None, sp.csr_matrix(y[i:i + 64]), None) for i in range(0, 1000, 64)),
    ):
        streamed = label_counts(stream, mask_value=-1)
        np.testing.assert_array_equal(streamed.positives, full.positives)
        np.testing.assert_array_equal(streamed.negatives, full.negatives)
        assert streamed.n_samples == 1000


def test_stream_errors_name_the_batch():
    batches = iter([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(LabelFormatError, match="Batch 1 .* 4 label columns .* 3"):
        label_counts(batches)
    with pytest.raises(LabelFormatError, match="In batch 1 of the stream: .*received 2"):
        label_counts(iter([np.ones((2, 3)), np.full((2, 3), 2)]))
    with pytest.raises(LabelFormatError, match="no batches"):
        label_counts(iter([]))
    with pytest.raises(LabelFormatError, match="classes="):
        label_counts(iter([[["a"], ["b"]]]))


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.int8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
               elements=st.sampled_from([0, 1, -1])),
)
def test_sparse_equals_dense_for_counts_and_masks(y):
    dense = as_label_matrix(y, mask_value=-1).counts()
    sparse = as_label_matrix(sp.csr_matrix(y), mask_value=-1).counts()
    np.testing.assert_array_equal(dense.positives, sparse.positives)
    np.testing.assert_array_equal(dense.negatives, sparse.negatives)
    np.testing.assert_array_equal(dense.positives, (y == 1).sum(axis=0))
    np.testing.assert_array_equal(dense.negatives, (y == 0).sum(axis=0))


def test_label_matrix_passes_through_and_error_is_a_value_error():
    m = as_label_matrix(Y)
    assert as_label_matrix(m) is m
    assert issubclass(mlbalance.LabelFormatError, ValueError)


# ================================================================ ragged 0/1 rows and label_names (issue #16)
@pytest.mark.parametrize("rows, first_bad, widths", [
    ([[1, 0, 1], [0, 1]], 1, (3, 2)),
    ([[0, 1], [1, 0], [1]], 2, (2, 1)),
    ([[1, 0], []], 1, (2, 0)),
    ([[True, False], [True, False, False]], 1, (2, 3)),
    ([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0]], 2, (3, 1)),
])
def test_ragged_0_1_rows_are_an_error_naming_the_first_short_row(rows, first_bad, widths):
    with pytest.raises(LabelFormatError, match=rf"row 0 has {widths[0]} value\(s\) but row {first_bad} has "
                                               rf"{widths[1]}.*pass classes=\[\.\.\.\]"):
        as_label_matrix(rows)
    with pytest.raises(LabelFormatError, match=f"row {first_bad}"):
        label_counts(rows)


def test_ragged_rows_are_label_lists_when_ids_other_than_0_1_or_classes_say_so():
    np.testing.assert_array_equal(as_label_matrix([[0, 2], [1], []]).values, [[1, 0, 1], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(as_label_matrix([[1, 0, 1], [0, 1]], classes=[0, 1]).values, [[1, 1], [1, 1]])
    np.testing.assert_array_equal(as_label_matrix([{0, 1}, {1}]).values, [[1, 1], [0, 1]])  # sets: label lists


@pytest.mark.parametrize("names, what", [("abc", "str"), ({"a", "b", "c"}, "set"), (3, "int"),
                                         (np.array([["a", "b", "c"]]), "ndarray")])
def test_label_names_must_be_an_ordered_sequence_not_a_string_or_set(names, what):
    # A string of 3 characters used to become the names 'a', 'b', 'c'; a set, names in an arbitrary order.
    with pytest.raises(LabelFormatError, match=rf"Expected label_names to be a sequence of names.*\({what}"):
        as_label_matrix(Y, label_names=names)
    assert as_label_matrix(Y, label_names=np.array(["a", "b", "c"])).label_names == ("a", "b", "c")
    assert as_label_matrix(Y, label_names=pd.Index(["a", "b", "c"])).label_names == ("a", "b", "c")


# ================================================================ one mask_value check (#17)
def test_numpy_nan_mask_value_is_recognised():
    y = np.array([[1, np.nan], [0, 1]], dtype=np.float32)
    counts = label_counts(y, mask_value=np.float32("nan"))  # was "value other than 0 or 1 ... nan"
    assert counts.observed.tolist() == [2, 1] and counts.positives.tolist() == [1, 1]
    assert as_label_matrix(y, mask_value=np.float64("nan")).missing.tolist() == [[False, True], [False, False]]


@pytest.mark.parametrize("mask_value", [0, 1.0, True, "nan", [-1]])
def test_mask_value_errors_have_one_wording(mask_value):
    with pytest.raises(LabelFormatError, match=r"Expected mask_value to be None or a number other than 0 and 1 "
                                               r"\(which are label values\), e.g. -1 or float\('nan'\). Received: "):
        as_label_matrix([[1, 0]], mask_value=mask_value)
