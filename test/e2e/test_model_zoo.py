"""Every zoo model in every format is a valid model that kcc imports and runs like the reference runtime.

Default run: the tiny variants (a few seconds in all). `-m slow`: the full-size variants, the sizes kcc's
later work is measured on, and their documented parameter counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from bench.models import MODELS, parameter_count, tflite_parameter_count
from kcc.frontends.onnx import import_onnx
from kcc.frontends.tflite import import_tflite
from kcc.interp import run

CASES = [(name, fmt) for name, spec in MODELS.items() for fmt in spec.formats]
RTOL = 1e-4  # largest |kcc - reference| over largest |reference|, per output

# Trainable parameters of the full variants (TFLite: BatchNorm folded into the convs).
FULL_PARAMETERS = {
    ("mobilenet_v1", "onnx"): 4_231_976,
    ("mobilenet_v1", "tflite"): 4_221_032,
    ("mobilenet_v2", "onnx"): 3_504_872,
    ("mobilenet_v2", "tflite"): 3_487_816,
    ("yolov2_tiny", "onnx"): 15_861_773,
    ("blazeface", "tflite"): 117_038,
    ("blazeface", "onnx"): 117_038,
    ("unet", "onnx"): 482_754,
    ("unet", "tflite"): 482_050,
    ("kws_dscnn", "tflite"): 22_604,
    ("kws_dscnn", "onnx"): 23_180,
}


def _reference(fmt: str, model: Any, x: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    """Output names and values from onnxruntime (ONNX, after onnx.checker) or litert's reference kernels."""
    if fmt == "onnx":
        onnx.checker.check_model(model, full_check=True)
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return [o.name for o in session.get_outputs()], session.run(None, {session.get_inputs()[0].name: x})
    interp = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF, num_threads=1)
    interp.allocate_tensors()
    (inp,) = interp.get_input_details()
    assert tuple(inp["shape"]) == x.shape
    interp.set_tensor(inp["index"], x)
    interp.invoke()
    outs = interp.get_output_details()
    return [d["name"] for d in outs], [np.array(interp.get_tensor(d["index"])) for d in outs]


def _check(name: str, fmt: str, variant: str) -> Any:
    spec = MODELS[name]
    model = spec.build(fmt, variant)
    x = np.random.default_rng(7).standard_normal(spec.input_shape(fmt, variant)).astype(np.float32)
    names, want = _reference(fmt, model, x)
    assert tuple(names) == spec.outputs
    module = import_onnx(model) if fmt == "onnx" else import_tflite(model)
    module.verify()
    got = run(module, [x])
    assert len(got) == len(want)
    for out, g, w in zip(names, got, want, strict=True):
        assert g.shape == w.shape and g.dtype == w.dtype, f"{out}: {g.shape} {g.dtype} vs {w.shape} {w.dtype}"
        assert np.all(np.isfinite(w)) and float(np.abs(w).max()) > 0, f"{out}: degenerate reference output"
        err = float(np.abs(g - w).max()) / float(np.abs(w).max())
        assert err <= RTOL, f"{name} {fmt} {variant} {out}: relative error {err:.3g} > {RTOL}"
    return model


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_tiny_variant_imports_and_matches_reference(name: str, fmt: str) -> None:
    _check(name, fmt, "tiny")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_full_variant_imports_and_matches_reference(name: str, fmt: str) -> None:
    model = _check(name, fmt, "full")
    count = parameter_count(model) if fmt == "onnx" else tflite_parameter_count(model)
    assert count == FULL_PARAMETERS[name, fmt]
