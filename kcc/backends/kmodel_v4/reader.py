"""Read a kmodel v4 file into `KModelV4`, validating what the nncase v0.2 loader relies on (and more: every
memory range, shape and array length is checked against its pool and the file)."""

from __future__ import annotations

import math
import struct

from kcc.backends._binary import KPU_RAM_BYTES, ByteReader, dense_map_kpu_bytes, walk_bodies
from kcc.backends._kpu import decode_kpu_blocks, kpu_geometry, validate_kpu_geometry
from kcc.backends.common import POOL_CONST, POOL_KPU, POOL_MAIN
from kcc.backends.kmodel_v4.format import (
    BINARY_OPS,
    DATATYPES,
    HEADER_BYTES,
    MAGIC,
    MEMORY_TYPES,
    REDUCE_OPS,
    RESIZE_MODES,
    UNARY_OPS,
    VERSION,
    BinaryBody,
    Body,
    ConcatBody,
    Conv2dBody,
    Conv2dTransposeBody,
    Header,
    KModelV4,
    KpuConv2dBody,
    KpuUploadBody,
    MatmulBody,
    MemoryCopyBody,
    MemoryRange,
    NnilInstr,
    NnilUnaryBody,
    Node,
    Opcode,
    PadBody,
    Padding,
    QuantizedBinaryBody,
    QuantizedConv2dBody,
    QuantizedMatmulBody,
    QuantParam,
    QuantParamBody,
    ReduceBody,
    ReduceWindow2dBody,
    ResizeImageBody,
    Shape,
    SoftmaxBody,
    StridedSliceBody,
    TableLookupBody,
    TransposeBody,
    UnaryBody,
    ValueRange,
    Window2d,
    opcode_name,
)
from kcc.errors import KccError

SRAM_BYTES = 6 * 1024 * 1024
MAX_INPUTS_OUTPUTS = 1024
MAX_CONCAT_INPUTS = 4096
O = Opcode

NNIL_NAMES: dict[int, str] = {
    0x00: "nop",
    0x01: "dup",
    0x02: "pop",
    0x03: "lda_0",
    0x04: "ldc_r4_0",
    0x05: "ldc_r4_1",
    0x06: "ldc_r4",
    0x40: "add",
    0x41: "sub",
    0x42: "mul",
    0x43: "div",
    0x44: "min",
    0x45: "max",
    0x80: "clamp",
    0xA0: "ret",
}
NNIL_NAMES.update({0x20 + i: n for i, n in enumerate(UNARY_OPS)})


ConvHead = tuple[MemoryRange, MemoryRange, Shape, int, int, Padding, Padding, Window2d]


class _R(ByteReader):
    def mr(self, field: str) -> MemoryRange:
        m = MemoryRange(
            self.u32(field + ".memory_type"), self.u32(field + ".datatype"), self.u32(field + ".start"), self.u32(field + ".size")
        )
        if m.memory_type not in MEMORY_TYPES:
            raise self.error(f"{field}: memory_type {m.memory_type} is not 0 (const), 1 (main) or 2 (kpu)")
        if m.datatype not in DATATYPES:
            raise self.error(f"{field}: datatype {m.datatype} is not 0 (float32) or 1 (uint8)")
        return m

    def shape(self, field: str) -> Shape:
        s = (self.i32(field), self.i32(field), self.i32(field), self.i32(field))
        if any(d < 0 for d in s):
            raise self.error(f"{field} {s} has a negative dimension")
        return s

    def pad(self, field: str) -> Padding:
        return Padding(self.i32(field + ".before"), self.i32(field + ".after"))

    def vr(self, field: str) -> ValueRange:
        return ValueRange(self.f32(field + ".min"), self.f32(field + ".max"))

    def window(self) -> Window2d:
        w = Window2d(*(self.i32(n) for n in ("filter_h", "filter_w", "stride_h", "stride_w", "dilation_h", "dilation_w")))
        if min(w.filter_h, w.filter_w, w.stride_h, w.stride_w, w.dilation_h, w.dilation_w) < 1:
            raise self.error(f"window {w} has a field < 1")
        return w

    def fits(self, m: MemoryRange, shape: Shape, field: str) -> None:
        need = math.prod(shape) * (4 if m.datatype == 0 else 1)
        if need > m.size:
            raise self.error(f"{field} shape {shape} needs {need} bytes, its memory range has {m.size}")

    def enum(self, value: int, names: tuple[str, ...], field: str) -> int:
        if not 0 <= value < len(names):
            raise self.error(f"{field} {value} is not one of {', '.join(f'{i} {n}' for i, n in enumerate(names))}")
        return value

    def in_out_shape(self) -> tuple[MemoryRange, MemoryRange, Shape]:
        """input, output and in_shape (checked against the input range): the head of most bodies."""
        i, o, s = self.mr("input"), self.mr("output"), self.shape("in_shape")
        self.fits(i, s, "in_shape")
        return i, o, s

    def binary_head(self) -> tuple[MemoryRange, MemoryRange, MemoryRange, int, Shape, Shape, Shape]:
        """in_a, in_b, out, binary_op and the three shapes of (quantized_)binary, each shape checked."""
        a, b, o = self.mr("in_a"), self.mr("in_b"), self.mr("out")
        bop = self.enum(self.u32("binary_op"), BINARY_OPS, "binary_op")
        sa, sb, so = self.shape("a_shape"), self.shape("b_shape"), self.shape("out_shape")
        self.fits(a, sa, "a_shape")
        self.fits(b, sb, "b_shape")
        self.fits(o, so, "out_shape")
        return a, b, o, bop, sa, sb, so

    def matmul_head(self) -> tuple[MemoryRange, MemoryRange, MemoryRange, int, int, int]:
        """in_a, in_b, out, a_rows, a_cols, b_cols of (quantized_)matmul, the ranges checked against them."""
        a, b, o = self.mr("in_a"), self.mr("in_b"), self.mr("out")
        rows, cols, bcols = self.i32("a_rows"), self.i32("a_cols"), self.i32("b_cols")
        self.fits(a, (1, 1, rows, cols), "a")
        self.fits(b, (1, 1, cols, bcols), "b")
        self.fits(o, (1, 1, rows, bcols), "out")
        return a, b, o, rows, cols, bcols

    def conv_head(self, nchw: bool, depthwise: bool) -> ConvHead:
        """input, output, in_shape, groups, out_channels, paddings and window of a convolution body.

        NCHW bodies store groups and out_channels; the NHWC cpu_* bodies store out_channels only (groups 1),
        or nothing (depthwise: groups = out_channels = in_shape[3])."""
        i, o, s = self.in_out_shape()
        if nchw:
            groups, oc = self.i32("groups"), self.i32("out_channels")
        elif depthwise:
            groups, oc = s[3], s[3]
        else:
            groups, oc = 1, self.i32("out_channels")
        return i, o, s, groups, oc, self.pad("padding_h"), self.pad("padding_w"), self.window()

    def conv_weight_count(self, head: ConvHead, nchw: bool) -> int:
        """OC·(IC/G)·KH·KW of a conv head, IC being in_shape dim 1 (NCHW) or 3 (NHWC); checks the groups."""
        _, _, s, groups, oc, _, _, w = head
        ic = s[1] if nchw else s[3]
        if groups < 1 or oc < 0 or ic % groups or oc % groups:
            raise self.error(f"groups {groups} does not divide channels {ic} in / {oc} out")
        return oc * (ic // groups) * w.filter_h * w.filter_w


def _nnil(code: bytes, r: _R) -> tuple[NnilInstr, ...]:
    prog: list[NnilInstr] = []
    i = 0
    while i < len(code):
        op = code[i]
        name = NNIL_NAMES.get(op)
        if name is None:
            raise r.error(f"NNIL opcode {op:#04x} at program byte {i} is not defined")
        if op == 0x06:
            if i + 5 > len(code):
                raise r.error(f"NNIL ldc_r4 at program byte {i} is missing its 4-byte constant")
            prog.append(NnilInstr(op, name, struct.unpack_from("<f", code, i + 1)[0]))
            i += 5
            continue
        prog.append(NnilInstr(op, name))
        i += 1
        if op == 0xA0:
            break
    return tuple(prog)


def _body(r: _R, op: int, data: bytes) -> Body:
    if op == O.BINARY:
        return BinaryBody(*r.binary_head(), r.vr("fused_activation"))
    if op == O.QUANTIZED_BINARY:
        head = r.binary_head()
        ints = [
            r.i32(n)
            for n in ("a_offset", "a_mul", "a_shift", "b_offset", "b_mul", "b_shift", "out_offset", "out_mul", "out_shift")
        ]
        return QuantizedBinaryBody(*head, *ints)
    if op == O.CONCAT:
        out = r.mr("out")
        inner, outer, n = r.u32("inner_size"), r.u32("outer_size"), r.u32("count")
        if n > MAX_CONCAT_INPUTS:
            raise r.error(f"count {n} > {MAX_CONCAT_INPUTS}")
        r.need(20 * n, "inputs+dims")
        ins = tuple(r.mr(f"input{i}") for i in range(n))
        dims = tuple(r.i32(f"dims{i}") for i in range(n))
        for i, (m, d) in enumerate(zip(ins, dims, strict=True)):
            if d < 0 or outer * inner * d > m.size:
                raise r.error(f"input {i}: outer {outer} x inner {inner} x dim {d} bytes exceed its range ({m.size} bytes)")
        if outer * inner * sum(dims) > out.size:
            raise r.error(f"output needs {outer * inner * sum(dims)} bytes, its range has {out.size}")
        return ConcatBody(out, inner, outer, ins, dims)
    if op in (O.CONV2D, O.CPU_CONV2D, O.CPU_DEPTHWISE_CONV2D):
        head = r.conv_head(op == O.CONV2D, op == O.CPU_DEPTHWISE_CONV2D)
        act = r.vr("fused_activation")
        n = r.conv_weight_count(head, op == O.CONV2D)
        wts = r.array("f4", n, "weights")
        bias = r.array("f4", head[4], "bias")
        return Conv2dBody(*head, act, wts, bias)  # type: ignore[arg-type]
    if op in (O.QUANTIZED_CONV2D, O.CPU_QUANTIZED_CONV2D, O.CPU_QUANTIZED_DEPTHWISE_CONV2D):
        head = r.conv_head(op == O.QUANTIZED_CONV2D, op == O.CPU_QUANTIZED_DEPTHWISE_CONV2D)
        ints = [r.i32(n) for n in ("input_offset", "filter_offset", "output_mul", "output_shift", "output_offset")]
        n, oc = r.conv_weight_count(head, op == O.QUANTIZED_CONV2D), head[4]
        if op == O.QUANTIZED_CONV2D:
            bias = r.array("i4", oc, "bias")
            wts = r.array("u1", n, "weights")
        else:
            wts = r.array("u1", n, "weights")
            bias = r.array("i4", oc, "bias")
        return QuantizedConv2dBody(*head, *ints, bias, wts)  # type: ignore[arg-type]
    if op == O.CONV2D_TRANSPOSE:
        i, o, si, so = r.mr("input"), r.mr("output"), r.shape("in_shape"), r.shape("out_shape")
        r.fits(i, si, "in_shape")
        r.fits(o, so, "out_shape")
        groups = r.i32("groups")
        ph, pw, w = r.pad("padding_h"), r.pad("padding_w"), r.window()
        act = r.vr("fused_activation")
        if groups < 1 or si[1] % groups:
            raise r.error(f"groups {groups} does not divide {si[1]} input channels")
        wts = r.array("f4", so[1] * (si[1] // groups) * w.filter_h * w.filter_w, "weights")
        bias = r.array("f4", so[1], "bias")
        return Conv2dTransposeBody(i, o, si, so, groups, ph, pw, w, act, wts, bias)  # type: ignore[arg-type]
    if op in (O.DEQUANTIZE, O.QUANTIZE):
        i, o = r.mr("input"), r.mr("output")
        q = QuantParam(r.i32("zero_point"), r.f32("scale"))
        small, big = (i, o) if op == O.DEQUANTIZE else (o, i)
        if small.size * 4 > big.size:
            raise r.error(f"u8 range of {small.size} elements does not fit the f32 range of {big.size} bytes")
        return QuantParamBody(i, o, q)
    if op == O.MATMUL:
        head = r.matmul_head()
        act = r.vr("fused_activation")
        return MatmulBody(*head, act, r.array("f4", head[5], "bias"))  # type: ignore[arg-type]
    if op == O.QUANTIZED_MATMUL:
        head = r.matmul_head()
        ints = [r.i32(n) for n in ("a_offset", "b_offset", "out_mul", "out_shift", "out_offset")]
        return QuantizedMatmulBody(*head, *ints, r.array("i4", head[5], "bias"))  # type: ignore[arg-type]
    if op == O.PAD:
        i, o, s = r.in_out_shape()
        pads = (r.pad("pad0"), r.pad("pad1"), r.pad("pad2"), r.pad("pad3"))
        out_shape = tuple(d + p.before + p.after for d, p in zip(s, pads, strict=True))
        if any(d < 0 for d in out_shape):
            raise r.error(f"padding crops shape {s} below zero")
        r.fits(o, out_shape, "padded shape")  # type: ignore[arg-type]
        return PadBody(i, o, s, pads, r.u32("pad_value.type"), r.raw(4, "pad_value.storage"))
    if op == O.REDUCE:
        i, o = r.mr("input"), r.mr("output")
        rop = r.enum(r.u32("reduce_op"), REDUCE_OPS, "reduce_op")
        si, so = r.shape("in_shape"), r.shape("out_shape")
        r.fits(i, si, "in_shape")
        r.fits(o, so, "out_shape")
        if any(b > a for a, b in zip(si, so, strict=True)):
            raise r.error(f"out_shape {so} is larger than in_shape {si}")
        return ReduceBody(i, o, rop, si, so, r.f32("init_value"))
    if op in (O.REDUCE_WINDOW2D, O.CPU_REDUCE_WINDOW2D):
        i, o = r.mr("input"), r.mr("output")
        rop = r.enum(r.u32("reduce_op"), REDUCE_OPS, "reduce_op")
        s = r.shape("in_shape")
        r.fits(i, s, "in_shape")
        ph, pw, w = r.pad("padding_h"), r.pad("padding_w"), r.window()
        return ReduceWindow2dBody(i, o, rop, s, ph, pw, w, r.f32("init_value"), r.vr("fused_activation"))
    if op == O.MEMORY_COPY:
        i, o = r.mr("input"), r.mr("output")
        if i.size > o.size:
            raise r.error(f"copies {i.size} bytes into a {o.size}-byte range")
        return MemoryCopyBody(i, o)
    if op == O.RESIZE_IMAGE:
        i, o, s = r.in_out_shape()
        oh, ow = r.i32("out_h"), r.i32("out_w")
        mode = r.enum(r.u32("mode"), RESIZE_MODES, "mode")
        align = bool(r.u8("align_corners"))
        r.skip(3, "padding")
        r.fits(o, (s[0], s[1], oh, ow), "output shape")
        return ResizeImageBody(i, o, s, oh, ow, mode, align)
    if op == O.SOFTMAX:
        i, o = r.mr("input"), r.mr("output")
        inner, outer = r.i32("inner_size"), r.i32("outer_size")
        r.fits(i, (1, 1, outer, inner), "in")
        r.fits(o, (1, 1, outer, inner), "out")
        return SoftmaxBody(i, o, inner, outer, r.f32("beta"))
    if op == O.TRANSPOSE:
        i, o, s = r.in_out_shape()
        perm = r.shape("perm")
        if sorted(perm) != [0, 1, 2, 3]:
            raise r.error(f"perm {perm} is not a permutation of 0..3")
        r.fits(o, s, "out")
        return TransposeBody(i, o, s, perm)
    if op == O.STRIDED_SLICE:
        i, o, s = r.in_out_shape()
        b = (r.i32("begin"), r.i32("begin"), r.i32("begin"), r.i32("begin"))
        e = (r.i32("end"), r.i32("end"), r.i32("end"), r.i32("end"))
        st = (r.i32("strides"), r.i32("strides"), r.i32("strides"), r.i32("strides"))
        if 0 in st:
            raise r.error(f"strides {st} contain 0")
        masks = [r.i32(n) for n in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")]
        return StridedSliceBody(i, o, s, b, e, st, *masks)
    if op == O.UNARY:
        i, o = r.mr("input"), r.mr("output")
        return UnaryBody(i, o, r.enum(r.u32("unary_op"), UNARY_OPS, "unary_op"))
    if op == O.NNIL_UNARY_METHOD:
        i, o = r.mr("input"), r.mr("output")
        code = r.raw(r.end - r.pos, "program")
        return NnilUnaryBody(i, o, _nnil(code, r), code)
    if op == O.TABLE_LOOKUP1D:
        i, t, o = r.mr("input"), r.mr("table"), r.mr("output")
        if t.size < 256:
            raise r.error(f"table range has {t.size} bytes, needs 256")
        return TableLookupBody(i, t, o)
    if op == O.KPU_UPLOAD:
        i, o, s = r.in_out_shape()
        if s[3] < 1 or s[2] < 1:
            raise r.error(f"in_shape {s} is empty")
        need = s[0] * dense_map_kpu_bytes(s[1], s[2], s[3])
        if o.memory_type != 2 or o.size < need:
            raise r.error(f"output must be a KPU range of at least {need} bytes, got {o.pool} {o.size}")
        return KpuUploadBody(i, o, s)
    if op == O.KPU_CONV2D:
        return _kpu_conv(r, data)
    raise r.error(f"unknown opcode {op:#x}")


def _kpu_conv(r: _R, data: bytes) -> KpuConv2dBody:
    main_out = r.mr("main_mem_output")
    batches, reserved = r.i32("batches"), r.i32("reserved")
    arg_raw = r.raw(96, "layer_argument")
    g = kpu_geometry(arg_raw)
    validate_kpu_geometry(g, r.what, r.index or 0)
    if batches < 1:
        raise r.error(f"batches {batches} < 1")
    for name, line, nbytes in (("image_src_addr", g.src_line, g.in_bytes), ("image_dst_addr", g.dst_line, g.out_bytes)):
        if line * 64 + nbytes * batches > KPU_RAM_BYTES:
            raise r.error(f"{name} line {line} + {batches} batches of {nbytes} bytes runs past the 2 MiB KPU RAM")
    r.skip(g.bwsx_base_addr, "padding before the BN table (bwsx_base_addr)")
    bn_off = r.pos
    bn_raw = r.raw(8 * g.out_channels, "BN table")
    r.skip(g.active_addr, "padding before the activation table (active_addr)")
    act_off = r.pos
    act_raw = r.raw(144, "activation table")
    r.skip(g.para_start_addr, "padding before the weights (para_start_addr)")
    w_off = r.pos
    weights = r.array("u1", g.weight_count, "weights")
    if main_out.size:
        need = g.out_channels * g.out_height * g.out_width * batches
        if main_out.size < need:
            raise r.error(f"main_mem_output has {main_out.size} bytes, the output needs {need}")
        if main_out.memory_type != 1:
            raise r.error(f"main_mem_output must be in main memory, got {main_out.pool}")
    arg, bn, act = decode_kpu_blocks(arg_raw, bn_raw, act_raw, r.what, r.index or 0)
    return KpuConv2dBody(main_out, batches, reserved, g, bn_off, act_off, w_off, arg_raw, bn_raw, act_raw, weights, arg, bn, act)  # type: ignore[arg-type]


def read_kmodel_v4(data: bytes) -> KModelV4:
    """Parse and validate a whole kmodel v4 file. Raises `KccError` with one line on any violation."""
    r = _R(data, 0, len(data), "kmodel v4 header")
    if len(data) < HEADER_BYTES:
        raise r.error(f"file is {len(data)} bytes, shorter than the {HEADER_BYTES}-byte header")
    header = Header(
        *(
            r.u32(n)
            for n in (
                "identifier",
                "version",
                "flags",
                "target",
                "constants",
                "main_mem",
                "nodes",
                "inputs",
                "outputs",
                "reserved0",
            )
        )
    )
    if header.identifier != MAGIC:
        raise r.error(f"identifier {header.identifier:#010x} is not 'KMDL' (bytes 'LDMK')")
    if header.version != VERSION:
        raise r.error(f"version {header.version} is not 4")
    if header.target not in (0, 1):
        raise r.error(f"target {header.target} is not 0 (cpu) or 1 (k210)")
    if header.main_mem > SRAM_BYTES:
        raise r.error(f"main_mem {header.main_mem} exceeds the K210's {SRAM_BYTES} bytes of SRAM")
    if header.inputs > MAX_INPUTS_OUTPUTS or header.outputs > MAX_INPUTS_OUTPUTS:
        raise r.error(f"{header.inputs} inputs / {header.outputs} outputs is more than {MAX_INPUTS_OUTPUTS}")
    if header.nodes == 0:
        raise r.error("the model has no nodes")
    tables = 32 * header.inputs + 16 * header.outputs + header.constants + 8 * header.nodes
    if HEADER_BYTES + tables > len(data):
        raise r.error(f"sections need {tables} bytes after the header, the file has {len(data) - HEADER_BYTES}")
    r.what = "kmodel v4 inputs"
    inputs = tuple(r.mr(f"input{i}") for i in range(header.inputs))
    shapes = tuple(r.shape(f"input_shape{i}") for i in range(header.inputs))
    r.what = "kmodel v4 outputs"
    outputs = tuple(r.mr(f"output{i}") for i in range(header.outputs))
    const_off = r.pos
    constants = r.raw(header.constants, "constants")
    limits = {POOL_CONST: header.constants, POOL_MAIN: header.main_mem, POOL_KPU: KPU_RAM_BYTES}

    def check(refs: tuple[MemoryRange, ...] | list[MemoryRange], what: str, index: int | None, roles: list[str]) -> None:
        for m, role in zip(refs, roles, strict=True):
            if m.start + m.size > limits[m.pool]:
                raise KccError(
                    f"{role} range [{m.start}, {m.start + m.size}) runs past the {m.pool} pool ({limits[m.pool]} bytes)",
                    op=what,
                    index=index,
                )

    for i, (m, s) in enumerate(zip(inputs, shapes, strict=True)):
        check([m], "input", i, ["input"])
        need = math.prod(s) * (4 if m.datatype == 0 else 1)
        if m.pool == POOL_KPU:
            need = s[0] * dense_map_kpu_bytes(s[1], s[2], max(s[3], 1))
        if need > m.size:
            raise KccError(f"shape {s} needs {need} bytes, its memory range has {m.size}", op="input", index=i)
    for i, m in enumerate(outputs):
        check([m], "output", i, ["output"])
    r.what = "kmodel v4 node table"
    heads = [(r.u32("opcode"), r.u32("body_size")) for _ in range(header.nodes)]
    bodies_start = r.pos
    nodes: list[Node] = []
    for i, op, size, off, end, what in walk_bodies(data, heads, bodies_start, opcode_name, "node", "kmodel v4"):
        body = _body(_R(data, off, end, what, i), op, data)
        for ref in body.ranges():
            if ref.end > limits[ref.pool]:
                raise KccError(
                    f"{ref.role} range [{ref.start}, {ref.end}) runs past the {ref.pool} pool ({limits[ref.pool]} bytes)",
                    op=what,
                    index=i,
                )
        nodes.append(Node(i, op, size, off, bytes(data[off:end]), body))
    return KModelV4(header, inputs, shapes, outputs, const_off, constants, tuple(nodes), bodies_start, len(data))
