"""kpu-legalize against the interpreter: every rewrite on random weights and inputs (before == after within
1e-5 relative), a sweep over conv geometries (kernel, stride, asymmetric pads, groups, sizes at the limits),
and the placement report."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.ir import SSAValue

from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.kpu.ops import FakeConv2dOp
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import conv_out_dim
from kcc.dialects.nn.const import const_from_numpy
from kcc.interp import run
from kcc.passes.kpu_legalize import KpuLegalizePass, legalize, placement_report
from kcc.passes.kpu_placement import Report

CTX = kcc_context()


def t(*shape: int) -> TensorType:
    return TensorType(f32, list(shape))


def legalized(module: ModuleOp) -> tuple[ModuleOp, Report]:
    out = module.clone()
    report = legalize(out)
    out.verify()
    return out, report


def assert_equivalent(module: ModuleOp, seed: int = 0) -> tuple[ModuleOp, Report]:
    """Legalize a clone of `module`; random inputs give the same outputs within 1e-5 of the largest value."""
    out, report = legalized(module)
    rng = np.random.default_rng(seed)
    args = module.body.block.first_op.body.block.args  # pyright: ignore[reportOptionalMemberAccess, reportAttributeAccessIssue]
    inputs = [rng.standard_normal(tuple(a.type.get_shape())).astype(np.float32) for a in args]
    before, after = run(module, inputs), run(out, inputs)
    for b, a in zip(before, after, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        scale = max(1.0, float(np.abs(b).max()))
        assert float(np.abs(a - b).max()) <= 1e-5 * scale
    return out, report


def op_names(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith(("nn.", "kpu.")) and op.name != "nn.const"]


def const(rng: np.random.Generator, *shape: int) -> SSAValue:
    return const_from_numpy(rng.standard_normal(shape).astype(np.float32)).output


def conv_module(
    in_shape: tuple[int, int, int, int],
    out_channels: int,
    kernel: tuple[int, int],
    strides: tuple[int, int] = (1, 1),
    pads: tuple[int, int, int, int] = (0, 0, 0, 0),
    groups: int = 1,
    act: ActivationAttr | None = None,
    after: Callable[[SSAValue], SSAValue] | None = None,
    seed: int = 0,
) -> ModuleOp:
    rng = np.random.default_rng(seed)
    n, c, h, w = in_shape
    oh = conv_out_dim(h, kernel[0], strides[0], 1, pads[0], pads[2])
    ow = conv_out_dim(w, kernel[1], strides[1], 1, pads[1], pads[3])

    def body(x: SSAValue) -> SSAValue:
        wt, b = const(rng, out_channels, c // groups, *kernel), const(rng, out_channels)
        y = nn.Conv2dOp(x, wt, b, t(n, out_channels, oh, ow), strides, pads, (1, 1), groups, act).output
        return after(y) if after is not None else y

    return build_module([t(*in_shape)], body)


def fake_convs(module: ModuleOp) -> list[FakeConv2dOp]:
    return [op for op in module.walk() if isinstance(op, FakeConv2dOp)]


# ---------------------------------------------------------------------------------------------- convs


@pytest.mark.parametrize(
    ("kernel", "strides", "pads", "pool"),
    [
        ((3, 3), (1, 1), (1, 1, 1, 1), "bypass"),  # symmetric same: native, nothing around it
        ((1, 1), (1, 1), (0, 0, 0, 0), "bypass"),
        ((3, 3), (2, 2), (1, 1, 1, 1), "left_top_2_s2"),  # pad 1 + stride 2: left_top exactly
        ((3, 3), (2, 2), (0, 0, 1, 1), "left_top_2_s2"),  # TF SAME stride 2 on an even map
        ((3, 3), (4, 4), (1, 1, 1, 1), "left_top_4_s4"),
        ((3, 3), (1, 1), (0, 0, 0, 0), "bypass"),  # valid: crop
    ],
)
def test_conv_pool_code_and_equivalence(
    kernel: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int, int, int], pool: str
) -> None:
    module = conv_module((1, 3, 16, 16), 8, kernel, strides, pads, act=ActivationAttr("relu"))
    out, report = assert_equivalent(module)
    (fc,) = fake_convs(out)
    assert fc.pool.data.value == pool
    assert [r.placement for r in report.rows] == ["KPU"]


def test_symmetric_same_conv_is_one_fake_conv() -> None:
    out, _ = assert_equivalent(conv_module((1, 3, 8, 8), 4, (3, 3), pads=(1, 1, 1, 1)))
    assert op_names(out) == ["kpu.fake_conv2d"]


def test_tf_same_stride2_pads_before_and_crops_one() -> None:
    """TF SAME stride 2 wants rows 1, 3, 5, ... of the same-padded stride-1 conv: one zero row/column before,
    left_top, then drop the first output row/column (no one-pixel shift)."""
    out, _ = assert_equivalent(conv_module((1, 2, 8, 8), 4, (3, 3), (2, 2), (0, 0, 1, 1)))
    assert op_names(out) == ["nn.pad", "kpu.fake_conv2d", "nn.slice"]
    pad = next(op for op in out.walk() if isinstance(op, nn.PadOp))
    assert list(pad.pads.get_values()) == [0, 0, 1, 1, 0, 0, 1, 1]  # pyright: ignore[reportAttributeAccessIssue]


def _geometries() -> list[tuple[int, ...]]:
    rng = np.random.default_rng(1234)
    out: list[tuple[int, ...]] = []
    while len(out) < 120:
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        sh = int(rng.choice([1, 2, 2, 3, 4]))
        sw = sh if rng.random() < 0.8 else int(rng.integers(1, 4))
        pads = tuple(int(v) for v in rng.integers(0, 3, 4))
        h, w = (int(v) for v in rng.integers(1, 13, 2))
        c = int(rng.choice([1, 2, 4]))
        mode = int(rng.integers(0, 3))  # 0 dense, 1 depthwise, 2 grouped
        groups = 1 if mode == 0 else c if mode == 1 else (2 if c % 2 == 0 else 1)
        o = c if mode == 1 else 2 * groups
        if conv_out_dim(h, kh, sh, 1, pads[0], pads[2]) < 1 or conv_out_dim(w, kw, sw, 1, pads[1], pads[3]) < 1:
            continue
        out.append((kh, kw, sh, sw, *pads, h, w, c, o, groups))
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_random_conv_geometries(chunk: int) -> None:
    """Kernels 1..3 (non-square ones embedded in 3x3), strides 1-4 (unequal too), pads 0-2 per side, maps 1x1 to
    12x12 (padded up to the 4x4 minimum), dense / depthwise / grouped: always the nn conv's values, on the KPU."""
    for i, (kh, kw, sh, sw, pt, pl, pb, pr, h, w, c, o, g) in enumerate(_geometries()[chunk::4]):
        module = conv_module(
            (1, c, h, w), o, (kh, kw), (sh, sw), (pt, pl, pb, pr), g, ActivationAttr("leaky_relu", (0.1,)), seed=i
        )
        _, report = assert_equivalent(module, seed=i)
        assert report.rows[0].placement == "KPU", report.text()


def test_depthwise_stride2_samples_in_the_next_pointwise_conv() -> None:
    """MobileNet: a stride-2 depthwise cannot pool, so it runs at stride 1 and the 1x1 conv after it takes
    left_top (a 1x1 conv commutes with sub-sampling); the strided slice is gone."""
    rng = np.random.default_rng(3)

    def body(x: SSAValue) -> SSAValue:
        d = nn.Conv2dOp(x, const(rng, 4, 1, 3, 3), const(rng, 4), t(1, 4, 8, 8), (2, 2), (1, 1, 1, 1), (1, 1), 4).output
        return nn.Conv2dOp(d, const(rng, 8, 4, 1, 1), const(rng, 8), t(1, 8, 8, 8)).output

    out, report = assert_equivalent(build_module([t(1, 4, 16, 16)], body))
    assert op_names(out) == ["kpu.fake_conv2d", "kpu.fake_conv2d"]
    assert [fc.pool.data.value for fc in fake_convs(out)] == ["bypass", "left_top_2_s2"]
    assert report.kpu_fraction == 1.0


def test_depthwise_stride2_alone_uses_a_strided_slice() -> None:
    out, _ = assert_equivalent(conv_module((1, 4, 16, 16), 4, (3, 3), (2, 2), (1, 1, 1, 1), groups=4))
    assert op_names(out) == ["kpu.fake_conv2d", "nn.slice"]


def test_stride3_is_a_strided_slice() -> None:
    out, _ = assert_equivalent(conv_module((1, 3, 12, 12), 4, (3, 3), (3, 3), (1, 1, 1, 1)))
    assert op_names(out) == ["kpu.fake_conv2d", "nn.slice"]


def test_fused_pools() -> None:
    def maxpool(y: SSAValue) -> SSAValue:
        return nn.MaxPool2dOp(y, t(1, 8, 8, 8), (2, 2), (2, 2)).output

    out, report = assert_equivalent(conv_module((1, 3, 16, 16), 8, (3, 3), pads=(1, 1, 1, 1), after=maxpool))
    assert op_names(out) == ["kpu.fake_conv2d"]
    assert fake_convs(out)[0].pool.data.value == "max_2_s2"
    assert report.rows[1].fused_into == 0 and report.rows[1].placement == "KPU"

    def avg4(y: SSAValue) -> SSAValue:
        return nn.AvgPool2dOp(y, t(1, 8, 4, 4), (4, 4), (4, 4)).output

    out, _ = assert_equivalent(conv_module((1, 3, 16, 16), 8, (3, 3), pads=(0, 0, 2, 2), after=avg4))
    assert fake_convs(out)[0].pool.data.value == "mean_4_s4"

    def same_max_s1(y: SSAValue) -> SSAValue:
        return nn.MaxPool2dOp(y, t(1, 8, 16, 16), (2, 2), (1, 1), (0, 0, 1, 1)).output

    out, _ = assert_equivalent(conv_module((1, 3, 16, 16), 8, (3, 3), pads=(1, 1, 1, 1), after=same_max_s1))
    assert fake_convs(out)[0].pool.data.value == "max_2_s1"

    def global_mean(y: SSAValue) -> SSAValue:
        return nn.ReduceMeanOp(y, t(1, 8, 1, 1), (2, 3), True).output

    out, _ = assert_equivalent(conv_module((1, 3, 4, 4), 8, (1, 1), after=global_mean))
    assert fake_convs(out)[0].pool.data.value == "mean_4_s4"


def test_pool_after_depthwise_is_its_own_identity_conv() -> None:
    def maxpool(y: SSAValue) -> SSAValue:
        return nn.MaxPool2dOp(y, t(1, 4, 8, 8), (2, 2), (2, 2)).output

    out, _ = assert_equivalent(conv_module((1, 4, 16, 16), 4, (3, 3), pads=(1, 1, 1, 1), groups=4, after=maxpool))
    assert [(fc.is_depthwise, fc.pool.data.value) for fc in fake_convs(out)] == [(True, "bypass"), (False, "max_2_s2")]


def test_sigmoid_runs_in_the_fake_conv() -> None:
    out, report = assert_equivalent(conv_module((1, 3, 8, 8), 4, (3, 3), pads=(1, 1, 1, 1), act=ActivationAttr("sigmoid")))
    assert op_names(out) == ["kpu.fake_conv2d"]
    assert fake_convs(out)[0].activation == "sigmoid"
    assert report.rows[0].placement == "KPU"


def test_more_than_1024_channels_split() -> None:
    out, report = assert_equivalent(conv_module((1, 8, 4, 4), 1100, (1, 1), act=ActivationAttr("relu")))
    assert op_names(out).count("kpu.fake_conv2d") == 2 and "nn.concat" in op_names(out)
    assert report.rows[0].placement == "KPU"
    out, report = assert_equivalent(conv_module((1, 1100, 4, 4), 4, (3, 3), pads=(1, 1, 1, 1), act=ActivationAttr("relu")))
    # two partial convs, their sum (a residual add: concat + [I I] 1x1 conv) and the relu (depthwise identity)
    assert op_names(out).count("kpu.fake_conv2d") == 4 and "nn.add" not in op_names(out)
    out, _ = assert_equivalent(conv_module((1, 1100, 4, 4), 1100, (3, 3), pads=(1, 1, 1, 1), groups=1100))
    assert op_names(out).count("kpu.fake_conv2d") == 2


# ---------------------------------------------------------------------------------------------- CPU fallbacks


@pytest.mark.parametrize(
    ("in_shape", "kernel", "dil", "reason"),
    [
        ((1, 3, 16, 16), (5, 5), (1, 1), "kernel 5x5: KPU supports 1x1 and 3x3"),
        ((1, 3, 16, 600), (3, 3), (1, 1), "input width 600 above the supported 512"),
        ((2, 3, 8, 8), (3, 3), (1, 1), "batch 2: the KPU runs one image"),
    ],
)
def test_cpu_fallback_reasons(
    in_shape: tuple[int, int, int, int], kernel: tuple[int, int], dil: tuple[int, int], reason: str
) -> None:
    rng = np.random.default_rng(0)
    n, c, h, w = in_shape
    p = kernel[0] // 2

    def body(x: SSAValue) -> SSAValue:
        return nn.Conv2dOp(x, const(rng, 4, c, *kernel), const(rng, 4), t(n, 4, h, w), (1, 1), (p, p, p, p), dil).output

    module = build_module([t(*in_shape)], body)
    report = placement_report(module)
    row = report.rows[0]
    if row.placement == "CPU":
        assert reason in row.detail
    else:  # a decomposition (kcc.passes.kpu_decompositions) took it: it must still compute the same
        assert reason.startswith("kernel")
    assert_equivalent(module)


def test_softmax_and_prelu_reasons() -> None:
    rng = np.random.default_rng(0)

    def body(x: SSAValue) -> Sequence[SSAValue]:
        s = nn.PReluOp(x, const(rng, 3, 1, 1)).output
        return [s, nn.SoftmaxOp(x, None, axis=1).output]

    module = build_module([t(1, 3, 8, 8)], body)
    _out, report = assert_equivalent(module)
    assert [r.placement for r in report.rows] == ["CPU", "CPU"]
    assert "per-channel slopes" in report.rows[0].detail


# ---------------------------------------------------------------------------------------------- other ops


def test_standalone_ops_become_1x1_fake_convs() -> None:
    rng = np.random.default_rng(5)

    def body(x: SSAValue, y: SSAValue) -> SSAValue:
        r = nn.ReluOp(x).output
        bn = nn.BatchNormOp(
            r,
            const_from_numpy(rng.uniform(0.5, 1.5, 4).astype(np.float32)).output,
            const(rng, 4),
            const(rng, 4),
            const_from_numpy(rng.uniform(0.5, 1.5, 4).astype(np.float32)).output,
            epsilon=1e-3,
        ).output
        m = nn.MulOp(bn, const(rng, 1, 4, 1, 1)).output
        a = nn.AddOp(m, y).output  # residual add
        return nn.MaxPool2dOp(a, t(1, 4, 4, 4), (2, 2), (2, 2)).output

    out, report = assert_equivalent(build_module([t(1, 4, 8, 8), t(1, 4, 8, 8)], body))
    assert all(r.placement == "KPU" for r in report.rows), report.text()
    assert "nn.concat" in op_names(out)


def test_report_text_is_deterministic() -> None:
    module = conv_module((1, 3, 16, 16), 8, (5, 5), pads=(2, 2, 2, 2))
    a, b = placement_report(module).text(), placement_report(module).text()
    assert a == b
    assert a.splitlines()[-1].startswith("KPU MAC fraction: ")


def test_pass_is_idempotent_and_registered() -> None:
    from kcc.universe import KCC_PASSES

    assert KCC_PASSES["kpu-legalize"]() is KpuLegalizePass
    out, _ = legalized(conv_module((1, 3, 16, 16), 8, (3, 3), (2, 2), (0, 0, 1, 1)))
    text = str(out)
    KpuLegalizePass().apply(CTX, out)
    assert str(out) == text
