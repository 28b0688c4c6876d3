"""kcc.k210.pool_float: the float form of the KPU pool codes agrees with the uint8 pool of kpu_layer."""

from __future__ import annotations

import numpy as np
import pytest

from kcc.k210.kpu_layer import KpuOptions, pool, pool_output_size
from kcc.k210.pool_float import POOL_GEOMETRY, pool_float


def test_geometry_matches_kpu_layer() -> None:
    for code, (_, stride) in POOL_GEOMETRY.items():
        assert pool_output_size(code, 16, 20) == (16 // stride, 20 // stride)


@pytest.mark.parametrize("code", range(10))
@pytest.mark.parametrize("hw", [(8, 12), (9, 13)])
@pytest.mark.parametrize("options", [KpuOptions(), KpuOptions(pool6="right_bottom", mean_s1_border="exclude")])
def test_floor_of_float_pool_is_the_uint8_pool(code: int, hw: tuple[int, int], options: KpuOptions) -> None:
    rng = np.random.default_rng(code)
    y = rng.integers(0, 256, size=(3, *hw), dtype=np.uint8)
    want = pool(y, code, options)
    got = pool_float(y.astype(np.float64), code, options)
    assert got.shape == want.shape
    # max / pick codes are exact; mean codes floor the exact mean
    np.testing.assert_array_equal(np.floor(got).astype(np.uint8), want)


def test_leading_dimensions_and_negative_values() -> None:
    y = np.arange(-32, 32, dtype=np.float32).reshape(1, 1, 8, 8)
    assert pool_float(y, 9).shape == (1, 1, 8, 8)
    assert pool_float(y, 9)[0, 0, -1, -1] == y[0, 0, -1, -1]  # taps past the edge never win, even below 0
    np.testing.assert_array_equal(pool_float(y, 6)[0, 0], y[0, 0, 0::2, 1::2])
    assert pool_float(y, 2).dtype == np.float32
