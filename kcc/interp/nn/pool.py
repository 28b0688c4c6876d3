"""Interpreter functions of the pool family: 2-D pools (max pool indices too) and reductions."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.base import ints
from kcc.dialects.nn.pool import (
    AvgPool2dOp,
    MaxPool2dArgmaxOp,
    MaxPool2dOp,
    ReduceMaxOp,
    ReduceMeanOp,
    ReduceMinOp,
    ReduceOp,
    ReduceSumOp,
)
from kcc.interp.f32 import all_plain_f32
from kcc.interp.kernels.f32_accumulate import avg_pool2d_f32, reduce_f32
from kcc.interp.kernels.pool import avg_pool2d_nchw, max_pool2d_argmax_nchw, max_pool2d_nchw, reduce
from kcc.interp.quantized import any_quantized, run_quantized

_REDUCE_KIND: dict[type[ReduceOp], str] = {
    ReduceMeanOp: "mean",
    ReduceMaxOp: "max",
    ReduceMinOp: "min",
    ReduceSumOp: "sum",
}


def _run_reduce(op: ReduceOp, args: tuple[Any, ...]) -> PythonValues:
    kind = _REDUCE_KIND[type(op)]

    def f(x: np.ndarray) -> np.ndarray:
        if kind in ("sum", "mean") and all_plain_f32(op):  # the runtimes' float32 order
            return reduce_f32(x, kind, op.axis_values(), op.keep)
        return np.asarray(reduce(x, kind, op.axis_values(), op.keep), dtype=np.float32)

    return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)


@register_impls
class PoolFunctions(InterpreterFunctions):
    @impl(MaxPool2dOp)
    def run_max_pool2d(self, interpreter: Interpreter, op: MaxPool2dOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray) -> np.ndarray:
            y = max_pool2d_nchw(x, ints(op.kernel), ints(op.strides), ints(op.pads), op.dilation_values())
            return y if y.dtype.kind in "iu" else y.astype(np.float32)  # plain integers keep their type

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(MaxPool2dArgmaxOp)
    def run_max_pool2d_argmax(self, interpreter: Interpreter, op: MaxPool2dArgmaxOp, args: tuple[Any, ...]) -> PythonValues:
        # On quantized inputs the stored integers order like the real values (positive scale): no dequantization.
        column_major = op.column_major is not None
        y = max_pool2d_argmax_nchw(args[0], ints(op.kernel), ints(op.strides), ints(op.pads), op.dilation_values(), column_major)
        return (y,)

    @impl(AvgPool2dOp)
    def run_avg_pool2d(self, interpreter: Interpreter, op: AvgPool2dOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray) -> np.ndarray:
            if not op.include_pad and all_plain_f32(op):  # the runtimes' float32 order
                return avg_pool2d_f32(x, ints(op.kernel), ints(op.strides), ints(op.pads))
            y = avg_pool2d_nchw(x, ints(op.kernel), ints(op.strides), ints(op.pads), op.include_pad, op.ceil_pad_values)
            return y.astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(ReduceMeanOp)
    def run_reduce_mean(self, interpreter: Interpreter, op: ReduceMeanOp, args: tuple[Any, ...]) -> PythonValues:
        return _run_reduce(op, args)

    @impl(ReduceMaxOp)
    def run_reduce_max(self, interpreter: Interpreter, op: ReduceMaxOp, args: tuple[Any, ...]) -> PythonValues:
        return _run_reduce(op, args)

    @impl(ReduceMinOp)
    def run_reduce_min(self, interpreter: Interpreter, op: ReduceMinOp, args: tuple[Any, ...]) -> PythonValues:
        return _run_reduce(op, args)

    @impl(ReduceSumOp)
    def run_reduce_sum(self, interpreter: Interpreter, op: ReduceSumOp, args: tuple[Any, ...]) -> PythonValues:
        return _run_reduce(op, args)
