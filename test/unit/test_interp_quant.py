"""nn.quantize / nn.dequantize against ONNX QuantizeLinear / DequantizeLinear (onnx.reference and onnxruntime),
and the fixed-point helpers of TFLite's integer kernels against their definitions on edge cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx_ref import assert_matches_onnx, one_node_model
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32
from xdsl.ir import Attribute

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.interp import run
from kcc.interp.kernels import fixed_point as fp

STORAGE = {np.dtype(np.uint8): IntegerType(8, Signedness.UNSIGNED), np.dtype(np.int8): IntegerType(8)}
SHAPE = (2, 3, 4, 5)


def _qparams(dtype: Any, axis: int | None) -> tuple[np.ndarray, np.ndarray]:
    """float32 scales and zero points: scalars per tensor, one per element of `axis` per channel."""
    rng = np.random.default_rng(1)
    n = 1 if axis is None else SHAPE[axis]
    scales = rng.uniform(0.01, 0.1, n).astype(np.float32)
    lo, hi = (0, 255) if np.dtype(dtype) == np.uint8 else (-128, 127)
    zps = rng.integers(lo // 2, hi // 2, n).astype(dtype)
    return (scales[0], zps[0]) if axis is None else (scales, zps)  # type: ignore[return-value]


def _qtype(dtype: Any, scales: np.ndarray, zps: np.ndarray, axis: int | None) -> Attribute:
    storage = STORAGE[np.dtype(dtype)]
    if axis is None:
        return nn.QuantType(storage, float(scales), int(zps))
    return nn.PerChannelQuantType(storage, axis, [float(s) for s in scales], [int(z) for z in zps])


def _real_input(scales: np.ndarray, axis: int | None) -> np.ndarray:
    """Random reals plus exact ties (k + 0.5) * scale, which half-to-even rounding must resolve."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(SHAPE).astype(np.float32) * 3
    shape = [1] * len(SHAPE)
    if axis is not None:
        shape[axis] = -1
    s = np.asarray(scales, dtype=np.float64).reshape(shape)
    ties = ((rng.integers(-60, 60, SHAPE) + 0.5) * s).astype(np.float32)
    exact = (ties.astype(np.float64) / s) % 1 == 0.5  # keep the ties float32 can represent exactly
    return np.where(exact & (rng.random(SHAPE) < 0.5), ties, x).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
@pytest.mark.parametrize("axis", [None, 0, 1, 3])
def test_quantize_matches_onnx(dtype: Any, axis: int | None) -> None:
    scales, zps = _qparams(dtype, axis)
    x = _real_input(scales, axis)
    attrs = {} if axis is None else {"axis": axis}
    model = one_node_model(
        "QuantizeLinear",
        {"x": x},
        attrs=attrs,
        initializers={"s": np.asarray(scales), "z": np.asarray(zps)},
        output_dtypes=[dtype],
        opset=19,
    )
    out_t = TensorType(_qtype(dtype, scales, zps, axis), SHAPE)
    module = build_module([TensorType(f32, SHAPE)], lambda v: nn.QuantizeOp(v, out_t, "half_even").output)
    got = run(module, [x])
    assert len(np.unique(got[0])) > 30
    assert_matches_onnx(got, model, {"x": x})


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_quantize_half_away_differs_on_ties(dtype: Any) -> None:
    """rounding "half_away" (TFLite) rounds ties away from zero where ONNX rounds them to even."""
    scales, zps = _qparams(dtype, None)
    x = (np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5]) * np.float64(scales)).astype(np.float32)
    out_t = TensorType(_qtype(dtype, scales, zps, None), [6])
    even = run(build_module([TensorType(f32, [6])], lambda v: nn.QuantizeOp(v, out_t, "half_even").output), [x])[0]
    away = run(build_module([TensorType(f32, [6])], lambda v: nn.QuantizeOp(v, out_t, "half_away").output), [x])[0]
    np.testing.assert_array_equal(even.astype(np.int64) - int(zps), [0, 2, 2, 0, -2, -2])
    np.testing.assert_array_equal(away.astype(np.int64) - int(zps), [1, 2, 3, -1, -2, -3])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
@pytest.mark.parametrize("axis", [None, 0, 2])
def test_dequantize_matches_onnx(dtype: Any, axis: int | None) -> None:
    scales, zps = _qparams(dtype, axis)
    info = np.iinfo(dtype)
    q = np.random.default_rng(3).integers(info.min, info.max, SHAPE, endpoint=True).astype(dtype)
    attrs = {} if axis is None else {"axis": axis}
    model = one_node_model(
        "DequantizeLinear",
        {"q": q},
        attrs=attrs,
        initializers={"s": np.asarray(scales), "z": np.asarray(zps)},
        output_dtypes=[np.float32],
        opset=19,
    )
    in_t = TensorType(_qtype(dtype, scales, zps, axis), SHAPE)
    module = build_module([in_t], lambda v: nn.DequantizeOp(v, TensorType(f32, SHAPE)).output)
    got = run(module, [q])
    assert_matches_onnx(got, model, {"q": q}, rtol=0, atol=0)


def test_requantize_per_channel() -> None:
    """Per-channel requantize: each channel by its own fixed-point multiplier (checked against exact
    rational arithmetic: the result is round(q * s_in / s_out) to within the multiplier's 2^-31 error)."""
    scales_in = np.array([0.5, 0.25, 0.125], dtype=np.float32)
    in_t = TensorType(nn.PerChannelQuantType(IntegerType(8), 1, [float(s) for s in scales_in], [0, 1, -1]), [2, 3, 4])
    out_t = TensorType(nn.QuantType(IntegerType(8, Signedness.UNSIGNED), 0.1, 128), [2, 3, 4])
    q = np.arange(-12, 12, dtype=np.int8).reshape(2, 3, 4) * 5
    got = run(build_module([in_t], lambda v: nn.RequantizeOp(v, out_t).output), [q])[0]
    real = (q.astype(np.float64) - np.array([0, 1, -1]).reshape(1, 3, 1)) * scales_in.reshape(1, 3, 1)
    want = np.clip(np.floor(real / np.float64(np.float32(0.1)) + 0.5) + 128, 0, 255)
    np.testing.assert_array_equal(got, want.astype(np.uint8))


# ------------------------------------------------------------------------------- fixed-point arithmetic


@pytest.mark.parametrize(
    ("real", "mult", "shift"),
    [
        (0.0, 0, 0),
        (1.0, 1 << 30, 1),
        (0.5, 1 << 30, 0),
        (0.75, 3 << 29, 0),
        (1.0 - 2.0**-33, 1 << 30, 1),  # significand rounds up to 2^31: halved, exponent + 1
        (2.0**-40, 0, 0),  # below 2^-32: flushed to zero
        (3.0, 3 << 29, 2),
    ],
)
def test_quantize_multiplier(real: float, mult: int, shift: int) -> None:
    assert fp.quantize_multiplier(real) == (mult, shift)


def test_saturating_rounding_doubling_high_mul() -> None:
    a = np.array([fp.INT32_MIN, fp.INT32_MAX, 3, -3, 1 << 30, -(1 << 30), 5], dtype=np.int64)
    b = np.array([fp.INT32_MIN, fp.INT32_MAX, 1 << 30, 1 << 30, 3, 3, 0], dtype=np.int64)
    # a * b / 2^31 to nearest; gemmlowp's nudge rounds ties up: 1.5 -> 2, -1.5 -> -1
    want = [fp.INT32_MAX, fp.INT32_MAX - 1, 2, -1, 2, -1, 0]
    np.testing.assert_array_equal(fp.saturating_rounding_doubling_high_mul(a, b), want)


def test_rounding_divide_by_pot() -> None:
    x = np.array([5, -5, 6, -6, 7, -7, 4, -4, 0], dtype=np.int64)
    # /4: 1.25 -> 1, -1.25 -> -1, 1.5 -> 2, -1.5 -> -2, 1.75 -> 2, -1.75 -> -2, 1, -1, 0
    np.testing.assert_array_equal(fp.rounding_divide_by_pot(x, 2), [1, -1, 2, -2, 2, -2, 1, -1, 0])
    np.testing.assert_array_equal(fp.rounding_divide_by_pot(x, 0), x)


def test_multiply_by_quantized_multiplier_left_shift() -> None:
    mult, shift = fp.quantize_multiplier(3.0)
    np.testing.assert_array_equal(fp.multiply_by_quantized_multiplier(np.array([7, -7, 0]), mult, shift), [21, -21, 0])
    mult, shift = fp.quantize_multiplier(0.1)
    # 25 * 0.1 = 2.5 -> 3 (ties away); -25 * 0.1 -> -3; 24 * 0.1 = 2.4 -> 2
    np.testing.assert_array_equal(fp.multiply_by_quantized_multiplier(np.array([25, -25, 24]), mult, shift), [3, -3, 2])


# ------------------------------------------------------------------------------- 16-bit unsigned and sub-byte storage

SUBBYTE = [
    (IntegerType(4), np.int8, (-8, 7), "int4"),
    (IntegerType(4, Signedness.UNSIGNED), np.uint8, (0, 15), "uint4"),
    (IntegerType(2), np.int8, (-2, 1), "int2"),
    (IntegerType(2, Signedness.UNSIGNED), np.uint8, (0, 3), "uint2"),
    (IntegerType(16, Signedness.UNSIGNED), np.uint16, (0, 65535), "uint16"),
]


@pytest.mark.parametrize(("storage", "holder", "bounds", "onnx_name"), SUBBYTE)
def test_new_storage_types_range_and_numpy_holder(storage: IntegerType, holder: Any, bounds: Any, onnx_name: str) -> None:
    from kcc.dialects.nn.types import numpy_dtype, storage_range

    assert storage_range(storage) == bounds
    assert numpy_dtype(nn.QuantType(storage, 0.5, bounds[1])) == np.dtype(holder)  # sub-byte: unpacked, one per byte


@pytest.mark.parametrize(("storage", "holder", "bounds", "onnx_name"), SUBBYTE)
def test_new_storage_quantize_dequantize_match_onnx(storage: IntegerType, holder: Any, bounds: Any, onnx_name: str) -> None:
    """Saturation to the storage range and ties to even, as onnx.reference's QuantizeLinear (opset 25) with an
    int4 / uint4 / int2 / uint2 / uint16 zero point; dequantize back exactly."""
    import ml_dtypes  # pyright: ignore[reportMissingTypeStubs]
    from onnx_ref import run_reference

    lo, hi = bounds
    zp = (lo + hi + 1) // 2
    scale = np.float32(0.25)
    x = (np.arange(-40, 40, dtype=np.float32) * np.float32(0.125)) * np.float32(hi - lo + 1) / 8  # ties and both saturations
    onnx_dtype = np.dtype(getattr(ml_dtypes, onnx_name)) if onnx_name != "uint16" else np.dtype(np.uint16)
    model = one_node_model(
        "QuantizeLinear",
        {"x": x},
        initializers={"s": np.asarray(scale), "z": np.asarray(zp).astype(onnx_dtype)},
        output_dtypes=[onnx_dtype],
        opset=25,
    )
    (want,) = run_reference(model, {"x": x})
    qt = TensorType(nn.QuantType(storage, float(scale), zp), [x.size])
    got = run(build_module([TensorType(f32, [x.size])], lambda v: nn.QuantizeOp(v, qt, "half_even").output), [x])[0]
    assert got.dtype == np.dtype(holder)
    np.testing.assert_array_equal(got, want.astype(holder))
    assert got.min() == lo and got.max() == hi
    back = run(build_module([qt], lambda v: nn.DequantizeOp(v, TensorType(f32, [x.size])).output), [got])[0]
    np.testing.assert_array_equal(back, (got.astype(np.float64) - zp) * 0.25)


def test_requantize_to_int4_saturates() -> None:
    in_t = TensorType(nn.QuantType(IntegerType(8), 0.5, 0), [6])
    out_t = TensorType(nn.QuantType(IntegerType(4), 1.0, -1), [6])
    q = np.array([-100, -16, -4, 4, 12, 100], dtype=np.int8)
    got = run(build_module([in_t], lambda v: nn.RequantizeOp(v, out_t).output), [q])[0]
    # q * 0.5 - 1, saturated to [-8, 7]
    np.testing.assert_array_equal(got, np.array([-8, -8, -3, 1, 5, 7], dtype=np.int8))


@pytest.mark.parametrize(
    "text",
    ["!nn.q<i3, 0.5, 0>", "!nn.q<ui32, 0.5, 0>", "!nn.q<si8, 0.5, 0>", "!nn.q<i4, 0.5, 8>", "!nn.qc<ui2, axis 0, [1.0], [4]>"],
)
def test_bad_new_storage_types_are_rejected(text: str) -> None:
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import VerifyException

    from kcc.context import kcc_context

    with pytest.raises(VerifyException):
        Parser(kcc_context(), text).parse_attribute().verify()


# ------------------------------------------------------------------------------- quantized resize exact kernel


@pytest.mark.parametrize(
    "props",
    [
        'mode "bilinear" coord "half_pixel" scales [0.6, 0.7]',
        'mode "bilinear" coord "asymmetric" antialias',
        'mode "bilinear" coord "tf_crop_and_resize" roi [-0.2, 0.1, 0.8, 1.3] extrapolation_value 3.0',
    ],
)
def test_resize_exact_kernel_keeps_onnx_only_properties(props: str) -> None:
    """The exact quantized resize kernel runs ONNX-only resizes through float with all of the op's properties (as the
    interpreter's nn.resize does), not TFLite's bilinear kernel with sizes only."""
    from kcc.context import parse_module
    from kcc.dialects.nn.movement import ResizeOp
    from kcc.interp.kernels.resize import resize_nchw
    from kcc.interp.nn.quant_kernels import resize_exact

    q = "!nn.q<ui8, 0.05, 100>"
    text = (
        f"func.func @main(%x: tensor<1x2x5x5x{q}>) -> tensor<1x2x3x3x{q}> {{\n"
        f"  %y = nn.resize %x {props} : tensor<1x2x5x5x{q}> -> tensor<1x2x3x3x{q}>\n"
        f"  func.return %y : tensor<1x2x3x3x{q}>\n}}"
    )
    module = parse_module(text)
    op = next(o for o in module.walk() if isinstance(o, ResizeOp))
    assert op.is_onnx_only
    x = np.random.default_rng(5).integers(0, 255, (1, 2, 5, 5), endpoint=True).astype(np.uint8)
    (got,) = resize_exact(op, (x,))
    np.testing.assert_array_equal(got, run(module, [x])[0])
    real = ((x.astype(np.float64) - 100) * np.float64(np.float32(0.05))).astype(np.float32)
    plain = resize_nchw(real, (3, 3), "bilinear", "half_pixel")  # sizes only: the ONNX-only properties dropped
    plain_q = np.clip(np.rint(plain.astype(np.float32) / np.float32(0.05)) + 100, 0, 255).astype(np.uint8)
    assert not np.array_equal(got, plain_q)
