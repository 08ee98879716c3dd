"""Sizes, runs and training settings of the seed scenario."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

# Stage-2 runs (the seed's head on the frozen base), and the losses that can be fine-tuned (stage 3).
RUNS = ("bce", "class_weight", "weighted_bce", "focal", "asymmetric", "repeat_factor")
FINETUNE_RUNS = ("bce", "weighted_bce", "focal", "asymmetric")
# The default story: the seed's class_weight, plain BCE, and the recipe (asymmetric + fine-tuning + cRT).
STORY_RUNS, STORY_FINETUNE_RUNS = ("class_weight", "bce"), ("asymmetric",)
RECIPE = "asymmetric"  # its "+ft +cRT" model is the one saved (found best: benchmarks/RESULTS.md)
PADDINGS = ("mask", "pre")
SAMPLINGS = ("repeat_factor", "ml_ros", None)
SEED_ROWS = 6790  # rows of the seed scenario (make_sequences draws n_samples of them)
MIN_ROWS = 10  # the 60 / 20 / 20 split then leaves 2 validation and 2 test rows


def expect(name: str, value: Any, ok: bool, what: str) -> None:
    """Raise ``Expected <name> to be <what>. Received: <name>=<value!r>`` unless ``ok``."""
    if not ok:
        raise ValueError(f"Expected {name} to be {what}. Received: {name}={value!r}")


def check_int(name: str, value: Any, low: int, high: int | None = None, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    what = f"an integer {'>= ' + str(low) if high is None else f'in [{low}, {high}]'}" + (" or None" * allow_none)
    expect(name, value, isinstance(value, numbers.Integral) and not isinstance(value, bool) and low <= value
           and (high is None or value <= high), what)


def check_number(name: str, value: Any, low: float | None = None, high: float | None = None,
                 low_open: bool = False) -> None:
    real = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if low is not None and high is not None:
        what, ok = f" in {'(' if low_open else '['}{low:g}, {high:g}]", real and low <= value <= high
    elif low is not None:
        what, ok = f" {'>' if low_open else '>='} {low:g}", real and value >= low
    else:
        what, ok = "", real
    expect(name, value, ok and not (low_open and value == low), "a finite number" + what)


def check_choice(name: str, value: Any, allowed: Sequence) -> None:
    expect(name, value, any(type(a) is type(value) and a == value for a in allowed), f"one of {tuple(allowed)!r}")


def check_bool(name: str, value: Any) -> bool:
    expect(name, value, isinstance(value, bool), "True or False")
    return value


def _check_runs(name: str, runs: Sequence[str], allowed: Sequence[str]) -> tuple:
    runs = (runs,) if isinstance(runs, str) else tuple(runs)
    unknown = [run for run in runs if run not in allowed]
    if unknown:
        raise ValueError(f"Expected {name} to be among {tuple(allowed)}. Received: {name}={runs!r} "
                         f"(unknown: {unknown})")
    return runs


class DemoConfig:
    """Sizes, runs and training settings of the demo.

    ``DemoConfig()`` is the default story (about 2-3 minutes of stages on a 2-core CPU);
    ``DemoConfig.full()`` uses the seed's sizes; ``DemoConfig.tiny()`` is for tests;
    ``everything=True`` runs every loss of stage 2 and fine-tunes every fine-tunable one.

    Examples
    --------
    >>> from seed_scenario.config import DemoConfig
    >>> DemoConfig().runs, DemoConfig().finetune_runs, DemoConfig.full().max_len
    (('class_weight', 'bce'), ('asymmetric',), 100)
    >>> len(DemoConfig(everything=True).runs)
    6
    """

    def __init__(self, min_len: int = 8, max_len: int = 24, signal: float = 3.0, active: float = 1.0,
                 base_epochs: int = 3, head_epochs: int = 40, batch_size: int = 64, head_batch_size: int = 256,
                 finetune_epochs: int = 6, finetune_lr: float = 1e-3, runs: Sequence[str] = STORY_RUNS,
                 finetune_runs: Sequence[str] = STORY_FINETUNE_RUNS, everything: bool = False,
                 n_samples: int | None = None, lstm_units: int = 192, seed: int = 0, mixed_precision: bool = False,
                 padding: str = "mask", finetune_sampling: str | None = "repeat_factor",
                 repeat_threshold: float = 0.1):
        check_choice("padding", padding, PADDINGS)
        check_choice("finetune_sampling", finetune_sampling, SAMPLINGS)
        check_number("repeat_threshold", repeat_threshold, low=0, high=1, low_open=True)
        check_int("finetune_epochs", finetune_epochs, low=0)
        if check_bool("everything", everything):
            runs, finetune_runs = RUNS, FINETUNE_RUNS
        self.runs = _check_runs("runs", runs, RUNS)
        self.finetune_runs = _check_runs("finetune_runs", finetune_runs, FINETUNE_RUNS)
        if not self.runs and not (self.finetune_runs and finetune_epochs):
            raise ValueError(f"Expected runs to be one or more of {RUNS} (or finetune_runs with finetune_epochs > 0). "
                             f"Received: runs={self.runs!r}, finetune_runs={self.finetune_runs!r}")
        for name, value in (("base_epochs", base_epochs), ("head_epochs", head_epochs), ("batch_size", batch_size),
                            ("head_batch_size", head_batch_size), ("lstm_units", lstm_units), ("min_len", min_len)):
            check_int(name, value, low=1)
        check_int("max_len", max_len, low=min_len)
        check_int("n_samples", n_samples, low=MIN_ROWS, high=SEED_ROWS, allow_none=True)
        check_int("seed", seed, low=0)
        expect("seed", seed, seed < 2**32, "an integer in [0, 2**32 - 1]")  # NumPy's and Keras' seeding range
        check_number("signal", signal)
        check_number("active", active, low=0, high=1)
        check_number("finetune_lr", finetune_lr, low=0, low_open=True)
        check_bool("mixed_precision", mixed_precision)
        self.min_len, self.max_len, self.signal, self.active = min_len, max_len, signal, active
        self.base_epochs, self.head_epochs, self.batch_size = base_epochs, head_epochs, batch_size
        self.head_batch_size, self.finetune_epochs, self.finetune_lr = head_batch_size, finetune_epochs, finetune_lr
        self.n_samples, self.lstm_units, self.seed = n_samples, lstm_units, seed
        self.mixed_precision, self.padding = mixed_precision, padding
        self.finetune_sampling, self.repeat_threshold = finetune_sampling, float(repeat_threshold)

    @property
    def fine_tuned(self) -> tuple:
        """The runs stage 3 fine-tunes (none with ``finetune_epochs=0``)."""
        return self.finetune_runs if self.finetune_epochs > 0 else ()

    @classmethod
    def full(cls, **overrides) -> DemoConfig:
        """The seed's sizes: sequences of 20-100 steps, more epochs."""
        return cls(**{"min_len": 20, "max_len": 100, "base_epochs": 5, "head_epochs": 60, "finetune_epochs": 15,
                      **overrides})

    @classmethod
    def tiny(cls, **overrides) -> DemoConfig:
        """A seconds-long run for tests: 600 rows, short sequences, few epochs."""
        return cls(**{"min_len": 4, "max_len": 8, "base_epochs": 1, "head_epochs": 3, "finetune_epochs": 1,
                      "n_samples": 600, "lstm_units": 16, **overrides})
