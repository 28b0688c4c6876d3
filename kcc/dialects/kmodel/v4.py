"""kmodel v4 node ops (`kmodel.v4.*`): one op per runtime opcode of nncase v0.2.

Every op holds every field of its node body, in file order: memory ranges are the file's
`memory_range` records (`#kmodel.range<pool, start, size, dtype>`), shapes are NCHW `[n, c, h, w]`
(left-padded with 1), paddings `[before, after]`, windows `[filter_h, filter_w, stride_h, stride_w,
dilation_h, dilation_w]`, fused activations `[min, max]` (a clamp; ±3.4028234663852886e+38 is none).
Quantization parameters follow nncase: `scale` is quanta per real unit (`q = x·scale + zero_point`).

    kmodel.v4.matmul in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<const, 0, 160, f32>
        out #kmodel.range<main, 16, 40, f32> a_rows 1 a_cols 4 b_cols 10
        fused_activation [-3.4028234663852886e+38, 3.4028234663852886e+38] bias dense<...> : tensor<10xf32>
"""

from __future__ import annotations

import math
from typing import cast

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.irdl import irdl_op_definition
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.fields import Field, bool8, dense, f32_field, f32s, i32, i32s, mr, u32
from kcc.dialects.kmodel.kpu_layer import check_kpu_layer
from kcc.dialects.kmodel.program import NodeOp

BINARY_OPS = ("add", "sub", "mul", "div", "min", "max")
UNARY_OPS = ("abs", "ceil", "cos", "exp", "floor", "log", "neg", "rsqrt", "sin", "square")
REDUCE_OPS = ("mean", "min", "max", "sum")
RESIZE_MODES = ("bilinear", "nearest_neighbor")

IN = mr("input")
OUT = mr("output")
IN_SHAPE = i32s("in_shape", 4)
OUT_SHAPE = i32s("out_shape", 4)
PAD_H = i32s("padding_h", 2)
PAD_W = i32s("padding_w", 2)
WINDOW = i32s("window", 6)
ACT = f32s("fused_activation", 2)
QUANT_INTS = tuple(i32(n) for n in ("input_offset", "filter_offset", "output_mul", "output_shift", "output_offset"))


class V4NodeOp(NodeOp):
    """Base of the v4 node ops."""

    VERSION = 4

    def v(self, prop: str) -> int:
        return int(self.value(prop))

    def shape(self, prop: str) -> tuple[int, ...]:
        s = tuple(self.value(prop))
        if any(d < 0 for d in s):
            raise VerifyException(f"{prop} {list(s)} has a negative dimension")
        return s

    def enum(self, prop: str, names: tuple[str, ...]) -> None:
        if not 0 <= self.v(prop) < len(names):
            raise VerifyException(f"{prop} {self.v(prop)} is not one of {', '.join(f'{i} {n}' for i, n in enumerate(names))}")

    def window_ok(self) -> None:
        w = self.value("window")
        if min(w) < 1:
            raise VerifyException(f"window {list(w)} has a field < 1")


# ---------------------------------------------------------------------------------------------- elementwise


class _Binary(V4NodeOp):
    def check(self) -> None:
        self.enum("binary_op", BINARY_OPS)
        for r, s in (("in_a", "a_shape"), ("in_b", "b_shape"), ("out", "out_shape")):
            self.expect_fits(r, self.shape(s), s)


_BINARY_HEAD = (mr("in_a"), mr("in_b"), mr("out"), u32("binary_op", "op"), i32s("a_shape", 4), i32s("b_shape", 4), OUT_SHAPE)


@irdl_op_definition
class BinaryOp(_Binary):
    """binary (0x00): broadcasting f32 `binary_op` (0 add, 1 sub, 2 mul, 3 div, 4 min, 5 max), then the clamp."""

    name = "kmodel.v4.binary"
    CODE = 0x00
    FIELDS = (*_BINARY_HEAD, ACT)


@irdl_op_definition
class QuantizedBinaryOp(_Binary):
    """quantized_binary (0x11): uint8 `binary_op` in fixed point with per-operand offset/multiplier/shift."""

    name = "kmodel.v4.quantized_binary"
    CODE = 0x11
    FIELDS = (
        *_BINARY_HEAD,
        *(i32(n) for n in ("a_offset", "a_mul", "a_shift", "b_offset", "b_mul", "b_shift", "out_offset", "out_mul", "out_shift")),
    )


@irdl_op_definition
class UnaryOp(V4NodeOp):
    """unary (0x0E): f32 `unary_op` (0 abs, 1 ceil, 2 cos, 3 exp, 4 floor, 5 log, 6 neg, 7 rsqrt, 8 sin, 9 square)."""

    name = "kmodel.v4.unary"
    CODE = 0x0E
    FIELDS = (IN, OUT, u32("unary_op", "op"))

    def check(self) -> None:
        self.enum("unary_op", UNARY_OPS)


@irdl_op_definition
class NnilUnaryMethodOp(V4NodeOp):
    """nnil_unary_method (0x14): an f32 elementwise function as NNIL bytecode (`code`, spec §2.5)."""

    name = "kmodel.v4.nnil_unary_method"
    CODE = 0x14
    FIELDS = (IN, OUT, dense("code", "u1"))


@irdl_op_definition
class TableLookup1dOp(V4NodeOp):
    """table_lookup1d (0x12): `out = table[in]` (uint8, a 256-byte table range)."""

    name = "kmodel.v4.table_lookup1d"
    CODE = 0x12
    FIELDS = (IN, mr("table"), OUT)

    def check(self) -> None:
        t = cast(RangeAttr, self.properties["table"])
        if t.nbytes < 256:
            raise VerifyException(f"table range has {t.nbytes} bytes, needs 256")


# ---------------------------------------------------------------------------------------------- conv / matmul


class _Conv(V4NodeOp):
    def check(self) -> None:
        self.expect_fits("input", self.shape("in_shape"), "in_shape")
        self.window_ok()


@irdl_op_definition
class Conv2dOp(_Conv):
    """conv2d (0x02): f32 NCHW grouped convolution; `weights` `[oc][ic/groups][kh][kw]`, then the clamp."""

    name = "kmodel.v4.conv2d"
    CODE = 0x02
    FIELDS = (
        IN,
        OUT,
        IN_SHAPE,
        i32("groups"),
        i32("out_channels"),
        PAD_H,
        PAD_W,
        WINDOW,
        ACT,
        dense("weights", "<f4"),
        dense("bias", "<f4"),
    )


@irdl_op_definition
class CpuConv2dOp(_Conv):
    """cpu_conv2d (0x1001): f32 NHWC convolution (no emitter in ncc 0.2; the runtime has the kernel)."""

    name = "kmodel.v4.cpu_conv2d"
    CODE = 0x1001
    FIELDS = (IN, OUT, IN_SHAPE, i32("out_channels"), PAD_H, PAD_W, WINDOW, ACT, dense("weights", "<f4"), dense("bias", "<f4"))


@irdl_op_definition
class CpuDepthwiseConv2dOp(_Conv):
    """cpu_depthwise_conv2d (0x1002): f32 NHWC depthwise convolution (channels from `in_shape[3]`)."""

    name = "kmodel.v4.cpu_depthwise_conv2d"
    CODE = 0x1002
    FIELDS = (IN, OUT, IN_SHAPE, PAD_H, PAD_W, WINDOW, ACT, dense("weights", "<f4"), dense("bias", "<f4"))


@irdl_op_definition
class QuantizedConv2dOp(_Conv):
    """quantized_conv2d (0x0F): uint8 NCHW convolution with i32 bias (stored before the weights)."""

    name = "kmodel.v4.quantized_conv2d"
    CODE = 0x0F
    FIELDS = (
        IN,
        OUT,
        IN_SHAPE,
        i32("groups"),
        i32("out_channels"),
        PAD_H,
        PAD_W,
        WINDOW,
        *QUANT_INTS,
        dense("bias", "<i4"),
        dense("weights", "u1"),
    )


@irdl_op_definition
class CpuQuantizedConv2dOp(_Conv):
    """cpu_quantized_conv2d (0x1004): uint8 NHWC convolution (weights, then bias)."""

    name = "kmodel.v4.cpu_quantized_conv2d"
    CODE = 0x1004
    FIELDS = (
        IN,
        OUT,
        IN_SHAPE,
        i32("out_channels"),
        PAD_H,
        PAD_W,
        WINDOW,
        *QUANT_INTS,
        dense("weights", "u1"),
        dense("bias", "<i4"),
    )


@irdl_op_definition
class CpuQuantizedDepthwiseConv2dOp(_Conv):
    """cpu_quantized_depthwise_conv2d (0x1005): uint8 NHWC depthwise convolution (weights, then bias)."""

    name = "kmodel.v4.cpu_quantized_depthwise_conv2d"
    CODE = 0x1005
    FIELDS = (IN, OUT, IN_SHAPE, PAD_H, PAD_W, WINDOW, *QUANT_INTS, dense("weights", "u1"), dense("bias", "<i4"))


@irdl_op_definition
class Conv2dTransposeOp(V4NodeOp):
    """conv2d_transpose (0x13): f32 NCHW transposed convolution, then the clamp."""

    name = "kmodel.v4.conv2d_transpose"
    CODE = 0x13
    FIELDS = (
        IN,
        OUT,
        IN_SHAPE,
        OUT_SHAPE,
        i32("groups"),
        PAD_H,
        PAD_W,
        WINDOW,
        ACT,
        dense("weights", "<f4"),
        dense("bias", "<f4"),
    )

    def check(self) -> None:
        self.expect_fits("input", self.shape("in_shape"), "in_shape")
        self.expect_fits("output", self.shape("out_shape"), "out_shape")
        self.window_ok()


class _Matmul(V4NodeOp):
    def check(self) -> None:
        rows, cols, bcols = self.v("a_rows"), self.v("a_cols"), self.v("b_cols")
        self.expect_fits("in_a", (rows, cols), "a")
        self.expect_fits("in_b", (cols, bcols), "b")
        self.expect_fits("out", (rows, bcols), "out")
        if len(self.value("bias")) != bcols:
            raise VerifyException(f"bias holds {len(self.value('bias'))} values, b_cols is {bcols}")


_MATMUL_HEAD = (mr("in_a"), mr("in_b"), mr("out"), i32("a_rows"), i32("a_cols"), i32("b_cols"))


@irdl_op_definition
class MatmulOp(_Matmul):
    """matmul (0x04): f32 `out = in_a·in_b + bias`, then the clamp."""

    name = "kmodel.v4.matmul"
    CODE = 0x04
    FIELDS = (*_MATMUL_HEAD, ACT, dense("bias", "<f4"))


@irdl_op_definition
class QuantizedMatmulOp(_Matmul):
    """quantized_matmul (0x10): uint8 matmul with offsets, i32 bias and an output multiplier/shift."""

    name = "kmodel.v4.quantized_matmul"
    CODE = 0x10
    FIELDS = (
        *_MATMUL_HEAD,
        *(i32(n) for n in ("a_offset", "b_offset", "out_mul", "out_shift", "out_offset")),
        dense("bias", "<i4"),
    )


# ---------------------------------------------------------------------------------------------- quantization


class _QuantParam(V4NodeOp):
    FIELDS = (IN, OUT, i32("zero_point", "quant.zero_point"), f32_field("scale", "quant.scale"))


@irdl_op_definition
class DequantizeOp(_QuantParam):
    """dequantize (0x03): `x = (q - zero_point) / scale`, u8 -> f32."""

    name = "kmodel.v4.dequantize"
    CODE = 0x03


@irdl_op_definition
class QuantizeOp(_QuantParam):
    """quantize (0x06): `q = clamp(round(x·scale + zero_point), 0, 255)`, f32 -> u8."""

    name = "kmodel.v4.quantize"
    CODE = 0x06


# ---------------------------------------------------------------------------------------------- reductions


@irdl_op_definition
class ReduceOp(V4NodeOp):
    """reduce (0x07): `reduce_op` (0 mean, 1 min, 2 max, 3 sum) from `in_shape` down to `out_shape`."""

    name = "kmodel.v4.reduce"
    CODE = 0x07
    FIELDS = (IN, OUT, u32("reduce_op", "op"), IN_SHAPE, OUT_SHAPE, f32_field("init_value"))

    def check(self) -> None:
        self.enum("reduce_op", REDUCE_OPS)
        self.expect_fits("input", self.shape("in_shape"), "in_shape")
        self.expect_fits("output", self.shape("out_shape"), "out_shape")


class _ReduceWindow(V4NodeOp):
    FIELDS = (IN, OUT, u32("reduce_op", "op"), IN_SHAPE, PAD_H, PAD_W, WINDOW, f32_field("init_value"), ACT)

    def check(self) -> None:
        self.enum("reduce_op", REDUCE_OPS)
        self.expect_fits("input", self.shape("in_shape"), "in_shape")
        self.window_ok()


@irdl_op_definition
class ReduceWindow2dOp(_ReduceWindow):
    """reduce_window2d (0x08): NCHW pooling with `reduce_op` over the window, then the clamp."""

    name = "kmodel.v4.reduce_window2d"
    CODE = 0x08


@irdl_op_definition
class CpuReduceWindow2dOp(_ReduceWindow):
    """cpu_reduce_window2d (0x1003): the NHWC form of `reduce_window2d`."""

    name = "kmodel.v4.cpu_reduce_window2d"
    CODE = 0x1003


@irdl_op_definition
class SoftmaxOp(V4NodeOp):
    """softmax (0x0B): f32 softmax of `beta`·x over `inner_size`, for `outer_size` rows."""

    name = "kmodel.v4.softmax"
    CODE = 0x0B
    FIELDS = (IN, OUT, i32("inner_size"), i32("outer_size"), f32_field("beta"))

    def check(self) -> None:
        s = (self.v("outer_size"), self.v("inner_size"))
        self.expect_fits("input", s, "outer x inner")
        self.expect_fits("output", s, "outer x inner")


# ---------------------------------------------------------------------------------------------- data movement


@irdl_op_definition
class ConcatOp(V4NodeOp):
    """concat (0x01): for each of `outer_size` rows, copy `inner_size·dims[i]` bytes of each input."""

    name = "kmodel.v4.concat"
    CODE = 0x01
    FIELDS = (mr("out"), u32("inner_size"), u32("outer_size"), Field("inputs", "ranges", "mrs"), i32s("dims", None))

    def check(self) -> None:
        ins, dims = self.value("inputs"), self.value("dims")
        if len(ins) != len(dims):
            raise VerifyException(f"{len(ins)} inputs but {len(dims)} dims")
        inner, outer = self.v("inner_size"), self.v("outer_size")
        for i, (r, d) in enumerate(zip(ins, dims, strict=True)):
            if d < 0 or outer * inner * d > cast(RangeAttr, r).nbytes:
                raise VerifyException(f"inputs[{i}]: outer {outer} x inner {inner} x dim {d} bytes exceed its range")
        need = outer * inner * sum(dims)
        if need > cast(RangeAttr, self.properties["out"]).nbytes:
            raise VerifyException(f"out needs {need} bytes, its range has {cast(RangeAttr, self.properties['out']).nbytes}")


@irdl_op_definition
class PadOp(V4NodeOp):
    """pad (0x05): constant padding of each NCHW dim by `paddings` (before/after pairs, negative crops);
    the pad value is a scalar: `pad_type` (datatype) and its 4 storage bytes."""

    name = "kmodel.v4.pad"
    CODE = 0x05
    FIELDS = (IN, OUT, IN_SHAPE, i32s("paddings", 8), u32("pad_type"), dense("pad_value", "u1"))

    def check(self) -> None:
        s = self.shape("in_shape")
        self.expect_fits("input", s, "in_shape")
        p = self.value("paddings")
        out = tuple(d + p[2 * i] + p[2 * i + 1] for i, d in enumerate(s))
        if any(d < 0 for d in out):
            raise VerifyException(f"paddings {list(p)} crop {list(s)} below zero")
        self.expect_fits("output", out, "padded shape")
        if len(self.value("pad_value")) != 4:
            raise VerifyException("pad_value must hold 4 bytes")


@irdl_op_definition
class MemoryCopyOp(V4NodeOp):
    """memory_copy (0x09): copy the input range's bytes to the output range."""

    name = "kmodel.v4.memory_copy"
    CODE = 0x09
    FIELDS = (IN, OUT)

    def check(self) -> None:
        a, b = cast(RangeAttr, self.properties["input"]), cast(RangeAttr, self.properties["output"])
        if a.nbytes > b.nbytes:
            raise VerifyException(f"copies {a.nbytes} bytes into a {b.nbytes}-byte range")


@irdl_op_definition
class ResizeImageOp(V4NodeOp):
    """resize_image (0x0A): NCHW resize to `out_h` x `out_w`, `mode` 0 bilinear / 1 nearest_neighbor."""

    name = "kmodel.v4.resize_image"
    CODE = 0x0A
    FIELDS = (IN, OUT, IN_SHAPE, i32("out_h"), i32("out_w"), u32("mode"), bool8("align_corners"))

    def check(self) -> None:
        self.enum("mode", RESIZE_MODES)
        s = self.shape("in_shape")
        self.expect_fits("input", s, "in_shape")
        self.expect_fits("output", (s[0], s[1], self.v("out_h"), self.v("out_w")), "output shape")


@irdl_op_definition
class TransposeOp(V4NodeOp):
    """transpose (0x0C): permute the 4 NCHW dims by `perm`."""

    name = "kmodel.v4.transpose"
    CODE = 0x0C
    FIELDS = (IN, OUT, IN_SHAPE, i32s("perm", 4))

    def check(self) -> None:
        s = self.shape("in_shape")
        self.expect_fits("input", s, "in_shape")
        if sorted(self.value("perm")) != [0, 1, 2, 3]:
            raise VerifyException(f"perm {list(self.value('perm'))} is not a permutation of 0..3")
        self.expect_fits("output", s, "in_shape")


@irdl_op_definition
class StridedSliceOp(V4NodeOp):
    """strided_slice (0x0D): TensorFlow StridedSlice over NCHW with begin/end/strides and the five masks."""

    name = "kmodel.v4.strided_slice"
    CODE = 0x0D
    FIELDS = (
        IN,
        OUT,
        IN_SHAPE,
        i32s("begin", 4),
        i32s("end", 4),
        i32s("strides", 4),
        *(i32(n) for n in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")),
    )

    def check(self) -> None:
        self.expect_fits("input", self.shape("in_shape"), "in_shape")
        if 0 in self.value("strides"):
            raise VerifyException(f"strides {list(self.value('strides'))} contain 0")


# ---------------------------------------------------------------------------------------------- K210


@irdl_op_definition
class KpuUploadOp(V4NodeOp):
    """kpu_upload (0x2001): dense NCHW u8 (main) -> KPU RAM line layout (spec §3.2)."""

    name = "kmodel.v4.kpu_upload"
    CODE = 0x2001
    FIELDS = (IN, OUT, IN_SHAPE)

    def check(self) -> None:
        from kcc.dialects.kmodel.kpu_layer import kpu_map_bytes

        s = self.shape("in_shape")
        self.expect_fits("input", s, "in_shape")
        if s[2] < 1 or s[3] < 1:
            raise VerifyException(f"in_shape {list(s)} is empty")
        w = s[3]
        groups, row_len = (4, 1) if w <= 16 else (2, 1) if w <= 32 else (1, (w + 63) // 64)
        need = s[0] * kpu_map_bytes(s[1], groups, row_len * s[2])
        o = cast(RangeAttr, self.properties["output"])
        if o.pool_name != "kpu" or o.nbytes < need:
            raise VerifyException(f"output must be a KPU range of at least {need} bytes, got {o}")


@irdl_op_definition
class KpuConv2dOp(V4NodeOp):
    """kpu_conv2d (0x2002): one KPU layer over `batches` images.

    `layer_argument` holds the 12 register words as in the file: there, `bwsx_base_addr`,
    `active_addr` and `para_start_addr` are the padding byte counts before the BN table, the activation
    table and the weights (absolute 256-byte alignment). `main_mem_output` (size 0: none) is the dense
    u8 copy of the output in main RAM; `reserved` is kept verbatim. `input`/`output` are the KPU RAM maps
    the registers address (checked against them).
    """

    name = "kmodel.v4.kpu_conv2d"
    CODE = 0x2002
    FIELDS = (
        mr("main_mem_output"),
        i32("batches"),
        i32("reserved"),
        dense("layer_argument", "<u8", "arg_raw"),
        dense("batch_norm", "<u8", "bn_raw"),
        dense("activation", "<u8", "act_raw"),
        dense("weights", "u1"),
        Field("input", "range", "", "", "in"),
        Field("output", "range", "", "", "out"),
    )

    def check(self) -> None:
        batches = self.v("batches")
        if batches < 1:
            raise VerifyException(f"batches {batches} < 1")
        arg = check_kpu_layer(
            cast(DenseIntOrFPElementsAttr, self.properties["layer_argument"]),
            cast(DenseIntOrFPElementsAttr, self.properties["weights"]),
            cast(DenseIntOrFPElementsAttr, self.properties["batch_norm"]),
            cast(DenseIntOrFPElementsAttr, self.properties["activation"]),
            cast(RangeAttr, self.properties["input"]),
            cast(RangeAttr, self.properties["output"]),
            batches,
        )
        m = cast(RangeAttr, self.properties["main_mem_output"])
        if m.nbytes:
            need = math.prod((arg.out_channels, arg.out_height, arg.out_width, batches))
            if m.pool_name != "main" or m.nbytes < need:
                raise VerifyException(f"main_mem_output must be a main range of at least {need} bytes, got {m}")


OPS: list[type[V4NodeOp]] = [
    BinaryOp,
    ConcatOp,
    Conv2dOp,
    DequantizeOp,
    MatmulOp,
    PadOp,
    QuantizeOp,
    ReduceOp,
    ReduceWindow2dOp,
    MemoryCopyOp,
    ResizeImageOp,
    SoftmaxOp,
    TransposeOp,
    StridedSliceOp,
    UnaryOp,
    QuantizedConv2dOp,
    QuantizedMatmulOp,
    QuantizedBinaryOp,
    TableLookup1dOp,
    Conv2dTransposeOp,
    NnilUnaryMethodOp,
    CpuConv2dOp,
    CpuDepthwiseConv2dOp,
    CpuReduceWindow2dOp,
    CpuQuantizedConv2dOp,
    CpuQuantizedDepthwiseConv2dOp,
    KpuUploadOp,
    KpuConv2dOp,
]
BY_CODE: dict[int, type[V4NodeOp]] = {op.CODE: op for op in OPS}

__all__ = ["BY_CODE", "OPS", "V4NodeOp", *(op.__name__ for op in OPS)]  # pyright: ignore[reportUnsupportedDunderAll]
