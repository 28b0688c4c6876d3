"""kmodel v4 (nncase v0.2) as plain frozen dataclasses (spec kmodel-v4-and-nncase-0.2 §1-§3).

Every record is a little-endian dump of the nncase C++ structs. Memory ranges name a pool (const, main, KPU
RAM), a datatype (f32/u8), a byte start and a byte size; shapes are NCHW, left-padded with 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from kcc.backends._kpu import KpuGeometry
from kcc.backends.common import POOL_CONST, POOL_KPU, POOL_MAIN, MemRef
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable

MAGIC = 0x4B4D444C  # 'KMDL' as a C multichar constant; bytes "LDMK" on disk
VERSION = 4
HEADER_BYTES = 40

MEMORY_TYPES = {0: POOL_CONST, 1: POOL_MAIN, 2: POOL_KPU}
DATATYPES = {0: "f32", 1: "u8"}
BINARY_OPS = ("add", "sub", "mul", "div", "min", "max")
UNARY_OPS = ("abs", "ceil", "cos", "exp", "floor", "log", "neg", "rsqrt", "sin", "square")
REDUCE_OPS = ("mean", "min", "max", "sum")
RESIZE_MODES = ("bilinear", "nearest_neighbor")


class Opcode(IntEnum):
    BINARY = 0x00
    CONCAT = 0x01
    CONV2D = 0x02
    DEQUANTIZE = 0x03
    MATMUL = 0x04
    PAD = 0x05
    QUANTIZE = 0x06
    REDUCE = 0x07
    REDUCE_WINDOW2D = 0x08
    MEMORY_COPY = 0x09
    RESIZE_IMAGE = 0x0A
    SOFTMAX = 0x0B
    TRANSPOSE = 0x0C
    STRIDED_SLICE = 0x0D
    UNARY = 0x0E
    QUANTIZED_CONV2D = 0x0F
    QUANTIZED_MATMUL = 0x10
    QUANTIZED_BINARY = 0x11
    TABLE_LOOKUP1D = 0x12
    CONV2D_TRANSPOSE = 0x13
    NNIL_UNARY_METHOD = 0x14
    CPU_CONV2D = 0x1001
    CPU_DEPTHWISE_CONV2D = 0x1002
    CPU_REDUCE_WINDOW2D = 0x1003
    CPU_QUANTIZED_CONV2D = 0x1004
    CPU_QUANTIZED_DEPTHWISE_CONV2D = 0x1005
    KPU_UPLOAD = 0x2001
    KPU_CONV2D = 0x2002


def opcode_name(code: int) -> str:
    try:
        return Opcode(code).name.lower()
    except ValueError:
        return f"unknown_{code:#x}"


Shape = tuple[int, int, int, int]


@dataclass(frozen=True)
class MemoryRange:
    memory_type: int
    datatype: int
    start: int
    size: int

    @property
    def pool(self) -> str:
        return MEMORY_TYPES.get(self.memory_type, f"pool{self.memory_type}")

    @property
    def dtype(self) -> str:
        return DATATYPES.get(self.datatype, f"type{self.datatype}")

    def ref(self, role: str) -> MemRef:
        return MemRef(role, self.pool, self.start, self.size, self.dtype)


@dataclass(frozen=True)
class Padding:
    before: int
    after: int


@dataclass(frozen=True)
class ValueRange:
    min: float
    max: float


@dataclass(frozen=True)
class QuantParam:
    zero_point: int
    scale: float  # quanta per real unit: q = x·scale + zp


@dataclass(frozen=True)
class Window2d:
    filter_h: int
    filter_w: int
    stride_h: int
    stride_w: int
    dilation_h: int
    dilation_w: int


# ---------------------------------------------------------------------------------------------- bodies


@dataclass(frozen=True)
class Body:
    def ranges(self) -> tuple[MemRef, ...]:
        return tuple(v.ref(k) for k, v in vars(self).items() if isinstance(v, MemoryRange))


@dataclass(frozen=True)
class _BinaryHead(Body):
    in_a: MemoryRange
    in_b: MemoryRange
    out: MemoryRange
    op: int
    a_shape: Shape
    b_shape: Shape
    out_shape: Shape


@dataclass(frozen=True)
class BinaryBody(_BinaryHead):
    fused_activation: ValueRange


@dataclass(frozen=True)
class QuantizedBinaryBody(_BinaryHead):
    a_offset: int
    a_mul: int
    a_shift: int
    b_offset: int
    b_mul: int
    b_shift: int
    out_offset: int
    out_mul: int
    out_shift: int


@dataclass(frozen=True)
class ConcatBody(Body):
    out: MemoryRange
    inner_size: int  # bytes
    outer_size: int
    inputs: tuple[MemoryRange, ...]
    dims: tuple[int, ...]

    def ranges(self) -> tuple[MemRef, ...]:
        return (*(r.ref(f"in{i}") for i, r in enumerate(self.inputs)), self.out.ref("out"))


@dataclass(frozen=True)
class InOutBody(Body):
    """A body that starts with its input and output ranges."""

    input: MemoryRange
    output: MemoryRange


@dataclass(frozen=True)
class ShapedBody(InOutBody):
    """A body that starts with input, output and the input's shape."""

    in_shape: Shape


@dataclass(frozen=True)
class _ConvHead(ShapedBody):
    groups: int
    out_channels: int
    padding_h: Padding
    padding_w: Padding
    window: Window2d


@dataclass(frozen=True)
class Conv2dBody(_ConvHead):
    """0x02 conv2d (float), 0x1001 cpu_conv2d and 0x1002 cpu_depthwise_conv2d (NHWC, groups = 0 there)."""

    fused_activation: ValueRange
    weights: NDArray[np.float32] = field(repr=False, compare=False)
    bias: NDArray[np.float32] = field(repr=False, compare=False)


@dataclass(frozen=True)
class QuantizedConv2dBody(_ConvHead):
    """0x0F quantized_conv2d (bias then weights), 0x1004/0x1005 cpu_quantized_* (NHWC, weights then bias)."""

    input_offset: int
    filter_offset: int
    output_mul: int
    output_shift: int
    output_offset: int
    bias: NDArray[np.int32] = field(repr=False, compare=False)
    weights: NDArray[np.uint8] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Conv2dTransposeBody(ShapedBody):
    out_shape: Shape
    groups: int
    padding_h: Padding
    padding_w: Padding
    window: Window2d
    fused_activation: ValueRange
    weights: NDArray[np.float32] = field(repr=False, compare=False)
    bias: NDArray[np.float32] = field(repr=False, compare=False)


@dataclass(frozen=True)
class QuantParamBody(InOutBody):
    """0x03 dequantize / 0x06 quantize."""

    quant: QuantParam


@dataclass(frozen=True)
class _MatmulHead(Body):
    in_a: MemoryRange
    in_b: MemoryRange
    out: MemoryRange
    a_rows: int
    a_cols: int
    b_cols: int


@dataclass(frozen=True)
class MatmulBody(_MatmulHead):
    fused_activation: ValueRange
    bias: NDArray[np.float32] = field(repr=False, compare=False)


@dataclass(frozen=True)
class QuantizedMatmulBody(_MatmulHead):
    a_offset: int
    b_offset: int
    out_mul: int
    out_shift: int
    out_offset: int
    bias: NDArray[np.int32] = field(repr=False, compare=False)


@dataclass(frozen=True)
class PadBody(ShapedBody):
    paddings: tuple[Padding, Padding, Padding, Padding]
    pad_type: int
    pad_value: bytes


@dataclass(frozen=True)
class ReduceBody(InOutBody):
    op: int
    in_shape: Shape
    out_shape: Shape
    init_value: float


@dataclass(frozen=True)
class ReduceWindow2dBody(InOutBody):
    """0x08 reduce_window2d (NCHW) and 0x1003 cpu_reduce_window2d (NHWC)."""

    op: int
    in_shape: Shape
    padding_h: Padding
    padding_w: Padding
    window: Window2d
    init_value: float
    fused_activation: ValueRange


@dataclass(frozen=True)
class MemoryCopyBody(InOutBody):
    pass


@dataclass(frozen=True)
class ResizeImageBody(ShapedBody):
    out_h: int
    out_w: int
    mode: int
    align_corners: bool


@dataclass(frozen=True)
class SoftmaxBody(InOutBody):
    inner_size: int
    outer_size: int
    beta: float


@dataclass(frozen=True)
class TransposeBody(ShapedBody):
    perm: Shape


@dataclass(frozen=True)
class StridedSliceBody(ShapedBody):
    begin: Shape
    end: Shape
    strides: Shape
    begin_mask: int
    end_mask: int
    ellipsis_mask: int
    new_axis_mask: int
    shrink_axis_mask: int


@dataclass(frozen=True)
class UnaryBody(InOutBody):
    op: int


@dataclass(frozen=True)
class NnilInstr:
    opcode: int
    name: str
    constant: float | None = None


@dataclass(frozen=True)
class NnilUnaryBody(InOutBody):
    program: tuple[NnilInstr, ...]
    code: bytes = field(repr=False)


@dataclass(frozen=True)
class TableLookupBody(Body):
    input: MemoryRange
    table: MemoryRange
    output: MemoryRange


@dataclass(frozen=True)
class KpuUploadBody(ShapedBody):
    pass


@dataclass(frozen=True)
class KpuConv2dBody(Body):
    """0x2002: main_mem_output, batches, reserved, 96-byte layer argument; BN, activation, weights each after a
    padding count stored in bwsx_base_addr / active_addr / para_start_addr (absolute 256-byte alignment)."""

    main_mem_output: MemoryRange
    batches: int
    reserved: int
    geometry: KpuGeometry
    bn_offset: int  # absolute file offsets, derived from the padding counts
    act_offset: int
    weights_offset: int
    arg_raw: bytes = field(repr=False)
    bn_raw: bytes = field(repr=False)
    act_raw: bytes = field(repr=False)
    weights: NDArray[np.uint8] = field(repr=False, compare=False)
    arg: LayerArgument = field(repr=False, compare=False)
    bn: BatchNormTable = field(repr=False, compare=False)
    act: ActivationTable = field(repr=False, compare=False)

    def ranges(self) -> tuple[MemRef, ...]:
        g = self.geometry
        in_b, out_b = g.in_bytes, g.out_bytes
        refs = [
            MemRef("in", POOL_KPU, g.src_line * 64, in_b * self.batches, "u8"),
            MemRef("out", POOL_KPU, g.dst_line * 64, out_b * self.batches, "u8"),
        ]
        if self.main_mem_output.size:
            refs.append(self.main_mem_output.ref("main_out"))
        return tuple(refs)


# ---------------------------------------------------------------------------------------------- file


@dataclass(frozen=True)
class Header:
    identifier: int
    version: int
    flags: int
    target: int
    constants: int
    main_mem: int
    nodes: int
    inputs: int
    outputs: int
    reserved0: int


@dataclass(frozen=True)
class Node:
    index: int
    opcode: int
    body_size: int
    offset: int
    raw: bytes = field(repr=False)
    body: Body

    @property
    def name(self) -> str:
        return opcode_name(self.opcode)

    @property
    def is_kpu(self) -> bool:
        return self.opcode == Opcode.KPU_CONV2D


@dataclass(frozen=True)
class KModelV4:
    header: Header
    inputs: tuple[MemoryRange, ...]
    input_shapes: tuple[Shape, ...]
    outputs: tuple[MemoryRange, ...]
    constants_offset: int
    constants: bytes = field(repr=False)
    nodes: tuple[Node, ...] = ()
    bodies_start: int = 0
    file_size: int = 0
