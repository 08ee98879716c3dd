"""Classifier re-training (cRT) for Keras models: refit the last layer per label, keep the representation.

Kang et al. (2020), "Decoupling representation and classifier for long-tailed recognition":
a network trained end to end on imbalanced labels learns a useful representation, but its
classifier (the last layer, trained through dense layers and dropout on the imbalanced rows)
ranks the rare labels poorly. Re-training only the classifier on the fixed representation,
with the classes balanced, repairs much of that. For sigmoid multi-label outputs the
classifier is one logistic regression per label:

1. the representation ``h(x)`` (the output of a layer of the model) is computed for the
   training rows;
2. it is standardised (mean ``mu``, standard deviation ``sigma`` per feature, as
   scikit-learn's ``StandardScaler``: a constant feature keeps ``sigma = 1``);
3. per label ``j``, a logistic regression with an L2 penalty (scikit-learn's
   ``LogisticRegression``, ``C=1`` by default) is fit on the standardised features, its
   positives and negatives weighted by ``weighting`` (default ``"balanced"``: each side
   weighs ``N / (2 n_side)``, scikit-learn's ``class_weight="balanced"`` per label);
4. standardising and the regressions are affine in ``h``, so they fold into one ``Dense``
   layer: ``W' = W / sigma`` and ``b' = b - sum(W * mu / sigma)``.

:func:`fit_linear_classifier` does steps 2-4 on a feature matrix (NumPy and scikit-learn
only); :func:`retrain_classifier` does all four on a Keras model and returns a new model
whose last layer is that ``Dense``, with built-in layers only: it saves to ``.keras`` and
reloads with plain ``keras.saving.load_model`` (when the representation's own layers are
built-in Keras layers), and its outputs equal the regressions' (``predict_proba``, or
``decision_function`` with ``output="logits"``) to float32 precision.

**Labels with a single class in the training rows** (no positives, or no negatives) cannot be
fit; they get a stated fallback, with a ``UserWarning`` naming them: kernel 0 and a bias giving
the smoothed training rate ``(n_pos + 0.5) / (n + 1)`` (finite, so ``output="logits"`` never
holds an infinity; about ``1e-4`` for a label with no positives in 4,000 rows). A regression
that does not converge in ``max_iter`` iterations is kept and named in a ``UserWarning``.

Threshold placement is not part of re-training: tune thresholds on held-out scores of the new
model with :func:`mlbalance.tune_thresholds` (for rare labels, ``placement="low"`` measured best
in the seed scenario, see ``examples/seed_scenario/``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_choice, check_int, check_number
from .labels import as_label_matrix

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = ["fit_linear_classifier", "retrain_classifier"]

OUTPUTS = ("sigmoid", "logits")


def _label_text(j: int, names: tuple) -> str:
    return str(j) if names[j] == str(j) else f"{j} ({names[j]!r})"


def _class_weights(weighting: Any, n_labels: int) -> list:
    """scikit-learn ``class_weight`` for each label: ``"balanced"``, ``None`` or ``{0: neg, 1: pos}``."""
    if weighting is None or isinstance(weighting, str):
        check_choice("weighting", weighting, ("balanced", None))
        return [weighting] * n_labels
    what = (f"'balanced', None, or a pair (pos_weight, neg_weight) of {n_labels} finite weights > 0 each "
            "(as returned by mlbalance.label_weights)")
    try:
        pos, neg = (np.asarray(side, dtype=np.float64) for side in weighting)
    except (TypeError, ValueError):
        raise ValueError(f"Expected weighting to be {what}. Received: weighting={weighting!r}") from None
    for side, values in (("pos_weight", pos), ("neg_weight", neg)):
        if values.shape != (n_labels,):
            raise ValueError(f"Expected weighting to be {what}. Received: {side} with shape {values.shape}.")
        bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
        if bad.size:
            raise ValueError(f"Expected weighting to be {what}. Received: {side}[{bad[0]}]={float(values[bad[0]])!r} "
                             f"(label {bad[0]}).")
    return [{0: float(neg[j]), 1: float(pos[j])} for j in range(n_labels)]


def _check_features(features: Any) -> np.ndarray:
    try:
        values = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("Expected features to be a 2-D array of real numbers (rows x features). "
                         f"Received: an object of type {type(features).__name__}.") from None
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError("Expected features to be a 2-D array (rows x features), with at least one of each. "
                         f"Received: features with shape {values.shape}.")
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"features has {int(bad.sum())} non-finite value(s) (NaN or inf); the first is "
                         f"features[{row}, {column}] = {float(values[row, column])!r} (row {row}, feature {column}). "
                         "A representation with NaN usually comes from a model that diverged in training.")
    return values


def fit_linear_classifier(features: Any, y: Any, *, weighting: Any = "balanced", C: float = 1.0,
                          max_iter: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Fit one weighted logistic regression per label on standardised features; return the folded layer.

    Parameters
    ----------
    features : array-like of shape (n_samples, n_features)
        The representation of the training rows (finite real numbers).
    y : array-like of shape (n_samples, n_labels)
        0/1 label matrix (anything :func:`mlbalance.as_label_matrix` accepts; its label names
        are used in warnings).
    weighting : "balanced", None or (pos_weight, neg_weight), default "balanced"
        How each label's positives and negatives are weighted: ``"balanced"`` is scikit-learn's
        ``class_weight="balanced"`` per label (``N / (2 n_pos)`` and ``N / (2 n_neg)``);
        ``None`` weighs every row 1; a pair of arrays of shape (n_labels,), e.g. from
        :func:`mlbalance.label_weights`, gives the weights of each label's two sides.
    C : float, default 1.0
        Inverse L2 penalty strength, as in ``LogisticRegression``.
    max_iter : int, default 2000
        Iterations of the ``lbfgs`` solver per label.

    Returns
    -------
    kernel : ndarray of shape (n_features, n_labels)
    bias : ndarray of shape (n_labels,)
        ``features @ kernel + bias`` is each regression's ``decision_function`` (the logits)
        on the standardised features, with the standardisation folded in. Labels with a single
        class get kernel 0 and bias ``logit((n_pos + 0.5) / (n + 1))`` (a ``UserWarning`` names them).

    Examples
    --------
    >>> import numpy as np
    >>> from mlbalance import fit_linear_classifier
    >>> rng = np.random.default_rng(0)
    >>> h = rng.normal(size=(200, 3))
    >>> y = np.stack([h[:, 0] > 1.5, h[:, 1] > 0], axis=1).astype(int)
    >>> kernel, bias = fit_linear_classifier(h, y)
    >>> kernel.shape, bias.shape
    ((3, 2), (2,))
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> z = StandardScaler().fit_transform(h)
    >>> reference = LogisticRegression(class_weight="balanced", max_iter=2000).fit(z, y[:, 0])
    >>> bool(np.allclose(h @ kernel[:, 0] + bias[0], reference.decision_function(z)))
    True
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    values = _check_features(features)
    labels = as_label_matrix(y)
    matrix = np.asarray(labels.values.toarray() if labels.is_sparse else labels.values, dtype=np.int8)
    if labels.n_samples != len(values):
        raise ValueError(f"features has {len(values)} rows but y has {labels.n_samples}; give one label row per "
                         "feature row, in the same order.")
    C = check_number("C", C, low=0, low_open=True)
    max_iter = check_int("max_iter", max_iter, low=1)
    class_weights = _class_weights(weighting, matrix.shape[1])
    scaler = StandardScaler().fit(values)
    standardised = scaler.transform(values)
    n, q = matrix.shape
    kernel, bias = np.zeros((values.shape[1], q)), np.empty(q)
    single, unconverged = [], []
    # Many small fits (matrix-vector products): one BLAS thread is faster than several that contend
    # (23 labels x 4,074 rows x 192 features: 0.55 s with one thread, 10.3 s with two, on a busy 2-core CPU).
    with threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        for j in range(q):
            n_pos = int(matrix[:, j].sum())
            if n_pos in (0, n):
                single.append(j)
                rate = (n_pos + 0.5) / (n + 1)
                bias[j] = np.log(rate) - np.log1p(-rate)
                continue
            seen = len(caught)
            model = LogisticRegression(C=C, class_weight=class_weights[j], max_iter=max_iter)
            model.fit(standardised, matrix[:, j])
            if any(issubclass(w.category, ConvergenceWarning) for w in caught[seen:]):
                unconverged.append(j)
            w, b = model.coef_[0], model.intercept_[0]
            kernel[:, j] = w / scaler.scale_
            bias[j] = b - np.sum(w * scaler.mean_ / scaler.scale_)
    for warning in caught:  # anything else scikit-learn said is passed on unchanged
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn(warning.message, warning.category, stacklevel=2)
    names = labels.label_names
    if single:
        warnings.warn(f"{len(single)} label(s) have a single class in the training rows and cannot be re-trained: "
                      f"{', '.join(_label_text(j, names) for j in single)}. Each gets a constant score, the smoothed "
                      "training rate (n_pos + 0.5) / (n + 1) (kernel 0).", UserWarning, stacklevel=2)
    if unconverged:
        warnings.warn(f"the logistic regression of label(s) {', '.join(_label_text(j, names) for j in unconverged)} "
                      f"did not converge in max_iter={max_iter} iterations; its last iterate is used. Raise "
                      "max_iter, or lower C.", UserWarning, stacklevel=2)
    return kernel, bias


def _representation_layer(keras: Any, model: Any, representation: Any) -> Any:
    names = [layer.name for layer in model.layers]
    if isinstance(representation, str):
        if representation not in names:
            raise ValueError(f"Expected representation to be the name of a layer of the model. Received: "
                             f"representation={representation!r}; the model's layers: {names}.")
        return model.get_layer(representation)
    if isinstance(representation, keras.layers.Layer) and any(layer is representation for layer in model.layers):
        return representation
    raise ValueError(f"Expected representation to be a layer of the model, or its name (one of {names}). "
                     f"Received: representation={representation!r}")


def retrain_classifier(model: keras.Model, representation: str | Any, x: Any, y: Any, *,
                       weighting: Any = "balanced", output: str = "sigmoid", C: float = 1.0, max_iter: int = 2000,
                       batch_size: int = 256) -> keras.Model:
    """Classifier re-training (Kang et al., 2020): a new model, the representation kept, the last layer refit.

    Parameters
    ----------
    model : keras.Model
        A functional or Sequential model (trained: its representation is what is kept).
    representation : str or keras.layers.Layer
        The layer (or its name) of ``model`` whose output, of shape (batch, n_features), is
        the representation; everything after it is replaced.
    x : array-like
        Training inputs, anything ``model.predict`` accepts.
    y : array-like of shape (n_samples, n_labels)
        0/1 training labels, one row per row of ``x``.
    weighting, C, max_iter
        Per-label weighting of positives and negatives, penalty and iterations of the
        regressions: see :func:`fit_linear_classifier` (default ``"balanced"``).
    output : {"sigmoid", "logits"}, default "sigmoid"
        Whether the new model outputs probabilities or logits.
    batch_size : int, default 256
        Batch size for computing the representation.

    Returns
    -------
    keras.Model
        ``model``'s inputs, a copy of its layers up to ``representation`` (with their current
        weights: later changes to ``model`` do not affect it), then one
        ``Dense(n_labels, float32)`` named ``"classifier"`` holding the folded regressions.
        Not compiled; it saves to ``.keras`` and reloads with ``keras.saving.load_model``
        without ``custom_objects`` when the kept layers are built-in Keras layers.

    Raises
    ------
    ValueError
        For a model that is not a functional/Sequential ``keras.Model``, a representation
        that is not one of its layers or is not (batch, n_features), labels that are not 0/1,
        row counts that differ, or bad arguments.

    Examples
    --------
    >>> import os, tempfile, numpy as np, keras
    >>> from mlbalance import retrain_classifier
    >>> inputs = keras.Input((4,))
    >>> hidden = keras.layers.Dense(8, activation="relu", name="features")(inputs)
    >>> model = keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(hidden))
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(300, 4)).astype("float32")
    >>> y = np.stack([x[:, 0] > 1.5, x[:, 1] > 0], axis=1).astype(int)
    >>> retrained = retrain_classifier(model, "features", x, y)
    >>> retrained.output.shape, retrained.layers[-1].name
    ((None, 2), 'classifier')
    >>> path = os.path.join(tempfile.mkdtemp(), "retrained.keras")
    >>> retrained.save(path)
    >>> again = keras.saving.load_model(path)
    >>> bool(np.allclose(again.predict(x, verbose=0), retrained.predict(x, verbose=0)))
    True
    """
    from ._keras import keras

    check_choice("output", output, OUTPUTS)
    batch_size = check_int("batch_size", batch_size, low=1)
    if not isinstance(model, keras.Model):
        raise ValueError(f"Expected model to be a keras.Model. Received: model={model!r}")
    labels = as_label_matrix(y)
    if hasattr(x, "__len__") and not isinstance(x, dict) and len(x) != labels.n_samples:
        raise ValueError(f"x has {len(x)} rows but y has {labels.n_samples}; give one label row per input row, in "
                         "the same order.")
    layer = _representation_layer(keras, model, representation)
    try:
        source = keras.Model(model.inputs, layer.output)
        kept = keras.models.clone_model(source)
    except (AttributeError, ValueError, TypeError) as err:
        raise ValueError(f"cannot take layer {layer.name!r} of model {model.name!r} as the representation: "
                         f"{' '.join(str(err).split())}. It must be a functional or Sequential model (built, with "
                         "known inputs), and the layer must be used once in it.") from None
    if len(kept.outputs) != 1 or len(kept.outputs[0].shape) != 2:
        shapes = [tuple(t.shape) for t in kept.outputs]
        raise ValueError(f"Expected representation to output one tensor of shape (batch, n_features). Received: "
                         f"layer {layer.name!r} outputs {shapes[0] if len(shapes) == 1 else shapes}; pick a layer "
                         "after the pooling / last recurrent step, or flatten it.")
    kept.set_weights(source.get_weights())
    features = kept.predict(x, batch_size=batch_size, verbose=0)
    kernel, bias = fit_linear_classifier(features, labels, weighting=weighting, C=C, max_iter=max_iter)
    taken = {existing.name for existing in kept.layers}
    name = next(n for n in ("classifier", *(f"classifier_{k}" for k in range(1, len(taken) + 2))) if n not in taken)
    dense = keras.layers.Dense(kernel.shape[1], activation="sigmoid" if output == "sigmoid" else None, name=name,
                               dtype="float32")
    retrained = keras.Model(kept.inputs, dense(kept.outputs[0]), name=f"{model.name}_retrained")
    dense.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return retrained
