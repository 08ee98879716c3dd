"""Keras callback that evaluates per-label performance on validation data during training."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from scipy.special import expit

from ._files import check_output
from ._keras import keras
from ._validation import check_bool, check_int
from .report import REPORT_EXTENSIONS, EvaluationReport, evaluation_report
from .thresholds import TunedThresholds

__all__ = ["PerLabelReport"]


class PerLabelReport(keras.callbacks.Callback):
    """Evaluate the model per label every ``every`` epochs and keep (or write) the report.

    At the end of an epoch it predicts ``validation_data``, builds an
    :func:`mlbalance.evaluation_report`, adds ``val_macro_f1`` and ``val_micro_f1`` to the
    epoch logs (so ``EarlyStopping`` or ``ModelCheckpoint`` can monitor them), stores the
    report in ``self.reports`` and, with ``path``, writes it (``.html``, ``.md`` or ``.json``
    by extension; ``{epoch}`` in the path is replaced by the epoch number).

    Parameters
    ----------
    validation_data : tuple (x, y)
    every : int, default 1
    path : str, optional
        Ending in ``.html``, ``.md`` or ``.json``; its directory must exist and be writable
        (checked here, before training starts). Each file is written atomically.
    thresholds : float, array or "tune", default 0.5
    from_logits : bool, default False
        Apply a sigmoid to the model's outputs before evaluating.
    label_names : sequence of str, optional
    batch_size : int, default 256
    verbose : bool, default True
        Print the report's summary lines.

    Examples
    --------
    >>> import numpy as np, keras
    >>> from mlbalance.callbacks import PerLabelReport
    >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    >>> y = (x[:, :3] > 0).astype("float32")
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy")
    >>> report = PerLabelReport((x, y), verbose=False)
    >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[report])
    >>> len(report.reports), "val_macro_f1" in history.history
    (2, True)
    """

    def __init__(self, validation_data: tuple | list, every: int = 1, path: str | os.PathLike | None = None,
                 thresholds: float | Sequence[float] | TunedThresholds | str = 0.5, from_logits: bool = False,
                 label_names: Sequence[str] | None = None, batch_size: int = 256, verbose: bool = True) -> None:
        super().__init__()
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) < 2:
            raise ValueError("Expected validation_data=(x, y).")
        check_int("every", every, low=1)
        check_int("batch_size", batch_size, low=1)
        check_bool("from_logits", from_logits)
        check_bool("verbose", verbose)
        if path is not None:
            path = os.fspath(path)
            if not path.lower().endswith(REPORT_EXTENSIONS):
                raise ValueError(f"Expected path to end in .html, .md or .json. Received: path={path!r}")
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

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        x, y = self.validation_data[0], self.validation_data[1]
        scores = np.asarray(self.model.predict(x, batch_size=self.batch_size, verbose=0), dtype=np.float64)
        if self.from_logits:
            scores = expit(scores)
        report = evaluation_report(y, scores, self.thresholds, label_names=self.label_names, name=f"epoch {epoch + 1}")
        self.reports.append(report)
        if logs is not None:
            logs["val_macro_f1"] = report.overall["macro_f1"]
            logs["val_micro_f1"] = report.overall["micro_f1"]
        if self.path is not None:
            report.save(self.path.replace("{epoch}", str(epoch + 1)))
        if self.verbose:
            for line in report.summary():
                print(f"epoch {epoch + 1}: {line}")
