"""Bad TFLite input gives one-line KccErrors naming the op, its index and the rule; never a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tflite_graph import Graph

from kcc.errors import KccError
from kcc.frontends.tflite import import_tflite, supported_ops


def small_model() -> bytes:
    rng = np.random.default_rng(50)
    g = Graph()
    x = g.input("x", (1, 4, 4, 2))
    c = g.tensor("c", (1, 4, 4, 3))
    g.op(
        "CONV_2D",
        [x, g.const("w", rng.standard_normal((3, 3, 3, 2)).astype(np.float32)), g.const("b", np.zeros(3, np.float32))],
        [c],
        padding="SAME",
        stride_w=1,
        stride_h=1,
    )
    p = g.tensor("p", (1, 2, 2, 3))
    g.op("MAX_POOL_2D", [c], [p], padding="VALID", stride_w=2, stride_h=2, filter_width=2, filter_height=2)
    y = g.tensor("y", (1, 12))
    g.op("RESHAPE", [p, g.const("s", np.asarray([1, 12], np.int32))], [y])
    g.output(y)
    return g.build()


def error_of(data: bytes) -> str:
    with pytest.raises(KccError) as info:
        import_tflite(data)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_unsupported_op_names_op_index_and_supported_list() -> None:
    g = Graph()
    x = g.input("x", (1, 4))
    r = g.tensor("r", (1, 4))
    y = g.tensor("cum", (1, 4))
    g.op("RESHAPE", [x], [r], new_shape=[1, 4])
    g.op("CUMSUM", [r, g.const("axis", np.asarray(1, np.int32))], [y])
    g.output(y)
    message = error_of(g.build())
    assert message.startswith("CUMSUM 'cum' (#1): unsupported TFLite op 'CUMSUM'")
    assert "supported: " + ", ".join(supported_ops()) in message
    for name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "RESHAPE", "SOFTMAX", "Convolution2DTransposeBias"):
        assert name in supported_ops()


def test_unsupported_custom_op() -> None:
    g = Graph()
    x = g.input("x", (1, 4))
    y = g.tensor("y", (1, 4))
    g.op("CUSTOM", [x], [y], custom_code="MyMagicOp")
    g.output(y)
    assert error_of(g.build()).startswith("MyMagicOp 'y' (#0): unsupported TFLite custom op 'MyMagicOp'")


def test_not_a_tflite_file() -> None:
    model = small_model()
    assert "file identifier is b'ONNX', expected b'TFL3'" in error_of(model[:4] + b"ONNX" + model[8:])
    assert "is not a TFLite model" in error_of(b"\x08\x07\x12\x04onnx model proto bytes")
    assert "too short" in error_of(b"TFL3")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KccError, match="cannot read TFLite model"):
        import_tflite(tmp_path / "missing.tflite")


def test_truncated_files() -> None:
    """A truncated file fails with a KccError, unless the cut only removed bytes nothing points to (the
    builder's trailing padding): then the module is the original one."""
    model = small_model()
    original = str(import_tflite(model))
    errors = 0
    for end in range(0, len(model), 3):
        try:
            module = import_tflite(model[:end])
        except KccError as e:
            assert "corrupt" in str(e) or "not a TFLite" in str(e), str(e)
            errors += 1
            continue
        assert str(module) == original, f"truncated at {end} of {len(model)} bytes, the model imports differently"
    assert errors > len(model) // 3 - 5


def test_random_bytes() -> None:
    rng = np.random.default_rng(51)
    for size in (16, 64, 1000, 5000):
        for _ in range(5):
            data = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
            data[4:8] = b"TFL3"  # get past the identifier check into the flatbuffer parsing
            error_of(bytes(data))


def test_byte_flips_give_a_module_or_a_kcc_error() -> None:
    """Every single-byte corruption of a valid model either still imports or fails with a KccError."""
    model = small_model()
    rng = np.random.default_rng(52)
    imported = failed = 0
    for pos in rng.choice(len(model), 100, replace=False):
        data = bytearray(model)
        data[pos] ^= int(rng.integers(1, 256))
        try:
            import_tflite(bytes(data))
            imported += 1
        except KccError as e:
            assert "\n" not in str(e)
            failed += 1
    assert imported + failed == 100 and failed > 0


def test_buffer_size_mismatch() -> None:
    g = Graph()
    x = g.input("x", (1, 2))
    y = g.tensor("y", (1, 2))
    g.op("FULLY_CONNECTED", [x, g.const("w", np.ones((2, 2), np.float32)), -1], [y])
    g.output(y)
    g.tensors[2].shape = (2, 3)  # the constant claims 6 floats but holds 4
    g.tensors[1].shape = (1, 3)
    assert "needs 24 bytes but its buffer 1 holds 16" in error_of(g.build())


def test_non_constant_weights_named() -> None:
    g = Graph()
    x = g.input("x", (1, 4, 4, 1))
    w = g.input("w", (1, 3, 3, 1))
    y = g.tensor("y", (1, 4, 4, 1))
    g.op("DEPTHWISE_CONV_2D", [x, w], [y], padding="SAME", stride_w=1, stride_h=1, depth_multiplier=1)
    g.output(y)
    assert "DEPTHWISE_CONV_2D 'y' (#0): weights (input #1 'w') must be a constant tensor" in error_of(g.build())


def test_inconsistent_declared_shape() -> None:
    g = Graph()
    x = g.input("x", (1, 4, 4, 1))
    y = g.tensor("y", (1, 3, 3, 1))  # SAME stride 1 gives 4x4
    g.op("MAX_POOL_2D", [x], [y], padding="SAME", stride_w=1, stride_h=1, filter_width=2, filter_height=2)
    g.output(y)
    message = error_of(g.build())
    assert message.startswith("MAX_POOL_2D 'y' (#0): nn.max_pool2d: result #0 has shape 1x1x3x3 but the op computes 1x1x4x4")


def test_bad_padding_and_stride() -> None:
    g = Graph()
    x = g.input("x", (1, 4, 4, 1))
    y = g.tensor("y", (1, 4, 4, 1))
    g.op("AVERAGE_POOL_2D", [x], [y], padding="SAME", stride_w=0, stride_h=1, filter_width=2, filter_height=2)
    g.output(y)
    assert "AVERAGE_POOL_2D 'y' (#0): stride_w must be positive, got 0" in error_of(g.build())
