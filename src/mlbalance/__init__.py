"""mlbalance: train multi-label classifiers on imbalanced labels.

NumPy parts (label input, statistics, weights, splits, file reading) are imported
eagerly; SciPy is imported on first use (sparse label input, the first split or
report), and scikit-learn on first use too (the first split or resampling with a random
state), never by ``import mlbalance``. Keras parts (``mlbalance.losses``,
``mlbalance.metrics``, ``mlbalance.callbacks``, ``mlbalance.keras_compile``, ``mlbalance.keras_sampling`` and the names
they export) load on first use, so ``import mlbalance`` never imports Keras or a
deep-learning backend. ``mlbalance.sklearn`` (the per-label threshold meta-estimator and
scorers) loads on first use as well, and so does ``mlbalance.torch`` (PyTorch losses and
sampler, no Keras); the torch names are reached through it (``from mlbalance.torch import ...``).
"""

from __future__ import annotations

import importlib

from .class_weight_effect import ClassWeightEffect, keras_class_weight_effect
from .datasets import seed_scenario_labels
from .io import read_labels, read_scores
from .labels import LabelCounts, LabelFormatError, LabelMatrix, as_label_matrix, label_counts
from .split import (
    MultilabelStratifiedGroupKFold,
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
    RepeatedMultilabelStratifiedKFold,
    SplitQuality,
    multilabel_train_test_split,
    split_quality,
    train_val_test_split,
)
from .report import ComparisonReport, EvaluationReport, compare_reports, evaluation_report
from .sampling import repeat_factors, resample_indices
from .stats import ImbalanceSummary, imbalance_summary
from .thresholds import TunedThresholds, rows_fingerprint, tune_thresholds
from .weights import (
    WeightSummary,
    class_weights,
    label_weights,
    positive_weights,
    sample_weights,
    weight_summary,
)

__version__ = "0.1.0"

# Names that live in Keras-side modules, loaded lazily: name -> module.
_LAZY = {
    **{
        name: "losses"
        for name in (
            "AsymmetricLoss",
            "BinaryFocalLoss",
            "WeightedBinaryCrossentropy",
            "asymmetric_loss",
            "binary_focal_loss",
            "weighted_binary_crossentropy",
        )
    },
    **{name: "metrics" for name in ("MultilabelF1Score", "MultilabelPrecision", "MultilabelRecall")},
    "PerLabelReport": "callbacks",
    **{name: "keras_compile" for name in ("CompileArgs", "multilabel_compile_args")},
    **{name: "retrain" for name in ("fit_linear_classifier", "retrain_classifier")},
    **{name: "keras_sampling" for name in ("RebalancedSequence", "tf_dataset")},
    **{name: "sklearn" for name in ("MultilabelTunedThresholdClassifierCV", "macro_average_precision_scorer",
                                    "macro_f1_scorer")},
}
_LAZY_MODULES = ("losses", "metrics", "callbacks", "keras_compile", "retrain", "keras_sampling", "sklearn", "torch")

__all__ = [
    "ClassWeightEffect",
    "ComparisonReport",
    "EvaluationReport",
    "ImbalanceSummary",
    "LabelCounts",
    "LabelFormatError",
    "LabelMatrix",
    "MultilabelStratifiedGroupKFold",
    "MultilabelStratifiedKFold",
    "MultilabelStratifiedShuffleSplit",
    "RepeatedMultilabelStratifiedKFold",
    "SplitQuality",
    "TunedThresholds",
    "WeightSummary",
    "as_label_matrix",
    "class_weights",
    "compare_reports",
    "evaluation_report",
    "imbalance_summary",
    "keras_class_weight_effect",
    "label_counts",
    "label_weights",
    "multilabel_train_test_split",
    "split_quality",
    "train_val_test_split",
    "tune_thresholds",
    "positive_weights",
    "read_labels",
    "read_scores",
    "repeat_factors",
    "resample_indices",
    "rows_fingerprint",
    "sample_weights",
    "seed_scenario_labels",
    "weight_summary",
    *_LAZY,
]


def __getattr__(name: str) -> object:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'mlbalance' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_LAZY_MODULES))
