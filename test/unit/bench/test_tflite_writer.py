"""bench.tflite_writer writes flatbuffers that litert runs as written and the `tflite` reader reads back."""

from __future__ import annotations

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from bench.tflite_writer import QParams, TFLiteGraph, options_table


def _run(model: bytes, *xs: np.ndarray) -> list[np.ndarray]:
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF, num_threads=1)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), xs, strict=True):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def _conv_add_graph() -> tuple[bytes, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    g = TFLiteGraph()
    x = g.input("x", (1, 5, 5, 2))
    y = g.tensor("y", (1, 5, 5, 4))
    g.op("CONV_2D", [x, g.const("w", w), g.const("b", b)], [y], padding="SAME", stride_w=1, stride_h=1)
    z = g.tensor("z", (1, 5, 5, 4))
    g.op("ADD", [y, y], [z], fused_activation_function="RELU")
    g.output(z)
    return g.build(), w, b


def test_conv_add_model_runs_as_numpy_says() -> None:
    model, w, b = _conv_add_graph()
    x = np.random.default_rng(1).standard_normal((1, 5, 5, 2)).astype(np.float32)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    want = np.zeros((1, 5, 5, 4), np.float32)
    for i in range(5):
        for j in range(5):
            want[0, i, j] = np.einsum("hwc,ohwc->o", xp[0, i : i + 3, j : j + 3], w) + b
    (got,) = _run(model, x)
    np.testing.assert_allclose(got, np.maximum(2 * want, 0), rtol=1e-5, atol=1e-5)


def test_written_fields_read_back() -> None:
    model, w, _ = _conv_add_graph()
    assert model[4:8] == b"TFL3"
    m = tflite.Model.GetRootAs(model, 0)
    g = m.Subgraphs(0)
    assert [g.Tensors(i).Name().decode() for i in range(g.TensorsLength())] == ["x", "y", "w", "b", "z"]
    assert g.InputsAsNumpy().tolist() == [0] and g.OutputsAsNumpy().tolist() == [4]
    codes = [m.OperatorCodes(g.Operators(i).OpcodeIndex()).BuiltinCode() for i in range(g.OperatorsLength())]
    assert codes == [tflite.BuiltinOperator.CONV_2D, tflite.BuiltinOperator.ADD]
    wt = g.Tensors(2)
    raw = m.Buffers(wt.Buffer()).DataAsNumpy().tobytes()
    np.testing.assert_array_equal(np.frombuffer(raw, np.float32).reshape(wt.ShapeAsNumpy()), w)
    assert g.Tensors(0).Buffer() == 0 and m.Buffers(0).DataLength() == 0


def test_same_graph_gives_same_bytes() -> None:
    assert _conv_add_graph()[0] == _conv_add_graph()[0]


def test_quantized_tensors_and_signature() -> None:
    g = TFLiteGraph()
    x = g.input("x", (1, 4), np.int8, QParams(0.5, -3), signature=(-1, 4))
    y = g.tensor("y", (1, 4), np.float32)
    g.op("DEQUANTIZE", [x], [y])
    g.output(y)
    model = g.build()
    t = tflite.Model.GetRootAs(model, 0).Subgraphs(0).Tensors(0)
    assert t.ShapeSignatureAsNumpy().tolist() == [-1, 4]
    assert t.Quantization().ScaleAsNumpy().tolist() == [0.5] and t.Quantization().ZeroPointAsNumpy().tolist() == [-3]
    (got,) = _run(model, np.array([[-3, -1, 1, 127]], np.int8))
    np.testing.assert_array_equal(got, [[0.0, 1.0, 2.0, 65.0]])


def test_option_errors_and_tables() -> None:
    assert options_table("MAX_POOL_2D") == "Pool2DOptions"
    assert options_table("DEPTHWISE_CONV_2D") == "DepthwiseConv2DOptions"
    assert options_table("LOGISTIC") is None
    g = TFLiteGraph()
    x = g.input("x", (1, 4))
    g.op("ADD", [x, x], [x], no_such_field=1)
    with pytest.raises(KeyError, match="no_such_field"):
        g.build()
    g = TFLiteGraph()
    x = g.input("x", (1, 4))
    g.op("LOGISTIC", [x], [x], alpha=1)
    with pytest.raises(KeyError, match="no builtin options table"):
        g.build()
