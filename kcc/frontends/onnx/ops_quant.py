"""ONNX QuantizeLinear and DequantizeLinear (per tensor and per axis; uint8 / int8, int32 for DequantizeLinear).

The ONNX integer tensor between a QuantizeLinear and a DequantizeLinear becomes a tensor of `!nn.q<...>` (one
scale) or `!nn.qc<..., axis a, ...>` (per axis; ONNX tensors are already NCHW so the axis is kept) carrying the
scale and zero point, so Q/DQ pairs stay visible as `nn.quantize` / `nn.dequantize`:

- QuantizeLinear of a run-time float tensor -> `nn.quantize` (rounding half_even, as ONNX);
  of a constant -> an `nn.const` of the quantized type holding the quantized integers.
- DequantizeLinear of a constant -> a quantized `nn.const` + `nn.dequantize`; of a quantized value (a
  QuantizeLinear result, or a graph input typed by `quantized_argument_element`) -> `nn.dequantize`, whose
  scale / zero point must match the value's own.

Not supported (errors): block quantization (`block_size`), float8 / int4 / 16-bit unsigned types, non-float32
scales or outputs.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import Attribute

from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, storage_range
from kcc.errors import KccError
from kcc.frontends.onnx.builder import GraphBuilder, NodeContext, element_type_of, quant_type, tensor_type
from kcc.frontends.onnx.registry import converter

_STORAGE = {np.dtype(np.uint8), np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32)}


def _params(
    scale: np.ndarray, zp: np.ndarray | None, axis_attr: int, rank: int, shape: tuple[int, ...], what: str
) -> tuple[np.ndarray, np.ndarray | None, int | None]:
    """(scale, zero point, axis or None for per tensor), checked; raises ValueError with a message."""
    scale = np.asarray(scale)
    if scale.dtype != np.float32:
        raise ValueError(f"{what} scale has dtype {scale.dtype}; only float32 scales are supported")
    if zp is not None and zp.size != scale.size:
        raise ValueError(f"{what} zero point shape {list(zp.shape)} differs from the scale shape {list(scale.shape)}")
    if scale.size == 1 and scale.ndim <= 1:
        return scale.reshape(-1), None if zp is None else zp.reshape(-1), None
    if scale.ndim != 1:
        raise ValueError(f"{what} scale has shape {list(scale.shape)}; block quantization is not supported")
    if not -rank <= axis_attr < rank:
        raise ValueError(f"axis {axis_attr} is out of range for rank {rank}")
    axis = axis_attr % rank
    if scale.size != shape[axis]:
        raise ValueError(f"{what} has {scale.size} scales but dim {axis} of the tensor has {shape[axis]} entries")
    return scale, zp, axis


def _storage_element(dtype: np.dtype, what: str) -> IntegerType:
    if np.dtype(dtype) not in _STORAGE:
        raise ValueError(f"{what} type {np.dtype(dtype)} is not supported (uint8, int8, int16, int32)")
    from kcc.dialects.nn.types import mlir_element_type

    et = mlir_element_type(np.dtype(dtype))
    assert isinstance(et, IntegerType)
    return et


def _qtype(ctx: NodeContext, storage_dtype: np.dtype, shape: tuple[int, ...], role: str) -> Attribute:
    """The quantized element type a Q / DQ node describes (its scale input 1, zero point input 2, axis)."""
    if ctx.attr_int("block_size", 0):
        raise ctx.error(f"block quantization (block_size={ctx.attr_int('block_size', 0)}) is not supported")
    scale = ctx.const(1, "scale")
    zp = ctx.maybe_const(2) if ctx.has_input(2) else None
    if ctx.has_input(2) and zp is None:
        raise ctx.error("the zero point must be a constant")
    try:
        s, z, axis = _params(scale, zp, ctx.attr_int("axis", 1), len(shape), shape, role)
        storage = _storage_element(storage_dtype, role)
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError(f"{role} scales must be positive and finite, got {s.tolist()[:8]}")
        return quant_type(storage, s, z, axis)
    except ValueError as e:
        raise ctx.error(str(e)) from None


def _quantize_array(x: np.ndarray, qt: Attribute) -> np.ndarray:
    """ONNX QuantizeLinear on numpy: saturate(round_half_even(x / scale) + zero_point)."""
    if isinstance(qt, QuantType):
        scale = np.float32(qt.scale_value)
        zp = np.int64(qt.zp_value)
        storage = qt.storage
        q = np.rint(x.astype(np.float32) / scale).astype(np.int64) + zp
    else:
        assert isinstance(qt, PerChannelQuantType)
        axis = qt.axis.data
        bshape = [1] * x.ndim
        bshape[axis] = -1
        scales = qt.scale_values.astype(np.float32).reshape(bshape)
        zps = qt.zp_values.reshape(bshape)
        storage = qt.storage
        q = np.rint(x.astype(np.float32) / scales).astype(np.int64) + zps
    lo, hi = storage_range(storage)
    from kcc.dialects.nn.types import numpy_dtype

    return np.clip(q, lo, hi).astype(numpy_dtype(storage))


def _output_storage(ctx: NodeContext) -> np.dtype:
    zp = ctx.maybe_const(2) if ctx.has_input(2) else None
    if zp is not None:
        return zp.dtype
    if ctx.since_version >= 21 and ctx.has_attr("output_dtype"):
        from onnx import helper

        return np.dtype(helper.tensor_dtype_to_np_dtype(ctx.attr_int("output_dtype", 2)))
    return np.dtype(np.uint8)


@converter("QuantizeLinear")
def _quantize(ctx: NodeContext) -> None:
    if ctx.since_version >= 19 and ctx.has_attr("saturate") and ctx.attr_int("saturate", 1) != 1:
        raise ctx.error("saturate=0 (float8 only) is not supported")
    shape = ctx.input_shape(0)
    qt = _qtype(ctx, _output_storage(ctx), shape, "QuantizeLinear output")
    x = ctx.maybe_const(0)
    if x is not None:
        if x.dtype != np.float32:
            raise ctx.error(f"input has dtype {x.dtype}; only float32 is supported")
        ctx.set_output(0, ctx.const_value(_quantize_array(x, qt), tensor_type(shape, qt)))
        return
    et = ctx.input_element(0)
    if et != element_type_of(1, "input"):
        raise ctx.error(f"input has element type {et}; only f32 inputs are supported")
    ctx.set_output(0, ctx.emit(QuantizeOp(ctx.input(0), tensor_type(shape, qt), "half_even")).output)


@converter("DequantizeLinear")
def _dequantize(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    out_type = ctx.output_type(0)
    if out_type.element_type != element_type_of(1, "output"):
        raise ctx.error(f"output element type {out_type.element_type} is not supported (float32 only)")
    x = ctx.maybe_const(0)
    if x is not None:
        qt = _qtype(ctx, x.dtype, shape, "DequantizeLinear input")
        q = ctx.const_value(x, tensor_type(shape, qt))
        ctx.set_output(0, ctx.emit(DequantizeOp(q, out_type)).output)
        return
    et = ctx.input_element(0)
    if isinstance(et, QuantType | PerChannelQuantType):
        qt = _qtype(ctx, np.dtype(_np_storage(et.storage)), shape, "DequantizeLinear input")
        if qt != et:
            raise ctx.error(
                f"the input is quantized as {et} but this DequantizeLinear reads it as {qt}",
                hint="a QuantizeLinear -> DequantizeLinear pair must use the same scale and zero point",
            )
        ctx.set_output(0, ctx.emit(DequantizeOp(ctx.input(0), out_type)).output)
        return
    raise ctx.error(
        f"the input has element type {et} without quantization parameters",
        hint="kcc dequantizes constants, QuantizeLinear results and 8-bit graph inputs read only by DequantizeLinear",
    )


def _np_storage(storage: IntegerType) -> np.dtype:
    from kcc.dialects.nn.types import numpy_dtype

    return numpy_dtype(storage)


def quantized_argument_element(builder: GraphBuilder, name: str) -> Attribute | None:
    """The `!nn.q` / `!nn.qc` element type for an 8-bit graph input read only by DequantizeLinear nodes with constant
    scale and zero point (all agreeing), else None (the input stays plain ui8 / i8)."""
    found: Attribute | None = None
    for index, node in enumerate(builder.graph.node):
        if name not in node.input:
            continue
        if node.op_type != "DequantizeLinear" or node.domain not in ("", "ai.onnx") or list(node.input).index(name) != 0:
            return None
        ctx = NodeContext(builder, node, index)
        info = builder.infos.get(name)
        if info is None or info.shape is None or not ctx.is_const(1) or (ctx.has_input(2) and not ctx.is_const(2)):
            return None
        try:
            from onnx import helper

            dtype = np.dtype(helper.tensor_dtype_to_np_dtype(info.elem_type))
            qt = _qtype(ctx, dtype, info.shape, "DequantizeLinear input")
        except KccError:
            return None
        if found is not None and found != qt:
            return None
        found = qt
    return found
