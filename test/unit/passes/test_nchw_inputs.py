"""nchw-inputs changes only the layout of the input: the program on x^T equals the original on x."""

from __future__ import annotations

import numpy as np
from tflite_graph import Graph

from kcc.context import kcc_context
from kcc.frontends.tflite import import_tflite
from kcc.interp import run
from kcc.passes.fold_transposes import FoldTransposesPass
from kcc.passes.nchw_inputs import NchwInputsPass


def _conv_model() -> bytes:
    rng = np.random.default_rng(0)
    g = Graph()
    x = g.input("image", (1, 7, 6, 3))
    w = g.const("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    b = g.const("b", rng.standard_normal(4).astype(np.float32))
    y = g.tensor("y", (1, 4, 3, 4))
    g.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=2, stride_h=2, fused_activation_function="RELU6")
    g.output(y)
    return g.build()


def test_imported_tflite_takes_nchw_after_the_pass() -> None:
    before = import_tflite(_conv_model())
    after = before.clone()
    FoldTransposesPass().apply(kcc_context(), after)
    NchwInputsPass().apply(kcc_context(), after)
    after.verify()
    text = str(after)
    assert "tensor<1x3x7x6xf32>" in text and 'kcc.layout = "NCHW"' in text
    assert text.count("nn.transpose") == 1  # only the NHWC output's transpose is left
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal((1, 7, 6, 3)).astype(np.float32)
        (want,) = run(before, [x])
        (got,) = run(after, [x.transpose(0, 3, 1, 2)])
        np.testing.assert_array_equal(got, want)


def test_running_twice_changes_nothing() -> None:
    module = import_tflite(_conv_model())
    FoldTransposesPass().apply(kcc_context(), module)
    NchwInputsPass().apply(kcc_context(), module)
    once = str(module)
    NchwInputsPass().apply(kcc_context(), module)
    assert str(module) == once
