"""kpu-legalize beyond one fake conv per op, against the interpreter (before == after within 1e-5 relative):
channel groups of standalone ops over 1024 channels, global means/maxima over any map as chains of KPU pools,
padded 2x2/4x4 pools, channel-padded residual adds, and conv row bands over the KPU size limits (at the limit
and just over it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.ir import SSAValue

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.const import const_from_numpy
from kcc.interp import run
from kcc.k210.limits import check_conv_limits
from kcc.passes.kpu_legalize import global_pool_windows, legalize
from kcc.passes.kpu_placement import Report


def t(*shape: int) -> TensorType:
    return TensorType(f32, list(shape))


def check(module: ModuleOp, seed: int = 0) -> tuple[ModuleOp, Report]:
    out = module.clone()
    report = legalize(out)
    out.verify()
    rng = np.random.default_rng(seed)
    args = module.body.block.first_op.body.block.args  # pyright: ignore[reportOptionalMemberAccess, reportAttributeAccessIssue]
    inputs = [rng.standard_normal(tuple(a.type.get_shape())).astype(np.float32) for a in args]
    for b, a in zip(run(module, inputs), run(out, inputs), strict=True):
        assert a.shape == b.shape
        assert float(np.abs(a - b).max()) <= 1e-5 * max(1.0, float(np.abs(b).max()))
    return out, report


def names(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith(("nn.", "kpu.")) and op.name != "nn.const"]


def one_op(shapes: Sequence[tuple[int, ...]], body: Callable[..., SSAValue]) -> ModuleOp:
    return build_module([t(*s) for s in shapes], body)


def all_kpu(report: Report) -> None:
    assert report.kpu_fraction == 1.0, report.text()
    assert all(r.placement == "KPU" for r in report.rows if r.macs), report.text()


# ---------------------------------------------------------------------------------------------- channel groups


@pytest.mark.parametrize("channels", [1024, 1025, 1280, 2100])
def test_standalone_ops_over_1024_channels_run_in_groups(channels: int) -> None:
    rng = np.random.default_rng(1)
    c = channels

    def body(x: SSAValue) -> SSAValue:
        r = nn.ClampOp(x, None, 0.0, 6.0).output
        scale = const_from_numpy(rng.uniform(0.5, 1.5, (1, c, 1, 1)).astype(np.float32)).output
        m = nn.MulOp(r, scale).output
        return nn.MaxPool2dOp(m, t(1, c, 2, 2), (2, 2), (2, 2)).output

    out, report = check(one_op([(1, c, 4, 4)], body))
    all_kpu(report)
    groups = -(-c // 1024)
    assert names(out).count("kpu.fake_conv2d") == 3 * groups
    assert names(out).count("nn.concat") == (3 if groups > 1 else 0)


@pytest.mark.parametrize("channels", [512, 513, 1000])
def test_residual_add_groups_keep_2c_input_channels_at_most_1024(channels: int) -> None:
    out, report = check(one_op([(1, channels, 4, 4)] * 2, lambda a, b: nn.AddOp(a, b).output))
    all_kpu(report)
    assert names(out).count("kpu.fake_conv2d") == (1 if channels <= 512 else 2)


def test_channel_padded_residual_is_one_fake_conv() -> None:
    def body(y: SSAValue, x: SSAValue) -> SSAValue:
        p = nn.PadOp(x, t(1, 7, 8, 8), [0, 1, 0, 0, 0, 2, 0, 0]).output
        return nn.AddOp(y, p).output

    out, report = check(one_op([(1, 7, 8, 8), (1, 4, 8, 8)], body))
    all_kpu(report)
    assert names(out) == ["nn.concat", "kpu.fake_conv2d"]


# ---------------------------------------------------------------------------------------------- global pools


def test_global_pool_windows() -> None:
    assert global_pool_windows(7, 7) == [4, 2]
    assert global_pool_windows(25, 5) == [4, 4, 2]
    assert global_pool_windows(3, 1) == [4]
    assert global_pool_windows(16, 16) == [4, 4]


@pytest.mark.parametrize("hw", [(7, 7), (25, 5), (3, 3), (5, 1), (8, 8), (13, 10)])
@pytest.mark.parametrize("kind", ["mean", "max", "avg_pool", "max_pool"])
def test_global_pools_over_any_map_run_on_the_kpu(hw: tuple[int, int], kind: str) -> None:
    h, w = hw

    def body(x: SSAValue) -> SSAValue:
        if kind == "mean":
            return nn.ReduceMeanOp(x, t(1, 3), [2, 3], False).output
        if kind == "max":
            return nn.ReduceMaxOp(x, t(1, 3, 1, 1), [2, 3], True).output
        if kind == "avg_pool":
            return nn.AvgPool2dOp(x, t(1, 3, 1, 1), (h, w), (1, 1)).output
        return nn.MaxPool2dOp(x, t(1, 3, 1, 1), (h, w), (1, 1)).output

    out, report = check(one_op([(1, 3, h, w)], body))
    all_kpu(report)
    assert names(out).count("kpu.fake_conv2d") == len(global_pool_windows(h, w))


@pytest.mark.parametrize(("c", "on_kpu"), [(128, True), (181, True), (182, False), (1280, False)])
def test_global_mean_7x7_stays_on_the_kpu_while_its_identity_weights_are_small(c: int, on_kpu: bool) -> None:
    """7x7 takes two pool stages, each a dense C x C identity layer (a depthwise KPU layer cannot pool): up to
    MAX_GLOBAL_POOL_IDENTITY_BYTES (64 KiB: C <= 181) on the KPU; MobileNetV2's 1280 channels would carry
    2 x 1.6 MB of identity weights, so the mean stays on the CPU with the reason."""
    from kcc.passes.kpu_legalize import MAX_GLOBAL_POOL_IDENTITY_BYTES

    assert (2 * c * c <= MAX_GLOBAL_POOL_IDENTITY_BYTES) == on_kpu
    out, report = check(one_op([(1, c, 7, 7)], lambda x: nn.ReduceMeanOp(x, t(1, c), [2, 3], False).output))
    if on_kpu:
        assert names(out).count("kpu.fake_conv2d") >= 2 and "nn.reduce_mean" not in names(out)
        return
    assert names(out).count("kpu.fake_conv2d") == 0 and "nn.reduce_mean" in names(out)
    (row,) = [r for r in report.rows if r.op_name == "nn.reduce_mean"]
    assert row.placement == "CPU" and f"{2 * c * c} weight bytes" in report.text() and "cheaper on the CPU" in report.text()


# ---------------------------------------------------------------------------------------------- padded pools


@pytest.mark.parametrize(
    ("shape", "kernel", "pads", "out"),
    [
        ((1, 2, 15, 20), 2, (0, 0, 1, 0), (8, 10)),  # YOLOv2-tiny at 320x240
        ((1, 2, 7, 7), 2, (1, 1, 0, 0), (4, 4)),
        ((1, 2, 13, 14), 4, (1, 2, 2, 0), (4, 4)),
    ],
)
@pytest.mark.parametrize("avg", [False, True])
def test_padded_pools_are_a_pad_and_a_kpu_pool(
    shape: tuple[int, int, int, int], kernel: int, pads: tuple[int, int, int, int], out: tuple[int, int], avg: bool
) -> None:
    n, c, _, _ = shape

    def body(x: SSAValue) -> SSAValue:
        rt = t(n, c, *out)
        if avg:
            return nn.AvgPool2dOp(x, rt, (kernel, kernel), (kernel, kernel), pads, count_include_pad=True).output
        return nn.MaxPool2dOp(x, rt, (kernel, kernel), (kernel, kernel), pads).output

    module, report = check(one_op([shape], body))
    all_kpu(report)
    assert "nn.pad" in names(module)


def test_avg_pool_excluding_pads_stays_on_the_cpu() -> None:
    def body(x: SSAValue) -> SSAValue:
        return nn.AvgPool2dOp(x, t(1, 2, 8, 10), (2, 2), (2, 2), (0, 0, 1, 0), count_include_pad=False).output

    _, report = check(one_op([(1, 2, 15, 20)], body))
    assert report.rows[0].placement == "CPU"
    assert "is not a KPU pool" in report.rows[0].detail


# ---------------------------------------------------------------------------------------------- row bands


def _conv(shape: tuple[int, int, int, int], o: int, k: int, stride: int, groups: int = 1) -> ModuleOp:
    rng = np.random.default_rng(3)
    n, c, h, w = shape
    p = k // 2
    oh, ow = (h + 2 * p - k) // stride + 1, (w + 2 * p - k) // stride + 1

    def body(x: SSAValue) -> SSAValue:
        wt = const_from_numpy(rng.standard_normal((o, c // groups, k, k)).astype(np.float32)).output
        b = const_from_numpy(rng.standard_normal(o).astype(np.float32)).output
        return nn.Conv2dOp(x, wt, b, t(n, o, oh, ow), (stride, stride), (p, p, p, p), (1, 1), groups).output

    return one_op([shape], body)


@pytest.mark.parametrize(
    ("shape", "o", "k", "stride", "groups", "fake_convs"),
    [
        ((1, 1, 256, 16), 2, 3, 1, 1, 1),  # at the height limit
        ((1, 1, 257, 16), 2, 3, 1, 1, 2),  # just over: two bands
        ((1, 2, 300, 20), 3, 3, 2, 1, 2),  # stride 2 (left_top_2_s2 pool per band)
        ((1, 2, 520, 8), 2, 1, 1, 1, 3),
        ((1, 4, 288, 16), 4, 3, 2, 4, 2),  # depthwise stride 2
    ],
)
def test_conv_row_bands_over_the_height_limit(
    shape: tuple[int, int, int, int], o: int, k: int, stride: int, groups: int, fake_convs: int
) -> None:
    out, report = check(_conv(shape, o, k, stride, groups))
    all_kpu(report)
    assert names(out).count("kpu.fake_conv2d") == fake_convs


def test_conv_row_bands_over_the_kpu_ram() -> None:
    # depthwise 3x3 on 64x64: 256 channels fill the 2 MiB exactly, 257 do not
    assert not check_conv_limits(256, 256, 64, 64, 3, 0, True)
    assert check_conv_limits(257, 257, 64, 64, 3, 0, True)
    at, _ = check(_conv((1, 256, 64, 64), 256, 3, 1, 256))
    over, report = check(_conv((1, 257, 64, 64), 257, 3, 1, 257))
    assert names(at).count("kpu.fake_conv2d") == 1
    assert names(over).count("kpu.fake_conv2d") == 2
    all_kpu(report)


def test_width_over_the_limit_stays_on_the_cpu_with_the_reason() -> None:
    _, report = check(_conv((1, 1, 8, 600), 2, 3, 1))
    assert report.rows[0].placement == "CPU"
    assert report.rows[0].detail == "input width 600 above the supported 512"
