"""Convolution-like ops."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.base import ints
from kcc.dialects.nn.conv import Conv2dOp
from kcc.interp.activation import apply_activation
from kcc.interp.kernels.conv import conv2d_nchw
from kcc.interp.quantized import any_quantized, run_quantized


@register_impls
class ConvFunctions(InterpreterFunctions):
    @impl(Conv2dOp)
    def run_conv2d(self, interpreter: Interpreter, op: Conv2dOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
            y = conv2d_nchw(x, w, b, ints(op.strides), ints(op.pads), ints(op.dilations), op.group_count)
            return apply_activation(y, op.act).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)
