"""BN and activation tables: exact decode/encode (spec §2.1, §2.2)."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcc.k210.tables import SEGMENT0_START, ActivationTable, BatchNormTable


def test_bn_spec_example() -> None:
    bn = BatchNormTable.decode(struct.pack("<Q", 0x0F00006AAF003E78), 1)
    assert (int(bn.norm_mul[0]), int(bn.norm_add[0]), int(bn.norm_shift[0])) == (15992, 27311, 15)
    assert bn.encode() == struct.pack("<Q", 0x0F00006AAF003E78)


def test_bn_signed_fields() -> None:
    bn = BatchNormTable(np.array([-1, -(1 << 23)]), np.array([-1, -(1 << 31)]), np.array([15, 0]))
    w = bn.words()
    assert int(w[0]) == 0x0FFFFFFFFFFFFFFF
    assert BatchNormTable.decode(bn.encode(), 2) == bn
    with pytest.raises(ValueError):
        BatchNormTable(np.array([1 << 23]), np.array([0]), np.array([0])).encode()
    with pytest.raises(ValueError):
        BatchNormTable(np.array([0]), np.array([0]), np.array([16])).encode()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.binary(min_size=8 * n, max_size=8 * n))))
def test_bn_round_trip_any_bytes(nb: tuple[int, bytes]) -> None:
    n, data = nb
    bn = BatchNormTable.decode(data, n)
    assert bn.channels == n
    assert bn.encode() == data


def test_activation_spec_example_segment15() -> None:
    words = [0] * 16 + [0, 0]
    words[15] = 0x0000003400040014
    data = bytearray(struct.pack("<18Q", *words))
    data[128 + 15] = 13
    t = ActivationTable.decode(bytes(data))
    assert (int(t.shift[15]), int(t.mul[15]), int(t.start_x[15]), int(t.add[15])) == (20, 1024, 13312, 13)
    assert t.encode() == bytes(data)


def test_activation_segment0_start() -> None:
    words = [0x800000000 << 24] + [0] * 17
    t = ActivationTable.decode(struct.pack("<18Q", *words))
    assert int(t.start_x[0]) == SEGMENT0_START == -(1 << 35)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=144, max_size=144))
def test_activation_round_trip_any_bytes(data: bytes) -> None:
    t = ActivationTable.decode(data)
    assert t.encode() == data
    assert ActivationTable.decode(t.encode()) == t


def test_nncase_linear_table() -> None:
    t = ActivationTable.nncase_linear()
    assert ActivationTable.decode(t.encode()) == t
    assert int(t.start_x[0]) == -(1 << 35)
    assert (int(t.start_x[10]), int(t.mul[10]), int(t.shift[10])) == (0, 1024, 20)
    assert list(t.start_x[11:]) == [(1 << 35) - 16 + i for i in range(5)]


def test_activation_validate() -> None:
    t = ActivationTable.single_segment(1 << 15, 0)
    with pytest.raises(ValueError):
        t.encode()
    with pytest.raises(ValueError):
        ActivationTable(np.zeros(15), np.zeros(16), np.zeros(16), np.zeros(16))
