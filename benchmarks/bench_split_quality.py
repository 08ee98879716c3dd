"""Split quality: mlbalance vs iterative-stratification vs scikit-multilearn, same measure code.

Seven label matrices, chosen before any tuning, each generated afresh for every seed (the
seed also drives the splitters that take one):

* ``zipf``: 20,000 x 100, Zipf-like label frequencies (``_data.make_labels``), 2 % density;
* ``uniform``: 5,000 x 50, every entry positive with probability 0.1;
* ``cooccur``: 5,000 x 30, dense labels driven by 4 latent topics (positives 15-60 % per label,
  strongly co-occurring, like real tag data);
* ``rare``: 200 x 20, label j has 1 + (j mod 6) positives (1..6), rows drawn at random;
* ``seed``: the seed scenario (``mlbalance.seed_scenario_labels``, 6,790 x 23);
* ``small-zipf``: 1,000 x 40 Zipf-like, 5 % density (rare labels with few rows);
* ``zipf-2fold``: 5,000 x 50 Zipf-like, 3 % density, split in 2 folds.

Every library's folds are measured by ``mlbalance.split_quality`` (LD, LPD, FZ, FLZ) and by
how many rows would have to move to reach exact fold sizes (``off``: half the summed
absolute differences between the sorted fold sizes and the sorted exact sizes
``n // k + (j < n % k)``). mlbalance always has ``off = 0``.
Libraries: mlbalance ``MultilabelStratifiedKFold(k, shuffle=True, random_state=seed)``,
iterative-stratification 0.1.9 ``MultilabelStratifiedKFold(n_splits=k, shuffle=True,
random_state=seed)``, scikit-multilearn 0.2.0 ``IterativeStratification(n_splits=k, order=1)``
(it is skipped, with the reason printed, on a matrix where its first seed takes over 12 s).

For each matrix: the mean over seeds of every measure, then mlbalance's LD against
iterative-stratification's per seed and on the mean ("worse" where mlbalance's is higher by
more than a relative 1e-9: two splits with the same label counts per fold, in another fold
order, differ by float rounding, about 2e-16). A last table repeats mlbalance with
iterative-stratification's own fold sizes as targets. Times are per seed, after one warm-up
call of each library (imports).

``--overhead`` also times the swap pass (``_stratify.improve_by_swaps``, after the greedy
pass) inside mlbalance's 5-fold split of the large Zipf-like sparse matrices of
``bench_split.py`` (200,000 x 1,000 and 1,000,000 x 1,000, 0.5 % density) and of the
benchmark's dense matrices.

    pip install iterative-stratification==0.1.9 scikit-multilearn==0.2.0
    python benchmarks/bench_split_quality.py [--quick] [--overhead]
"""

import argparse
import time
import warnings

import numpy as np

import mlbalance
from _data import make_labels

SKMULTILEARN_LIMIT_S = 12.0


def zipf(rows, labels, density):
    return lambda seed: make_labels(rows, labels, density, seed=seed).toarray()


def uniform(seed):
    return (np.random.default_rng(seed).random((5000, 50)) < 0.1).astype(np.int8)


def cooccur(seed):
    rng = np.random.default_rng(seed)
    topics = rng.random((5000, 4)) < 0.35  # each row's latent topics
    loading = rng.random((4, 30)) < 0.4  # which labels each topic switches on
    p = np.where(topics.astype(int) @ loading.astype(int) > 0, 0.8, 0.08)
    return (rng.random((5000, 30)) < p).astype(np.int8)


def rare(seed):
    rng = np.random.default_rng(seed)
    y = np.zeros((200, 20), dtype=np.int8)
    for j in range(20):
        y[rng.choice(200, size=1 + j % 6, replace=False), j] = 1
    return y


def seed_scenario(seed):
    return mlbalance.seed_scenario_labels(seed)


MATRICES = [  # name, generator(seed), folds
    ("zipf", zipf(20_000, 100, 0.02), 5),
    ("uniform", uniform, 5),
    ("cooccur", cooccur, 5),
    ("rare", rare, 5),
    ("seed", seed_scenario, 5),
    ("small-zipf", zipf(1000, 40, 0.05), 5),
    ("zipf-2fold", zipf(5000, 50, 0.03), 2),
]


def run_mlbalance(y, k, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return mlbalance.MultilabelStratifiedKFold(k, shuffle=True, random_state=seed).fold_assignment(None, y)


def run_iterstrat(y, k, seed):
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    cv = MultilabelStratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y))


def run_skmultilearn(y, k, seed):
    import scipy.sparse as sp
    from skmultilearn.model_selection import IterativeStratification

    return list(IterativeStratification(n_splits=k, order=1).split(np.zeros((len(y), 1)), sp.csr_matrix(y)))


def part_ids(folds, n):
    if isinstance(folds, np.ndarray):
        return folds
    part = np.full(n, -1)
    for j, (_, test) in enumerate(folds):
        part[test] = j
    return part


def rows_off_exact(part, k):
    n = part.size
    exact = np.sort(n // k + (np.arange(k) < n % k))
    return int(np.abs(np.sort(np.bincount(part, minlength=k)) - exact).sum() // 2)


def measure(y, part):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        q = mlbalance.split_quality(y, part)
    return {"LD": q.ld, "LPD": q.lpd, "FZ": q.fz, "FLZ": q.flz, "off": rows_off_exact(part, part.max() + 1)}


def at_sizes(y, sizes, seed):
    """mlbalance's engine with the given fold sizes as exact targets (same call as the splitter)."""
    from mlbalance import _stratify

    sizes = np.asarray(sizes)
    part, _ = _stratify.stratify(y, sizes / sizes.sum(), rng=np.random.RandomState(seed), targets=sizes)
    return part


def worse(ours, theirs):
    return ours > theirs * (1 + 1e-9)


def overhead(name, y, k=5):
    """Seconds of one mlbalance split and of the swap pass inside it."""
    from mlbalance import _stratify

    original, spent = _stratify.improve_by_swaps, []

    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = original(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        return result

    _stratify.improve_by_swaps = timed
    try:
        start = time.perf_counter()
        part = run_mlbalance(y, k, 0)
        total = time.perf_counter() - start
    finally:
        _stratify.improve_by_swaps = original
    ld = measure(y, part)["LD"]
    print(f"  {name:34s} split {total:7.2f} s, of which swap pass {spent[0]:6.3f} s "
          f"({spent[0] / (total - spent[0]):6.1%} over the split without it); LD {ld:.6g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, no scikit-multilearn")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--overhead", action="store_true", help="time the swap pass on large matrices too")
    args = parser.parse_args()
    seeds = range(2 if args.quick else args.seeds)
    warm = rare(0)
    for fn in (run_mlbalance, run_iterstrat, run_skmultilearn):
        fn(warm, 5, 0)
    summary, own_sizes = [], []
    for name, make, k in MATRICES:
        results = {lib: [] for lib in ("mlbalance", "iterative-stratification", "scikit-multilearn")}
        seconds = {lib: 0.0 for lib in results}
        skip = "--quick" if args.quick else None
        ld_at_theirs = []
        for seed in seeds:
            y = make(seed)
            for lib, fn in (("mlbalance", run_mlbalance), ("iterative-stratification", run_iterstrat),
                            ("scikit-multilearn", run_skmultilearn)):
                if lib == "scikit-multilearn" and skip:
                    continue
                start = time.perf_counter()
                part = part_ids(fn(y, k, seed), len(y))
                seconds[lib] += time.perf_counter() - start
                results[lib].append(measure(y, part))
                if lib == "iterative-stratification":
                    theirs = np.bincount(part, minlength=k)
                    ld_at_theirs.append(measure(y, at_sizes(y, theirs, seed))["LD"])
                if lib == "scikit-multilearn" and seed == seeds[0] and seconds[lib] > SKMULTILEARN_LIMIT_S:
                    skip = f"first seed took {seconds[lib]:.1f} s > {SKMULTILEARN_LIMIT_S:.0f} s"
        print(f"\n## {name}: {y.shape[0]:,} x {y.shape[1]} labels, {int(y.sum()):,} positives "
              f"({y.mean():.2%}), {k} folds, seeds {list(seeds)}")
        print(f"  {'library':26s} {'LD':>10s} {'LPD':>10s} {'FZ':>5s} {'FLZ':>6s} {'off':>6s} {'time':>8s}")
        for lib, rs in results.items():
            if not rs:
                print(f"  {lib:26s} (skipped: {skip})")
                continue
            mean = {key: np.mean([r[key] for r in rs]) for key in rs[0]}
            note = f" (first seed only; then skipped: {skip})" if len(rs) < len(seeds) else ""
            print(f"  {lib:26s} {mean['LD']:10.6f} {mean['LPD']:10.6f} {mean['FZ']:5.1f} {mean['FLZ']:6.1f} "
                  f"{mean['off']:6.1f} {seconds[lib] / len(rs):7.2f}s{note}")
        ours = np.array([r["LD"] for r in results["mlbalance"]])
        theirs = np.array([r["LD"] for r in results["iterative-stratification"]])
        is_worse = np.array([worse(a, b) for a, b in zip(ours, theirs)])
        print(f"  LD ratio mlbalance / iterative-stratification per seed: "
              f"{' '.join(f'{a / b:.3f}' for a, b in zip(ours, theirs))}")
        print(f"  mlbalance worse on {int(is_worse.sum())} of {len(ours)} seeds; on the mean: "
              f"{'WORSE' if worse(ours.mean(), theirs.mean()) else 'not worse'} ({ours.mean() / theirs.mean():.3f})")
        summary.append((name, ours.mean() / theirs.mean(), int(is_worse.sum()), len(ours)))
        own_sizes.append((name, np.mean(ld_at_theirs) / theirs.mean(),
                          sum(worse(a, b) for a, b in zip(ld_at_theirs, theirs))))
    print("\n## summary: LD mlbalance / iterative-stratification (mean over seeds), seeds where mlbalance is worse")
    for name, ratio, n_worse, n in summary:
        print(f"  {name:12s} {ratio:6.3f}   worse on {n_worse}/{n} seeds")
    print("\n## mlbalance at iterative-stratification's own fold sizes: LD ratio, seeds worse")
    for name, ratio, n_worse in own_sizes:
        print(f"  {name:12s} {ratio:6.3f}   worse on {n_worse}/{len(seeds)} seeds")
    if args.overhead:
        print("\n## time of the swap pass (one split, random_state=0)")
        for name, make, k in MATRICES[1:3]:
            overhead(f"{name} (seed 0)", make(0), k)
        for rows in (200_000, 1_000_000):
            overhead(f"{rows:,} x 1,000 Zipf-like sparse", make_labels(rows, 1000, 0.005))


if __name__ == "__main__":
    main()
