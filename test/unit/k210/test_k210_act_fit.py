"""kcc.k210.act_fit: the 16-segment activation table for every #nn.act activation.

Exact (piecewise-linear) activations must reproduce the correctly rounded output code, except within the
16-bit slope precision of a .5 tie; smooth ones (sigmoid, tanh, hard_swish) are fitted and their max error is
bounded (measured values in the comments). Errors are in output LSB, checked on grids independent of the
fitter's own samples, through kcc.k210.kpu_layer.activation (the bit-exact KPU activation unit).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kcc.k210.act_fit import (
    EXACT_ACTIVATIONS,
    SMOOTH_ACTIVATIONS,
    activation_function,
    fit_activation,
    lipschitz,
)
from kcc.k210.kpu_layer import KpuOptions, activation
from kcc.k210.tables import SEGMENT0_START, ActivationTable

SLOPE_PRECISION = 255 * 2.0**-15  # 16-bit multiplier: relative error <= 2^-15 over at most 255 codes


def _grid(t_lo: float, t_hi: float, n: int = 200_003) -> np.ndarray:
    t = np.unique(np.rint(np.linspace(t_lo, t_hi, n))).astype(np.int64)
    return t


def _target(name: str, params: tuple[float, ...], t: np.ndarray, t_scale: float, s_y: float, z_y: int) -> np.ndarray:
    return np.clip(activation_function(name, params)(t.astype(np.float64) * t_scale) / s_y + z_y, 0.0, 255.0)


def _check_table(table: ActivationTable) -> None:
    table.validate()
    assert int(table.start_x[0]) == SEGMENT0_START
    assert bool(np.all(np.diff(table.start_x) >= 0)), table.start_x


EXACT_CASES = [
    ("none", (), 0.05, 128, 12),
    ("none", (), 0.013, 3, 9),
    ("relu", (), 0.03, 0, 12),
    ("relu", (), 0.03, 20, 10),
    ("clamp", (0.0, 6.0), 6.0 / 255, 0, 12),
    ("clamp", (-1.3, 2.7), 0.02, 100, 12),
    ("clamp", (0.5, 0.5), 0.02, 10, 12),
    ("leaky_relu", (0.1,), 0.04, 30, 12),
    ("leaky_relu", (-0.25,), 0.04, 30, 11),
    ("leaky_relu", (1.7,), 0.05, 200, 8),
    ("hard_sigmoid", (0.2, 0.5), 1 / 255, 0, 12),
    ("hard_sigmoid", (1 / 6, 0.5), 1.2 / 255, 20, 12),
    ("hard_sigmoid", (-0.3, 0.4), 1 / 255, 0, 12),
]


@pytest.mark.parametrize(("name", "params", "s_y", "z_y", "bits"), EXACT_CASES)
def test_exact_activations_give_the_rounded_code(name: str, params: tuple[float, ...], s_y: float, z_y: int, bits: int) -> None:
    t_scale = s_y / 2.0**bits
    t_range = (-400.0 * 2**bits, 400.0 * 2**bits)  # +-400 output LSB: every kink and clamp is reachable
    fit = fit_activation(name, params, t_scale=t_scale, out_q=(s_y, z_y), t_range=t_range)
    _check_table(fit.table)
    assert fit.exact
    assert fit.max_error <= 0.5 + SLOPE_PRECISION
    t = _grid(*t_range)
    target = _target(name, params, t, t_scale, s_y, z_y)
    out = activation(t, fit.table).astype(np.float64)
    err = np.abs(out - target)
    assert float(err.max()) <= 0.5 + SLOPE_PRECISION, float(err.max())
    # a different code than round(target) only at (near-)ties: within the slope precision of x.5
    wrong = out != np.rint(target)
    frac = np.abs(target[wrong] - np.floor(target[wrong]) - 0.5)
    assert float(frac.max(initial=0.0)) <= SLOPE_PRECISION
    assert int(wrong.sum()) <= t.size // 100


@pytest.mark.parametrize("name", ["none", "relu", "clamp"])
def test_unit_slope_activations_are_exact_to_the_tie(name: str) -> None:
    """With the layer quantizer's t_scale = s_y / 2^P the identity slope is 2^-P exactly: every code is
    round-half-even of the target (the KPU rounds (t - start)·mul, the reference rounds the sum)."""
    s_y, z_y, bits = 0.05, 77, 12
    params = (-2.0, 3.0) if name == "clamp" else ()
    t_scale = s_y / 2.0**bits
    fit = fit_activation(name, params, t_scale=t_scale, out_q=(s_y, z_y), t_range=(-(2.0**22), 2.0**22))
    t = np.arange(-(2**22), 2**22, 61, dtype=np.int64)
    target = _target(name, params, t, t_scale, s_y, z_y)
    out = activation(t, fit.table).astype(np.float64)
    assert float(np.abs(out - target).max()) <= 0.5
    wrong = out != np.rint(target)
    assert bool(np.all(np.abs(target[wrong] - np.floor(target[wrong]) - 0.5) < 1e-9))  # ties only


def test_exact_tables_do_not_depend_on_the_open_rounding_questions() -> None:
    """relu/leaky tables have non-negative products and rarely sit on a start: half_up / "le" agree except at ties."""
    s_y, z_y, bits = 0.04, 30, 12
    fit = fit_activation("leaky_relu", (0.1,), t_scale=s_y / 2**bits, out_q=(s_y, z_y), t_range=(-1e6, 1e6))
    t = _grid(-1e6, 1e6, 50_001)
    a = activation(t, fit.table).astype(np.int64)
    b = activation(t, fit.table, KpuOptions(tie="half_up", segment_boundary="le")).astype(np.int64)
    assert int(np.abs(a - b).max()) <= 1
    assert int((a != b).sum()) <= 50


# measured max_error (output LSB, 0.5 = rounding floor) on these cases, reachable |z| <= 12:
# sigmoid 0.91, tanh 0.99, hard_swish 1.04 (s_y = 6.375/255) / 0.71 (s_y = 20/255)
SMOOTH_CASES = [
    ("sigmoid", 1 / 255, 0, 1.0),
    ("tanh", 2 / 255, 128, 1.05),
    ("hard_swish", 6.375 / 255, 15, 1.1),
    ("hard_swish", 20 / 255, 5, 0.8),
]


@pytest.mark.parametrize(("name", "s_y", "z_y", "bound"), SMOOTH_CASES)
def test_smooth_activations_are_fitted_within_the_stated_error(name: str, s_y: float, z_y: int, bound: float) -> None:
    bits = 12
    t_scale = s_y / 2.0**bits
    t_range = (-12.0 / t_scale, 12.0 / t_scale)
    fit = fit_activation(name, (), t_scale=t_scale, out_q=(s_y, z_y), t_range=t_range)
    _check_table(fit.table)
    assert not fit.exact
    assert fit.segments <= 16
    assert 0.5 <= fit.max_error <= bound, fit.max_error
    assert fit.mismatch <= 1
    # independent grid: the reported error holds off the fitter's own samples too
    t = _grid(*t_range, n=400_001)
    err = np.abs(activation(t, fit.table).astype(np.float64) - _target(name, (), t, t_scale, s_y, z_y))
    assert float(err.max()) <= fit.max_error + 0.05, (float(err.max()), fit.max_error)
    assert float(np.sqrt(np.mean(err**2))) <= 0.45


def test_narrow_reachable_range_uses_fewer_segments_and_fits_tighter() -> None:
    s_y, bits = 1 / 255, 12
    t_scale = s_y / 2.0**bits
    t_range = (-1.0 / t_scale, 1.0 / t_scale)  # only sigmoid(-1 … 1) is reachable: nearly linear
    fit = fit_activation("sigmoid", (), t_scale=t_scale, out_q=(s_y, 0), t_range=t_range)
    assert fit.max_error <= 0.6
    t = _grid(*t_range)
    err = np.abs(activation(t, fit.table).astype(np.float64) - _target("sigmoid", (), t, t_scale, s_y, 0))
    assert float(err.max()) <= 0.6


@pytest.mark.parametrize(
    ("name", "params", "t_range"),
    [
        ("relu", (), (5_000.0, 900_000.0)),  # only the rising part is reachable
        ("clamp", (-1.0, 2.0), (-30_000.0, 30_000.0)),  # only the middle line
        ("leaky_relu", (0.2,), (-2_000_000.0, -1_000.0)),  # only the negative slope
        ("hard_sigmoid", (0.2, 0.5), (3_000_000.0, 9_000_000.0)),  # only the saturated top
    ],
)
def test_exact_activation_on_a_partial_range(name: str, params: tuple[float, ...], t_range: tuple[float, float]) -> None:
    s_y, z_y, bits = 0.02, 60, 12
    t_scale = s_y / 2.0**bits
    fit = fit_activation(name, params, t_scale=t_scale, out_q=(s_y, z_y), t_range=t_range)
    _check_table(fit.table)
    assert fit.segments <= 2
    t = _grid(*t_range, n=100_001)
    err = np.abs(activation(t, fit.table).astype(np.float64) - _target(name, params, t, t_scale, s_y, z_y))
    assert float(err.max()) <= 0.5 + SLOPE_PRECISION


def test_random_exact_activations_scales_and_ranges() -> None:
    """60 seeded random cases: activation parameters, output (s_y, z_y), P = 3…20 (t step ≤ 1/8 LSB, what
    quantize_kpu_layer produces unless it notes otherwise) and reachable ranges, some far from every kink."""
    rng = np.random.default_rng(2024)
    for _ in range(60):
        name = str(rng.choice(["none", "relu", "clamp", "leaky_relu", "hard_sigmoid"]))
        params: tuple[float, ...] = ()
        if name == "clamp":
            lo, hi = sorted(float(v) for v in rng.normal(size=2) * 3)
            params = (lo, hi)
        elif name == "leaky_relu":
            params = (float(rng.uniform(-1, 2)),)
        elif name == "hard_sigmoid":
            params = (float(rng.uniform(-1, 1)), float(rng.uniform(-0.5, 1.5)))
        s_y, z_y, bits = 10 ** float(rng.uniform(-3, 0.5)), int(rng.integers(0, 256)), int(rng.integers(3, 21))
        centre, width = float(rng.normal() * 300), 10 ** float(rng.uniform(-1, 3.5))
        t_range = (max((centre - width) * 2.0**bits, -(2.0**34)), min((centre + width) * 2.0**bits, 2.0**34))
        t_scale = s_y / 2.0**bits
        fit = fit_activation(name, params, t_scale=t_scale, out_q=(s_y, z_y), t_range=t_range)
        _check_table(fit.table)
        t = _grid(*t_range, n=20_001)
        err = np.abs(activation(t, fit.table).astype(np.float64) - _target(name, params, t, t_scale, s_y, z_y))
        assert float(err.max()) <= 0.5 + SLOPE_PRECISION, (name, params, s_y, z_y, bits, t_range)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "hard_swish"])
@pytest.mark.parametrize("t_range", [(3.0e7, 3.2e7), (131.0, 147.0), (-5.0e6, -4.0e6)])
def test_smooth_activation_on_degenerate_ranges(name: str, t_range: tuple[float, float]) -> None:
    """Reachable ranges far in a tail (|z| > 32 here: t_scale = 0.74 / 2^17) or only a few t values wide."""
    s_y = 0.744
    t_scale = s_y / 2.0**17
    fit = fit_activation(name, (), t_scale=t_scale, out_q=(s_y, 68), t_range=t_range)
    _check_table(fit.table)
    t = _grid(*t_range, n=20_001)
    err = np.abs(activation(t, fit.table).astype(np.float64) - _target(name, (), t, t_scale, s_y, 68))
    assert float(err.max()) <= 0.6


def test_relu_table_matches_the_nncase_form() -> None:
    """relu with z_y = 0 and P = 10 is nncase v0.1's fixed table in effect: out = round(t / 1024), 0 below 0."""
    fit = fit_activation("relu", (), t_scale=0.1 / 1024, out_q=(0.1, 0), t_range=(-(2.0**20), 2.0**20))
    t = np.arange(-(2**20), 2**20, 3, dtype=np.int64)
    ref = activation(t, ActivationTable.nncase_linear())
    assert np.array_equal(activation(t, fit.table), ref)


def test_lipschitz_constants_bound_the_slopes() -> None:
    z = np.linspace(-10, 10, 100_001)
    for name, params in [(n, ()) for n in ("none", "relu", "sigmoid", "tanh", "hard_swish")] + [
        ("clamp", (-1.0, 2.0)),
        ("leaky_relu", (0.3,)),
        ("hard_sigmoid", (0.2, 0.5)),
    ]:
        y = activation_function(name, params)(z)
        slope = float(np.abs(np.diff(y) / np.diff(z)).max())
        assert slope <= lipschitz(name, params) + 1e-6, name
    assert set(EXACT_ACTIVATIONS) | set(SMOOTH_ACTIVATIONS) == {
        "none",
        "relu",
        "clamp",
        "leaky_relu",
        "sigmoid",
        "tanh",
        "hard_sigmoid",
        "hard_swish",
    }


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("gelu", (), "unknown activation"),
        ("clamp", (1.0,), "takes 2 parameters"),
        ("clamp", (2.0, 1.0), "lo <= hi"),
    ],
)
def test_bad_activations_are_rejected(name: str, params: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_activation(name, params, t_scale=1e-3, out_q=(0.1, 0), t_range=(-1e4, 1e4))


def test_bad_scales_are_rejected() -> None:
    with pytest.raises(ValueError, match="positive and finite"):
        fit_activation("relu", (), t_scale=0.0, out_q=(0.1, 0), t_range=(-1e4, 1e4))
    with pytest.raises(ValueError, match="positive and finite"):
        fit_activation("relu", (), t_scale=1e-3, out_q=(math.inf, 0), t_range=(-1e4, 1e4))
