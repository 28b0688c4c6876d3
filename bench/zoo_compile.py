"""`kcc compile` of every zoo model at full size, each in its own child process (benchmark `compile`).

Per model (its ONNX form, so onnxruntime runs the very file that is compiled), in two child processes
(`python -m bench.zoo_compile build|measure NAME full|tiny DIR`, each answering one JSON line on stdout):

1. `build`: the model (`bench.models.MODELS[name].build("onnx", variant)`) and 16 calibration tensors
   (`bench.models.calibrate.calibration_inputs`, seed 100) saved as `.npy` (`--dataset-format raw`) in DIR;
2. `measure`: `kcc.compiler.pipeline.compile_model` with the default options (target k210, kmodel version
   auto, uint8, no_clip, plan-memory solver up to 60 s): wall time per stage (`CompileResult.stages`; the
   `import` stage is the import time) and in total;
3. peak memory: `ru_maxrss` of the `measure` process right after the compile (so: the Python runtime and
   the numpy/onnx/xdsl/kcc imports, then the compile), with the peak before the compile for reference;
4. reads the kmodel back (`kcc.backends.read_kmodel`): nodes, KPU nodes, KPU<->CPU transitions (changes of
   unit between consecutive nodes), uploads, downloads, file size vs the int8 weight bytes (one byte per
   element of the Conv / ConvTranspose / Gemm / MatMul weight tensors of the ONNX model);
5. the estimated K210 latency (`bench.cycle_model`, docs/cycle-model.md);
6. the simulator (`kcc.sim.simulate`) and onnxruntime (float, one thread) on 2 held-out inputs (seed 7):
   worst output cosine, and the median time of 3 simulator runs vs 5 onnxruntime runs on the first input.

A failing stage ends the child with `error` (the one-line KccError) and what was measured up to it; a crash,
a timeout or a non-JSON answer becomes an error too, so the benchmark always completes with a row per model.
"""

from __future__ import annotations

import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.registry import Metric, benchmark

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION_IMAGES = 16
HELD_OUT = 2
SIM_REPEAT = 3
ORT_REPEAT = 5
CHILD_TIMEOUT_S = 300.0

# Goals: issue 3 (import < 3 s for a 4M-parameter model), issue 8 (MobileNetV1 224 compiled with 16 images
# in < 20 s), issue 7 (RAM peaks within 5% of the lower bound), issue 6 (cosine >= 0.99). The others are
# kcc's own bars: any zoo model compiles in < 60 s and < 2 GiB, kmodel at most 1.25x the int8 weight bytes.
IMPORT_GOAL_S = 3.0
COMPILE_GOAL_S = {"mobilenet_v1": 20.0}
COMPILE_DEFAULT_GOAL_S = 60.0
RSS_GOAL_MIB = 2048.0
RAM_RATIO_GOAL = 1.05
SIZE_RATIO_GOAL = 1.25
COSINE_GOAL = 0.99
WEIGHT_OPS = ("Conv", "ConvTranspose", "Gemm", "MatMul")


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if type(e).__name__ == "KccError" else f"{type(e).__name__}: {text}"


def int8_weight_bytes(model: Any) -> int:
    """Elements of the weight tensors (input 1) of the Conv / ConvTranspose / Gemm / MatMul nodes of an ONNX
    model: its weights' size at one byte each."""
    inits = {t.name: t for t in model.graph.initializer}
    names = {n.input[1] for n in model.graph.node if n.op_type in WEIGHT_OPS and len(n.input) > 1}
    return sum(int(np.prod(inits[n].dims)) for n in sorted(names) if n in inits)


def transitions(units: list[bool]) -> int:
    """Changes between KPU (True) and CPU (False) along the node order."""
    return sum(1 for a, b in itertools.pairwise(units) if a != b)


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _cosine(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    x, y = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    den = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / den if den > 0 else (1.0 if np.array_equal(x, y) else 0.0)


def build_inputs(name: str, variant: str, workdir: Path) -> Path:
    """Write the model (`model.onnx`) and its calibration tensors (`calib/NN.npy`) into `workdir`; the model's path."""
    import onnx

    from bench.models import MODELS
    from bench.models.calibrate import calibration_inputs

    spec = MODELS[name]
    path = workdir / "model.onnx"
    onnx.save(spec.build("onnx", variant), str(path))
    calib = workdir / "calib"
    calib.mkdir(exist_ok=True)
    for i, x in enumerate(calibration_inputs(spec.input_shape("onnx", variant), CALIBRATION_IMAGES, seed=100)):
        np.save(calib / f"{i:02d}.npy", x[None])
    return path


def measure(name: str, variant: str, workdir: Path) -> dict[str, Any]:
    """Everything the `compile` benchmark reports for one zoo model whose files `build_inputs` wrote into
    `workdir` (runs in its own child process, so its ru_maxrss is the compile's)."""
    import onnx
    import onnxruntime as ort

    from bench.cycle_model import estimate_latency
    from bench.models import MODELS
    from bench.models.calibrate import calibration_inputs
    from kcc.backends import KModelV3, read_kmodel
    from kcc.compiler.options import CompileOptions
    from kcc.compiler.pipeline import StageRecord, compile_model
    from kcc.sim import simulate

    spec = MODELS[name]
    shape = spec.input_shape("onnx", variant)
    out: dict[str, Any] = {"model": name, "title": spec.title, "variant": variant}
    trace: list[StageRecord] = []
    path = workdir / "model.onnx"
    out["rss_before_mib"] = _max_rss_mib()
    options = CompileOptions(dataset=str(workdir / "calib"), dataset_format="raw", progress=False)
    start = time.perf_counter()
    try:
        result = compile_model(str(path), options, trace)
    except Exception as e:  # every failure becomes the row's one-line error
        out["error"] = _one_line(e)
        out["failed_stage"] = _next_stage(trace)
        return out
    finally:
        out["compile_seconds"] = time.perf_counter() - start
        out["stages"] = [[s.name, s.seconds] for s in trace]
        out["rss_peak_mib"] = _max_rss_mib()
    model = onnx.load(str(path))
    out["weight_bytes"] = int8_weight_bytes(model)
    out["memory"] = result.memory
    out["kmodel_version"] = result.kmodel_version
    out["kmodel_bytes"] = len(result.data)
    if result.placement is not None:
        out["kpu_fraction"] = result.placement.kpu_fraction
    try:
        kmodel = read_kmodel(result.data)
        nodes = kmodel.layers if isinstance(kmodel, KModelV3) else kmodel.nodes
        units = [n.is_kpu for n in nodes]
        out["nodes"], out["kpu_nodes"], out["transitions"] = len(units), sum(units), transitions(units)
        out["uploads"] = sum(1 for n in nodes if "upload" in n.name.lower())
        est = estimate_latency(kmodel)
        out["latency_ms"], out["latency_kpu_ms"], out["latency_cpu_ms"] = est.total_ms, est.kpu_ms, est.cpu_ms
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        session = ort.InferenceSession(model.SerializeToString(), opts)
        feed_name = session.get_inputs()[0].name
        worst = 1.0
        xs = calibration_inputs(shape, HELD_OUT, seed=7)
        for i, x in enumerate(xs):
            feed = x[None]
            ref = [np.asarray(r) for r in session.run(None, {feed_name: feed})]
            got = simulate(kmodel, [feed]).outputs
            for r, g in zip(ref, got, strict=True):
                if r.size != g.size:
                    raise ValueError(f"output of {g.size} elements, onnxruntime gives {r.size}")
                worst = min(worst, _cosine(r, g))
            if i == 0:
                out["sim_seconds"] = _median(lambda f=feed: simulate(kmodel, [f]), SIM_REPEAT)
                out["ort_seconds"] = _median(lambda f=feed: session.run(None, {feed_name: f}), ORT_REPEAT)
        out["cosine"] = worst
    except Exception as e:  # a failing simulation too
        out["error"] = _one_line(e)
        out["failed_stage"] = "simulate"
    return out


def _next_stage(trace: list[Any]) -> str:
    order = ("import", "fold-constants", "fold-transposes", "nchw-inputs", "fuse-conv", "kpu-legalize", "calibrate")
    order += ("quantize", "plan-memory", "lower-to-kmodel", "write-kmodel")
    done = [s.name for s in trace]
    for stage in order:
        if stage not in done:
            return stage
    return "write-kmodel"


def _median(fn: Any, repeat: int) -> float:
    times: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _child(args: list[str], timeout: float) -> tuple[dict[str, Any] | None, str]:
    """Run `python -m bench.zoo_compile ARGS`: (its JSON answer or None, the last stderr line or exit code)."""
    cmd = [sys.executable, "-m", "bench.zoo_compile", *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:g} s"
    lines = proc.stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        data = None
    tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    if proc.returncode != 0 or not isinstance(data, dict):
        return None, tail
    answer: dict[str, Any] = data  # pyright: ignore[reportUnknownVariableType]
    return answer, tail


def run_child(name: str, variant: str = "full", timeout: float = CHILD_TIMEOUT_S) -> dict[str, Any]:
    """Build the model in one child process, `measure` it in a fresh one; any failure (crash, timeout, bad
    output) comes back as `error`."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        built, why = _child(["build", name, variant, tmp], timeout)
        if built is None:
            return {"model": name, "variant": variant, "error": f"building the model failed: {why}"}
        result, why = _child(["measure", name, variant, tmp], timeout)
    if result is None:
        return {"model": name, "variant": variant, "error": f"the compile's child process failed: {why}"}
    result["child_seconds"] = time.perf_counter() - start
    return result


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def rows_for(r: dict[str, Any]) -> list[Metric]:
    """The table rows of one model's measurements."""
    from bench.models import MODELS

    name = str(r["model"])
    title = f"{MODELS[name].title if name in MODELS else name}" + ("" if r.get("variant", "full") == "full" else " (tiny)")
    rows: list[Metric] = []
    stages: list[list[Any]] = r.get("stages", [])

    def m(figure: str, value: float, unit: str, goal: str = "", met: bool | None = None) -> None:
        rows.append(Metric("compile", f"{title}: {figure}", value, unit, goal, met))

    for stage, seconds in stages:
        if stage == "import":
            m("import (file -> nn IR)", float(seconds), "s", f"< {IMPORT_GOAL_S:g} s", float(seconds) < IMPORT_GOAL_S)
    if "error" in r:
        where = f" at {r['failed_stage']}" if "failed_stage" in r else ""
        m(f"FAILS{where}: {_cell(str(r['error']))}", float(r.get("compile_seconds", 0.0)), "s", "compiles and runs", False)
        if r.get("failed_stage") != "simulate":
            return rows
    goal = COMPILE_GOAL_S.get(name, COMPILE_DEFAULT_GOAL_S)
    per_pass = ", ".join(f"{s} {float(t):.2f}" for s, t in stages if s != "import")
    total = float(r["compile_seconds"])
    m(
        f"compile with {CALIBRATION_IMAGES} images, end to end (per pass, s: {per_pass})",
        total,
        "s",
        f"< {goal:g} s",
        total < goal,
    )
    rss = float(r["rss_peak_mib"])
    before = float(r["rss_before_mib"])
    m(
        f"peak memory, ru_maxrss of the compile's child process ({before:.0f} MiB before compiling)",
        rss,
        "MiB",
        f"< {RSS_GOAL_MIB:g} MiB",
        rss < RSS_GOAL_MIB,
    )
    mem: dict[str, int] = r["memory"]
    for pool, label in (("main", "main RAM"), ("kpu", "KPU RAM")):
        peak, low = int(mem.get(f"{pool}_peak", 0)), int(mem.get(f"{pool}_lower_bound", 0))
        ratio = peak / low if low else 1.0
        m(f"{label} peak {peak} B / lower bound {low} B", ratio, "", f"<= {RAM_RATIO_GOAL:g}", ratio <= RAM_RATIO_GOAL)
    size, weights = int(r["kmodel_bytes"]), int(r["weight_bytes"])
    ratio = size / weights if weights else 0.0
    m(
        f"kmodel v{r['kmodel_version']} {size} B / int8 weight bytes {weights} B",
        ratio,
        "",
        f"<= {SIZE_RATIO_GOAL:g}",
        ratio <= SIZE_RATIO_GOAL,
    )
    if "nodes" in r:
        m(
            f"KPU<->CPU transitions in the kmodel ({r['nodes']} nodes, {r['kpu_nodes']} KPU, {r['uploads']} uploads)",
            float(r["transitions"]),
            "",
        )
    if "latency_ms" in r:
        kpu_ms, cpu_ms = float(r["latency_kpu_ms"]), float(r["latency_cpu_ms"])
        m(
            f"estimated K210 latency (KPU {kpu_ms:.2f} ms + CPU {cpu_ms:.2f} ms; docs/cycle-model.md)",
            float(r["latency_ms"]),
            "ms",
        )
    if "cosine" in r:
        cos = float(r["cosine"])
        m(
            f"worst output cosine, simulated kmodel vs float onnxruntime ({HELD_OUT} held-out inputs)",
            cos,
            "",
            f">= {COSINE_GOAL:g}",
            cos >= COSINE_GOAL,
        )
    if "sim_seconds" in r:
        sim, ort_s = float(r["sim_seconds"]), float(r["ort_seconds"])
        m(f"simulator {sim:.3f} s vs onnxruntime float {ort_s * 1e3:.3g} ms (1 thread): ratio", sim / ort_s, "x")
    return rows


def zoo_rows(variant: str = "full") -> list[Metric]:
    from bench.models import MODELS

    rows: list[Metric] = []
    for name in MODELS:
        print(f"  compiling {name} ({variant}) ...", file=sys.stderr, flush=True)
        rows += rows_for(run_child(name, variant))
    return rows


@benchmark("compile")
def zoo_compile() -> list[Metric]:
    return zoo_rows("full")


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ("build", "measure") or argv[2] not in ("full", "tiny"):
        print("usage: python -m bench.zoo_compile build|measure NAME full|tiny DIR", file=sys.stderr)
        return 2
    step, name, variant, workdir = argv[0], argv[1], argv[2], Path(argv[3])
    if step == "build":
        result: dict[str, Any] = {"model": str(build_inputs(name, variant, workdir))}
    else:
        result = measure(name, variant, workdir)
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
