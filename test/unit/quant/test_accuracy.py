"""kcc.quant.accuracy: per-layer quantized vs float figures, worst first, with the likely cause."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_quantize import _inputs, apply, chain_module, kpu_math  # noqa: F401  (kpu_math: fixture)

from kcc.errors import KccError
from kcc.quant.accuracy import cosine, format_report, layer_accuracy, sqnr_db, tag_layers
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
