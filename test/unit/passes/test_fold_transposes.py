"""fold-transposes against the interpreter: random NHWC graphs, idempotence, and a MobileNet-shaped graph."""

from __future__ import annotations

import numpy as np
import pytest
from nhwc_graphs import (
    NCHW_TO_NHWC,
    NHWC_TO_NCHW,
    conv_nhwc,
    count_ops,
    random_nhwc_graph,
    shape,
    tensor,
    transpose,
)
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.const import const_from_numpy
from kcc.interp import run
from kcc.passes.fold_transposes import FoldTransposesPass

CTX = kcc_context()


def apply(module: ModuleOp) -> ModuleOp:
    out = module.clone()
    FoldTransposesPass().apply(CTX, out)
    out.verify()
    return out


def assert_same_outputs(before: list[np.ndarray], after: list[np.ndarray], exact: bool) -> None:
    assert len(before) == len(after)
    for b, a in zip(before, after, strict=True):
        assert b.shape == a.shape and b.dtype == a.dtype
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


CHUNKS = 8
SEEDS_PER_CHUNK = 25  # 200 random graphs in all


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_nhwc_graphs_keep_their_outputs_and_reach_a_fixpoint(chunk: int) -> None:
    moved = 0
    seeds = range(chunk * SEEDS_PER_CHUNK, (chunk + 1) * SEEDS_PER_CHUNK)
    for seed in seeds:
        module, inputs, exact = random_nhwc_graph(seed)
        folded = apply(module)
        assert_same_outputs(run(module, inputs), run(folded, inputs), exact)
        again = apply(folded)
        assert str(again) == str(folded), f"seed {seed}: a second run changed the IR"
        assert count_ops(folded, "nn.transpose") <= count_ops(module, "nn.transpose"), f"seed {seed}"
        moved += count_ops(folded, "nn.transpose") < count_ops(module, "nn.transpose")
    assert moved > len(seeds) // 2  # the sweep exercises the rewrites, not only the negative cases


def test_the_pass_is_deterministic() -> None:
    module, _, _ = random_nhwc_graph(7, steps=12)
    assert str(apply(module)) == str(apply(module))


# --- a MobileNet-shaped graph as the TFLite frontend imports it ----------------------------------------------------


def _mobilenet(x: SSAValue, residual: bool, fused: bool, keepdims: bool) -> SSAValue:
    rng = np.random.default_rng(3)

    def w(*s: int) -> np.ndarray:
        return (rng.standard_normal(s) * 0.3).astype(np.float32)

    def relu6(v: SSAValue) -> SSAValue:
        return nn.ClampOp(v, None, 0.0, 6.0).output

    act = ActivationAttr("clamp", (0.0, 6.0)) if fused else None
    v = conv_nhwc(x, w(8, 3, 3, 3), stride=2, pad=1, act=act)
    v = v if fused else relu6(v)
    for c_in, c_out in ((8, 8), (8, 12), (12, 12)):
        d = conv_nhwc(v, w(c_in, 1, 3, 3), pad=1, groups=c_in, act=act)
        d = d if fused else relu6(d)
        p = conv_nhwc(d, w(c_out, c_in, 1, 1))
        v = nn.AddOp(v, p).output if residual and c_in == c_out else p
    n, _, _, c = shape(v)
    if keepdims:
        m = nn.ReduceMeanOp(v, tensor((n, 1, 1, c)), (1, 2), True).output
        flat = nn.ReshapeOp(m, tensor((n, c))).output
    else:
        flat = nn.ReduceMeanOp(v, tensor((n, c)), (1, 2), False).output
    fc = nn.FullyConnectedOp(flat, const_from_numpy(w(5, c)).output, const_from_numpy(w(5)).output, tensor((n, 5))).output
    return nn.SoftmaxOp(fc, None, -1).output


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mobilenet_keeps_only_the_input_transpose(residual: bool, fused: bool, keepdims: bool) -> None:
    module = build_module([tensor((1, 16, 16, 3))], lambda x: _mobilenet(x, residual, fused, keepdims))
    assert count_ops(module, "nn.transpose") == 14
    folded = apply(module)
    transposes = [op for op in folded.walk() if isinstance(op, nn.TransposeOp)]
    assert len(transposes) == 1
    (t,) = transposes
    fn = next(op for op in folded.walk() if isinstance(op, func.FuncOp))
    assert t.input is fn.body.blocks[0].args[0]
    assert tuple(int(p) for p in t.perm.get_values()) == NHWC_TO_NCHW
    convs = [op for op in folded.walk() if isinstance(op, nn.Conv2dOp)]
    assert len(convs) == 7
    assert all(not isinstance(c.input.owner, nn.TransposeOp) or c.input.owner is t for c in convs)
    x = np.random.default_rng(0).standard_normal((1, 16, 16, 3)).astype(np.float32)
    assert_same_outputs(run(module, [x]), run(folded, [x]), exact=False)
    assert str(apply(folded)) == str(folded)


def test_transposes_at_the_output_edge_stay() -> None:
    def body(x: SSAValue) -> SSAValue:
        y = conv_nhwc(x, np.ones((2, 3, 1, 1), np.float32))
        return nn.ReluOp(y).output

    folded = apply(build_module([tensor((1, 4, 4, 3))], body))
    ops = [op.name for op in folded.walk()][2:]
    assert ops == ["nn.transpose", "nn.const", "nn.const", "nn.conv2d", "nn.relu", "nn.transpose", "func.return"]


def test_fan_out_to_an_op_that_needs_the_layout_blocks_the_move() -> None:
    def body(x: SSAValue) -> list[SSAValue]:
        t = transpose(x, NHWC_TO_NCHW)
        a = nn.ReluOp(t).output
        return [transpose(a, NCHW_TO_NHWC), t]

    module = build_module([tensor((1, 2, 3, 4))], body)
    folded = apply(module)
    assert count_ops(folded, "nn.transpose") == 2
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4) - 12
    assert_same_outputs(run(module, [x]), run(folded, [x]), exact=True)
