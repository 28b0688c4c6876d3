"""LayerArgument: bit-exact encode/decode of every bitfield (spec §2)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcc.k210.layer_argument import (
    LAYER_ARGUMENT_FIELDS,
    LayerArgument,
    make_layer_argument,
)

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"

YOLO_L0_WORDS = (
    0,
    0x71F0,
    0x000F000F00000002,
    0x0001DC9F0003BD3F,
    0x00000000000F0411,
    0x0000000000D80001,
    0,
    0x00000000900504B0,
    0x0000000000130168,
    0x00BD0000000000F0,
    0,
    0x0004AFFF4AFF0000,
)


def test_yolo_layer0_test_vector() -> None:
    a = LayerArgument.from_words(YOLO_L0_WORDS)
    assert (a.image_src_addr, a.image_dst_addr) == (29168, 0)
    assert (a.in_channels, a.out_channels, a.o_ch_num_coef) == (3, 16, 15)
    assert (a.in_width, a.in_height, a.out_width, a.out_height) == (320, 240, 160, 120)
    assert (a.kernel_type, a.kernel_size, a.pool_type, a.load_para, a.dma_burst_size, a.pad_value) == (1, 3, 1, 1, 15, 0)
    assert (a.load_coor, a.load_time, a.para_size) == (1, 0, 432)
    assert (a.channel_switch_addr, a.row_switch_addr, a.coef_group, a.load_act) == (1200, 5, 1, 1)
    assert (a.wb_channel_switch_addr, a.wb_row_switch_addr, a.wb_group) == (360, 3, 1)
    assert (a.shr_x, a.arg_x, a.shr_w, a.arg_w, a.arg_add) == (15, -4390912, 0, 0, 0)
    assert a.arg_x == -134 * 2**15
    assert (a.channel_byte_num, a.dma_total_byte) == (160 * 120 - 1, 160 * 120 * 16 - 1)
    assert a.words() == YOLO_L0_WORDS
    assert a.encode() == struct.pack("<12Q", *YOLO_L0_WORDS)


def test_make_layer_argument_reproduces_yolo_layer0() -> None:
    a = make_layer_argument(
        in_channels=3, out_channels=16, height=240, width=320, kernel=3, pool_type=1, src_addr=29168, arg_x=-4390912, shr_x=15
    )
    assert a.words() == YOLO_L0_WORDS


def test_field_table_covers_every_bit_once() -> None:
    for word in range(12):
        mask = 0
        for f in LAYER_ARGUMENT_FIELDS:
            if f.word == word:
                m = ((1 << f.width) - 1) << f.lo
                assert mask & m == 0
                mask |= m
        assert mask == (1 << 64) - 1


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=96, max_size=96))
def test_decode_encode_exact_for_any_bytes(data: bytes) -> None:
    a = LayerArgument.decode(data)
    assert a.encode() == data
    assert LayerArgument.decode(a.encode()) == a


@st.composite
def _field_values(draw: st.DrawFn) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in LAYER_ARGUMENT_FIELDS:
        if f.signed:
            out[f.name] = draw(st.integers(-(1 << (f.width - 1)), (1 << (f.width - 1)) - 1))
        else:
            out[f.name] = draw(st.integers(0, (1 << f.width) - 1))
    return out


@settings(max_examples=100, deadline=None)
@given(_field_values())
def test_encode_decode_every_field(values: dict[str, int]) -> None:
    a = LayerArgument(**values)
    b = LayerArgument.decode(a.encode())
    assert b.field_values() == values
    # placement: each field is where the spec puts it
    words = a.words()
    for f in LAYER_ARGUMENT_FIELDS:
        raw = (words[f.word] >> f.lo) & ((1 << f.width) - 1)
        assert raw == values[f.name] & ((1 << f.width) - 1)


@pytest.mark.parametrize("f", LAYER_ARGUMENT_FIELDS, ids=lambda f: f.name)
def test_single_field_sets_only_its_bits(f: object) -> None:
    from kcc.k210.layer_argument import BitField

    assert isinstance(f, BitField)
    top = -1 if f.signed else (1 << f.width) - 1
    a = LayerArgument().with_fields(**{f.name: top})
    words = a.words()
    for i, w in enumerate(words):
        assert w == (((1 << f.width) - 1) << f.lo if i == f.word else 0)
    too_big = (1 << (f.width - 1)) if f.signed else (1 << f.width)
    with pytest.raises(ValueError, match=f.name):
        LayerArgument().with_fields(**{f.name: too_big}).encode()


def test_maix_emc_conv_value2_sign_bits() -> None:
    # Maix-EMC leaves sign-extension ones in bits 40-63 when arg_add < 0 (spec §7.7)
    words = [0] * 12
    words[10] = (-12345) & ((1 << 64) - 1)
    a = LayerArgument.from_words(words)
    assert a.arg_add == -12345
    assert a.conv_value2_reserved == (1 << 24) - 1
    assert a.words() == tuple(words)
    # positive arg_add with the same garbage
    words[10] = (0xABCDEF << 40) | 777
    a = LayerArgument.from_words(words)
    assert (a.arg_add, a.conv_value2_reserved) == (777, 0xABCDEF)
    assert a.words() == tuple(words)


def test_signed_field_extremes() -> None:
    a = LayerArgument(arg_x=-(1 << 23), arg_w=(1 << 23) - 1, arg_add=-(1 << 39))
    w = a.words()
    assert (w[9] >> 32) & 0xFFFFFF == 0x800000
    assert (w[9] >> 8) & 0xFFFFFF == 0x7FFFFF
    assert w[10] == 1 << 39
    assert LayerArgument.from_words(w) == a


def test_decode_rejects_wrong_length() -> None:
    with pytest.raises(ValueError):
        LayerArgument.decode(bytes(95))
    with pytest.raises(KeyError):
        LayerArgument().with_fields(nope=1)


def test_real_yolo_file_layer0_registers() -> None:
    path = FIXTURES / "nncase01_yolo20_v3.kmodel"
    assert path.exists(), f"fixture missing: {path} (../shared must sit beside the repo)"
    b = path.read_bytes()
    n_out, n_layers = struct.unpack_from("<I", b, 24)[0], struct.unpack_from("<I", b, 12)[0]
    body = 28 + 8 * n_out + 8 * n_layers
    layer_offset = struct.unpack_from("<I", b, body + 8)[0]
    assert LayerArgument.decode(b[layer_offset : layer_offset + 96]).words() == YOLO_L0_WORDS
