"""Keras callback that evaluates per-label performance on validation data during training."""

from __future__ import annotations

import inspect
import math
import os
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from ._files import check_output
from ._keras import keras
from ._validation import check_bool, check_int, check_str
from .labels import as_label_matrix
from .report import REPORT_EXTENSIONS, EvaluationReport, evaluation_report
from .thresholds import TunedThresholds

__all__ = ["PerLabelReport"]

_DATA_HINT = ("Pass validation_data=(x, y) or (x, y, sample_weight) arrays, a finite tf.data.Dataset or a "
              "keras.utils.PyDataset yielding (x, y) or (x, y, sample_weight) batches, or None to read the "
              "per-label values fit computes on its own validation_data.")


def _is_tf_dataset(data: Any) -> bool:
    # Checked by module name, so that no TensorFlow import happens for other inputs.
    return type(data).__module__.startswith("tensorflow") and hasattr(data, "as_numpy_iterator")


def _check_data(data: Any) -> Any:
    if data is None or isinstance(data, keras.utils.PyDataset) or _is_tf_dataset(data):
        return data
    if isinstance(data, (tuple, list)) and len(data) in (2, 3):
        n_rows = {int(np.shape(leaf)[0]) for part in (data[0], *data[2:]) if part is not None
                  for leaf in keras.tree.flatten(part)}
        n_rows.add(as_label_matrix(data[1]).n_samples)
        if len(n_rows) > 1:
            raise ValueError(f"Expected x, y (and sample_weight) of validation_data to have the same number of rows. "
                             f"Received: row counts {sorted(n_rows)}")
        return tuple(data)
    raise ValueError(f"Expected validation_data to be (x, y), (x, y, sample_weight), a tf.data.Dataset, a "
                     f"keras.utils.PyDataset or None. Received: validation_data of type {type(data).__name__}. "
                     + _DATA_HINT)


def _split_batch(batch: Any) -> tuple[Any, Any, Any]:
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise ValueError(f"Expected every validation batch to be (x, y) or (x, y, sample_weight): the report needs "
                         f"the targets. Received: a batch of type {type(batch).__name__}"
                         + (f" with {len(batch)} items" if isinstance(batch, (tuple, list)) else ""))
    return batch[0], batch[1], batch[2] if len(batch) == 3 else None


def _batches(data: Any) -> Iterator[tuple[Any, Any, Any]]:
    """``(x, y, sample_weight or None)`` batch by batch, from a ``tf.data.Dataset`` or a ``PyDataset``."""
    if _is_tf_dataset(data):
        cardinality = int(data.cardinality())
        if cardinality == -1:  # tf.data.INFINITE_CARDINALITY
            raise ValueError("Expected a finite tf.data.Dataset as validation_data (every epoch predicts all of it). "
                             "Received: an infinite dataset (e.g. .repeat() without a count); use .take(n_batches).")
        for batch in data.as_numpy_iterator():
            yield _split_batch(batch)
        return
    num_batches = data.num_batches
    if num_batches is None:
        raise ValueError("Expected a finite keras.utils.PyDataset as validation_data. Received: num_batches=None "
                         "(infinite).")
    for index in range(num_batches):
        yield _split_batch(data[index])


class PerLabelReport(keras.callbacks.Callback):
    """Evaluate the model per label every ``every`` epochs and put named per-label values in the logs.

    With ``validation_data``, at the end of an epoch it predicts the data batch by batch, builds
    an :func:`mlbalance.evaluation_report`, stores it in ``self.reports`` and, with ``path``, writes
    it (``.html``, ``.md`` or ``.json`` by extension; ``{epoch}`` in the path is replaced by the
    epoch number). It adds to the epoch logs one float per key: ``val_macro_f1``,
    ``val_micro_f1`` and ``val_f1/<label name>`` for each label (NaN for a label whose F1 is
    undefined: no validation positives and no predictions), so ``CSVLogger`` and TensorBoard
    show one column or curve per label and ``EarlyStopping``/``ModelCheckpoint`` can monitor
    any of them. ``val_macro_f1`` is the report's: the mean over labels with validation
    positives. A key that ``fit`` already logged (the same names compiled as metrics) is never
    overwritten: that is a ``ValueError`` asking for another ``log_prefix``.

    **Callback order.** Keras calls the callbacks in list order with one logs dict, so a
    callback listed earlier would not see these values. At ``on_train_begin`` this callback
    moves itself to the front of the ``keras.callbacks.CallbackList`` that ``fit`` built
    (found on the call stack), so ``callbacks=[EarlyStopping(monitor="val_macro_f1"),
    PerLabelReport(...)]`` works as well as the other order. In a custom training loop that
    calls the hooks itself, list it first.

    **Without validation_data** (``None``): Keras 3 does not hand ``fit``'s ``validation_data``
    to callbacks (they receive only the logs), so the callback cannot predict it. Instead it reads
    the per-label values that ``fit`` computed on its own validation data with mlbalance's named
    metrics (``val_f1/<name>`` and the like, from :func:`mlbalance.multilabel_compile_args` or
    :class:`~mlbalance.MultilabelF1Score` with ``label_names``), keeps them in ``self.history``
    and prints the weakest labels. Those values reach every callback whatever the order (``fit``
    computes them before any ``on_epoch_end``). A full report (AP, ROC-AUC, tuned thresholds, a
    file) needs scores, so ``path`` needs ``validation_data``. An epoch whose logs have
    validation values but no per-label ones raises a ``ValueError`` saying how to compile.

    Parameters
    ----------
    validation_data : tuple, tf.data.Dataset, keras.utils.PyDataset or None, default None
        ``(x, y)`` or ``(x, y, sample_weight)`` arrays (``x`` may be a list or dict of
        arrays; ``y`` any label input, see :func:`mlbalance.as_label_matrix`), or a finite
        dataset yielding such batches of 0/1 targets. Predictions are accumulated batch by
        batch (arrays in batches of ``batch_size``). The report is unweighted: sample weights
        are ignored, with a warning.
    every : int, default 1
    path : str, optional
        Ending in ``.html``, ``.md`` or ``.json``; its directory must exist and be writable
        (checked here, before training starts). Each file is written atomically.
    thresholds : float, array or "tune", default 0.5
    from_logits : bool, default False
        Apply a sigmoid to the model's outputs before evaluating.
    label_names : sequence of str, optional
        Names in the report and in the log keys (default ``"0"``, ``"1"``, ...).
    batch_size : int, default 256
        For array ``validation_data``.
    verbose : bool, default True
        Print the report's summary lines.
    log_prefix : str, optional
        Start of the log keys, ``"val_"`` by default (``"report_"`` gives ``report_macro_f1``,
        ``report_f1/<name>``).

    Examples
    --------
    >>> import numpy as np, keras
    >>> from mlbalance.callbacks import PerLabelReport
    >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    >>> y = (x[:, :3] > 0).astype("float32")
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy")
    >>> report = PerLabelReport((x, y), label_names=["a", "b", "c"], verbose=False)
    >>> stop = keras.callbacks.EarlyStopping(monitor="val_macro_f1", mode="max", patience=5)
    >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[stop, report])  # any order
    >>> len(report.reports), sorted(k for k in history.history if k.startswith("val_"))
    (2, ['val_f1/a', 'val_f1/b', 'val_f1/c', 'val_macro_f1', 'val_micro_f1'])
    """

    def __init__(self, validation_data: Any = None, every: int = 1, path: str | os.PathLike | None = None,
                 thresholds: float | Sequence[float] | TunedThresholds | str = 0.5, from_logits: bool = False,
                 label_names: Sequence[str] | None = None, batch_size: int = 256, verbose: bool = True,
                 log_prefix: str = "val_") -> None:
        super().__init__()
        validation_data = _check_data(validation_data)
        check_int("every", every, low=1)
        check_int("batch_size", batch_size, low=1)
        check_bool("from_logits", from_logits)
        check_bool("verbose", verbose)
        self.log_prefix = check_str("log_prefix", log_prefix)
        if path is not None:
            path = os.fspath(path)
            if not path.lower().endswith(REPORT_EXTENSIONS):
                raise ValueError(f"Expected path to end in .html, .md or .json. Received: path={path!r}")
            if validation_data is None:
                raise ValueError(f"A report file needs the model's scores: pass validation_data together with "
                                 f"path. Received: validation_data=None, path={path!r}")
            check_output(path.replace("{epoch}", "1"), option="path")
        self.validation_data = validation_data
        self.every = every
        self.path = path
        self.thresholds = thresholds
        self.from_logits = from_logits
        self.label_names = label_names
        self.batch_size = batch_size
        self.verbose = verbose
        self.reports: list[EvaluationReport] = []
        self.history: list[dict[str, float]] = []
        self._warned_weights = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._move_to_front()

    def _move_to_front(self) -> None:
        """Put this callback first in the CallbackList calling it, so its log values reach every other callback.

        CallbackList.on_train_begin iterates its list by index; moving the current item from
        index i to 0 leaves index i + 1 on the same next callback, so none is skipped or repeated.
        """
        frame = inspect.currentframe()
        try:
            while frame is not None:
                owner = frame.f_locals.get("self")
                if isinstance(owner, keras.callbacks.CallbackList):
                    items = owner.callbacks
                    index = next((i for i, cb in enumerate(items) if cb is self), None)
                    if index:
                        items.insert(0, items.pop(index))
                    return
                frame = frame.f_back
        finally:
            del frame

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        if self.validation_data is None:
            self._read_fit_values(epoch, logs or {})
            return
        if logs is not None:
            self._check_free(logs, [f"{self.log_prefix}macro_f1", f"{self.log_prefix}micro_f1"]
                             + [key for key in logs if key.startswith(f"{self.log_prefix}f1/")])
        y, scores = self._predict()
        if self.from_logits:
            scores = expit(scores)
        report = evaluation_report(y, scores, self.thresholds, label_names=self.label_names, name=f"epoch {epoch + 1}")
        self.reports.append(report)
        prefix = self.log_prefix
        values = {f"{prefix}macro_f1": report.overall["macro_f1"], f"{prefix}micro_f1": report.overall["micro_f1"]}
        values.update({f"{prefix}f1/{label['name']}": label["f1"] for label in report.labels})
        values = {key: math.nan if value is None else float(value) for key, value in values.items()}
        self.history.append(values)
        if logs is not None:
            self._check_free(logs, values)
            logs.update(values)
        if self.path is not None:
            report.save(self.path.replace("{epoch}", str(epoch + 1)))
        if self.verbose:
            for line in report.summary():
                print(f"epoch {epoch + 1}: {line}")

    def _predict(self) -> tuple[Any, np.ndarray]:
        """``(y, scores)``: array ``y`` is passed on as given (any label input), dataset targets are stacked."""
        if isinstance(self.validation_data, tuple):
            # model.predict batches and adapts any input fit takes (DataFrames, sparse x, dicts).
            if len(self.validation_data) == 3:
                self._warn_weights()
            out = self.model.predict(self.validation_data[0], batch_size=self.batch_size, verbose=0)
            return self.validation_data[1], self._scores(out)
        targets, scores = [], []
        for x, y, w in _batches(self.validation_data):
            if w is not None:
                self._warn_weights()
            scores.append(self._scores(self.model.predict_on_batch(x)))
            targets.append(np.asarray(keras.ops.convert_to_numpy(y)))
        if not scores:
            raise ValueError("Expected validation_data to hold at least one batch. Received: an empty one.")
        return np.concatenate(targets), np.concatenate(scores)

    def _warn_weights(self) -> None:
        if not self._warned_weights:
            self._warned_weights = True
            warnings.warn("PerLabelReport: validation_data has sample weights; the per-label report is "
                          "unweighted (every row counts once).", UserWarning, stacklevel=3)

    @staticmethod
    def _scores(out: Any) -> np.ndarray:
        if isinstance(out, (list, tuple, dict)):
            raise ValueError(f"PerLabelReport expects a model with one output (n_samples, n_labels). Received: "
                             f"{len(out)} outputs; build a one-output model for the report.")
        return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)

    @staticmethod
    def _check_free(logs: dict, keys: Any) -> None:
        """Refuse to overwrite a value fit logged (checked before predicting too, so it fails at once)."""
        taken = sorted(set(keys) & set(logs))
        if taken:
            raise ValueError(
                f"PerLabelReport would overwrite values fit already logged (compiled metrics of the same names): "
                f"{taken[:5]}{' ...' if len(taken) > 5 else ''}. Pass PerLabelReport(..., log_prefix='report_') "
                "to log the report's values under their own names, or leave those metrics out of compile.")

    def _read_fit_values(self, epoch: int, logs: dict) -> None:
        validation = {key: value for key, value in logs.items() if key.startswith("val_")}
        if not validation:
            return  # fit did not validate this epoch (no validation_data, or validation_freq)
        vectors = [key for key, value in validation.items() if np.ndim(value) != 0]
        if vectors:
            raise ValueError(
                f"PerLabelReport(validation_data=None) reads one number per log key, but fit logged a vector under "
                f"{vectors[:5]}: a per-label metric without label names. Compile it with label_names=[...] (e.g. "
                "MultilabelF1Score(num_labels, label_names=names)) so each label logs its own named value.")
        per_label = {key: float(value) for key, value in validation.items() if "/" in key}
        if not per_label:
            raise ValueError(
                "PerLabelReport(validation_data=None) found no per-label values in fit's validation logs. Received "
                f"log keys: {sorted(validation)}. Keras 3 does not hand fit's validation_data to callbacks, so this "
                "callback reads the named per-label values fit computes: compile with "
                "mlbalance.multilabel_compile_args(y_train)'s metrics (or MultilabelF1Score(..., label_names=[...])). "
                "Or pass validation_data to PerLabelReport for the full per-label report.")
        self.history.append({key: float(value) for key, value in validation.items()})
        if self.verbose:
            finite = sorted((value, key) for key, value in per_label.items() if not math.isnan(value))
            weakest = ", ".join(f"{key} {value:.3f}" for value, key in finite[:5])
            print(f"epoch {epoch + 1}: weakest per-label values: {weakest or 'none defined'}")
