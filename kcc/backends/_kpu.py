"""The few KPU layer-argument fields a container reader needs for sizes and validation.

The full decoder/encoder of the 12 words is `kcc.k210.layer_argument.LayerArgument`; this module only
pulls out geometry (channels, sizes, kernel, addresses) straight from the raw words so that the reader
can size the weight/BN blocks and check KPU RAM ranges before anything else touches the data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from kcc.backends._binary import KPU_LINE_BYTES, KPU_LINES, kpu_map_bytes
from kcc.errors import KccError
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable

POOL_NAMES = (
    "bypass",
    "max_2_s2",
    "mean_2_s2",
    "max_4_s4",
    "mean_4_s4",
    "left_top_2_s2",
    "right_top_2_s2",
    "left_top_4_s4",
    "mean_2_s1",
    "max_2_s1",
)
POOL_STRIDE = (1, 2, 2, 4, 4, 2, 2, 4, 1, 1)


def _bits(word: int, lo: int, width: int) -> int:
    return (word >> lo) & ((1 << width) - 1)


@dataclass(frozen=True)
class KpuGeometry:
    """Geometry of one KPU layer read from its 12 register words."""

    depthwise: bool
    src_line: int
    dst_line: int
    in_channels: int
    out_channels: int
    out_channels_per_load: int
    in_width: int
    in_height: int
    out_width: int
    out_height: int
    kernel: int  # 1 or 3
    kernel_type: int
    pool_type: int
    pad_value: int
    load_time: int
    para_size: int
    in_ch_lines: int
    in_row_len: int
    in_groups: int
    out_ch_lines: int
    out_row_len: int
    out_groups: int
    send_data_out: bool
    bwsx_base_addr: int
    para_start_addr: int
    active_addr: int

    @property
    def weight_count(self) -> int:
        k2 = self.kernel * self.kernel
        return self.out_channels * k2 if self.depthwise else self.out_channels * self.in_channels * k2

    @property
    def in_bytes(self) -> int:
        return kpu_map_bytes(self.in_channels, 1, self.in_groups, self.in_ch_lines)

    @property
    def out_bytes(self) -> int:
        return kpu_map_bytes(self.out_channels, 1, self.out_groups, self.out_ch_lines)

    @property
    def pool_name(self) -> str:
        return POOL_NAMES[self.pool_type] if self.pool_type < len(POOL_NAMES) else f"pool{self.pool_type}"


def kpu_geometry(raw: bytes) -> KpuGeometry:
    w = struct.unpack("<12Q", raw)
    return KpuGeometry(
        depthwise=bool(_bits(w[0], 3, 1)),
        src_line=_bits(w[1], 0, 15),
        dst_line=_bits(w[1], 32, 15),
        in_channels=_bits(w[2], 0, 10) + 1,
        out_channels=_bits(w[2], 32, 10) + 1,
        out_channels_per_load=_bits(w[2], 48, 10) + 1,
        in_width=_bits(w[3], 0, 10) + 1,
        in_height=_bits(w[3], 10, 9) + 1,
        out_width=_bits(w[3], 32, 10) + 1,
        out_height=_bits(w[3], 42, 9) + 1,
        kernel=3 if _bits(w[4], 0, 3) == 1 else 1,
        kernel_type=_bits(w[4], 0, 3),
        pool_type=_bits(w[4], 4, 4),
        pad_value=_bits(w[4], 24, 8),
        bwsx_base_addr=_bits(w[4], 32, 32),
        load_time=_bits(w[5], 1, 6) + 1,
        para_size=_bits(w[5], 15, 17),
        para_start_addr=_bits(w[5], 32, 32),
        in_ch_lines=_bits(w[7], 0, 15),
        in_row_len=_bits(w[7], 16, 4),
        in_groups=_bits(w[7], 28, 3),
        active_addr=_bits(w[7], 32, 32),
        out_ch_lines=_bits(w[8], 0, 15),
        out_row_len=_bits(w[8], 16, 4),
        out_groups=_bits(w[8], 20, 3),
        send_data_out=bool(_bits(w[11], 0, 1)),
    )


def validate_kpu_geometry(g: KpuGeometry, what: str, index: int) -> None:
    """The checks a KPU layer must pass before it can be simulated; raises a one-line KccError."""

    def fail(msg: str) -> KccError:
        return KccError(msg, op=what, index=index)

    if g.kernel_type not in (0, 1):
        raise fail(f"kernel_type {g.kernel_type} is not 0 (1x1) or 1 (3x3)")
    if g.pool_type >= len(POOL_NAMES):
        raise fail(f"pool_type {g.pool_type} is not a KPU pool code (0..9)")
    for name, grp in (("coef_group", g.in_groups), ("wb_group", g.out_groups)):
        if grp not in (1, 2, 4):
            raise fail(f"{name} {grp} must be 1, 2 or 4")
    for name, row_len, width, grp in (
        ("row_switch_addr", g.in_row_len, g.in_width, g.in_groups),
        ("wb_row_switch_addr", g.out_row_len, g.out_width, g.out_groups),
    ):
        if grp > 1 and width > KPU_LINE_BYTES // grp:
            raise fail(f"width {width} does not fit {grp} channels per 64-byte line")
        if row_len * KPU_LINE_BYTES < width:
            raise fail(f"{name} {row_len} lines per row cannot hold a row of width {width}")
    if g.in_ch_lines < g.in_row_len * g.in_height:
        raise fail(f"channel_switch_addr {g.in_ch_lines} < row_len {g.in_row_len} x height {g.in_height}")
    if g.out_ch_lines < g.out_row_len * g.out_height:
        raise fail(f"wb_channel_switch_addr {g.out_ch_lines} < row_len {g.out_row_len} x height {g.out_height}")
    if g.depthwise and g.in_channels != g.out_channels:
        raise fail(f"depthwise layer needs equal channels, got {g.in_channels} in and {g.out_channels} out")
    stride = POOL_STRIDE[g.pool_type]
    if (g.in_height // stride, g.in_width // stride) != (g.out_height, g.out_width):
        raise fail(
            f"pool {g.pool_name} maps {g.in_height}x{g.in_width} to {g.in_height // stride}x{g.in_width // stride}, "
            f"registers say {g.out_height}x{g.out_width}"
        )
    for name, line, nbytes in (("image_src_addr", g.src_line, g.in_bytes), ("image_dst_addr", g.dst_line, g.out_bytes)):
        if line * KPU_LINE_BYTES + nbytes > KPU_LINES * KPU_LINE_BYTES:
            raise fail(f"{name} line {line} + {nbytes} bytes runs past the 2 MiB KPU RAM")


def decode_kpu_blocks(
    arg_raw: bytes, bn_raw: bytes, act_raw: bytes, what: str, index: int
) -> tuple[LayerArgument, BatchNormTable, ActivationTable]:
    """Decode the register block, BN table and activation table with the kcc.k210 codecs."""
    try:
        arg = LayerArgument.decode(arg_raw)
        bn = BatchNormTable.decode(bn_raw, len(bn_raw) // 8)
        act = ActivationTable.decode(act_raw)
    except ValueError as e:
        raise KccError(f"cannot decode KPU tables: {e}", op=what, index=index) from None
    return arg, bn, act
