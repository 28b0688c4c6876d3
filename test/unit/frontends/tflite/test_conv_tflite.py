"""TFLite CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, Convolution2DTransposeBias and FULLY_CONNECTED through
kcc's frontend + interpreter, against ai-edge-litert's reference kernels (floats to 1e-5, quantized exactly)."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from tflite_graph import Graph, check_model
from tflite_ref import QParams, run_model

from kcc.dialects import nn
from kcc.errors import KccError
from kcc.frontends.tflite import import_tflite

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def out_size(size: int, k: int, s: int, d: int, padding: str) -> int:
    return -(-size // s) if padding == "SAME" else (size - d * (k - 1) - 1) // s + 1


def f32s(x: float) -> float:
    return float(np.float32(x))


def rand_q(rng: np.random.Generator, shape: Sequence[int], dtype: Any) -> np.ndarray:
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=tuple(shape), endpoint=True).astype(dtype)


def conv_model(
    op: str,
    x_shape: Sequence[int],
    w: np.ndarray,
    b: np.ndarray | None,
    out_shape: Sequence[int],
    *,
    dtype: Any = np.float32,
    xq: QParams | None = None,
    wq: QParams | None = None,
    bq: QParams | None = None,
    yq: QParams | None = None,
    **options: Any,
) -> bytes:
    g = Graph()
    x = g.input("x", x_shape, dtype, xq)
    wt = g.const("w", w, wq)
    ins = [x, wt] if b is None else [x, wt, g.const("b", b, bq)]  # litert wants 2 inputs, not -1, without bias
    y = g.tensor("y", out_shape, dtype, yq)
    g.op(op, ins, [y], **options)
    g.output(y)
    return g.build()


# -- CONV_2D --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
def test_conv2d_float(padding: str, stride: int, dilation: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 9, 8, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    oh, ow = out_size(9, 3, stride, dilation, padding), out_size(8, 3, stride, dilation, padding)
    model = conv_model(
        "CONV_2D",
        x.shape,
        w,
        b,
        (1, oh, ow, 4),
        padding=padding,
        stride_w=stride,
        stride_h=stride,
        dilation_w_factor=dilation,
        dilation_h_factor=dilation,
    )
    module = check_model(model, [x])
    text = str(module)
    assert text.count("nn.transpose") == 2 and "nn.conv2d" in text


@pytest.mark.parametrize("act", ACTS)
def test_conv2d_fused_activation(act: str) -> None:
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((1, 6, 6, 2)) * 3).astype(np.float32)
    w = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    model = conv_model(
        "CONV_2D", x.shape, w, b, (1, 3, 3, 3), padding="VALID", stride_w=2, stride_h=2, fused_activation_function=act
    )
    module = check_model(model, [x])
    if act != "NONE":
        assert "act #nn.act<" in str(module)


@pytest.mark.parametrize("act", ["TANH", "SIGN_BIT"])
def test_conv2d_fused_activation_ignored_by_tflite_is_refused(act: str) -> None:
    """TFLite's kernels silently ignore a fused TANH / SIGN_BIT (CalculateActivationRange knows only the
    ReLUs), so the model means something else than it says: kcc refuses it."""
    w = np.ones((1, 1, 1, 1), np.float32)
    model = conv_model(
        "CONV_2D", (1, 2, 2, 1), w, None, (1, 2, 2, 1), padding="SAME", stride_w=1, stride_h=1, fused_activation_function=act
    )
    with pytest.raises(KccError, match=rf"CONV_2D 'y' \(#0\): unsupported fused activation {act}.*supported: NONE, RELU"):
        import_tflite(model)


def test_conv2d_stride_hw_differ_no_bias_grouped() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 5, 4)).astype(np.float32)
    w = rng.standard_normal((6, 3, 2, 2)).astype(np.float32)  # groups = 4 / 2 = 2
    opts: dict[str, Any] = {"padding": "SAME", "stride_w": 1, "stride_h": 2}
    model = conv_model("CONV_2D", x.shape, w, None, (2, 4, 5, 6), **opts)
    # litert's CONV_2D insists on a bias (conv.cc: has_bias): the reference is the model with a zero bias
    want = run_model(conv_model("CONV_2D", x.shape, w, np.zeros(6, np.float32), (2, 4, 5, 6), **opts), [x])
    module = check_model(model, [x], reference=want)
    assert "groups 2" in str(module)


@pytest.mark.parametrize("padding,stride,act", [("SAME", 1, "NONE"), ("VALID", 2, "RELU6"), ("SAME", 2, "RELU")])
def test_conv2d_int8_per_channel(padding: str, stride: int, act: str) -> None:
    rng = np.random.default_rng(4)
    x = rand_q(rng, (1, 7, 7, 3), np.int8)
    w = rand_q(rng, (5, 3, 3, 3), np.int8)
    xs, ys = f32s(0.05), f32s(0.9)
    ws = (rng.uniform(0.002, 0.02, 5)).astype(np.float32)
    b = rng.integers(-3000, 3000, 5).astype(np.int32)
    oh = out_size(7, 3, stride, 1, padding)
    model = conv_model(
        "CONV_2D",
        x.shape,
        w,
        b,
        (1, oh, oh, 5),
        dtype=np.int8,
        xq=QParams(xs, -3),
        wq=QParams(list(ws), [0] * 5, axis=0),
        bq=QParams(list(np.float32(xs) * ws), [0] * 5, axis=0),
        yq=QParams(ys, 4),
        padding=padding,
        stride_w=stride,
        stride_h=stride,
        fused_activation_function=act,
    )
    module = check_model(model, [x])
    assert "!nn.qc<i8, axis 0" in str(module)


@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_uint8_per_tensor(with_bias: bool) -> None:
    rng = np.random.default_rng(5)
    x = rand_q(rng, (1, 6, 6, 3), np.uint8)
    w = rand_q(rng, (4, 3, 3, 3), np.uint8)
    xs, ws, ys = f32s(0.02), f32s(0.01), f32s(0.12)
    b = rng.integers(-2000, 2000, 4).astype(np.int32)
    opts: dict[str, Any] = dict(
        dtype=np.uint8,
        xq=QParams(xs, 128),
        wq=QParams(ws, 120),
        bq=QParams(f32s(xs * ws), 0),
        yq=QParams(ys, 100),
        padding="SAME",
        stride_w=1,
        stride_h=1,
        fused_activation_function="RELU",
    )
    if not with_bias:  # litert's CONV_2D insists on a bias: the reference is the model with a zero bias
        want = run_model(conv_model("CONV_2D", x.shape, w, np.zeros(4, np.int32), (1, 6, 6, 4), **opts), [x])
        check_model(conv_model("CONV_2D", x.shape, w, None, (1, 6, 6, 4), **opts), [x], reference=want)
        return
    model = conv_model(
        "CONV_2D",
        x.shape,
        w,
        b,
        (1, 6, 6, 4),
        dtype=np.uint8,
        xq=QParams(xs, 128),
        wq=QParams(ws, 120),
        bq=QParams(f32s(xs * ws), 0),
        yq=QParams(ys, 100),
        padding="SAME",
        stride_w=1,
        stride_h=1,
        fused_activation_function="RELU",
    )
    check_model(model, [x])


# -- DEPTHWISE_CONV_2D ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("multiplier", [1, 2])
def test_depthwise_float(padding: str, stride: int, multiplier: int) -> None:
    rng = np.random.default_rng(6)
    c = 3
    x = rng.standard_normal((1, 8, 7, c)).astype(np.float32)
    w = rng.standard_normal((1, 3, 3, c * multiplier)).astype(np.float32)
    b = rng.standard_normal(c * multiplier).astype(np.float32)
    oh, ow = out_size(8, 3, stride, 1, padding), out_size(7, 3, stride, 1, padding)
    model = conv_model(
        "DEPTHWISE_CONV_2D",
        x.shape,
        w,
        b,
        (1, oh, ow, c * multiplier),
        padding=padding,
        stride_w=stride,
        stride_h=stride,
        depth_multiplier=multiplier,
        fused_activation_function="RELU6",
    )
    module = check_model(model, [x])
    assert f"groups {c}" in str(module)


def test_depthwise_dilated_no_bias() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 9, 9, 4)).astype(np.float32)
    w = rng.standard_normal((1, 3, 3, 4)).astype(np.float32)
    model = conv_model(
        "DEPTHWISE_CONV_2D",
        x.shape,
        w,
        None,
        (1, 9, 9, 4),
        padding="SAME",
        stride_w=1,
        stride_h=1,
        depth_multiplier=1,
        dilation_w_factor=2,
        dilation_h_factor=2,
    )
    check_model(model, [x])


@pytest.mark.parametrize("multiplier,stride", [(1, 1), (2, 2)])
def test_depthwise_int8_per_channel(multiplier: int, stride: int) -> None:
    rng = np.random.default_rng(8)
    c = 4
    cm = c * multiplier
    x = rand_q(rng, (1, 6, 6, c), np.int8)
    w = rand_q(rng, (1, 3, 3, cm), np.int8)
    xs, ys = f32s(0.04), f32s(0.3)
    ws = rng.uniform(0.005, 0.03, cm).astype(np.float32)
    b = rng.integers(-1000, 1000, cm).astype(np.int32)
    oh = out_size(6, 3, stride, 1, "SAME")
    model = conv_model(
        "DEPTHWISE_CONV_2D",
        x.shape,
        w,
        b,
        (1, oh, oh, cm),
        dtype=np.int8,
        xq=QParams(xs, 2),
        wq=QParams(list(ws), [0] * cm, axis=3),
        bq=QParams(list(np.float32(xs) * ws), [0] * cm, axis=0),
        yq=QParams(ys, -5),
        padding="SAME",
        stride_w=stride,
        stride_h=stride,
        depth_multiplier=multiplier,
    )
    module = check_model(model, [x])
    assert "!nn.qc<i8, axis 0" in str(module)  # TFLite axis 3 of [1, H, W, C*M] -> nn axis 0


def test_depthwise_uint8() -> None:
    rng = np.random.default_rng(9)
    x = rand_q(rng, (1, 5, 5, 2), np.uint8)
    w = rand_q(rng, (1, 3, 3, 2), np.uint8)
    xs, ws, ys = f32s(0.03), f32s(0.02), f32s(0.2)
    b = rng.integers(-500, 500, 2).astype(np.int32)
    model = conv_model(
        "DEPTHWISE_CONV_2D",
        x.shape,
        w,
        b,
        (1, 3, 3, 2),
        dtype=np.uint8,
        xq=QParams(xs, 120),
        wq=QParams(ws, 130),
        bq=QParams(f32s(xs * ws), 0),
        yq=QParams(ys, 128),
        padding="VALID",
        stride_w=1,
        stride_h=1,
        depth_multiplier=1,
        fused_activation_function="RELU6",
    )
    check_model(model, [x])


# -- TRANSPOSE_CONV and Convolution2DTransposeBias ------------------------------------------------------------


def transpose_conv_model(
    x_shape: Sequence[int], w: np.ndarray, b: np.ndarray | None, out_shape: Sequence[int], **options: Any
) -> bytes:
    g = Graph()
    x = g.input("x", x_shape)
    shape = g.const("output_shape", np.asarray(out_shape, dtype=np.int32))
    wt = g.const("w", w)
    bt = g.const("b", b) if b is not None else -1
    y = g.tensor("y", out_shape)
    g.op("TRANSPOSE_CONV", [shape, wt, x, bt], [y], version=3, **options)
    g.output(y)
    return g.build()


@pytest.mark.parametrize(
    "padding,stride,out_hw",
    [("SAME", 1, (5, 6)), ("SAME", 2, (10, 12)), ("SAME", 2, (9, 11)), ("VALID", 1, (7, 8)), ("VALID", 2, (11, 13))],
)
@pytest.mark.parametrize("with_bias", [True, False])
def test_transpose_conv_float(padding: str, stride: int, out_hw: tuple[int, int], with_bias: bool) -> None:
    rng = np.random.default_rng(10)
    x = rng.standard_normal((1, 5, 6, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # OHWI
    b = rng.standard_normal(4).astype(np.float32) if with_bias else None
    model = transpose_conv_model(x.shape, w, b, (1, *out_hw, 4), padding=padding, stride_w=stride, stride_h=stride)
    module = check_model(model, [x])
    assert "nn.conv_transpose2d" in str(module)


def test_transpose_conv_larger_valid_output_uses_output_padding() -> None:
    """VALID, in 4, kernel 3, stride 2: the full result is 9 rows; an output of 10 rows gets a bias-only row."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 4, 4, 2)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    model = transpose_conv_model(x.shape, w, b, (1, 10, 10, 2), padding="VALID", stride_w=2, stride_h=2)
    module = check_model(model, [x])
    assert "output_padding [1, 1]" in str(module)


def test_conv2d_transpose_bias_custom_op() -> None:
    """MediaPipe's custom op (input, OHWI weights, bias; options padding/stride_w/stride_h as a C struct)
    computes TRANSPOSE_CONV with a bias: compare with litert running the equivalent builtin model."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((1, 4, 5, 3)).astype(np.float32)
    w = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    for tfl_padding, padding, out_hw in ((1, "SAME", (8, 10)), (2, "VALID", (10, 12))):
        reference = transpose_conv_model(x.shape, w, b, (1, *out_hw, 2), padding=padding, stride_w=2, stride_h=2)
        want = run_model(reference, [x])
        g = Graph()
        xt = g.input("x", x.shape)
        wt = g.const("w", w)
        bt = g.const("b", b)
        y = g.tensor("y", (1, *out_hw, 2))
        g.op(
            "CUSTOM",
            [xt, wt, bt],
            [y],
            custom_code="Convolution2DTransposeBias",
            custom_options=struct.pack("<iii", tfl_padding, 2, 2),
        )
        g.output(y)
        check_model(g.build(), [x], reference=want)


def test_conv2d_transpose_bias_bad_options() -> None:
    g = Graph()
    xt = g.input("x", (1, 2, 2, 1))
    wt = g.const("w", np.ones((1, 2, 2, 1), np.float32))
    bt = g.const("b", np.zeros(1, np.float32))
    y = g.tensor("y", (1, 4, 4, 1))
    g.op("CUSTOM", [xt, wt, bt], [y], custom_code="Convolution2DTransposeBias", custom_options=b"\x01\x00")
    g.output(y)
    with pytest.raises(KccError, match=r"Convolution2DTransposeBias 'y' \(#0\): custom options hold 2 bytes"):
        import_tflite(g.build())


def test_transpose_conv_int8_per_channel() -> None:
    rng = np.random.default_rng(13)
    x = rand_q(rng, (1, 3, 3, 2), np.int8)
    w = rand_q(rng, (3, 3, 3, 2), np.int8)
    xs, ys = f32s(0.05), f32s(0.5)
    ws = rng.uniform(0.01, 0.02, 3).astype(np.float32)
    g = Graph()
    xt = g.input("x", x.shape, np.int8, QParams(xs, 1))
    shape = g.const("output_shape", np.asarray((1, 6, 6, 3), dtype=np.int32))
    wt = g.const("w", w, QParams(list(ws), [0] * 3, axis=0))
    y = g.tensor("y", (1, 6, 6, 3), np.int8, QParams(ys, -2))
    g.op("TRANSPOSE_CONV", [shape, wt, xt, -1], [y], version=3, padding="SAME", stride_w=2, stride_h=2)
    g.output(y)
    # kcc's integer kernel for nn.conv_transpose2d accumulates int32 and rescales in fixed point like TFLite.
    module = check_model(g.build(), [x])
    assert "!nn.qc<i8, axis 1" in str(module)  # TFLite axis 0 (O of OHWI) -> nn [I, O, H, W] axis 1


# -- FULLY_CONNECTED ------------------------------------------------------------------------------------------


def fc_model(
    x_shape: Sequence[int],
    w: np.ndarray,
    b: np.ndarray | None,
    out_shape: Sequence[int],
    *,
    dtype: Any = np.float32,
    xq: QParams | None = None,
    wq: QParams | None = None,
    bq: QParams | None = None,
    yq: QParams | None = None,
    **options: Any,
) -> bytes:
    g = Graph()
    x = g.input("x", x_shape, dtype, xq)
    wt = g.const("w", w, wq)
    bt = g.const("b", b, bq) if b is not None else -1
    y = g.tensor("y", out_shape, dtype, yq)
    g.op("FULLY_CONNECTED", [x, wt, bt], [y], **options)
    g.output(y)
    return g.build()


@pytest.mark.parametrize(
    "x_shape,out_shape,keep",
    [((3, 8), (3, 5), False), ((1, 2, 2, 4), (1, 5), False), ((2, 3, 8), (2, 3, 5), True), ((2, 3, 8), (6, 5), False)],
)
@pytest.mark.parametrize("with_bias", [True, False])
def test_fully_connected_float(x_shape: tuple[int, ...], out_shape: tuple[int, ...], keep: bool, with_bias: bool) -> None:
    rng = np.random.default_rng(14)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal((5, 8 if x_shape[-1] == 8 else 16)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32) if with_bias else None
    model = fc_model(x_shape, w, b, out_shape, keep_num_dims=keep, fused_activation_function="RELU")
    module = check_model(model, [x])
    assert "nn.fully_connected" in str(module)


@pytest.mark.parametrize("dtype,zp", [(np.int8, -4), (np.uint8, 128)])
def test_fully_connected_quantized(dtype: Any, zp: int) -> None:
    rng = np.random.default_rng(15)
    x = rand_q(rng, (2, 16), dtype)
    w = rand_q(rng, (6, 16), dtype)
    xs, ws, ys = f32s(0.03), f32s(0.01), f32s(0.25)
    wzp = 0 if dtype == np.int8 else 127
    b = rng.integers(-5000, 5000, 6).astype(np.int32)
    model = fc_model(
        x.shape,
        w,
        b,
        (2, 6),
        dtype=dtype,
        xq=QParams(xs, zp),
        wq=QParams(ws, wzp),
        bq=QParams(f32s(xs * ws), 0),
        yq=QParams(ys, zp),
        fused_activation_function="RELU6",
    )
    check_model(model, [x])


def test_fully_connected_int8_no_bias_keep_dims() -> None:
    rng = np.random.default_rng(16)
    x = rand_q(rng, (1, 2, 8), np.int8)
    w = rand_q(rng, (3, 8), np.int8)
    model = fc_model(
        x.shape,
        w,
        None,
        (1, 2, 3),
        dtype=np.int8,
        xq=QParams(f32s(0.1), 0),
        wq=QParams(f32s(0.02), 0),
        yq=QParams(f32s(0.3), 1),
        keep_num_dims=True,
    )
    check_model(model, [x])


def test_fully_connected_quantized_weights_float_input_dequantized() -> None:
    """A hybrid model (float input, int8 weights): kcc dequantizes the weights at import and computes in float;
    litert's hybrid kernel quantizes the input on the fly, so compare with float math on the dequantized weights."""
    rng = np.random.default_rng(17)
    x = rng.standard_normal((2, 8)).astype(np.float32)
    w = rand_q(rng, (3, 8), np.int8)
    model = fc_model(x.shape, w, None, (2, 3), wq=QParams(f32s(0.05), 0))
    want = x.astype(np.float64) @ (w.astype(np.float64) * f32s(0.05)).T
    module = check_model(model, [x], reference=[want.astype(np.float32)])
    assert "!nn.q" not in str(module)


def test_conv_types_in_ir() -> None:
    """The IR holds nn's layouts: OIHW weights, NCHW conv between transposes."""
    w = np.arange(4 * 2 * 3 * 5, dtype=np.float32).reshape(4, 2, 3, 5)  # OHWI
    model = conv_model("CONV_2D", (1, 6, 6, 5), w, None, (1, 5, 4, 4), padding="VALID", stride_w=1, stride_h=1)
    module = import_tflite(model)
    consts = [op for op in module.walk() if isinstance(op, nn.ConstOp)]
    weight = next(c for c in consts if c.to_numpy().ndim == 4)
    np.testing.assert_array_equal(weight.to_numpy(), w.transpose(0, 3, 1, 2))
