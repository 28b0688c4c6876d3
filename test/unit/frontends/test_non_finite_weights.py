"""NaN / Inf in weights, biases and batch-norm parameters are refused by both frontends with one line naming the
op, its index, the tensor and the count; infinities in other constants (clamp bounds, pad values, masks) stay
accepted (`kcc.frontends.finite`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper
from tflite_graph import Graph

from kcc.errors import KccError
from kcc.frontends.finite import NON_FINITE_HINT
from kcc.frontends.onnx import import_onnx
from kcc.frontends.tflite import import_tflite
from kcc.interp import run
from kcc.tools.kcc import main

RNG = np.random.default_rng(90)


def rand(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def poisoned(shape: tuple[int, ...], nan: int, inf: int) -> np.ndarray:
    a = rand(*shape).reshape(-1)
    a[:nan] = np.nan
    a[nan : nan + inf] = np.inf
    if inf:
        a[nan + inf - 1] = -np.inf  # one -inf among the infinities
    return a.reshape(shape)


def message_of(importer: object, data: object) -> str:
    with pytest.raises(KccError) as info:
        importer(data)  # type: ignore[operator]  # pyright: ignore[reportCallIssue, reportOptionalCall, reportUnknownVariableType]
    text = str(info.value)
    assert "\n" not in text and NON_FINITE_HINT in text
    return text


# --- TFLite -------------------------------------------------------------------------------------------------


def tflite_conv(w: np.ndarray, b: np.ndarray, op: str = "CONV_2D") -> bytes:
    g = Graph()
    x = g.input("x", (1, 5, 5, 2))
    r = g.tensor("r", (1, 5, 5, 2))
    g.op("RELU", [x], [r])
    y = g.tensor("y", (1, 5, 5, w.shape[0] if op == "CONV_2D" else w.shape[3]))
    inputs = [r, g.const("w", w), g.const("b", b)]
    if op == "DEPTHWISE_CONV_2D":
        g.op(op, inputs, [y], padding="SAME", stride_w=1, stride_h=1, depth_multiplier=1)
    else:
        g.op(op, inputs, [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    return g.build()


def test_tflite_conv_weights_nan_and_inf() -> None:
    text = message_of(import_tflite, tflite_conv(poisoned((3, 3, 3, 2), 2, 3), rand(3)))
    assert text.startswith("CONV_2D 'y' (#1): weights 'w' (input #1) has 5 non-finite values of 54 (2 NaN, 3 Inf)")


def test_tflite_conv_bias_inf() -> None:
    text = message_of(import_tflite, tflite_conv(rand(3, 3, 3, 2), poisoned((3,), 0, 1)))
    assert text.startswith("CONV_2D 'y' (#1): bias 'b' (input #2) has 1 non-finite values of 3 (0 NaN, 1 Inf)")


def test_tflite_depthwise_weights_nan() -> None:
    text = message_of(import_tflite, tflite_conv(poisoned((1, 3, 3, 2), 1, 0), rand(2), "DEPTHWISE_CONV_2D"))
    assert text.startswith("DEPTHWISE_CONV_2D 'y' (#1): weights 'w' (input #1) has 1 non-finite values of 18 (1 NaN, 0 Inf)")


def test_tflite_fully_connected_weights() -> None:
    g = Graph()
    x = g.input("x", (1, 4))
    y = g.tensor("y", (1, 3))
    g.op("FULLY_CONNECTED", [x, g.const("fc_w", poisoned((3, 4), 0, 2)), g.const("fc_b", rand(3))], [y])
    g.output(y)
    text = message_of(import_tflite, g.build())
    assert text.startswith("FULLY_CONNECTED 'y' (#0): weights 'fc_w' (input #1) has 2 non-finite values of 12 (0 NaN, 2 Inf)")


def test_tflite_prelu_alpha() -> None:
    g = Graph()
    x = g.input("x", (1, 2, 2, 3))
    y = g.tensor("y", (1, 2, 2, 3))
    g.op("PRELU", [x, g.const("alpha", poisoned((1, 1, 3), 1, 0))], [y])
    g.output(y)
    assert message_of(import_tflite, g.build()).startswith("PRELU 'y' (#0): alpha 'alpha' (input #1) has 1 non-finite")


def test_tflite_fp16_weights_overflowing_to_inf() -> None:
    """float16 weights beyond 65504 are Inf in the file; DEQUANTIZE is folded at import and the conv refuses them."""
    w16 = rand(4, 3, 3, 3).astype(np.float16)
    w16[1, 0, 0, 0] = np.float16(np.inf)
    g = Graph()
    x = g.input("x", (1, 5, 5, 3))
    w = g.tensor("w", w16.shape)
    y = g.tensor("y", (1, 5, 5, 4))
    g.op("DEQUANTIZE", [g.const("w16", w16)], [w])
    g.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    text = message_of(import_tflite, g.build())
    assert text.startswith("CONV_2D 'y' (#1): weights 'w' (input #1) has 1 non-finite values of 108 (0 NaN, 1 Inf)")


def test_tflite_infinite_non_weight_constants_accepted() -> None:
    """A -inf pad value (PADV2) and a +inf bound of MINIMUM are not weights: they import and run."""
    g = Graph()
    x = g.input("x", (1, 2, 2, 1))
    p = g.tensor("p", (1, 4, 4, 1))
    pads = g.const("pads", np.asarray([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    g.op("PADV2", [x, pads, g.const("pad_value", np.asarray([-np.inf], np.float32))], [p])
    y = g.tensor("y", (1, 4, 4, 1))
    g.op("MINIMUM", [p, g.const("bound", np.asarray([np.inf], np.float32))], [y])
    g.output(y)
    module = import_tflite(g.build())
    xv = rand(1, 2, 2, 1)
    (got,) = run(module, [xv])
    want = np.pad(xv, [(0, 0), (1, 1), (1, 1), (0, 0)], constant_values=-np.inf)
    np.testing.assert_array_equal(got, want)


# --- ONNX ---------------------------------------------------------------------------------------------------


def onnx_model(nodes: list[onnx.NodeProto], x_shape: list[int], inits: dict[str, np.ndarray], opset: int = 17) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def onnx_conv(w: np.ndarray, b: np.ndarray) -> onnx.ModelProto:
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"), helper.make_node("Conv", ["r", "w", "b"], ["y"], name="conv1")]
    return onnx_model(nodes, [1, 2, 5, 5], {"w": w, "b": b})


def test_onnx_conv_weights_nan() -> None:
    text = message_of(import_onnx, onnx_conv(poisoned((3, 2, 3, 3), 4, 0), rand(3)))
    assert "Conv 'conv1' (#1): weights 'w' (input #1) has 4 non-finite values of 54 (4 NaN, 0 Inf)" in text


def test_onnx_conv_bias_inf() -> None:
    text = message_of(import_onnx, onnx_conv(rand(3, 2, 3, 3), poisoned((3,), 0, 2)))
    assert "Conv 'conv1' (#1): bias 'b' (input #2) has 2 non-finite values of 3 (0 NaN, 2 Inf)" in text


def test_onnx_gemm_and_matmul_weights() -> None:
    gemm = onnx_model(
        [helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="fc", transB=1)],
        [1, 4],
        {"w": poisoned((3, 4), 1, 1), "c": rand(3)},
    )
    assert "Gemm 'fc' (#0): B (weights) 'w' (input #1) has 2 non-finite values of 12 (1 NaN, 1 Inf)" in message_of(
        import_onnx, gemm
    )
    matmul = onnx_model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], [1, 4], {"w": poisoned((4, 3), 0, 1)})
    assert "MatMul 'mm' (#0): B (weights) 'w' (input #1) has 1 non-finite values of 12" in message_of(import_onnx, matmul)


def test_onnx_batch_norm_variance() -> None:
    inits = {"s": rand(2), "bias": rand(2), "mean": rand(2), "var": np.asarray([1.0, np.inf], np.float32)}
    node = helper.make_node("BatchNormalization", ["r", "s", "bias", "mean", "var"], ["y"], name="bn")
    model = onnx_model([helper.make_node("Relu", ["x"], ["r"]), node], [1, 2, 3, 3], inits)
    assert "BatchNormalization 'bn' (#1): var 'var' (input #4) has 1 non-finite values of 2 (0 NaN, 1 Inf)" in message_of(
        import_onnx, model
    )


def test_onnx_prelu_slope() -> None:
    model = onnx_model(
        [helper.make_node("PRelu", ["x", "slope"], ["y"], name="act")], [1, 3, 2, 2], {"slope": poisoned((3, 1, 1), 3, 0)}
    )
    assert "PRelu 'act' (#0): slope 'slope' (input #1) has 3 non-finite values of 3 (3 NaN, 0 Inf)" in message_of(
        import_onnx, model
    )


def test_onnx_infinite_non_weight_constants_accepted() -> None:
    """Clip's +inf max, an additive -inf mask and a Max with -inf are not weights: they import and run."""
    inits = {
        "lo": np.asarray(0.0, np.float32),
        "hi": np.asarray(np.inf, np.float32),
        "mask": np.asarray([[[[0.0, -np.inf], [0.0, 0.0]]]], np.float32),
        "floor": np.asarray([-np.inf], np.float32),
    }
    nodes = [
        helper.make_node("Clip", ["x", "lo", "hi"], ["c"]),
        helper.make_node("Add", ["c", "mask"], ["m"]),
        helper.make_node("Max", ["m", "floor"], ["y"]),
    ]
    module = import_onnx(onnx_model(nodes, [1, 1, 2, 2], inits))
    xv = rand(1, 1, 2, 2)
    (got,) = run(module, [xv])
    np.testing.assert_array_equal(got, np.maximum(xv, 0) + inits["mask"])


def test_kcc_import_exit_code_and_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nan.onnx"
    path.write_bytes(onnx_conv(poisoned((3, 2, 3, 3), 1, 0), rand(3)).SerializeToString())
    out = tmp_path / "nan.mlir"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kcc: error: Conv 'conv1' (#1): weights 'w'") and err.count("\n") == 1
    assert not out.exists()
