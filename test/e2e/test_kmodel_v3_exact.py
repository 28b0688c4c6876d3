"""kmodel v3 backend, end to end: compile -> write -> read -> simulate equals the interpreter on the final IR.

Bit for bit wherever every v3 layer on the path is exact (KPU layers, byte moves, REQUANTIZE tables, the
exact DEQUANTIZE forms, QUANTIZED_MAX_POOL2D). v3's float SOFTMAX runs in float32 (`expf`, sequential sum)
while the interpreter's softmax is float64 rounded once, so a softmax output is checked to 4 ulps instead
(measured: at most 1 ulp on the bundled example). Models v3 cannot express give one exact error line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from exactness import assert_bit_exact, compile_for_exactness, held_out_inputs, interpreter_outputs, kmodel_outputs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mobilenet_tiny.tflite"


def _reencodes(path: Path) -> None:
    from kcc.backends import load_kmodel
    from kcc.backends.kmodel_dialect import model_to_program, program_to_bytes

    data = path.read_bytes()
    assert program_to_bytes(model_to_program(load_kmodel(path))) == data


def _layer_names(path: Path) -> list[str]:
    from kcc.backends import KModelV3, load_kmodel

    model = load_kmodel(path)
    assert isinstance(model, KModelV3)
    return [layer.name for layer in model.layers]


def _zoo(name: str, fmt: str) -> bytes:
    from bench.models import MODELS

    m: Any = MODELS[name].build(fmt, "tiny")
    return m if isinstance(m, bytes) else m.SerializeToString()


def _ulps(a: np.ndarray, b: np.ndarray) -> int:
    ia = a.astype(np.float32).view(np.int32).astype(np.int64)
    ib = b.astype(np.float32).view(np.int32).astype(np.int64)
    return int(np.max(np.abs(ia - ib))) if ia.size else 0


@pytest.fixture(scope="module")
def yolo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    return compile_for_exactness(_zoo("yolov2_tiny", "onnx"), "onnx", tmp_path_factory.mktemp("yolo"), 3, input_type="uint8")


def test_yolov2_tiny_v3_bit_exact(yolo: tuple[Any, Path]) -> None:
    final_ir, path = yolo
    names = _layer_names(path)
    assert "KL_QUANTIZED_MAX_POOL2D" in names and "KL_CONCAT" in names  # the edge pad and the CPU pool
    for xs in held_out_inputs(final_ir, count=2):
        assert_bit_exact(kmodel_outputs(path, xs), interpreter_outputs(final_ir, xs))
    _reencodes(path)


@pytest.mark.parametrize("input_type", ["uint8", "float"])
def test_example_v3(input_type: str, tmp_path: Path) -> None:
    """The bundled MobileNet: TF SAME stride-2 stem (a constant pad of the program input) -> loader layer
    (identity K210_CONV for uint8, an out_channels-0 FULLY_CONNECTED for float) + fill + CONCAT."""
    final_ir, path = compile_for_exactness(EXAMPLE, "tflite", tmp_path, 3, input_type=input_type)
    first = _layer_names(path)[0]
    assert first == ("KL_K210_CONV" if input_type == "uint8" else "KL_FULLY_CONNECTED")
    for xs in held_out_inputs(final_ir, count=2):
        got, want = kmodel_outputs(path, xs), interpreter_outputs(final_ir, xs)
        g, w = got[0].reshape(-1), np.asarray(want[0]).reshape(-1)
        assert g.dtype == w.dtype == np.float32
        assert _ulps(g, w) <= 4, (g, w)  # softmax output (float32 runtime vs float64 interpreter)
    _reencodes(path)


ZOO_V3 = [("mobilenet_v1", "tflite"), ("mobilenet_v2", "tflite"), ("blazeface", "tflite"), ("unet", "onnx")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "fmt"), ZOO_V3)
def test_zoo_v3_exact_or_one_line_error(name: str, fmt: str, tmp_path: Path) -> None:
    """Each tiny zoo model either compiles to v3 and equals the interpreter (a float softmax output to 4 ulps),
    or stops with one error line naming the op v3 cannot express and pointing to v4."""
    from kcc.errors import KccError

    try:
        final_ir, path = compile_for_exactness(_zoo(name, fmt), fmt, tmp_path, 3, input_type="uint8")
    except KccError as e:
        text = str(e)
        assert "\n" not in text and "kmodel v3" in text and "--kmodel-version 4" in text, text
        assert text.split(" ")[0].startswith("nn.") and "(#" in text, text
        return
    for xs in held_out_inputs(final_ir, count=2):
        for g, w in zip(kmodel_outputs(path, xs), interpreter_outputs(final_ir, xs), strict=True):
            g, w = np.asarray(g).reshape(-1), np.asarray(w).reshape(-1)
            if g.dtype == np.float32:
                assert _ulps(g, w) <= 4
            else:
                np.testing.assert_array_equal(g, w)
    _reencodes(path)
