"""ONNX QuantizeLinear and DequantizeLinear (per tensor, per axis and per block; integer storage).

The ONNX integer tensor between a QuantizeLinear and a DequantizeLinear becomes a tensor of `!nn.q<...>` (one
scale) or `!nn.qc<..., axis a, ...>` (per axis; ONNX tensors are already NCHW so the axis is kept) carrying the
scale and zero point, so Q/DQ pairs stay visible as `nn.quantize` / `nn.dequantize`:

- QuantizeLinear of a run-time float tensor -> `nn.quantize` (rounding half_even, as ONNX);
  of a constant -> an `nn.const` of the quantized type holding the quantized integers.
- DequantizeLinear of a constant -> a quantized `nn.const` + `nn.dequantize`; of a quantized value (a
  QuantizeLinear result, or a graph input typed by `quantized_argument_element`) -> `nn.dequantize`, whose
  scale / zero point must match the value's own.

Storage: uint8, int8, uint16, int16, int32 (DequantizeLinear) and the sub-byte int4, uint4, int2, uint2 (`!nn.q<i4,
...>` etc.; kcc holds their values unpacked, one per int8 / uint8 element).

Block quantization (`block_size` B > 0, opset 21: one scale / zero point per B consecutive elements along `axis`)
with constant scale and zero point is decomposed exactly into per-element arithmetic on unit-scale quantized values
(the integer tensor is typed `!nn.q<storage, 1.0, 0>`, i.e. it holds the plain integers):

- DequantizeLinear: `nn.dequantize` (unit scale: the integers as f32) `-> nn.sub` the expanded zero point
  `-> nn.mul` the expanded scale, as ONNX computes `(float(x) - float(zp)) * scale`;
- QuantizeLinear: `nn.div` by the expanded scale `-> nn.quantize` to `!nn.q<i32, 1.0, 0>` (round half to even)
  `-> nn.dequantize -> nn.add` the expanded zero point `-> nn.quantize` to the unit-scale storage type (saturates).

Not supported (errors): float8 / float4 storage, non-float32 scales or outputs, block quantization with a
run-time scale or zero point.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntegerType, TensorType, f32, i32
from xdsl.ir import Attribute, SSAValue

from kcc.dialects.nn.elementwise import AddOp, DivOp, MulOp, SubOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype, storage_range
from kcc.errors import KccError
from kcc.frontends.onnx.builder import (
    GraphBuilder,
    NodeContext,
    element_type_of,
    quant_type,
    subbyte_element,
    tensor_type,
    unpacked,
)
from kcc.frontends.onnx.registry import converter

_STORAGE = {np.dtype(np.uint8), np.dtype(np.int8), np.dtype(np.uint16), np.dtype(np.int16), np.dtype(np.int32)}
_STORAGE_NAMES = "uint8, int8, uint16, int16, int32, int4, uint4, int2, uint2"


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
    """The nn storage type of a numpy / ml_dtypes dtype; ValueError if it is not an integer quantization storage."""
    sub = subbyte_element(dtype)
    if sub is not None:
        return sub
    if np.dtype(dtype) not in _STORAGE:
        raise ValueError(f"{what} type {np.dtype(dtype)} is not supported ({_STORAGE_NAMES})")
    from kcc.dialects.nn.types import mlir_element_type

    et = mlir_element_type(np.dtype(dtype))
    assert isinstance(et, IntegerType)
    return et


def _zero_point(ctx: NodeContext) -> np.ndarray | None:
    zp = ctx.maybe_const(2) if ctx.has_input(2) else None
    if ctx.has_input(2) and zp is None:
        raise ctx.error("the zero point must be a constant")
    return zp


def _qtype(ctx: NodeContext, storage: IntegerType, shape: tuple[int, ...], role: str) -> Attribute:
    """The quantized element type a per-tensor / per-axis Q / DQ node describes (scale input 1, zero point 2, axis)."""
    scale = ctx.const(1, "scale")
    zp = _zero_point(ctx)
    try:
        s, z, axis = _params(scale, zp, ctx.attr_int("axis", 1), len(shape), shape, role)
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
    return np.clip(q, lo, hi).astype(numpy_dtype(storage))


def _output_storage(ctx: NodeContext) -> IntegerType:
    zp = _zero_point(ctx)
    if zp is not None:
        dtype = zp.dtype
    elif ctx.since_version >= 21 and ctx.has_attr("output_dtype"):
        from onnx import helper

        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(ctx.attr_int("output_dtype", 2)))
    else:
        dtype = np.dtype(np.uint8)
    try:
        return _storage_element(dtype, "QuantizeLinear output")
    except ValueError as e:
        raise ctx.error(str(e)) from None


# -- block quantization -------------------------------------------------------------------------------------------


def _block_size(ctx: NodeContext) -> int:
    b = ctx.attr_int("block_size", 0) if ctx.since_version >= 21 else 0
    if b < 0:
        raise ctx.error(f"block_size must be >= 0, got {b}")
    return b


def _expand_blocks(p: np.ndarray, shape: tuple[int, ...], axis: int, block: int, what: str) -> np.ndarray:
    """A per-block parameter (dim `axis` has ceil(n / block) entries) repeated to one entry per element of `shape`."""
    n = shape[axis]
    want = list(shape)
    want[axis] = -(-n // block)
    if list(p.shape) != want:
        raise ValueError(f"{what} has shape {list(p.shape)}; block_size {block} along axis {axis} needs {want}")
    return np.repeat(p, block, axis=axis).take(np.arange(n), axis=axis)


def _unit_type(storage: IntegerType) -> QuantType:
    """The quantized type of plain integers: scale 1, zero point 0."""
    return QuantType(storage, 1.0, 0)


def _block_params(
    ctx: NodeContext, shape: tuple[int, ...], storage: IntegerType, role: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """(scale, zero point or None when it is all zeros) of a block-quantizing node, as float32 arrays of `shape`."""
    block = _block_size(ctx)
    scale = np.asarray(ctx.const(1, "scale"))
    zp = _zero_point(ctx)
    rank = len(shape)
    axis_attr = ctx.attr_int("axis", 1)
    try:
        if not -rank <= axis_attr < rank:
            raise ValueError(f"axis {axis_attr} is out of range for rank {rank}")
        axis = axis_attr % rank
        if scale.dtype != np.float32:
            raise ValueError(f"{role} scale has dtype {scale.dtype}; only float32 scales are supported")
        if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            raise ValueError(f"{role} scales must be positive and finite, got {scale.reshape(-1).tolist()[:8]}")
        s = _expand_blocks(scale, shape, axis, block, f"{role} scale")
        z: np.ndarray | None = None
        if zp is not None:
            if _storage_element(zp.dtype, f"{role} zero point") != storage:
                raise ValueError(f"{role} zero point type {zp.dtype} differs from the quantized type {storage}")
            zi = _expand_blocks(unpacked(zp).astype(np.int64), shape, axis, block, f"{role} zero point")
            lo, hi = storage_range(storage)
            if zi.size and (zi.min() < lo or zi.max() > hi):
                raise ValueError(f"{role} zero points must be in [{lo}, {hi}]")
            z = zi.astype(np.float32) if np.any(zi != 0) else None
        return s, z
    except ValueError as e:
        raise ctx.error(str(e)) from None


def _emit_const(ctx: NodeContext, array: np.ndarray) -> SSAValue:
    return ctx.const_value(np.ascontiguousarray(array, dtype=np.float32))


def _quantize_blocked(ctx: NodeContext, shape: tuple[int, ...]) -> None:
    storage = _output_storage(ctx)
    scale, zp = _block_params(ctx, shape, storage, "QuantizeLinear output")
    unit = _unit_type(storage)
    x = ctx.maybe_const(0)
    if x is not None:
        if x.dtype != np.float32:
            raise ctx.error(f"input has dtype {x.dtype}; only float32 is supported")
        q = np.rint(x / scale).astype(np.float64) + (0 if zp is None else zp)
        lo, hi = storage_range(storage)
        ctx.set_output(0, ctx.const_value(np.clip(q, lo, hi).astype(numpy_dtype(storage)), tensor_type(shape, unit)))
        return
    if ctx.input_element(0) != f32:
        raise ctx.error(f"input has element type {ctx.input_element(0)}; only f32 inputs are supported")
    t = ctx.emit(DivOp(ctx.input(0), _emit_const(ctx, scale))).output
    r = ctx.emit(QuantizeOp(t, tensor_type(shape, _unit_type(i32)), "half_even")).output
    # The rounded integers as f32: exact below 2**24; larger ones round but saturate the <= 16-bit storage anyway.
    t = ctx.emit(DequantizeOp(r, tensor_type(shape, f32))).output
    if zp is not None:
        t = ctx.emit(AddOp(t, _emit_const(ctx, zp))).output
    ctx.set_output(0, ctx.emit(QuantizeOp(t, tensor_type(shape, unit), "half_even")).output)


def _dequantize_blocked(ctx: NodeContext, shape: tuple[int, ...], out_type: TensorType) -> None:
    x = ctx.maybe_const(0)
    if x is not None:
        try:
            storage = _storage_element(x.dtype, "DequantizeLinear input")
        except ValueError as e:
            raise ctx.error(str(e)) from None
        q = ctx.const_value(unpacked(x), tensor_type(shape, _unit_type(storage)))
    else:
        et = ctx.input_element(0)
        plain = et.storage if isinstance(et, QuantType) else et
        if isinstance(plain, IntegerType):
            _block_params(ctx, shape, plain, "DequantizeLinear input")  # bad block parameters are the error to report
        if not (isinstance(et, QuantType) and et == _unit_type(et.storage)):
            raise ctx.error(
                f"the input has element type {et}; block DequantizeLinear reads constants, block QuantizeLinear results "
                "and graph inputs read only by DequantizeLinear",
            )
        storage = et.storage
        q = ctx.input(0)
    scale, zp = _block_params(ctx, shape, storage, "DequantizeLinear input")
    y = ctx.emit(DequantizeOp(q, out_type)).output
    if zp is not None:
        y = ctx.emit(SubOp(y, _emit_const(ctx, zp))).output
    ctx.set_output(0, ctx.emit(MulOp(y, _emit_const(ctx, scale))).output)


# -- converters ---------------------------------------------------------------------------------------------------


@converter("QuantizeLinear")
def _quantize(ctx: NodeContext) -> None:
    if ctx.since_version >= 19 and ctx.has_attr("saturate") and ctx.attr_int("saturate", 1) != 1:
        raise ctx.error("saturate=0 (float8 only) is not supported")
    shape = ctx.input_shape(0)
    if _block_size(ctx):
        _quantize_blocked(ctx, shape)
        return
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
    if _block_size(ctx):
        _dequantize_blocked(ctx, shape, out_type)
        return
    x = ctx.maybe_const(0)
    if x is not None:
        try:
            storage = _storage_element(x.dtype, "DequantizeLinear input")
        except ValueError as e:
            raise ctx.error(str(e)) from None
        qt = _qtype(ctx, storage, shape, "DequantizeLinear input")
        q = ctx.const_value(unpacked(x), tensor_type(shape, qt))
        ctx.set_output(0, ctx.emit(DequantizeOp(q, out_type)).output)
        return
    et = ctx.input_element(0)
    if isinstance(et, QuantType | PerChannelQuantType):
        qt = _qtype(ctx, et.storage, shape, "DequantizeLinear input")
        if qt != et:
            raise ctx.error(
                f"the input is quantized as {et} but this DequantizeLinear reads it as {qt}",
                hint="a QuantizeLinear -> DequantizeLinear pair must use the same scale and zero point",
            )
        ctx.set_output(0, ctx.emit(DequantizeOp(ctx.input(0), out_type)).output)
        return
    raise ctx.error(
        f"the input has element type {et} without quantization parameters",
        hint="kcc dequantizes constants, QuantizeLinear results and integer graph inputs read only by DequantizeLinear",
    )


def quantized_argument_element(builder: GraphBuilder, name: str) -> Attribute | None:
    """The `!nn.q` / `!nn.qc` element type for an integer graph input read only by DequantizeLinear nodes with constant
    scale and zero point (all agreeing; `!nn.q<storage, 1.0, 0>` for block DequantizeLinear), else None (the input
    stays a plain integer tensor)."""
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
            storage = _storage_element(dtype, "DequantizeLinear input")
            if _block_size(ctx):
                _block_params(ctx, info.shape, storage, "DequantizeLinear input")
                qt = _unit_type(storage)
            else:
                qt = _qtype(ctx, storage, info.shape, "DequantizeLinear input")
        except (KccError, ValueError, TypeError, KeyError):
            return None
        if found is not None and found != qt:
            return None
        found = qt
    return found
