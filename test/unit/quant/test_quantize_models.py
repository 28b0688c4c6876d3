"""`quantize` on a whole model: the tiny MobileNetV1 of bench.models (random weights, BatchNorm statistics from
data) imported, fold-constants, fold-transposes, fuse-conv, kpu-legalize, min/max ranges from the float
interpreter, quantize. The issue's bar (cosine >= 0.99 on held-out inputs) is not reached yet: an xfail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from test_quantize import apply, cosine, kpu_math, minmax_ranges, ops_named  # noqa: F401  (kpu_math: fixture)
from xdsl.dialects.builtin import ModuleOp

from kcc.dialects.nn.types import is_quantized
from kcc.frontends import import_model
from kcc.interp import run


def _quantized_mobilenet(tmp_path: Path) -> tuple[ModuleOp, ModuleOp, tuple[int, ...]]:
    from bench.models import MODELS

    spec = MODELS["mobilenet_v1"]
    path = tmp_path / "model.onnx"
    onnx.save(spec.build("onnx", "tiny"), str(path))
    module = import_model(path)
    for p in ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize"):
        apply(module, p)
    shape = spec.input_shape("onnx", "tiny")
    rng = np.random.default_rng(0)
    calib = [[rng.standard_normal(shape).astype(np.float32)] for _ in range(4)]
    minmax_ranges(module, calib)
    reference = module.clone()
    apply(module, "quantize")
    return module, reference, shape


def test_tiny_mobilenet_v1_quantized_structure_and_layers(tmp_path: Path) -> None:
    module, reference, shape = _quantized_mobilenet(tmp_path)
    assert not ops_named(module, "kpu.fake_conv2d")
    convs = ops_named(module, "kpu.conv2d")
    assert len(convs) >= 10
    # the first layers chain in KPU RAM; maps below the KPU's 4x4 need CPU pad/crop glue, which runs on uint8
    first = [op.name for op in module.walk() if op.name.startswith("kpu.")][:4]
    assert first == ["kpu.upload", "kpu.conv2d", "kpu.conv2d", "kpu.conv2d"]
    glue = [op for name in ("nn.pad", "nn.slice") for op in ops_named(module, name) if op.input.owner.name == "kpu.download"]
    assert glue and all(is_quantized(op.output.type) for op in glue)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    assert run(module, [x])[0].shape == run(reference, [x])[0].shape

    # The issue's bar: cosine >= 0.99 on held-out inputs. Measured: 0.15-0.94 (softmax), 0.79-0.98 (logits).
    # Diagnosis (kcc.quant.accuracy, /tmp/qa scripts of the QA report): every kpu.conv2d agrees with the exact
    # integer math of its quantized weights to <= 0.5 output LSB with no bias, no layer clips, and the SQNR falls
    # ~1-2 dB per layer from 39 dB at the first. The random-weight net itself is chaotic:
    # `test_float_model_is_more_sensitive_than_uint8_input_rounding` shows that rounding only its INPUT to uint8
    # already costs the float model the bar. No uint8 quantizer can reach it on this model.


def test_float_model_is_more_sensitive_than_uint8_input_rounding(tmp_path: Path) -> None:
    """The reason for the xfail below: the float model, fed its input rounded to the calibrated uint8 grid (about
    41 dB SQNR), already falls below cosine 0.99 vs the exact input on some held-out inputs."""
    _, reference, shape = _quantized_mobilenet(tmp_path)
    from kcc.quant.params import uint8_dequantize, uint8_params, uint8_quantize
    from kcc.quant.ranges import get_arg_range

    f = next(op for op in reference.ops if op.name == "func.func")
    r = get_arg_range(f, 0)  # pyright: ignore[reportArgumentType]
    assert r is not None
    scale, zp = uint8_params(*r)
    rng = np.random.default_rng(1)
    worst = 1.0
    for _ in range(4):
        x = rng.standard_normal(shape).astype(np.float32)
        xq = uint8_dequantize(uint8_quantize(x, scale, zp), scale, zp)
        worst = min(worst, cosine(run(reference, [x])[0], run(reference, [xq])[0]))
    assert worst < 0.99


@pytest.mark.xfail(reason="the random-weight model is chaotic: uint8 input rounding alone breaks the bar", strict=True)
def test_tiny_mobilenet_v1_reaches_the_issue_bar(tmp_path: Path) -> None:
    module, reference, shape = _quantized_mobilenet(tmp_path)
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.standard_normal(shape).astype(np.float32)
        assert cosine(run(reference, [x])[0], run(module, [x])[0]) >= 0.99
