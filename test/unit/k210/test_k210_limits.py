"""Chip limits (spec §1.6, §4.1)."""

from __future__ import annotations

from dataclasses import replace

from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.limits import MAX_CHANNELS, check_conv_limits, check_layer_limits


def test_legal_layers() -> None:
    assert check_conv_limits(3, 16, 240, 320, 3, 1) == []
    assert check_conv_limits(1024, 1024, 7, 10, 1) == []
    assert check_conv_limits(32, 32, 8, 8, 3, 0, depthwise=True) == []
    assert MAX_CHANNELS == 1024


def test_violations_are_named() -> None:
    def one(errs: list[str], word: str) -> None:
        assert any(word in e for e in errs), errs

    one(check_conv_limits(1025, 4, 8, 8, 1), "input channels 1025")
    one(check_conv_limits(4, 0, 8, 8, 1), "output channels 0")
    one(check_conv_limits(4, 4, 8, 8, 5), "kernel 5x5")
    one(check_conv_limits(4, 4, 8, 8, 3, 10), "pool type 10")
    one(check_conv_limits(4, 4, 8, 8, 3, 1, depthwise=True), "depthwise layers cannot pool")
    one(check_conv_limits(4, 5, 8, 8, 3, 0, depthwise=True), "equal in/out")
    one(check_conv_limits(4, 4, 8, 1000, 3), "more than 15 lines")
    one(check_conv_limits(4, 4, 600, 8, 3, practical=False), "height 600")
    one(check_conv_limits(4, 4, 300, 8, 3), "above the supported 256")
    one(check_conv_limits(4, 4, 2, 8, 3), "smaller than 4x4")
    one(check_conv_limits(1024, 1024, 64, 256, 3, practical=False), "exceed the 2097152-byte KPU RAM")
    assert check_conv_limits(4, 4, 2, 8, 3, practical=False) == []


def test_layer_argument_checks() -> None:
    arg = make_layer_argument(in_channels=3, out_channels=16, height=240, width=320, kernel=3, pool_type=1, src_addr=29168)
    assert check_layer_limits(arg) == []
    assert any("overlap" in e for e in check_layer_limits(replace(arg, image_dst_addr=29000)))
    assert any("past the end" in e for e in check_layer_limits(replace(arg, image_src_addr=32000)))
    assert any("should be 120x160" in e for e in check_layer_limits(replace(arg, o_col_high=200)))
    assert any("kernel_type" in e for e in check_layer_limits(replace(arg, kernel_type=3)))
    assert any("bypass_conv" in e for e in check_layer_limits(replace(arg, bypass_conv=1)))
    assert any("input layout" in e for e in check_layer_limits(replace(arg, coef_group=3)))
    assert any("dma_total_byte" in e for e in check_layer_limits(replace(arg, dma_total_byte=5)))
