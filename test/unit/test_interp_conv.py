"""nn.conv2d in the interpreter against onnx.reference and onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_ref import assert_matches_onnx, one_node_model
from xdsl.dialects.builtin import TensorType, f32

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.interp import run


def _conv_module(x_shape, w, b, y_shape, strides, pads, dilations, groups):
    def body(x):
        wv = nn.const_from_numpy(w).output
        bv = nn.const_from_numpy(b).output
        return nn.Conv2dOp(x, wv, bv, TensorType(f32, y_shape), strides, pads, dilations, groups).output

    return build_module([TensorType(f32, x_shape)], body)


@pytest.mark.parametrize(
    "c,o,k,strides,pads,dilations,groups,hw",
    [
        (3, 8, 3, (1, 1), (1, 1, 1, 1), (1, 1), 1, (9, 7)),
        (4, 4, 3, (2, 2), (0, 1, 1, 0), (1, 1), 4, (8, 8)),
        (6, 4, 1, (1, 1), (0, 0, 0, 0), (1, 1), 2, (5, 5)),
        (2, 3, 3, (1, 2), (2, 2, 2, 2), (2, 2), 1, (10, 11)),
        (4, 8, 5, (3, 3), (2, 1, 2, 1), (1, 1), 1, (16, 15)),
    ],
)
def test_conv2d_matches_onnx(c, o, k, strides, pads, dilations, groups, hw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, c, *hw)).astype(np.float32)
    w = rng.standard_normal((o, c // groups, k, k)).astype(np.float32)
    b = rng.standard_normal((o,)).astype(np.float32)
    model = one_node_model(
        "Conv",
        {"x": x},
        attrs={"strides": list(strides), "pads": list(pads), "dilations": list(dilations), "group": groups},
        initializers={"w": w, "b": b},
    )
    from onnx_ref import run_reference

    (ref,) = run_reference(model, {"x": x})
    module = _conv_module(x.shape, w, b, ref.shape, strides, pads, dilations, groups)
    got = run(module, [x])
    assert_matches_onnx(got, model, {"x": x})
