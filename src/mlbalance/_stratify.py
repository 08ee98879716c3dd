"""The iterative-stratification engine behind :mod:`mlbalance.split`.

Sechidis et al. (2011): repeatedly take the label with the fewest remaining positives
and give each of its unassigned samples to the part that most wants that label (ties:
the part that wants the most samples, then random); every assignment lowers the
part's wants for all the sample's labels. Label-less samples fill the remaining sizes.

Within one label's batch the choice depends only on that label's wants and the part
sizes, so the sequence of choices is "the m largest of the unit values w_j - t"
(t = 0, 1, ...). :func:`greedy_sequence` computes it with a bisection and one sort
instead of a loop over samples; the wants of all other labels are then updated with one
``bincount`` over the batch's labels. Total work is about O(nnz log nnz + q^2).

After the greedy pass, :func:`_repair_coverage` swaps samples so that rare labels reach
the parts they are guaranteed to reach, and :func:`_balance_sizes` moves samples
(label-less ones first) so the parts have exactly the requested sizes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._sparse import scipy_sparse

# --------------------------------------------------------------------------------------
# Greedy pass
# --------------------------------------------------------------------------------------


def greedy_sequence(wants, size_wants, m, rng):
    """Parts chosen for m samples by the greedy rule, in choice order.

    The units of part j have values ``wants[j] - t`` (t = 0, 1, ...); the greedy rule takes
    the m largest (ties: larger ``size_wants`` left, then random). Values are compared
    exactly as (integer part, fraction), so float rounding cannot reorder them.
    """
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    whole = np.floor(wants)
    fraction = wants - whole
    whole = whole.astype(np.int64)

    def above(level):  # units whose integer part exceeds `level`
        return int(np.maximum(0, whole - level).sum())

    lo, hi = int(whole.min()) - m - 1, int(whole.max())  # above(lo) >= m > above(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if above(mid) < m:
            hi = mid
        else:
            lo = mid
    taken = np.maximum(0, whole - hi)  # all units above the cut level `hi`
    tied = np.flatnonzero(whole >= hi)  # parts with one unit at the cut level
    extra = m - int(taken.sum())
    tiebreak = rng.random(tied.size) if rng is not None else np.arange(tied.size)
    order = np.lexsort((tiebreak, -(size_wants[tied] - taken[tied]), -fraction[tied]))
    taken[tied[order[:extra]]] += 1
    parts = np.repeat(np.arange(wants.size), taken)
    levels = np.concatenate([whole[j] - np.arange(taken[j]) for j in range(wants.size)])
    tiebreak = rng.random(m) if rng is not None else np.arange(m)
    size_then = size_wants[parts] - (whole[parts] - levels)  # the part's size want when the unit is taken
    return parts[np.lexsort((tiebreak, -size_then, -fraction[parts], -levels))]


def _row_entries(csr, rows):
    """Column indices of the given rows' stored entries, and the row position of each."""
    starts, ends = csr.indptr[rows], csr.indptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    positions = offsets + np.arange(total)
    return csr.indices[positions], np.repeat(np.arange(rows.size), lengths)


def _next_label(remaining, rng):
    """The label with the fewest remaining positives (ties: random, or the lowest index); None when done."""
    active = np.flatnonzero(remaining > 0)
    if active.size == 0:
        return None
    fewest = active[remaining[active] == remaining[active].min()]
    return int(rng.choice(fewest)) if rng is not None else int(fewest[0])


def _unassigned(csc, label, part):
    """Rows (or items) holding ``label`` that have no part yet."""
    rows = csc.indices[csc.indptr[label]:csc.indptr[label + 1]]
    return rows[part[rows] < 0]


def greedy_parts(y, ratios, rng, progress: Callable[[int, int], None] | None = None):
    """Assign each row of the 0/1 CSR matrix ``y`` to a part, by iterative stratification.

    ``progress``, if given, is called as ``progress(done_rows, total_rows)`` after each
    label's batch (the command line draws a progress bar with it).
    """
    n, q = y.shape
    n_parts = len(ratios)
    ratios = np.asarray(ratios, dtype=np.float64)
    csc = y.tocsc()
    totals = np.diff(csc.indptr).astype(np.int64)
    wants = np.outer(ratios, totals)  # (n_parts, q)
    size_wants = ratios * n
    part = np.full(n, -1, dtype=np.int64)
    rank = rng.permutation(n) if rng is not None else None
    remaining = totals.copy()
    done = 0
    while (label := _next_label(remaining, rng)) is not None:
        rows = _unassigned(csc, label, part)
        if rank is not None:
            rows = rows[np.argsort(rank[rows], kind="stable")]
        chosen = greedy_sequence(wants[:, label], size_wants, rows.size, rng)
        part[rows] = chosen
        labels, row_pos = _row_entries(y, rows)
        wants -= np.bincount(chosen[row_pos] * q + labels, minlength=n_parts * q).reshape(n_parts, q)
        size_wants -= np.bincount(chosen, minlength=n_parts)
        remaining -= np.bincount(labels, minlength=q)
        done += rows.size
        if progress is not None:
            progress(done, n)
    rows = np.flatnonzero(part < 0)
    if rows.size:
        if rank is not None:
            rows = rows[np.argsort(rank[rows], kind="stable")]
        part[rows] = greedy_sequence(size_wants, size_wants, rows.size, rng)
    return part


def greedy_group_parts(counts, sizes, ratios, rng):
    """Iterative stratification of items with label *counts* and sizes (groups of rows)."""
    counts = scipy_sparse().csr_matrix(counts)
    n_items, q = counts.shape
    ratios = np.asarray(ratios, dtype=np.float64)
    csc = counts.tocsc()
    totals = np.asarray(counts.sum(axis=0)).ravel().astype(np.float64)
    wants = np.outer(ratios, totals)
    size_wants = ratios * float(sizes.sum())
    part = np.full(n_items, -1, dtype=np.int64)
    remaining = totals.copy()
    order_key = rng.permutation(n_items) if rng is not None else np.arange(n_items)
    n_parts = len(ratios)

    def best(label_wants):
        tiebreak = rng.random(n_parts) if rng is not None else -np.arange(n_parts)
        return int(np.lexsort((tiebreak, size_wants, label_wants))[-1])

    def assign(item, j):
        part[item] = j
        start, end = counts.indptr[item], counts.indptr[item + 1]
        labels, values = counts.indices[start:end], counts.data[start:end]
        wants[j, labels] -= values
        remaining[labels] -= values
        size_wants[j] -= sizes[item]

    while (label := _next_label(remaining, rng)) is not None:
        items = _unassigned(csc, label, part)
        for item in items[np.argsort(order_key[items], kind="stable")]:
            assign(item, best(wants[:, label]))
        remaining[label] = 0
    for item in np.flatnonzero(part < 0)[np.argsort(order_key[part < 0], kind="stable")]:
        assign(item, best(size_wants))
    return part


# --------------------------------------------------------------------------------------
# Label pairs (order=2)
# --------------------------------------------------------------------------------------
def pair_matrix(y):
    """Rows x (label pairs a <= b present in the data): Szymanski & Kajdanowicz's order-2 labels."""
    sp = scipy_sparse()
    y = sp.csr_matrix(y)
    y.sort_indices()
    n, q = y.shape
    lengths = np.diff(y.indptr)
    row_of_entry = np.repeat(np.arange(n), lengths)
    partners = y.indptr[row_of_entry + 1] - np.arange(y.nnz)  # entries from here to the row's end
    first = np.repeat(np.arange(y.nnz), partners)
    second = first + (np.arange(first.size) - np.repeat(np.cumsum(partners) - partners, partners))
    codes = y.indices[first].astype(np.int64) * q + y.indices[second]
    unique, columns = np.unique(codes, return_inverse=True)
    rows = row_of_entry[first]
    pairs = sp.csr_matrix((np.ones(codes.size, dtype=np.int8), (rows, columns)), shape=(n, unique.size))
    pairs.sum_duplicates()
    return pairs


# --------------------------------------------------------------------------------------
# Guarantees: coverage of rare labels, exact sizes
# --------------------------------------------------------------------------------------
def part_label_counts(y, part, n_parts):
    """(n_parts, q) positives of each label in each part."""
    q = y.shape[1]
    rows = np.repeat(np.arange(y.shape[0]), np.diff(y.indptr))
    return np.bincount(part[rows] * q + y.indices, minlength=n_parts * q).reshape(n_parts, q)


class _State:
    """Parts, per-part label counts and the coverage rule, kept consistent under moves."""

    def __init__(self, y, part, n_parts, priority):
        self.y = y
        self.csc = y.tocsc()
        self.part = part
        self.n_parts = n_parts
        self.counts = part_label_counts(y, part, n_parts)
        self.positives = self.counts.sum(axis=0)
        self.priority = priority  # None: any min(p, n_parts) distinct parts; else ordered part list
        self.n_labels_of_row = np.diff(y.indptr)

    def required(self, label):
        p = int(self.positives[label])
        if self.priority is None:
            return min(p, self.n_parts)
        return min(p, len(self.priority))

    def missing(self, label):
        """Parts that must receive a positive of ``label`` (empty when satisfied)."""
        have = self.counts[:, label] > 0
        if self.priority is None:
            short = self.required(label) - int(have.sum())
            return list(np.flatnonzero(~have)[:max(short, 0)])
        return [j for j in self.priority[:self.required(label)] if not have[j]]

    def can_spare(self, label, part):
        """Whether ``part`` can give up one positive of ``label`` without breaking its coverage."""
        if self.counts[part, label] > 1:
            return True
        if self.priority is None:
            return False  # moving a lone positive to another empty part gains nothing
        return part not in self.priority[:self.required(label)]

    def can_leave(self, row, source):
        """Whether moving ``row`` out of ``source`` keeps every label's coverage."""
        for label in self.y.indices[self.y.indptr[row]:self.y.indptr[row + 1]]:
            if self.counts[source, label] > 1:
                continue
            if self.priority is None:
                if int((self.counts[:, label] > 0).sum()) - 1 < self.required(label):
                    return False
            elif source in self.priority[:self.required(label)]:
                return False
        return True

    def move(self, row, target):
        labels = self.y.indices[self.y.indptr[row]:self.y.indptr[row + 1]]
        self.counts[self.part[row], labels] -= 1
        self.counts[target, labels] += 1
        self.part[row] = target

    def rows_in(self, j):
        return np.flatnonzero(self.part == j)


def repair_coverage(state, labels, rng):
    """Swap samples so each label reaches its guaranteed parts; return labels left unsatisfied."""
    unsatisfied = []
    for label in labels:
        for target in state.missing(label):
            if not _bring_positive(state, label, target, rng):
                unsatisfied.append(int(label))
                break
    return unsatisfied


def _bring_positive(state, label, target, rng):
    rows = state.csc.indices[state.csc.indptr[label]:state.csc.indptr[label + 1]]
    donors = [r for r in rows[np.argsort(state.n_labels_of_row[rows], kind="stable")]
              if state.part[r] != target and state.can_spare(label, state.part[r])]
    for row in donors:
        source = state.part[row]
        if not state.can_leave(row, source):
            continue
        partner = _partner(state, target, exclude_label=label, rng=rng)
        state.move(row, target)
        if partner is not None:
            state.move(partner, source)
        return True
    return False


def _partner(state, part, exclude_label, rng):
    """A row of ``part`` that can leave it (label-less first), to keep sizes when swapping."""
    rows = state.rows_in(part)
    if rows.size == 0:
        return None
    key = state.n_labels_of_row[rows] + (rng.random(rows.size) if rng is not None else 0.0)
    for row in rows[np.argsort(key, kind="stable")]:
        has_label = exclude_label in state.y.indices[state.y.indptr[row]:state.y.indptr[row + 1]]
        if not has_label and state.can_leave(row, part):
            return row
    return None


def balance_sizes(state, targets, rng):
    """Move rows from parts above their target size to parts below it, until sizes are exact.

    A first pass moves only rows whose departure keeps every label's coverage (label-less
    rows first); if sizes are still off, a second pass moves the rows with the fewest labels
    regardless. Exact sizes win over coverage; the caller reports labels left uncovered.
    """
    sizes = np.bincount(state.part, minlength=state.n_parts)
    for respect_coverage in (True, False):
        for source in np.flatnonzero(sizes > targets):
            rows = state.rows_in(source)
            key = state.n_labels_of_row[rows] + (rng.random(rows.size) if rng is not None else 0.0)
            for row in rows[np.argsort(key, kind="stable")]:
                under = np.flatnonzero(sizes < targets)
                if sizes[source] <= targets[source] or under.size == 0:
                    break
                if respect_coverage and not state.can_leave(row, source):
                    continue
                target = int(under[np.argmax(targets[under] - sizes[under])])
                state.move(row, target)
                sizes[source] -= 1
                sizes[target] += 1
    return sizes


def stratify(y, ratios, *, rng, order=1, priority=None, targets=None, progress=None):
    """Full pipeline: greedy pass (on labels or label pairs), coverage repair, exact sizes.

    Returns ``(part, unsatisfied_labels)``: the labels whose coverage rule does not hold
    in the final parts.
    """
    y = scipy_sparse().csr_matrix(y, dtype=np.int8)
    y.sort_indices()
    units = pair_matrix(y) if order == 2 else y
    part = greedy_parts(units, ratios, rng, progress)
    state = _State(y, part, len(ratios), priority)
    rare_first = np.argsort(state.positives, kind="stable")
    candidates = [int(label) for label in rare_first if state.missing(label)]
    repair_coverage(state, candidates, rng)
    if targets is not None:
        balance_sizes(state, np.asarray(targets), rng)
    unsatisfied = [label for label in candidates if state.missing(label)]
    unsatisfied += [int(label) for label in rare_first if label not in set(candidates) and state.missing(label)]
    return state.part, sorted(unsatisfied)
