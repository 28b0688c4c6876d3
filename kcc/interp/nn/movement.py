"""Interpreter functions of the movement family.

Quantized ops whose operands and results all have the same per-tensor quantization move the stored integers
directly (no float round trip, so they pass through bit-exactly; fill values are quantized with the result type).
Otherwise they run through `run_quantized` (dequantize -> float kernel -> quantize), which requantizes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.ir import Operation

from kcc.dialects.nn.base import element_type, ints, shape_of
from kcc.dialects.nn.movement import (
    BatchToSpaceOp,
    ConcatOp,
    DepthToSpaceOp,
    PadOp,
    ReshapeOp,
    ResizeOp,
    SliceOp,
    SpaceToBatchOp,
    SpaceToDepthOp,
    SplitOp,
    TransposeOp,
)
from kcc.dialects.nn.types import QuantType
from kcc.interp.kernels import movement as k
from kcc.interp.kernels.resize import resize_nchw
from kcc.interp.quant import dequantize, quantize
from kcc.interp.quantized import any_quantized, run_quantized


def _same_per_tensor_quant(op: Operation) -> bool:
    """All operands and results share one per-tensor quantized element type."""
    types = [element_type(v) for v in (*op.operands, *op.results)]
    return isinstance(types[0], QuantType) and all(t == types[0] for t in types)


def _run(
    op: Operation,
    args: Sequence[Any],
    fn: Callable[..., Sequence[np.ndarray] | np.ndarray],
    integer_fn: Callable[..., Sequence[np.ndarray] | np.ndarray] | None = None,
) -> PythonValues:
    """Float: `fn`. Quantized with one shared per-tensor type: `integer_fn` (default `fn`) on the integers.
    Otherwise dequantize -> `fn` -> quantize."""
    if not any_quantized(op):
        out = fn(*args)
    elif _same_per_tensor_quant(op):
        out = (integer_fn or fn)(*args)
    else:
        return run_quantized(op, args, fn)
    return (out,) if isinstance(out, np.ndarray) else tuple(out)


def _quantized_fill(op: Operation, value: float) -> int:
    """`value` (real) stored in the result's quantized type."""
    return int(quantize(np.asarray(value, dtype=np.float64), op.results[0]))


@register_impls
class MovementFunctions(InterpreterFunctions):
    @impl(PadOp)
    def run_pad(self, interpreter: Interpreter, op: PadOp, args: tuple[Any, ...]) -> PythonValues:
        pads, mode, value = ints(op.pads), op.mode.data, op.pad_value

        def f(x: np.ndarray) -> np.ndarray:
            return k.pad(x, pads, mode, value)

        def fq(x: np.ndarray) -> np.ndarray:
            return k.pad(x, pads, mode, _quantized_fill(op, value))

        return _run(op, args, f, fq)

    @impl(ConcatOp)
    def run_concat(self, interpreter: Interpreter, op: ConcatOp, args: tuple[Any, ...]) -> PythonValues:
        axis = op.axis_value
        return _run(op, args, lambda *xs: k.concat(xs, axis))

    @impl(SplitOp)
    def run_split(self, interpreter: Interpreter, op: SplitOp, args: tuple[Any, ...]) -> PythonValues:
        axis, sizes = op.axis_value, ints(op.sizes)
        return _run(op, args, lambda x: k.split(x, axis, sizes))

    @impl(ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: ReshapeOp, args: tuple[Any, ...]) -> PythonValues:
        shape = shape_of(op.output, "result")
        return _run(op, args, lambda x: np.reshape(x, shape))

    @impl(TransposeOp)
    def run_transpose(self, interpreter: Interpreter, op: TransposeOp, args: tuple[Any, ...]) -> PythonValues:
        perm = ints(op.perm)
        return _run(op, args, lambda x: k.transpose(x, perm))

    @impl(SliceOp)
    def run_slice(self, interpreter: Interpreter, op: SliceOp, args: tuple[Any, ...]) -> PythonValues:
        starts, ends, steps = ints(op.starts), ints(op.ends), ints(op.steps)
        return _run(op, args, lambda x: k.strided_slice(x, starts, ends, steps))

    @impl(SpaceToBatchOp)
    def run_space_to_batch(self, interpreter: Interpreter, op: SpaceToBatchOp, args: tuple[Any, ...]) -> PythonValues:
        block, pads = ints(op.block), ints(op.pads)

        def f(x: np.ndarray) -> np.ndarray:
            return k.space_to_batch_nchw(x, block, pads, 0.0)

        def fq(x: np.ndarray) -> np.ndarray:
            return k.space_to_batch_nchw(x, block, pads, _quantized_fill(op, 0.0))

        return _run(op, args, f, fq)

    @impl(BatchToSpaceOp)
    def run_batch_to_space(self, interpreter: Interpreter, op: BatchToSpaceOp, args: tuple[Any, ...]) -> PythonValues:
        block, crops = ints(op.block), ints(op.crops)
        return _run(op, args, lambda x: k.batch_to_space_nchw(x, block, crops))

    @impl(DepthToSpaceOp)
    def run_depth_to_space(self, interpreter: Interpreter, op: DepthToSpaceOp, args: tuple[Any, ...]) -> PythonValues:
        block, mode = op.block_size, op.mode.data
        return _run(op, args, lambda x: k.depth_to_space(x, block, mode))

    @impl(SpaceToDepthOp)
    def run_space_to_depth(self, interpreter: Interpreter, op: SpaceToDepthOp, args: tuple[Any, ...]) -> PythonValues:
        block = op.block_size
        return _run(op, args, lambda x: k.space_to_depth(x, block))

    @impl(ResizeOp)
    def run_resize(self, interpreter: Interpreter, op: ResizeOp, args: tuple[Any, ...]) -> PythonValues:
        out_hw = shape_of(op.output, "result")[2:]
        mode, coord, nearest = op.mode.data, op.coordinate_transformation_mode.data, op.nearest_rounding
        scales = op.scale_values
        a, exclude, antialias = op.cubic_coeff_a_value, op.exclude_outside is not None, op.antialias is not None
        roi, fill = op.roi_values, op.extrapolation_value_number

        def f(x: np.ndarray) -> np.ndarray:
            return resize_nchw(
                x,
                out_hw,
                mode,
                coord,
                nearest,
                scales,
                cubic_coeff_a=a,
                exclude_outside=exclude,
                antialias=antialias,
                roi=roi,
                extrapolation_value=fill,
            )

        if any_quantized(op) and op.is_onnx_only:
            # ONNX-only features (scales, bicubic, antialias, crop-and-resize fills) always go through float
            return (quantize(f(dequantize(args[0], op.input)), op.output),)
        if mode == "bilinear" and any_quantized(op):
            return run_quantized(op, args, f)  # interpolation creates new values: always through float
        return _run(op, args, f)
