"""The decompose-* passes against the interpreter: seeded random sweeps (before vs after, <= 1e-5 relative), and
every conv they produce is KPU-shaped (square 1x1 / 3x3 kernel, dilation 1, channels <= 1024)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import GreedyRewritePatternApplier, PatternRewriteWalker

from kcc.context import kcc_context
from kcc.dialects.builder import build_module
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import conv_out_dim, ints, shape_of
from kcc.dialects.nn.const import const_from_numpy
from kcc.dialects.nn.conv import Conv2dOp, ConvTranspose2dOp, FullyConnectedOp, MatMulOp, conv_transpose_out_dim, matmul_shape
from kcc.interp import run
from kcc.passes.decompose_conv_transpose import DecomposeConvTransposePass
from kcc.passes.decompose_dilated_conv import DecomposeDilatedConvPass
from kcc.passes.decompose_fully_connected import DecomposeFullyConnectedPass, balanced_groups
from kcc.passes.decompose_large_kernel import DecomposeLargeKernelPass
from kcc.passes.kpu_decompositions import decomposition_patterns, f32_tensor

CTX = kcc_context()
ACTS = [None, ActivationAttr("relu"), ActivationAttr("clamp", [0.0, 6.0]), ActivationAttr("leaky_relu", [0.1])]
SEEDS = range(60)

Case = tuple[ModuleOp, list[np.ndarray]]


def const(array: np.ndarray) -> SSAValue:
    return const_from_numpy(array.astype(np.float32)).output


def apply(module: ModuleOp, p: ModulePass | None) -> ModuleOp:
    out = module.clone()
    if p is None:
        PatternRewriteWalker(GreedyRewritePatternApplier(decomposition_patterns())).rewrite_module(out)
    else:
        p.apply(CTX, out)
    out.verify()
    return out


def assert_equivalent(module: ModuleOp, inputs: list[np.ndarray], after: ModuleOp, what: str) -> None:
    ref, got = run(module, inputs)[0], run(after, inputs)[0]
    assert got.shape == ref.shape, what
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5 * max(1.0, float(np.abs(ref).max())), err_msg=what)


def convs(module: ModuleOp) -> list[Conv2dOp]:
    return [op for op in module.walk() if isinstance(op, Conv2dOp)]


def assert_kpu_shaped(module: ModuleOp, what: str) -> None:
    for c in convs(module):
        o, ci, kh, kw = shape_of(c.weight)
        assert (kh, kw) in ((1, 1), (3, 3)), f"{what}: kernel {kh}x{kw}"
        assert ints(c.dilations) == (1, 1), what
        assert o <= 1024 and ci * c.group_count <= 1024, what
        assert shape_of(c.input)[0] == 1 or shape_of(c.output)[0] == shape_of(c.input)[0], what


def random_conv(seed: int, *, dilated: bool, large: bool) -> Case | None:
    rng = np.random.default_rng(seed)
    n = 1 if seed % 4 else 2
    c = int(rng.integers(1, 5))
    g = int(rng.choice([1, c]))
    o = g * int(rng.integers(1, 3))
    hi = 9 if large else 4
    kh, kw = int(rng.integers(1, hi)), int(rng.integers(1, hi))
    if large and seed % 3 == 0:
        kh = kw = 5
    dh, dw = (int(rng.integers(1, 4)), int(rng.integers(1, 4))) if dilated else (1, 1)
    if dilated and (dh, dw) == (1, 1):
        dh = 2
    sh, sw = int(rng.choice([1, 1, 2, 3])), int(rng.choice([1, 1, 2, 3]))
    pads = [int(v) for v in rng.integers(0, 4, 4)]
    h, w = int(rng.integers(4, 16)), int(rng.integers(4, 16))
    oh, ow = conv_out_dim(h, kh, sh, dh, pads[0], pads[2]), conv_out_dim(w, kw, sw, dw, pads[1], pads[3])
    if oh <= 0 or ow <= 0:
        return None
    weight = rng.standard_normal((o, c // g, kh, kw))
    bias = rng.standard_normal(o)
    act = ACTS[seed % len(ACTS)]

    def body(x: SSAValue) -> SSAValue:
        return Conv2dOp(x, const(weight), const(bias), f32_tensor([n, o, oh, ow]), (sh, sw), pads, (dh, dw), g, act).output

    module = build_module([f32_tensor([n, c, h, w])], body)
    return module, [rng.standard_normal((n, c, h, w)).astype(np.float32)]


def random_conv_transpose(seed: int) -> Case | None:
    rng = np.random.default_rng(seed)
    n = 1 if seed % 4 else 2
    c = int(rng.integers(1, 4))
    g = int(rng.choice([1, c]))
    og = int(rng.integers(1, 3))
    kh, kw = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    dh, dw = (int(v) for v in rng.choice([1, 1, 1, 2, 3], 2))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    pads = [int(v) for v in rng.integers(0, 4, 4)]
    opad = [int(rng.integers(0, sh)), int(rng.integers(0, sw))]
    h, w = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    oh = conv_transpose_out_dim(h, kh, sh, dh, pads[0], pads[2], opad[0])
    ow = conv_transpose_out_dim(w, kw, sw, dw, pads[1], pads[3], opad[1])
    if oh <= 0 or ow <= 0:
        return None
    weight = rng.standard_normal((c, og, kh, kw))
    bias = rng.standard_normal(og * g)
    act = ACTS[seed % len(ACTS)]

    def body(x: SSAValue) -> SSAValue:
        result = f32_tensor([n, og * g, oh, ow])
        return ConvTranspose2dOp(x, const(weight), const(bias), result, (sh, sw), pads, (dh, dw), opad, g, act).output

    module = build_module([f32_tensor([n, c, h, w])], body)
    return module, [rng.standard_normal((n, c, h, w)).astype(np.float32)]


def random_fully_connected(seed: int) -> Case:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 1, 2, 5]))
    k = int(rng.choice([1, 3, 17, 40, 1025 if seed % 5 == 0 else 64]))
    o = int(rng.choice([1, 4, 9, 1030 if seed % 7 == 0 else 16]))
    weight = rng.standard_normal((o, k))
    bias = rng.standard_normal(o)
    act = ACTS[seed % len(ACTS)]
    if seed % 3 == 0:
        lhs = [[k], [n, k], [2, n, k]][seed % 2 + (seed % 9 == 0)]
        rhs = weight.T if seed % 2 else weight[:1].reshape(k)

        def body(x: SSAValue) -> SSAValue:
            return MatMulOp(x, const(rhs), f32_tensor(list(matmul_shape(tuple(lhs), rhs.shape)))).output
    else:
        lhs = [n, k]

        def body(x: SSAValue) -> SSAValue:
            return FullyConnectedOp(x, const(weight), const(bias), f32_tensor([n, o]), act).output

    module = build_module([f32_tensor(lhs)], body)
    return module, [rng.standard_normal(lhs).astype(np.float32)]


def _sweep(
    make: Callable[[int], Case | None],
    p: ModulePass | None,
    gone: tuple[type, ...],
    check: Callable[[ModuleOp, str], None] = lambda m, what: None,
) -> int:
    done = 0
    for seed in SEEDS:
        case = make(seed)
        if case is None:
            continue
        module, inputs = case
        after = apply(module, p)
        assert not any(isinstance(op, gone) for op in after.walk()), f"seed {seed}"
        assert_equivalent(module, inputs, after, f"seed {seed}")
        check(after, f"seed {seed}")
        done += 1
    return done


def check_undilated(module: ModuleOp, what: str) -> None:
    assert all(ints(c.dilations) == (1, 1) for c in convs(module)), what


def check_stride_1(module: ModuleOp, what: str) -> None:
    assert all(ints(c.strides) == (1, 1) for c in convs(module)), what


def check_fc(module: ModuleOp, what: str) -> None:
    assert_kpu_shaped(module, what)
    assert all(min(shape_of(c.input)[2:]) >= 4 for c in convs(module)), what


def test_dilated_conv_sweep() -> None:
    def make(seed: int) -> Case | None:
        return random_conv(seed, dilated=True, large=False)

    assert _sweep(make, DecomposeDilatedConvPass(), (), check_undilated) >= 50


def test_conv_transpose_sweep() -> None:
    assert _sweep(random_conv_transpose, DecomposeConvTransposePass(), (ConvTranspose2dOp,), check_stride_1) >= 50


def test_large_kernel_sweep() -> None:
    def make(seed: int) -> Case | None:
        return random_conv(seed, dilated=False, large=True)

    assert _sweep(make, DecomposeLargeKernelPass(cost_model=False), (), assert_kpu_shaped) >= 50


def test_fully_connected_sweep() -> None:
    assert _sweep(random_fully_connected, DecomposeFullyConnectedPass(), (FullyConnectedOp, MatMulOp), check_fc) >= 50


@pytest.mark.parametrize("kind", ["conv_transpose", "dilated"])
def test_all_patterns_together_give_kpu_shaped_convs(kind: str) -> None:
    """What kpu-legalize runs: conv_transpose / dilated convs whose phase convs go on to the other patterns."""
    done = 0
    for seed in SEEDS:
        case = random_conv_transpose(seed) if kind == "conv_transpose" else random_conv(seed, dilated=True, large=True)
        if case is None:
            continue
        module, inputs = case
        after = apply(module, None)
        assert_equivalent(module, inputs, after, f"seed {seed}")
        for c in convs(after):
            assert ints(c.dilations) == (1, 1), f"seed {seed}"
        done += 1
    assert done >= 30


def test_cost_model_keeps_cheap_or_tiny_convs_on_the_cpu() -> None:
    rng = np.random.default_rng(0)

    def module_for(c: int, h: int, k: int) -> ModuleOp:
        w, b = rng.standard_normal((c, 1, k, k)), np.zeros(c)
        p = k // 2

        def body(x: SSAValue) -> SSAValue:
            return Conv2dOp(x, const(w), const(b), f32_tensor([1, c, h, h]), (1, 1), (p, p, p, p), (1, 1), c).output

        return build_module([f32_tensor([1, c, h, h])], body)

    # BlazeFace-like depthwise 5x5 on 32x32x24: decomposed (4 KPU tiles beat 25 CPU MACs per output).
    assert len(convs(apply(module_for(24, 32, 5), DecomposeLargeKernelPass()))) == 4
    # A 3x3 map is below the KPU's 4x4 minimum: stays.
    assert len(convs(apply(module_for(2, 3, 5), DecomposeLargeKernelPass()))) == 1


def test_balanced_groups() -> None:
    assert balanced_groups(1024) == [(0, 1024)]
    assert balanced_groups(1025) == [(0, 513), (513, 1025)]
    assert balanced_groups(3000) == [(0, 1000), (1000, 2000), (2000, 3000)]
