"""`kpu` attributes and types store kcc.k210's values exactly and print/parse back bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.builtin import ArrayAttr, IntAttr, IntegerType, Signedness
from xdsl.utils.exceptions import VerifyException

from kcc.context import kcc_context
from kcc.dialects.kpu import ActivationTableAttr, BatchNormTableAttr, KpuRamType, LayerArgumentAttr, PoolAttr, PoolKind
from kcc.dialects.kpu.attrs import POOL_CODES
from kcc.k210.kpu_layer import POOL_NAMES
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable


def _reparse(attr: object) -> object:
    from xdsl.parser import Parser

    return Parser(kcc_context(), str(attr)).parse_attribute()


@pytest.mark.parametrize("seed", range(20))
def test_layer_argument_round_trips_any_96_bytes(seed: int) -> None:
    raw = np.random.default_rng(seed).integers(0, 256, 96, dtype=np.uint8).tobytes()
    attr = LayerArgumentAttr(LayerArgument.decode(raw))
    assert attr.value.encode() == raw
    again = _reparse(attr)
    assert again == attr
    assert isinstance(again, LayerArgumentAttr) and again.value.encode() == raw


def test_layer_argument_prints_non_zero_fields_in_register_order() -> None:
    attr = LayerArgumentAttr(LayerArgument(arg_x=-5, i_ch_num=2, depth_wise_layer=1))
    assert str(attr) == "#kpu.layer_arg<depth_wise_layer = 1, i_ch_num = 2, arg_x = -5>"
    assert str(LayerArgumentAttr(LayerArgument())) == "#kpu.layer_arg<>"
    with pytest.raises(VerifyException, match="12 unsigned 64-bit words"):
        LayerArgumentAttr.new([ArrayAttr([IntAttr(0)] * 11)])


@pytest.mark.parametrize("seed", range(10))
def test_tables_round_trip_any_bytes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bn_raw = rng.integers(0, 256, 8 * 5, dtype=np.uint8).tobytes()
    act_raw = rng.integers(0, 256, 144, dtype=np.uint8).tobytes()
    bn = BatchNormTableAttr(BatchNormTable.decode(bn_raw, 5))
    act = ActivationTableAttr(ActivationTable.decode(act_raw))
    assert bn.table.encode() == bn_raw and act.table.encode() == act_raw
    assert bn.channels == 5
    for attr in (bn, act):
        again = _reparse(attr)
        assert again == attr


def test_pool_names_are_kcc_k210s() -> None:
    assert {name: code for code, name in POOL_NAMES.items()} == POOL_CODES
    for code in range(10):
        assert PoolAttr.of_code(code).code == code
    assert PoolAttr(PoolKind.MAX_2_S1).code == 9


def test_kpu_ram_type() -> None:
    ui8 = IntegerType(8, Signedness.UNSIGNED)
    t = KpuRamType((1, 3, 8, 20), ui8)
    assert str(t) == "!kpu.ram<1x3x8x20xui8>"
    assert t.chw == (3, 8, 20) and t.line_value is None
    placed = t.with_line(12)
    assert str(placed) == "!kpu.ram<1x3x8x20xui8, line 12>" and placed.line_value == 12
    assert _reparse(placed) == placed
    assert KpuRamType.of_tensor(t.tensor_type(), 12) == placed
    with pytest.raises(VerifyException, match="1xCxHxW"):
        KpuRamType((3, 8, 20), ui8)
    with pytest.raises(VerifyException, match="uint8 maps"):
        KpuRamType((1, 3, 8, 20), IntegerType(8))
