"""Run a kmodel file (v3 or v4) on a simulated K210 memory map at the file's own addresses.

    model = load_kmodel("yolo.kmodel")
    result = simulate(model, [x_chw_u8], timing=True)
    result.outputs[0], result.timings

Main RAM is a zero-filled buffer of the header's size, KPU RAM is 2 MiB, v4 constants come from the file.
KPU layers go through `kcc.k210.kpu_layer` (bit-exact model); CPU layers follow the runtimes' C kernels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kcc.backends import KModelV3, KModelV4
from kcc.backends.common import POOL_MAIN
from kcc.backends.kmodel_v3 import format as f3
from kcc.errors import KccError
from kcc.k210.kpu_layer import KpuOptions
from kcc.sim.memory import NP_DTYPES, MemoryMap
from kcc.sim.v3 import load_input_v3, run_layer_v3
from kcc.sim.v4 import V4_KPU_OPTIONS, load_input_v4, run_node_v4

__all__ = ["InputSpec", "NodeTiming", "SimResult", "input_specs", "output_dtypes", "simulate"]

# nncase v0.1 / SDK readings: half-even ties (the README's YOLO check), `start < t`, per-channel Σx shift [HW].
V3_KPU_OPTIONS = KpuOptions()


@dataclass(frozen=True)
class InputSpec:
    shape: tuple[int, ...]
    dtype: str  # 'u8' or 'f32'
    where: str  # human-readable placement

    @property
    def np_dtype(self) -> np.dtype[np.generic]:
        return NP_DTYPES[self.dtype]


@dataclass(frozen=True)
class NodeTiming:
    index: int
    name: str
    kpu: bool
    seconds: float


@dataclass(frozen=True)
class SimResult:
    outputs: list[NDArray[np.generic]]
    timings: list[NodeTiming] = field(default_factory=lambda: [])
    memory: MemoryMap | None = None

    @property
    def total_seconds(self) -> float:
        return sum(t.seconds for t in self.timings)


def input_specs(model: KModelV3 | KModelV4) -> list[InputSpec]:
    """What the model expects as input(s)."""
    if isinstance(model, KModelV4):
        return [
            InputSpec(tuple(s), r.dtype, f"{r.pool}@{r.start:#x}") for r, s in zip(model.inputs, model.input_shapes, strict=True)
        ]
    first = model.layers[0].body
    if isinstance(first, f3.K210ConvBody):
        g = first.geometry
        return [InputSpec((g.in_channels, g.in_height, g.in_width), "u8", f"kpu line {g.src_line}")]
    ranges = first.ranges()
    if not ranges:
        raise KccError("the first layer has no input range", op=model.layers[0].name, index=0)
    r = ranges[0]
    return [InputSpec((r.size // (4 if r.dtype == "f32" else 1),), r.dtype, f"{r.pool}@{r.start:#x}")]


def output_dtypes(model: KModelV3 | KModelV4) -> list[str]:
    """Element type of each output (v3 stores none: taken from the last layer writing into the range)."""
    if isinstance(model, KModelV4):
        return [r.dtype for r in model.outputs]
    dts: list[str] = []
    for o in model.outputs:
        dt = "f32" if o.size % 4 == 0 else "u8"
        for layer in model.layers:
            for ref in layer.body.ranges():
                if ref.pool == POOL_MAIN and "out" in ref.role and ref.start < o.address + o.size and o.address < ref.end:
                    dt = ref.dtype
        dts.append(dt)
    return dts


def _coerce(x: NDArray[np.generic], spec: InputSpec, index: int) -> NDArray[np.generic]:
    arr = np.asarray(x)
    n = int(np.prod(spec.shape))
    if arr.size != n:
        raise KccError(
            f"input has {arr.size} elements {tuple(arr.shape)}, the model expects {n} {spec.shape}", op="input", index=index
        )
    if spec.dtype == "u8":
        if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr.astype(np.float64))):
            raise KccError("the model takes uint8 input but the array holds non-integer floats", op="input", index=index)
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise KccError("the model takes uint8 input but values fall outside 0..255", op="input", index=index)
    return arr.astype(spec.np_dtype).reshape(spec.shape)


def simulate(
    model: KModelV3 | KModelV4,
    inputs: list[NDArray[np.generic]],
    *,
    timing: bool = False,
    kpu_options: KpuOptions | None = None,
    fill: int = 0,
) -> SimResult:
    """Run the whole model; returns the outputs (flat arrays of the output ranges) and per-node timings."""
    specs = input_specs(model)
    if len(inputs) != len(specs):
        raise KccError(f"the model has {len(specs)} input(s), got {len(inputs)}", op="simulate")
    xs = [_coerce(x, s, i) for i, (x, s) in enumerate(zip(inputs, specs, strict=True))]
    timings: list[NodeTiming] = []
    if isinstance(model, KModelV4):
        opts = kpu_options or V4_KPU_OPTIONS
        mem = MemoryMap(model.header.main_mem, model.constants, fill)
        for i, x in enumerate(xs):
            load_input_v4(mem, model, i, x)
        for node in model.nodes:
            t0 = time.perf_counter()
            run_node_v4(mem, node, opts)
            if timing:
                timings.append(NodeTiming(node.index, node.name, node.is_kpu, time.perf_counter() - t0))
        outs = [mem.read(r.pool, r.start, r.size // (4 if r.dtype == "f32" else 1), r.dtype) for r in model.outputs]
        return SimResult(outs, timings, mem)
    opts = kpu_options or V3_KPU_OPTIONS
    mem = MemoryMap(model.header.main_mem_usage, b"", fill)
    load_input_v3(mem, model, xs[0])
    for layer in model.layers:
        t0 = time.perf_counter()
        try:
            run_layer_v3(mem, layer, opts)
        except ValueError as e:
            raise KccError(f"cannot execute: {e}", op=layer.name, index=layer.index) from None
        if timing:
            timings.append(NodeTiming(layer.index, layer.name, layer.is_kpu, time.perf_counter() - t0))
    outs: list[NDArray[np.generic]] = []
    for o, dt in zip(model.outputs, output_dtypes(model), strict=True):
        outs.append(mem.read(POOL_MAIN, o.address, o.size // (4 if dt == "f32" else 1), dt))
    return SimResult(outs, timings, mem)
