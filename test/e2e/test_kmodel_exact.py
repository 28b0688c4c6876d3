"""compile -> write -> read back -> simulate (`kcc infer`) equals the interpreter on the final IR, bit for bit.

For each zoo model (tiny variants of `bench.models`): the kmodel written by `kcc compile`'s driver is read back
with `load_kmodel`, run on the simulator on 2 held-out inputs, and compared byte for byte with `kcc.interp.run`
on the module `lower-to-kmodel` consumed (the "final IR", `exactness.compile_for_exactness`); the re-read
program re-encodes to the same bytes. The MobileNets' trailing float32 softmax is exact too: the interpreter,
the simulator and the C backend share one float32 softmax (kcc/interp/kernels/f32_math.py).

Versions: `VERSIONS` holds the kmodel versions checked here (v3 has its own file, test_kmodel_v3_exact.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from exactness import assert_bit_exact, compile_for_exactness, held_out_inputs, interpreter_outputs, kmodel_outputs
from numpy.typing import NDArray
from xdsl.dialects.builtin import ModuleOp

VERSIONS = [4]

SLOW = pytest.mark.slow
# (name, source format); the MobileNets end with a float32 softmax
MODELS = [
    pytest.param("yolov2_tiny", "onnx", id="yolov2_tiny"),
    pytest.param("unet", "onnx", id="unet"),
    pytest.param("blazeface", "tflite", id="blazeface", marks=SLOW),
    pytest.param("mobilenet_v1", "tflite", id="mobilenet_v1", marks=SLOW),
    pytest.param("mobilenet_v2", "tflite", id="mobilenet_v2", marks=SLOW),
]


@dataclass
class Compiled:
    final_ir: ModuleOp
    artifact: Path
    inputs: list[list[NDArray[Any]]]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Compiled]:
    """Compilations shared by the cases of this module, keyed by (model, version); filled on first use."""
    return {}


def _get(cache: dict[tuple[str, int], Compiled], tmp: pytest.TempPathFactory, name: str, fmt: str, version: int) -> Compiled:
    key = (name, version)
    if key not in cache:
        from bench.models import MODELS as ZOO

        model = ZOO[name].build(fmt, "tiny")
        data = model if isinstance(model, bytes) else model.SerializeToString()
        final_ir, artifact = compile_for_exactness(data, fmt, tmp.mktemp(f"{name}_v{version}"), version)
        cache[key] = Compiled(final_ir, artifact, held_out_inputs(final_ir, count=2))
    return cache[key]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "fmt"), MODELS)
def test_outputs_bit_exact(
    name: str, fmt: str, version: int, compiled: dict[tuple[str, int], Compiled], tmp_path_factory: pytest.TempPathFactory
) -> None:
    c = _get(compiled, tmp_path_factory, name, fmt, version)
    for xs in c.inputs:
        assert_bit_exact(kmodel_outputs(c.artifact, xs), interpreter_outputs(c.final_ir, xs), f"{name} v{version}")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "fmt"), MODELS)
def test_reread_reencodes_identically(
    name: str,
    fmt: str,
    version: int,
    compiled: dict[tuple[str, int], Compiled],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from kcc.backends import load_kmodel
    from kcc.backends.kmodel_dialect import find_program, model_to_module, program_to_bytes

    c = _get(compiled, tmp_path_factory, name, fmt, version)
    data = c.artifact.read_bytes()
    assert program_to_bytes(find_program(model_to_module(load_kmodel(c.artifact)))) == data
    assert type(load_kmodel(c.artifact)).__name__ == f"KModelV{version}"


def test_float_program_bit_exact(tmp_path: Path) -> None:
    """The bundled MobileNet compiled for the CPU in float (`target=cpu`, `inference_type=float`): every node is a
    float32 kernel (conv2d, reduce_window2d mean, matmul, softmax) and the simulator equals the interpreter on
    the final IR bit for bit (kcc's float32 semantics: kcc/interp/kernels/f32_accumulate.py, f32_math.py)."""
    from kcc.backends import KModelV4, load_kmodel

    example = Path(__file__).resolve().parents[2] / "examples" / "mobilenet_tiny.tflite"
    final_ir, artifact = compile_for_exactness(example, "tflite", tmp_path, 4, target="cpu", inference_type="float")
    model = load_kmodel(artifact)
    assert isinstance(model, KModelV4)
    kinds = {n.name for n in model.nodes}
    assert {"conv2d", "reduce_window2d", "matmul", "softmax"} <= kinds
    for xs in held_out_inputs(final_ir, count=2):
        assert_bit_exact(kmodel_outputs(artifact, xs), interpreter_outputs(final_ir, xs), "float mobilenet v4")
