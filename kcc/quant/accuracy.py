"""Accuracy report: how far the quantized program is from the float one, layer by layer.

    tag_layers(module)                          # before `quantize`: number the ops (`kcc.layer`)
    reference = module.clone(); quantize ...
    rows = layer_accuracy(reference, module, samples)     # worst first
    print(format_report(rows))

`tag_layers` writes a discardable `kcc.layer = N` on every op of the entry function; `quantize` carries the
attributes of an op over to what replaces it (a `kpu.conv2d`, a uint8 CPU op) and keeps float CPU ops as they
are, so after `quantize` the same number names the op computing the same value. `layer_accuracy` runs both
programs on every sample with an interpreter listener, dequantizes each tagged result of the quantized program
(`!nn.q<ui8, scale, zp>` tensors and `!kpu.ram` maps: `scale * (q - zp)`) and compares it with the float value,
over all samples together:

* cosine similarity, SQNR (dB: signal power over error power) and max abs error;
* `clipped`: the fraction of float values outside the calibrated range (`kcc.ranges`) of that result (0 for
  a result the quantized program computes in float);
* `local_sqnr_drop`: the SQNR lost in this layer, relative to the worst SQNR of its tagged inputs (an error
  that grows along the chain without a big local drop is accumulated, not caused here).

The likely cause, first that applies: `computed in float` (the op is not quantized: its error is its
inputs'), `range clipping` (more than 0.1% of the float values clipped), `accumulated from earlier layers`
(SQNR within 3 dB of its inputs': this layer adds at most as much error as it inherits; a layer whose inputs
are exact loses everything here), `activation-table fit error` (a `kpu.conv2d` whose 16-segment table is off
by more than 1 output LSB), `weight range too wide` (some output channel's weight step is coarser than 1/64 of
that channel's spread: the shared weight zero point costs it more than 2 of its 8 bits), else `uint8
rounding` (plain quantization noise of this layer). The two KPU figures are recomputed with
`kcc.k210.quantize_layer.quantize_kpu_layer` from the float layer (`kpu.fake_conv2d` of the reference) and
the scales of the `kpu.conv2d`. They come after `accumulated`: the fitted tables of sigmoid / tanh /
hard_swish are about 1 LSB off wherever their curve is resolved, which is a real cost only when the layer's
own error is not drowned by what it inherits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp, TensorType, i64
from xdsl.interpreter import Interpreter, PythonValues
from xdsl.ir import Attribute, Operation

from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.types import QuantType
from kcc.errors import KccError
from kcc.interp.runner import entry_function, make_interpreter
from kcc.quant.ranges import get_ranges

__all__ = [
    "CLIP_FRACTION",
    "LAYER_ATTR",
    "LayerAccuracy",
    "cosine",
    "format_report",
    "layer_accuracy",
    "sqnr_db",
    "tag_layers",
]

LAYER_ATTR = "kcc.layer"
CLIP_FRACTION = 1e-3
FIT_ERROR_LSB = 1.0
WEIGHT_STEP = 1.0 / 64.0
ACCUMULATED_DB = 3.0

F64 = npt.NDArray[np.float64]


def cosine(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Cosine similarity of two arrays flattened (1.0 when both are all zero, 0.0 when only one is)."""
    x = np.asarray(a, np.float64).ravel()
    y = np.asarray(b, np.float64).ravel()
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0.0 or ny == 0.0:
        return 1.0 if nx == ny else 0.0
    return float(x @ y) / (nx * ny)


def sqnr_db(reference: npt.ArrayLike, test: npt.ArrayLike) -> float:
    """10 log10(signal power / error power) in dB; inf for an exact match."""
    x = np.asarray(reference, np.float64).ravel()
    e = np.asarray(test, np.float64).ravel() - x
    noise = float(e @ e)
    if noise == 0.0:
        return math.inf
    signal = float(x @ x)
    return 10.0 * math.log10(signal / noise) if signal > 0 else -math.inf


@dataclass
class LayerAccuracy:
    """One tagged value of the program: quantized vs float over the samples."""

    layer: int
    op: str  # op name in the quantized program
    name: str  # the value's name hint, or ""
    cosine: float
    sqnr_db: float
    max_abs_error: float
    clipped: float  # fraction of float values outside the calibrated range
    calibrated: tuple[float, float] | None
    observed: tuple[float, float]
    local_sqnr_drop: float  # dB lost here relative to the worst tagged input (inf: first layer or exact inputs)
    cause: str = ""
    inputs: list[int] = field(default_factory=lambda: list[int]())


def tag_layers(module: ModuleOp) -> int:
    """Number every op of the entry function (`kcc.layer`, program order, constants and the return excluded);
    the number of ops tagged."""
    f = entry_function(module)
    n = 0
    for i, op in enumerate(f.walk()):
        if isinstance(op, func.FuncOp | func.ReturnOp) or op.name == "nn.const":
            continue
        op.attributes[LAYER_ATTR] = IntegerAttr(i, i64)
        n += 1
    return n


def _layer(op: Operation) -> int | None:
    a = op.attributes.get(LAYER_ATTR)
    return a.value.data if isinstance(a, IntegerAttr) else None


def _kpu_errors(fop: Operation, qop: Operation) -> tuple[float, float] | None:
    """(activation fit error in output LSB, worst weight step / channel spread) of a quantized KPU layer."""
    from kcc.dialects.kpu.ops import FakeConv2dOp
    from kcc.dialects.nn.const import ConstOp
    from kcc.k210.kpu_layer import POOL_NAMES
    from kcc.k210.quantize_layer import quantize_kpu_layer

    if not isinstance(fop, FakeConv2dOp) or qop.name != "kpu.conv2d":
        return None
    tin, tout = _element(qop.operands[0].type), _element(qop.results[0].type)
    wop, bop = fop.weight.owner, fop.bias.owner
    if not (isinstance(tin, QuantType) and isinstance(tout, QuantType) and isinstance(wop, ConstOp) and isinstance(bop, ConstOp)):
        return None
    w = wop.to_numpy().astype(np.float64)
    shape = fop.input.type
    assert isinstance(shape, TensorType)
    _, c, h, wd = shape.get_shape()
    wt = _element(qop.operands[1].type)
    wbits = 16 if isinstance(wt, IntegerType) and wt.width.data == 16 else 8
    layer = quantize_kpu_layer(
        w,
        bop.to_numpy().astype(np.float64),
        depthwise=fop.is_depthwise,
        act=("none", ()) if fop.act is None else (fop.act.kind.data, fop.act.values),
        pool=POOL_NAMES[fop.pool_code],
        in_q=(tin.scale_value, tin.zp_value),
        out_q=(tout.scale_value, tout.zp_value),
        in_shape=(c, h, wd),
        weight_bits=wbits,
    )
    wf = w.reshape(w.shape[0], -1)
    spread = np.maximum(wf.max(axis=1), 0.0) - np.minimum(wf.min(axis=1), 0.0)
    live = spread > 0
    step = float((layer.weight_scales[live] / spread[live]).max()) if bool(live.any()) else 0.0
    return layer.fit_error, step


class _Recorder(Interpreter.Listener):
    """Keeps the first result of every tagged op."""

    def __init__(self) -> None:
        self.values: dict[int, Any] = {}

    def did_interpret_op(self, op: Operation, results: PythonValues) -> None:
        n = _layer(op)
        if n is not None and results:
            self.values[n] = results[0]


def _run_tagged(module: ModuleOp, sample: Sequence[Any]) -> dict[int, Any]:
    f = entry_function(module)
    interp = make_interpreter(module)
    rec = _Recorder()
    interp.listeners = (rec,)
    args: list[Any] = []
    for x, t in zip(sample, f.function_type.inputs.data, strict=True):
        arr = np.asarray(x)
        if isinstance(t, TensorType) and isinstance(t.element_type, QuantType):  # pyright: ignore[reportUnknownMemberType]
            q: QuantType = t.element_type  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            arr = np.clip(np.rint(arr / q.scale_value) + q.zp_value, 0, 255).astype(np.uint8)
        args.append(arr)
    interp.call_op(f.sym_name.data, tuple(args))
    return rec.values


def _element(t: Attribute) -> Attribute:
    if isinstance(t, TensorType | KpuRamType):
        return t.element_type  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return t


def _as_real(op: Operation, value: Any) -> F64 | None:
    """The real values of a result: float as is, per-tensor quantized dequantized; None for other types."""
    et = _element(op.results[0].type)
    arr = np.asarray(value)
    if isinstance(et, QuantType):
        return (arr.astype(np.float64) - et.zp_value) * et.scale_value
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    return None


def _tagged_inputs(op: Operation) -> list[int]:
    out: list[int] = []
    for v in op.operands:
        owner = v.owner
        while isinstance(owner, Operation) and _layer(owner) is None and owner.operands:
            owner = owner.operands[0].owner  # conversions (upload, download, quantize...) carry no tag
        if isinstance(owner, Operation):
            n = _layer(owner)
            if n is not None:
                out.append(n)
    return out


def _cause(row: LayerAccuracy, fop: Operation, qop: Operation) -> str:
    if not isinstance(_element(qop.results[0].type), QuantType):
        return "computed in float: the error of its inputs, carried or amplified"
    if row.clipped > CLIP_FRACTION:
        return f"range clipping ({row.clipped:.2%} of the float values outside the calibrated range)"
    if row.inputs and row.local_sqnr_drop <= ACCUMULATED_DB:
        return "accumulated from earlier layers"
    errors = _kpu_errors(fop, qop)
    if errors is not None and errors[0] > FIT_ERROR_LSB:
        return f"activation-table fit error ({errors[0]:.2f} output LSB)"
    if errors is not None and errors[1] > WEIGHT_STEP:
        return f"weight range too wide (weight step {errors[1]:.3f} of a channel's spread)"
    return "uint8 rounding"


def _sqnr_drop(inputs_db: float, own_db: float) -> float:
    """dB lost from the worst input's SQNR to this value's: inf when exact inputs give an inexact value (all of
    the error is made here), 0 when both are exact, -inf for inputs without signal."""
    if inputs_db == math.inf:
        return 0.0 if own_db == math.inf else math.inf
    if inputs_db == -math.inf:
        return -math.inf
    return inputs_db - own_db


def layer_accuracy(reference: ModuleOp, quantized: ModuleOp, samples: Iterable[Sequence[Any]]) -> list[LayerAccuracy]:
    """Quantized vs float, per tagged value over all `samples` (lists of float inputs), worst cosine first.

    `reference` is the float program (calibrated, tagged with `tag_layers`), `quantized` the same program after
    `quantize`. Values whose shapes differ (none in practice) or that are not real-valued are skipped."""
    qops = {n: op for op in entry_function(quantized).walk() if (n := _layer(op)) is not None}
    fops = {n: op for op in entry_function(reference).walk() if (n := _layer(op)) is not None}
    if not qops:
        raise KccError("the quantized program has no `kcc.layer` tags", hint="call tag_layers() before quantize")
    floats: dict[int, list[F64]] = {}
    quants: dict[int, list[F64]] = {}
    count = 0
    for sample in samples:
        count += 1
        fv = _run_tagged(reference, sample)
        qv = _run_tagged(quantized, sample)
        for n, qop in qops.items():
            if n not in fv or n not in qv or n not in fops:
                continue
            a = _as_real(fops[n], fv[n])
            b = _as_real(qop, qv[n])
            if a is None or b is None or a.shape != b.shape:
                continue
            floats.setdefault(n, []).append(a.ravel())
            quants.setdefault(n, []).append(b.ravel())
    if count == 0:
        raise KccError("the accuracy dataset is empty", hint="give at least one sample")
    rows: dict[int, LayerAccuracy] = {}
    for n in sorted(floats):
        a = np.concatenate(floats[n])
        b = np.concatenate(quants[n])
        fop = fops[n]
        ranges = get_ranges(fop)
        cal = ranges[0] if ranges else None
        clipped = 0.0
        if cal is not None and a.size and isinstance(_element(qops[n].results[0].type), QuantType):
            tol = 1e-6 * max(1.0, abs(cal[0]), abs(cal[1]))
            clipped = float(np.mean((a < cal[0] - tol) | (a > cal[1] + tol)))
        rows[n] = LayerAccuracy(
            layer=n,
            op=qops[n].name,
            name=qops[n].results[0].name_hint or "",
            cosine=cosine(a, b),
            sqnr_db=sqnr_db(a, b),
            max_abs_error=float(np.abs(a - b).max()) if a.size else 0.0,
            clipped=clipped,
            calibrated=cal,
            observed=(float(a.min()), float(a.max())) if a.size else (0.0, 0.0),
            local_sqnr_drop=math.inf,
            inputs=[i for i in _tagged_inputs(qops[n]) if i != n],
        )
    for row in rows.values():
        ins = [rows[i].sqnr_db for i in row.inputs if i in rows]
        if ins:
            row.local_sqnr_drop = _sqnr_drop(min(ins), row.sqnr_db)
        row.cause = _cause(row, fops[row.layer], qops[row.layer])
    return sorted(rows.values(), key=lambda r: (r.cosine, r.sqnr_db, r.layer))


def format_report(rows: Sequence[LayerAccuracy], limit: int | None = None) -> str:
    """A plain-text table of `rows` (as given: worst first), at most `limit` rows."""
    lines = [f"{'layer':>5}  {'op':<16} {'name':<12} {'cosine':>8} {'SQNR dB':>8} {'max err':>9} {'clipped':>8}  cause"]
    for r in rows[:limit] if limit is not None else rows:
        lines.append(
            f"{r.layer:>5}  {r.op:<16} {r.name[:12]:<12} {r.cosine:>8.5f} {r.sqnr_db:>8.2f} {r.max_abs_error:>9.4g} "
            f"{r.clipped:>8.2%}  {r.cause}"
        )
    return "\n".join(lines) + "\n"
