"""Calibration ranges stored on the IR (written by `calibrate`, read by `quantize` and the accuracy report).

* every op producing float tensors: `kcc.ranges = [array<f64: lo, hi>, ...]`, one entry per result in result
  order (a non-float result gets the entry `array<f64: 0.0, 0.0>` so indices stay aligned); `lo`/`hi` are the
  CHOSEN clipping range after the calibration method;
* the raw observed min/max in the same shape as `kcc.minmax = [...]`;
* float function arguments: the argument attribute `kcc.range = array<f64: lo, hi>` (and `kcc.minmax`).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, DenseArrayBase, DictionaryAttr, f64
from xdsl.ir import Attribute, Operation

RANGES_ATTR = "kcc.ranges"
MINMAX_ATTR = "kcc.minmax"
ARG_RANGE_ATTR = "kcc.range"
ARG_MINMAX_ATTR = "kcc.minmax"

Range = tuple[float, float]


def range_attr(r: Range) -> DenseArrayBase:
    return DenseArrayBase.from_list(f64, [float(r[0]), float(r[1])])


def range_of(attr: Attribute) -> Range | None:
    if not isinstance(attr, DenseArrayBase):
        return None
    values: Sequence[int | float] = attr.get_values()  # pyright: ignore[reportAttributeAccessIssue]
    if len(values) != 2:
        return None
    return float(values[0]), float(values[1])


def _ranges_from(attr: Attribute | None) -> list[Range] | None:
    if not isinstance(attr, ArrayAttr):
        return None
    out: list[Range] = []
    for item in attr.data:  # pyright: ignore[reportUnknownVariableType]
        r = range_of(item)  # pyright: ignore[reportUnknownArgumentType]
        if r is None:
            return None
        out.append(r)
    return out


def get_ranges(op: Operation) -> list[Range] | None:
    """The chosen clipping range of every result of `op`, or None when `op` carries none."""
    return _ranges_from(op.attributes.get(RANGES_ATTR))


def set_ranges(op: Operation, ranges: Sequence[Range]) -> None:
    op.attributes[RANGES_ATTR] = ArrayAttr([range_attr(r) for r in ranges])


def get_minmax(op: Operation) -> list[Range] | None:
    """The raw observed min/max of every result of `op`, or None."""
    return _ranges_from(op.attributes.get(MINMAX_ATTR))


def set_minmax(op: Operation, ranges: Sequence[Range]) -> None:
    op.attributes[MINMAX_ATTR] = ArrayAttr([range_attr(r) for r in ranges])


def _arg_dicts(f: func.FuncOp) -> list[dict[str, Attribute]]:
    n = len(f.function_type.inputs.data)
    if f.arg_attrs is None:
        return [{} for _ in range(n)]
    return [dict(d.data) for d in f.arg_attrs.data]


def _get_arg_attr(f: func.FuncOp, i: int, key: str) -> Range | None:
    if f.arg_attrs is None or i >= len(f.arg_attrs.data):
        return None
    attr = f.arg_attrs.data[i].data.get(key)
    return None if attr is None else range_of(attr)


def _set_arg_attr(f: func.FuncOp, i: int, key: str, r: Range) -> None:
    dicts = _arg_dicts(f)
    dicts[i][key] = range_attr(r)
    f.arg_attrs = ArrayAttr([DictionaryAttr(d) for d in dicts])


def get_arg_range(f: func.FuncOp, i: int) -> Range | None:
    """The chosen range of argument `i` of `f`, or None."""
    return _get_arg_attr(f, i, ARG_RANGE_ATTR)


def set_arg_range(f: func.FuncOp, i: int, r: Range) -> None:
    _set_arg_attr(f, i, ARG_RANGE_ATTR, r)


def get_arg_minmax(f: func.FuncOp, i: int) -> Range | None:
    return _get_arg_attr(f, i, ARG_MINMAX_ATTR)


def set_arg_minmax(f: func.FuncOp, i: int, r: Range) -> None:
    _set_arg_attr(f, i, ARG_MINMAX_ATTR, r)
