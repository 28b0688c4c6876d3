"""The reference C backend end to end: `kcc compile ... -o model.c` on real models, the generated C built with
`cc -std=c99 -pedantic -Wall -Wextra -Werror -O2 -ffp-contract=off`, run on held-out inputs and compared with
the simulator on the same v4 program (outputs, main RAM, KPU RAM) and with the interpreter on the final IR:
bit for bit, the float softmax included (kcc's own float32 exp, kcc/interp/kernels/f32_math.py, in all three).

Default run: the bundled MobileNet example through the CLI (files, determinism, all-or-nothing writes) and
through the driver; the other zoo models are `slow`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kcc.backends.c import emit_c, program_model
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.compiler.options import CompileOptions
from kcc.compiler.pipeline import compile_model
from kcc.passes.lower_to_kmodel import lower_to_kmodel
from kcc.tools.kcc import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "e2e"))
sys.path.insert(0, str(ROOT / "test" / "unit" / "backends" / "c"))

from c_build import CModel, assert_matches_sim, inexact_bytes  # noqa: E402
from exactness import CALIB, capture_final_ir, differing, held_out_inputs, interpreter_outputs  # noqa: E402

MOBILENET = ROOT / "examples" / "mobilenet_tiny.tflite"


def compile_c(model: Path, fmt: str, **opts: Any) -> tuple[Any, KModelV4, bytes, bytes]:
    """(final IR, the v4 program it lowers to, model.c bytes, model.h bytes) from the real driver."""
    settings: dict[str, Any] = {"dataset": str(CALIB), "progress": False, "max_allocator_solve_secs": 5}
    settings.update(opts)
    with capture_final_ir() as captured:
        result = compile_model(str(model), CompileOptions(input_format=fmt, output_format="c", **settings))
    final_ir = captured[-1]
    program = program_model(lower_to_kmodel(final_ir.clone(), 4))
    return final_ir, program, result.data, result.c_header


def check_model(final_ir: Any, program: KModelV4, workdir: Path, count: int = 2) -> None:
    """C == simulator (all memory) and C == interpreter on `count` held-out inputs, every byte."""
    cm = CModel.build(program, workdir, title="test")
    assert not any(m.any() for m in inexact_bytes(program).values()), "kcc emitted a sin/cos node"
    for xs in held_out_inputs(final_ir, count):
        got = cm(xs)
        assert_matches_sim(program, xs, got)
        want = interpreter_outputs(final_ir, xs)
        assert len(got.outputs) == len(want)
        for i, (g, w) in enumerate(zip(got.outputs, want, strict=True)):
            w = np.ascontiguousarray(w).reshape(-1)
            assert g.dtype == w.dtype and g.size == w.size
            bad = np.flatnonzero(differing(g, w))
            assert bad.size == 0, f"output {i}: {bad.size} differ from the interpreter, first {g[bad[0]]!r} vs {w[bad[0]]!r}"


def test_mobilenet_example_in_c(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One test (one worker): the driver's C equals the simulator and the interpreter; `kcc compile -o x.c` writes
    x.c and x.h, byte-identical to the driver's (the same model compiled twice)."""
    final_ir, program, source, header = compile_c(MOBILENET, "tflite")
    assert source == emit_c(program, title=MOBILENET.name, output_shapes=[(1, 10)]).source.encode()
    kinds = {n.name for n in program.nodes}
    assert {"kpu_conv2d", "kpu_upload", "softmax", "quantize", "dequantize"} <= kinds
    check_model(final_ir, program, tmp_path / "c")

    out = tmp_path / "cli" / "x.c"
    out.parent.mkdir()
    args = ["compile", str(MOBILENET), "-o", str(out), "--dataset", str(CALIB), "--max-allocator-solve-secs", "5"]
    assert main(args) == 0
    assert "reference C" in capsys.readouterr().out
    assert out.read_bytes() == source
    assert (out.parent / "x.h").read_bytes() == header
    text = header.decode()
    assert "int kcc_model_run(const float *in0, float *out0);" in text
    assert "#define KCC_MODEL_INPUT0_SHAPE {1, 3, 64, 64}" in text and "#define KCC_MODEL_OUTPUT0_SHAPE {1, 10}" in text
    assert sorted(p.name for p in out.parent.iterdir()) == ["x.c", "x.h"]


def test_float_mobilenet_in_c(tmp_path: Path) -> None:
    """The example compiled for the CPU in float: float32 conv2d / reduce_window2d / matmul / softmax nodes, C ==
    simulator == interpreter, every byte."""
    final_ir, program, _, _ = compile_c(MOBILENET, "tflite", target="cpu", inference_type="float")
    assert {"conv2d", "reduce_window2d", "matmul", "softmax"} <= {n.name for n in program.nodes}
    check_model(final_ir, program, tmp_path)


def test_cli_writes_nothing_when_the_c_compile_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.c"
    args = ["compile", str(MOBILENET), "-o", str(out), "--dataset", str(CALIB), "--kmodel-version", "3"]
    assert main(args) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kmodel v4" in err
    assert list(tmp_path.iterdir()) == []


ZOO = [("mobilenet_v2", "tflite"), ("yolov2_tiny", "onnx"), ("blazeface", "tflite"), ("unet", "onnx"), ("kws_dscnn", "tflite")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "fmt"), ZOO, ids=[n for n, _ in ZOO])
def test_zoo_tiny_models_in_c(name: str, fmt: str, tmp_path: Path) -> None:
    from bench.models import MODELS

    built = MODELS[name].build(fmt, "tiny")
    path = tmp_path / f"{name}.{fmt}"
    if fmt == "onnx":
        import onnx

        onnx.save(built, str(path))
    else:
        path.write_bytes(built)
    final_ir, program, _, _ = compile_c(path, fmt)
    check_model(final_ir, program, tmp_path / "c")


@pytest.mark.slow
def test_bundled_yolo_example_in_c(tmp_path: Path) -> None:
    final_ir, program, _, _ = compile_c(ROOT / "examples" / "yolo_tiny.onnx", "onnx")
    check_model(final_ir, program, tmp_path)
