"""kmodel v3 (Kendryte standalone SDK / nncase v0.1 / Maix-EMC) as plain frozen dataclasses.

Layout (spec k210-kpu-and-kmodel-v3 §5): 28-byte header, output table, layer-header table, bodies.
Addresses called `*_addr` are byte offsets in the main buffer; `kpu_*_line` are 64-byte KPU RAM lines;
`*_offset` in a K210_CONV body are absolute file offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from kcc.backends._binary import KPU_LINE_BYTES, dense_map_kpu_bytes, kpu_map_bytes
from kcc.backends._kpu import KpuGeometry
from kcc.backends.common import POOL_KPU, MemRef, main
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable

HEADER_BYTES = 28
VERSION = 3
FLAG_8BIT = 1
KLF_MAIN_MEM_OUT = 1


class LayerType(IntEnum):
    INVALID = 0
    ADD = 1
    QUANTIZED_ADD = 2
    GLOBAL_MAX_POOL2D = 3
    QUANTIZED_GLOBAL_MAX_POOL2D = 4
    GLOBAL_AVERAGE_POOL2D = 5
    QUANTIZED_GLOBAL_AVERAGE_POOL2D = 6
    MAX_POOL2D = 7
    QUANTIZED_MAX_POOL2D = 8
    AVERAGE_POOL2D = 9
    QUANTIZED_AVERAGE_POOL2D = 10
    QUANTIZE = 11
    DEQUANTIZE = 12
    REQUANTIZE = 13
    L2_NORMALIZATION = 14
    SOFTMAX = 15
    CONCAT = 16
    QUANTIZED_CONCAT = 17
    FULLY_CONNECTED = 18
    QUANTIZED_FULLY_CONNECTED = 19
    TENSORFLOW_FLATTEN = 20
    QUANTIZED_TENSORFLOW_FLATTEN = 21
    RESIZE_NEAREST_NEIGHBOR = 22
    QUANTIZED_RESIZE_NEAREST_NEIGHBOR = 23
    CHANNELWISE_DEQUANTIZE = 24
    LOGISTIC = 25
    K210_CONV = 10240
    K210_ADD_PADDING = 10241
    K210_REMOVE_PADDING = 10242
    K210_UPLOAD = 10243


def type_name(code: int) -> str:
    try:
        return f"KL_{LayerType(code).name}"
    except ValueError:
        return f"KL_UNKNOWN_{code}"


# ---------------------------------------------------------------------------------------------- bodies


@dataclass(frozen=True)
class Body:
    flags: int

    def ranges(self) -> tuple[MemRef, ...]:
        return ()

    @property
    def dt(self) -> str:
        """Element type of the layer's data: u8 for the quantized forms, else f32."""
        return "u8" if getattr(self, "quantized", False) else "f32"


@dataclass(frozen=True)
class InOutBody(Body):
    """A layer body that starts with its main-RAM input and output addresses."""

    in_addr: int
    out_addr: int


@dataclass(frozen=True)
class _AddHead(Body):
    in_a: int
    in_b: int
    out: int
    count: int

    def ranges(self) -> tuple[MemRef, ...]:
        return tuple(main(role, getattr(self, role), self.count, self.dt) for role in ("in_a", "in_b", "out"))


@dataclass(frozen=True)
class AddBody(_AddHead):
    """1 ADD: out = a + b (f32)."""


@dataclass(frozen=True)
class QuantizedAddBody(_AddHead):
    """2 QUANTIZED_ADD."""

    a_offset: int
    a_mul: int
    a_shift: int
    b_offset: int
    b_mul: int
    b_shift: int
    out_offset: int
    out_mul: int
    out_shift: int

    quantized: ClassVar[bool] = True


@dataclass(frozen=True)
class GlobalPoolBody(InOutBody):
    """3/4/5/6 global max/average pool over `kernel_size` = H·W values per channel (CHW input)."""

    kernel_size: int
    channels: int
    quantized: bool

    def ranges(self) -> tuple[MemRef, ...]:
        dt = self.dt
        return (main("in", self.in_addr, self.kernel_size * self.channels, dt), main("out", self.out_addr, self.channels, dt))


@dataclass(frozen=True)
class Pool2dBody(InOutBody):
    """7/8/9/10 windowed pool; `act` only exists in the float average/max layout (64 bytes)."""

    in_w: int
    in_h: int
    in_c: int
    out_w: int
    out_h: int
    out_c: int
    kernel_w: int
    kernel_h: int
    stride_w: int
    stride_h: int
    pad_w: int
    pad_h: int
    act: int | None
    quantized: bool

    def ranges(self) -> tuple[MemRef, ...]:
        dt = self.dt
        return (
            main("in", self.in_addr, self.in_w * self.in_h * self.in_c, dt),
            main("out", self.out_addr, self.out_w * self.out_h * self.out_c, dt),
        )


@dataclass(frozen=True)
class QuantParamBody(InOutBody):
    """11 QUANTIZE (f32 -> u8) / 12 DEQUANTIZE (u8 -> f32): x = q·scale + bias."""

    count: int
    scale: float
    bias: float
    dequantize: bool

    def ranges(self) -> tuple[MemRef, ...]:
        a, b = ("u8", "f32") if self.dequantize else ("f32", "u8")
        return (main("in", self.in_addr, self.count, a), main("out", self.out_addr, self.count, b))


@dataclass(frozen=True)
class RequantizeBody(InOutBody):
    """13 REQUANTIZE: out = table[in]."""

    count: int
    table: bytes = field(repr=False)

    def ranges(self) -> tuple[MemRef, ...]:
        return (main("in", self.in_addr, self.count, "u8"), main("out", self.out_addr, self.count, "u8"))


@dataclass(frozen=True)
class ChannelsBody(InOutBody):
    """14 L2_NORMALIZATION, 15 SOFTMAX, 25 LOGISTIC: f32 vector of `channels` values."""

    channels: int

    def ranges(self) -> tuple[MemRef, ...]:
        return (main("in", self.in_addr, self.channels, "f32"), main("out", self.out_addr, self.channels, "f32"))


@dataclass(frozen=True)
class ConcatBody(Body):
    """16/17 CONCAT: byte copy of each (start, size) input, back to back, to `out_addr`."""

    out_addr: int
    inputs: tuple[tuple[int, int], ...]

    def ranges(self) -> tuple[MemRef, ...]:
        ins = tuple(main(f"in{i}", s, n, "u8") for i, (s, n) in enumerate(self.inputs))
        return (*ins, main("out", self.out_addr, sum(n for _, n in self.inputs), "u8"))


@dataclass(frozen=True)
class FullyConnectedBody(InOutBody):
    """18 FULLY_CONNECTED (f32): y = W·x + b, then act (0 none, 1 relu, 2 relu6)."""

    in_channels: int
    out_channels: int
    act: int
    weights: NDArray[np.float32] = field(repr=False, compare=False)  # [out][in]
    bias: NDArray[np.float32] = field(repr=False, compare=False)

    def ranges(self) -> tuple[MemRef, ...]:
        return (main("in", self.in_addr, self.in_channels, "f32"), main("out", self.out_addr, self.out_channels, "f32"))


@dataclass(frozen=True)
class FlattenBody(InOutBody):
    """20/21 TENSORFLOW_FLATTEN: CHW -> HWC (f32 or u8)."""

    width: int
    height: int
    channels: int
    quantized: bool

    def ranges(self) -> tuple[MemRef, ...]:
        dt = self.dt
        n = self.width * self.height * self.channels
        return (main("in", self.in_addr, n, dt), main("out", self.out_addr, n, dt))


@dataclass(frozen=True)
class ResizeNearestBody(InOutBody):
    """22/23 RESIZE_NEAREST_NEIGHBOR (align_corners is stored but ignored by the runtime)."""

    in_w: int
    in_h: int
    channels: int
    out_w: int
    out_h: int
    align_corners: int
    quantized: bool

    def ranges(self) -> tuple[MemRef, ...]:
        dt = self.dt
        return (
            main("in", self.in_addr, self.in_w * self.in_h * self.channels, dt),
            main("out", self.out_addr, self.out_w * self.out_h * self.channels, dt),
        )


@dataclass(frozen=True)
class ChannelwiseDequantizeBody(InOutBody):
    """24 CHANNELWISE_DEQUANTIZE: y = q·scale[c] + bias[c] over blocks of `channel_size` values."""

    channels: int
    channel_size: int
    scales: NDArray[np.float32] = field(repr=False, compare=False)
    biases: NDArray[np.float32] = field(repr=False, compare=False)

    def ranges(self) -> tuple[MemRef, ...]:
        n = self.channels * self.channel_size
        return (main("in", self.in_addr, n, "u8"), main("out", self.out_addr, n, "f32"))


@dataclass(frozen=True)
class AddPaddingBody(Body):
    """10241 K210_ADD_PADDING: byte c -> pixel (0,0) of channel c of a 4x4 groups-4 KPU map."""

    main_in: int
    kpu_out_line: int
    channels: int

    def ranges(self) -> tuple[MemRef, ...]:
        return (
            main("in", self.main_in, self.channels, "u8"),
            MemRef("out", POOL_KPU, self.kpu_out_line * KPU_LINE_BYTES, kpu_map_bytes(self.channels, 4, 4, 1), "u8"),
        )


@dataclass(frozen=True)
class RemovePaddingBody(Body):
    """10242 K210_REMOVE_PADDING: out[c] = in[16c]."""

    main_in: int
    main_out: int
    channels: int

    def ranges(self) -> tuple[MemRef, ...]:
        return (main("in", self.main_in, self.channels * 16, "u8"), main("out", self.main_out, self.channels, "u8"))


@dataclass(frozen=True)
class UploadBody(Body):
    """10243 K210_UPLOAD: dense CHW u8 in main -> KPU layout at `kpu_out_line`."""

    main_in: int
    kpu_out_line: int
    width: int
    height: int
    channels: int

    def ranges(self) -> tuple[MemRef, ...]:
        return (
            main("in", self.main_in, self.width * self.height * self.channels, "u8"),
            MemRef(
                "out",
                POOL_KPU,
                self.kpu_out_line * KPU_LINE_BYTES,
                dense_map_kpu_bytes(self.channels, self.height, self.width),
                "u8",
            ),
        )


@dataclass(frozen=True)
class K210ConvBody(Body):
    """10240 K210_CONV: six words, then (at absolute file offsets) registers, weights, BN table, activation table."""

    main_mem_out_address: int
    layer_offset: int
    weights_offset: int
    bn_offset: int
    act_offset: int
    geometry: KpuGeometry
    arg_raw: bytes = field(repr=False)
    bn_raw: bytes = field(repr=False)
    act_raw: bytes = field(repr=False)
    weights: NDArray[np.generic] = field(repr=False, compare=False)  # u8 or u16, flat OIHW / C·k·k
    arg: LayerArgument = field(repr=False, compare=False)
    bn: BatchNormTable = field(repr=False, compare=False)
    act: ActivationTable = field(repr=False, compare=False)

    @property
    def main_mem_out(self) -> bool:
        return bool(self.flags & KLF_MAIN_MEM_OUT)

    def ranges(self) -> tuple[MemRef, ...]:
        g = self.geometry
        refs = [
            MemRef("in", POOL_KPU, g.src_line * KPU_LINE_BYTES, g.in_bytes, "u8"),
            MemRef("out", POOL_KPU, g.dst_line * KPU_LINE_BYTES, g.out_bytes, "u8"),
        ]
        if self.main_mem_out:
            refs.append(main("main_out", self.main_mem_out_address, g.out_channels * g.out_height * g.out_width, "u8"))
        return tuple(refs)


@dataclass(frozen=True)
class OpaqueBody(Body):
    """A defined layer type whose body layout no source documents (19 QUANTIZED_FULLY_CONNECTED) or 0 INVALID."""


# ---------------------------------------------------------------------------------------------- file


@dataclass(frozen=True)
class Header:
    version: int
    flags: int
    arch: int
    layers_length: int
    max_start_address: int
    main_mem_usage: int
    output_count: int

    @property
    def eight_bit(self) -> bool:
        return bool(self.flags & FLAG_8BIT)


@dataclass(frozen=True)
class Output:
    address: int
    size: int


@dataclass(frozen=True)
class Layer:
    index: int
    type: int
    body_size: int
    offset: int  # absolute file offset of the body
    raw: bytes = field(repr=False)  # body bytes as present in the file (may be short by the unwritten tail padding)
    body: Body

    @property
    def name(self) -> str:
        return type_name(self.type)

    @property
    def is_kpu(self) -> bool:
        return self.type == LayerType.K210_CONV


@dataclass(frozen=True)
class KModelV3:
    header: Header
    outputs: tuple[Output, ...]
    layers: tuple[Layer, ...]
    body_start: int
    file_size: int
