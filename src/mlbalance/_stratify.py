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
(label-less ones first) so the parts have exactly the requested sizes. Last,
:func:`improve_by_swaps` swaps rows between parts while each swap lowers LD (Sechidis'
label-distribution measure, the one :func:`mlbalance.split_quality` reports): swaps keep
the exact sizes, and none takes a label away from the parts that hold it.
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


# --------------------------------------------------------------------------------------
# Local search: swaps that lower LD at fixed sizes
# --------------------------------------------------------------------------------------
def cell_costs(counts, sizes, overall):
    """Each (part, column) term of Sechidis' LD: ``|pos / neg - overall|`` (a part without negatives: ``pos``).

    ``counts`` holds positives per part and column, ``sizes`` the part sizes (broadcast
    against ``counts``), ``overall`` the whole set's pos / neg ratio of each column.
    """
    counts = np.asarray(counts, dtype=np.float64)
    negatives = sizes - counts
    ratio = np.where(negatives > 0, counts / np.maximum(negatives, 1.0), counts)
    return np.abs(ratio - overall)


class _Swapper:
    """Part counts of the LD columns, and exact LD changes of swapping rows between parts.

    Changes are unnormalised (LD times the number of part-column terms). ``anywhere``:
    coverage is the number of parts holding a column (k-fold); otherwise a part that
    holds a column must keep it (the train/validation/test priority rule).
    """

    def __init__(self, units, part, n_parts, anywhere, counts=None):
        self.units = units
        self.part = part
        self.anywhere = anywhere
        self.tolerance = 1e-12
        counts = part_label_counts(units, part, n_parts) if counts is None else counts
        self.counts = counts.astype(np.float64)  # a copy
        self.sizes = np.bincount(part, minlength=n_parts).astype(np.float64)
        n = units.shape[0]
        totals = self.counts.sum(axis=0)
        self.measured = (totals > 0) & (totals < n)  # the columns LD averages over
        negatives = n - totals
        self.overall = np.where(negatives > 0, totals / np.maximum(negatives, 1.0), totals)
        self.cell_size = np.repeat(self.sizes, self.counts.shape[1])  # the same per flat cell
        self.cell_overall = np.tile(self.overall, n_parts)
        self.cell_measured = np.tile(self.measured, n_parts).astype(np.float64)

    def cost(self, parts, columns, counts):
        terms = cell_costs(counts, self.sizes[parts], self.overall[columns])
        return np.where(self.measured[columns], terms, 0.0)

    def step(self, parts, columns, by):
        """Change of the cells' cost when their counts change by ``by`` (+1 or -1)."""
        now = self.counts[parts, columns]
        return self.cost(parts, columns, now + by) - self.cost(parts, columns, now)

    def gains(self):
        """(n_rows, n_parts): cost change of moving each row alone to each part (sizes kept).

        A row holding a part's last positive of a column counts that column's removal at
        its cost (``anywhere``; :meth:`change` then checks coverage) or cannot leave (1e300).
        """
        n_parts, q = self.counts.shape
        parts, columns = np.repeat(np.arange(n_parts), q), np.tile(np.arange(q), n_parts)
        remove = self.step(parts, columns, -1).reshape(n_parts, q)
        add = self.step(parts, columns, 1).reshape(n_parts, q)
        if not self.anywhere:
            remove[self.counts <= 1] = 1e300  # a part keeps every column it holds
        pair_best = (remove[:, None, :] + add[None, :, :])[~np.eye(n_parts, dtype=bool)].min(initial=np.inf)
        if pair_best >= -self.tolerance:
            return None  # no column gains from any move: no swap can lower LD
        row_of_entry = np.repeat(np.arange(self.units.shape[0]), np.diff(self.units.indptr))
        leave = np.bincount(row_of_entry, weights=remove[self.part[row_of_entry], self.units.indices],
                            minlength=self.units.shape[0])
        return leave[:, None] + np.asarray(self.units @ add.T)

    def swap_cells(self, first, second):
        """The cells (part * q + column) each swap ``first[p]`` <-> ``second[p]`` takes a positive from and gives one to.

        Returns ``(sources, targets, bounds)``: pair p's cells are ``[bounds[p]:bounds[p + 1]]``.
        Columns both rows hold stay where they are and are left out.
        """
        q = self.counts.shape[1]
        diff = (self.units[first].astype(np.int16) - self.units[second].astype(np.int16)).tocsr()
        diff.eliminate_zeros()
        pair = np.repeat(np.arange(first.size), np.diff(diff.indptr))
        a, b = self.part[first][pair], self.part[second][pair]
        moves_out = diff.data > 0
        sources = np.where(moves_out, a, b) * q + diff.indices
        targets = np.where(moves_out, b, a) * q + diff.indices
        return sources, targets, diff.indptr

    def cell_cost(self, cells, counts):
        """LD terms of flat cells (part * q + column) at the given counts (0 for unmeasured columns)."""
        return cell_costs(counts, self.cell_size[cells], self.cell_overall[cells]) * self.cell_measured[cells]

    def change(self, sources, targets, pairs=None, n_pairs=1):
        """Exact cost change of moving one positive from each source cell to its target cell (inf: coverage drops).

        With ``pairs`` (the pair of each cell), one total per pair.
        """
        flat = self.counts.ravel()
        left, got = flat[sources], flat[targets]
        steps = (self.cell_cost(sources, left - 1) - self.cell_cost(sources, left)
                 + self.cell_cost(targets, got + 1) - self.cell_cost(targets, got))
        emptied = left == 1
        if self.anywhere:
            emptied &= got > 0
        if pairs is None:
            return np.inf if emptied.any() else float(steps.sum())
        total = np.bincount(pairs, weights=steps, minlength=n_pairs).astype(np.float64)  # int when empty
        total[np.bincount(pairs, weights=emptied, minlength=n_pairs) > 0] = np.inf
        return total

    def swap(self, i, k):
        a, b = self.part[i], self.part[k]
        ci = self.units.indices[self.units.indptr[i]:self.units.indptr[i + 1]]
        ck = self.units.indices[self.units.indptr[k]:self.units.indptr[k + 1]]
        self.counts[a, ci] -= 1
        self.counts[b, ci] += 1
        self.counts[b, ck] -= 1
        self.counts[a, ck] += 1
        self.part[i], self.part[k] = b, a


def _candidate_pairs(gain, part, n_parts, width, limit):
    """Rows that gain by moving, each paired with ``width`` rows of its best part that cost least to move back."""
    rows = np.arange(part.size)
    best = np.argmin(gain, axis=1)
    movers = np.flatnonzero(gain[rows, best] < 0)
    first, second = [], []
    for a in range(n_parts):
        for b in range(n_parts):
            going = movers[(part[movers] == a) & (best[movers] == b)]
            if a == b or going.size == 0:
                continue
            going = going[np.argsort(gain[going, b], kind="stable")][:limit]
            pool = np.flatnonzero(part == b)
            size = min(pool.size, going.size + width)
            back = gain[pool, a]
            top = np.argpartition(back, size - 1)[:size] if size < pool.size else np.arange(pool.size)
            pool = pool[top[np.argsort(back[top], kind="stable")]]
            for shift in range(width):  # mover r with partners r, r + 1, ..., r + width - 1
                take = np.arange(going.size) + shift
                ok = take < pool.size
                first.append(going[ok])
                second.append(pool[take[ok]])
    if not first:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(first), np.concatenate(second)


def improve_by_swaps(units, part, n_parts, *, anywhere=True, counts=None, max_passes=16, width=2, limit=1024,
                     patience=32):
    """Swap rows between parts while each swap lowers LD over the columns of ``units``.

    Swaps keep every part's size, and no swap lowers coverage (see :class:`_Swapper`).
    Each pass computes every row's gain of moving to each part (two sparse products,
    O(nnz x n_parts)), pairs each row that gains with ``width`` rows of the target part
    that cost least to move back, computes the exact change of every such swap at once,
    and makes the improving swaps best first (a swap whose cells an earlier swap of the
    pass changed is checked again); at most ``max_passes`` passes. Deterministic (no
    randomness; ties by row order). ``counts``: the parts' positives per column of
    ``units``, if the caller has them. Modifies ``part`` in place; returns the new counts.
    """
    swapper = _Swapper(units, part, n_parts, anywhere, counts)
    tolerance = swapper.tolerance
    for _ in range(max_passes):
        gain = swapper.gains()
        if gain is None:
            break
        gain[np.arange(part.size), part] = np.inf
        first, second = _candidate_pairs(gain, part, n_parts, width, limit)
        if first.size == 0:
            break
        sources, targets, bounds = swapper.swap_cells(first, second)
        pairs = np.repeat(np.arange(first.size), np.diff(bounds))
        change = swapper.change(sources, targets, pairs, first.size)
        good = np.flatnonzero(change < -tolerance)
        touched = np.zeros(swapper.counts.size, dtype=bool)
        moved = np.zeros(part.size, dtype=bool)
        swaps = failed = 0
        for p in good[np.argsort(change[good], kind="stable")]:
            i, k = first[p], second[p]
            if moved[i] or moved[k]:
                continue
            out, into = sources[bounds[p]:bounds[p + 1]], targets[bounds[p]:bounds[p + 1]]
            if (touched[out].any() or touched[into].any()) and swapper.change(out, into) >= -tolerance:
                failed += 1  # an earlier swap of this pass changed its cells: checked again, no longer improving
                if failed == patience:
                    break  # the rest wait for the next pass's fresh gains
                continue
            failed = 0
            swapper.swap(i, k)
            moved[i] = moved[k] = True
            touched[out] = touched[into] = True
            swaps += 1
        if swaps == 0:
            break
    return swapper.counts.astype(np.int64)


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
        counts = improve_by_swaps(units, state.part, len(ratios), anywhere=priority is None,
                                  counts=state.counts if order == 1 else None)
        state.counts = counts if order == 1 else part_label_counts(y, state.part, len(ratios))
    unsatisfied = [label for label in candidates if state.missing(label)]
    unsatisfied += [int(label) for label in rare_first if label not in set(candidates) and state.missing(label)]
    return state.part, sorted(unsatisfied)
