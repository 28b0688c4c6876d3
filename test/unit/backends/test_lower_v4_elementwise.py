# ruff: noqa: E501  (IR text in the tests)
"""kmodel v4 lowering of elementwise ops, average pools, nearest resizes and uint8 max/min reductions
(`kcc/backends/kmodel_v4/elementwise.py`): planned IR -> lower -> write -> read back -> simulate equals
`kcc.interp.run` of the planned IR bit for bit, and the ops without an exact node are one-line errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from kcc.backends import read_kmodel
from kcc.backends.kmodel_writer import write_kmodel
from kcc.context import kcc_context, parse_module
from kcc.errors import KccError
from kcc.interp import run
from kcc.passes.lower_to_kmodel import lower_to_kmodel
from kcc.passes.plan_memory import PlanMemoryPass
from kcc.sim import simulate

CTX = kcc_context()
Q = "!nn.q<ui8, 0.05, 12>"


def planned(text: str) -> ModuleOp:
    m = parse_module(text, CTX)
    PlanMemoryPass(max_solve_secs=0).apply(CTX, m)
    m.verify()
    return m


def exact(text: str, *inputs: np.ndarray[Any, Any], version: int = 4) -> list[str]:
    """Simulated kmodel outputs equal the interpreter's byte for byte; returns the node / layer names."""
    m = planned(text)
    model = read_kmodel(write_kmodel(lower_to_kmodel(m, version)))
    got = simulate(model, list(inputs)).outputs
    want = run(m, list(inputs))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        w = np.ascontiguousarray(w)
        assert g.dtype == w.dtype and g.reshape(-1).tobytes() == w.reshape(-1).tobytes(), (g.reshape(-1)[:8], w.reshape(-1)[:8])
    names = [n.name for n in model.nodes] if hasattr(model, "nodes") else [ly.name for ly in model.layers]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    return names  # pyright: ignore[reportUnknownVariableType]


def lowering_error(text: str, version: int = 4) -> str:
    with pytest.raises(KccError) as e:
        lower_to_kmodel(planned(text), version)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def f32(shape: tuple[int, ...], seed: int = 0) -> np.ndarray[Any, Any]:
    """Random floats with the special values the kernels must keep (signed zeros, infinities, NaN, ties)."""
    x = (np.random.default_rng(seed).standard_normal(shape) * 4).astype(np.float32).reshape(-1)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 2.5, -2.5, 0.5, -1.5, 6.0], dtype=np.float32)
    x[: min(x.size, special.size)] = special[: x.size]
    return x.reshape(shape)


def u8(shape: tuple[int, ...], seed: int = 0) -> np.ndarray[Any, Any]:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def unary(op: str, t: str, attrs: str = "") -> str:
    return f"""func.func @main(%x: {t}) -> {t} {{
  %y = nn.{op} %x{attrs} : {t} -> {t}
  func.return %y : {t}
}}"""


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "minimum", "maximum"])
@pytest.mark.parametrize(("a", "b"), [((1, 3, 4, 5), (1, 3, 4, 5)), ((1, 3, 4, 5), (1, 3, 1, 1)), ((2, 1, 5), (3, 1))])
def test_binary_f32_broadcasting(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    out = np.broadcast_shapes(a, b)
    ta, tb, to = (f"tensor<{'x'.join(map(str, s))}xf32>" for s in (a, b, out))
    text = f"""func.func @main(%a: {ta}, %b: {tb}) -> {to} {{
  %y = nn.{op} %a, %b : ({ta}, {tb}) -> {to}
  func.return %y : {to}
}}"""
    assert exact(text, f32(a, 1), f32(b, 2)) == ["binary"]


@pytest.mark.parametrize("op", ["abs", "neg", "floor", "ceil"])
def test_unary_f32(op: str) -> None:
    assert exact(unary(op, "tensor<1x4x5x6xf32>"), f32((1, 4, 5, 6))) == ["unary"]


@pytest.mark.parametrize(
    ("op", "attrs"),
    [
        ("relu", ""),
        ("clamp", " min 0.0 max 6.0"),
        ("clamp", " min -0.1 max 0.3"),
        ("clamp", " max 1.0"),
        ("leaky_relu", " alpha 0.125"),
        ("leaky_relu", " alpha 3.0"),
    ],
)
def test_activations_f32(op: str, attrs: str) -> None:
    assert exact(unary(op, "tensor<2x3x7xf32>", attrs), f32((2, 3, 7), 3)) == ["nnil_unary_method"]


def test_leaky_relu_alpha_not_f32_is_an_error() -> None:
    msg = lowering_error(unary("leaky_relu", "tensor<1x8xf32>", " alpha 0.1"))
    assert "nn.leaky_relu" in msg and "#0" in msg and "alpha 0.1" in msg and "float32" in msg


@pytest.mark.parametrize(("op", "node"), [("exp", "unary"), ("log", "unary"), ("sigmoid", "nnil_unary_method")])
def test_kcc_float32_transcendentals_are_exact(op: str, node: str) -> None:
    """exp, log and sigmoid: the interpreter and the runtime (simulator, C) share kcc's float32 exp/log."""
    x = f32((2, 3, 50), 5).reshape(-1)
    x[10:] = np.linspace(-120, 100, x.size - 10, dtype=np.float32)  # overflow, underflow, subnormal results
    x = x.reshape(2, 3, 50)
    if op == "log":
        x = np.abs(x)
    assert exact(unary(op, "tensor<2x3x50xf32>"), x) == [node]


@pytest.mark.parametrize("op", ["hard_swish", "tanh", "sqrt"])
def test_inexact_ops_are_errors(op: str) -> None:
    msg = lowering_error(unary(op, "tensor<1x8xf32>"))
    assert f"nn.{op}" in msg and "exact" in msg and "float64" in msg


def _resize(t_in: str, t_out: str, coord: str, nearest: str = "floor", mode: str = "nearest") -> str:
    rounding = f' nearest_mode "{nearest}"' if mode == "nearest" else ""
    return f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %y = nn.resize %x mode "{mode}" coord "{coord}"{rounding} : {t_in} -> {t_out}
  func.return %y : {t_out}
}}"""


@pytest.mark.parametrize("et", ["f32", Q])
@pytest.mark.parametrize(("coord", "nearest"), [("asymmetric", "floor"), ("half_pixel", "round_prefer_floor")])
def test_resize_nearest(et: str, coord: str, nearest: str) -> None:
    """2x upsampling: half_pixel + round_prefer_floor picks floor(o / 2) too."""
    t_in, t_out = f"tensor<1x3x4x5x{et}>", f"tensor<1x3x8x10x{et}>"
    x = f32((1, 3, 4, 5)) if et == "f32" else u8((1, 3, 4, 5))
    assert exact(_resize(t_in, t_out, coord, nearest), x) == ["resize_image"]


def test_resize_with_other_index_maps_is_an_error() -> None:
    msg = lowering_error(_resize("tensor<1x3x4x4xf32>", "tensor<1x3x6x6xf32>", "half_pixel", "round_prefer_ceil"))
    assert "nn.resize" in msg and "rows" in msg and "reads" in msg


def test_bilinear_resize_is_an_error() -> None:
    msg = lowering_error(_resize("tensor<1x3x4x4xf32>", "tensor<1x3x8x8xf32>", "half_pixel", mode="bilinear"))
    assert "bilinear" in msg and "not exact" in msg


AVG = """func.func @main(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x{o}x{o}xf32> {{
  %y = nn.avg_pool2d %x kernel [3, 3] strides [2, 2] pads [{p}, {p}, {p}, {p}] count_include_pad false : tensor<1x3x7x7xf32> -> tensor<1x3x{o}x{o}xf32>
  func.return %y : tensor<1x3x{o}x{o}xf32>
}}"""


def _dyadic(shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """Multiples of 1/16 below 16: every float32 partial sum is exact, so the summation order cannot matter."""
    return (np.random.default_rng(4).integers(-256, 256, shape) / 16).astype(np.float32)


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize(("p", "o"), [(0, 3), (1, 4)])
def test_avg_pool_f32(version: int, p: int, o: int) -> None:
    names = exact(AVG.format(p=p, o=o), _dyadic((1, 3, 7, 7)), version=version)
    assert names[-1] == ("reduce_window2d" if version == 4 else "KL_AVERAGE_POOL2D")


def test_uint8_avg_pool_is_an_error() -> None:
    t_in, t_out = f"tensor<1x3x4x4x{Q}>", f"tensor<1x3x2x2x{Q}>"
    msg = lowering_error(f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %y = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] count_include_pad false : {t_in} -> {t_out}
  func.return %y : {t_out}
}}""")
    assert "nn.avg_pool2d" in msg and "uint8" in msg and "target=kmodel" in msg


@pytest.mark.parametrize("op", ["reduce_max", "reduce_min"])
def test_uint8_reduce_max_min(op: str) -> None:
    t_in, t_out = f"tensor<1x4x3x5x{Q}>", f"tensor<1x4x{Q}>"
    text = f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %y = nn.{op} %x axes [2, 3] keepdims false : {t_in} -> {t_out}
  func.return %y : {t_out}
}}"""
    assert exact(text, u8((1, 4, 3, 5))) == ["dequantize", "reduce", "quantize"]


@pytest.mark.parametrize("et", ["f32", Q])
def test_v3_resize_nearest(et: str) -> None:
    t_in, t_out = f"tensor<1x3x4x5x{et}>", f"tensor<1x3x8x10x{et}>"
    x = f32((1, 3, 4, 5)) if et == "f32" else u8((1, 3, 4, 5))
    names = exact(_resize(t_in, t_out, "asymmetric"), x, version=3)
    assert names[-1] == ("KL_RESIZE_NEAREST_NEIGHBOR" if et == "f32" else "KL_QUANTIZED_RESIZE_NEAREST_NEIGHBOR")
