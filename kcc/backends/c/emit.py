"""A kmodel v4 program -> `model.c` + `model.h` (portable C99, no malloc, deterministic text).

The program is taken in the decoded form the simulator runs (`KModelV4`: the reader's dataclasses), so the C
code and `kcc.sim` execute the very same node bodies, memory ranges, layer arguments and tables. Layout of the
generated file (docs/c-backend.md):

    prelude + the kernels the program uses (runtime.py, one static function per node kind)
    arenas: kcc_main[main_mem], kcc_kpu[the KPU RAM bytes the program touches], scratch for the KPU layers and
            for nodes whose output overlaps an input; the constants section as `static const uint8_t kcc_const[]`
    per node: its constant arrays (weights, bias, KPU tables) named n<index>_*
    kcc_model_run(inputs..., outputs...): zero the arenas, copy the inputs in, one call per node, copy outputs out

Every check the simulator makes while running (sizes, slice bounds, NNIL stack depth, KPU layer arguments) is
made here once, at generation time, and a failure is a one-line KccError naming the node and its index.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kcc.backends.c import kpu as ck
from kcc.backends.c import runtime
from kcc.backends.c.text import array, f32_bit_values, flt, i32_values, i64, i64_values, ints_literal, u8_values
from kcc.backends.common import POOL_CONST, POOL_KPU, POOL_MAIN
from kcc.backends.kmodel_v4 import format as f4
from kcc.backends.kmodel_v4.format import KModelV4, MemoryRange, Node
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_LINE_BYTES, row_layout

ELEM_BYTES = {"f32": 4, "u8": 1}
C_TYPES = {"f32": "float", "u8": "uint8_t"}
FLT_BIG = 3.4e38
NNIL_STACK = 64


@dataclass(frozen=True)
class CSource:
    """The generated files: `source` (model.c) and `header` (model.h), both ASCII text."""

    source: str
    header: str


def _prod(shape: Sequence[int]) -> int:
    return math.prod(shape)


@dataclass
class _Emitter:
    model: KModelV4
    prefix: str
    kernels: set[str] = field(default_factory=lambda: {"helpers"})
    data: list[str] = field(default_factory=lambda: [])
    body: list[str] = field(default_factory=lambda: [])
    kpu_lo: int = 0
    kpu_hi: int = 0
    x_scratch: int = 0
    y_scratch: int = 0
    tmp_scratch: int = 0
    node: Node | None = None

    # ------------------------------------------------------------------------------------------ helpers

    def fail(self, msg: str) -> KccError:
        n = self.node
        return KccError(
            msg,
            op=n.name if n else "c-backend",
            index=n.index if n else None,
            hint="the C backend emits what the simulator runs; check the program with `kcc infer`",
        )

    def nm(self, what: str) -> str:
        assert self.node is not None
        return f"n{self.node.index}_{what}"

    def check_range(self, r: MemoryRange, what: str) -> None:
        size = {POOL_MAIN: self.model.header.main_mem, POOL_CONST: len(self.model.constants)}.get(r.pool)
        if r.pool == POOL_KPU:
            if r.start < 0 or r.start + r.size > 2 * 1024 * 1024:
                raise self.fail(f"{what} [{r.start}, {r.start + r.size}) lies outside the 2 MiB KPU RAM")
            return
        if size is None:
            raise self.fail(f"{what} is in unknown memory pool {r.pool}")
        if r.start < 0 or r.start + r.size > size:
            raise self.fail(f"{what} [{r.start}, {r.start + r.size}) lies outside the {r.pool} pool ({size} bytes)")

    def ptr(self, r: MemoryRange, what: str = "range", *, write: bool = False) -> str:
        self.check_range(r, what)
        if r.pool == POOL_CONST:
            if write:
                raise self.fail(f"{what} writes into the constants section")
            return f"kcc_const + {r.start}"
        if r.pool == POOL_KPU:
            return f"kcc_kpu + {r.start - self.kpu_lo}"
        return f"kcc_main + {r.start}"

    def need(self, r: MemoryRange, count: int, dtype: str, what: str) -> None:
        """The simulator reads/writes `count` elements of `dtype` in `r`: the range must hold them."""
        nbytes = count * ELEM_BYTES[dtype]
        if nbytes > r.size:
            raise self.fail(f"{what} needs {nbytes} bytes ({count} x {dtype}), its range has {r.size}")

    def dtype(self, r: MemoryRange, what: str, allowed: tuple[str, ...] = ("f32", "u8")) -> str:
        if r.dtype not in allowed:
            raise self.fail(f"{what} has datatype {r.dtype}, the node takes {' or '.join(allowed)}")
        return r.dtype

    def out(self, out: MemoryRange, nbytes: int, inputs: Sequence[MemoryRange]) -> tuple[str, str | None]:
        """Where the kernel writes: the output itself, or the scratch buffer when the output overlaps an input
        (the simulator reads every input before it writes); the second item is the copy back, if any."""
        dst = self.ptr(out, "output", write=True)
        overlap = any(
            i.pool == out.pool and i.start < out.start + nbytes and out.start < i.start + i.size and nbytes > 0 for i in inputs
        )
        if not overlap:
            return dst, None
        self.tmp_scratch = max(self.tmp_scratch, nbytes)
        return "kcc_tmp", f"memcpy({dst}, kcc_tmp, {nbytes}u);"

    def call(self, kernel: str, text: str, copy_back: str | None = None, *, checked: bool = False) -> None:
        self.kernels.add(kernel)
        assert self.node is not None
        if checked:
            self.body.append(f"    if ({text})\n        return {self.node.index + 1};")
        else:
            self.body.append(f"    {text};")
        if copy_back:
            self.body.append(f"    {copy_back}")

    def comment(self, text: str) -> None:
        self.body.append(f"    /* {text} */")

    # ------------------------------------------------------------------------------------------ KPU RAM

    def plan_kpu(self) -> None:
        ext: list[ck.Extent] = []
        for r, s in zip(self.model.inputs, self.model.input_shapes, strict=True):
            if r.pool == POOL_KPU:
                ext += ck.upload_extents(r.start, s)
        for node in self.model.nodes:
            b = node.body
            if isinstance(b, f4.KpuUploadBody):
                ext += ck.upload_extents(b.output.start, b.in_shape)
            elif isinstance(b, f4.KpuConv2dBody):
                ext += ck.conv_extents(b)
                a = b.arg
                self.x_scratch = max(self.x_scratch, a.in_channels * a.in_height * a.in_width)
                self.y_scratch = max(self.y_scratch, a.out_channels * a.in_height * a.in_width)
            else:
                for ref in b.ranges():
                    if ref.pool == POOL_KPU:
                        self.node = node
                        raise self.fail(f"a CPU node addresses KPU RAM ({ref}): not supported by the C backend")
        self.node = None
        if ext:
            self.kpu_lo = min(e.lo for e in ext) // KPU_LINE_BYTES * KPU_LINE_BYTES
            self.kpu_hi = max(e.hi for e in ext)
            if self.kpu_hi > 2 * 1024 * 1024:
                raise self.fail(f"KPU maps reach byte {self.kpu_hi}, beyond the 2 MiB KPU RAM")

    # ------------------------------------------------------------------------------------------ nodes

    def emit_node(self, node: Node) -> None:
        self.node = node
        b = node.body
        self.comment(f"#{node.index} {node.name}")
        handler = _HANDLERS.get(type(b))
        if handler is None or node.opcode in _NHWC:
            raise self.fail(f"node kind {node.name} (opcode {node.opcode:#x}) has no C kernel")
        handler(self, b)

    def act(self, act: f4.ValueRange) -> str:
        return f"{flt(act.min)}, {flt(act.max)}"


def _u8(r: MemoryRange) -> int:
    return 1 if r.dtype == "u8" else 0


def _binary(e: _Emitter, b: f4.BinaryBody) -> None:
    for r, s, w in ((b.in_a, b.a_shape, "in_a"), (b.in_b, b.b_shape, "in_b")):
        e.need(r, _prod(s), e.dtype(r, w), w)
    n = _prod(b.out_shape)
    dt = e.dtype(b.out, "out")
    e.need(b.out, n, dt, "out")
    dst, back = e.out(b.out, ELEM_BYTES[dt] * n, [b.in_a, b.in_b])
    flags = _u8(b.in_a) | _u8(b.in_b) << 1 | _u8(b.out) << 2
    shapes = [ints_literal("uint32_t", s) for s in (b.a_shape, b.b_shape, b.out_shape)]
    e.call(
        "binary",
        f"kcc_binary({e.ptr(b.in_a)}, {shapes[0]}, {e.ptr(b.in_b)}, {shapes[1]}, {dst}, {shapes[2]}, {b.op}, "
        f"{e.act(b.fused_activation)}, {flags})",
        back,
    )


def _qbinary(e: _Emitter, b: f4.QuantizedBinaryBody) -> None:
    for r, w in ((b.in_a, "in_a"), (b.in_b, "in_b"), (b.out, "out")):
        e.dtype(r, w, ("u8",))
    for r, s, w in ((b.in_a, b.a_shape, "in_a"), (b.in_b, b.b_shape, "in_b")):
        e.need(r, _prod(s), "u8", w)
    n = _prod(b.out_shape)
    e.need(b.out, n, "u8", "out")
    for name, s in (("a_shift", b.a_shift), ("b_shift", b.b_shift), ("out_shift", b.out_shift)):
        if not 0 <= (s & 0xFF) <= 62:
            raise e.fail(f"{name} {s} is beyond the 62-bit shifts the C kernel performs")
    params = i32_values(
        [
            b.a_offset,
            b.a_mul,
            b.a_shift & 0xFF,
            b.b_offset,
            b.b_mul,
            b.b_shift & 0xFF,
            b.out_offset,
            b.out_mul,
            b.out_shift & 0xFF,
        ]
    )
    e.data.append(f"static const kcc_qbinary_params {e.nm('params')} = {{{', '.join(params)}}};\n")
    dst, back = e.out(b.out, n, [b.in_a, b.in_b])
    shapes = [ints_literal("uint32_t", s) for s in (b.a_shape, b.b_shape, b.out_shape)]
    e.call(
        "quantized_binary",
        f"kcc_quantized_binary({e.ptr(b.in_a)}, {shapes[0]}, {e.ptr(b.in_b)}, {shapes[1]}, {dst}, {shapes[2]}, {b.op}, "
        f"&{e.nm('params')})",
        back,
        checked=True,
    )


def _concat(e: _Emitter, b: f4.ConcatBody) -> None:
    total = 0
    for i, (r, d) in enumerate(zip(b.inputs, b.dims, strict=True)):
        need = b.inner_size * d * b.outer_size
        if need > r.size:
            raise e.fail(f"input {i} needs {need} bytes, its range has {r.size}")
        total += need
    if total > b.out.size:
        raise e.fail(f"the concatenation has {total} bytes, the output range {b.out.size}")
    dst, back = e.out(b.out, total, list(b.inputs))
    srcs = ", ".join(e.ptr(r, f"input {i}") for i, r in enumerate(b.inputs))
    e.call(
        "concat",
        f"kcc_concat({dst}, {b.inner_size}u, {b.outer_size}u, {len(b.inputs)}u, (const uint8_t *const[]){{{srcs}}}, "
        f"{ints_literal('uint32_t', b.dims)})",
        back,
    )


def _geometry(e: _Emitter, b: f4.ShapedBody, out_c: int, ph: f4.Padding, pw: f4.Padding, win: f4.Window2d, groups: int) -> str:
    n, c, h, w = b.in_shape
    oh = (h + ph.before + ph.after - ((win.filter_h - 1) * win.dilation_h + 1)) // win.stride_h + 1
    ow = (w + pw.before + pw.after - ((win.filter_w - 1) * win.dilation_w + 1)) // win.stride_w + 1
    if oh < 1 or ow < 1:
        raise e.fail(f"the window gives an empty {oh}x{ow} output")
    name = e.nm("geometry")
    vals = [n, c, h, w, groups, out_c, oh, ow, win.filter_h, win.filter_w, win.stride_h, win.stride_w]
    vals += [win.dilation_h, win.dilation_w, ph.before, pw.before]
    e.data.append(f"static const kcc_conv_geometry {name} = {{{', '.join(f'{v}' for v in vals)}}};\n")
    e.kernels.add("conv2d_geometry")
    return name


def _out_hw(b: f4.ShapedBody, ph: f4.Padding, pw: f4.Padding, win: f4.Window2d) -> tuple[int, int]:
    _, _, h, w = b.in_shape
    oh = (h + ph.before + ph.after - ((win.filter_h - 1) * win.dilation_h + 1)) // win.stride_h + 1
    ow = (w + pw.before + pw.after - ((win.filter_w - 1) * win.dilation_w + 1)) // win.stride_w + 1
    return oh, ow


def _conv_checks(e: _Emitter, b: f4.Conv2dBody | f4.QuantizedConv2dBody, dtype: str, out_dtype: str) -> int:
    n, c, _, _ = b.in_shape
    if b.groups < 1 or c % b.groups or b.out_channels % b.groups:
        raise e.fail(f"groups {b.groups} does not divide {c} input and {b.out_channels} output channels")
    e.need(b.input, _prod(b.in_shape), dtype, "input")
    want = b.out_channels * (c // b.groups) * b.window.filter_h * b.window.filter_w
    if b.weights.size != want:
        raise e.fail(f"{b.weights.size} weights, the shape needs {want}")
    if b.bias.size < b.out_channels:
        raise e.fail(f"{b.bias.size} biases for {b.out_channels} output channels")
    oh, ow = _out_hw(b, b.padding_h, b.padding_w, b.window)
    count = n * b.out_channels * oh * ow
    e.need(b.output, count, out_dtype, "output")
    return count


def _conv2d(e: _Emitter, b: f4.Conv2dBody) -> None:
    count = _conv_checks(e, b, e.dtype(b.input, "input"), e.dtype(b.output, "output"))
    geo = _geometry(e, b, b.out_channels, b.padding_h, b.padding_w, b.window, b.groups)
    e.data.append(array("uint32_t", e.nm("weights"), f32_bit_values(b.weights), comment="float32 bits"))
    e.data.append(array("uint32_t", e.nm("bias"), f32_bit_values(b.bias), comment="float32 bits"))
    dst, back = e.out(b.output, ELEM_BYTES[b.output.dtype] * count, [b.input])
    e.call(
        "conv2d",
        f"kcc_conv2d({e.ptr(b.input)}, {dst}, &{geo}, {e.nm('weights')}, {e.nm('bias')}, {e.act(b.fused_activation)}, "
        f"{_u8(b.input)}, {_u8(b.output)})",
        back,
    )


def _qconv2d(e: _Emitter, b: f4.QuantizedConv2dBody) -> None:
    e.dtype(b.input, "input", ("u8",))
    e.dtype(b.output, "output", ("u8",))
    count = _conv_checks(e, b, "u8", "u8")
    if not 0 <= (b.output_shift & 0xFF) <= 62:
        raise e.fail(f"output_shift {b.output_shift} is beyond the 62-bit shifts the C kernel performs")
    geo = _geometry(e, b, b.out_channels, b.padding_h, b.padding_w, b.window, b.groups)
    e.data.append(array("uint8_t", e.nm("weights"), u8_values(b.weights)))
    e.data.append(array("int32_t", e.nm("bias"), i32_values(b.bias)))
    params = i32_values([b.input_offset, b.filter_offset, b.output_mul, b.output_shift & 0xFF, b.output_offset])
    e.data.append(f"static const kcc_qconv_params {e.nm('params')} = {{{', '.join(params)}}};\n")
    dst, back = e.out(b.output, count, [b.input])
    e.call(
        "quantized_conv2d",
        f"kcc_quantized_conv2d({e.ptr(b.input)}, {dst}, &{geo}, {e.nm('weights')}, {e.nm('bias')}, &{e.nm('params')})",
        back,
    )


def _conv_transpose(e: _Emitter, b: f4.Conv2dTransposeBody) -> None:
    e.dtype(b.input, "input", ("f32",))
    e.dtype(b.output, "output", ("f32",))
    n, ic, _, _ = b.in_shape
    _, oc, oh, ow = b.out_shape
    if b.groups < 1 or ic % b.groups or oc % b.groups:
        raise e.fail(f"groups {b.groups} does not divide {ic} input and {oc} output channels")
    want = oc * (ic // b.groups) * b.window.filter_h * b.window.filter_w
    if b.weights.size != want:
        raise e.fail(f"{b.weights.size} weights, the shape needs {want}")
    e.need(b.input, _prod(b.in_shape), "f32", "input")
    count = n * oc * oh * ow
    e.need(b.output, count, "f32", "output")
    win = b.window
    vals = [n, ic, b.in_shape[2], b.in_shape[3], b.groups, oc, oh, ow, win.filter_h, win.filter_w, win.stride_h]
    vals += [win.stride_w, win.dilation_h, win.dilation_w, b.padding_h.before, b.padding_w.before]
    e.data.append(f"static const kcc_conv_geometry {e.nm('geometry')} = {{{', '.join(str(v) for v in vals)}}};\n")
    e.data.append(array("uint32_t", e.nm("weights"), f32_bit_values(b.weights), comment="float32 bits"))
    act = b.fused_activation
    clamp = 0 if (act.min <= -FLT_BIG and act.max >= FLT_BIG) else 1
    dst, back = e.out(b.output, 4 * count, [b.input])
    e.call(
        "conv2d_transpose",
        f"kcc_conv2d_transpose({e.ptr(b.input)}, {dst}, &{e.nm('geometry')}, {e.nm('weights')}, {clamp}, {e.act(act)})",
        back,
    )


def _quant_param(e: _Emitter, b: f4.QuantParamBody) -> None:
    zp, scale = b.quant.zero_point, np.float32(b.quant.scale)
    if b.input.dtype == "u8":
        count = b.input.size
        e.need(b.output, count, "f32", "output")
        inv = np.float32(1) / scale
        dst, back = e.out(b.output, 4 * count, [b.input])
        e.call("dequantize", f"kcc_dequantize({e.ptr(b.input)}, {dst}, {count}u, {zp}, {flt(float(inv))})", back)
    else:
        e.dtype(b.input, "input", ("f32",))
        count = b.input.size // 4
        e.need(b.output, count, "u8", "output")
        dst, back = e.out(b.output, count, [b.input])
        e.call("quantize", f"kcc_quantize({e.ptr(b.input)}, {dst}, {count}u, {flt(float(scale))}, {flt(float(zp))})", back)


def _matmul(e: _Emitter, b: f4.MatmulBody) -> None:
    e.need(b.in_a, b.a_rows * b.a_cols, e.dtype(b.in_a, "in_a"), "in_a")
    e.need(b.in_b, b.a_cols * b.b_cols, e.dtype(b.in_b, "in_b"), "in_b")
    e.need(b.out, b.a_rows * b.b_cols, e.dtype(b.out, "out"), "out")
    if b.bias.size < b.b_cols:
        raise e.fail(f"{b.bias.size} biases for {b.b_cols} columns")
    e.data.append(array("uint32_t", e.nm("bias"), f32_bit_values(b.bias), comment="float32 bits"))
    dst, back = e.out(b.out, ELEM_BYTES[b.out.dtype] * b.a_rows * b.b_cols, [b.in_a, b.in_b])
    flags = _u8(b.in_a) | _u8(b.in_b) << 1 | _u8(b.out) << 2
    e.call(
        "matmul",
        f"kcc_matmul({e.ptr(b.in_a)}, {e.ptr(b.in_b)}, {dst}, {b.a_rows}u, {b.a_cols}u, {b.b_cols}u, {e.nm('bias')}, "
        f"{e.act(b.fused_activation)}, {flags})",
        back,
    )


def _qmatmul(e: _Emitter, b: f4.QuantizedMatmulBody) -> None:
    for r, w in ((b.in_a, "in_a"), (b.in_b, "in_b"), (b.out, "out")):
        e.dtype(r, w, ("u8",))
    e.need(b.in_a, b.a_rows * b.a_cols, "u8", "in_a")
    e.need(b.in_b, b.a_cols * b.b_cols, "u8", "in_b")
    e.need(b.out, b.a_rows * b.b_cols, "u8", "out")
    if b.bias.size < b.b_cols:
        raise e.fail(f"{b.bias.size} biases for {b.b_cols} columns")
    if not 0 <= (b.out_shift & 0xFF) <= 62:
        raise e.fail(f"out_shift {b.out_shift} is beyond the 62-bit shifts the C kernel performs")
    e.data.append(array("int32_t", e.nm("bias"), i32_values(b.bias)))
    params = i32_values([b.a_offset, b.b_offset, b.out_mul, b.out_shift & 0xFF, b.out_offset])
    e.data.append(f"static const kcc_qmatmul_params {e.nm('params')} = {{{', '.join(params)}}};\n")
    dst, back = e.out(b.out, b.a_rows * b.b_cols, [b.in_a, b.in_b])
    e.call(
        "quantized_matmul",
        f"kcc_quantized_matmul({e.ptr(b.in_a)}, {e.ptr(b.in_b)}, {dst}, {b.a_rows}u, {b.a_cols}u, {b.b_cols}u, "
        f"{e.nm('bias')}, &{e.nm('params')})",
        back,
    )


def _pad(e: _Emitter, b: f4.PadBody) -> None:
    dt = e.dtype(b.input, "input")
    e.dtype(b.output, "output", (dt,))
    eb = ELEM_BYTES[dt]
    e.need(b.input, _prod(b.in_shape), dt, "input")
    out_shape = [s + p.before + p.after for s, p in zip(b.in_shape, b.paddings, strict=True)]
    if min(out_shape) < 0:
        raise e.fail(f"paddings crop {list(b.in_shape)} below zero size")
    count = _prod(out_shape)
    e.need(b.output, count, dt, "output")
    if len(b.pad_value) < eb:
        raise e.fail(f"pad_value has {len(b.pad_value)} bytes, a {dt} element needs {eb}")
    pads = [v for p in b.paddings for v in (p.before, p.after)]
    dst, back = e.out(b.output, count * eb, [b.input])
    value = ints_literal("uint8_t", list(b.pad_value[:eb]))
    e.call(
        "pad",
        f"kcc_pad({e.ptr(b.input)}, {dst}, {ints_literal('uint32_t', b.in_shape)}, {ints_literal('int32_t', pads)}, "
        f"{eb}u, {value})",
        back,
    )


def _reduce(e: _Emitter, b: f4.ReduceBody) -> None:
    e.need(b.input, _prod(b.in_shape), e.dtype(b.input, "input"), "input")
    keep = [b.in_shape[i] for i in range(4) if not (b.out_shape[i] == 1 and b.in_shape[i] != 1)]
    count = _prod(keep)
    e.need(b.output, count, e.dtype(b.output, "output"), "output")
    scale = np.float32(_prod(b.out_shape)) / np.float32(_prod(b.in_shape))
    dst, back = e.out(b.output, ELEM_BYTES[b.output.dtype] * count, [b.input])
    e.call(
        "reduce",
        f"kcc_reduce({e.ptr(b.input)}, {dst}, {b.op}, {ints_literal('uint32_t', b.in_shape)}, "
        f"{ints_literal('uint32_t', b.out_shape)}, {flt(b.init_value)}, {flt(float(scale))}, {_u8(b.input)}, {_u8(b.output)})",
        back,
    )


def _reduce_window(e: _Emitter, b: f4.ReduceWindow2dBody) -> None:
    win = b.window
    if win.dilation_h * win.dilation_w != 1:
        raise e.fail("dilated reduce_window2d is not simulated")
    e.need(b.input, _prod(b.in_shape), e.dtype(b.input, "input"), "input")
    n, c, h, w = b.in_shape
    oh = (h + b.padding_h.before + b.padding_h.after - win.filter_h) // win.stride_h + 1
    ow = (w + b.padding_w.before + b.padding_w.after - win.filter_w) // win.stride_w + 1
    if oh < 1 or ow < 1:
        raise e.fail(f"the window gives an empty {oh}x{ow} output")
    count = n * c * oh * ow
    e.need(b.output, count, e.dtype(b.output, "output"), "output")
    vals = [n, c, h, w, 1, c, oh, ow, win.filter_h, win.filter_w, win.stride_h, win.stride_w, 1, 1]
    vals += [b.padding_h.before, b.padding_w.before]
    e.data.append(f"static const kcc_conv_geometry {e.nm('geometry')} = {{{', '.join(str(v) for v in vals)}}};\n")
    dst, back = e.out(b.output, ELEM_BYTES[b.output.dtype] * count, [b.input])
    e.call(
        "reduce_window2d",
        f"kcc_reduce_window2d({e.ptr(b.input)}, {dst}, {b.op}, &{e.nm('geometry')}, {flt(b.init_value)}, "
        f"{e.act(b.fused_activation)}, {_u8(b.input)}, {_u8(b.output)})",
        back,
    )


def _memory_copy(e: _Emitter, b: f4.MemoryCopyBody) -> None:
    n = b.input.size // 4 * 4
    if n > b.output.size:
        raise e.fail(f"copies {n} bytes into a {b.output.size}-byte range")
    e.call("copy", f"kcc_copy({e.ptr(b.output, 'output', write=True)}, {e.ptr(b.input)}, {n}u)")


def _resize(e: _Emitter, b: f4.ResizeImageBody) -> None:
    dt = e.dtype(b.input, "input")
    e.dtype(b.output, "output", (dt,))
    n, c, h, w = b.in_shape
    if b.out_h < 1 or b.out_w < 1 or h < 1 or w < 1:
        raise e.fail(f"resize {h}x{w} -> {b.out_h}x{b.out_w} has an empty side")
    if b.mode not in (0, 1):
        raise e.fail(f"resize mode {b.mode} is not 0 (bilinear) or 1 (nearest)")
    e.need(b.input, _prod(b.in_shape), dt, "input")
    count = n * c * b.out_h * b.out_w
    e.need(b.output, count, dt, "output")
    dst, back = e.out(b.output, count * ELEM_BYTES[dt], [b.input])
    e.call(
        "resize_image",
        f"kcc_resize_image({e.ptr(b.input)}, {dst}, {ints_literal('uint32_t', b.in_shape)}, {b.out_h}u, {b.out_w}u, "
        f"{1 if b.mode == 1 else 0}, {int(b.align_corners)}, {1 if dt == 'f32' else 0})",
        back,
    )


def _softmax(e: _Emitter, b: f4.SoftmaxBody) -> None:
    count = b.inner_size * b.outer_size
    if b.inner_size < 1:
        raise e.fail("softmax rows are empty")
    e.dtype(b.input, "input", ("f32",))
    e.dtype(b.output, "output", ("f32",))
    e.need(b.input, count, "f32", "input")
    e.need(b.output, count, "f32", "output")
    dst, back = e.out(b.output, 4 * count, [b.input])
    e.call("softmax", f"kcc_softmax({e.ptr(b.input)}, {dst}, {b.outer_size}u, {b.inner_size}u, {flt(b.beta)})", back)


def _transpose(e: _Emitter, b: f4.TransposeBody) -> None:
    dt = e.dtype(b.input, "input")
    e.dtype(b.output, "output", (dt,))
    if sorted(b.perm) != [0, 1, 2, 3]:
        raise e.fail(f"perm {list(b.perm)} is not a permutation of 0..3")
    count = _prod(b.in_shape)
    e.need(b.input, count, dt, "input")
    e.need(b.output, count, dt, "output")
    eb = ELEM_BYTES[dt]
    dst, back = e.out(b.output, count * eb, [b.input])
    e.call(
        "transpose",
        f"kcc_transpose({e.ptr(b.input)}, {dst}, {ints_literal('uint32_t', b.in_shape)}, {ints_literal('uint32_t', b.perm)}, "
        f"{eb}u)",
        back,
    )


def _strided_slice(e: _Emitter, b: f4.StridedSliceBody) -> None:
    dt = e.dtype(b.input, "input")
    e.dtype(b.output, "output", (dt,))
    e.need(b.input, _prod(b.in_shape), dt, "input")
    counts: list[int] = []
    for ax, (s, end, st) in enumerate(zip(b.begin, b.end, b.strides, strict=True)):
        if st == 0:
            raise e.fail(f"stride 0 on axis {ax}")
        idx = range(s, end, st)
        if len(idx) and (min(idx[0], idx[-1]) < 0 or max(idx[0], idx[-1]) >= b.in_shape[ax]):
            raise e.fail(f"slice index out of range on axis {ax}")
        counts.append(len(idx))
    count = _prod(counts)
    e.need(b.output, count, dt, "output")
    eb = ELEM_BYTES[dt]
    dst, back = e.out(b.output, count * eb, [b.input])
    e.call(
        "strided_slice",
        f"kcc_strided_slice({e.ptr(b.input)}, {dst}, {ints_literal('uint32_t', b.in_shape)}, "
        f"{ints_literal('int32_t', b.begin)}, {ints_literal('int32_t', b.strides)}, {ints_literal('uint32_t', counts)}, {eb}u)",
        back,
    )


def _nnil_program(e: _Emitter, prog: Sequence[f4.NnilInstr], inp: MemoryRange, out: MemoryRange) -> None:
    """Check the program's stack use (it does not depend on the data) and emit the kernel call."""
    depth = 0
    codes: list[int] = []
    consts: list[float] = []
    pops = {"dup": (1, 2), "pop": (1, 0), "clamp": (3, 1), "rsqrt": (1, 1)}
    for ins in prog:
        name = ins.name
        if name == "nop":
            continue
        if name == "ret":
            codes.append(ins.opcode)
            break
        if name in ("lda_0", "ldc_r4_0", "ldc_r4_1", "ldc_r4"):
            need, push = 0, 1
        elif name in pops:
            need, push = pops[name]
        elif name in f4.UNARY_OPS:
            need, push = 1, 1
        elif name in f4.BINARY_OPS:
            need, push = 2, 1
        else:
            raise e.fail(f"NNIL instruction {name} has no C form")
        if depth < need:
            raise e.fail(f"NNIL {name} pops {need} values from a stack of {depth}")
        depth += push - need
        if depth > NNIL_STACK:
            raise e.fail(f"NNIL stack overflow ({NNIL_STACK} slots)")
        codes.append(ins.opcode)
        if name == "ldc_r4":
            consts.append(float(ins.constant or 0.0))
    if depth == 0:
        raise e.fail("NNIL program returns without a value")
    e.dtype(inp, "input", ("f32",))
    count = inp.size // 4
    odt = e.dtype(out, "output")
    e.need(out, count, odt, "output")
    e.data.append(array("uint8_t", e.nm("code"), [f"{c:#04x}" for c in codes], comment="NNIL opcodes"))
    e.data.append(
        array("uint32_t", e.nm("consts"), f32_bit_values(np.asarray(consts, dtype=np.float32)), comment="ldc_r4 constants")
    )
    dst, back = e.out(out, ELEM_BYTES[odt] * count, [inp])
    e.call("nnil", f"kcc_nnil({e.ptr(inp)}, {dst}, {count}u, {e.nm('code')}, {e.nm('consts')}, {len(codes)}u, {_u8(out)})", back)


def _unary(e: _Emitter, b: f4.UnaryBody) -> None:
    prog = (f4.NnilInstr(0x03, "lda_0"), f4.NnilInstr(0x20 + b.op, f4.UNARY_OPS[b.op]))
    _nnil_program(e, prog, b.input, b.output)


def _nnil(e: _Emitter, b: f4.NnilUnaryBody) -> None:
    _nnil_program(e, b.program, b.input, b.output)


def _table(e: _Emitter, b: f4.TableLookupBody) -> None:
    e.dtype(b.input, "input", ("u8",))
    e.dtype(b.output, "output", ("u8",))
    if b.table.size < 256:
        raise e.fail(f"table range has {b.table.size} bytes, needs 256")
    count = b.input.size
    e.need(b.output, count, "u8", "output")
    dst, back = e.out(b.output, count, [b.input, b.table])
    e.call("table_lookup", f"kcc_table_lookup({e.ptr(b.input)}, {dst}, {count}u, {e.ptr(b.table, 'table')})", back)


def _layout(groups: int, row_len: int, ch_lines: int) -> str:
    return f"{{{groups}, {row_len * KPU_LINE_BYTES}, {ch_lines * KPU_LINE_BYTES}}}"


def _kpu_upload(e: _Emitter, b: f4.KpuUploadBody) -> None:
    n, c, h, w = b.in_shape
    e.need(b.input, n * c * h * w, "u8", "input")
    lay = row_layout(h, w)
    e.data.append(f"static const kcc_kpu_layout {e.nm('layout')} = {_layout(lay.groups, lay.row_len, lay.channel_switch)};\n")
    batch = lay.lines(c) * KPU_LINE_BYTES
    out = f"kcc_kpu + {b.output.start // KPU_LINE_BYTES * KPU_LINE_BYTES - e.kpu_lo}"
    e.call(
        "kpu_upload",
        f"kcc_kpu_upload({e.ptr(b.input)}, {out}, {n}u, {c}u, {h}u, {w}u, &{e.nm('layout')}, {batch}u)",
    )


def _kpu_conv(e: _Emitter, b: f4.KpuConv2dBody) -> None:
    assert e.node is not None
    t = ck.layer_tables(b, e.node.index)
    a = b.arg
    lin, lout = ck.conv_layouts(b)
    bin_, bout = ck.batch_bytes(b)
    oc = a.out_channels
    main_count = b.batches * oc * a.out_height * a.out_width
    if b.main_mem_output.size:
        e.need(b.main_mem_output, main_count, "u8", "main_mem_output")
        main = e.ptr(b.main_mem_output, "main_mem_output", write=True)
    else:
        main = "NULL"
    nm = e.nm
    e.data.append(array("uint8_t", nm("weights"), u8_values(b.weights)))
    e.data.append(
        array("int64_t", nm("wbias"), i64_values(t.wbias), comment="floor(arg_w * sum(w) / 2^shr_w) + groups * arg_add")
    )
    e.data.append(array("int32_t", nm("bn_mul"), i32_values(t.bn_mul)))
    e.data.append(array("int32_t", nm("bn_add"), i32_values(t.bn_add)))
    e.data.append(array("uint8_t", nm("bn_shift"), [str(v) for v in t.bn_shift]))
    e.data.append(array("int64_t", nm("act_start"), i64_values(t.act_start)))
    e.data.append(array("int32_t", nm("act_mul"), i32_values(t.act_mul)))
    e.data.append(array("uint8_t", nm("act_shift"), [str(v) for v in t.act_shift]))
    e.data.append(array("uint8_t", nm("act_add"), [str(v) for v in t.act_add]))
    fields = [
        f"{a.in_channels}, {oc}, {a.in_height}, {a.in_width}, {a.out_height}, {a.out_width}",
        f"{a.kernel_size}, {int(a.depthwise)}, {a.pool_type}, {a.pad_value}, {b.batches}",
        f"{i64(a.arg_x)}, {a.shr_x}",
        f"{_layout(lin.groups, lin.row_len, lin.channel_switch)}, {_layout(lout.groups, lout.row_len, lout.channel_switch)}",
        f"{b.geometry.src_line * KPU_LINE_BYTES - e.kpu_lo}, {b.geometry.dst_line * KPU_LINE_BYTES - e.kpu_lo}, {bin_}, {bout}",
        f"{nm('weights')}, {nm('wbias')}, {nm('bn_mul')}, {nm('bn_add')}, {nm('bn_shift')}",
        f"{nm('act_start')}, {nm('act_mul')}, {nm('act_shift')}, {nm('act_add')}",
    ]
    body = ",\n    ".join(fields)
    e.data.append(f"static const kcc_kpu_conv {nm('layer')} = {{\n    {body}\n}};\n")
    e.call("kpu_conv2d", f"kcc_kpu_conv2d(&{nm('layer')}, kcc_kpu, kcc_kpu_x, kcc_kpu_y, {main})")


_HANDLERS: dict[type[f4.Body], Callable[[_Emitter, Any], None]] = {
    f4.BinaryBody: _binary,
    f4.QuantizedBinaryBody: _qbinary,
    f4.ConcatBody: _concat,
    f4.Conv2dBody: _conv2d,
    f4.QuantizedConv2dBody: _qconv2d,
    f4.Conv2dTransposeBody: _conv_transpose,
    f4.QuantParamBody: _quant_param,
    f4.MatmulBody: _matmul,
    f4.QuantizedMatmulBody: _qmatmul,
    f4.PadBody: _pad,
    f4.ReduceBody: _reduce,
    f4.ReduceWindow2dBody: _reduce_window,
    f4.MemoryCopyBody: _memory_copy,
    f4.ResizeImageBody: _resize,
    f4.SoftmaxBody: _softmax,
    f4.TransposeBody: _transpose,
    f4.StridedSliceBody: _strided_slice,
    f4.UnaryBody: _unary,
    f4.NnilUnaryBody: _nnil,
    f4.TableLookupBody: _table,
    f4.KpuUploadBody: _kpu_upload,
    f4.KpuConv2dBody: _kpu_conv,
}
_NHWC = (
    f4.Opcode.CPU_CONV2D,
    f4.Opcode.CPU_DEPTHWISE_CONV2D,
    f4.Opcode.CPU_REDUCE_WINDOW2D,
    f4.Opcode.CPU_QUANTIZED_CONV2D,
    f4.Opcode.CPU_QUANTIZED_DEPTHWISE_CONV2D,
)


# ================================================================================================ files


def _run_signature(model: KModelV4, prefix: str) -> str:
    params = [f"const {C_TYPES[r.dtype]} *in{i}" for i, r in enumerate(model.inputs)]
    params += [f"{C_TYPES[r.dtype]} *out{i}" for i, r in enumerate(model.outputs)]
    return f"int {prefix}_run({', '.join(params) or 'void'})"


def _io_check(model: KModelV4) -> None:
    for what, ranges in (("input", model.inputs), ("output", model.outputs)):
        for i, r in enumerate(ranges):
            if r.dtype not in C_TYPES:
                raise KccError(f"{what} {i} has datatype {r.dtype}", op="c-backend", index=i)
            if what == "output" and r.pool != POOL_MAIN:
                raise KccError(f"output {i} lives in {r.pool}, not main RAM", op="c-backend", index=i)
            if r.pool == POOL_MAIN and r.start + r.size > model.header.main_mem:
                raise KccError(
                    f"{what} {i} [{r.start}, {r.start + r.size}) lies outside main RAM ({model.header.main_mem} bytes)",
                    op="c-backend",
                    index=i,
                )


def _counts(model: KModelV4) -> tuple[list[int], list[int]]:
    ins = [_prod(s) for s in model.input_shapes]
    outs = [r.size // ELEM_BYTES[r.dtype] for r in model.outputs]
    return ins, outs


def emit_model(
    model: KModelV4,
    *,
    prefix: str = "kcc_model",
    output_shapes: Sequence[Sequence[int]] | None = None,
    title: str = "",
) -> CSource:
    """model.c and model.h of a kmodel v4 program (see the module docstring); deterministic."""
    _io_check(model)
    e = _Emitter(model, prefix)
    e.plan_kpu()
    in_counts, out_counts = _counts(model)
    signature = _run_signature(model, prefix)

    # inputs
    prologue: list[str] = []
    for i, (r, shape) in enumerate(zip(model.inputs, model.input_shapes, strict=True)):
        prologue.append(f"    /* input {i}: {r.dtype}[{'x'.join(map(str, shape))}] -> {r.pool}@{r.start} */")
        if r.pool == POOL_KPU:
            if r.dtype != "u8":
                raise KccError(f"input {i} in KPU RAM must be uint8", op="c-backend", index=i)
            n, c, h, w = shape
            lay = row_layout(h, w)
            e.data.append(
                f"static const kcc_kpu_layout input{i}_layout = {_layout(lay.groups, lay.row_len, lay.channel_switch)};\n"
            )
            e.kernels.add("kpu_upload")
            base = r.start // KPU_LINE_BYTES * KPU_LINE_BYTES - e.kpu_lo
            prologue.append(
                f"    kcc_kpu_upload(in{i}, kcc_kpu + {base}, {n}u, {c}u, {h}u, {w}u, &input{i}_layout, "
                f"{lay.lines(c) * KPU_LINE_BYTES}u);"
            )
        elif r.dtype == "f32":
            e.kernels.add("put_f32")
            if 4 * in_counts[i] > r.size:
                raise KccError(f"input {i} has {in_counts[i]} elements, its range {r.size} bytes", op="c-backend", index=i)
            prologue.append(f"    kcc_put_f32(kcc_main + {r.start}, in{i}, {in_counts[i]}u);")
        else:
            if in_counts[i] > r.size:
                raise KccError(f"input {i} has {in_counts[i]} elements, its range {r.size} bytes", op="c-backend", index=i)
            prologue.append(f"    memcpy(kcc_main + {r.start}, in{i}, {in_counts[i]}u);")

    for node in model.nodes:
        e.emit_node(node)
    e.node = None

    epilogue: list[str] = []
    for i, r in enumerate(model.outputs):
        epilogue.append(f"    /* output {i}: {r.dtype}[{out_counts[i]}] <- {r.pool}@{r.start} */")
        if r.dtype == "f32":
            e.kernels.add("get_f32")
            epilogue.append(f"    kcc_get_f32(out{i}, kcc_main + {r.start}, {out_counts[i]}u);")
        else:
            epilogue.append(f"    memcpy(out{i}, kcc_main + {r.start}, {out_counts[i]}u);")

    main_bytes = max(model.header.main_mem, 1)
    kpu_bytes = e.kpu_hi - e.kpu_lo
    arenas = [f"static uint8_t kcc_main[{main_bytes}]; /* main RAM: the program's main_mem */"]
    clear = ["    memset(kcc_main, 0, sizeof kcc_main);"]
    if kpu_bytes > 0:
        arenas.append(f"static uint8_t kcc_kpu[{kpu_bytes}]; /* KPU RAM bytes {e.kpu_lo}..{e.kpu_hi} (lines used) */")
        clear.append("    memset(kcc_kpu, 0, sizeof kcc_kpu);")
    if e.x_scratch:
        arenas.append(f"static uint8_t kcc_kpu_x[{e.x_scratch}]; /* a KPU layer's input map, dense CHW */")
        arenas.append(f"static uint8_t kcc_kpu_y[{e.y_scratch}]; /* a KPU layer's activations before the pool */")
    if e.tmp_scratch:
        arenas.append(f"static uint8_t kcc_tmp[{e.tmp_scratch}]; /* the output of a node that overwrites its input */")
    if model.constants:
        arenas.append(array("uint8_t", "kcc_const", u8_values(model.constants), comment="the constants section").rstrip())

    name = title or "kmodel v4 program"
    lines = [
        f"/* {name}: generated by kcc (reference C backend). Do not edit.",
        " * Build: cc -std=c99 -O2 -ffp-contract=off -c <this file> (never -ffast-math); see docs/c-backend.md.",
        f" * {len(model.nodes)} nodes, main RAM {model.header.main_mem} bytes, KPU RAM {kpu_bytes} bytes,"
        f" constants {len(model.constants)} bytes. */",
        runtime.PRELUDE,
        *runtime.collect(e.kernels),
        "/* ---------------------------------------------------------------- arenas */",
        "",
        *arenas,
        "",
        "/* ---------------------------------------------------------------- node data */",
        "",
        *e.data,
        "/* ---------------------------------------------------------------- entry */",
        "",
        f"{signature};",
        "",
        signature,
        "{",
        *clear,
        *prologue,
        *e.body,
        *epilogue,
        "    return 0;",
        "}",
        "",
        "#ifdef KCC_MODEL_DEBUG",
        "/* the arenas as the last run left them (tests compare them with the simulator's memory) */",
        f"const uint8_t *{prefix}_debug_main(size_t *size);",
        f"const uint8_t *{prefix}_debug_kpu(size_t *first, size_t *size);",
        "",
        f"const uint8_t *{prefix}_debug_main(size_t *size)",
        "{",
        "    *size = sizeof kcc_main;",
        "    return kcc_main;",
        "}",
        "",
        f"const uint8_t *{prefix}_debug_kpu(size_t *first, size_t *size)",
        "{",
        f"    *first = {e.kpu_lo};",
        f"    *size = {kpu_bytes};",
        f"    return {'kcc_kpu' if kpu_bytes > 0 else 'NULL'};",
        "}",
        "#endif",
        "",
    ]
    source = "\n".join(lines)
    return CSource(source, _header(model, title, prefix, signature, in_counts, out_counts, output_shapes))


def _header(
    model: KModelV4,
    title: str,
    prefix: str,
    signature: str,
    in_counts: list[int],
    out_counts: list[int],
    output_shapes: Sequence[Sequence[int]] | None,
) -> str:
    p = prefix.upper()
    guard = f"{p}_H"
    lines = [
        f"/* {title or 'kmodel v4 program'}: the interface of the generated C model (kcc reference C backend). Do not edit. */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <stdint.h>",
        "",
        f"#define {p}_INPUTS {len(model.inputs)}",
        f"#define {p}_OUTPUTS {len(model.outputs)}",
    ]
    for i, (r, shape) in enumerate(zip(model.inputs, model.input_shapes, strict=True)):
        lines.append(f"#define {p}_INPUT{i}_COUNT {in_counts[i]} /* {C_TYPES[r.dtype]} elements */")
        lines.append(f"#define {p}_INPUT{i}_SHAPE {{{', '.join(map(str, shape))}}} /* NCHW */")
        lines.append(f"#define {p}_INPUT{i}_RANK {len(shape)}")
    for i, r in enumerate(model.outputs):
        lines.append(f"#define {p}_OUTPUT{i}_COUNT {out_counts[i]} /* {C_TYPES[r.dtype]} elements */")
        if output_shapes is not None and i < len(output_shapes) and _prod(output_shapes[i]) == out_counts[i]:
            shape = list(output_shapes[i])
            lines.append(f"#define {p}_OUTPUT{i}_SHAPE {{{', '.join(map(str, shape))}}}")
            lines.append(f"#define {p}_OUTPUT{i}_RANK {len(shape)}")
    lines += [
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "/* Run the model once: reads the inputs, writes the outputs; returns 0, or 1 + the index of the node that",
        "   failed (a quantized division by zero). Not reentrant: the arenas are static. */",
        f"{signature};",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {guard} */",
        "",
    ]
    return "\n".join(lines)
