"""Calibration: run the float program on samples and record the range of every float value on the IR.

    calibrate(module, samples, method="kld")      # samples: iterable of [input0, input1, ...] numpy lists

One interpreter run per sample; an `xdsl.interpreter.Interpreter.Listener` sees the results of every op as it
runs, so each intermediate value is observed once and nothing is kept between samples but its statistics: the
min/max (`no_clip`) or a 2048-bin running histogram (`l2`, `kld`; kcc.quant.histogram). After the last sample the
method (kcc.quant.methods) chooses each value's clipping range, and the ranges are written with
kcc.quant.ranges: `kcc.ranges` (chosen) and `kcc.minmax` (observed) on every op with a float result, and
`kcc.range` / `kcc.minmax` on the float arguments of the entry function. `nn.const` ops get none (a constant's
range is its data) and neither do values no sample reached.

A `CalibrationCache` (kcc.quant.cache) makes a repeated calibration of the same module text + dataset + method
skip the interpreter: `calibrate(..., cache=cache, key=cache_key(...))` first looks the key up and, on a hit,
writes the stored ranges without touching `samples`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.interpreter import Interpreter, PythonValues
from xdsl.ir import Operation

from kcc.dialects.nn.base import fmt_shape
from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.types import is_float, numpy_dtype
from kcc.errors import KccError
from kcc.interp.runner import entry_function, make_interpreter
from kcc.quant.cache import CalibrationCache, CalibrationRecord, OpRecord
from kcc.quant.histogram import RunningHistogram
from kcc.quant.methods import check_method, choose_range
from kcc.quant.ranges import Range, set_arg_minmax, set_arg_range, set_minmax, set_ranges

_UNUSED: Range = (0.0, 0.0)


def observed_ops(module: ModuleOp, f: func.FuncOp | None = None) -> list[Operation]:
    """The ops of the entry function that calibration records: those with a float tensor result, but constants."""
    f = f or entry_function(module)
    return [
        op
        for op in f.walk()
        if not isinstance(op, ConstOp | func.FuncOp)
        and any(isinstance(r.type, TensorType) and is_float(r.type) for r in op.results)
    ]


@dataclass
class _Observer(Interpreter.Listener):
    """Feeds every float result of the observed ops into its statistics."""

    stats: dict[Operation, list[RunningHistogram | None]]
    failed: list[BaseException] = field(default_factory=lambda: [])

    def did_interpret_op(self, op: Operation, results: PythonValues) -> None:
        slots = self.stats.get(op)
        if slots is None:
            return
        for h, value in zip(slots, results, strict=True):
            if h is not None:
                h.add(np.asarray(value))


def _coerce_inputs(f: func.FuncOp, sample: Sequence[Any], index: int) -> tuple[np.ndarray, ...]:
    types = f.function_type.inputs.data
    if len(sample) != len(types):
        raise KccError(f"calibration sample #{index} has {len(sample)} inputs; @{f.sym_name.data} takes {len(types)}")
    out: list[np.ndarray] = []
    for i, (x, t) in enumerate(zip(sample, types, strict=True)):
        arr = np.asarray(x)
        if isinstance(t, TensorType):
            shape = tuple(t.get_shape())
            if arr.shape != shape:
                raise KccError(
                    f"calibration sample #{index}, input #{i}: shape {fmt_shape(arr.shape)} does not match the "
                    f"model input {fmt_shape(shape)}"
                )
            arr = arr.astype(numpy_dtype(t.element_type), copy=False)
        out.append(arr)
    return tuple(out)


def _run_one(interp: Interpreter, f: func.FuncOp, args: tuple[np.ndarray, ...]) -> None:
    interp.call_op(f.sym_name.data, args)


def collect(
    module: ModuleOp, samples: Iterable[Sequence[Any]], *, histograms: bool
) -> tuple[list[RunningHistogram | None], dict[Operation, list[RunningHistogram | None]], int]:
    """Run every sample; the statistics of each float argument and each float result of the observed ops."""
    f = entry_function(module)
    arg_types = f.function_type.inputs.data
    arg_stats: list[RunningHistogram | None] = [RunningHistogram(histograms) if is_float(t) else None for t in arg_types]
    stats: dict[Operation, list[RunningHistogram | None]] = {
        op: [RunningHistogram(histograms) if is_float(r.type) else None for r in op.results] for op in observed_ops(module, f)
    }
    observer = _Observer(stats)
    interp = make_interpreter(module)
    interp.listeners = (observer,)
    n = 0
    for n, sample in enumerate(samples, start=1):
        args = _coerce_inputs(f, sample, n - 1)
        for h, a in zip(arg_stats, args, strict=True):
            if h is not None:
                h.add(a)
        _run_one(interp, f, args)
    if n == 0:
        raise KccError("the calibration dataset is empty", hint="give at least one sample")
    return arg_stats, stats, n


def _range_or_unused(h: RunningHistogram | None, method: str) -> tuple[Range, Range] | None:
    if h is None:
        return _UNUSED, _UNUSED
    if h.empty:
        return None
    return choose_range(h, method), (h.lo, h.hi)


def _record(
    module: ModuleOp, arg_stats: list[RunningHistogram | None], stats: dict[Operation, list[RunningHistogram | None]], method: str
) -> CalibrationRecord:
    f = entry_function(module)
    args: list[tuple[Range, Range] | None] = [None if h is None else _range_or_unused(h, method) for h in arg_stats]
    ops: list[OpRecord | None] = []
    for op in observed_ops(module, f):
        chosen = [_range_or_unused(h, method) for h in stats[op]]
        if any(c is None for c in chosen):
            ops.append(None)  # some result never computed
            continue
        pairs = [c for c in chosen if c is not None]
        ops.append(OpRecord(op.name, [p[0] for p in pairs], [p[1] for p in pairs]))
    return CalibrationRecord(method, args, ops)


def apply_record(module: ModuleOp, record: CalibrationRecord) -> bool:
    """Write `record` onto `module`; False (and nothing written) when it does not fit the module's ops."""
    f = entry_function(module)
    ops = observed_ops(module, f)
    if len(ops) != len(record.ops) or len(record.args) != len(f.function_type.inputs.data):
        return False
    if any(r is not None and r.op != op.name for op, r in zip(ops, record.ops, strict=True)):
        return False
    for i, a in enumerate(record.args):
        if a is not None:
            set_arg_range(f, i, a[0])
            set_arg_minmax(f, i, a[1])
    for op, r in zip(ops, record.ops, strict=True):
        if r is not None:
            set_ranges(op, r.ranges)
            set_minmax(op, r.minmax)
    return True


def calibrate(
    module: ModuleOp,
    samples: Iterable[Sequence[Any]],
    method: str = "no_clip",
    *,
    cache: CalibrationCache | None = None,
    key: str | None = None,
    fixed_arg_ranges: Sequence[Range | None] = (),
    on_run: Callable[[], None] | None = None,
) -> None:
    """Record the calibration ranges of `module`'s entry function over `samples` (see the module docstring).

    `fixed_arg_ranges[i]`, when given, replaces the chosen range of argument i (a uint8 image input is [0, 255]
    whatever the dataset holds). With `cache` and `key`, a stored record for `key` is applied instead of running
    the samples, and a fresh record is stored under `key`. `on_run` is called before the interpreter runs."""
    check_method(method)
    if cache is not None and key is not None:
        record = cache.load(key)
        if record is not None and record.method == method and apply_record(module, record):
            return
    if on_run is not None:
        on_run()
    arg_stats, stats, _ = collect(module, samples, histograms=method != "no_clip")
    record = _record(module, arg_stats, stats, method)
    for i, r in enumerate(fixed_arg_ranges):
        if r is not None and i < len(record.args) and record.args[i] is not None:
            record.args[i] = (r, record.args[i][1])  # pyright: ignore[reportOptionalSubscript]
    applied = apply_record(module, record)
    assert applied, "a fresh calibration record always fits its module"
    if cache is not None and key is not None:
        cache.store(key, record)
