"""PyTorch losses and a sampler for imbalanced multi-label training (``torch`` only, no Keras).

Losses take PyTorch's ``(input, target)`` order: ``input`` holds **logits** (no sigmoid in the
model), ``target`` 0/1 labels of the same shape. Each loss is an ``nn.Module`` with a
functional twin, and their math is the math of :mod:`mlbalance.losses` (the Keras losses):

* exact log-probabilities from logits, ``log p = -softplus(-x)``, ``log(1 - p) = -softplus(x)``:
  no clipping and no cancellation, so values and gradients are right and finite for any logit
  (``±1e4`` included), and modulating factors ``(1 - p) ** gamma`` are
  ``exp(gamma * log(1 - p))``;
* ``float16`` and ``bfloat16`` inputs are computed in ``float32`` and the loss is ``float32``
  (as ``torch.autocast`` does for ``binary_cross_entropy_with_logits``); ``float64`` stays ``float64``;
* per-label arguments (``pos_weight``, ``neg_weight``, ``alpha``) are a scalar or one value per
  label (the last axis); a module keeps them as buffers, so ``.to(device)`` moves them.

Masked entries
    ``ignore_index`` (a target value such as ``-1``, or NaN) and/or an explicit boolean
    ``mask`` (``True`` = use the entry) remove entries. A masked entry contributes 0, and
    ``reduction="mean"`` still divides by the number of entries (``input.numel()``): the
    denominator of the unmasked loss and of the Keras losses, so the loss of a row does not depend
    on the rest of the batch and a batch split over devices gives the single-device value.
    ``reduction="mean_observed"`` divides by the number of observed entries instead (PyTorch's
    ``CrossEntropyLoss(ignore_index=...)`` convention; 0, not NaN, when nothing is observed).

Target checks and the GPU
    By default (``check_target=True``) a target that is not 0/1 (or masked), or a shape
    mismatch, raises a ``ValueError`` naming the first bad entry. Checking values needs the
    result on the host: on an accelerator that is one device-to-host synchronisation per call.
    ``check_target=False`` removes it: a bad entry then makes the loss NaN instead (computed on
    the device, no sync), loud in any log and stopped by a NaN check, never a plausible wrong number.
    Inside ``torch.compile`` the NaN rule is used automatically. Shapes are always checked (free).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._validation import check_bool, check_choice, check_int, check_mask_value, check_number, check_per_label
from .labels import as_label_matrix
from .sampling import repeat_factors, resample_indices

__all__ = [
    "AsymmetricLoss",
    "RepeatFactorSampler",
    "SigmoidFocalLoss",
    "WeightedBCEWithLogitsLoss",
    "asymmetric_loss",
    "sigmoid_focal_loss",
    "weighted_binary_cross_entropy_with_logits",
]

REDUCTIONS = ("mean", "sum", "none", "mean_observed")
HALF = (torch.float16, torch.bfloat16)


# --------------------------------------------------------------------------------------
# Argument and input checks
# --------------------------------------------------------------------------------------
def _compiling() -> bool:
    return bool(torch.compiler.is_compiling())


def _label_tensor(name: str, value: Any, *, upper: float | None = None) -> float | torch.Tensor | None:
    """A per-label argument: a Python float (scalar) or a tensor (one value per label; values checked).

    Python and NumPy sequences become tensors of PyTorch's default dtype. Values of a tensor on an
    accelerator are not checked here (that would cost a host sync per call); the loss modules
    check them once, at construction.
    """
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        if value.ndim > 1:
            raise ValueError(f"Expected {name} to be a scalar or 1-D (one value per label). "
                             f"Received: {name} with shape {tuple(value.shape)}")
        if value.device.type == "cpu" and not _compiling():
            check_per_label(name, value.detach().double().numpy() if value.ndim else float(value), upper=upper)
        return value
    checked = check_per_label(name, value, upper=upper)
    return checked if isinstance(checked, float) else torch.as_tensor(checked, dtype=torch.get_default_dtype())


def _weight_tensor(weight: Any) -> torch.Tensor | None:
    """PyTorch's ``weight``: any finite, non-negative array broadcasting to the input.

    Values are checked unless ``weight`` is a tensor on an accelerator (a host sync per call);
    the loss modules check them once, at construction.
    """
    if weight is None:
        return None
    tensor = weight if isinstance(weight, torch.Tensor) else torch.as_tensor(np.asarray(weight, dtype=np.float32))
    if tensor.device.type != "cpu" or _compiling():
        return tensor
    values = tensor.detach().double().numpy()
    bad = np.argwhere(~np.isfinite(values) | (values < 0))
    if bad.size:
        where = tuple(int(i) for i in bad[0])
        raise ValueError(f"Expected weight to hold finite numbers >= 0. Received: weight[{', '.join(map(str, where))}]="
                         f"{float(values[where])!r} ({len(bad)} bad value(s) in all)")
    return tensor


def _fit_label_vector(name: str, value: float | torch.Tensor | None, x: torch.Tensor,
                      owner: str) -> float | torch.Tensor | None:
    """``value`` on ``x``'s device and dtype (a float stays a float); a 1-D value needs one entry per label."""
    if value is None or isinstance(value, float):
        return value
    if value.ndim == 1 and (x.ndim == 0 or value.shape[0] != x.shape[-1]):
        n_labels = x.shape[-1] if x.ndim else 1
        raise ValueError(f"{owner}: {name} has {value.shape[0]} values but input has {n_labels} labels (input shape "
                         f"{tuple(x.shape)}). Pass one value per label (the last axis), or a scalar.")
    return value.to(device=x.device, dtype=x.dtype)


def _fit_weight(weight: torch.Tensor | None, x: torch.Tensor, owner: str) -> torch.Tensor | None:
    if weight is None:
        return None
    try:
        shape = torch.broadcast_shapes(weight.shape, x.shape)
    except RuntimeError:
        shape = None
    if shape != x.shape:
        raise ValueError(f"{owner}: expected weight to broadcast to input's shape {tuple(x.shape)}. "
                         f"Received: weight.shape={tuple(weight.shape)}")
    return weight.to(device=x.device, dtype=x.dtype)


def _logits(input: Any, owner: str) -> torch.Tensor:
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{owner}: expected input to be a torch.Tensor of logits. Received: input of type "
                        f"{type(input).__name__}. Convert it with torch.as_tensor(...).")
    if not input.is_floating_point():
        raise ValueError(f"{owner}: expected input to be a floating-point tensor of logits. "
                         f"Received: input.dtype={input.dtype}")
    return input.float() if input.dtype in HALF else input


def _target_error(target: torch.Tensor, valid: torch.Tensor, ignore_index: float | None, owner: str) -> ValueError:
    bad = torch.nonzero(~valid)
    first = tuple(int(i) for i in bad[0])
    where = f"target[{', '.join(map(str, first))}]={float(target[first])!r} ("
    where += f"row {first[0]}, label {first[-1]}; " if len(first) > 1 else ""
    allowed = "0 and 1" if ignore_index is None else f"0, 1 and ignore_index={ignore_index!r}"
    values = sorted({float(v) for v in target[~valid][:1000].tolist()}, key=repr)[:5]
    return ValueError(
        f"{owner}: expected target to hold only {allowed}. Received: {where}{len(bad)} such entries; values such as "
        f"{values}). Convert the labels to 0/1 (e.g. y / 255 for 0/255 "
        "labels, (y + 1) / 2 for -1/1 labels) and mark unobserved entries with ignore_index or mask. "
        "(check_target=False skips this check, which syncs with the device, and makes such entries NaN.)")


def _targets(x: torch.Tensor, target: Any, mask: Any, ignore_index: float | None, check_target: bool,
             owner: str) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """Checked targets as ``(is_one, valid, observed)``, all bool tensors of x's shape.

    ``valid`` is None when every entry is known to be 0, 1 or masked (checked, or a bool target);
    otherwise (``check_target=False``, or inside ``torch.compile``) the entries where it is False make
    the loss NaN. ``observed`` is None when nothing is masked.
    """
    target = target if isinstance(target, torch.Tensor) else torch.as_tensor(np.asarray(target), device=x.device)
    if target.shape != x.shape:
        raise ValueError(f"{owner}: expected target to have input's shape (one target per logit; a target is never "
                         f"broadcast). Received: input.shape={tuple(x.shape)}, target.shape={tuple(target.shape)}")
    t = target.to(device=x.device)
    observed = None
    if ignore_index is not None and t.dtype != torch.bool:
        observed = ~(torch.isnan(t) if math.isnan(ignore_index) else t == ignore_index)
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool or mask.shape != x.shape:
            got = (f"mask.dtype={mask.dtype}, mask.shape={tuple(mask.shape)}" if isinstance(mask, torch.Tensor)
                   else f"mask of type {type(mask).__name__}")
            raise ValueError(f"{owner}: expected mask to be a torch.bool tensor of input's shape {tuple(x.shape)} "
                             f"(True = use the entry). Received: {got}")
        mask = mask.to(x.device)
        observed = mask if observed is None else observed & mask
    if t.dtype == torch.bool:  # nothing to check
        return t, None, observed
    is_one = t == 1
    valid = is_one | (t == 0)
    if observed is not None:
        valid = valid | ~observed
    if check_target and not _compiling():
        if not bool(valid.all()):
            raise _target_error(t.to(x.dtype), valid, ignore_index, owner)
        return is_one, None, observed
    return is_one, valid, observed


def _reduce(terms: torch.Tensor, valid: torch.Tensor | None, observed: torch.Tensor | None,
            weight: torch.Tensor | None, reduction: str) -> torch.Tensor:
    if valid is not None:  # unchecked targets: an entry that is not 0, 1 or masked makes the loss NaN
        terms = torch.where(valid, terms, torch.full_like(terms, float("nan")))
    if weight is not None:
        terms = terms * weight
    if observed is not None:
        terms = torch.where(observed, terms, torch.zeros_like(terms))
    if reduction == "none":
        return terms
    if reduction == "sum":
        return terms.sum()
    if reduction == "mean" or observed is None:
        return terms.sum() / max(terms.numel(), 1)
    return terms.sum() / torch.clamp(observed.sum(), min=1).to(terms.dtype)


def _common(reduction: str, ignore_index: Any, check_target: Any) -> tuple[str, float | None, bool]:
    return (check_choice("reduction", reduction, REDUCTIONS), check_mask_value(ignore_index, name="ignore_index"),
            check_bool("check_target", check_target))


def _pow_from_log(log_base: torch.Tensor, gamma: float) -> torch.Tensor | None:
    """``base ** gamma`` from ``log(base)``: finite value and gradient for every gamma >= 0 (None for gamma 0)."""
    return None if gamma == 0 else torch.exp(gamma * log_base)


def _scale(term: torch.Tensor, factor: torch.Tensor | None) -> torch.Tensor:
    return term if factor is None else term * factor


# --------------------------------------------------------------------------------------
# Element-wise terms (the math of mlbalance.losses)
# --------------------------------------------------------------------------------------
def _by_side(is_one: torch.Tensor, terms: torch.Tensor, positive: Any, negative: Any) -> torch.Tensor:
    """``terms`` times ``positive`` where the target is 1 and ``negative`` where it is 0 (None = 1)."""
    if positive is None and negative is None:
        return terms
    return torch.where(is_one, _scale(terms, positive), _scale(terms, negative))


def _signed(x: torch.Tensor, is_one: torch.Tensor) -> torch.Tensor:
    """``m = -x`` for positives, ``x`` for negatives: ``-log p_t = softplus(m)``, ``log(1 - p_t) = -softplus(-m)``."""
    return torch.where(is_one, -x, x)


def _bce_terms(x, is_one, pos_weight, neg_weight):
    return _by_side(is_one, F.softplus(_signed(x, is_one)), pos_weight, neg_weight)


def _focal_terms(x, is_one, *, alpha, pos_weight, gamma):
    m = _signed(x, is_one)
    terms = _scale(F.softplus(m), _pow_from_log(-F.softplus(-m), gamma))  # -log p_t * (1 - p_t) ** gamma
    positive = alpha if pos_weight is None else _scale(pos_weight, alpha) if alpha is not None else pos_weight
    return _by_side(is_one, terms, positive, None if alpha is None else 1.0 - alpha)


def _asymmetric_terms(x, is_one, *, pos_weight, gamma_neg, gamma_pos, clip):
    m = _signed(x, is_one)
    positive = _scale(_scale(F.softplus(m), _pow_from_log(-F.softplus(-m), gamma_pos)), pos_weight)
    if clip > 0:
        # p_m = max(p - clip, 0); 1 - p_m = min(1 - p + clip, 1) >= clip, so its log is finite.
        p = torch.sigmoid(x)
        shifted = torch.clamp(p - clip, min=0.0)
        negative = -torch.log(torch.clamp(1.0 - p + clip, max=1.0))
        if gamma_neg != 0:
            safe = torch.clamp(shifted, min=1e-12)
            negative = negative * torch.where(shifted > 0, torch.exp(gamma_neg * torch.log(safe)),
                                              torch.zeros_like(shifted))
    else:  # softplus(m) is -log(1 - p) at negatives, -softplus(-m) is log p there
        negative = _scale(F.softplus(m), _pow_from_log(-F.softplus(-m), gamma_neg))
    return torch.where(is_one, positive, negative)


# --------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------
def weighted_binary_cross_entropy_with_logits(
    input: torch.Tensor, target: Any, pos_weight: Any = None, neg_weight: Any = None, weight: Any = None,
    reduction: str = "mean", ignore_index: float | None = None, mask: torch.Tensor | None = None,
    check_target: bool = True,
) -> torch.Tensor:
    """Binary cross-entropy from logits with a positive and a negative weight per label.

    ``loss = pos_weight * z * softplus(-x) + neg_weight * (1 - z) * softplus(x)``, times
    ``weight``, then reduced. With ``neg_weight = 1`` this is
    ``torch.nn.functional.binary_cross_entropy_with_logits(..., pos_weight=...)``; the values are
    those of :func:`mlbalance.losses.weighted_binary_crossentropy` with ``from_logits=True``.

    Parameters
    ----------
    input : torch.Tensor, shape (..., n_labels)
        Logits (floating point; half precision is computed in float32).
    target : torch.Tensor or array-like, input's shape
        0/1 labels (any dtype), or ``ignore_index`` for unobserved entries.
    pos_weight, neg_weight : float, sequence or torch.Tensor, optional
        Scalar or one weight per label (the last axis), e.g. from :func:`mlbalance.positive_weights`.
        Default 1.
    weight : torch.Tensor or array-like, optional
        PyTorch's element-wise rescaling, broadcasting to ``input`` (e.g. per-row weights of shape ``(n, 1)``).
    reduction : {"mean", "sum", "none", "mean_observed"}, default "mean"
        ``"mean"`` divides the sum by ``input.numel()`` (masked entries count 0);
        ``"mean_observed"`` by the number of observed entries; ``"none"`` returns every term (0 where masked).
    ignore_index : float, optional
        Target value marking unobserved entries (e.g. -1, or NaN).
    mask : torch.Tensor of bool, optional
        ``True`` where the entry is used; combined with ``ignore_index`` when both are given.
    check_target : bool, default True
        Raise on targets other than 0/1 (one host sync per call on a GPU); ``False`` makes them NaN instead.

    Returns
    -------
    torch.Tensor
        A scalar, or input's shape with ``reduction="none"``.

    Examples
    --------
    >>> import torch
    >>> from mlbalance.torch import weighted_binary_cross_entropy_with_logits
    >>> x, y = torch.zeros(1, 2), torch.tensor([[1.0, 0.0]])
    >>> round(weighted_binary_cross_entropy_with_logits(x, y, pos_weight=[3.0, 3.0]).item(), 4)  # (3 + 1) log 2 / 2
    1.3863
    >>> y = torch.tensor([[1.0, -1.0]])  # the second entry is unobserved
    >>> round(weighted_binary_cross_entropy_with_logits(x, y, pos_weight=3.0, ignore_index=-1).item(), 4)
    1.0397
    """
    owner = "weighted_binary_cross_entropy_with_logits"
    reduction, ignore_index, check_target = _common(reduction, ignore_index, check_target)
    return _compute(_bce_terms, input, target, _weight_tensor(weight), reduction, ignore_index, mask, check_target,
                    owner, pos_weight=_label_tensor("pos_weight", pos_weight),
                    neg_weight=_label_tensor("neg_weight", neg_weight))


def _compute(terms_fn, input, target, weight, reduction, ignore_index, mask, check_target, owner, **label_args):
    """Check the inputs, compute ``terms_fn(x, is_one, **per-label args)`` and reduce: every loss's one path."""
    x = _logits(input, owner)
    is_one, valid, observed = _targets(x, target, mask, ignore_index, check_target, owner)
    terms = terms_fn(x, is_one, **{name: _fit_label_vector(name, value, x, owner) for name, value in label_args.items()})
    return _reduce(terms, valid, observed, _fit_weight(weight, x, owner), reduction)


def sigmoid_focal_loss(
    input: torch.Tensor, target: Any, alpha: Any = 0.25, gamma: float = 2.0, pos_weight: Any = None,
    weight: Any = None, reduction: str = "mean", ignore_index: float | None = None,
    mask: torch.Tensor | None = None, check_target: bool = True,
) -> torch.Tensor:
    """Focal loss (Lin et al., 2017) from logits, with scalar or per-label ``alpha``.

    Positives contribute ``alpha * pos_weight * (1 - p) ** gamma * -log(p)`` and negatives
    ``(1 - alpha) * p ** gamma * -log(1 - p)``, from the exact log-probabilities. For 0/1 targets
    this is torchvision's ``sigmoid_focal_loss`` (whose default reduction is ``"none"``; here
    ``"mean"``, as for every PyTorch loss) and :func:`mlbalance.losses.binary_focal_loss` with
    ``from_logits=True``. ``alpha=None`` weights both sides 1 (torchvision's ``alpha=-1``);
    ``gamma=0, alpha=None`` gives :func:`weighted_binary_cross_entropy_with_logits`.

    Parameters
    ----------
    input, target, weight, reduction, ignore_index, mask, check_target
        As in :func:`weighted_binary_cross_entropy_with_logits`.
    alpha : float, sequence or torch.Tensor in [0, 1], optional
        Weight of the positive term (scalar or per label); negatives get ``1 - alpha``. Default 0.25.
    gamma : float >= 0, default 2
        Focusing parameter; values below 1 are safe (no NaN gradient).
    pos_weight : float, sequence or torch.Tensor, optional
        Extra per-label weight on the positive term.

    Returns
    -------
    torch.Tensor
        Reduced as in :func:`weighted_binary_cross_entropy_with_logits`.

    Examples
    --------
    >>> import torch
    >>> from mlbalance.torch import sigmoid_focal_loss
    >>> x, y = torch.tensor([[-100.0]]), torch.tensor([[1.0]])
    >>> sigmoid_focal_loss(x, y, alpha=0.25, gamma=2.0).item()  # 0.25 * 1 * 100: exact, no clipping
    25.0
    """
    owner = "sigmoid_focal_loss"
    reduction, ignore_index, check_target = _common(reduction, ignore_index, check_target)
    terms_fn = partial(_focal_terms, gamma=check_number("gamma", gamma, low=0))
    return _compute(terms_fn, input, target, _weight_tensor(weight), reduction, ignore_index, mask, check_target, owner,
                    alpha=_label_tensor("alpha", alpha, upper=1.0), pos_weight=_label_tensor("pos_weight", pos_weight))


def asymmetric_loss(
    input: torch.Tensor, target: Any, gamma_neg: float = 4.0, gamma_pos: float = 0.0, clip: float = 0.05,
    pos_weight: Any = None, weight: Any = None, reduction: str = "mean", ignore_index: float | None = None,
    mask: torch.Tensor | None = None, check_target: bool = True,
) -> torch.Tensor:
    """Asymmetric loss (ASL, Ridnik et al., ICCV 2021) from logits.

    ``L = -z (1 - p) ** gamma_pos log(p) - (1 - z) p_m ** gamma_neg log(1 - p_m)`` with
    ``p_m = max(p - clip, 0)``, which drops easy negatives (``p < clip``). The defaults
    (``gamma_neg=4, gamma_pos=0, clip=0.05``) are the paper's training script's and
    :class:`mlbalance.losses.AsymmetricLoss`'s, so both frameworks give the same loss; the
    paper's loss class defaults to ``gamma_pos=1``.
    The paper's code **sums** over the batch: ``reduction="sum"`` gives its value (without its
    ``1e-8`` clamp of probabilities: the logs here are exact). ``pos_weight`` (not in the paper)
    scales each label's positive term, as in the Keras loss.

    Parameters
    ----------
    input, target, pos_weight, weight, reduction, ignore_index, mask, check_target
        As in :func:`sigmoid_focal_loss`.
    gamma_neg, gamma_pos : float >= 0, defaults 4 and 0
        Focusing parameters for negatives and positives.
    clip : float in [0, 1), default 0.05
        Probability margin ``m``.

    Returns
    -------
    torch.Tensor
        The loss, reduced as ``reduction`` says.

    Examples
    --------
    >>> import torch
    >>> from mlbalance.torch import asymmetric_loss
    >>> x, y = torch.tensor([[0.0, -4.0]]), torch.tensor([[1.0, 0.0]])
    >>> # positive: log 2 (gamma_pos=0); the negative has p = 0.018 < clip, so it costs 0
    >>> round(asymmetric_loss(x, y, reduction="sum").item(), 4)
    0.6931
    >>> round(asymmetric_loss(x, y, gamma_pos=1, reduction="sum").item(), 4)  # (1 - p) * log 2
    0.3466
    """
    owner = "asymmetric_loss"
    reduction, ignore_index, check_target = _common(reduction, ignore_index, check_target)
    gamma_neg, gamma_pos, clip = _asl_arguments(gamma_neg, gamma_pos, clip)
    terms_fn = partial(_asymmetric_terms, gamma_neg=gamma_neg, gamma_pos=gamma_pos, clip=clip)
    return _compute(terms_fn, input, target, _weight_tensor(weight), reduction, ignore_index, mask, check_target, owner,
                    pos_weight=_label_tensor("pos_weight", pos_weight))


def _asl_arguments(gamma_neg, gamma_pos, clip):
    return (check_number("gamma_neg", gamma_neg, low=0), check_number("gamma_pos", gamma_pos, low=0),
            check_number("clip", clip, low=0, high=1, high_open=True))


# --------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------
def _on_host(value: Any) -> Any:
    return value.detach().cpu() if isinstance(value, torch.Tensor) else value


def _to_device_of(checked: Any, original: Any) -> Any:
    if isinstance(checked, torch.Tensor) and isinstance(original, torch.Tensor):
        return checked.to(original.device)
    return checked


class _MaskedLoss(nn.Module):
    """Shared constructor pieces: reduction, ignore_index, check_target and the tensor buffers."""

    def __init__(self, reduction: str, ignore_index: Any, check_target: Any, weight: Any, **label_args: Any) -> None:
        super().__init__()
        self.reduction, self.ignore_index, self.check_target = _common(reduction, ignore_index, check_target)
        # Tensors are checked on the host once, here (one sync), not at every call; the buffer goes
        # back to the device the value came from (no host-to-device copy per call).
        self.register_buffer("weight", _to_device_of(_weight_tensor(_on_host(weight)), weight))
        self._label_args = tuple(label_args)
        for name, (value, upper) in label_args.items():
            checked = _label_tensor(name, _on_host(value), upper=upper)
            if isinstance(checked, float):
                setattr(self, name, checked)  # a scalar stays a Python float (exact in any dtype)
            else:
                self.register_buffer(name, _to_device_of(checked, value))

    def _terms(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _extra(self) -> str:
        return ""

    def forward(self, input: torch.Tensor, target: Any, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Compute the loss of logits ``input`` against ``target`` (``mask``: True = use the entry).

        Parameters
        ----------
        input : torch.Tensor
            Logits.
        target : torch.Tensor or array-like
            0/1 labels of input's shape.
        mask : torch.Tensor of bool, optional
            ``True`` where the entry is used.

        Returns
        -------
        torch.Tensor
            The reduced loss.
        """
        label_args = {name: getattr(self, name) for name in self._label_args}
        return _compute(self._terms(), input, target, self.weight, self.reduction, self.ignore_index, mask,
                        self.check_target, type(self).__name__, **label_args)

    def extra_repr(self) -> str:
        """Show the options in ``repr``.

        Returns
        -------
        str
            The constructor options.
        """
        return (f"{self._extra()}reduction={self.reduction!r}, ignore_index={self.ignore_index!r}, "
                f"check_target={self.check_target!r}")


class WeightedBCEWithLogitsLoss(_MaskedLoss):
    """``BCEWithLogitsLoss`` with a positive and a negative weight per label, and masking.

    See :func:`weighted_binary_cross_entropy_with_logits` for the formula and the reductions.
    With ``neg_weight=None`` it equals ``torch.nn.BCEWithLogitsLoss(pos_weight=...)``.

    Parameters
    ----------
    pos_weight, neg_weight : float, sequence or torch.Tensor, optional
        Scalar or one weight per label, finite and >= 0 (checked here, once). Default 1. A per-label
        value is a buffer (moved by ``.to(device)``, saved in ``state_dict``); a scalar stays a float.
    weight : torch.Tensor or array-like, optional
        Element-wise rescaling broadcasting to the input, as in PyTorch.
    reduction : {"mean", "sum", "none", "mean_observed"}, default "mean"
    ignore_index : float, optional
        Target value marking unobserved entries (e.g. -1, or NaN).
    check_target : bool, default True
        ``False``: no per-call host sync; targets other than 0/1 make the loss NaN instead of raising.

    Examples
    --------
    >>> import numpy as np, torch, mlbalance
    >>> from mlbalance.torch import WeightedBCEWithLogitsLoss
    >>> y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 1]])
    >>> loss_fn = WeightedBCEWithLogitsLoss(pos_weight=mlbalance.positive_weights(y))
    >>> loss_fn.pos_weight
    tensor([1., 3., 3.])
    >>> round(loss_fn(torch.zeros(4, 3), torch.as_tensor(y)).item(), 4)  # (8 terms x 1 or 3 + 8) log 2 / 12
    0.9242
    """

    def __init__(self, pos_weight: Any = None, neg_weight: Any = None, weight: Any = None, reduction: str = "mean",
                 ignore_index: float | None = None, check_target: bool = True) -> None:
        super().__init__(reduction, ignore_index, check_target, weight, pos_weight=(pos_weight, None),
                         neg_weight=(neg_weight, None))

    def _terms(self):
        return _bce_terms


class SigmoidFocalLoss(_MaskedLoss):
    """Focal loss from logits with scalar or per-label ``alpha``, as an ``nn.Module``.

    See :func:`sigmoid_focal_loss`.

    Parameters
    ----------
    alpha : float, sequence or torch.Tensor in [0, 1], optional
        Default 0.25; ``None`` weights both sides 1.
    gamma : float >= 0, default 2
    pos_weight : float, sequence or torch.Tensor, optional
    weight, reduction, ignore_index, check_target
        As in :class:`WeightedBCEWithLogitsLoss`.

    Examples
    --------
    >>> import torch
    >>> from mlbalance.torch import SigmoidFocalLoss
    >>> loss_fn = SigmoidFocalLoss(alpha=[0.25, 0.75], gamma=2.0)
    >>> x, y = torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 1.0]])
    >>> round(loss_fn(x, y).item(), 4)  # (0.25 + 0.75) * 0.5**2 * log 2 / 2
    0.0866
    """

    def __init__(self, alpha: Any = 0.25, gamma: float = 2.0, pos_weight: Any = None, weight: Any = None,
                 reduction: str = "mean", ignore_index: float | None = None, check_target: bool = True) -> None:
        super().__init__(reduction, ignore_index, check_target, weight, alpha=(alpha, 1.0),
                         pos_weight=(pos_weight, None))
        self.gamma = check_number("gamma", gamma, low=0)

    def _terms(self):
        return partial(_focal_terms, gamma=self.gamma)

    def _extra(self):
        return f"gamma={self.gamma!r}, "


class AsymmetricLoss(_MaskedLoss):
    """Asymmetric loss (ASL) from logits, as an ``nn.Module``.

    See :func:`asymmetric_loss`; ``reduction="sum"`` gives the paper code's value. The paper's
    training script uses ``gamma_pos=0``, as this default and the Keras loss do (its loss class uses 1).

    Parameters
    ----------
    gamma_neg : float >= 0, default 4
    gamma_pos : float >= 0, default 0
    clip : float in [0, 1), default 0.05
    pos_weight, weight, reduction, ignore_index, check_target
        As in :class:`SigmoidFocalLoss`.

    Examples
    --------
    >>> import torch
    >>> from mlbalance.torch import AsymmetricLoss
    >>> bce = AsymmetricLoss(gamma_neg=0, gamma_pos=0, clip=0)  # plain BCE
    >>> round(bce(torch.zeros(1, 2), torch.tensor([[1.0, 0.0]])).item(), 4)  # log 2
    0.6931
    """

    def __init__(self, gamma_neg: float = 4.0, gamma_pos: float = 0.0, clip: float = 0.05, pos_weight: Any = None,
                 weight: Any = None, reduction: str = "mean", ignore_index: float | None = None,
                 check_target: bool = True) -> None:
        super().__init__(reduction, ignore_index, check_target, weight, pos_weight=(pos_weight, None))
        self.gamma_neg, self.gamma_pos, self.clip = _asl_arguments(gamma_neg, gamma_pos, clip)

    def _terms(self):
        return partial(_asymmetric_terms, gamma_neg=self.gamma_neg, gamma_pos=self.gamma_pos, clip=self.clip)

    def _extra(self):
        return f"gamma_neg={self.gamma_neg!r}, gamma_pos={self.gamma_pos!r}, clip={self.clip!r}, "


# --------------------------------------------------------------------------------------
# Sampler
# --------------------------------------------------------------------------------------
class RepeatFactorSampler(torch.utils.data.Sampler):
    """Draw rows by repeat factors (LVIS) or ML-ROS, a new draw per epoch, sharded like ``DistributedSampler``.

    Each epoch's row indices come from :func:`mlbalance.resample_indices` seeded with
    ``seed + epoch``: every row appears ``floor(r)`` times plus once more with probability
    ``r - floor(r)`` (stochastic rounding, LVIS), ``r`` its repeat factor
    (:func:`mlbalance.repeat_factors`); with ``method="ml_ros"``, every row once plus ML-ROS clones.
    The draw depends on ``seed`` and the epoch only, so every replica draws the same one and takes
    its own slice: the draw is padded by repeating its first indices (``drop_last=False``) or
    cut (``drop_last=True``) to a multiple of ``num_replicas``, and replica ``rank`` gets positions
    ``rank, rank + num_replicas, ...``: disjoint, equal-length slices that cover the draw.

    The epoch length changes from epoch to epoch (the rounding is random); ``len()`` is the length of
    the coming epoch's slice, which is what ``DataLoader`` needs. Call ``set_epoch(epoch)`` before each
    epoch, as with ``DistributedSampler``; if it is never called, each iteration moves on to the next
    epoch by itself (so a single-process loop gets a new draw every epoch too).

    Parameters
    ----------
    y : label input or torch.Tensor, shape (n_samples, n_labels)
        The dataset's labels, in its row order (anything :func:`mlbalance.as_label_matrix` reads).
    threshold : float in (0, 1], default 0.1
        Repeat-factor threshold ``t`` (labels rarer than this fraction of rows are repeated).
    method : {"repeat_factor", "ml_ros"}, default "repeat_factor"
    percentage : float > 0, default 25
        For ``"ml_ros"``: clones as a percentage of the rows.
    mask_value : float, optional
        Label value of unobserved entries in ``y``.
    shuffle : bool, default True
        Shuffle each epoch's draw (else it is in row order).
    seed : int >= 0, default 0
    num_replicas : int >= 1, optional
        Default: ``torch.distributed``'s world size when it is initialised, else 1.
    rank : int, optional
        Default: ``torch.distributed``'s rank when it is initialised, else 0.
    drop_last : bool, default False

    Attributes
    ----------
    row_factors : ndarray, shape (n_samples,)
        Repeat factor of every row (``method="repeat_factor"``; 1 for ML-ROS, whose clones are drawn).
    epoch : int
        The epoch the next iteration draws.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from mlbalance.torch import RepeatFactorSampler
    >>> y = np.array([[1, 0]] * 9 + [[0, 1]])  # label 1 in 1 row of 10: factor sqrt(10) = 3.16
    >>> sampler = RepeatFactorSampler(y, threshold=1.0, seed=0)
    >>> sampler.row_factors.round(2).tolist()[-1]
    3.16
    >>> loader = torch.utils.data.DataLoader(torch.arange(10), batch_size=4, sampler=sampler)
    >>> for epoch in range(2):
    ...     sampler.set_epoch(epoch)
    ...     rows = torch.cat(list(loader)).tolist()
    ...     print(len(rows) == len(sampler), rows.count(9) in (3, 4))
    True True
    True True
    """

    def __init__(self, y: Any, threshold: float = 0.1, *, method: str = "repeat_factor", percentage: float = 25.0,
                 mask_value: float | None = None, shuffle: bool = True, seed: int = 0, num_replicas: int | None = None,
                 rank: int | None = None, drop_last: bool = False) -> None:
        self.method = check_choice("method", method, ("repeat_factor", "ml_ros"))
        self.threshold = check_number("threshold", threshold, low=0, high=1, low_open=True)
        self.percentage = check_number("percentage", percentage, low=0, low_open=True)
        self.shuffle = check_bool("shuffle", shuffle)
        self.drop_last = check_bool("drop_last", drop_last)
        self.seed = check_int("seed", seed, low=0)
        world, default_rank = _world()
        self.num_replicas = check_int("num_replicas", world if num_replicas is None else num_replicas, low=1)
        self.rank = check_int("rank", default_rank if rank is None else rank, low=0, high=self.num_replicas - 1)
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
        self._labels = as_label_matrix(y, mask_value=mask_value)
        if self.method == "repeat_factor":
            self.row_factors = repeat_factors(self._labels, self.threshold)[0]
        else:
            self.row_factors = np.ones(self._labels.n_samples)
        self.epoch = 0
        self._explicit_epoch = False
        self._cache: tuple[int, np.ndarray] | None = None

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch of the next iteration (all replicas must set the same one).

        Parameters
        ----------
        epoch : int >= 0
            The epoch number; the draw is seeded with ``seed + epoch``.
        """
        self.epoch = check_int("epoch", epoch, low=0)
        self._explicit_epoch = True

    def _shard(self) -> np.ndarray:
        if self._cache is None or self._cache[0] != self.epoch:
            rng = np.random.RandomState((self.seed + self.epoch) % 2**32)
            draw = resample_indices(self._labels, self.method, rng, threshold=self.threshold,
                                    percentage=self.percentage, shuffle=self.shuffle)
            per_replica = len(draw) // self.num_replicas if self.drop_last else -(-len(draw) // self.num_replicas)
            # np.resize repeats the draw from its start to fill the padding (or cuts it for drop_last).
            draw = np.resize(draw, per_replica * self.num_replicas)
            self._cache = (self.epoch, draw[self.rank::self.num_replicas])
        return self._cache[1]

    def __iter__(self) -> Iterator[int]:
        shard = self._shard()
        if not self._explicit_epoch:
            self.epoch += 1
        return iter(shard.tolist())

    def __len__(self) -> int:
        return len(self._shard())


def _world() -> tuple[int, int]:
    """``torch.distributed``'s (world size, rank) when a process group is initialised, else (1, 0)."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0
