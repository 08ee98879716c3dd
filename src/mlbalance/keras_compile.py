"""From training labels to the pieces of Keras' ``model.compile``: a weighted loss and per-label metrics.

:func:`multilabel_compile_args` computes per-label weights from ``y_train`` with a stated
strategy (:mod:`mlbalance.weights`), builds the loss and the metrics with **one**
``from_logits`` setting, and returns them as a :class:`CompileArgs` to unpack into
``model.compile(optimizer=..., **pieces)``. The metrics log one float per label
(``f1/<name>``, ``val_f1/<name>``) and ``val_macro_f1``, computed by ``fit`` itself on its own
``validation_data``, so ``EarlyStopping``, ``ModelCheckpoint`` and ``CSVLogger`` see them whatever
the order of the callbacks.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._keras import keras
from ._validation import check_bool, check_choice, check_mask_value, check_number
from .labels import as_label_matrix
from .losses import AsymmetricLoss, BinaryFocalLoss, WeightedBinaryCrossentropy
from .metrics import MultilabelF1Score, MultilabelPrecision, MultilabelRecall
from .weights import POSITIVE_WEIGHT_STRATEGIES, WeightSummary, weight_summary

__all__ = ["CompileArgs", "multilabel_compile_args"]

LOSSES = {"weighted_bce": WeightedBinaryCrossentropy, "focal": BinaryFocalLoss, "asymmetric": AsymmetricLoss}
# metric name -> (class, average); a per-label one (average None) logs "<name>/<label>".
METRICS = {
    "f1": (MultilabelF1Score, None),
    "precision": (MultilabelPrecision, None),
    "recall": (MultilabelRecall, None),
    "macro_f1": (MultilabelF1Score, "macro"),
    "micro_f1": (MultilabelF1Score, "micro"),
}
# Arguments the call sets itself, so that loss and metrics cannot disagree.
_SET_BY_CALL = ("pos_weight", "neg_weight", "from_logits", "mask_value")
# Last-layer activations that turn logits into probabilities (for the model check).
_PROBABILITY_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "softmax")


@dataclass(frozen=True)
class CompileArgs:
    """The loss and metrics for ``model.compile``, with the weights and settings behind them.

    Unpack it into ``model.compile(optimizer=..., **pieces)`` (its keys are ``"loss"`` and
    ``"metrics"``), or use :meth:`as_dict`. Build it with :func:`multilabel_compile_args`.

    Attributes
    ----------
    loss : keras.losses.Loss
    metrics : tuple of keras.metrics.Metric
    from_logits : bool
        The one setting the loss and every metric share.
    weights : WeightSummary or None
        The per-label counts and weights the loss uses (None when unweighted).
    label_names : tuple of str
        The names in the per-label log keys (``val_f1/<name>``).

    Examples
    --------
    >>> import numpy as np, mlbalance
    >>> pieces = mlbalance.multilabel_compile_args(np.array([[1, 0], [0, 1], [0, 1], [0, 0]]), weights=None)
    >>> sorted(pieces.keys()), pieces.from_logits, pieces.weights is None
    (['loss', 'metrics'], True, True)
    """

    loss: Any
    metrics: tuple
    from_logits: bool
    weights: WeightSummary | None
    label_names: tuple[str, ...]

    def keys(self) -> tuple[str, str]:
        """The keyword arguments of ``model.compile`` this provides: ``("loss", "metrics")``."""
        return ("loss", "metrics")

    def __getitem__(self, key: str) -> Any:
        if key == "loss":
            return self.loss
        if key == "metrics":
            return list(self.metrics)
        raise KeyError(f"Expected 'loss' or 'metrics' (the keyword arguments of model.compile). Received: key={key!r}")

    def as_dict(self) -> dict[str, Any]:
        """``{"loss": ..., "metrics": [...]}``, to pass as ``model.compile(**pieces.as_dict())``.

        Examples
        --------
        >>> import mlbalance
        >>> d = mlbalance.multilabel_compile_args([[1, 0], [0, 1]], weights=None, metrics=["macro_f1"]).as_dict()
        >>> type(d["loss"]).__name__, [m.name for m in d["metrics"]]
        ('WeightedBinaryCrossentropy', ['macro_f1'])
        """
        return {key: self[key] for key in self.keys()}

    def check_model(self, model: Any) -> None:
        """Raise a ``ValueError`` if ``model``'s output does not fit these pieces.

        Checked: the output has one unit per label, and the last layer's activation agrees
        with ``from_logits`` (no activation for ``True``, ``sigmoid`` for ``False``). An
        activation the check does not know (a custom function) is not judged.

        Examples
        --------
        >>> import keras, mlbalance
        >>> pieces = mlbalance.multilabel_compile_args([[1, 0], [0, 1]], weights=None)
        >>> pieces.check_model(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))  # logits: fine
        >>> pieces.check_model(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="sigmoid", name="out")]))
        Traceback (most recent call last):
        ...
        ValueError: Expected the model's last layer to output logits (no activation), because from_logits=True. Received: layer 'out' with activation='sigmoid'. Remove the activation (keras.layers.Dense(2)) and apply keras.ops.sigmoid to model.predict's output, or pass from_logits=False.
        """
        n_labels = len(self.label_names)
        outputs = getattr(model, "outputs", None)
        if outputs:
            if len(outputs) != 1:
                raise ValueError(f"Expected a model with one output (n_samples, {n_labels}). Received: a model with "
                                 f"{len(outputs)} outputs; compile each output's loss and metrics separately.")
            units = outputs[0].shape[-1]
            if units is not None and units != n_labels:
                raise ValueError(f"Expected the model's output to have {n_labels} units, one per label of y_train. "
                                 f"Received: output shape {tuple(outputs[0].shape)}.")
        layers = getattr(model, "layers", None)
        if not layers:
            return
        last = layers[-1]
        activation = getattr(getattr(last, "activation", None), "__name__", None)
        if activation is None:
            return
        if self.from_logits and activation in _PROBABILITY_ACTIVATIONS:
            raise ValueError(
                f"Expected the model's last layer to output logits (no activation), because from_logits=True. "
                f"Received: layer {last.name!r} with activation={activation!r}. Remove the activation "
                f"(keras.layers.Dense({n_labels})) and apply keras.ops.sigmoid to model.predict's output, "
                "or pass from_logits=False.")
        if not self.from_logits and activation == "linear":
            raise ValueError(
                f"Expected the model's last layer to output probabilities (activation='sigmoid'), because "
                f"from_logits=False. Received: layer {last.name!r} with no activation (logits). Pass "
                f"from_logits=True (recommended: exact, stable log-probabilities), or use "
                f"keras.layers.Dense({n_labels}, activation='sigmoid').")

    def __str__(self) -> str:
        lines = [f"loss: {self.loss!r}", "metrics: " + ", ".join(m.name for m in self.metrics),
                 f"from_logits: {self.from_logits}"]
        lines.append(self.weights.to_text() if self.weights is not None else "weights: none (unweighted loss)")
        return "\n".join(lines)


def _loss_options(loss_options: dict | None, loss: str) -> dict:
    if loss_options is None:
        return {}
    if not isinstance(loss_options, dict):
        raise ValueError(f"Expected loss_options to be a dict of loss arguments (e.g. {{'gamma': 2.0}}). "
                         f"Received: loss_options={loss_options!r}")
    taken = [key for key in _SET_BY_CALL if key in loss_options]
    if taken:
        raise ValueError(f"Expected loss_options without {taken}: multilabel_compile_args sets them itself (weights=, "
                         f"from_logits=, mask_value=), so that the loss and the metrics agree. "
                         f"Received: loss_options={loss_options!r}")
    accepted = [name for name in inspect.signature(LOSSES[loss]).parameters if name not in _SET_BY_CALL]
    unknown = [key for key in loss_options if key not in accepted]
    if unknown:
        raise ValueError(f"Expected loss_options to hold arguments of {LOSSES[loss].__name__}: {accepted}. "
                         f"Received: unknown {unknown} in loss_options={loss_options!r}")
    return dict(loss_options)


def _metric(spec: Any, *, num_labels: int, threshold: Any, from_logits: bool, mask_value: float | None,
            label_names: tuple[str, ...]) -> Any:
    if isinstance(spec, keras.metrics.Metric):
        own = getattr(spec, "from_logits", from_logits)
        if own != from_logits:
            raise ValueError(f"Expected every metric to use from_logits={from_logits} (the loss's setting). "
                             f"Received: metric {spec.name!r} with from_logits={own}. Leave it out of metrics= and "
                             "name it instead (e.g. 'f1'), or build it with the same from_logits.")
        return spec
    check_choice("metrics", spec, tuple(METRICS))
    cls, average = METRICS[spec]
    names = list(label_names) if average is None else None
    return cls(num_labels, threshold=threshold, average=average, from_logits=from_logits, mask_value=mask_value,
               label_names=names, name=spec)


def multilabel_compile_args(y_train: Any, loss: str = "weighted_bce", *, weights: str | None = "sqrt",
                            max_weight: float | None = 50.0, on_zero: str | float = "one", from_logits: bool = True,
                            metrics: Sequence[Any] = ("f1", "macro_f1"), label_names: Sequence[str] | None = None,
                            threshold: float | Sequence[float] = 0.5, mask_value: float | None = None,
                            loss_options: dict | None = None, model: Any = None) -> CompileArgs:
    """The loss and per-label metrics for ``model.compile``, from the training labels, in one call.

    The model this expects ends in one unit per label: ``keras.layers.Dense(n_labels)`` with
    **no activation** for ``from_logits=True`` (the default: exact log-probabilities), or
    ``Dense(n_labels, activation="sigmoid")`` for ``from_logits=False``. Pass ``model=`` to
    check it (see :meth:`CompileArgs.check_model`).

    Parameters
    ----------
    y_train : label input
        Anything :func:`mlbalance.as_label_matrix` accepts; the weights are computed from it.
    loss : {"weighted_bce", "focal", "asymmetric"}, default "weighted_bce"
        :class:`~mlbalance.WeightedBinaryCrossentropy`, :class:`~mlbalance.BinaryFocalLoss` or
        :class:`~mlbalance.AsymmetricLoss`.
    weights : str or None, default "sqrt"
        A strategy of :func:`mlbalance.positive_weights` (``"neg_pos"``, ``"inverse_frequency"``,
        ``"sqrt"``, ``"log"``, ``"effective_number"``, ``"balanced"``), or None for an unweighted
        loss. ``"balanced"`` weights both sides (:func:`mlbalance.label_weights`), which only
        ``loss="weighted_bce"`` supports.
    max_weight : float or None, default 50
        The cap on every weight.
    on_zero : {"raise", "one", "max"} or float, default "one"
        For labels with no positive (or no negative) entry: see :mod:`mlbalance.weights`. Every
        policy but ``"raise"`` warns, naming the labels.
    from_logits : bool, default True
        Shared by the loss and every metric.
    metrics : sequence, default ("f1", "macro_f1")
        Names among ``"f1"``, ``"precision"``, ``"recall"`` (one log entry per label,
        ``<name>/<label>``), ``"macro_f1"`` and ``"micro_f1"``, or Keras metric objects (one with
        a ``from_logits`` attribute must agree).
    label_names : sequence of str, optional
        Names of the label columns (default: ``y_train``'s names, e.g. DataFrame columns, else
        ``"0"``, ``"1"``, ...).
    threshold : float or sequence of float, default 0.5
        Probability threshold(s) of the metrics, one or one per label.
    mask_value : float, optional
        Unobserved entries of ``y_train`` and of the targets in ``fit`` (loss and metrics).
    loss_options : dict, optional
        Further arguments of the loss (e.g. ``{"gamma": 2.0}``, ``{"label_smoothing": 0.1}``).
    model : keras.Model, optional
        Checked with :meth:`CompileArgs.check_model`.

    Returns
    -------
    CompileArgs

    Examples
    --------
    >>> import numpy as np, keras, mlbalance
    >>> y_train = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0]])
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])  # logits: no activation
    >>> pieces = mlbalance.multilabel_compile_args(y_train, "weighted_bce", weights="neg_pos", model=model)
    >>> model.compile(optimizer="adam", **pieces)
    >>> pieces.weights.pos_weight.tolist(), [m.name for m in pieces.metrics]
    ([3.0, 3.0, 0.3333333333333333], ['f1', 'macro_f1'])
    >>> pieces.loss.get_config()["from_logits"], pieces.metrics[0].from_logits
    (True, True)
    """
    check_choice("loss", loss, tuple(LOSSES))
    from_logits = check_bool("from_logits", from_logits)
    mask_value = check_mask_value(mask_value)
    options = _loss_options(loss_options, loss)
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence):
        raise ValueError(f"Expected metrics to be a list of metric names or Keras metrics, e.g. ['f1', 'macro_f1']. "
                         f"Received: metrics={metrics!r}")
    if weights is not None:
        check_choice("weights", weights, POSITIVE_WEIGHT_STRATEGIES)
        check_number("max_weight", max_weight, low=0, low_open=True, allow_none=True)
        if weights == "balanced" and loss != "weighted_bce":
            raise ValueError(f"weights='balanced' gives each label a positive and a negative weight; loss={loss!r} "
                             "has a positive weight only. Pass loss='weighted_bce', or another strategy "
                             f"({', '.join(s for s in POSITIVE_WEIGHT_STRATEGIES if s != 'balanced')}).")
    summary = weight_summary(y_train, weights, max_weight=max_weight, on_zero=on_zero,
                             mask_value=mask_value, label_names=label_names) if weights is not None else None
    if summary is not None:
        names = summary.label_names
        options["pos_weight"] = summary.pos_weight.tolist()
        if loss == "weighted_bce":
            options["neg_weight"] = summary.neg_weight.tolist()
    else:
        names = as_label_matrix(y_train, mask_value=mask_value, label_names=label_names).label_names
    loss_object = LOSSES[loss](from_logits=from_logits, mask_value=mask_value, **options)
    built = tuple(_metric(spec, num_labels=len(names), threshold=threshold, from_logits=from_logits,
                          mask_value=mask_value, label_names=tuple(names)) for spec in metrics)
    pieces = CompileArgs(loss_object, built, from_logits, summary, tuple(names))
    if model is not None:
        pieces.check_model(model)
    return pieces
