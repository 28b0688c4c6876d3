"""Elementwise `nn` ops in the interpreter against onnx.reference and onnxruntime (float and quantized)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import helper, numpy_helper
from onnx_ref import assert_matches_onnx, one_node_model, run_onnxruntime, run_reference
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32
from xdsl.ir import SSAValue

from kcc.context import parse_module
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.interp import run
from kcc.interp.activation import apply_activation

ui8 = IntegerType(8, Signedness.UNSIGNED)
i8 = IntegerType(8)

BuildFn = Callable[..., SSAValue]


def _graph_model(
    nodes: Sequence[onnx.NodeProto],
    inputs: Mapping[str, np.ndarray],
    initializers: Mapping[str, np.ndarray] | None = None,
    output_dtype: type = np.float32,
) -> onnx.ModelProto:
    """A graph of several nodes reading `inputs` (graph inputs) and `initializers`, producing `y`."""
    g_inputs = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape) for k, v in inputs.items()]
    g_out = helper.make_tensor_value_info("y", helper.np_dtype_to_tensor_dtype(np.dtype(output_dtype)), None)
    inits = [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()]
    graph = helper.make_graph(list(nodes), "graph", g_inputs, [g_out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 8
    return model


def _run_kcc(arrays: Sequence[np.ndarray], arg_types: Sequence[TensorType], build: BuildFn) -> np.ndarray:
    module = build_module(list(arg_types), build)
    (y,) = run(module, list(arrays))
    return y


def _f32(*shape: int, seed: int = 0, scale: float = 2.0) -> np.ndarray:
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale, dtype=np.float32)


def _ftype(a: np.ndarray) -> TensorType:
    return TensorType(f32, a.shape)


# --- binary ops ---------------------------------------------------------------------------------------------------

BINARY = [
    ("Add", nn.AddOp),
    ("Sub", nn.SubOp),
    ("Mul", nn.MulOp),
    ("Div", nn.DivOp),
    ("Min", nn.MinimumOp),
    ("Max", nn.MaximumOp),
    ("Pow", nn.PowOp),
]
SHAPES = [
    ((2, 3, 4), (2, 3, 4)),
    ((2, 1, 4), (3, 1)),
    ((1, 3, 1, 1), (2, 3, 5, 5)),
    ((5,), ()),
    ((), (2, 3)),
    ((2, 3, 1), (1, 1, 4)),
]


@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: f"{s[0]}-{s[1]}")
@pytest.mark.parametrize("onnx_op,op", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcast(onnx_op, op, shapes):
    a, b = _f32(*shapes[0], seed=1), _f32(*shapes[1], seed=2)
    if onnx_op == "Pow":
        a = np.asarray(np.abs(a) + np.float32(0.25))  # real results for fractional exponents
    got = _run_kcc([a, b], [_ftype(a), _ftype(b)], lambda x, y: op(x, y).output)
    assert got.dtype == np.float32
    assert_matches_onnx([got], one_node_model(onnx_op, {"a": a, "b": b}), {"a": a, "b": b})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # onnx.reference divides by zero with numpy's warnings on
def test_div_ieee():
    a = np.array([1.0, -1.0, 0.0, 3.0, -0.0, 7.5], dtype=np.float32)
    b = np.array([0.0, 0.0, 0.0, -0.0, 2.0, 0.5], dtype=np.float32)
    got = _run_kcc([a, b], [_ftype(a), _ftype(b)], lambda x, y: nn.DivOp(x, y).output)
    np.testing.assert_array_equal(got, np.array([np.inf, -np.inf, np.nan, -np.inf, -0.0, 15.0], dtype=np.float32))
    assert np.signbit(got[4])
    assert_matches_onnx([got], one_node_model("Div", {"a": a, "b": b}), {"a": a, "b": b})


def test_pow_negative_base_integer_exponents():
    a = _f32(3, 4, seed=3)
    b = np.array([0.0, 1.0, 2.0, 3.0], dtype=np.float32)
    got = _run_kcc([a, b], [_ftype(a), _ftype(b)], lambda x, y: nn.PowOp(x, y).output)
    assert_matches_onnx([got], one_node_model("Pow", {"a": a, "b": b}), {"a": a, "b": b})


@pytest.mark.parametrize("shapes", [((2, 3, 4), (2, 3, 4)), ((1, 3, 4, 4), (3, 1, 1)), ((4,), ())])
def test_squared_difference_vs_sub_mul(shapes):
    a, b = _f32(*shapes[0], seed=4), _f32(*shapes[1], seed=5)
    got = _run_kcc([a, b], [_ftype(a), _ftype(b)], lambda x, y: nn.SquaredDifferenceOp(x, y).output)
    nodes = [helper.make_node("Sub", ["a", "b"], ["d"]), helper.make_node("Mul", ["d", "d"], ["y"])]
    assert_matches_onnx([got], _graph_model(nodes, {"a": a, "b": b}), {"a": a, "b": b})


def test_binary_builder_infers_broadcast_type():
    a, b = _f32(2, 1, 3), _f32(4, 1)

    def body(x, y):
        z = nn.AddOp(x, y)
        assert z.output.type == TensorType(f32, [2, 4, 3])
        return z.output

    got = _run_kcc([a, b], [_ftype(a), _ftype(b)], body)
    np.testing.assert_array_equal(got, a + b)


# --- unary ops ----------------------------------------------------------------------------------------------------

UNARY = [
    ("Relu", nn.ReluOp, None),
    ("Sigmoid", nn.SigmoidOp, None),
    ("Tanh", nn.TanhOp, None),
    ("HardSwish", nn.HardSwishOp, None),
    ("Exp", nn.ExpOp, None),
    ("Log", nn.LogOp, "positive"),
    ("Sqrt", nn.SqrtOp, "positive"),
    ("Abs", nn.AbsOp, None),
    ("Neg", nn.NegOp, None),
    ("Floor", nn.FloorOp, None),
    ("Ceil", nn.CeilOp, None),
]


@pytest.mark.parametrize("shape", [(1, 3, 4, 5), (7,), ()])
@pytest.mark.parametrize("onnx_op,op,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary(onnx_op, op, domain, shape):
    x = _f32(*shape, seed=6, scale=4.0)
    if domain == "positive":
        x = np.asarray(np.abs(x) + np.float32(1e-3))
    got = _run_kcc([x], [_ftype(x)], lambda v: op(v).output)
    assert got.dtype == np.float32
    assert_matches_onnx([got], one_node_model(onnx_op, {"x": x}), {"x": x})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # from onnx.reference's numpy log / sqrt
@pytest.mark.parametrize("onnx_op,op", [("Log", nn.LogOp), ("Sqrt", nn.SqrtOp), ("Exp", nn.ExpOp), ("Sigmoid", nn.SigmoidOp)])
def test_unary_ieee_edges(onnx_op, op):
    x = np.array([0.0, -0.0, -1.0, 1e-30, 100.0, -100.0, 89.0, -89.0], dtype=np.float32)
    got = _run_kcc([x], [_ftype(x)], lambda v: op(v).output)
    assert_matches_onnx([got], one_node_model(onnx_op, {"x": x}), {"x": x})


def test_rsqrt_vs_reciprocal_sqrt():
    x = np.abs(_f32(2, 3, 8, seed=7)) + np.float32(1e-2)
    got = _run_kcc([x], [_ftype(x)], lambda v: nn.RsqrtOp(v).output)
    nodes = [helper.make_node("Sqrt", ["x"], ["s"]), helper.make_node("Reciprocal", ["s"], ["y"])]
    assert_matches_onnx([got], _graph_model(nodes, {"x": x}), {"x": x})


@pytest.mark.parametrize(
    "lo,hi",
    [(0.0, 6.0), (-1.0, 1.0), (0.0, 1.0), (-0.5, None), (None, 0.75), (2.5, 2.5)],
)
def test_clamp_vs_clip(lo, hi):
    x = _f32(1, 3, 4, 4, seed=8, scale=4.0)
    got = _run_kcc([x], [_ftype(x)], lambda v: nn.ClampOp(v, min=lo, max=hi).output)
    inits = {}
    if lo is not None:
        inits["lo"] = np.array(lo, dtype=np.float32)
    if hi is not None:
        inits["hi"] = np.array(hi, dtype=np.float32)
    order = ["x", "lo" if lo is not None else "", "hi" if hi is not None else ""]
    while order[-1] == "":
        order.pop()
    model = one_node_model("Clip", {"x": x}, initializers=inits, input_order=order)
    assert_matches_onnx([got], model, {"x": x})


@pytest.mark.parametrize("alpha", [None, 0.2, 1.5, -0.3])
def test_leaky_relu(alpha):
    x = _f32(2, 3, 5, seed=9)
    got = _run_kcc([x], [_ftype(x)], lambda v: (nn.LeakyReluOp(v) if alpha is None else nn.LeakyReluOp(v, alpha=alpha)).output)
    attrs = {} if alpha is None else {"alpha": alpha}
    assert_matches_onnx([got], one_node_model("LeakyRelu", {"x": x}, attrs=attrs), {"x": x})


@pytest.mark.parametrize("alpha,beta", [(None, None), (0.5, 0.25), (1.0 / 6.0, 0.5), (-0.3, 0.7)])
def test_hard_sigmoid(alpha, beta):
    x = _f32(2, 3, 5, seed=10, scale=4.0)
    kwargs = {} if alpha is None else {"alpha": alpha, "beta": beta}
    got = _run_kcc([x], [_ftype(x)], lambda v: nn.HardSigmoidOp(v, **kwargs).output)
    assert_matches_onnx([got], one_node_model("HardSigmoid", {"x": x}, attrs=kwargs), {"x": x})


@pytest.mark.parametrize(
    "x_shape,slope_shape",
    [((1, 3, 4, 4), (3, 1, 1)), ((2, 3, 4, 4), (1,)), ((2, 3, 5), (3, 5)), ((4, 6), (6,))],
)
def test_prelu(x_shape, slope_shape):
    x = _f32(*x_shape, seed=11)
    slope = _f32(*slope_shape, seed=12, scale=0.5)
    got = _run_kcc([x], [_ftype(x)], lambda v: nn.PReluOp(v, nn.const_from_numpy(slope).output).output)
    assert_matches_onnx([got], one_node_model("PRelu", {"x": x}, initializers={"slope": slope}), {"x": x})


@pytest.mark.parametrize("axis,shape", [(-1, (2, 3, 4, 5)), (1, (2, 3, 4, 5)), (0, (6, 2)), (-1, (10,)), (1, (1, 1000))])
def test_softmax(axis, shape):
    x = _f32(*shape, seed=13, scale=5.0)
    got = _run_kcc([x], [_ftype(x)], lambda v: nn.SoftmaxOp(v, axis=axis).output)
    assert_matches_onnx([got], one_node_model("Softmax", {"x": x}, attrs={"axis": axis}), {"x": x})


@pytest.mark.parametrize("beta", [0.5, 2.0, 1.0])
def test_softmax_beta_vs_mul_softmax(beta):
    x = _f32(2, 3, 4, seed=14, scale=5.0)

    def body(v):
        op = nn.SoftmaxOp(v, axis=1, beta=beta)
        assert (op.beta is None) == (beta == 1.0)
        return op.output

    got = _run_kcc([x], [_ftype(x)], body)
    nodes = [helper.make_node("Mul", ["x", "beta"], ["z"]), helper.make_node("Softmax", ["z"], ["y"], axis=1)]
    model = _graph_model(nodes, {"x": x}, {"beta": np.array(beta, dtype=np.float32)})
    assert_matches_onnx([got], model, {"x": x})


# --- fused activations share the kernels ---------------------------------------------------------------------------

ACTS = [
    (ActivationAttr("relu"), "Relu", {}, {}),
    (ActivationAttr("clamp", (0.0, 6.0)), "Clip", {}, {"lo": 0.0, "hi": 6.0}),
    (ActivationAttr("leaky_relu", (0.1,)), "LeakyRelu", {"alpha": 0.1}, {}),
    (ActivationAttr("sigmoid"), "Sigmoid", {}, {}),
    (ActivationAttr("tanh"), "Tanh", {}, {}),
    (ActivationAttr("hard_sigmoid", (0.3, 0.4)), "HardSigmoid", {"alpha": 0.3, "beta": 0.4}, {}),
    (ActivationAttr("hard_swish"), "HardSwish", {}, {}),
]


@pytest.mark.parametrize("act,onnx_op,attrs,inits", ACTS, ids=[a[1] for a in ACTS])
def test_fused_activation(act, onnx_op, attrs, inits):
    x = _f32(3, 17, seed=15, scale=5.0)
    got = apply_activation(x, act).astype(np.float32)
    init_arrays = {k: np.array(v, dtype=np.float32) for k, v in inits.items()}
    assert_matches_onnx([got], one_node_model(onnx_op, {"x": x}, attrs=attrs, initializers=init_arrays), {"x": x})


# --- quantized: QDQ graphs (DequantizeLinear -> op -> QuantizeLinear) --------------------------------------------

QX = (ui8, 0.05, 120)
QY = (ui8, 0.03, 100)


def _np_storage(storage: IntegerType) -> type:
    return np.uint8 if storage == ui8 else np.int8


def _qtensor(shape: Sequence[int], q: tuple[IntegerType, float, int]) -> TensorType:
    return TensorType(nn.QuantType(*q), list(shape))


def _qdq_model(op_nodes, inputs, qparams, q_out, extra_inits=None):
    """Dequantize each input by its params, run `op_nodes` (reading `<name>_f`, writing `yf`), quantize `yf`."""
    nodes, inits = [], dict(extra_inits or {})
    for name, (storage, scale, zp) in zip(inputs, qparams, strict=True):
        inits[f"{name}_s"] = np.array(scale, dtype=np.float32)
        inits[f"{name}_z"] = np.array(zp, dtype=_np_storage(storage))
        nodes.append(helper.make_node("DequantizeLinear", [name, f"{name}_s", f"{name}_z"], [f"{name}_f"]))
    nodes.extend(op_nodes)
    storage, scale, zp = q_out
    inits["y_s"] = np.array(scale, dtype=np.float32)
    inits["y_z"] = np.array(zp, dtype=_np_storage(storage))
    nodes.append(helper.make_node("QuantizeLinear", ["yf", "y_s", "y_z"], ["y"]))
    return _graph_model(nodes, inputs, inits, output_dtype=_np_storage(storage))


def _assert_close_quantized(
    got: np.ndarray, model: onnx.ModelProto, inputs: Mapping[str, np.ndarray], min_exact: float = 0.99
) -> None:
    """Within one step of both references, and equal on a `min_exact` fraction of the elements at least."""
    for ref in (run_reference(model, inputs)[0], run_onnxruntime(model, inputs)[0]):
        assert got.dtype == ref.dtype and got.shape == ref.shape
        diff = np.abs(got.astype(np.int64) - ref.astype(np.int64))
        assert diff.max() <= 1, f"max difference {diff.max()} steps"
        assert np.mean(diff == 0) >= min_exact, f"only {np.mean(diff == 0):.3f} of the elements are exact"


def _rand_q(shape: Sequence[int], storage: IntegerType, seed: int) -> np.ndarray:
    lo, hi = (0, 255) if storage == ui8 else (-128, 127)
    return np.random.default_rng(seed).integers(lo, hi + 1, size=shape).astype(_np_storage(storage))


Q_UNARY = [
    ("relu", lambda v, t: nn.ReluOp(v, t), [helper.make_node("Relu", ["x_f"], ["yf"])], {}),
    ("sigmoid", lambda v, t: nn.SigmoidOp(v, t), [helper.make_node("Sigmoid", ["x_f"], ["yf"])], {}),
    ("tanh", lambda v, t: nn.TanhOp(v, t), [helper.make_node("Tanh", ["x_f"], ["yf"])], {}),
    ("hard_swish", lambda v, t: nn.HardSwishOp(v, t), [helper.make_node("HardSwish", ["x_f"], ["yf"])], {}),
    ("leaky_relu", lambda v, t: nn.LeakyReluOp(v, t, alpha=0.1), [helper.make_node("LeakyRelu", ["x_f"], ["yf"], alpha=0.1)], {}),
    (
        "relu6",
        lambda v, t: nn.ClampOp(v, t, min=0.0, max=6.0),
        [helper.make_node("Clip", ["x_f", "lo", "hi"], ["yf"])],
        {"lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32)},
    ),
    ("softmax", lambda v, t: nn.SoftmaxOp(v, t, axis=1), [helper.make_node("Softmax", ["x_f"], ["yf"], axis=1)], {}),
    ("exp", lambda v, t: nn.ExpOp(v, t), [helper.make_node("Exp", ["x_f"], ["yf"])], {}),
]


@pytest.mark.parametrize(
    "qx,qy",
    [(QX, QY), ((i8, 0.04, -5), (i8, 0.02, 3)), ((ui8, 0.05, 120), (ui8, 1.0 / 256, 0))],
    ids=["ui8", "i8", "ui8-out256"],
)
@pytest.mark.parametrize("name,build,nodes,inits", Q_UNARY, ids=[q[0] for q in Q_UNARY])
def test_quantized_unary(name, build, nodes, inits, qx, qy):
    shape = (1, 4, 3, 5)
    xq = _rand_q(shape, qx[0], seed=16)
    got = _run_kcc([xq], [_qtensor(shape, qx)], lambda v: build(v, _qtensor(shape, qy)).output)
    model = _qdq_model(nodes, {"x": xq}, [qx], qy, inits)
    # hard_swish and leaky_relu run TFLite's fixed-point kernels (bit-exact to litert in test_interp_tflite.py),
    # which round differently from float QDQ on some elements; the others go through float
    _assert_close_quantized(got, model, {"x": xq}, 0.8 if name in ("hard_swish", "leaky_relu") else 0.99)


# Quantized add, sub and mul run TFLite's integer kernels (kcc/interp/nn/quant_kernels.py), whose fixed-point
# rescaling rounds differently from QDQ float on a few percent of the elements; the others run through float.
Q_BINARY = [
    ("Add", nn.AddOp, 0.9),
    ("Sub", nn.SubOp, 0.9),
    ("Mul", nn.MulOp, 0.9),
    ("Max", nn.MaximumOp, 0.99),
    ("Min", nn.MinimumOp, 0.99),
]


@pytest.mark.parametrize("storage", [ui8, i8], ids=["ui8", "i8"])
@pytest.mark.parametrize("onnx_op,op,min_exact", Q_BINARY, ids=[b[0] for b in Q_BINARY])
def test_quantized_binary(onnx_op, op, min_exact, storage):
    zp = 128 if storage == ui8 else 0
    qa, qb, qy = (storage, 0.05, zp - 3), (storage, 0.02, zp + 7), (storage, 0.06, zp + 1)
    a_shape, b_shape, y_shape = (2, 3, 40), (3, 1), (2, 3, 40)
    a, b = _rand_q(a_shape, storage, 17), _rand_q(b_shape, storage, 18)
    got = _run_kcc(
        [a, b],
        [_qtensor(a_shape, qa), _qtensor(b_shape, qb)],
        lambda x, y: op(x, y, _qtensor(y_shape, qy)).output,
    )
    nodes = [helper.make_node(onnx_op, ["a_f", "b_f"], ["yf"])]
    model = _qdq_model(nodes, {"a": a, "b": b}, [qa, qb], qy)
    _assert_close_quantized(got, model, {"a": a, "b": b}, min_exact)


def test_quantized_prelu():
    shape = (1, 3, 4, 4)
    qx, qs, qy = (ui8, 0.05, 120), (ui8, 0.01, 0), (ui8, 0.04, 90)
    xq = _rand_q(shape, ui8, 19)
    sq = np.array([[[5]], [[25]], [[60]]], dtype=np.uint8)

    def body(v):
        slope = nn.const_from_numpy(sq, _qtensor(sq.shape, qs)).output
        return nn.PReluOp(v, slope, _qtensor(shape, qy)).output

    got = _run_kcc([xq], [_qtensor(shape, qx)], body)
    nodes = [
        helper.make_node("DequantizeLinear", ["sq", "s_s", "s_z"], ["s_f"]),
        helper.make_node("PRelu", ["x_f", "s_f"], ["yf"]),
    ]
    extra = {"sq": sq, "s_s": np.array(qs[1], np.float32), "s_z": np.array(qs[2], np.uint8)}
    # TFLite's fixed-point PRELU (bit-exact to litert in test_interp_tflite.py) vs float QDQ: within one step
    _assert_close_quantized(got, _qdq_model(nodes, {"x": xq}, [qx], qy, extra), {"x": xq}, 0.8)


# --- float properties print and parse back exactly -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)
def test_float_properties_round_trip(a, b):
    t = TensorType(f32, [2])

    def body(x):
        return [
            nn.ClampOp(x, min=min(a, b), max=max(a, b)).output,
            nn.LeakyReluOp(x, alpha=a).output,
            nn.HardSigmoidOp(x, alpha=a, beta=b).output,
            nn.SoftmaxOp(x, axis=0, beta=b if b != 0 else 1.0).output,
        ]

    module = build_module([t], body)
    text = str(module)
    again = parse_module(text)
    assert str(again) == text
    ops = [op for op in again.walk() if isinstance(op, nn.ClampOp | nn.LeakyReluOp | nn.HardSigmoidOp | nn.SoftmaxOp)]
    clamp, leaky, hsig, smax = ops
    assert clamp.bounds == (min(a, b), max(a, b))
    assert leaky.alpha_value == a and hsig.alpha_value == a and hsig.beta_value == b
    assert smax.beta_value == (b if b != 0 else 1.0)
