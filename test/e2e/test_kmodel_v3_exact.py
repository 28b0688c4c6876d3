"""kmodel v3 backend, end to end: compile -> write -> read -> simulate equals the interpreter on the final IR.

Bit for bit: KPU layers, byte moves, REQUANTIZE tables, the exact DEQUANTIZE forms, QUANTIZED_MAX_POOL2D, and
the float SOFTMAX / LOGISTIC (the interpreter, the simulator and the C backend share kcc's float32 exp and
softmax, kcc/interp/kernels/f32_math.py). Known caveat (not hit by these inputs): v3's SOFTMAX starts its row
max at FLT_MIN (the nncase v0.1 runtime), so a row whose values are all below FLT_MIN is shifted by FLT_MIN
instead of its max and may differ from the interpreter in the last bits. Models v3 cannot express give one
exact error line.
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


def _assert_outputs_exact(final_ir: Any, path: Path, xs: list[np.ndarray]) -> None:
    assert_bit_exact(kmodel_outputs(path, xs), interpreter_outputs(final_ir, xs))


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
    assert _layer_names(path)[-1] == "KL_SOFTMAX"
    for xs in held_out_inputs(final_ir, count=2):
        got = kmodel_outputs(path, xs)
        assert got[0].dtype == np.float32
        _assert_outputs_exact(final_ir, path, xs)
    _reencodes(path)


ZOO_V3 = [("mobilenet_v1", "tflite"), ("mobilenet_v2", "tflite"), ("blazeface", "tflite"), ("unet", "onnx")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "fmt"), ZOO_V3)
def test_zoo_v3_exact_or_one_line_error(name: str, fmt: str, tmp_path: Path) -> None:
    """Each tiny zoo model either compiles to v3 and equals the interpreter bit for bit, or stops with one error
    line naming the op v3 cannot express and pointing to v4."""
    from kcc.errors import KccError

    try:
        final_ir, path = compile_for_exactness(_zoo(name, fmt), fmt, tmp_path, 3, input_type="uint8")
    except KccError as e:
        text = str(e)
        assert "\n" not in text and "kmodel v3" in text and "--kmodel-version 4" in text, text
        assert text.split(" ")[0].startswith("nn.") and "(#" in text, text
        return
    for xs in held_out_inputs(final_ir, count=2):
        _assert_outputs_exact(final_ir, path, xs)
    _reencodes(path)
