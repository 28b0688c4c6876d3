"""Numpy semantics of fused activations (`#nn.act<...>`) and the unary activation ops."""

from __future__ import annotations

import numpy as np

from kcc.dialects.nn.attrs import ActivationAttr


def apply_activation(y: np.ndarray, act: ActivationAttr | None) -> np.ndarray:
    if act is None:
        return y
    kind, p = act.kind.data, act.values
    if kind == "none":
        return y
    if kind == "relu":
        return np.maximum(y, 0)
    if kind == "clamp":
        return np.clip(y, p[0], p[1])
    if kind == "leaky_relu":
        return np.where(y >= 0, y, y * p[0])
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-y))
    if kind == "tanh":
        return np.tanh(y)
    if kind == "hard_sigmoid":
        return np.clip(y * p[0] + p[1], 0, 1)
    if kind == "hard_swish":
        return y * np.clip(y / 6.0 + 0.5, 0, 1)
    raise ValueError(f"unknown activation {kind}")
