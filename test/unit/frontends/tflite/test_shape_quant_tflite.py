"""TFLite RESHAPE, SQUEEZE, EXPAND_DIMS, QUANTIZE, DEQUANTIZE (incl. float16 weights folded at import)
through kcc's frontend + interpreter, against ai-edge-litert's reference kernels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from tflite_graph import Graph, check_model
from tflite_ref import QParams

from kcc.dialects import nn
from kcc.frontends.tflite import import_tflite


def one_op(
    op: str,
    x: np.ndarray,
    out_shape: Sequence[int],
    consts: Sequence[np.ndarray] = (),
    xq: QParams | None = None,
    yq: QParams | None = None,
    out_dtype: Any = None,
    **options: Any,
) -> bytes:
    g = Graph()
    xt = g.input("x", x.shape, x.dtype, xq)
    cs = [g.const(f"c{i}", c) for i, c in enumerate(consts)]
    y = g.tensor("y", out_shape, out_dtype or x.dtype, yq)
    g.op(op, [xt, *cs], [y], **options)
    g.output(y)
    return g.build()


X = np.random.default_rng(30).standard_normal((1, 2, 3, 4)).astype(np.float32)


@pytest.mark.parametrize("new_shape", [[1, 24], [4, -1], [2, 3, 4], [24]])
def test_reshape_shape_input(new_shape: list[int]) -> None:
    out = list(X.reshape(new_shape).shape)
    check_model(one_op("RESHAPE", X, out, [np.asarray(new_shape, dtype=np.int32)]), [X])


def test_reshape_option_only() -> None:
    check_model(one_op("RESHAPE", X, [6, 4], new_shape=[6, 4]), [X])


def test_reshape_quantized_keeps_quantization() -> None:
    x = np.arange(24, dtype=np.int8).reshape(1, 2, 3, 4)
    q = QParams(0.5, 3)
    module = check_model(one_op("RESHAPE", x, [1, 24], [np.asarray([1, 24], np.int32)], xq=q, yq=q), [x])
    assert "!nn.q<i8, 0.5, 3>" in str(module)


@pytest.mark.parametrize("dims,out", [([0], [2, 3, 4]), ([], [2, 3, 4]), ([-4], [2, 3, 4])])
def test_squeeze(dims: list[int], out: list[int]) -> None:
    check_model(one_op("SQUEEZE", X, out, squeeze_dims=dims), [X])


@pytest.mark.parametrize("axis,out", [(0, [1, 1, 2, 3, 4]), (2, [1, 2, 1, 3, 4]), (-1, [1, 2, 3, 4, 1])])
def test_expand_dims(axis: int, out: list[int]) -> None:
    check_model(one_op("EXPAND_DIMS", X, out, [np.asarray([axis], np.int32)]), [X])


@pytest.mark.parametrize("dtype,zp", [(np.int8, -5), (np.uint8, 128), (np.int16, 0)])
def test_quantize_float(dtype: Any, zp: int) -> None:
    x = np.concatenate([X.reshape(-1) * 3, np.asarray([0.25, -0.25, 0.75, -0.75, 100.0, -100.0], np.float32)])
    q = QParams(0.5 if dtype != np.int16 else 0.001, zp)
    module = check_model(one_op("QUANTIZE", x, x.shape, yq=q, out_dtype=dtype), [x])
    assert 'rounding "half_away"' in str(module)


@pytest.mark.parametrize(
    "in_dtype,in_q,out_dtype,out_q",
    [
        (np.int8, (0.05, 3), np.int8, (0.2, -7)),
        (np.uint8, (0.05, 128), np.int8, (0.05, 0)),
        (np.int8, (0.1, 0), np.uint8, (0.07, 120)),
    ],
)
def test_quantize_requantize(in_dtype: Any, in_q: tuple[float, int], out_dtype: Any, out_q: tuple[float, int]) -> None:
    info = np.iinfo(in_dtype)
    x = np.arange(info.min, info.max + 1).astype(in_dtype).reshape(1, -1)
    model = one_op("QUANTIZE", x, x.shape, xq=QParams(*in_q), yq=QParams(*out_q), out_dtype=out_dtype)
    module = check_model(model, [x])
    assert "nn.requantize" in str(module)


@pytest.mark.parametrize("dtype,q", [(np.int8, (0.05, -3)), (np.uint8, (0.02, 128))])
def test_dequantize(dtype: Any, q: tuple[float, int]) -> None:
    info = np.iinfo(dtype)
    x = np.arange(info.min, info.max + 1).astype(dtype).reshape(1, -1)
    module = check_model(one_op("DEQUANTIZE", x, x.shape, xq=QParams(*q), out_dtype=np.float32), [x], rtol=0, atol=0)
    assert "nn.dequantize" in str(module)


def test_fp16_weights_folded() -> None:
    """float16 const -> DEQUANTIZE -> CONV_2D: the weights become a float32 nn.const; no dequantize remains."""
    rng = np.random.default_rng(31)
    x = rng.standard_normal((1, 5, 5, 3)).astype(np.float32)
    w16 = rng.standard_normal((4, 3, 3, 3)).astype(np.float16)
    b16 = rng.standard_normal(4).astype(np.float16)
    g = Graph()
    xt = g.input("x", x.shape)
    wq = g.const("w16", w16)
    bq = g.const("b16", b16)
    w = g.tensor("w", w16.shape)
    b = g.tensor("b", b16.shape)
    y = g.tensor("y", (1, 5, 5, 4))
    g.op("DEQUANTIZE", [wq], [w])
    g.op("DEQUANTIZE", [bq], [b])
    g.op("CONV_2D", [xt, w, b], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    module = check_model(g.build(), [x])
    text = str(module)
    assert "nn.dequantize" not in text and "f16" not in text
    consts = [op.to_numpy() for op in module.walk() if isinstance(op, nn.ConstOp)]
    assert any(c.dtype == np.float32 and c.shape == (4, 3, 3, 3) for c in consts)


def test_int8_weights_dequantize_folded() -> None:
    """A weight-only quantized model: int8 const -> DEQUANTIZE (per channel) -> FULLY_CONNECTED."""
    rng = np.random.default_rng(32)
    x = rng.standard_normal((2, 6)).astype(np.float32)
    wq = rng.integers(-127, 127, (3, 6)).astype(np.int8)
    scales = [0.01, 0.02, 0.03]
    g = Graph()
    xt = g.input("x", x.shape)
    wc = g.const("wq", wq, QParams(scales, [0, 0, 0], axis=0))
    w = g.tensor("w", wq.shape)
    bc = g.const("b", np.zeros(3, np.float32))
    y = g.tensor("y", (2, 3))
    g.op("DEQUANTIZE", [wc], [w])
    g.op("FULLY_CONNECTED", [xt, w, bc], [y])
    g.output(y)
    module = check_model(g.build(), [x])
    assert "!nn.q" not in str(module)


def test_const_folded_output_is_graph_output() -> None:
    g = Graph()
    xt = g.input("x", (1, 2))
    c = g.const("c16", np.asarray([1.5, -2.0], np.float16))
    y = g.tensor("y", (2,))
    g.op("DEQUANTIZE", [c], [y])
    g.output(xt, y)
    module = import_tflite(g.build())
    from kcc.interp import run

    got = run(module, [np.ones((1, 2), np.float32)])
    np.testing.assert_array_equal(got[1], np.asarray([1.5, -2.0], np.float32))
    np.testing.assert_array_equal(got[0], np.ones((1, 2), np.float32))
