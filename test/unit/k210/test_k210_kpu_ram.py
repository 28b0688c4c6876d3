"""KPU RAM layout (spec §1.2-§1.3): layout table, byte formula, upload/download round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcc.k210.kpu_ram import (
    KPU_LINE_BYTES,
    KPU_LINES,
    KPU_RAM_BYTES,
    RowLayout,
    byte_offsets,
    download,
    map_bytes,
    map_lines,
    new_ram,
    row_layout,
    upload,
)


def test_constants() -> None:
    assert KPU_RAM_BYTES == 2 * 1024 * 1024
    assert KPU_LINE_BYTES == 64
    assert KPU_LINES == 32768


@pytest.mark.parametrize(
    ("c", "h", "w", "groups", "row_len", "ch_lines", "lines"),
    [
        (3, 240, 320, 1, 5, 1200, 3600),  # spec §1.3 examples
        (128, 15, 20, 2, 1, 15, 960),
        (1024, 7, 10, 4, 1, 7, 1792),
        (5, 4, 4, 4, 1, 4, 8),
        (1, 1, 16, 4, 1, 1, 1),
        (1, 1, 17, 2, 1, 1, 1),
        (3, 2, 32, 2, 1, 2, 4),
        (3, 2, 33, 1, 1, 2, 6),
        (2, 3, 64, 1, 1, 3, 6),
        (2, 3, 65, 1, 2, 6, 12),
    ],
)
def test_layout_table(c: int, h: int, w: int, groups: int, row_len: int, ch_lines: int, lines: int) -> None:
    lay = row_layout(h, w)
    assert (lay.groups, lay.row_len, lay.channel_switch) == (groups, row_len, ch_lines)
    assert lay.row_pitch == 64 // groups
    assert map_lines(c, h, w) == lines
    assert map_bytes(c, h, w) == lines * 64


def _naive_offsets(addr: int, c: int, h: int, w: int, lay: RowLayout) -> np.ndarray:
    out = np.zeros((c, h, w), dtype=np.int64)
    for ci in range(c):
        for y in range(h):
            for x in range(w):
                out[ci, y, x] = (
                    addr * 64
                    + (ci // lay.groups) * lay.channel_switch * 64
                    + (ci % lay.groups) * (64 // lay.groups)
                    + y * lay.row_len * 64
                    + x
                )
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.integers(1, 7), st.integers(1, 140), st.integers(0, 1000))
def test_offsets_match_spec_formula(c: int, h: int, w: int, addr: int) -> None:
    lay = row_layout(h, w)
    assert np.array_equal(byte_offsets(addr, c, h, w), _naive_offsets(addr, c, h, w, lay))
    # every element has its own byte
    assert np.unique(byte_offsets(addr, c, h, w)).size == c * h * w


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 20),
    st.integers(1, 200),
    st.integers(0, KPU_LINES - 1),
    st.integers(0, 2**32 - 1),
)
def test_upload_download_round_trip(c: int, h: int, w: int, addr: int, seed: int) -> None:
    if addr + map_lines(c, h, w) > KPU_LINES:
        addr = KPU_LINES - map_lines(c, h, w)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(c, h, w), dtype=np.uint8)
    ram = rng.integers(0, 256, size=KPU_RAM_BYTES, dtype=np.uint8)
    before = ram.copy()
    upload(ram, addr, x)
    assert np.array_equal(download(ram, addr, c, h, w), x)
    # only the addressed bytes changed, and only inside the map's lines
    changed = np.flatnonzero(ram != before)
    if changed.size:
        assert changed.min() >= addr * 64
        assert changed.max() < (addr + map_lines(c, h, w)) * 64
    mask = np.zeros(KPU_RAM_BYTES, dtype=bool)
    mask[byte_offsets(addr, c, h, w)] = True
    assert np.array_equal(ram[~mask], before[~mask])


@pytest.mark.parametrize(("groups", "row_len"), [(1, 1), (1, 2), (2, 1), (4, 1), (1, 3)])
def test_explicit_register_layout(groups: int, row_len: int) -> None:
    # S7 programs groups=1 whatever the width: the registers rule (spec §1.3)
    c, h, w = 6, 5, 16 if groups == 4 else 30
    lay = RowLayout(groups, row_len, row_len * h + 1)
    x = np.random.default_rng(1).integers(0, 256, size=(c, h, w), dtype=np.uint8)
    ram = new_ram()
    upload(ram, 7, x, lay)
    assert np.array_equal(download(ram, 7, c, h, w, lay), x)
    assert np.array_equal(byte_offsets(7, c, h, w, lay), _naive_offsets(7, c, h, w, lay))


def test_dense_when_width_multiple_of_64() -> None:
    x = np.arange(2 * 3 * 128, dtype=np.int64).astype(np.uint8).reshape(2, 3, 128)
    ram = new_ram()
    upload(ram, 10, x)
    assert np.array_equal(ram[640 : 640 + x.size], x.reshape(-1))


def test_errors() -> None:
    ram = new_ram()
    with pytest.raises(ValueError, match="beyond"):
        upload(ram, KPU_LINES - 1, np.zeros((2, 2, 40), np.uint8))
    with pytest.raises(ValueError):
        upload(ram, 0, np.full((1, 1, 1), 300))
    with pytest.raises(ValueError):
        upload(np.zeros(10, np.uint8), 0, np.zeros((1, 1, 1), np.uint8))
    with pytest.raises(ValueError):
        download(ram, 0, 1, 1, 40, RowLayout(4, 1, 1))  # 40 columns do not fit a 16-byte slot
    with pytest.raises(ValueError):
        download(ram, KPU_LINES, 1, 1, 1)
