"""KPU placement of the model zoo at full size (issue 5 goal: >= 99% of the MACs on the KPU where the hardware
allows): per model, the KPU MAC fraction after `kpu-legalize`, the number of KPU<->CPU transitions in the
legalized program (`kcc.passes.kpu_placement.device_transitions`) and the time `kpu-legalize` takes.

Each model is built in its first listed format (`bench.models.MODELS`), imported, run through fold-constants,
fold-transposes and fuse-conv (as `kcc compile` will), then legalized.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import onnx

from bench.models import MODELS
from bench.registry import Metric, benchmark

GOAL_FRACTION = 0.99


def _import(name: str) -> object:
    from kcc.context import kcc_context
    from kcc.frontends import import_model
    from kcc.universe import KCC_PASSES

    spec = MODELS[name]
    fmt = spec.formats[0]
    model = spec.build(fmt, "full")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.{fmt}"
        if fmt == "onnx":
            onnx.save(model, str(path))
        else:
            path.write_bytes(model)
        module = import_model(path)
    ctx = kcc_context()
    for p in ("fold-constants", "fold-transposes", "fuse-conv"):
        KCC_PASSES[p]()().apply(ctx, module)
    return module


@benchmark("kpu-placement")
def kpu_placement() -> list[Metric]:
    from xdsl.dialects import func
    from xdsl.dialects.builtin import ModuleOp

    from kcc.passes.kpu_legalize import legalize
    from kcc.passes.kpu_placement import device_transitions

    rows: list[Metric] = []
    for name, spec in MODELS.items():
        module = _import(name)
        assert isinstance(module, ModuleOp)
        times: list[float] = []
        report = None
        legalized = module
        for _ in range(3):
            legalized = module.clone()
            t0 = time.perf_counter()
            report = legalize(legalized)
            times.append(time.perf_counter() - t0)
        assert report is not None
        ops = [op for f in legalized.ops if isinstance(f, func.FuncOp) for op in f.body.block.ops]
        label = f"{spec.title} ({spec.formats[0]})"
        fraction = report.kpu_fraction
        figure = f"{label}: KPU MAC fraction ({report.kpu_macs} of {report.total_macs} MACs)"
        rows.append(Metric("kpu-placement", figure, fraction, "", f">= {GOAL_FRACTION:g}", fraction >= GOAL_FRACTION))
        rows.append(Metric("kpu-placement", f"{label}: KPU<->CPU transitions", device_transitions(ops), ""))
        rows.append(Metric("kpu-placement", f"{label}: kpu-legalize time", statistics.median(times), "s"))
    return rows
