"""kcc.quant.accuracy: per-layer quantized vs float figures, worst first, with the likely cause."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_quantize import _f32_hex, _inputs, _parse, apply, chain_module, kpu_math  # noqa: F401  (kpu_math: fixture)
from xdsl.dialects.builtin import ModuleOp

from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.errors import KccError
from kcc.interp import run
from kcc.k210.act_fit import activation_function
from kcc.k210.kpu_layer import activation, batch_norm, conv_alu
from kcc.k210.quantize_layer import quantize_kpu_layer
from kcc.quant.accuracy import LayerAccuracy, _kpu_errors, _layer, cosine, format_report, layer_accuracy, sqnr_db, tag_layers
from kcc.quant.calibration import calibrate


def _quantized(calib_scale: float = 1.0) -> tuple[object, object]:
    module = chain_module()
    calibrate(module, [[x[0] * calib_scale] for x in _inputs(module, 4, 1)])
    assert tag_layers(module) == 4  # three fake convs and the sigmoid
    reference = module.clone()
    apply(module, "quantize")
    return reference, module


def test_metrics() -> None:
    a = np.array([1.0, -2.0, 3.0])
    assert cosine(a, a) == pytest.approx(1.0) and cosine(a, -a) == pytest.approx(-1.0)
    assert cosine(np.zeros(3), np.zeros(3)) == 1.0 and cosine(a, np.zeros(3)) == 0.0
    assert sqnr_db(a, a) == math.inf
    assert sqnr_db(a, a + np.array([0.1, 0.0, 0.0])) == pytest.approx(10 * math.log10(14 / 0.01))


def test_rows_sorted_worst_first_with_figures() -> None:
    reference, module = _quantized()
    rows = layer_accuracy(reference, module, _inputs(reference, 3, 7))  # pyright: ignore[reportArgumentType]
    assert [r.op for r in sorted(rows, key=lambda r: r.layer)] == ["kpu.conv2d", "kpu.conv2d", "nn.sigmoid", "kpu.conv2d"]
    assert [r.cosine for r in rows] == sorted(r.cosine for r in rows)
    first = min(rows, key=lambda r: r.layer)
    assert first.cosine > 0.999 and first.sqnr_db > 30 and first.max_abs_error > 0 and first.inputs == []
    sig = next(r for r in rows if r.op == "nn.sigmoid")
    assert sig.clipped == 0.0 and sig.cause.startswith("computed in float")
    assert all(r.cause for r in rows)
    text = format_report(rows, limit=2)
    assert text.splitlines()[0].split()[:4] == ["layer", "op", "name", "cosine"] and len(text.splitlines()) == 3


def test_range_clipping_is_named() -> None:
    """Calibrated on inputs 4x too small, the first layer clips on real inputs: the report says so."""
    reference, module = _quantized(calib_scale=0.25)
    rows = layer_accuracy(reference, module, _inputs(reference, 3, 7))  # pyright: ignore[reportArgumentType]
    first = min(rows, key=lambda r: r.layer)
    assert first.clipped > 0.05 and first.cause.startswith("range clipping")
    assert first.calibrated is not None and first.observed[1] > first.calibrated[1]


def test_untagged_program_is_an_error() -> None:
    module = chain_module()
    calibrate(module, _inputs(module, 2, 1))
    reference = module.clone()
    apply(module, "quantize")
    with pytest.raises(KccError, match="tag_layers"):
        layer_accuracy(reference, module, _inputs(reference, 1, 7))


# ---------------------------------------------------------------------------------------------- causes on KPU layers


def _conv_text(name: str, x: str, w: np.ndarray, act: str) -> str:
    o, c, k, _ = w.shape
    b = np.zeros(o)
    wt, bt, xt, yt = f"tensor<{o}x{c}x{k}x{k}xf32>", f"tensor<{o}xf32>", f"tensor<1x{c}x8x8xf32>", f"tensor<1x{o}x8x8xf32>"
    return (
        f'  %{name}_w = "nn.const"() <{{value = dense<"{_f32_hex(w)}"> : {wt}}}> : () -> {wt}\n'
        f'  %{name}_b = "nn.const"() <{{value = dense<"{_f32_hex(b)}"> : {bt}}}> : () -> {bt}\n'
        f"  %{name} = kpu.fake_conv2d %{x}, %{name}_w, %{name}_b pool bypass act #nn.act<{act}> : ({xt}, {wt}, {bt}) -> {yt}\n"
    )


def _kpu_chain(*layers: tuple[np.ndarray, str]) -> ModuleOp:
    """x [1,C,8,8] -> one zero-bias 'same' KPU conv per (weights, activation) -> result."""
    c0, body, x = layers[0][0].shape[1], "", "x"
    for i, (w, act) in enumerate(layers):
        body += _conv_text(f"l{i}", x, w, act)
        x = f"l{i}"
    co = layers[-1][0].shape[0]
    return _parse(
        f"func.func @main(%x: tensor<1x{c0}x8x8xf32>) -> tensor<1x{co}x8x8xf32> {{\n{body}"
        f"  func.return %{x} : tensor<1x{co}x8x8xf32>\n}}"
    )


def _report(module: ModuleOp, samples: list[list[np.ndarray]]) -> tuple[ModuleOp, ModuleOp, list[LayerAccuracy]]:
    """Calibrated (no_clip) on the samples the report then runs: nothing is clipped, the other causes show."""
    calibrate(module, samples, method="no_clip")
    tag_layers(module)
    reference = module.clone()
    apply(module, "quantize")
    return reference, module, layer_accuracy(reference, module, samples)


def _last(rows: list[LayerAccuracy]) -> LayerAccuracy:
    return max(rows, key=lambda r: r.layer)


def _weight_chain(flip: bool) -> list[LayerAccuracy]:
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((8, 3, 3, 3)) * 0.3
    w1 = np.abs(rng.standard_normal((16, 8, 3, 3))) * 0.1  # 15 channels of positive weights ...
    w1[3] *= 2.0 if flip else -2.0  # ... and one negative: the shared zero point leaves it 16 codes
    module = _kpu_chain((w0, "none"), (w1, "none"))
    return _report(module, _inputs(module, 6, 1))[2]


def test_weight_range_too_wide_is_named() -> None:
    """One output channel whose weights have the other sign than the rest: the layer's one weight zero point (arg_x
    is per layer) goes to 16 for the 15 others (Σ log s_c is least), so that channel keeps 16 of its 256 codes."""
    rows = _weight_chain(flip=False)
    last = _last(rows)
    assert rows[0] is last and last.cause.startswith("weight range too wide") and last.local_sqnr_drop > 3.0
    step = float(last.cause.split("weight step ")[1].split()[0])
    assert step == pytest.approx(1 / 16, abs=0.002)
    # the same layer with that channel's weights of the common sign: no weight cause, and >= 5 dB better
    # (measured 28.0 dB -> 34.6 dB)
    fixed = _last(_weight_chain(flip=True))
    assert not fixed.cause.startswith("weight range") and fixed.sqnr_db > last.sqnr_db + 5.0


def _grid_inputs(n: int, seed: int) -> list[list[np.ndarray]]:
    """Inputs on the uint8 grid their own min/max range gives (scale 1/32, zero point 128): quantized exactly."""
    rng = np.random.default_rng(seed)
    out: list[list[np.ndarray]] = []
    for _ in range(n):
        x = (rng.integers(0, 256, (1, 3, 8, 8)) - 128) / 32.0
        x[0, 0, 0, :2] = [-4.0, 127 / 32]
        out.append([x.astype(np.float32)])
    return out


@pytest.mark.parametrize(("act", "gain_db"), [("sigmoid", 3.0), ("tanh", 1.0)])
def test_activation_table_fit_error_is_named(act: str, gain_db: float) -> None:
    """Exact inputs (an identity layer on grid inputs) and weights on their grid: the layer's only errors are its
    output rounding and the 16-segment table, about 1 LSB off. A perfect table (the correctly rounded codes of the
    same t) is better by 4.5 dB for sigmoid (the table makes most of the error) and 1.5 dB for tanh (measured)."""
    rng = np.random.default_rng(0)
    w1 = rng.integers(-128, 128, (8, 3, 3, 3)).astype(np.float64)
    w1[:, 0, 0, :2] = [-128, 127]  # every channel spans [-128, 127] steps of 2^-8: z_w = 128, exact codes
    module = _kpu_chain((np.eye(3).reshape(3, 3, 1, 1), "none"), (w1 * 2.0**-8, act))
    samples = _grid_inputs(6, 1)
    reference, quantized, rows = _report(module, samples)
    first, last = sorted(rows, key=lambda r: r.layer)
    assert first.sqnr_db == math.inf and first.cause == "uint8 rounding"  # the identity layer is exact
    assert rows[0] is last and last.local_sqnr_drop == math.inf
    assert last.cause.startswith("activation-table fit error")
    assert float(last.cause.split("(")[1].split()[0]) > 1.0
    # what a perfect table would give: the correctly rounded code of f(t * s_t) for the KPU's own t
    conv = [op for op in quantized.walk() if isinstance(op, KpuConv2dOp)][1]
    tin, tout = conv.input.type.element_type, conv.output.type.element_type  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    layer = quantize_kpu_layer(
        w1 * 2.0**-8,
        np.zeros(8),
        depthwise=False,
        act=(act, ()),
        pool="bypass",
        in_q=(tin.scale_value, tin.zp_value),  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
        out_q=(tout.scale_value, tout.zp_value),  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
        in_shape=(3, 8, 8),
    )
    a, f = conv.layer_argument, activation_function(act, ())
    want, table, perfect = [], [], []
    for s in samples:
        xq = np.rint(s[0][0] / tin.scale_value).astype(np.int64) + tin.zp_value  # exact: inputs on the grid
        regs = {"pad_value": a.pad_value, "arg_x": a.arg_x, "arg_w": a.arg_w, "arg_add": a.arg_add, "shr_x": 0, "shr_w": 0}
        alu = conv_alu(xq, layer.weights, kernel=3, depthwise=False, out_channels=8, **regs)
        t = batch_norm(alu, conv.bn.table)
        want.append(run(reference, s)[0].ravel())
        table.append(activation(t, conv.act.table).astype(np.float64).ravel())
        perfect.append(np.clip(np.rint(f(t * layer.t_scale) / tout.scale_value + tout.zp_value), 0, 255).ravel())
    w = np.concatenate(want)
    q_table, q_perfect = ((np.concatenate(v) - tout.zp_value) * tout.scale_value for v in (table, perfect))
    np.testing.assert_array_equal(layer.weights, conv.weight.owner.to_numpy())  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess]
    assert sqnr_db(w, q_table) == pytest.approx(last.sqnr_db)  # the report measured the KPU's table
    assert sqnr_db(w, q_perfect) > last.sqnr_db + gain_db


def test_exact_inputs_are_not_accumulated_error() -> None:
    """A layer whose inputs are exact made all of its error itself (drop inf), whatever its SQNR."""
    rng = np.random.default_rng(2)
    module = _kpu_chain((np.eye(3).reshape(3, 3, 1, 1), "none"), (rng.standard_normal((4, 3, 1, 1)), "none"))
    rows = _report(module, _grid_inputs(3, 1))[2]
    assert _last(rows).local_sqnr_drop == math.inf and _last(rows).cause == "uint8 rounding"


def test_inherited_error_is_not_blamed_on_the_table() -> None:
    """A tanh layer whose table is > 1 LSB off but which adds less error than it inherits (SQNR within 3 dB of its
    input's): `accumulated from earlier layers`, not the table (a perfect table gains 0.85 dB here, measured)."""
    rng = np.random.default_rng(0)
    w0 = rng.integers(-128, 128, (8, 3, 3, 3)).astype(np.float64)
    w0[:, 0, 0, :2] = [-128, 127]
    module = _kpu_chain((w0 * 2.0**-8, "none"), (rng.standard_normal((8, 8, 1, 1)) * 0.3 / math.sqrt(8), "tanh"))
    reference, quantized, rows = _report(module, _grid_inputs(6, 1))
    last = _last(rows)
    fit_lsb, _ = _kpu_errors(*(next(op for op in m.walk() if _layer(op) == last.layer) for m in (reference, quantized)))  # pyright: ignore[reportGeneralTypeIssues]
    assert fit_lsb > 1.0 and 0.0 < last.local_sqnr_drop < 3.0 and last.cause == "accumulated from earlier layers"
