"""ONNX Conv, ConvTranspose, Gemm and MatMul.

1-D Conv / ConvTranspose ([N, C, L]) run as 2-D ops on [N, C, 1, L] between two `nn.reshape`s; 3-D is an error.
`auto_pad` SAME_UPPER / SAME_LOWER / VALID become explicit pads. A missing bias becomes a zero `nn.const`.
MatMul with a constant 2-D B becomes `nn.fully_connected` (weight = B^T; a batched A is flattened to 2-D around
it), else `nn.matmul`. Gemm with a constant B becomes `nn.fully_connected` with alpha folded into the weight and
beta * C into the bias (or a separate `nn.add` when C is not a per-column vector).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue

from kcc.dialects.nn.conv import Conv2dOp, ConvTranspose2dOp, FullyConnectedOp, MatMulOp
from kcc.dialects.nn.elementwise import AddOp, MulOp
from kcc.dialects.nn.movement import ReshapeOp, TransposeOp
from kcc.dialects.nn.types import is_float
from kcc.frontends.onnx.builder import NodeContext, tensor_type
from kcc.frontends.onnx.registry import converter

AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


def same_pads(size: int, kernel: int, stride: int, dilation: int, upper: bool) -> tuple[int, int]:
    """ONNX SAME_UPPER / SAME_LOWER padding of one axis: output ceil(size / stride), the odd pixel at the end
    (upper) or at the beginning (lower)."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


def spatial_pads(
    ctx: NodeContext, sizes: Sequence[int], kernel: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> list[int]:
    """ONNX pads [begin..., end...] of a Conv / pool from `auto_pad` and `pads`."""
    n = len(sizes)
    auto_pad = ctx.expect_attr("auto_pad", AUTO_PADS, "NOTSET")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pairs = [
            same_pads(s, k, st, d, auto_pad == "SAME_UPPER")
            for s, k, st, d in zip(sizes, kernel, strides, dilations, strict=True)
        ]
        return [p[0] for p in pairs] + [p[1] for p in pairs]
    if auto_pad == "VALID":
        return [0] * (2 * n)
    pads = ctx.attr_ints("pads", [0] * (2 * n))
    assert pads is not None
    if len(pads) != 2 * n:
        raise ctx.error(f"pads {pads} must have {2 * n} values for {n} spatial dims")
    if any(p < 0 for p in pads):
        raise ctx.error(f"negative pads {pads} are not supported")
    return pads


def spatial_attr(ctx: NodeContext, name: str, n: int, default: int) -> list[int]:
    """An INTS attribute with one value per spatial dim (strides, dilations, output_padding)."""
    v = ctx.attr_ints(name, [default] * n)
    assert v is not None
    if len(v) != n:
        raise ctx.error(f"{name} {v} must have {n} values (one per spatial dim)")
    return v


def _spatial_rank(ctx: NodeContext) -> int:
    rank = len(ctx.input_shape(0))
    if rank == 4:
        return 2
    if rank == 3:
        return 1
    raise ctx.error(
        f"only 1-D and 2-D {ctx.op_type} are supported; input has rank {rank} {list(ctx.input_shape(0))}",
        hint="kcc targets NCHW images (N, C, H, W) or sequences (N, C, L)",
    )


def _to_2d(ctx: NodeContext, value: SSAValue, shape: Sequence[int], unit_axis: int = 2) -> SSAValue:
    """Reshape a 1-D conv operand [N, C, L] to [N, C, 1, L] (constants are reshaped in numpy by the caller)."""
    new_shape = [*shape[:unit_axis], 1, *shape[unit_axis:]]
    t = value.type
    assert isinstance(t, TensorType)
    return ctx.emit(ReshapeOp(value, tensor_type(new_shape, t.element_type))).output


def _weight_2d(ctx: NodeContext, index: int, one_d: bool) -> SSAValue:
    w = ctx.maybe_const(index)
    if w is not None:
        if w.dtype != np.float32:
            raise ctx.error(f"weight has dtype {w.dtype}; only float32 weights are supported")
        return ctx.const_value(w[:, :, None, :]) if one_d else ctx.input(index)
    v = ctx.input(index)
    return _to_2d(ctx, v, ctx.input_shape(index)) if one_d else v


def _bias(ctx: NodeContext, index: int, channels: int) -> SSAValue:
    if ctx.has_input(index):
        b = ctx.maybe_const(index)
        if b is not None and b.shape != (channels,):
            raise ctx.error(f"bias has shape {list(b.shape)}, expected [{channels}]")
        return ctx.input(index)
    return ctx.const_value(np.zeros((channels,), dtype=np.float32))


def _check_float(ctx: NodeContext, i: int) -> None:
    if not is_float(ctx.input_element(i)):
        raise ctx.error(
            f"input {i} has element type {ctx.input_element(i)}; {ctx.op_type} is converted for float32 tensors only",
            hint="quantized models use QuantizeLinear/DequantizeLinear around float ops",
        )


@converter("Conv")
def _conv(ctx: NodeContext) -> None:
    nsp = _spatial_rank(ctx)
    _check_float(ctx, 0)
    x_shape = ctx.input_shape(0)
    w_shape = ctx.input_shape(1)
    if len(w_shape) != nsp + 2:
        raise ctx.error(f"weight shape {list(w_shape)} must have rank {nsp + 2}")
    kernel = ctx.attr_ints("kernel_shape", list(w_shape[2:]))
    assert kernel is not None
    if list(kernel) != list(w_shape[2:]):
        raise ctx.error(f"kernel_shape {kernel} differs from the weight's spatial shape {list(w_shape[2:])}")
    strides = spatial_attr(ctx, "strides", nsp, 1)
    dilations = spatial_attr(ctx, "dilations", nsp, 1)
    pads = spatial_pads(ctx, x_shape[2:], kernel, strides, dilations)
    group = ctx.attr_int("group", 1)
    out_type = ctx.output_type(0)
    one_d = nsp == 1
    x = _to_2d(ctx, ctx.input(0), x_shape) if one_d else ctx.input(0)
    w = _weight_2d(ctx, 1, one_d)
    b = _bias(ctx, 2, w_shape[0])
    if one_d:
        strides, dilations, pads = [1, *strides], [1, *dilations], [0, pads[0], 0, pads[1]]
        oshape = out_type.get_shape()
        conv_type = tensor_type([oshape[0], oshape[1], 1, oshape[2]], out_type.element_type)
    else:
        conv_type = out_type
    y = ctx.emit(Conv2dOp(x, w, b, conv_type, strides=strides, pads=pads, dilations=dilations, groups=group)).output
    if one_d:
        y = ctx.emit(ReshapeOp(y, out_type)).output
    ctx.set_output(0, y)


def _conv_transpose_pads(
    ctx: NodeContext,
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    out_pad: list[int],
) -> list[int]:
    """ConvTranspose pads [begin..., end...] from pads / auto_pad / output_shape; may grow `out_pad` in place."""
    n = len(sizes)
    auto_pad = ctx.expect_attr("auto_pad", AUTO_PADS, "NOTSET")
    output_shape = ctx.attr_ints("output_shape")
    if output_shape is not None and len(output_shape) == n + 2:
        output_shape = output_shape[2:]
    if output_shape is None and auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        output_shape = [s * st for s, st in zip(sizes, strides, strict=True)]
    if output_shape is None:
        if auto_pad == "VALID":
            return [0] * (2 * n)
        pads = ctx.attr_ints("pads", [0] * (2 * n))
        assert pads is not None
        if len(pads) != 2 * n or any(p < 0 for p in pads):
            raise ctx.error(f"pads {pads} must be {2 * n} non-negative values")
        return pads
    if len(output_shape) != n:
        raise ctx.error(f"output_shape {output_shape} must have {n} spatial values")
    begins: list[int] = []
    ends: list[int] = []
    for i, (s, k, st, d, op, o) in enumerate(zip(sizes, kernel, strides, dilations, out_pad, output_shape, strict=True)):
        total = st * (s - 1) + op + (k - 1) * d + 1 - o
        begin, end = (total // 2, total - total // 2) if auto_pad == "SAME_UPPER" else (total - total // 2, total // 2)
        if end < 0:
            # A larger output_shape appends rows / columns at the end: nn's output_padding.
            out_pad[i] += -end
            end = 0
        if begin < 0:
            raise ctx.error(
                f"output_shape {output_shape} is larger than the full transposed-conv output (total padding {total})",
                hint="use output_padding / pads instead",
            )
        begins.append(begin)
        ends.append(end)
    return begins + ends


@converter("ConvTranspose")
def _conv_transpose(ctx: NodeContext) -> None:
    nsp = _spatial_rank(ctx)
    _check_float(ctx, 0)
    x_shape = ctx.input_shape(0)
    w_shape = ctx.input_shape(1)
    if len(w_shape) != nsp + 2:
        raise ctx.error(f"weight shape {list(w_shape)} must have rank {nsp + 2}")
    kernel = ctx.attr_ints("kernel_shape", list(w_shape[2:]))
    assert kernel is not None
    strides = spatial_attr(ctx, "strides", nsp, 1)
    dilations = spatial_attr(ctx, "dilations", nsp, 1)
    out_pad = spatial_attr(ctx, "output_padding", nsp, 0)
    pads = _conv_transpose_pads(ctx, x_shape[2:], kernel, strides, dilations, out_pad)
    group = ctx.attr_int("group", 1)
    out_type = ctx.output_type(0)
    one_d = nsp == 1
    x = _to_2d(ctx, ctx.input(0), x_shape) if one_d else ctx.input(0)
    w = _weight_2d(ctx, 1, one_d)
    b = _bias(ctx, 2, w_shape[1] * group)
    if one_d:
        strides, dilations, out_pad = [1, *strides], [1, *dilations], [0, *out_pad]
        pads = [0, pads[0], 0, pads[1]]
        oshape = out_type.get_shape()
        conv_type = tensor_type([oshape[0], oshape[1], 1, oshape[2]], out_type.element_type)
    else:
        conv_type = out_type
    op = ConvTranspose2dOp(
        x, w, b, conv_type, strides=strides, pads=pads, dilations=dilations, output_padding=out_pad, groups=group
    )
    y = ctx.emit(op).output
    if one_d:
        y = ctx.emit(ReshapeOp(y, out_type)).output
    ctx.set_output(0, y)


def _transpose2d(ctx: NodeContext, v: SSAValue) -> SSAValue:
    t = v.type
    assert isinstance(t, TensorType)
    m, n = t.get_shape()
    return ctx.emit(TransposeOp(v, tensor_type([n, m], t.element_type), [1, 0])).output


def _fully_connected(
    ctx: NodeContext, a: SSAValue, weight_nk: np.ndarray, bias: np.ndarray, out_shape: Sequence[int]
) -> SSAValue:
    """`a` [M, K] @ weight^T + bias as nn.fully_connected (weight [N, K])."""
    t = a.type
    assert isinstance(t, TensorType)
    w = ctx.const_value(np.ascontiguousarray(weight_nk, dtype=np.float32))
    b = ctx.const_value(np.ascontiguousarray(bias, dtype=np.float32))
    return ctx.emit(FullyConnectedOp(a, w, b, tensor_type(out_shape, t.element_type))).output


@converter("MatMul")
def _matmul(ctx: NodeContext) -> None:
    _check_float(ctx, 0)
    a_shape = ctx.input_shape(0)
    b = ctx.maybe_const(1)
    out_type = ctx.output_type(0)
    if b is not None and b.ndim == 2 and len(a_shape) >= 2 and b.dtype == np.float32:
        k, n = b.shape
        m = int(np.prod(a_shape[:-1]))
        a = ctx.input(0)
        if len(a_shape) > 2:
            a = ctx.emit(ReshapeOp(a, tensor_type([m, k], out_type.element_type))).output
        y = _fully_connected(ctx, a, b.T, np.zeros((n,), np.float32), [m, n])
        if len(a_shape) > 2:
            y = ctx.emit(ReshapeOp(y, out_type)).output
        ctx.set_output(0, y)
        return
    _check_float(ctx, 1)
    ctx.set_output(0, ctx.emit(MatMulOp(ctx.input(0), ctx.input(1), out_type)).output)


@converter("Gemm")
def _gemm(ctx: NodeContext) -> None:
    _check_float(ctx, 0)
    alpha = ctx.attr_float("alpha", 1.0)
    beta = ctx.attr_float("beta", 1.0)
    if not (np.isfinite(alpha) and np.isfinite(beta)):
        raise ctx.error(f"Gemm alpha and beta must be finite, got alpha {alpha} and beta {beta}")
    trans_a = ctx.attr_int("transA", 0) != 0
    trans_b = ctx.attr_int("transB", 0) != 0
    a_shape = ctx.input_shape(0)
    if len(a_shape) != 2 or len(ctx.input_shape(1)) != 2:
        raise ctx.error(f"Gemm operands must be 2-D, got A {list(a_shape)} and B {list(ctx.input_shape(1))}")
    out_type = ctx.output_type(0)
    m, n = out_type.get_shape()
    a = ctx.input(0)
    if trans_a:
        a = _transpose2d(ctx, a)
    b = ctx.maybe_const(1)
    c = ctx.maybe_const(2) if ctx.has_input(2) else np.zeros((n,), np.float32)
    if b is not None and b.dtype == np.float32:
        weight = (b if trans_b else b.T).astype(np.float64) * alpha
        bias = np.zeros((n,), np.float64)
        rest: np.ndarray | None = None
        if c is not None and beta != 0:
            cb = np.asarray(c, np.float64) * beta
            if cb.ndim == 0 or (cb.ndim >= 1 and cb.shape[-1] in (1, n) and (cb.ndim == 1 or cb.shape[0] == 1)):
                bias = np.broadcast_to(cb.reshape(-1) if cb.ndim else cb, (n,)).astype(np.float64)
            else:
                rest = cb.astype(np.float32)
        y = _fully_connected(ctx, a, weight.astype(np.float32), bias.astype(np.float32), [m, n])
        if rest is not None:
            y = ctx.emit(AddOp(y, ctx.const_value(rest), out_type)).output
        if ctx.has_input(2) and c is None and beta != 0:
            y = _add_scaled_c(ctx, y, beta, out_type)
        ctx.set_output(0, y)
        return
    _check_float(ctx, 1)
    bv = ctx.input(1)
    if trans_b:
        bv = _transpose2d(ctx, bv)
    y = ctx.emit(MatMulOp(a, bv, out_type)).output
    if alpha != 1.0:
        y = ctx.emit(MulOp(y, ctx.const_value(np.array(alpha, np.float32)), out_type)).output
    if ctx.has_input(2) and beta != 0:
        if c is not None:
            y = ctx.emit(AddOp(y, ctx.const_value((np.asarray(c, np.float64) * beta).astype(np.float32)), out_type)).output
        else:
            y = _add_scaled_c(ctx, y, beta, out_type)
    ctx.set_output(0, y)


def _add_scaled_c(ctx: NodeContext, y: SSAValue, beta: float, out_type: TensorType) -> SSAValue:
    c = ctx.input(2)
    if beta != 1.0:
        ct = c.type
        assert isinstance(ct, TensorType)
        c = ctx.emit(MulOp(c, ctx.const_value(np.array(beta, np.float32)), ct)).output
    return ctx.emit(AddOp(y, c, out_type)).output
