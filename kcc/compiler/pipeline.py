"""`compile_model`: a TFLite / ONNX file to kmodel bytes, every stage in memory, nothing written.

    result = compile_model("model.tflite", CompileOptions(dataset="calib/"))
    result.data                 # the kmodel file's bytes
    result.stages               # [StageRecord(name, seconds, ir)] in order (ir: MLIR text when recorded)

Stages (each a pass of kcc/passes, run with the options' values; docs/compile.md):

    import -> fold-constants -> fold-transposes -> nchw-inputs (target k210) -> fuse-conv -> kpu-legalize (target k210)
    -> calibrate -> quantize (target k210, or --inference-type uint8) -> plan-memory
    -> lower-to-kmodel{version} -> write (kmodel bytes)

With `accuracy_report`, the ops are tagged (`kcc.quant.accuracy.tag_layers`) after calibrate, a clone of the
float program is kept, and after quantize both run on the first ACCURACY_SAMPLES (8) dataset samples
(`layer_accuracy`; its time is recorded as the stage `accuracy-report`); the rows land in `result.accuracy`.

A stage failing raises its one-line KccError; the records of the stages that ran are in the `trace` list
the caller passed (so `--dump-ir` can still show how far it got).
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, ModuleOp, StringAttr, TensorType
from xdsl.ir import Attribute
from xdsl.passes import ModulePass
from xdsl.printer import Printer

from kcc.compiler.options import CompileOptions
from kcc.errors import KccError
from kcc.passes.kpu_placement import Report

if TYPE_CHECKING:
    from kcc.quant.accuracy import LayerAccuracy

# --accuracy-report runs the float and the quantized program on the first samples of the calibration dataset.
ACCURACY_SAMPLES = 8


@dataclass
class StageRecord:
    """One stage of a compilation: its name, wall time and (when recorded) the IR after it."""

    name: str
    seconds: float
    ir: str | None = None


@dataclass(frozen=True)
class TensorInfo:
    """An input or output of the compiled function: name, shape, element type and layout."""

    name: str
    shape: tuple[int, ...]
    element: str
    layout: str  # NCHW, NHWC, CHW, HWC or flat


@dataclass
class CompileResult:
    """Everything a compilation produced; `data` is the output file's bytes."""

    data: bytes
    kmodel_version: int
    version_reason: str
    placement: Report | None  # None for target cpu (no kpu-legalize)
    memory: dict[str, int]  # plan-memory's kcc.memory figures (bytes)
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    source_format: str  # tflite | onnx
    stages: list[StageRecord] = field(default_factory=lambda: list[StageRecord]())
    graph_dot: str = ""  # Graphviz of the planned nn/kpu graph (the last graph before lowering)
    accuracy: list[LayerAccuracy] | None = None  # --accuracy-report rows, worst first (None: not asked for)
    accuracy_samples: int = 0  # how many dataset samples the accuracy report ran
    c_header: bytes = b""  # output format c: the header (model.h) next to `data` (model.c)


def module_text(module: ModuleOp) -> str:
    """`module` as MLIR text, as kcc-opt prints it."""
    buf = io.StringIO()
    Printer(stream=buf).print_op(module)
    return buf.getvalue() + "\n"


def _layout(shape: tuple[int, ...], source_format: str) -> str:
    if len(shape) == 4:
        return "NHWC" if source_format == "tflite" else "NCHW"
    if len(shape) == 3:
        return "HWC" if source_format == "tflite" else "CHW"
    return "flat"


def _element(t: Attribute) -> str:
    return str(t.element_type) if isinstance(t, TensorType) else str(t)  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]


def _shape(t: Attribute) -> tuple[int, ...]:
    return tuple(int(d) for d in t.get_shape()) if isinstance(t, TensorType) else ()  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType, reportUnknownArgumentType]


def _names(attrs: object, count: int, prefix: str) -> list[str]:
    names = [f"{prefix}{i}" for i in range(count)]
    data = getattr(attrs, "data", None)
    if isinstance(data, tuple):
        for i, d in enumerate(data):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            if i < count and isinstance(d, DictionaryAttr):
                name = d.data.get("kcc.name")
                if isinstance(name, StringAttr):
                    names[i] = name.data
    return names


def signature(f: func.FuncOp, source_format: str) -> tuple[list[TensorInfo], list[TensorInfo]]:
    """The inputs and outputs of `f` (names from `kcc.name` argument/result attributes)."""
    ins, outs = f.function_type.inputs.data, f.function_type.outputs.data
    in_names, out_names = _names(f.arg_attrs, len(ins), "input"), _names(f.res_attrs, len(outs), "output")
    make = lambda n, t: TensorInfo(n, _shape(t), _element(t), _layout(_shape(t), source_format))  # noqa: E731
    return [make(n, t) for n, t in zip(in_names, ins, strict=True)], [make(n, t) for n, t in zip(out_names, outs, strict=True)]


def memory_figures(module: ModuleOp) -> dict[str, int]:
    """plan-memory's `kcc.memory` dictionary of `module` as ints (empty when the module was not planned)."""
    attr = module.attributes.get("kcc.memory")
    if not isinstance(attr, DictionaryAttr):
        return {}
    return {k: v.value.data for k, v in sorted(attr.data.items()) if isinstance(v, IntegerAttr)}


def graph_dot(module: ModuleOp) -> str:
    """A Graphviz digraph of the entry function: one node per op (constants left out), KPU ops filled,
    one edge per operand use; deterministic (program order, index-based names)."""
    from kcc.interp.runner import entry_function

    f = entry_function(module)
    lines = ["digraph kcc {", "  rankdir=TB;", '  node [shape=box, fontname="monospace", fontsize=10];']
    ids: dict[object, str] = {}
    for i, a in enumerate(f.body.block.args):
        ids[a] = f"arg{i}"
        lines.append(f'  arg{i} [label="input {i}\\n{_shape(a.type)}", shape=ellipse];')
    for i, op in enumerate(f.body.block.ops):
        if op.name == "nn.const":
            continue
        node = f"op{i}"
        for r in op.results:
            ids[r] = node
        shapes = ", ".join("x".join(str(d) for d in _shape(r.type)) for r in op.results)
        style = ', style=filled, fillcolor="#cfe2ff"' if op.name.startswith("kpu.") else ""
        lines.append(f'  {node} [label="#{i} {op.name}\\n{shapes}"{style}];')
        for v in op.operands:
            src = ids.get(v)
            if src is not None:
                lines.append(f"  {src} -> {node};")
    lines.append("}")
    return "\n".join(lines) + "\n"


@contextmanager
def _solver_progress(enabled: bool, seconds: int) -> Generator[None]:
    """A time bar on stderr (terminals only) while plan-memory's solver runs, up to its time limit."""
    if not enabled or seconds <= 0 or not sys.stderr.isatty():
        yield
        return
    from tqdm import tqdm

    done = threading.Event()

    def tick() -> None:
        with tqdm(total=seconds, desc="plan-memory (solver)", unit="s", file=sys.stderr, leave=False) as bar:
            start = time.monotonic()
            while not done.wait(0.25):
                bar.n = min(seconds, round(time.monotonic() - start, 1))
                bar.refresh()

    t = threading.Thread(target=tick, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


class _Stages:
    """Runs stages, timing each and recording the IR after it (when `record_ir`) into `trace`."""

    def __init__(self, trace: list[StageRecord], record_ir: bool) -> None:
        self.trace = trace
        self.record_ir = record_ir
        self.ctx: Context | None = None

    def context(self) -> Context:
        if self.ctx is None:
            from kcc.context import kcc_context

            self.ctx = kcc_context()
        return self.ctx

    def run(self, name: str, module: ModuleOp, action: Callable[[], object]) -> None:
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
        self.trace.append(StageRecord(name, seconds, module_text(module) if self.record_ir else None))

    def apply(self, module: ModuleOp, p: ModulePass) -> None:
        self.run(p.name, module, lambda: p.apply(self.context(), module))


def _backend_missing(stage: str, e: ImportError) -> KccError:
    return KccError(f"stage {stage} is not available in this build ({e})", op=stage, hint="update kcc")


def compile_model(model_path: str, options: CompileOptions, trace: list[StageRecord] | None = None) -> CompileResult:
    """Compile `model_path` with `options` in memory (stages in the module docstring)."""
    from kcc.frontends import detect_kind, import_model, parse_input_shapes
    from kcc.interp.runner import entry_function
    from kcc.passes.calibrate import CalibratePass
    from kcc.passes.fold_constants import FoldConstantsPass
    from kcc.passes.fold_transposes import FoldTransposesPass
    from kcc.passes.fuse_conv import FuseConvPass
    from kcc.passes.kpu_legalize import legalize
    from kcc.passes.nchw_inputs import NchwInputsPass
    from kcc.passes.plan_memory import PlanMemoryPass
    from kcc.passes.quantize import QuantizePass

    options.validate()
    if options.output_format == "c" and options.kmodel_version not in ("auto", "4"):
        raise KccError(
            f"output format c is generated from a kmodel v4 program, not v{options.kmodel_version}",
            op="options",
            hint="drop --kmodel-version (or pass 4) with --output-format c",
        )
    trace = trace if trace is not None else []
    stages = _Stages(trace, record_ir=options.dump_ir is not None)
    source_format = options.input_format or detect_kind(model_path)
    shapes = parse_input_shapes(options.input_shapes)

    start = time.perf_counter()
    module = import_model(model_path, kind=source_format, input_shapes=shapes)
    trace.append(StageRecord("import", time.perf_counter() - start, module_text(module) if stages.record_ir else None))
    inputs, _ = signature(entry_function(module), source_format)

    stages.apply(module, FoldConstantsPass())
    stages.apply(module, FoldTransposesPass())
    if options.target == "k210":
        stages.apply(module, NchwInputsPass())  # the K210 runtimes feed planar CHW pixels
        inputs, _ = signature(entry_function(module), "onnx")
    stages.apply(module, FuseConvPass())
    placement: list[Report] = []
    reference: ModuleOp | None = None
    accuracy: list[tuple[list[LayerAccuracy], int]] = []
    if options.target == "k210":
        stages.run("kpu-legalize", module, lambda: placement.append(legalize(module)))
    if options.quantizes:
        assert options.dataset is not None  # validate() requires it
        stages.apply(
            module,
            CalibratePass(
                dataset=options.dataset,
                dataset_format=options.dataset_format,
                method=options.calibrate_method,
                input_mean=options.input_mean,
                input_std=options.input_std,
                input_type=options.input_type,
                progress=options.progress,
            ),
        )
        if options.accuracy_report:
            from kcc.quant.accuracy import tag_layers

            tag_layers(module)
            reference = module.clone()
        stages.apply(
            module,
            QuantizePass(
                inference_type=options.inference_type,
                input_type=options.input_type,
                weights_quantize_threshold=options.weights_quantize_threshold,
                output_quantize_threshold=options.output_quantize_threshold,
                no_quantized_binary=options.no_quantized_binary,
                target={"3": "kmodel-v3", "4": "kmodel-v4"}.get(options.kmodel_version, "kmodel"),
            ),
        )
        if reference is not None:
            ref = reference
            stages.run("accuracy-report", module, lambda: accuracy.append(_accuracy_rows(ref, module, options)))
    with _solver_progress(options.progress, options.max_allocator_solve_secs):
        stages.apply(module, PlanMemoryPass(max_solve_secs=options.max_allocator_solve_secs, main_limit=options.main_ram_limit))
    memory = memory_figures(module)
    _, outputs = signature(entry_function(module), source_format)
    dot = graph_dot(module)

    try:
        from kcc.backends.kmodel_writer import write_kmodel
        from kcc.passes.lower_to_kmodel import kmodel_version_reason, lower_to_kmodel
    except ImportError as e:
        raise _backend_missing("lower-to-kmodel", e) from None
    if options.output_format == "c":
        version, reason = 4, "reference C: generated from the kmodel v4 program"
    elif options.kmodel_version == "auto":
        version, reason = kmodel_version_reason(module)
    else:
        version, reason = int(options.kmodel_version), f"asked for with --kmodel-version {options.kmodel_version}"
    lowered: list[ModuleOp] = []
    start = time.perf_counter()
    lowered.append(lower_to_kmodel(module, version))
    trace.append(
        StageRecord("lower-to-kmodel", time.perf_counter() - start, module_text(lowered[0]) if stages.record_ir else None)
    )
    start = time.perf_counter()
    c_header = b""
    if options.output_format == "c":
        from kcc.backends.c import emit_c

        source = emit_c(lowered[0], output_shapes=[o.shape for o in outputs], title=f"{Path(model_path).name}")
        data, c_header = source.source.encode(), source.header.encode()
        trace.append(StageRecord("emit-c", time.perf_counter() - start))
    else:
        data = write_kmodel(lowered[0])
        trace.append(StageRecord("write-kmodel", time.perf_counter() - start))
    return CompileResult(
        data=data,
        kmodel_version=version,
        version_reason=reason,
        placement=placement[0] if placement else None,
        memory=memory,
        inputs=inputs,
        outputs=outputs,
        source_format=source_format,
        stages=trace,
        graph_dot=dot,
        accuracy=accuracy[0][0] if accuracy else None,
        accuracy_samples=accuracy[0][1] if accuracy else 0,
        c_header=c_header,
    )


def _accuracy_rows(reference: ModuleOp, quantized: ModuleOp, options: CompileOptions) -> tuple[list[LayerAccuracy], int]:
    """`layer_accuracy` over the first ACCURACY_SAMPLES samples of the calibration dataset, loaded as calibrate
    loads it (same format, mean/std, input type and layout); (rows worst first, samples used)."""
    from kcc.interp.runner import entry_function
    from kcc.quant.accuracy import layer_accuracy
    from kcc.quant.dataset import load_dataset

    assert options.dataset is not None  # validate() requires it when quantizing
    t = entry_function(reference).function_type.inputs.data[0]  # calibrate checked: one tensor input
    assert isinstance(t, TensorType)
    ds = load_dataset(
        options.dataset,
        tuple(t.get_shape()),
        format=options.dataset_format,
        mean=options.input_mean,
        std=options.input_std,
        input_type=options.input_type,
    )
    count = min(ACCURACY_SAMPLES, len(ds))
    rows = layer_accuracy(reference, quantized, ([ds.load(i)] for i in range(count)))
    return rows, count
