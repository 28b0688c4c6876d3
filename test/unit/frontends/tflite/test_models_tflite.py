"""Multi-operator TFLite models through kcc's frontend: several inputs / outputs, a MobileNet-like float model,
a small int8 model, dynamic shapes and input-shape overrides, graph outputs that are inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tflite_graph import Graph, check_model
from tflite_ref import QParams, run_model

from kcc.context import parse_module
from kcc.errors import KccError
from kcc.frontends.tflite import import_tflite
from kcc.interp import run


def f32s(x: float) -> float:
    return float(np.float32(x))


def test_two_inputs_two_outputs_conv_relu_add() -> None:
    rng = np.random.default_rng(40)
    x1 = rng.standard_normal((1, 5, 5, 3)).astype(np.float32)
    x2 = rng.standard_normal((1, 5, 5, 4)).astype(np.float32)
    g = Graph()
    a = g.input("a", x1.shape)
    b = g.input("b", x2.shape)
    w = g.const("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    bias = g.const("bias", rng.standard_normal(4).astype(np.float32))
    c = g.tensor("conv", (1, 5, 5, 4))
    s = g.tensor("sum", (1, 5, 5, 4))
    g.op("CONV_2D", [a, w, bias], [c], padding="SAME", stride_w=1, stride_h=1, fused_activation_function="RELU")
    g.op("ADD", [c, b], [s])
    g.output(s, c, b)  # the second input is also an output
    module = check_model(g.build(), [x1, x2])
    text = str(module)
    assert '{kcc.name = "a"}' in text and '{kcc.name = "b"}' in text
    assert '{kcc.name = "sum"}' in text and '{kcc.name = "conv"}' in text


def mobilenet_like() -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(41)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.3).astype(np.float32)

    g = Graph()
    x = g.input("image", (1, 16, 16, 3))
    t1 = g.tensor("conv1", (1, 8, 8, 8))
    g.op(
        "CONV_2D",
        [x, g.const("w1", rand(8, 3, 3, 3)), g.const("b1", rand(8))],
        [t1],
        padding="SAME",
        stride_w=2,
        stride_h=2,
        fused_activation_function="RELU6",
    )
    t2 = g.tensor("dw2", (1, 8, 8, 8))
    g.op(
        "DEPTHWISE_CONV_2D",
        [t1, g.const("w2", rand(1, 3, 3, 8)), g.const("b2", rand(8))],
        [t2],
        padding="SAME",
        stride_w=1,
        stride_h=1,
        depth_multiplier=1,
        fused_activation_function="RELU6",
    )
    t3 = g.tensor("pw3", (1, 8, 8, 16))
    g.op(
        "CONV_2D",
        [t2, g.const("w3", rand(16, 1, 1, 8)), g.const("b3", rand(16))],
        [t3],
        padding="VALID",
        stride_w=1,
        stride_h=1,
        fused_activation_function="RELU6",
    )
    t4 = g.tensor("dw4", (1, 4, 4, 16))
    g.op(
        "DEPTHWISE_CONV_2D",
        [t3, g.const("w4", rand(1, 3, 3, 16)), g.const("b4", rand(16))],
        [t4],
        padding="SAME",
        stride_w=2,
        stride_h=2,
        depth_multiplier=1,
        fused_activation_function="RELU6",
    )
    t5 = g.tensor("pool5", (1, 1, 1, 16))
    g.op("AVERAGE_POOL_2D", [t4], [t5], padding="VALID", stride_w=4, stride_h=4, filter_width=4, filter_height=4)
    t6 = g.tensor("flat6", (1, 16))
    g.op("RESHAPE", [t5, g.const("shape6", np.asarray([1, 16], np.int32))], [t6])
    t7 = g.tensor("fc7", (1, 10))
    g.op("FULLY_CONNECTED", [t6, g.const("w7", rand(10, 16)), g.const("b7", rand(10))], [t7])
    t8 = g.tensor("prob", (1, 10))
    g.op("SOFTMAX", [t7], [t8], beta=1.0)
    g.output(t8)
    return g.build(), rng.standard_normal((1, 16, 16, 3)).astype(np.float32)


def test_mobilenet_like_float() -> None:
    model, x = mobilenet_like()
    module = check_model(model, [x], rtol=1e-5, atol=1e-6)
    text = str(module)
    reparsed = parse_module(text)  # what kcc-opt reads back prints the same and still verifies
    reparsed.verify()
    assert str(reparsed) == text
    # 5 NCHW-only ops (2 convs, 2 depthwise, 1 pool), each wrapped in a transpose pair (fold-transposes removes them)
    assert text.count("nn.transpose") == 10
    assert text.count("nn.conv2d") == 4 and "nn.avg_pool2d" in text and "nn.softmax" in text


def test_int8_model_quantize_conv_depthwise_dequantize() -> None:
    rng = np.random.default_rng(42)
    xs, hs, ys = f32s(0.02), f32s(0.05), f32s(0.04)
    g = Graph()
    x = g.input("x", (1, 6, 6, 2))
    q = g.tensor("xq", (1, 6, 6, 2), np.int8, QParams(xs, -1))
    g.op("QUANTIZE", [x], [q])
    w1s = rng.uniform(0.005, 0.02, 4).astype(np.float32)
    w1 = g.const("w1", rng.integers(-127, 128, (4, 3, 3, 2)).astype(np.int8), QParams(list(w1s), [0] * 4, axis=0))
    b1 = g.const("b1", rng.integers(-300, 300, 4).astype(np.int32), QParams(list(np.float32(xs) * w1s), [0] * 4, axis=0))
    h = g.tensor("h", (1, 6, 6, 4), np.int8, QParams(hs, -128))
    g.op("CONV_2D", [q, w1, b1], [h], padding="SAME", stride_w=1, stride_h=1, fused_activation_function="RELU")
    w2s = rng.uniform(0.005, 0.02, 4).astype(np.float32)
    w2 = g.const("w2", rng.integers(-127, 128, (1, 3, 3, 4)).astype(np.int8), QParams(list(w2s), [0] * 4, axis=3))
    b2 = g.const("b2", rng.integers(-300, 300, 4).astype(np.int32), QParams(list(np.float32(hs) * w2s), [0] * 4, axis=0))
    y = g.tensor("yq", (1, 3, 3, 4), np.int8, QParams(ys, 3))
    g.op("DEPTHWISE_CONV_2D", [h, w2, b2], [y], padding="SAME", stride_w=2, stride_h=2, depth_multiplier=1)
    out = g.tensor("y", (1, 3, 3, 4))
    g.op("DEQUANTIZE", [y], [out])
    g.output(out)
    x_in = rng.uniform(-2, 2, (1, 6, 6, 2)).astype(np.float32)
    module = check_model(g.build(), [x_in], rtol=0, atol=0)  # integer arithmetic is exact, so is the dequantized output
    assert str(parse_module(str(module))) == str(module)


def dynamic_model(signature: tuple[int, ...]) -> bytes:
    rng = np.random.default_rng(43)
    g = Graph()
    x = g.input("x", (1, 4, 4, 3), signature=signature)
    c = g.tensor("c", (1, 4, 4, 2), signature=(-1, 4, 4, 2))
    g.op(
        "CONV_2D",
        [x, g.const("w", rng.standard_normal((2, 1, 1, 3)).astype(np.float32)), g.const("b", np.ones(2, np.float32))],
        [c],
        padding="SAME",
        stride_w=1,
        stride_h=1,
    )
    f = g.tensor("f", (1, 32), signature=(-1, 32))
    g.op("RESHAPE", [c, g.const("s", np.asarray([-1, 32], np.int32))], [f])
    y = g.tensor("y", (1, 5), signature=(-1, 5))
    g.op("FULLY_CONNECTED", [f, g.const("fw", rng.standard_normal((5, 32)).astype(np.float32))], [y])
    g.output(y)
    return g.build()


def test_dynamic_batch_needs_override() -> None:
    with pytest.raises(KccError, match=r"input 'x' has a dynamic shape \['\?', 4, 4, 3\].*--input-shape x:1,4,4,3"):
        import_tflite(dynamic_model((-1, 4, 4, 3)))


def test_dynamic_batch_override() -> None:
    model = dynamic_model((-1, 4, 4, 3))
    x = np.random.default_rng(44).standard_normal((3, 4, 4, 3)).astype(np.float32)
    # batch 1 (the file's own shape) matches litert
    one = check_model(model, [x[:1]], input_shapes={"x": [1, 4, 4, 3]})
    del one
    # batch 3: shapes are re-inferred through conv, reshape (-1 resolved) and fully connected
    module = import_tflite(model, input_shapes={"": [3, 4, 4, 3]})
    (y,) = run(module, [x])
    assert y.shape == (3, 5)
    for i in range(3):
        np.testing.assert_allclose(y[i : i + 1], run_model(model, [x[i : i + 1]])[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "shapes,message",
    [
        ({"x": [1, 5, 4, 3]}, r"input 'x' has shape \['\?', 4, 4, 3\]; it cannot be given shape \[1, 5, 4, 3\]"),
        ({"nope": [1, 4, 4, 3]}, r"--input-shape names input 'nope', but the model's inputs are 'x'"),
        ({"x": [0, 4, 4, 3]}, r"must have positive dimensions"),
    ],
)
def test_bad_overrides(shapes: dict[str, Any], message: str) -> None:
    with pytest.raises(KccError, match=message):
        import_tflite(dynamic_model((-1, 4, 4, 3)), input_shapes=shapes)


def test_static_model_override_equal_shape_is_fine(tmp_path: Any) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(dynamic_model((1, 4, 4, 3)))
    module = import_tflite(str(path), input_shapes={"x": [1, 4, 4, 3]})
    module.verify()


def test_import_is_deterministic() -> None:
    model, _ = mobilenet_like()
    assert str(import_tflite(model)) == str(import_tflite(bytearray(model)))
