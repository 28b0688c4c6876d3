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

    # The issue's bar: cosine >= 0.99 on held-out inputs. Measured with kcc.k210.quantize_layer: 0.38-0.86 (softmax
    # output, white-noise calibration on 4 samples); every layer alone is >= 0.99 (0.9999 for the first ones),
    # the error accumulates over the 27 layers. A known gap, reported; `held_out_cosine` keeps the number visible.


@pytest.mark.xfail(reason="accumulated uint8 error over 27 random-weight layers: cosine below 0.99 (see report)", strict=True)
def test_tiny_mobilenet_v1_reaches_the_issue_bar(tmp_path: Path) -> None:
    module, reference, shape = _quantized_mobilenet(tmp_path)
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.standard_normal(shape).astype(np.float32)
        assert cosine(run(reference, [x])[0], run(module, [x])[0]) >= 0.99
