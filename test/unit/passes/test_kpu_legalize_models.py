"""kpu-legalize on whole models (random weights, built by bench.models): imported, pre-passes
(fold-constants, fold-transposes, fuse-conv), legalized; the interpreter gives the same outputs and the report's
KPU MAC fraction is printed and checked: at least 0.999 for every model (only softmax stays on the CPU)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest

from kcc.context import kcc_context
from kcc.frontends import import_model
from kcc.interp import run
from kcc.passes.kpu_legalize import legalize
from kcc.universe import KCC_PASSES

CTX = kcc_context()


def _onnx(build: Callable[[], onnx.ModelProto]) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        path = tmp / "model.onnx"
        onnx.save(build(), str(path))
        return path

    return write


def _tflite(build: Callable[[], bytes]) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        path = tmp / "model.tflite"
        path.write_bytes(build())
        return path

    return write


def _models() -> dict[str, tuple[Callable[[Path], Path], float]]:
    from bench.models import blazeface, kws, mobilenet, unet, yolo

    return {  # name -> (writer, minimum KPU MAC fraction; only the final softmax is left on the CPU)
        "mobilenet_v1_onnx": (_onnx(lambda: mobilenet.mobilenet_v1_onnx(0.25, 64, 10)), 0.999),
        "mobilenet_v1_tflite_same": (_tflite(lambda: mobilenet.mobilenet_v1_tflite(0.25, 64, 10)), 0.999),
        "mobilenet_v2_onnx": (_onnx(lambda: mobilenet.mobilenet_v2_onnx(0.35, 64, 10)), 0.999),
        "yolov2_tiny_onnx": (_onnx(lambda: yolo.yolov2_tiny_onnx(0.25, (128, 160), 20)), 0.999),
        "blazeface_tflite": (_tflite(lambda: blazeface.blazeface_tflite(0.5, 64)), 0.999),
        "unet_onnx": (_onnx(lambda: unet.unet_onnx(8, 32, 2)), 0.999),
        "kws_dscnn_onnx": (_onnx(lambda: kws.kws_dscnn_onnx(16, 2)), 0.999),
    }


MODEL_NAMES = (
    "mobilenet_v1_onnx",
    "mobilenet_v1_tflite_same",
    "yolov2_tiny_onnx",
    pytest.param("mobilenet_v2_onnx", marks=pytest.mark.slow),
    pytest.param("blazeface_tflite", marks=pytest.mark.slow),
    pytest.param("unet_onnx", marks=pytest.mark.slow),
    pytest.param("kws_dscnn_onnx", marks=pytest.mark.slow),
)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_legalizes_to_the_same_outputs(name: str, tmp_path: Path) -> None:
    write, min_fraction = _models()[name]
    module = import_model(write(tmp_path))
    for p in ("fold-constants", "fold-transposes", "fuse-conv"):
        KCC_PASSES[p]()().apply(CTX, module)
    args = module.body.block.first_op.body.block.args  # pyright: ignore[reportOptionalMemberAccess, reportAttributeAccessIssue]
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(tuple(a.type.get_shape())).astype(np.float32) for a in args]
    before = run(module, inputs)
    report = legalize(module)
    module.verify()
    after = run(module, inputs)
    for b, a in zip(before, after, strict=True):
        assert a.shape == b.shape
        assert float(np.abs(a - b).max()) <= 1e-5 * max(1.0, float(np.abs(b).max()))
    print(f"\n{name}: KPU MAC fraction {report.kpu_fraction:.4f} ({report.kpu_macs} of {report.total_macs})")
    for row in report.cpu_rows():
        if row.macs:
            print("  ", row.line())
    assert any(op.name == "kpu.fake_conv2d" for op in module.walk())
    assert report.kpu_fraction >= min_fraction, report.text()
    assert {r.op_name for r in report.cpu_rows() if r.macs} <= {"nn.softmax"}, report.text()  # YOLO has none
