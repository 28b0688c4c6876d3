"""The KPU layer argument (`kpu_layer_argument_t`): 12 little-endian u64 words, 96 bytes.

Bit positions are LSB-first within each word (spec k210-kpu-and-kmodel-v3.md §2; identical in kmodel v4,
kmodel-v4-and-nncase-0.2.md §3.4). Every bit of the 768 is owned by exactly one field of
:class:`LayerArgument`, including the reserved ones, so ``LayerArgument.decode(b).encode() == b`` for every
96-byte input.

Field values are plain ints:

* unsigned fields hold the raw bitfield value (``i_ch_num`` is "channels - 1", as in the register);
* the three signed fields are stored sign-extended: ``arg_w``/``arg_x`` (24-bit two's complement) and
  ``arg_add`` (40-bit two's complement, i.e. bits 0-39 of ``conv_value2`` only);
* ``conv_value2_reserved`` holds bits 40-63 of ``conv_value2`` verbatim — Maix-EMC leaves sign-extension
  ones there when arg_add < 0 (spec §7 pitfall 7); the hardware ignores them, so does :mod:`kpu_layer`.

KPU RAM addresses (``image_src_addr``, ``image_dst_addr``) are in 64-byte lines (spec §1.2).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, fields
from typing import ClassVar, NamedTuple

__all__ = [
    "LAYER_ARGUMENT_BYTES",
    "LAYER_ARGUMENT_FIELDS",
    "LAYER_ARGUMENT_WORDS",
    "WORD_NAMES",
    "BitField",
    "LayerArgument",
    "make_layer_argument",
]

LAYER_ARGUMENT_WORDS = 12
LAYER_ARGUMENT_BYTES = 96

WORD_NAMES: tuple[str, ...] = (
    "interrupt_enabe",
    "image_addr",
    "image_channel_num",
    "image_size",
    "kernel_pool_type_cfg",
    "kernel_load_cfg",
    "kernel_offset",
    "kernel_calc_type_cfg",
    "write_back_cfg",
    "conv_value",
    "conv_value2",
    "dma_parameter",
)


class BitField(NamedTuple):
    """One register bitfield: ``word`` index (0-11), ``lo`` bit, ``width`` bits, two's complement if ``signed``."""

    name: str
    word: int
    lo: int
    width: int
    signed: bool = False


# fmt: off
LAYER_ARGUMENT_FIELDS: tuple[BitField, ...] = (
    # word 0: interrupt_enabe
    BitField("int_en", 0, 0, 1),
    BitField("ram_flag", 0, 1, 1),
    BitField("full_add", 0, 2, 1),
    BitField("depth_wise_layer", 0, 3, 1),
    BitField("interrupt_enabe_reserved", 0, 4, 60),
    # word 1: image_addr
    BitField("image_src_addr", 1, 0, 15),
    BitField("image_addr_reserved0", 1, 15, 17),
    BitField("image_dst_addr", 1, 32, 15),
    BitField("image_addr_reserved1", 1, 47, 17),
    # word 2: image_channel_num
    BitField("i_ch_num", 2, 0, 10),
    BitField("image_channel_num_reserved0", 2, 10, 22),
    BitField("o_ch_num", 2, 32, 10),
    BitField("image_channel_num_reserved1", 2, 42, 6),
    BitField("o_ch_num_coef", 2, 48, 10),
    BitField("image_channel_num_reserved2", 2, 58, 6),
    # word 3: image_size
    BitField("i_row_wid", 3, 0, 10),
    BitField("i_col_high", 3, 10, 9),
    BitField("image_size_reserved0", 3, 19, 13),
    BitField("o_row_wid", 3, 32, 10),
    BitField("o_col_high", 3, 42, 9),
    BitField("image_size_reserved1", 3, 51, 13),
    # word 4: kernel_pool_type_cfg
    BitField("kernel_type", 4, 0, 3),
    BitField("pad_type", 4, 3, 1),
    BitField("pool_type", 4, 4, 4),
    BitField("first_stride", 4, 8, 1),
    BitField("bypass_conv", 4, 9, 1),
    BitField("load_para", 4, 10, 1),
    BitField("kernel_pool_type_cfg_reserved0", 4, 11, 5),
    BitField("dma_burst_size", 4, 16, 8),
    BitField("pad_value", 4, 24, 8),
    BitField("bwsx_base_addr", 4, 32, 32),
    # word 5: kernel_load_cfg
    BitField("load_coor", 5, 0, 1),
    BitField("load_time", 5, 1, 6),
    BitField("kernel_load_cfg_reserved0", 5, 7, 8),
    BitField("para_size", 5, 15, 17),
    BitField("para_start_addr", 5, 32, 32),
    # word 6: kernel_offset
    BitField("coef_column_offset", 6, 0, 4),
    BitField("coef_row_offset", 6, 4, 12),
    BitField("kernel_offset_reserved0", 6, 16, 48),
    # word 7: kernel_calc_type_cfg
    BitField("channel_switch_addr", 7, 0, 15),
    BitField("kernel_calc_type_cfg_reserved0", 7, 15, 1),
    BitField("row_switch_addr", 7, 16, 4),
    BitField("coef_size", 7, 20, 8),
    BitField("coef_group", 7, 28, 3),
    BitField("load_act", 7, 31, 1),
    BitField("active_addr", 7, 32, 32),
    # word 8: write_back_cfg
    BitField("wb_channel_switch_addr", 8, 0, 15),
    BitField("write_back_cfg_reserved0", 8, 15, 1),
    BitField("wb_row_switch_addr", 8, 16, 4),
    BitField("wb_group", 8, 20, 3),
    BitField("write_back_cfg_reserved1", 8, 23, 41),
    # word 9: conv_value
    BitField("shr_w", 9, 0, 4),
    BitField("shr_x", 9, 4, 4),
    BitField("arg_w", 9, 8, 24, signed=True),
    BitField("arg_x", 9, 32, 24, signed=True),
    BitField("conv_value_reserved0", 9, 56, 8),
    # word 10: conv_value2
    BitField("arg_add", 10, 0, 40, signed=True),
    BitField("conv_value2_reserved", 10, 40, 24),
    # word 11: dma_parameter
    BitField("send_data_out", 11, 0, 1),
    BitField("dma_parameter_reserved0", 11, 1, 15),
    BitField("channel_byte_num", 11, 16, 16),
    BitField("dma_total_byte", 11, 32, 32),
)
# fmt: on

_FIELD_BY_NAME: dict[str, BitField] = {f.name: f for f in LAYER_ARGUMENT_FIELDS}


def _check_field_table() -> None:
    covered = [0] * LAYER_ARGUMENT_WORDS
    for f in LAYER_ARGUMENT_FIELDS:
        mask = ((1 << f.width) - 1) << f.lo
        assert covered[f.word] & mask == 0, f"overlapping bitfield {f.name}"
        covered[f.word] |= mask
    assert all(c == (1 << 64) - 1 for c in covered), "layer-argument field table leaves bits uncovered"


_check_field_table()


def _sign_extend(value: int, width: int) -> int:
    sign = 1 << (width - 1)
    return (value & (sign - 1)) - (value & sign)


@dataclass
class LayerArgument:
    """The 12-word KPU layer argument, one int per bitfield (reserved bits included).

    Defaults are all zero. See the module docstring for the value conventions, and
    :data:`LAYER_ARGUMENT_FIELDS` for (word, lo, width, signed) of every field.
    """

    # word 0: interrupt_enabe
    int_en: int = 0
    ram_flag: int = 0
    full_add: int = 0
    depth_wise_layer: int = 0
    interrupt_enabe_reserved: int = 0
    # word 1: image_addr (64-byte lines)
    image_src_addr: int = 0
    image_addr_reserved0: int = 0
    image_dst_addr: int = 0
    image_addr_reserved1: int = 0
    # word 2: image_channel_num (all "minus one")
    i_ch_num: int = 0
    image_channel_num_reserved0: int = 0
    o_ch_num: int = 0
    image_channel_num_reserved1: int = 0
    o_ch_num_coef: int = 0
    image_channel_num_reserved2: int = 0
    # word 3: image_size (all "minus one"; output = after pooling)
    i_row_wid: int = 0
    i_col_high: int = 0
    image_size_reserved0: int = 0
    o_row_wid: int = 0
    o_col_high: int = 0
    image_size_reserved1: int = 0
    # word 4: kernel_pool_type_cfg
    kernel_type: int = 0
    pad_type: int = 0
    pool_type: int = 0
    first_stride: int = 0
    bypass_conv: int = 0
    load_para: int = 0
    kernel_pool_type_cfg_reserved0: int = 0
    dma_burst_size: int = 0
    pad_value: int = 0
    bwsx_base_addr: int = 0
    # word 5: kernel_load_cfg
    load_coor: int = 0
    load_time: int = 0
    kernel_load_cfg_reserved0: int = 0
    para_size: int = 0
    para_start_addr: int = 0
    # word 6: kernel_offset
    coef_column_offset: int = 0
    coef_row_offset: int = 0
    kernel_offset_reserved0: int = 0
    # word 7: kernel_calc_type_cfg
    channel_switch_addr: int = 0
    kernel_calc_type_cfg_reserved0: int = 0
    row_switch_addr: int = 0
    coef_size: int = 0
    coef_group: int = 0
    load_act: int = 0
    active_addr: int = 0
    # word 8: write_back_cfg
    wb_channel_switch_addr: int = 0
    write_back_cfg_reserved0: int = 0
    wb_row_switch_addr: int = 0
    wb_group: int = 0
    write_back_cfg_reserved1: int = 0
    # word 9: conv_value
    shr_w: int = 0
    shr_x: int = 0
    arg_w: int = 0
    arg_x: int = 0
    conv_value_reserved0: int = 0
    # word 10: conv_value2
    arg_add: int = 0
    conv_value2_reserved: int = 0
    # word 11: dma_parameter
    send_data_out: int = 0
    dma_parameter_reserved0: int = 0
    channel_byte_num: int = 0
    dma_total_byte: int = 0

    FIELDS: ClassVar[tuple[BitField, ...]] = LAYER_ARGUMENT_FIELDS

    # ------------------------------------------------------------------ encoding

    @classmethod
    def from_words(cls, words: tuple[int, ...] | list[int]) -> LayerArgument:
        """Decode 12 unsigned 64-bit words."""
        if len(words) != LAYER_ARGUMENT_WORDS:
            raise ValueError(f"a layer argument has 12 words, got {len(words)}")
        values: dict[str, int] = {}
        for f in LAYER_ARGUMENT_FIELDS:
            w = words[f.word]
            if not 0 <= w < 1 << 64:
                raise ValueError(f"word {f.word} ({WORD_NAMES[f.word]}) = {w} is not a u64")
            raw = (w >> f.lo) & ((1 << f.width) - 1)
            values[f.name] = _sign_extend(raw, f.width) if f.signed else raw
        return cls(**values)

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview) -> LayerArgument:
        """Decode 96 bytes (12 little-endian u64). Exact: ``decode(b).encode() == b`` for every input."""
        if len(data) != LAYER_ARGUMENT_BYTES:
            raise ValueError(f"a layer argument is 96 bytes, got {len(data)}")
        return cls.from_words(list(struct.unpack("<12Q", bytes(data))))

    def words(self) -> tuple[int, ...]:
        """The 12 unsigned 64-bit words. Raises ValueError if a field does not fit its bitfield."""
        out = [0] * LAYER_ARGUMENT_WORDS
        for f in LAYER_ARGUMENT_FIELDS:
            v = getattr(self, f.name)
            if not isinstance(v, int):
                raise TypeError(f"layer argument field {f.name} must be an int, got {type(v).__name__}")
            if f.signed:
                lo, hi = -(1 << (f.width - 1)), (1 << (f.width - 1)) - 1
            else:
                lo, hi = 0, (1 << f.width) - 1
            if not lo <= v <= hi:
                raise ValueError(f"layer argument field {f.name} = {v} does not fit {f.width} bits ({lo}…{hi})")
            out[f.word] |= (v & ((1 << f.width) - 1)) << f.lo
        return tuple(out)

    def encode(self) -> bytes:
        """96 bytes, 12 little-endian u64 words."""
        return struct.pack("<12Q", *self.words())

    def field_values(self) -> dict[str, int]:
        """All fields by name, in register order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @staticmethod
    def field(name: str) -> BitField:
        """The :class:`BitField` description of one field."""
        return _FIELD_BY_NAME[name]

    # ------------------------------------------------------------------ derived views

    @property
    def in_channels(self) -> int:
        return self.i_ch_num + 1

    @property
    def out_channels(self) -> int:
        return self.o_ch_num + 1

    @property
    def in_width(self) -> int:
        return self.i_row_wid + 1

    @property
    def in_height(self) -> int:
        return self.i_col_high + 1

    @property
    def out_width(self) -> int:
        return self.o_row_wid + 1

    @property
    def out_height(self) -> int:
        return self.o_col_high + 1

    @property
    def depthwise(self) -> bool:
        return self.depth_wise_layer != 0

    @property
    def kernel_size(self) -> int:
        """1 for kernel_type 0, 3 for kernel_type 1; raises ValueError for other codes."""
        if self.kernel_type == 0:
            return 1
        if self.kernel_type == 1:
            return 3
        raise ValueError(f"kernel_type {self.kernel_type} is not a KPU kernel (0 = 1x1, 1 = 3x3)")

    @property
    def weight_count(self) -> int:
        """Number of weight elements: OC·IC·k² (normal) or OC·k² (depthwise)."""
        k2 = self.kernel_size**2
        return self.out_channels * k2 * (1 if self.depthwise else self.in_channels)

    def with_fields(self, **changes: int) -> LayerArgument:
        """A copy with some fields replaced."""
        values = self.field_values()
        for k, v in changes.items():
            if k not in values:
                raise KeyError(f"no layer-argument field {k!r}")
            values[k] = v
        return LayerArgument(**values)


def make_layer_argument(
    *,
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel: int,
    pool_type: int = 0,
    depthwise: bool = False,
    src_addr: int = 0,
    dst_addr: int = 0,
    pad_value: int = 0,
    arg_x: int = 0,
    shr_x: int = 0,
    arg_w: int = 0,
    shr_w: int = 0,
    arg_add: int = 0,
    send_data_out: bool = False,
    weight_bytes: int = 1,
    load_limit: int = 30 * 1024,
) -> LayerArgument:
    """A consistent layer argument the way the generators write it (spec §2 "generator value", §5.9):
    sizes minus one, convention layouts (kpu_ram.row_layout) for input and output, load_para = load_coor =
    load_act = 1, dma_burst_size 15, the three physical-address fields 0, weight chunking by ``load_limit``
    bytes per load (nncase: 30 KiB; depthwise: one load). ``height``/``width`` are the input's; the output
    size follows from ``pool_type``. Addresses are in 64-byte lines.
    """
    from kcc.k210.kpu_ram import row_layout

    stride = {0: 1, 1: 2, 2: 2, 3: 4, 4: 4, 5: 2, 6: 2, 7: 4, 8: 1, 9: 1}[pool_type]
    oh, ow = height // stride, width // stride
    lin = row_layout(height, width)
    lout = row_layout(oh, ow)
    k2 = kernel * kernel
    if depthwise:
        per_load, para_size = out_channels, out_channels * k2 * weight_bytes
    else:
        per_oc = k2 * in_channels * weight_bytes
        per_load = max(1, min(out_channels, load_limit // per_oc))
        para_size = per_oc * per_load
    loads = -(-out_channels // per_load)
    return LayerArgument(
        depth_wise_layer=int(depthwise),
        image_src_addr=src_addr,
        image_dst_addr=dst_addr,
        i_ch_num=in_channels - 1,
        o_ch_num=out_channels - 1,
        o_ch_num_coef=per_load - 1,
        i_row_wid=width - 1,
        i_col_high=height - 1,
        o_row_wid=ow - 1,
        o_col_high=oh - 1,
        kernel_type={1: 0, 3: 1}[kernel],
        pool_type=pool_type,
        load_para=1,
        dma_burst_size=15,
        pad_value=pad_value,
        load_coor=1,
        load_time=loads - 1,
        para_size=para_size,
        channel_switch_addr=lin.channel_switch,
        row_switch_addr=lin.row_len,
        coef_group=lin.groups,
        load_act=1,
        wb_channel_switch_addr=lout.channel_switch,
        wb_row_switch_addr=lout.row_len,
        wb_group=lout.groups,
        shr_w=shr_w,
        shr_x=shr_x,
        arg_w=arg_w,
        arg_x=arg_x,
        arg_add=arg_add,
        send_data_out=int(send_data_out),
        channel_byte_num=oh * ow - 1,
        dma_total_byte=oh * ow * out_channels - 1,
    )
