"""ONNX QuantizeLinear / DequantizeLinear, Resize and Upsample vs onnx.reference and onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import assert_matches_onnx, one_node_model

from kcc.frontends.onnx import import_onnx
from kcc.interp import run

RNG = np.random.default_rng(3)
X = (RNG.standard_normal((1, 3, 4, 5)) * 2).astype(np.float32)


@pytest.mark.parametrize("opset", [10, 13, 21])
@pytest.mark.parametrize("zp", [np.uint8(128), np.int8(-3), None])
def test_quantize_per_tensor(opset: int, zp: np.generic | None) -> None:
    inits = {"s": np.float32(0.05)} if zp is None else {"s": np.float32(0.05), "zp": np.asarray(zp)}
    model = one_node_model(
        "QuantizeLinear", {"x": X}, initializers=inits, opset=opset, output_dtypes=[np.asarray(zp or np.uint8(0)).dtype]
    )
    got = run(import_onnx(model), [X])
    assert_matches_onnx(got, model, {"x": X})


@pytest.mark.parametrize("axis", [1, -3, 3])
def test_quantize_dequantize_per_axis(axis: int) -> None:
    n = X.shape[axis]
    scales = (RNG.random(n) * 0.1 + 0.01).astype(np.float32)
    zps = RNG.integers(-5, 5, n).astype(np.int8)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], axis=axis),
        helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"], axis=axis),
    ]
    graph = helper.make_graph(
        nodes,
        "qdq",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, X.shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        [numpy_helper.from_array(scales, "s"), numpy_helper.from_array(zps, "zp")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    module = import_onnx(model)
    assert [op.name for op in module.body.block.first_op.body.block.ops][:2] == ["nn.quantize", "nn.dequantize"]
    assert_matches_onnx(run(module, [X]), model, {"x": X})


def test_dequantize_constant_weights_and_quantized_input() -> None:
    """Constant int8 weights become a quantized nn.const; a uint8 graph input read by DQ gets an !nn.q type."""
    xq = RNG.integers(0, 255, (2, 4), dtype=np.uint8)
    w = RNG.integers(-128, 127, (4, 3), dtype=np.int8)
    nodes = [
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["x"]),
        helper.make_node("DequantizeLinear", ["w", "ws"], ["wf"], axis=1),
        helper.make_node("MatMul", ["x", "wf"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(np.float32(0.1), "xs"),
        numpy_helper.from_array(np.uint8(100), "xz"),
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(np.array([0.01, 0.02, 0.03], np.float32), "ws"),
    ]
    graph = helper.make_graph(
        nodes,
        "dq",
        [helper.make_tensor_value_info("xq", onnx.TensorProto.UINT8, xq.shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    module = import_onnx(model)
    text = str(module)
    assert "tensor<2x4x!nn.q<ui8, 0.1" in text and "!nn.qc<i8, axis 1" in text
    assert_matches_onnx(run(module, [xq]), model, {"xq": xq})


def test_quantize_constant_folds_into_quantized_const() -> None:
    w = RNG.standard_normal((3, 2)).astype(np.float32)
    nodes = [
        helper.make_node("QuantizeLinear", ["w", "s", "z"], ["q"]),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["wf"]),
        helper.make_node("Add", ["x", "wf"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(np.float32(0.02), "s"),
        numpy_helper.from_array(np.int8(1), "z"),
    ]
    graph = helper.make_graph(
        nodes,
        "q",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, w.shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    module = import_onnx(model)
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    assert "nn.quantize" not in str(module) and "nn.dequantize" in str(module)
    assert_matches_onnx(run(module, [x]), model, {"x": x})


@pytest.mark.parametrize("zero_point", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_block_quantization_pair(dtype: Any, zero_point: bool) -> None:
    """Block QuantizeLinear -> DequantizeLinear (block 2 along axis 1, a ragged last block): exact against both
    references, through the unit-scale decomposition (div, quantize, dequantize, add / dequantize, sub, mul)."""
    x = (RNG.standard_normal((2, 5, 3)) * 40).astype(np.float32)
    x[0, 0, :] = [0.5, 1.5, -2.5]  # ties (scale 1 below): half to even
    x[1, 4, :] = [1e4, -1e4, 3e5]  # saturation
    scale = RNG.uniform(0.5, 2.0, (2, 3, 3)).astype(np.float32)
    scale[0, 0, :] = 1.0
    lo, hi = (0, 255) if dtype == np.uint8 else (-128, 127)
    zp = RNG.integers(lo // 2, hi // 2, (2, 3, 3)).astype(dtype) if zero_point else np.zeros((2, 3, 3), dtype)
    inits = [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zp, "z")]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1, block_size=2),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1, block_size=2),
    ]
    dt = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 5, 3])],
        [
            helper.make_tensor_value_info("q", dt, [2, 5, 3]),
            helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 5, 3]),
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    module = import_onnx(model)
    ops = imported_ops(module)
    assert ops.count("nn.quantize") == 2 and "nn.div" in ops and "nn.mul" in ops
    assert ("nn.add" in ops and "nn.sub" in ops) == zero_point
    got = run(module, [x])
    assert got[0].dtype == np.dtype(dtype) and got[0].min() == lo and got[0].max() == hi  # saturates both ways
    assert_matches_onnx(got, model, {"x": x}, rtol=0, atol=0, runtimes=("reference",))


def test_block_dequantize_graph_input_and_bad_block_shape() -> None:
    q = RNG.integers(0, 255, (4, 6), endpoint=True).astype(np.uint8)
    model = one_node_model(
        "DequantizeLinear",
        {"q": q},
        attrs={"axis": 1, "block_size": 4},
        initializers={"s": RNG.uniform(0.1, 1, (4, 2)).astype(np.float32), "z": np.full((4, 2), 7, np.uint8)},
        opset=21,
        output_dtypes=[np.float32],
    )
    module = import_onnx(model)
    assert "tensor<4x6x!nn.q<ui8, 1.0, 0>>" in str(module)  # the graph input holds the plain integers
    assert_matches_onnx(run(module, [q]), model, {"q": q}, rtol=0, atol=0, runtimes=("reference",))
    bad = one_node_model(
        "DequantizeLinear",
        {"q": q},
        attrs={"axis": 1, "block_size": 2},
        initializers={"s": np.ones((4, 2), np.float32)},
        opset=21,
        output_dtypes=[np.float32],
    )
    assert "block_size 2 along axis 1 needs [4, 3]" in import_error(bad)


@pytest.mark.parametrize(("name", "bounds"), [("int4", (-8, 7)), ("uint4", (0, 15)), ("int2", (-2, 1)), ("uint2", (0, 3))])
def test_subbyte_quantize_dequantize(name: str, bounds: tuple[int, int]) -> None:
    """int4 / uint4 / int2 / uint2 Q -> DQ per axis: `!nn.qc<i4, ...>` etc., values held unpacked (int8 / uint8)."""
    import ml_dtypes  # pyright: ignore[reportMissingTypeStubs]

    dt = np.dtype(getattr(ml_dtypes, name))
    x = (RNG.standard_normal((3, 4)) * 4).astype(np.float32)
    scale = np.array([0.5, 1.0, 2.0], np.float32)
    zp = np.array([bounds[0] + 1, 0 if bounds[0] < 0 else 1, bounds[1]], np.int64).astype(dt)
    inits = [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zp, "z")]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=0),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=0),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [3, 4])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    module = import_onnx(model)
    storage = {"int4": "i4", "uint4": "ui4", "int2": "i2", "uint2": "ui2"}[name]
    assert f"!nn.qc<{storage}, axis 0, [0.5, 1.0, 2.0]" in str(module)
    assert_matches_onnx(run(module, [x]), model, {"x": x}, rtol=0, atol=0, runtimes=("reference",))


def test_uint16_dequantize_constant() -> None:
    q = np.array([0, 1000, 32768, 65535], np.uint16)
    model = one_node_model(
        "DequantizeLinear",
        {},
        initializers={"q": q, "s": np.float32(0.5), "z": np.uint16(32768)},
        opset=21,
        output_dtypes=[np.float32],
    )
    module = import_onnx(model)
    assert "!nn.q<ui16, 0.5, 32768>" in str(module)
    assert_matches_onnx(run(module, []), model, {}, rtol=0, atol=0)


def test_float8_quantization_is_refused() -> None:
    model = one_node_model(
        "QuantizeLinear",
        {"x": X[0, 0]},
        initializers={"s": np.float32(0.1)},
        attrs={"output_dtype": onnx.TensorProto.FLOAT8E4M3FN},
        opset=21,
        output_dtypes=[np.uint8],
    )
    assert "float8_e4m3fn is not supported" in import_error(model)


RESIZE_CASES: list[tuple[dict[str, Any], tuple[int, int] | None, tuple[float, float] | None]] = [
    ({"mode": "nearest"}, None, (2.0, 3.0)),
    ({"mode": "nearest", "nearest_mode": "floor", "coordinate_transformation_mode": "asymmetric"}, None, (2.0, 2.0)),
    ({"mode": "nearest", "nearest_mode": "round_prefer_ceil"}, (7, 9), None),
    ({"mode": "nearest", "nearest_mode": "ceil", "coordinate_transformation_mode": "align_corners"}, (8, 3), None),
    ({"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}, (6, 7), None),
    ({"mode": "linear"}, None, (2.0, 2.0)),
    ({"mode": "linear", "coordinate_transformation_mode": "align_corners"}, (7, 9), None),
    ({"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"}, (1, 3), None),
    ({"mode": "linear", "coordinate_transformation_mode": "asymmetric"}, (2, 2), None),
    ({"mode": "linear", "coordinate_transformation_mode": "half_pixel"}, None, (0.5, 0.4)),
]


@pytest.mark.parametrize(("attrs", "sizes", "scales"), RESIZE_CASES)
@pytest.mark.parametrize("opset", [11, 13, 19])
def test_resize(attrs: dict[str, Any], sizes: tuple[int, int] | None, scales: tuple[float, float] | None, opset: int) -> None:
    inits: dict[str, np.ndarray] = {"roi": np.zeros((0,), np.float32)}
    order = ["x", "roi"]
    if scales is not None:
        inits["scales"] = np.array([1, 1, *scales], np.float32)
        order.append("scales")
    else:
        inits["scales"] = np.zeros((0,), np.float32)
        inits["sizes"] = np.array([1, 3, *sizes], np.int64) if sizes else np.zeros((0,), np.int64)
        order += ["scales", "sizes"]
    # onnx.reference does not know tf_half_pixel_for_nn: onnxruntime is the reference there.
    tf_nn = attrs.get("coordinate_transformation_mode") == "tf_half_pixel_for_nn"
    runtimes = ("onnxruntime",) if tf_nn else ("reference", "onnxruntime")
    m = check_node("Resize", {"x": X}, attrs, initializers=inits, opset=opset, input_order=order, runtimes=runtimes)
    assert imported_ops(m) == ["nn.resize"]


def test_resize_axes_opset18() -> None:
    inits = {"roi": np.zeros((0,), np.float32), "scales": np.array([2.0, 3.0], np.float32)}
    check_node("Resize", {"x": X}, {"axes": [2, 3], "mode": "linear"}, initializers=inits, opset=18)


@pytest.mark.parametrize("opset", [7, 9])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_upsample(opset: int, mode: str) -> None:
    scales = [1.0, 1.0, 2.0, 3.0]
    if opset == 7:
        model = one_node_model("Upsample", {"x": X}, attrs={"scales": scales, "mode": mode}, opset=7)
    else:
        model = one_node_model(
            "Upsample", {"x": X}, attrs={"mode": mode}, initializers={"s": np.array(scales, np.float32)}, opset=9
        )
    # onnx.reference's Upsample only does integer nearest; onnxruntime is the reference.
    assert_matches_onnx(run(import_onnx(model), [X]), model, {"x": X}, runtimes=("onnxruntime",))


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_resize10(mode: str) -> None:
    m = check_node(
        "Resize",
        {"x": X},
        {"mode": mode},
        initializers={"s": np.array([1, 1, 2, 2], np.float32)},
        opset=10,
        runtimes=("onnxruntime",),
    )
    assert imported_ops(m) == ["nn.resize"]


@pytest.mark.parametrize(
    ("attrs", "scales", "roi", "expect"),
    [
        ({"mode": "nearest"}, [1, 2, 1, 1], [], "resizing N or C is not supported"),
        ({"coordinate_transformation_mode": "tf_crop_and_resize"}, [1, 1, 2, 2], [], "roi has 0 values, expected 8"),
        (
            {"coordinate_transformation_mode": "tf_crop_and_resize"},
            [1, 1, 2, 2],
            [0, 0.5, 0, 0, 1, 1, 1, 1],
            "roi crops axis 1 (0.5..1); only H and W can be cropped",
        ),
    ],
)
def test_resize_refusals(attrs: dict[str, Any], scales: list[float], roi: list[float], expect: str) -> None:
    inits = {"roi": np.array(roi, np.float32), "scales": np.array(scales, np.float32)}
    msg = import_error(one_node_model("Resize", {"x": X}, attrs=attrs, initializers=inits, opset=13))
    assert "Resize (unnamed) (#0)" in msg and expect in msg


def test_resize_rank3_refused() -> None:
    inits = {"roi": np.zeros((0,), np.float32), "scales": np.array([1, 1, 2], np.float32)}
    msg = import_error(one_node_model("Resize", {"x": X[0]}, attrs={"mode": "linear"}, initializers=inits, opset=13))
    assert "only 4-D (N, C, H, W) inputs can be resized, got rank 3 [3, 4, 5]" in msg


# (attrs, sizes, scales, roi, runtimes): cubic, antialias, exclude_outside, scales that are not out / in,
# keep_aspect_ratio_policy and tf_crop_and_resize at opset 19 against both runtimes, except where one of them
# departs from the ONNX spec (noted per case).
BOTH = ("reference", "onnxruntime")
REF = ("reference",)
ORT = ("onnxruntime",)
ResizeCase = tuple[dict[str, Any], tuple[int, int] | None, tuple[float, float] | None, list[float] | None, tuple[str, ...]]
RESIZE_ONNX_CASES: list[ResizeCase] = [
    ({"mode": "cubic"}, (7, 9), None, None, BOTH),
    ({"mode": "cubic"}, None, (0.8, 0.6), None, BOTH),
    ({"mode": "cubic", "cubic_coeff_a": -0.5, "exclude_outside": 1}, None, (2.0, 1.7), None, BOTH),
    # onnx.reference computes cubic weights in float32 (cubic_coeff_a is a float32 attribute): 2e-6 off here
    ({"mode": "cubic", "coordinate_transformation_mode": "align_corners"}, None, (1.5, 0.6), None, ORT),
    ({"mode": "cubic", "coordinate_transformation_mode": "asymmetric"}, (8, 10), None, None, BOTH),
    ({"mode": "cubic", "antialias": 1}, (2, 3), None, None, BOTH),
    ({"mode": "cubic", "antialias": 1, "exclude_outside": 1}, None, (0.6, 0.45), None, BOTH),
    ({"mode": "linear", "antialias": 1}, (3, 2), None, None, BOTH),
    ({"mode": "linear", "antialias": 1}, None, (0.55, 2.0), None, BOTH),
    # onnxruntime's align_corners uses out - 1 instead of in * scale - 1 when scales are given
    ({"mode": "linear", "coordinate_transformation_mode": "align_corners"}, None, (0.6, 0.6), None, REF),
    ({"mode": "linear", "coordinate_transformation_mode": "half_pixel_symmetric"}, None, (2.3, 0.6), None, BOTH),
    ({"mode": "nearest"}, None, (0.6, 1.3), None, BOTH),
    ({"mode": "nearest", "keep_aspect_ratio_policy": "not_smaller"}, (3, 9), None, None, BOTH),
    ({"mode": "nearest", "keep_aspect_ratio_policy": "not_larger"}, (7, 9), None, None, BOTH),
    (
        {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize", "extrapolation_value": 10.0},
        (3, 4),
        None,
        [0.4, 0.6, 1.2, 1.7],
        BOTH,
    ),
    ({"mode": "cubic", "coordinate_transformation_mode": "tf_crop_and_resize"}, (5, 3), None, [0.1, 0.2, 0.9, 0.7], BOTH),
    (
        {"mode": "nearest", "coordinate_transformation_mode": "tf_crop_and_resize", "extrapolation_value": -3.5},
        (4, 6),
        None,
        [-0.2, 0.1, 0.8, 1.3],
        REF,  # onnxruntime (1.32) fills no extrapolation rows for the negative H roi start here; the spec does
    ),
]


@pytest.mark.parametrize(("attrs", "sizes", "scales", "roi", "runtimes"), RESIZE_ONNX_CASES)
def test_resize_onnx_features(
    attrs: dict[str, Any],
    sizes: tuple[int, int] | None,
    scales: tuple[float, float] | None,
    roi: list[float] | None,
    runtimes: tuple[str, ...],
) -> None:
    crop = roi is not None
    inits: dict[str, np.ndarray] = {"roi": np.array(roi if crop else [], np.float32)}
    order = ["x", "roi", "scales"]
    attrs = {**attrs, "axes": [2, 3]}
    if scales is not None:
        inits["scales"] = np.array(scales, np.float32)
    else:
        assert sizes is not None
        inits["scales"] = np.zeros((0,), np.float32)
        inits["sizes"] = np.array(sizes, np.int64)
        order.append("sizes")
    m = check_node("Resize", {"x": X}, attrs, initializers=inits, opset=19, input_order=order, runtimes=runtimes)
    assert imported_ops(m) == ["nn.resize"]


def test_resize_onnx_features_print_parse() -> None:
    """The new nn.resize properties survive print -> parse."""
    from xdsl.parser import Parser

    from kcc.context import kcc_context

    inits = {"roi": np.array([0.4, 0.6, 1.2, 1.7], np.float32), "scales": np.zeros((0,), np.float32)}
    inits["sizes"] = np.array([3, 4], np.int64)
    attrs = {
        "mode": "cubic",
        "coordinate_transformation_mode": "tf_crop_and_resize",
        "extrapolation_value": 10.0,
        "cubic_coeff_a": -0.5,
        "exclude_outside": 1,
        "antialias": 1,
        "axes": [2, 3],
    }
    model = one_node_model(
        "Resize", {"x": X}, attrs=attrs, initializers=inits, opset=19, input_order=["x", "roi", "scales", "sizes"]
    )
    module = import_onnx(model)
    text = str(module)
    assert (
        'mode "bicubic" coord "tf_crop_and_resize" cubic_coeff_a -0.5 exclude_outside antialias'
        " roi [0.40000000596046448, 0.60000002384185791, 1.2000000476837158, 1.7000000476837158] extrapolation_value 10.0"
    ) in text
    assert str(Parser(kcc_context(), text).parse_module()) == text
    assert_matches_onnx(run(module, [X]), model, {"x": X})


@pytest.mark.parametrize(
    "props",
    [
        'mode "bicubic" coord "half_pixel"',
        'mode "bilinear" coord "align_corners" scales [0.6, 0.6]',
        'mode "bilinear" coord "half_pixel" antialias',
        'mode "nearest" coord "tf_crop_and_resize" roi [-0.2, 0.1, 0.8, 1.3] extrapolation_value 3.0',
    ],
)
def test_quantized_resize_onnx_features_run_through_float(props: str) -> None:
    """Quantized nn.resize with ONNX-only properties: dequantize -> float kernel -> quantize (half to even)."""
    from kcc.context import parse_module
    from kcc.interp.kernels.resize import resize_nchw

    q = "!nn.q<ui8, 0.05, 100>"
    text = (
        f"func.func @main(%x: tensor<1x2x5x5x{q}>) -> tensor<1x2x3x3x{q}> {{\n"
        f"  %y = nn.resize %x {props} : tensor<1x2x5x5x{q}> -> tensor<1x2x3x3x{q}>\n"
        f"  func.return %y : tensor<1x2x3x3x{q}>\n}}"
    )
    op = next(o for o in parse_module(text).walk() if o.name == "nn.resize")
    x = RNG.integers(0, 255, (1, 2, 5, 5), endpoint=True).astype(np.uint8)
    (got,) = run(parse_module(text), [x])
    from kcc.dialects.nn.movement import ResizeOp

    assert isinstance(op, ResizeOp)
    real = (x.astype(np.float64) - 100) * 0.05
    y = resize_nchw(
        real.astype(np.float32),
        (3, 3),
        op.mode.data,
        op.coordinate_transformation_mode.data,
        op.nearest_rounding,
        op.scale_values,
        cubic_coeff_a=op.cubic_coeff_a_value,
        antialias=op.antialias is not None,
        roi=op.roi_values,
        extrapolation_value=op.extrapolation_value_number,
    )
    want = np.clip(np.rint(y.astype(np.float64) / 0.05) + 100, 0, 255).astype(np.uint8)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, want)
