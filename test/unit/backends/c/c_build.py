"""Build and run the reference C backend's output, and compare it with the simulator (test helper).

    run = CModel.build(model, tmp_path)                # emit, write model.c/.h + test main, cc, link
    got = run(inputs)                                  # outputs (flat, the model's dtypes) + arena dumps
    assert_matches_sim(model, inputs, got)             # bit-exact, except where sin/cos flow (ULP_BOUND)

Build flags are the documented ones: `cc -std=c99 -pedantic -Wall -Wextra -Werror -O2 -ffp-contract=off`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kcc.backends.c import emit_model, emit_test_main
from kcc.backends.kmodel_v4 import format as f4
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.sim import SimResult, simulate

CC = shutil.which("cc") or shutil.which("gcc") or "cc"
CFLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-ffp-contract=off"]
NP = {"f32": np.dtype("<f4"), "u8": np.dtype("u1")}

# float32 results that went through sin / cos: the C library's and numpy's float32 versions may differ in the last
# bits (exp and log are kcc's own, kcc/interp/kernels/f32_math.py, identical in both: softmax, exp, log bit-exact).
ULP_BOUND = 4
TRANSCENDENTAL_UNARY = {"cos", "sin"}


@dataclass
class CRun:
    outputs: list[NDArray[Any]]
    main: bytes
    kpu: bytes
    kpu_first: int  # KPU RAM byte address of kpu[0]


def _cc(args: list[str]) -> None:
    proc = subprocess.run([CC, *args], capture_output=True, text=True)
    assert proc.returncode == 0, f"cc {' '.join(args)} failed:\n{proc.stderr[:4000]}"


def _kpu_first(source: str) -> int:
    for line in source.splitlines():
        if line.startswith("    *first = "):
            return int(line.split("=")[1].strip(" ;"))
    raise AssertionError("no debug accessor in the generated code")


@dataclass
class CModel:
    model: KModelV4
    exe: Path
    workdir: Path
    kpu_first: int
    argv: tuple[str, ...] = ()  # leading arguments (the case number of a multi-model executable)

    @classmethod
    def build(cls, model: KModelV4, workdir: Path, **emit: Any) -> CModel:
        return build_many({"model": model}, workdir, **emit)["model"]

    def __call__(self, inputs: list[NDArray[Any]]) -> CRun:
        d = self.workdir
        blob = b"".join(
            np.ascontiguousarray(x, dtype=NP[r.dtype]).tobytes() for x, r in zip(inputs, self.model.inputs, strict=True)
        )
        (d / "in.bin").write_bytes(blob)
        proc = subprocess.run(
            [str(self.exe), *self.argv, str(d / "in.bin"), str(d / "out.bin"), "1", str(d / "main.bin"), str(d / "kpu.bin")],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"model_main exited {proc.returncode}: {proc.stderr}"
        data = (d / "out.bin").read_bytes()
        outs: list[NDArray[Any]] = []
        pos = 0
        for r in self.model.outputs:
            n = r.size // NP[r.dtype].itemsize * NP[r.dtype].itemsize
            outs.append(np.frombuffer(data[pos : pos + n], dtype=NP[r.dtype]).copy())
            pos += n
        assert pos == len(data)
        return CRun(outs, (d / "main.bin").read_bytes(), (d / "kpu.bin").read_bytes(), self.kpu_first)


def build_many(models: dict[str, KModelV4], workdir: Path, **emit: Any) -> dict[str, CModel]:
    """One executable for several models (prefix kcc_case<i>, each test main renamed): the objects are compiled
    two at a time, then linked once. `exe <i> in.bin out.bin ...` runs model i."""
    from concurrent.futures import ThreadPoolExecutor

    workdir.mkdir(parents=True, exist_ok=True)
    jobs: list[list[str]] = []
    objects: list[str] = []
    cases: dict[str, tuple[int, KModelV4, int]] = {}
    for i, (name, model) in enumerate(models.items()):
        d = workdir / f"case{i}"
        d.mkdir(exist_ok=True)
        prefix = emit.get("prefix", f"kcc_case{i}")
        src = emit_model(model, **{**emit, "prefix": prefix})
        (d / "model.c").write_text(src.source)
        (d / "model.h").write_text(src.header)
        (d / "main.c").write_text(emit_test_main(model, "model.h", prefix))
        # the model at the documented flags; its test main (file I/O only) at -O0, which compiles faster
        for stem, extra in (("model", []), ("main", [f"-Dmain=kcc_case{i}_main", "-O0"])):
            obj = str(d / f"{stem}.o")
            jobs.append([*CFLAGS, "-DKCC_MODEL_DEBUG", *extra, "-c", str(d / f"{stem}.c"), "-o", obj])
            objects.append(obj)
        cases[name] = (i, model, _kpu_first(src.source))
    decls = "".join(f"int kcc_case{i}_main(int argc, char **argv);\n" for i, _, _ in cases.values())
    calls = "".join(f"    case {i}: return kcc_case{i}_main(argc - 1, argv + 1);\n" for i, _, _ in cases.values())
    dispatch = f"#include <stdlib.h>\n{decls}\nint main(int argc, char **argv)\n{{\n    if (argc < 2)\n        return 2;\n"
    dispatch += f"    switch (atoi(argv[1])) {{\n{calls}    default: return 2;\n    }}\n}}\n"
    (workdir / "dispatch.c").write_text(dispatch)
    jobs.append([*CFLAGS, "-O0", "-c", str(workdir / "dispatch.c"), "-o", str(workdir / "dispatch.o")])
    objects.append(str(workdir / "dispatch.o"))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(_cc, jobs))
    exe = workdir / "models"
    _cc(["-o", str(exe), *objects, "-lm"])
    out: dict[str, CModel] = {}
    for name, (i, model, first) in cases.items():
        d = workdir / f"case{i}"
        out[name] = CModel(model, exe, d, first, (str(i),))
    return out


def build_shared(models: dict[str, KModelV4], factory: Any, key: str) -> dict[str, CModel]:
    """`build_many` once per test session even under xdist: the first worker builds into a directory shared by
    all workers (next to their base temp dirs), the others wait for its `done` marker and reuse the executable."""
    import time

    base = Path(factory.getbasetemp())
    root = (base.parent if base.name.startswith("popen-gw") else base) / f"c_build_{key}"
    done = root / "done"
    try:
        root.mkdir(parents=True)
    except FileExistsError:
        for _ in range(1200):
            if done.exists():
                break
            time.sleep(0.1)
        assert done.exists(), f"the build in {root} did not finish"
        return _reuse(models, root)
    built = build_many(models, root / "build")
    done.write_text("ok")
    return built


def _reuse(models: dict[str, KModelV4], root: Path) -> dict[str, CModel]:
    out: dict[str, CModel] = {}
    exe = root / "build" / "models"
    for i, (name, model) in enumerate(models.items()):
        d = root / "build" / f"case{i}"
        own = root / f"run_{os.getpid()}_{i}"  # each worker runs in its own directory
        own.mkdir(exist_ok=True)
        out[name] = CModel(model, exe, own, _kpu_first((d / "model.c").read_text()), (str(i),))
    return out


def ulp_distance(a: NDArray[Any], b: NDArray[Any]) -> NDArray[np.int64]:
    """|a - b| in float32 units in the last place (monotonic integer mapping of the bit patterns)."""

    def key(x: NDArray[Any]) -> NDArray[np.int64]:
        i = np.ascontiguousarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    return np.abs(key(a) - key(b))


def _is_output(role: str) -> bool:
    return role.startswith("out") or role == "main_out"


def _transcendental(node: f4.Node) -> bool:
    b = node.body
    if isinstance(b, f4.UnaryBody):
        return f4.UNARY_OPS[b.op] in TRANSCENDENTAL_UNARY
    if isinstance(b, f4.NnilUnaryBody):
        return any(i.name in TRANSCENDENTAL_UNARY for i in b.program)
    return False


def inexact_bytes(model: KModelV4) -> dict[str, NDArray[np.bool_]]:
    """Per pool ('main', 'kpu'), the bytes whose value may depend on a transcendental function: written by such
    a node, or by a node reading such bytes (conservative: a clean write does not clear the mark)."""
    from kcc.k210.kpu_ram import KPU_RAM_BYTES

    marks = {"main": np.zeros(model.header.main_mem, dtype=bool), "kpu": np.zeros(KPU_RAM_BYTES, dtype=bool)}
    for node in model.nodes:
        refs = node.body.ranges()
        tainted = _transcendental(node) or any(
            r.pool in marks and not _is_output(r.role) and bool(marks[r.pool][r.start : r.end].any()) for r in refs
        )
        if tainted:
            for r in refs:
                if r.pool in marks and _is_output(r.role):
                    marks[r.pool][r.start : r.end] = True
    return marks


def assert_matches_sim(model: KModelV4, inputs: list[NDArray[Any]], got: CRun, sim: SimResult | None = None) -> SimResult:
    """Outputs, main RAM and the KPU RAM bytes the program uses equal the simulator's (see the module docstring)."""
    sim = sim or simulate(model, inputs)
    assert sim.memory is not None
    marks = inexact_bytes(model)
    for i, (g, w, r) in enumerate(zip(got.outputs, sim.outputs, model.outputs, strict=True)):
        w = np.ascontiguousarray(w).reshape(-1)
        assert g.dtype == w.dtype and g.size == w.size, f"output {i}: {g.dtype}[{g.size}] vs {w.dtype}[{w.size}]"
        loose = marks["main"][r.start : r.start + r.size]
        if g.dtype == np.float32 and loose.any():
            per_elem = loose.reshape(-1, 4).any(axis=1)
            assert g[~per_elem].tobytes() == w[~per_elem].tobytes(), f"output {i}: exact part differs"
            d = ulp_distance(g[per_elem], w[per_elem])
            assert int(d.max(initial=0)) <= ULP_BOUND, f"output {i}: {int(d.max())} ulp apart (bound {ULP_BOUND})"
        else:
            bad = np.flatnonzero(g.view(np.uint8) != w.view(np.uint8)) // g.itemsize
            first = int(bad[0]) if bad.size else 0
            assert bad.size == 0, f"output {i}: elements differ, first {first}: {g[first]!r} vs {w[first]!r}"
    main = np.frombuffer(got.main, dtype=np.uint8)
    want = sim.memory.main
    assert main.size == max(want.size, 1), f"main RAM arena {main.size} bytes, the program's main_mem {want.size}"
    exact = ~marks["main"]
    bad = np.flatnonzero((main[: want.size] != want) & exact[: want.size])
    assert bad.size == 0, f"main RAM: {bad.size} bytes differ from the simulator, first at {int(bad[0])}"
    kpu = np.frombuffer(got.kpu, dtype=np.uint8)
    first = got.kpu_first
    kw = sim.memory.kpu[first : first + kpu.size]
    bad = np.flatnonzero((kpu != kw) & ~marks["kpu"][first : first + kpu.size])
    assert bad.size == 0, f"KPU RAM: {bad.size} bytes differ from the simulator, first at byte {first + int(bad[0])}"
    return sim


def build_and_check(model: KModelV4, inputs: list[NDArray[Any]], workdir: Path) -> CRun:
    """Build `model`'s C, run it on `inputs`, assert it matches the simulator; returns the C run."""
    got = CModel.build(model, workdir)(inputs)
    assert_matches_sim(model, inputs, got)
    return got
