"""Bit-exactness harness for the backends: compile a model, keep the final IR, run both, compare bytes.

    final_ir, artifact = compile_for_exactness(path_or_bytes, "tflite", tmp_path, 4)      # or 3, or "c"
    xs = held_out_inputs(final_ir, count=2)                                               # not calibration data
    for x in xs:
        assert_bit_exact(artifact_outputs(artifact, x), interpreter_outputs(final_ir, x))

* The "final IR" is the module right after `plan-memory` — exactly what `lower-to-kmodel` (or the C backend)
  consumes. It is captured from the real driver (`kcc.compiler.pipeline.compile_model`) by wrapping
  `PlanMemoryPass.apply` for the duration of the call, so the harness runs the same stages with the same
  options as `kcc compile` and never drifts from it.
* The artefact is the compiled file's bytes written to `tmp_path` (`<stem>.kmodel`, or `<stem>.c` for "c").
* `kmodel_outputs` runs a kmodel file as `kcc infer` does (load_kmodel -> kcc.sim.simulate); the outputs are
  flat arrays, so comparisons are on flattened values of identical dtype, byte for byte (NaN payloads and
  the sign of zero included).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType

ROOT = Path(__file__).resolve().parents[2]
CALIB = ROOT / "examples" / "calib"

Arrays = Sequence[NDArray[Any]]


@contextmanager
def capture_final_ir() -> Generator[list[ModuleOp]]:
    """While active, every `plan-memory` run appends a clone of the module it planned to the yielded list."""
    from kcc.passes.plan_memory import PlanMemoryPass

    captured: list[ModuleOp] = []
    original: Callable[[PlanMemoryPass, Context, ModuleOp], None] = PlanMemoryPass.apply

    def apply(self: PlanMemoryPass, ctx: Context, op: ModuleOp) -> None:
        original(self, ctx, op)
        captured.append(op.clone())

    PlanMemoryPass.apply = apply  # type: ignore[method-assign]
    try:
        yield captured
    finally:
        PlanMemoryPass.apply = original  # type: ignore[method-assign]


def compile_for_exactness(
    model: str | Path | bytes,
    fmt: str,
    tmp_path: Path,
    version: int | str = 4,
    **opts: Any,
) -> tuple[ModuleOp, Path]:
    """Compile `model` (a path, or the file's bytes) with `kcc compile`'s driver; (final IR, artefact path).

    `fmt`: "tflite" | "onnx". `version`: 3, 4 (kmodel) or "c" (reference C). `opts`: any `CompileOptions`
    field (defaults here: the bundled calibration images, no progress bars, a 10 s solver limit)."""
    from kcc.compiler.options import CompileOptions
    from kcc.compiler.pipeline import compile_model

    tmp_path.mkdir(parents=True, exist_ok=True)
    if isinstance(model, bytes):
        src = tmp_path / f"model.{fmt}"
        src.write_bytes(model)
    else:
        src = Path(model)
    settings: dict[str, Any] = {"dataset": str(CALIB), "progress": False, "max_allocator_solve_secs": 10}
    settings.update(opts)
    if version == "c":
        settings["output_format"] = "c"
    else:
        settings["kmodel_version"] = str(version)
    options = CompileOptions(input_format=fmt, **settings)
    with capture_final_ir() as captured:
        result = compile_model(str(src), options)
    assert captured, "plan-memory did not run"
    suffix = ".c" if version == "c" else ".kmodel"
    out = tmp_path / f"{src.stem}{suffix}"
    out.write_bytes(result.data)
    return captured[-1], out


def input_types(final_ir: ModuleOp) -> list[TensorType[Any]]:
    from kcc.interp.runner import entry_function

    types: list[TensorType[Any]] = []
    for t in entry_function(final_ir).function_type.inputs.data:
        assert isinstance(t, TensorType)
        types.append(t)  # pyright: ignore[reportUnknownArgumentType]
    return types


def held_out_inputs(final_ir: ModuleOp, count: int = 2, seed: int = 12345) -> list[list[NDArray[Any]]]:
    """`count` input lists for the final IR's function, not from the calibration set: smooth random images
    in [0, 1) for float inputs (what the image loader gives with mean 0 / std 1, plus noise), 0..255 for uint8."""
    from kcc.dialects.nn.types import numpy_dtype

    rng = np.random.default_rng(seed)
    out: list[list[NDArray[Any]]] = []
    for _ in range(count):
        xs: list[NDArray[Any]] = []
        for t in input_types(final_ir):
            shape = tuple(int(d) for d in t.get_shape())
            dt = numpy_dtype(t.element_type)
            base = rng.random(shape)
            if dt.kind == "f":
                xs.append(base.astype(dt))
            else:
                xs.append(np.floor(base * 256).clip(0, 255).astype(dt))
        out.append(xs)
    return out


def interpreter_outputs(final_ir: ModuleOp, inputs: Arrays) -> list[NDArray[Any]]:
    """The interpreter's results of the final IR on `inputs`."""
    from kcc.interp import run

    return run(final_ir, list(inputs))


def kmodel_outputs(artifact: Path, inputs: Arrays) -> list[NDArray[Any]]:
    """A kmodel file's outputs on the simulator, as `kcc infer` computes them (flat arrays)."""
    from kcc.backends import load_kmodel
    from kcc.sim import simulate

    return list(simulate(load_kmodel(artifact), list(inputs)).outputs)


def assert_bit_exact(got: Arrays, want: Arrays, what: str = "outputs") -> None:
    """Same count, same dtype, same element count and identical bytes (flattened), with a useful message."""
    assert len(got) == len(want), f"{what}: {len(got)} arrays vs {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        g, w = np.ascontiguousarray(g).reshape(-1), np.ascontiguousarray(w).reshape(-1)
        assert g.dtype == w.dtype, f"{what}[{i}]: dtype {g.dtype} vs {w.dtype}"
        assert g.size == w.size, f"{what}[{i}]: {g.size} elements vs {w.size}"
        if g.tobytes() == w.tobytes():
            continue
        bad = np.flatnonzero(differing(g, w))
        diff = np.abs(g.astype(np.float64) - w.astype(np.float64))
        first = int(bad[0]) if bad.size else int(np.argmax(diff))
        raise AssertionError(
            f"{what}[{i}]: {bad.size} of {g.size} elements differ (max |diff| {float(np.nanmax(diff)):.6g}); "
            f"first at {first}: {g[first]!r} vs {w[first]!r}"
        )


def differing(got: NDArray[Any], want: NDArray[Any]) -> NDArray[np.bool_]:
    """Per-element mask of `got` != `want` by bytes (flattened)."""
    g, w = np.ascontiguousarray(got).reshape(-1), np.ascontiguousarray(want).reshape(-1)
    return np.any(g.view(np.uint8).reshape(g.size, -1) != w.view(np.uint8).reshape(w.size, -1), axis=1)


__all__ = [
    "CALIB",
    "assert_bit_exact",
    "capture_final_ir",
    "compile_for_exactness",
    "differing",
    "held_out_inputs",
    "input_types",
    "interpreter_outputs",
    "kmodel_outputs",
]
