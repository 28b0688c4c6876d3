"""The pool family (max/avg pools, reductions) in the interpreter against onnx.reference and onnxruntime;
quantized ops against DequantizeLinear -> float op -> QuantizeLinear graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from onnx import helper, numpy_helper
from onnx_ref import assert_matches_onnx, one_node_model, run_reference
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.interp import run

U8 = IntegerType(8, Signedness.UNSIGNED)


def _qdq_model(op_type, x_q, x_scale, x_zp, y_scale, y_zp, attrs=None, extra_inputs=(), opset=19):
    """DequantizeLinear(x) -> `op_type` in float (extra constant inputs: (name, array)) -> QuantizeLinear(y)."""
    inits = [
        numpy_helper.from_array(np.array(x_scale, np.float32), "xs"),
        numpy_helper.from_array(np.array(x_zp, x_q.dtype), "xz"),
        numpy_helper.from_array(np.array(y_scale, np.float32), "ys"),
        numpy_helper.from_array(np.array(y_zp, x_q.dtype), "yz"),
        *(numpy_helper.from_array(v, k) for k, v in extra_inputs),
    ]
    nodes = [
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["x"]),
        helper.make_node(op_type, ["x", *(k for k, _ in extra_inputs)], ["y"], **dict(attrs or {})),
        helper.make_node("QuantizeLinear", ["y", "ys", "yz"], ["yq"]),
    ]
    dt = helper.np_dtype_to_tensor_dtype(x_q.dtype)
    graph = helper.make_graph(
        nodes,
        "qdq",
        [helper.make_tensor_value_info("xq", dt, x_q.shape)],
        [helper.make_tensor_value_info("yq", dt, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _module(x_type, make_op):
    return build_module([x_type], lambda x: make_op(x).output)


def _ceil_mode_extra_pads(hw, kernel, strides, pads, dilations=(1, 1)):
    """Extra bottom/right padding that makes the floor output size equal ONNX's ceil_mode=1 size.

    ONNX's ceil size is ceil((in + pads - extent) / stride) + 1, minus one if the last window would start at or
    past the end of input + begin padding (then it would see no input).
    """
    extra = []
    for i in range(2):
        extent = dilations[i] * (kernel[i] - 1) + 1
        padded = hw[i] + pads[i] + pads[i + 2]
        out = math.ceil((padded - extent) / strides[i]) + 1
        if (out - 1) * strides[i] >= hw[i] + pads[i]:
            out -= 1
        extra.append(max(0, (out - 1) * strides[i] + extent - padded))
    return extra


# --- nn.max_pool2d --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kernel,strides,pads,dilations,ceil_mode,hw",
    [
        ((2, 2), (2, 2), (0, 0, 0, 0), (1, 1), 0, (8, 8)),
        ((3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 0, (9, 7)),
        ((3, 2), (1, 2), (2, 0, 0, 1), (1, 1), 0, (6, 7)),
        ((2, 3), (1, 1), (1, 2, 1, 0), (2, 2), 0, (7, 8)),
        ((3, 3), (3, 3), (0, 1, 2, 0), (2, 1), 0, (11, 9)),
        ((3, 3), (2, 2), (0, 0, 0, 0), (1, 1), 1, (8, 8)),
        ((2, 2), (2, 3), (1, 0, 0, 1), (2, 1), 1, (7, 9)),
    ],
)
def test_max_pool2d_matches_onnx(kernel, strides, pads, dilations, ceil_mode, hw):
    rng = np.random.default_rng(10)
    # Negative inputs: zero padding would win the max where padding is seen, -inf padding never does.
    x = -np.abs(rng.standard_normal((2, 3, *hw))).astype(np.float32) - 0.1
    attrs = {
        "kernel_shape": list(kernel),
        "strides": list(strides),
        "pads": list(pads),
        "dilations": list(dilations),
        "ceil_mode": ceil_mode,
    }
    model = one_node_model("MaxPool", {"x": x}, attrs=attrs)
    y_shape = run_reference(model, {"x": x})[0].shape
    kcc_pads = list(pads)
    if ceil_mode:
        eb, er = _ceil_mode_extra_pads(hw, kernel, strides, pads, dilations)
        assert eb or er, "the case does not exercise ceil_mode"
        kcc_pads[2] += eb
        kcc_pads[3] += er
    module = _module(
        TensorType(f32, x.shape), lambda v: nn.MaxPool2dOp(v, TensorType(f32, y_shape), kernel, strides, kcc_pads, dilations)
    )
    assert_matches_onnx(run(module, [x]), model, {"x": x})


def test_max_pool2d_quantized():
    rng = np.random.default_rng(11)
    xq = rng.integers(0, 256, (1, 3, 7, 7), dtype=np.uint8)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    model = _qdq_model("MaxPool", xq, 0.5, 128, 0.25, 60, attrs)
    (ref,) = run_reference(model, {"xq": xq})
    module = _module(
        TensorType(nn.QuantType(U8, 0.5, 128), xq.shape),
        lambda v: nn.MaxPool2dOp(v, TensorType(nn.QuantType(U8, 0.25, 60), ref.shape), (3, 3), (2, 2), (1, 1, 1, 1)),
    )
    assert (ref == 255).any() and (ref < 255).any()
    assert_matches_onnx(run(module, [xq]), model, {"xq": xq})


# --- nn.avg_pool2d --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kernel,strides,pads,count_include_pad,ceil_mode,hw",
    [
        ((2, 2), (2, 2), (0, 0, 0, 0), 0, 0, (8, 8)),
        ((3, 3), (2, 2), (1, 1, 1, 1), 0, 0, (9, 7)),
        ((3, 3), (2, 2), (1, 1, 1, 1), 1, 0, (9, 7)),
        ((3, 2), (1, 2), (2, 0, 0, 1), 1, 0, (6, 7)),
        ((3, 2), (1, 2), (2, 0, 0, 1), 0, 0, (6, 7)),
        ((2, 2), (2, 2), (0, 0, 0, 0), 0, 1, (7, 9)),
        ((2, 2), (2, 2), (0, 0, 0, 0), 1, 1, (7, 9)),
        ((3, 3), (3, 3), (1, 1, 1, 1), 1, 1, (6, 8)),
        ((3, 3), (2, 3), (0, 1, 1, 0), 1, 1, (8, 7)),
        ((3, 3), (2, 3), (0, 1, 1, 0), 0, 1, (8, 7)),
    ],
)
def test_avg_pool2d_matches_onnx(kernel, strides, pads, count_include_pad, ceil_mode, hw):
    rng = np.random.default_rng(12)
    x = (rng.standard_normal((2, 3, *hw)) + 2.0).astype(np.float32)
    attrs = {
        "kernel_shape": list(kernel),
        "strides": list(strides),
        "pads": list(pads),
        "count_include_pad": count_include_pad,
        "ceil_mode": ceil_mode,
    }
    model = one_node_model("AveragePool", {"x": x}, attrs=attrs)
    y_shape = run_reference(model, {"x": x})[0].shape
    kcc_pads, ceil_pads = list(pads), None
    if ceil_mode:
        # The frontend rule: ceil_mode becomes extra bottom/right padding, recorded in ceil_pads.
        ceil_pads = _ceil_mode_extra_pads(hw, kernel, strides, pads)
        assert any(ceil_pads), "the case does not exercise ceil_mode"
        kcc_pads[2] += ceil_pads[0]
        kcc_pads[3] += ceil_pads[1]

    def make(v):
        y_type = TensorType(f32, y_shape)
        return nn.AvgPool2dOp(v, y_type, kernel, strides, kcc_pads, bool(count_include_pad), ceil_pads)

    module = _module(TensorType(f32, x.shape), make)
    assert_matches_onnx(run(module, [x]), model, {"x": x})


def test_avg_pool2d_ceil_pads_are_never_counted():
    """ONNX ceil_mode=1, count_include_pad=1 on a 1x1x6x6 ramp: explicit pads count, the ceil overhang does not."""
    x = np.arange(1, 37, dtype=np.float32).reshape(1, 1, 6, 6)
    attrs = {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 0, 0], "count_include_pad": 1, "ceil_mode": 1}
    model = one_node_model("AveragePool", {"x": x}, attrs=attrs)
    assert _ceil_mode_extra_pads((6, 6), (2, 2), (2, 2), (1, 1, 0, 0)) == [1, 1]
    module = _module(
        TensorType(f32, x.shape),
        lambda v: nn.AvgPool2dOp(v, TensorType(f32, (1, 1, 4, 4)), (2, 2), (2, 2), (1, 1, 1, 1), True, (1, 1)),
    )
    (got,) = run(module, [x])
    # Top-left window: one real element (1) and three explicit pads -> 1 / 4. Bottom-right window: 36 plus one
    # ceil-mode row and column, which do not count -> 36 / 1.
    assert got[0, 0, 0, 0] == 0.25 and got[0, 0, 3, 3] == 36.0
    assert_matches_onnx([got], model, {"x": x})


def test_avg_pool2d_quantized():
    rng = np.random.default_rng(13)
    xq = rng.integers(0, 256, (1, 2, 6, 6), dtype=np.uint8)
    attrs = {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "count_include_pad": 1}
    model = _qdq_model("AveragePool", xq, 0.5, 128, 0.25, 128, attrs)
    (ref,) = run_reference(model, {"xq": xq})
    module = _module(
        TensorType(nn.QuantType(U8, 0.5, 128), xq.shape),
        lambda v: nn.AvgPool2dOp(v, TensorType(nn.QuantType(U8, 0.25, 128), ref.shape), (2, 2), (2, 2), (1, 1, 1, 1), True),
    )
    assert len(np.unique(ref)) > 10
    assert_matches_onnx(run(module, [xq]), model, {"xq": xq})


# --- global pools and reductions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("onnx_op,op_class", [("GlobalAveragePool", nn.ReduceMeanOp), ("GlobalMaxPool", nn.ReduceMaxOp)])
def test_global_pools_are_reductions(onnx_op, op_class):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 5, 7, 6)).astype(np.float32)
    model = one_node_model(onnx_op, {"x": x})
    module = _module(TensorType(f32, x.shape), lambda v: op_class(v, TensorType(f32, (2, 5, 1, 1)), (2, 3), True))
    assert_matches_onnx(run(module, [x]), model, {"x": x})


REDUCTIONS = [
    ("ReduceMean", nn.ReduceMeanOp),
    ("ReduceMax", nn.ReduceMaxOp),
    ("ReduceMin", nn.ReduceMinOp),
    ("ReduceSum", nn.ReduceSumOp),
]


@pytest.mark.parametrize("onnx_op,op_class", REDUCTIONS)
@pytest.mark.parametrize(
    "shape,axes,keepdims",
    [
        ((2, 3, 4, 5), (2, 3), 1),
        ((2, 3, 4, 5), (1,), 0),
        ((2, 3, 4, 5), (-1, 0), 0),
        ((3, 7), (0, 1), 1),
        ((4, 6, 5), (1,), 1),
    ],
)
def test_reductions_match_onnx(onnx_op, op_class, shape, axes, keepdims):
    rng = np.random.default_rng(15)
    x = rng.standard_normal(shape).astype(np.float32)
    model = one_node_model(
        onnx_op, {"x": x}, attrs={"keepdims": keepdims}, initializers={"axes": np.array(axes, np.int64)}, opset=18
    )
    y_shape = run_reference(model, {"x": x})[0].shape
    module = _module(TensorType(f32, shape), lambda v: op_class(v, TensorType(f32, y_shape), axes, bool(keepdims)))
    assert_matches_onnx(run(module, [x]), model, {"x": x})


@pytest.mark.parametrize("onnx_op,op_class", REDUCTIONS)
def test_reductions_quantized(onnx_op, op_class):
    rng = np.random.default_rng(16)
    xq = rng.integers(0, 256, (1, 3, 4, 4), dtype=np.uint8)
    y_scale = {"ReduceSum": 4.0, "ReduceMean": 0.25}.get(onnx_op, 0.5)
    axes = np.array([2, 3], np.int64)
    model = _qdq_model(onnx_op, xq, 0.5, 128, y_scale, 128, {"keepdims": 1}, [("axes", axes)])
    (ref,) = run_reference(model, {"xq": xq})
    y_type = TensorType(nn.QuantType(U8, y_scale, 128), (1, 3, 1, 1))
    module = _module(TensorType(nn.QuantType(U8, 0.5, 128), xq.shape), lambda v: op_class(v, y_type, (2, 3), True))
    assert len(np.unique(ref)) > 1
    (got,) = run(module, [xq])
    if onnx_op == "ReduceMean":
        # quantized mean is TFLite's integer MEAN (exact to litert in test_interp_tflite.py); its fixed-point
        # rescale may differ from float QDQ by one step
        assert np.abs(got.astype(np.int64) - ref.astype(np.int64)).max() <= 1
    else:
        assert_matches_onnx([got], model, {"xq": xq})
