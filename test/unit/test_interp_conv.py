"""The conv family (conv2d, conv_transpose2d, matmul, fully_connected, batch_norm) in the interpreter against
onnx.reference and onnxruntime; quantized ops against DequantizeLinear -> float op -> QuantizeLinear graphs."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper, numpy_helper
from onnx_ref import assert_matches_onnx, one_node_model, run_onnxruntime, run_reference
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32

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
    (ref,) = run_reference(model, {"x": x})
    module = _conv_module(x.shape, w, b, ref.shape, strides, pads, dilations, groups)
    got = run(module, [x])
    assert_matches_onnx(got, model, {"x": x})


# --- helpers for the other ops of the family ----------------------------------------------------------------------


def _ref_shape(model, inputs):
    return run_reference(model, inputs)[0].shape


def _qdq_model(op_type, x_q, x_scale, x_zp, y_scale, y_zp, consts, attrs=None, opset=19):
    """DequantizeLinear(x) and every quantized constant -> `op_type` in float -> QuantizeLinear(y).

    consts: list of (name, storage array, scale array or float, zero point array or int, axis or None).
    """
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["x"])]
    inits = [
        numpy_helper.from_array(np.array(x_scale, np.float32), "xs"),
        numpy_helper.from_array(np.array(x_zp, x_q.dtype), "xz"),
        numpy_helper.from_array(np.array(y_scale, np.float32), "ys"),
        numpy_helper.from_array(np.array(y_zp, x_q.dtype), "yz"),
    ]
    names = ["x"]
    for name, q, scale, zp, axis in consts:
        extra = {} if axis is None else {"axis": axis}
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}q", f"{name}s", f"{name}z"], [name], **extra))
        inits += [
            numpy_helper.from_array(q, f"{name}q"),
            numpy_helper.from_array(np.asarray(scale, np.float32), f"{name}s"),
            numpy_helper.from_array(np.asarray(zp, q.dtype), f"{name}z"),
        ]
        names.append(name)
    nodes.append(helper.make_node(op_type, names, ["y"], **dict(attrs or {})))
    nodes.append(helper.make_node("QuantizeLinear", ["y", "ys", "yz"], ["yq"]))
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


def _per_channel(scales, zps, axis, storage="i8"):
    return nn.PerChannelQuantType(IntegerType(int(storage[1:])), axis, scales, zps)


# --- nn.conv_transpose2d ---------------------------------------------------------------------------------------------


def _convt_module(x_type, w, b, y_type, w_type=None, b_type=None, **kw):
    def body(x):
        wv = nn.const_from_numpy(w, w_type).output
        bv = nn.const_from_numpy(b, b_type).output
        return nn.ConvTranspose2dOp(x, wv, bv, y_type, **kw).output

    return build_module([x_type], body)


@pytest.mark.parametrize(
    "c,o,k,strides,pads,dilations,output_padding,groups,hw",
    [
        (3, 4, 3, (1, 1), (0, 0, 0, 0), (1, 1), (0, 0), 1, (5, 6)),
        (4, 6, 3, (2, 2), (1, 1, 1, 1), (1, 1), (1, 1), 1, (4, 4)),
        (2, 3, 4, (3, 3), (2, 0, 1, 3), (1, 1), (2, 0), 1, (3, 5)),
        (4, 6, 3, (2, 1), (0, 1, 2, 0), (1, 2), (1, 0), 2, (5, 4)),
        (6, 6, 2, (3, 2), (1, 0, 0, 1), (2, 2), (0, 1), 3, (4, 3)),
        (4, 4, 3, (2, 2), (1, 1, 0, 0), (1, 1), (0, 0), 4, (6, 6)),
    ],
)
def test_conv_transpose2d_matches_onnx(c, o, k, strides, pads, dilations, output_padding, groups, hw):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, c, *hw)).astype(np.float32)
    w = rng.standard_normal((c, o // groups, k, k)).astype(np.float32)
    b = rng.standard_normal((o,)).astype(np.float32)
    attrs = {
        "strides": list(strides),
        "pads": list(pads),
        "dilations": list(dilations),
        "output_padding": list(output_padding),
        "group": groups,
    }
    model = one_node_model("ConvTranspose", {"x": x}, attrs=attrs, initializers={"w": w, "b": b})
    y_shape = run_onnxruntime(model, {"x": x})[0].shape
    module = _convt_module(
        TensorType(f32, x.shape),
        w,
        b,
        TensorType(f32, y_shape),
        strides=strides,
        pads=pads,
        dilations=dilations,
        output_padding=output_padding,
        groups=groups,
    )
    got = run(module, [x])
    if groups == 1:
        assert_matches_onnx(got, model, {"x": x})
        return
    # onnx.reference (1.22) mishandles group > 1 (it slices W by output channels and adds bias[0] to every
    # group): check onnxruntime on the grouped model, and onnx.reference one group at a time (group=1 each).
    assert_matches_onnx(got, model, {"x": x}, runtimes=("onnxruntime",))
    cg, og = c // groups, o // groups
    for g in range(groups):
        xg = np.ascontiguousarray(x[:, g * cg : (g + 1) * cg])
        sub = one_node_model(
            "ConvTranspose",
            {"x": xg},
            attrs={**attrs, "group": 1},
            initializers={"w": w[g * cg : (g + 1) * cg], "b": b[g * og : (g + 1) * og]},
        )
        assert_matches_onnx([got[0][:, g * og : (g + 1) * og]], sub, {"x": xg}, runtimes=("reference",))


def test_conv_transpose2d_fused_activation():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal((3,)).astype(np.float32)
    attrs = {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}
    model = one_node_model("ConvTranspose", {"x": x}, attrs=attrs, initializers={"w": w, "b": b})
    ref = run_reference(model, {"x": x})[0]
    module = _convt_module(
        TensorType(f32, x.shape),
        w,
        b,
        TensorType(f32, ref.shape),
        strides=(2, 2),
        pads=(1, 1, 1, 1),
        output_padding=(1, 1),
        act=nn.ActivationAttr("clamp", (-0.5, 1.0)),
    )
    (got,) = run(module, [x])
    assert (ref < -0.5).any() and (ref > 1.0).any()
    for r in (ref, run_onnxruntime(model, {"x": x})[0]):
        np.testing.assert_allclose(got, np.clip(r, -0.5, 1.0), rtol=1e-5, atol=1e-6)


def test_conv_transpose2d_quantized_per_channel():
    rng = np.random.default_rng(3)
    xq = rng.integers(0, 256, (1, 2, 4, 4), dtype=np.uint8)
    wq = rng.integers(-128, 128, (2, 3, 3, 3), dtype=np.int8)
    w_scales = np.array([0.25, 0.125, 0.5], np.float32)
    bq = rng.integers(-1000, 1000, (3,), dtype=np.int32)
    b_scales = 0.5 * w_scales
    attrs = {"strides": [2, 2], "pads": [1, 0, 0, 1], "output_padding": [1, 0]}
    consts = [
        ("w", wq, w_scales, np.zeros(3, np.int8), 1),
        ("b", bq, b_scales, np.zeros(3, np.int32), 0),
    ]
    model = _qdq_model("ConvTranspose", xq, 0.5, 128, 64.0, 100, consts, attrs)
    (ref,) = run_reference(model, {"xq": xq})
    x_t = nn.QuantType(IntegerType(8, Signedness.UNSIGNED), 0.5, 128)
    y_t = nn.QuantType(IntegerType(8, Signedness.UNSIGNED), 64.0, 100)
    w_t = TensorType(_per_channel(w_scales, [0, 0, 0], 1), wq.shape)
    b_t = TensorType(_per_channel(b_scales, [0, 0, 0], 0, "i32"), bq.shape)
    module = _convt_module(
        TensorType(x_t, xq.shape),
        wq,
        bq,
        TensorType(y_t, ref.shape),
        w_t,
        b_t,
        strides=(2, 2),
        pads=(1, 0, 0, 1),
        output_padding=(1, 0),
    )
    got = run(module, [xq])
    assert len(np.unique(ref)) > 20
    assert_matches_onnx(got, model, {"xq": xq})


# --- nn.matmul ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a_shape,b_shape",
    [
        ((3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((2, 1, 3, 4), (3, 4, 2)),
        ((3, 4), (2, 4, 6)),
        ((4,), (2, 4, 3)),
        ((2, 3, 4), (4,)),
        ((4,), (4,)),
    ],
)
def test_matmul_matches_onnx(a_shape, b_shape):
    rng = np.random.default_rng(4)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    model = one_node_model("MatMul", {"a": a, "b": b})
    y_shape = _ref_shape(model, {"a": a, "b": b})
    module = build_module(
        [TensorType(f32, a_shape), TensorType(f32, b_shape)],
        lambda x, y: nn.MatMulOp(x, y, TensorType(f32, y_shape)).output,
    )
    assert_matches_onnx(run(module, [a, b]), model, {"a": a, "b": b})


def test_matmul_quantized():
    rng = np.random.default_rng(5)
    aq = rng.integers(0, 256, (2, 3, 8), dtype=np.uint8)
    bq = rng.integers(0, 256, (8, 5), dtype=np.uint8)
    model = _qdq_model("MatMul", aq, 0.25, 120, 8.0, 90, [("b", bq, 0.125, 130, None)])
    (ref,) = run_reference(model, {"xq": aq})
    u8 = IntegerType(8, Signedness.UNSIGNED)
    b_t = TensorType(nn.QuantType(u8, 0.125, 130), bq.shape)

    def body(x):
        bv = nn.const_from_numpy(bq, b_t).output
        return nn.MatMulOp(x, bv, TensorType(nn.QuantType(u8, 8.0, 90), ref.shape)).output

    module = build_module([TensorType(nn.QuantType(u8, 0.25, 120), aq.shape)], body)
    assert len(np.unique(ref)) > 10
    assert_matches_onnx(run(module, [aq]), model, {"xq": aq})


# --- nn.fully_connected (ONNX Gemm with transB=1) ------------------------------------------------------------------


def _fc_module(x_type, w, b, y_type, w_type=None, b_type=None, act=None):
    def body(x):
        wv = nn.const_from_numpy(w, w_type).output
        bv = nn.const_from_numpy(b, b_type).output
        return nn.FullyConnectedOp(x, wv, bv, y_type, act).output

    return build_module([x_type], body)


@pytest.mark.parametrize("n,k,o", [(1, 8, 3), (4, 16, 10), (3, 1, 5)])
def test_fully_connected_matches_gemm(n, k, o):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((n, k)).astype(np.float32)
    w = rng.standard_normal((o, k)).astype(np.float32)
    b = rng.standard_normal((o,)).astype(np.float32)
    model = one_node_model("Gemm", {"x": x}, attrs={"transB": 1}, initializers={"w": w, "b": b})
    module = _fc_module(TensorType(f32, x.shape), w, b, TensorType(f32, (n, o)))
    assert_matches_onnx(run(module, [x]), model, {"x": x})


def test_fully_connected_fused_relu():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    w = rng.standard_normal((5, 6)).astype(np.float32)
    b = rng.standard_normal((5,)).astype(np.float32)
    model = one_node_model("Gemm", {"x": x}, attrs={"transB": 1}, initializers={"w": w, "b": b})
    module = _fc_module(TensorType(f32, x.shape), w, b, TensorType(f32, (4, 5)), act=nn.ActivationAttr("relu"))
    (got,) = run(module, [x])
    for ref in (run_reference(model, {"x": x})[0], run_onnxruntime(model, {"x": x})[0]):
        assert (ref < 0).any()
        np.testing.assert_allclose(got, np.maximum(ref, 0), rtol=1e-5, atol=1e-6)


def test_fully_connected_quantized():
    rng = np.random.default_rng(8)
    xq = rng.integers(0, 256, (3, 12), dtype=np.uint8)
    wq = rng.integers(-128, 128, (4, 12), dtype=np.int8)
    bq = rng.integers(-2000, 2000, (4,), dtype=np.int32)
    attrs = {"transB": 1}
    consts = [("w", wq, 0.25, 0, None), ("b", bq, 0.125, 0, None)]
    model = _qdq_model("Gemm", xq, 0.5, 128, 16.0, 128, consts, attrs)
    (ref,) = run_reference(model, {"xq": xq})
    u8, s8, s32 = IntegerType(8, Signedness.UNSIGNED), IntegerType(8), IntegerType(32)
    module = _fc_module(
        TensorType(nn.QuantType(u8, 0.5, 128), xq.shape),
        wq,
        bq,
        TensorType(nn.QuantType(u8, 16.0, 128), ref.shape),
        TensorType(nn.QuantType(s8, 0.25, 0), wq.shape),
        TensorType(nn.QuantType(s32, 0.125, 0), bq.shape),
    )
    assert len(np.unique(ref)) > 5
    assert_matches_onnx(run(module, [xq]), model, {"xq": xq})


# --- nn.batch_norm --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,epsilon", [((2, 3, 4, 5), 1e-5), ((4, 6), 1e-3), ((1, 5, 7), 0.5)])
def test_batch_norm_matches_onnx(shape, epsilon):
    rng = np.random.default_rng(9)
    c = shape[1]
    x = rng.standard_normal(shape).astype(np.float32)
    params = {
        "scale": rng.standard_normal(c).astype(np.float32),
        "bias": rng.standard_normal(c).astype(np.float32),
        "mean": rng.standard_normal(c).astype(np.float32),
        "var": rng.uniform(0.1, 2.0, c).astype(np.float32),
    }
    model = one_node_model("BatchNormalization", {"x": x}, attrs={"epsilon": epsilon}, initializers=params)

    def body(xv):
        s, b, m, v = (nn.const_from_numpy(p).output for p in params.values())
        return nn.BatchNormOp(xv, s, b, m, v, epsilon=epsilon).output

    module = build_module([TensorType(f32, shape)], body)
    assert_matches_onnx(run(module, [x]), model, {"x": x})
