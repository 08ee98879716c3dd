"""Shared benchmark helpers: a Zipf-like sparse label matrix and a time/peak-memory probe."""

import time
import tracemalloc

import numpy as np
import scipy.sparse as sp


def make_labels(rows, labels, density, seed=0):
    rng = np.random.default_rng(seed)
    freq = 1.0 / np.arange(1, labels + 1) ** 1.1
    freq /= freq.sum()
    target = int(rows * labels * density)
    y = sp.csr_matrix((rows, labels), dtype=np.int8)
    while y.nnz < 0.99 * target:  # top up: duplicate draws on frequent labels collapse
        draw = int((target - y.nnz) * 1.1)
        cols = rng.choice(labels, size=draw, p=freq)
        row_idx = rng.integers(0, rows, size=draw)
        y = y + sp.csr_matrix((np.ones(draw, dtype=np.int8), (row_idx, cols)), shape=(rows, labels))
        y.sum_duplicates()
        y.data[:] = 1
    return y


def measure(fn, trace_memory=True):
    """Run ``fn`` once untraced for the time, then (optionally) once under tracemalloc for the peak.

    tracemalloc slows code that makes many small Python allocations, so the two are separate runs.
    Returns ``(result, seconds, peak_mib or nan)``.
    """
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = float("nan")
    if trace_memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, elapsed, peak
