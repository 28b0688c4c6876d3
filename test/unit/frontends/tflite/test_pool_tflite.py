"""TFLite AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SUM, REDUCE_MAX, SOFTMAX through kcc's frontend + interpreter,
against ai-edge-litert's reference kernels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from tflite_graph import Graph, check_model
from tflite_ref import QParams


def one_op(
    op: str,
    x: np.ndarray,
    out_shape: Sequence[int],
    consts: Sequence[np.ndarray] = (),
    xq: QParams | None = None,
    yq: QParams | None = None,
    **options: Any,
) -> bytes:
    g = Graph()
    xt = g.input("x", x.shape, x.dtype, xq)
    cs = [g.const(f"c{i}", c) for i, c in enumerate(consts)]
    y = g.tensor("y", out_shape, x.dtype, yq)
    g.op(op, [xt, *cs], [y], **options)
    g.output(y)
    return g.build()


def pool_out(size: int, k: int, s: int, padding: str) -> int:
    return -(-size // s) if padding == "SAME" else (size - k) // s + 1


def rand_q(rng: np.random.Generator, shape: Sequence[int], dtype: Any) -> np.ndarray:
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=tuple(shape), endpoint=True).astype(dtype)


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride,kernel", [(1, 3), (2, 2), (2, 3)])
def test_pool_float(op: str, padding: str, stride: int, kernel: int) -> None:
    rng = np.random.default_rng(20)
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    out = (2, pool_out(7, kernel, stride, padding), pool_out(6, kernel, stride, padding), 3)
    model = one_op(
        op,
        x,
        out,
        padding=padding,
        stride_w=stride,
        stride_h=stride,
        filter_width=kernel,
        filter_height=kernel,
        fused_activation_function="RELU6" if stride == 2 else "NONE",
    )
    module = check_model(model, [x])
    if op == "AVERAGE_POOL_2D":
        assert "count_include_pad false" in str(module)


def test_avg_pool_same_extra_pad_bottom_right() -> None:
    """SAME with an even total pad puts the extra row / column at the bottom / right, uncounted in the mean."""
    x = np.arange(1 * 4 * 4 * 1, dtype=np.float32).reshape(1, 4, 4, 1)
    model = one_op("AVERAGE_POOL_2D", x, (1, 2, 2, 1), padding="SAME", stride_w=2, stride_h=2, filter_width=3, filter_height=3)
    module = check_model(model, [x])
    assert "pads [0, 0, 1, 1]" in str(module)


@pytest.mark.parametrize("dtype,zp", [(np.int8, -3), (np.uint8, 120)])
def test_max_pool_quantized(dtype: Any, zp: int) -> None:
    rng = np.random.default_rng(21)
    x = rand_q(rng, (1, 6, 6, 2), dtype)
    q = QParams(float(np.float32(0.1)), zp)
    model = one_op(
        "MAX_POOL_2D", x, (1, 3, 3, 2), xq=q, yq=q, padding="SAME", stride_w=2, stride_h=2, filter_width=3, filter_height=3
    )
    check_model(model, [x])


@pytest.mark.parametrize("dtype,zp", [(np.int8, -3), (np.uint8, 120)])
def test_avg_pool_quantized(dtype: Any, zp: int) -> None:
    rng = np.random.default_rng(22)
    x = rand_q(rng, (1, 6, 6, 2), dtype)
    q = QParams(float(np.float32(0.1)), zp)
    model = one_op(
        "AVERAGE_POOL_2D", x, (1, 3, 3, 2), xq=q, yq=q, padding="SAME", stride_w=2, stride_h=2, filter_width=3, filter_height=3
    )
    # TFLite (and kcc's integer kernel) rounds the integer mean half away from zero: (sum +- count / 2) / count.
    check_model(model, [x])


@pytest.mark.parametrize("op", ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"])
@pytest.mark.parametrize("axes,keep", [([1, 2], True), ([1, 2], False), ([-1], False), ([0, 2, 2], True), ([3], True)])
def test_reduce_float(op: str, axes: list[int], keep: bool) -> None:
    rng = np.random.default_rng(23)
    x = rng.standard_normal((2, 4, 5, 3)).astype(np.float32)
    norm = sorted({a % 4 for a in axes})
    shape = (
        [1 if i in norm else d for i, d in enumerate(x.shape)] if keep else [d for i, d in enumerate(x.shape) if i not in norm]
    )
    model = one_op(op, x, shape, [np.asarray(axes, dtype=np.int32)], keep_dims=keep)
    check_model(model, [x])


def test_mean_scalar_axis() -> None:
    x = np.random.default_rng(24).standard_normal((1, 3, 3, 4)).astype(np.float32)
    model = one_op("MEAN", x, (1, 3, 3), [np.asarray(3, dtype=np.int32)], keep_dims=False)
    check_model(model, [x])


def test_mean_int8_same_quantization() -> None:
    rng = np.random.default_rng(25)
    x = rand_q(rng, (1, 4, 4, 3), np.int8)
    q = QParams(float(np.float32(0.05)), 2)
    model = one_op("MEAN", x, (1, 1, 1, 3), [np.asarray([1, 2], dtype=np.int32)], xq=q, yq=q, keep_dims=True)
    # kcc reproduces TFLite's integer mean (sum of x - zp times a fixed-point s_x / (count s_y)).
    check_model(model, [x])


@pytest.mark.parametrize("beta", [1.0, 0.5])
@pytest.mark.parametrize("shape", [(2, 7), (1, 3, 3, 5)])
def test_softmax_float(beta: float, shape: tuple[int, ...]) -> None:
    x = (np.random.default_rng(26).standard_normal(shape) * 4).astype(np.float32)
    module = check_model(one_op("SOFTMAX", x, shape, beta=beta), [x], rtol=1e-5, atol=1e-6)
    assert ("beta" in str(module)) == (beta != 1.0)


def test_softmax_int8() -> None:
    x = rand_q(np.random.default_rng(27), (1, 10), np.int8)
    model = one_op("SOFTMAX", x, (1, 10), xq=QParams(float(np.float32(0.1)), 0), yq=QParams(1 / 256, -128), beta=1.0)
    # TFLite's int8 reference softmax: gemmlowp fixed-point exp and reciprocal, reproduced by kcc.
    check_model(model, [x])
