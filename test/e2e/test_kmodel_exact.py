"""compile -> write -> read back -> simulate (`kcc infer`) equals the interpreter on the final IR, bit for bit.

For each zoo model (tiny variants of `bench.models`): the kmodel written by `kcc compile`'s driver is read back
with `load_kmodel`, run on the simulator on 2 held-out inputs, and compared byte for byte with `kcc.interp.run`
on the module `lower-to-kmodel` consumed (the "final IR", `exactness.compile_for_exactness`); the re-read
program re-encodes to the same bytes.

Known gap (FLOAT_SOFTMAX): the interpreter computes an f32 `nn.softmax` in float64 (then rounds), the kmodel
runtimes in float32 (f32 exp, sequential f32 sum, f32 divide), so the MobileNets' final softmax differs in the
last bits. For those models the program without the trailing softmax is compared bit for bit, and the full
program's outputs are checked to differ by at most a few float32 ulps.

Versions: `VERSIONS` holds the kmodel versions checked here (v3 cases are added by the v3 backend's owner).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from exactness import assert_bit_exact, compile_for_exactness, held_out_inputs, interpreter_outputs, kmodel_outputs
from numpy.typing import NDArray
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp

VERSIONS = [4]

SLOW = pytest.mark.slow
# (name, source format, ends with an f32 softmax)
MODELS = [
    pytest.param("yolov2_tiny", "onnx", False, id="yolov2_tiny"),
    pytest.param("unet", "onnx", False, id="unet"),
    pytest.param("blazeface", "tflite", False, id="blazeface", marks=SLOW),
    pytest.param("mobilenet_v1", "tflite", True, id="mobilenet_v1", marks=SLOW),
    pytest.param("mobilenet_v2", "tflite", True, id="mobilenet_v2", marks=SLOW),
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


def without_final_softmax(final_ir: ModuleOp) -> ModuleOp:
    """A clone of the planned module returning the inputs of its trailing f32 softmaxes instead of their results."""
    from kcc.dialects.nn.elementwise import SoftmaxOp
    from kcc.interp.runner import entry_function

    m = final_ir.clone()
    f = entry_function(m)
    ret = f.body.block.last_op
    assert isinstance(ret, func.ReturnOp)
    operands = list(ret.operands)
    cut: list[SoftmaxOp] = []
    for i, v in enumerate(operands):
        owner = v.owner
        if isinstance(owner, SoftmaxOp) and len(list(owner.output.uses)) == 1:
            operands[i] = owner.input
            cut.append(owner)
    assert cut, "no trailing softmax"
    ret.operands = operands
    for op in cut:
        op.detach()
        op.erase()
    f.function_type = FunctionType.from_lists(list(f.function_type.inputs.data), [v.type for v in ret.operands])
    return m


def _program_outputs(module: ModuleOp, version: int, inputs: list[NDArray[Any]]) -> list[NDArray[Any]]:
    """lower -> write -> read back -> simulate, in memory."""
    from kcc.backends import read_kmodel
    from kcc.backends.kmodel_writer import write_kmodel
    from kcc.passes.lower_to_kmodel import lower_to_kmodel
    from kcc.sim import simulate

    data = write_kmodel(lower_to_kmodel(module, version))
    return list(simulate(read_kmodel(data), inputs).outputs)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "fmt", "float_softmax"), MODELS)
def test_outputs_bit_exact(
    name: str,
    fmt: str,
    float_softmax: bool,
    version: int,
    compiled: dict[tuple[str, int], Compiled],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    c = _get(compiled, tmp_path_factory, name, fmt, version)
    for xs in c.inputs:
        got, want = kmodel_outputs(c.artifact, xs), interpreter_outputs(c.final_ir, xs)
        if not float_softmax:
            assert_bit_exact(got, want, f"{name} v{version}")
            continue
        # FLOAT_SOFTMAX (module docstring): everything up to the softmax is exact ...
        cut = without_final_softmax(c.final_ir)
        assert_bit_exact(_program_outputs(cut, version, xs), interpreter_outputs(cut, xs), f"{name} v{version} w/o softmax")
        # ... and the float32 softmax of the runtime is within the float32 error bound of a sequential n-term sum,
        # an exp and a divide (n + 4 ulps) of the interpreter's float64 one
        for g, w in zip(got, want, strict=True):
            ulps = np.abs(g.reshape(-1).view(np.int32).astype(np.int64) - w.reshape(-1).view(np.int32).astype(np.int64))
            assert int(ulps.max()) <= w.shape[-1] + 4, f"{name}: softmax differs by {int(ulps.max())} ulps"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "fmt", "float_softmax"), MODELS)
def test_reread_reencodes_identically(
    name: str,
    fmt: str,
    float_softmax: bool,
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
    del float_softmax
