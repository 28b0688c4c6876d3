"""Numpy semantics of fused activations (`#nn.act<...>`), shared with the unary activation ops."""

from __future__ import annotations

import numpy as np

from kcc.dialects.nn.attrs import ActivationAttr
from kcc.interp.kernels import elementwise as k


def apply_activation(y: np.ndarray, act: ActivationAttr | None) -> np.ndarray:
    """`y` with the fused activation applied; float64 for any activation but `none` (the caller casts)."""
    if act is None:
        return y
    kind, p = act.kind.data, act.values
    if kind == "none":
        return y
    if kind == "relu":
        return k.relu(y)
    if kind == "clamp":
        return k.clamp(y, p[0], p[1])
    if kind == "leaky_relu":
        return k.leaky_relu(y, p[0])
    if kind == "sigmoid":
        return k.sigmoid(y)
    if kind == "tanh":
        return k.tanh(y)
    if kind == "hard_sigmoid":
        return k.hard_sigmoid(y, p[0], p[1])
    if kind == "hard_swish":
        return k.hard_swish(y)
    raise ValueError(f"unknown activation {kind}")
