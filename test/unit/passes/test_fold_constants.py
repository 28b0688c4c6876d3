"""fold-constants against the interpreter: random constant subgraphs, quantized results, the size limit."""

from __future__ import annotations

import numpy as np
import pytest
from nhwc_graphs import I8, UI8, RandomGraph, count_ops, tensor
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.const import const_from_numpy
from kcc.dialects.nn.types import PerChannelQuantType, QuantType
from kcc.interp import run
from kcc.passes.fold_constants import FoldConstantsPass
from kcc.passes.fold_transposes import FoldTransposesPass

CTX = kcc_context()


def fold(module: ModuleOp, **options: int) -> ModuleOp:
    out = module.clone()
    FoldConstantsPass(**options).apply(CTX, out)
    out.verify()
    return out


def non_const_ops(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith("nn.") and op.name != "nn.const"]


def random_constant_graph(seed: int) -> tuple[ModuleOp, list[np.ndarray]]:
    """A random NHWC graph on a constant, added to the function's input at the end."""
    rng = np.random.default_rng(seed)
    s = (1, int(rng.integers(1, 4)), int(rng.integers(2, 4)), int(rng.integers(1, 4)))
    g = RandomGraph(rng)

    def body(x: SSAValue) -> list[SSAValue]:
        v = const_from_numpy(g.randn(*s)).output
        g.pool.append(v)
        for _ in range(5):
            v = g.step(v)
            g.pool.append(v)
        y = nn.AddOp(x, v).output if tuple(v.type.get_shape()) == s else v  # pyright: ignore
        return [y, *g.outputs]

    module = build_module([tensor(s)], body)
    return module, [rng.standard_normal(s).astype(np.float32)]


@pytest.mark.parametrize("chunk", range(4))
def test_random_constant_graphs_fold_to_the_same_outputs(chunk: int) -> None:
    for seed in range(chunk * 25, (chunk + 1) * 25):
        module, inputs = random_constant_graph(seed)
        folded = fold(module)
        before, after = run(module, inputs), run(folded, inputs)
        for b, a in zip(before, after, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")
        assert set(non_const_ops(folded)) <= {"nn.add"}, f"seed {seed}: {non_const_ops(folded)}"
        assert str(fold(folded)) == str(folded), f"seed {seed}: not a fixpoint"
        both = folded.clone()
        FoldTransposesPass().apply(CTX, both)
        assert count_ops(both, "nn.transpose") == 0


def test_quantized_results_keep_their_types() -> None:
    qc = PerChannelQuantType(I8, 3, [0.1, 0.2], [0, 1])
    q = QuantType(UI8, 0.05, 128)

    def body(x: SSAValue) -> list[SSAValue]:
        c = const_from_numpy(np.linspace(-1, 1, 12, dtype=np.float32).reshape(1, 2, 3, 2)).output
        a = nn.QuantizeOp(c, tensor((1, 2, 3, 2), qc)).output
        t = nn.TransposeOp(a, tensor((1, 2, 2, 3), PerChannelQuantType(I8, 1, [0.1, 0.2], [0, 1])), (0, 3, 1, 2)).output
        b = nn.ReluOp(nn.QuantizeOp(c, tensor((1, 2, 3, 2), q)).output).output
        return [t, b, nn.AddOp(x, c).output]

    module = build_module([tensor((1, 2, 3, 2))], body)
    folded = fold(module)
    assert non_const_ops(folded) == ["nn.add"]
    consts = [op for op in folded.walk() if isinstance(op, nn.ConstOp)]
    result_types = {str(c.output.type) for c in consts}
    assert "tensor<1x2x2x3x!nn.qc<i8, axis 1, [0.1, 0.2], [0, 1]>>" in result_types
    assert "tensor<1x2x3x2x!nn.q<ui8, 0.05, 128>>" in result_types
    x = np.ones((1, 2, 3, 2), np.float32)
    for b, a in zip(run(module, [x]), run(folded, [x]), strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_results_above_max_bytes_stay() -> None:
    def body(x: SSAValue) -> SSAValue:
        c = const_from_numpy(np.ones((1, 4), np.float32)).output
        big = nn.PadOp(c, tensor((1, 1004)), (0, 0, 0, 1000)).output  # 4016 bytes
        return nn.AddOp(x, big).output

    module = build_module([tensor((1, 1004))], body)
    assert non_const_ops(fold(module, max_bytes=4000)) == ["nn.pad", "nn.add"]
    assert non_const_ops(fold(module, max_bytes=4016)) == ["nn.add"]
    assert non_const_ops(fold(module)) == ["nn.add"]


def test_ops_on_function_arguments_stay() -> None:
    module = build_module([tensor((2, 2))], lambda x: nn.ReluOp(x).output)
    assert str(fold(module)) == str(module)
