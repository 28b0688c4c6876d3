"""Convolution-like ops: conv, transposed conv, matmul, fully connected, batch norm."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.base import ints
from kcc.dialects.nn.conv import BatchNormOp, Conv2dOp, ConvTranspose2dOp, FullyConnectedOp, MatMulOp
from kcc.interp.activation import apply_activation
from kcc.interp.f32 import all_plain_f32
from kcc.interp.kernels.conv import batch_norm, conv2d_nchw, conv_transpose2d_nchw, fully_connected, matmul
from kcc.interp.kernels.f32_accumulate import conv2d_nchw_f32, fully_connected_f32
from kcc.interp.quantized import any_quantized, run_quantized


@register_impls
class ConvFunctions(InterpreterFunctions):
    @impl(Conv2dOp)
    def run_conv2d(self, interpreter: Interpreter, op: Conv2dOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
            if all_plain_f32(op):  # the runtimes' float32 order (kcc.interp.kernels.f32_accumulate)
                y = conv2d_nchw_f32(x, w, b, ints(op.strides), ints(op.pads), ints(op.dilations), op.group_count)
            else:
                y = conv2d_nchw(x, w, b, ints(op.strides), ints(op.pads), ints(op.dilations), op.group_count)
            return apply_activation(y, op.act).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(ConvTranspose2dOp)
    def run_conv_transpose2d(self, interpreter: Interpreter, op: ConvTranspose2dOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
            y = conv_transpose2d_nchw(
                x, w, b, ints(op.strides), ints(op.pads), ints(op.dilations), ints(op.output_padding), op.group_count
            )
            return apply_activation(y, op.act).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(MatMulOp)
    def run_matmul(self, interpreter: Interpreter, op: MatMulOp, args: tuple[Any, ...]) -> PythonValues:
        def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.asarray(matmul(a, b), dtype=np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(FullyConnectedOp)
    def run_fully_connected(self, interpreter: Interpreter, op: FullyConnectedOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
            y = fully_connected_f32(x, w, b) if all_plain_f32(op) else fully_connected(x, w, b)
            return apply_activation(y, op.act).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(BatchNormOp)
    def run_batch_norm(self, interpreter: Interpreter, op: BatchNormOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
            return batch_norm(x, scale, bias, mean, var, op.epsilon_value).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)
