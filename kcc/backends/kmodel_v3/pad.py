"""A constant `nn.pad` as kmodel v3 layers (v3 has no pad layer), exact and without scratch memory.

1. Fill the whole output buffer with the pad value, in place: u8 (or a float whose four bytes are equal,
   such as 0.0): REQUANTIZE of the buffer onto itself with a table that maps every byte to the pad byte;
   other floats: DEQUANTIZE of the buffer's first bytes onto the buffer with scale 0 and bias the value
   (q·0 + v = v for every byte q; writing float i never clobbers byte j > i before it is read, and the
   bytes read do not matter).
2. One CONCAT (several when the runs exceed the layer's run limit) writes the output front to back: data
   runs from the input, pad runs copied from the bytes right after the run itself. Those bytes still hold
   the fill (the CONCAT has only written what lies before the run), so every copy reads pad bytes, in the
   runtime's sequential memcpy order and in a read-all-then-write model alike. The trailing pad run is left
   as filled.
"""

from __future__ import annotations

import struct
from math import prod

import numpy as np

from kcc.backends.kmodel_lowering import MAX_COPY_RUNS, Lowering, element_of, f32_round, ints, quant_of, shape_of
from kcc.dialects.kmodel import v3
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.nn.movement import PadOp

__all__ = ["lower_pad", "pad_runs"]


def pad_runs(in_shape: tuple[int, ...], pads: list[int], mode: str = "constant") -> list[tuple[int, int, int]]:
    """Element runs of the padded output, row-major: (output start, length, input start or -1 for pad).
    `mode` "edge": every output element comes from the nearest input element (no -1)."""
    rank = len(in_shape)
    src = np.arange(prod(in_shape), dtype=np.int64).reshape(in_shape)
    widths = [(pads[d], pads[rank + d]) for d in range(rank)]
    padded = np.pad(src, widths, mode="edge") if mode == "edge" else np.pad(src, widths, constant_values=-1)
    full = padded.reshape(-1)
    if full.size == 0:
        return []
    is_pad = full < 0
    # a run breaks where pad/data flips or the input index does not continue by one
    brk = np.ones(full.size, dtype=bool)
    brk[1:] = (is_pad[1:] != is_pad[:-1]) | (~is_pad[1:] & (full[1:] != full[:-1] + 1))
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], full.size)
    return [(int(s), int(e - s), int(full[s]) if not is_pad[s] else -1) for s, e in zip(starts, ends, strict=True)]


def _fill_value(lw: Lowering, op: PadOp, dt: str) -> bytes:
    q = quant_of(op.output)
    if dt == "u8":
        if q is None:
            raise lw.err(op, "a uint8 pad needs a quantized type")
        from kcc.interp.quant import quantize

        return bytes([int(quantize(np.asarray(op.pad_value, dtype=np.float64), op.output))])
    return struct.pack("<f", float(np.float32(op.pad_value)))


def lower_pad(lw: Lowering, op: PadOp, main_limit: int) -> None:
    """Pad u8 -> u8, f32 -> f32, or u8 -> f32 (the quantize pass's dequantizing pad: padded as bytes into the
    last quarter of the output, then one exact DEQUANTIZE onto the whole buffer, in place from the tail)."""
    from kcc.backends.kmodel_v3.dequantize import bias_is_exact

    del main_limit
    if op.mode.data not in ("constant", "edge"):
        raise lw.err(op, f"kmodel v3 pads with a constant or the edge, not mode {op.mode.data!r}", hint="use --kmodel-version 4")
    dt, dt_out = lw.dtype(op.input, op), lw.dtype(op.output, op)
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    if src.start < out.start + out.nbytes and out.start < src.start + src.nbytes:
        raise lw.err(op, f"the pad's input [{src.start}, {src.end}) overlaps its output [{out.start}, {out.end})")
    if op.mode.data == "edge":
        if dt != dt_out or element_of(op.input) != element_of(op.output) or dt not in ("u8", "f32"):
            raise lw.err(op, f"kmodel v3 edge-pads u8 or f32 tensors of one type, not {dt} -> {dt_out}")
        _gather(
            lw,
            op,
            src,
            out,
            4 if dt == "f32" else 1,
            [(o, n, s) for o, n, s in pad_runs(shape_of(op.input), ints(op.pads), "edge")],
        )
        return
    if dt == dt_out and dt in ("u8", "f32"):
        _pad_bytes(lw, op, src, out, 4 if dt == "f32" else 1, _fill_value(lw, op, dt))
        return
    q = quant_of(op.input)
    if dt == "u8" and dt_out == "f32" and q is not None:
        s, zp = float(q.scale_value), int(q.zp_value)
        from kcc.interp.quant import dequantize, quantize

        fill = int(quantize(np.asarray(op.pad_value, dtype=np.float64), op.input))
        if bias_is_exact(s, zp) and float(dequantize(np.asarray(fill), op.input)) == float(np.float32(op.pad_value)):
            n = out.nbytes // 4
            tail = RangeAttr("main", out.start + 3 * n, n, "u8")
            _pad_bytes(lw, op, src, tail, 1, bytes([fill]))
            lw.emit(v3.DequantizeOp, op, flags=1, input=tail, output=out, count=n, scale=f32_round(s), bias=f32_round(-zp * s))
            return
    raise lw.err(
        op,
        f"kmodel v3 pads u8 or f32 tensors (or dequantizes u8 exactly while padding), not {dt} -> {dt_out}",
        hint="use --kmodel-version 4",
    )


def _pad_bytes(lw: Lowering, op: PadOp, src: RangeAttr, out: RangeAttr, eb: int, fill: bytes) -> None:
    n = out.nbytes // eb
    if n == 0:
        return
    if len(set(fill)) == 1:
        table = np.full(256, fill[0], dtype=np.uint8)
        whole = RangeAttr("main", out.start, out.nbytes, "u8")
        lw.emit(v3.RequantizeOp, op, flags=1, input=whole, output=whole, count=out.nbytes, table=table)
    else:
        value = struct.unpack("<f", fill)[0]
        lw.emit(
            v3.DequantizeOp,
            op,
            flags=1,
            input=RangeAttr("main", out.start, n, "u8"),
            output=RangeAttr("main", out.start, out.nbytes, "f32"),
            count=n,
            scale=0.0,
            bias=value,
        )
    copies: list[tuple[int, int]] = []  # (absolute source, size), written back to back from out.start
    for o, length, s in pad_runs(shape_of(op.input), ints(op.pads)):
        p, size = o * eb, length * eb
        if s >= 0:
            copies.append((src.start + s * eb, size))
            continue
        after = out.nbytes - (p + size)  # fill bytes behind this pad run
        if after == 0:
            break  # the trailing pad is already in place
        done = 0
        while done < size:
            k = min(size - done, after)
            copies.append((out.start + p + size, k))
            done += k
    _emit_copies(lw, op, out, copies)


def _gather(lw: Lowering, op: PadOp, src: RangeAttr, out: RangeAttr, eb: int, runs: list[tuple[int, int, int]]) -> None:
    """Edge pad: every output run is a copy of input elements (CONCAT of runs from the input)."""
    _emit_copies(lw, op, out, [(src.start + s * eb, n * eb) for _, n, s in runs])


def _emit_copies(lw: Lowering, op: PadOp, out: RangeAttr, copies: list[tuple[int, int]]) -> None:
    pos = out.start
    for i in range(0, len(copies), MAX_COPY_RUNS):
        part = copies[i : i + MAX_COPY_RUNS]
        total = sum(k for _, k in part)
        ins = [RangeAttr("main", a, k, "u8") for a, k in part]
        lw.emit(v3.ConcatOp, op, flags=1, output=RangeAttr("main", pos, total, "u8"), inputs=ins)
        pos += total
