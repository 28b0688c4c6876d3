"""kmodel files <-> the `kmodel` dialect.

    program = model_to_program(load_kmodel(path))     # the reader's dataclasses -> kmodel.program
    data = program_to_bytes(program)                  # kmodel.program -> the file's bytes
    model = module_to_model(module)                   # -> the reader's dataclasses (via those bytes)

`model_to_program` copies every field of every header, table and body into the ops (see
`kcc.dialects.kmodel`). `program_to_bytes` lays the file out again: header, tables, and each body
encoded from its op's fields in file order, zero-padded to `body_size` (default: to the next 8-byte file
offset, as nncase does), with the v3 K210_CONV blocks at their `file_offsets` (default: 8-aligned after
the six words) and the v4 kpu_conv2d tables after the padding counts its layer argument holds. The result
is read back with the ordinary readers, so `module_to_model` gives exactly the dataclasses a file gives
(for a file read into the dialect: the same file, byte for byte). The v3 first-layer rule of the SDK
runtime is not applied on the way back (`check_first_layer=False`): it is a runtime rule, not a format one.
"""

from __future__ import annotations

import struct
from typing import Any, cast

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, DenseIntOrFPElementsAttr, ModuleOp
from xdsl.ir import Attribute
from xdsl.utils.exceptions import VerifyException

from kcc.backends.common import MemRef
from kcc.backends.kmodel_v3 import format as f3
from kcc.backends.kmodel_v3.reader import read_kmodel_v3
from kcc.backends.kmodel_v4 import format as f4
from kcc.backends.kmodel_v4.reader import read_kmodel_v4
from kcc.dialects.kmodel import ProgramOp, v3, v4
from kcc.dialects.kmodel.attrs import DTYPE_BYTES, RangeAttr
from kcc.dialects.kmodel.fields import Field, dense_attr, dense_bytes, int_attr, to_attr
from kcc.dialects.kmodel.program import NodeOp
from kcc.errors import KccError

POOL_CODES = {"const": 0, "main": 1, "kpu": 2}
DTYPE_CODES = {"f32": 0, "u8": 1}
ELEM_OF_DTYPE = {
    np.dtype("u1"): "u1",
    np.dtype("<u2"): "<u2",
    np.dtype("<u8"): "<u8",
    np.dtype("<i4"): "<i4",
    np.dtype("<f4"): "<f4",
}


def _align8(n: int) -> int:
    return (n + 7) & ~7


# ================================================================================ dataclasses -> dialect


def _flatten(value: Any) -> list[Any]:
    """Shapes, paddings, windows, value ranges (nested dataclasses / tuples) as a flat list of numbers."""
    if isinstance(value, int | float):
        return [value]
    if hasattr(value, "__dataclass_fields__"):
        return [x for v in vars(value).values() for x in _flatten(v)]
    return [x for v in value for x in _flatten(v)]


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _mr_attr(m: f4.MemoryRange) -> RangeAttr:
    return RangeAttr(m.pool, m.start, m.size, m.dtype)


def _ref_attr(ref: MemRef) -> RangeAttr:
    return RangeAttr(ref.pool, ref.start, ref.size, ref.dtype)


def _field_attr(f: Field, body: Any, raw: bytes) -> Attribute:
    if f.prop == "data":  # v3 opaque layers: the body after `flags`, verbatim
        return dense_attr(raw[4:], "u1")
    if f.kind == "range" and f.enc != "mr":  # a v3 address, or a KPU map named by the layer argument
        refs = {r.role: r for r in body.ranges()}
        if f.role in refs:
            return _ref_attr(refs[f.role])
        return RangeAttr("main", int(_get(body, f.source)), 0, "u8")  # an address the layer does not use
    value = _get(body, f.source)
    if f.kind == "range":
        return _mr_attr(value)
    if f.kind == "ranges":
        if f.enc == "pairs":
            return ArrayAttr([RangeAttr("main", s, n, "u8") for s, n in value])
        return ArrayAttr([_mr_attr(m) for m in value])
    if f.kind in ("ints", "floats"):
        return to_attr(f, _flatten(value))
    if f.kind == "dense":
        if isinstance(value, bytes):
            return dense_attr(value, f.elem)
        arr = np.asarray(value)
        return dense_attr(arr, f.elem or ELEM_OF_DTYPE[arr.dtype])
    return to_attr(f, value)


def _node_op(cls: type[NodeOp], body: Any, raw: bytes) -> NodeOp:
    props = {f.prop: _field_attr(f, body, raw) for f in cls.FIELDS if not f.optional}
    return cls.create(properties=props)


def _v3_output_dtype(model: f3.KModelV3, o: f3.Output) -> str:
    dt = "f32" if o.size % 4 == 0 else "u8"
    for layer in model.layers:
        for ref in layer.body.ranges():
            if ref.pool == "main" and "out" in ref.role and ref.start < o.address + o.size and o.address < ref.end:
                dt = ref.dtype
    return dt if o.size % DTYPE_BYTES[dt] == 0 else "u8"


def model_to_program(model: f3.KModelV3 | f4.KModelV4) -> ProgramOp:
    """A `kmodel.program` holding every field of `model` (a file read by `kcc.backends.load_kmodel`)."""
    nodes: list[NodeOp] = []
    if isinstance(model, f3.KModelV3):
        h = model.header
        props: dict[str, Attribute] = {
            "version": int_attr(3),
            "flags": int_attr(h.flags),
            "arch": int_attr(h.arch),
            "max_start_address": int_attr(h.max_start_address),
            "main_mem": int_attr(h.main_mem_usage),
            "outputs": ArrayAttr([RangeAttr("main", o.address, o.size, _v3_output_dtype(model, o)) for o in model.outputs]),
        }
        items = [(v3.BY_CODE[layer.type], layer.body, layer.raw, layer.body_size, layer.offset) for layer in model.layers]
    else:
        h4 = model.header
        props = {
            "version": int_attr(4),
            "flags": int_attr(h4.flags),
            "target": int_attr(h4.target),
            "reserved0": int_attr(h4.reserved0),
            "main_mem": int_attr(h4.main_mem),
            "inputs": ArrayAttr([_mr_attr(m) for m in model.inputs]),
            "input_shapes": to_attr(Field("input_shapes", "shapes"), model.input_shapes),
            "outputs": ArrayAttr([_mr_attr(m) for m in model.outputs]),
        }
        if model.constants:  # an empty constants section is the absent field
            props["constants"] = dense_attr(model.constants, "u1")
        items = [(v4.BY_CODE[n.opcode], n.body, n.raw, n.body_size, n.offset) for n in model.nodes]
    for cls, body, raw, _size, off in items:
        op = _node_op(cls, body, raw)
        if isinstance(body, f3.K210ConvBody):
            offs = (body.layer_offset, body.weights_offset, body.bn_offset, body.act_offset)
            blocks = [_dense(op, p) for p in ("layer_argument", "weights", "batch_norm", "activation")]
            if offs != _default_conv_offsets(blocks, off):
                op.properties["file_offsets"] = to_attr(Field("file_offsets", "ints"), offs)
        nodes.append(op)
    program = ProgramOp(props, list(nodes))
    # keep body sizes only where they differ from the default layout (the next 8-byte file offset)
    for op, (_cls, _body, _raw, size, _off) in zip(nodes, items, strict=True):
        op.properties["body_size"] = int_attr(size)
    for op, (_cls, _body, _raw, size, off) in zip(nodes, items, strict=True):
        if _align8(off + len(encode_body(op, off))) - off == size:
            del op.properties["body_size"]
    data, _ = _serialize(program)
    if len(data) != model.file_size:
        program.properties["file_size"] = int_attr(model.file_size)
    return program


def model_to_module(model: f3.KModelV3 | f4.KModelV4) -> ModuleOp:
    return ModuleOp([model_to_program(model)])


# ================================================================================ dialect -> bytes


def _u32(v: int) -> bytes:
    return struct.pack("<I", v)


def _mr_bytes(r: RangeAttr, what: str) -> bytes:
    if r.element not in DTYPE_CODES:
        raise KccError(f"{what}: v4 memory ranges hold f32 or u8, got {r.element}", op="kmodel.v4")
    return struct.pack("<4I", POOL_CODES[r.pool_name], DTYPE_CODES[r.element], r.start, r.nbytes)


def _encode_field(f: Field, attr: Attribute, what: str) -> bytes:
    enc = f.enc
    if enc == "u32":
        return _u32(int(cast(Any, attr).value.data))
    if enc == "i32":
        return struct.pack("<i", int(cast(Any, attr).value.data))
    if enc == "f32":
        return struct.pack("<f", float(cast(Any, attr).value.data))
    if enc == "u8x4":
        return bytes([int(cast(Any, attr).value.data) & 0xFF, 0, 0, 0])
    if enc == "addr":
        r = cast(RangeAttr, attr)
        return _u32(r.start // 64 if r.pool_name == "kpu" else r.start)
    if enc == "mr":
        return _mr_bytes(cast(RangeAttr, attr), what)
    if enc in ("pairs", "mrs"):
        items = [cast(RangeAttr, r) for r in cast(ArrayAttr[Attribute], attr).data]
        if enc == "pairs":
            return _u32(len(items)) + b"".join(struct.pack("<2I", r.start, r.nbytes) for r in items)
        return _u32(len(items)) + b"".join(_mr_bytes(r, what) for r in items)
    if enc == "i32s":
        vals = [int(v) for v in cast(Any, attr).get_values()]
        return struct.pack(f"<{len(vals)}i", *vals)
    if enc == "f32s":
        fvals = [float(v) for v in cast(Any, attr).get_values()]
        return struct.pack(f"<{len(fvals)}f", *fvals)
    if enc == "raw":
        return dense_bytes(cast(DenseIntOrFPElementsAttr, attr))
    return b""  # derived fields (KPU maps named by the layer argument) are not stored


def _plain(op: NodeOp) -> bytes:
    out: list[bytes] = []
    for f in op.FIELDS:
        attr = op.properties.get(f.prop)
        if attr is not None:
            out.append(_encode_field(f, attr, op.name))
    return b"".join(out)


def _dense(op: NodeOp, prop: str) -> bytes:
    return dense_bytes(cast(DenseIntOrFPElementsAttr, op.properties[prop]))


def _default_conv_offsets(blocks: list[bytes], offset: int) -> tuple[int, ...]:
    """Register block, weights, BN and activation tables back to back after the six words, 8-aligned."""
    pos, placed = offset + 24, list[int]()
    for b in blocks:
        pos = _align8(pos)
        placed.append(pos)
        pos += len(b)
    return tuple(placed)


def _v3_conv(op: NodeOp, offset: int) -> bytes:
    flags, main_out = int(op.value("flags")), cast(RangeAttr, op.properties["main_out"]).start
    blocks = [_dense(op, p) for p in ("layer_argument", "weights", "batch_norm", "activation")]
    offs = op.value("file_offsets")
    if offs is None:
        offs = _default_conv_offsets(blocks, offset)
    end = max(o + len(b) for o, b in zip(offs, blocks, strict=True))
    body = bytearray(end - offset)
    body[:24] = struct.pack("<6I", flags, main_out, *offs)
    for o, b in zip(offs, blocks, strict=True):
        if o < offset + 24:
            raise KccError(f"file offset {o} lies before the end of the six body words at {offset + 24}", op=op.name)
        body[o - offset : o - offset + len(b)] = b
    return bytes(body)


def _v4_kpu_conv(op: NodeOp) -> bytes:
    words = struct.unpack("<12Q", _dense(op, "layer_argument"))
    pad_bn, pad_act, pad_w = words[4] >> 32, words[7] >> 32, words[5] >> 32
    head = _mr_bytes(cast(RangeAttr, op.properties["main_mem_output"]), op.name)
    head += struct.pack("<2i", int(op.value("batches")), int(op.value("reserved"))) + _dense(op, "layer_argument")
    return b"".join(
        (
            head,
            bytes(pad_bn),
            _dense(op, "batch_norm"),
            bytes(pad_act),
            _dense(op, "activation"),
            bytes(pad_w),
            _dense(op, "weights"),
        )
    )


def _v3_channelwise(op: NodeOp) -> bytes:
    head = b"".join(_encode_field(f, op.properties[f.prop], op.name) for f in op.FIELDS[:5])
    pairs = np.stack([op.value("scales").astype("<f4"), op.value("biases").astype("<f4")], axis=1)
    return head + pairs.tobytes()


def encode_body(op: NodeOp, offset: int) -> bytes:
    """The body of one node placed at absolute file offset `offset`, without its trailing padding."""
    if isinstance(op, v3.K210ConvOp):
        return _v3_conv(op, offset)
    if isinstance(op, v4.KpuConv2dOp):
        return _v4_kpu_conv(op)
    if isinstance(op, v3.ChannelwiseDequantizeOp):
        return _v3_channelwise(op)
    return _plain(op)


def _ranges(program: ProgramOp, prop: str) -> list[RangeAttr]:
    return [cast(RangeAttr, r) for r in cast(ArrayAttr[Attribute], program.properties[prop]).data]


def _serialize(program: ProgramOp) -> tuple[bytes, list[tuple[int, int]]]:
    nodes = program.nodes
    version = program.kmodel_version
    outputs = _ranges(program, "outputs")
    if version == 3:
        head = struct.pack(
            "<7I",
            3,
            int(program.value("flags")),
            int(program.value("arch")),
            len(nodes),
            int(program.value("max_start_address")),
            int(program.value("main_mem")),
            len(outputs),
        )
        head += b"".join(struct.pack("<2I", r.start, r.nbytes) for r in outputs)
    else:
        inputs = _ranges(program, "inputs")
        consts = _dense(cast(Any, program), "constants") if "constants" in program.properties else b""
        head = struct.pack(
            "<10I",
            f4.MAGIC,
            4,
            int(program.value("flags")),
            int(program.value("target")),
            len(consts),
            int(program.value("main_mem")),
            len(nodes),
            len(inputs),
            len(outputs),
            int(program.value("reserved0")),
        )
        head += b"".join(_mr_bytes(r, "input") for r in inputs)
        head += b"".join(struct.pack("<4i", *s) for s in program.value("input_shapes"))
        head += b"".join(_mr_bytes(r, "output") for r in outputs) + consts
    offset = len(head) + 8 * len(nodes)
    bodies: list[bytes] = []
    layout: list[tuple[int, int]] = []
    for i, op in enumerate(nodes):
        try:
            enc = encode_body(op, offset)
        except struct.error as e:
            raise KccError(f"a field does not fit its file encoding: {e}", op=op.name, index=i) from None
        size = op.value("body_size")
        if size is None:
            size = _align8(offset + len(enc)) - offset
        if size < len(enc):
            raise KccError(f"body_size {size} is smaller than the {len(enc)} encoded bytes", op=op.name, index=i)
        bodies.append(enc + bytes(size - len(enc)))
        layout.append((offset, size))
        offset += size
    table = b"".join(struct.pack("<2I", op.CODE, size) for op, (_, size) in zip(nodes, layout, strict=True))
    data = head + table + b"".join(bodies)
    file_size = program.value("file_size")
    if file_size is not None:
        if not 0 < len(data) - file_size <= 7 or any(data[file_size:]):
            raise KccError(
                f"file_size {file_size} may only drop the last 1-7 zero padding bytes of the {len(data)}-byte layout",
                op="kmodel.program",
            )
        data = data[:file_size]
    return data, layout


def program_to_bytes(program: ProgramOp) -> bytes:
    """The kmodel file of a verified `kmodel.program`."""
    try:
        program.verify()
    except VerifyException as e:
        raise KccError(
            f"invalid kmodel program: {e}", op="kmodel.program", hint="run kcc-opt on it to see the failing op"
        ) from None
    return _serialize(program)[0]


def find_program(module: ModuleOp | ProgramOp) -> ProgramOp:
    if isinstance(module, ProgramOp):
        return module
    programs = [op for op in module.ops if isinstance(op, ProgramOp)]
    if len(programs) != 1:
        raise KccError(f"the module holds {len(programs)} kmodel.program ops, expected exactly one", op="kmodel.program")
    return programs[0]


def module_to_model(module: ModuleOp | ProgramOp) -> f3.KModelV3 | f4.KModelV4:
    """The reader's dataclasses for a `kmodel.program` (or a module holding exactly one)."""
    program = find_program(module)
    data = program_to_bytes(program)
    if program.kmodel_version == 3:
        return read_kmodel_v3(data, check_first_layer=False)
    return read_kmodel_v4(data)


__all__ = ["encode_body", "find_program", "model_to_module", "model_to_program", "module_to_model", "program_to_bytes"]
