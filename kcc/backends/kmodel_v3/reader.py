"""Read a kmodel v3 file into `KModelV3`, validating what the SDK loader and runtime rely on."""

from __future__ import annotations

from kcc.backends._binary import KPU_RAM_BYTES, ByteReader, walk_bodies
from kcc.backends._kpu import decode_kpu_blocks, kpu_geometry, validate_kpu_geometry
from kcc.backends.common import POOL_KPU, POOL_MAIN, MemRef
from kcc.backends.kmodel_v3.format import (
    HEADER_BYTES,
    VERSION,
    AddBody,
    AddPaddingBody,
    Body,
    ChannelsBody,
    ChannelwiseDequantizeBody,
    ConcatBody,
    FlattenBody,
    FullyConnectedBody,
    GlobalPoolBody,
    Header,
    K210ConvBody,
    KModelV3,
    Layer,
    LayerType,
    OpaqueBody,
    Output,
    Pool2dBody,
    QuantizedAddBody,
    QuantParamBody,
    RemovePaddingBody,
    RequantizeBody,
    ResizeNearestBody,
    UploadBody,
    type_name,
)
from kcc.errors import KccError

SRAM_BYTES = 6 * 1024 * 1024  # K210 general-purpose SRAM: no main buffer can be larger
MAX_CONCAT_INPUTS = 4096

T = LayerType


def _body(r: ByteReader, ltype: int, header: Header, data: bytes) -> Body:
    flags = r.u32("flags")
    if ltype == T.ADD:
        return AddBody(flags, r.u32("in_a"), r.u32("in_b"), r.u32("out"), r.u32("count"))
    if ltype == T.QUANTIZED_ADD:
        return QuantizedAddBody(
            flags,
            r.u32("in_a"),
            r.u32("in_b"),
            r.u32("out"),
            r.u32("count"),
            *(
                r.i32(n)
                for n in ("a_offset", "a_mul", "a_shift", "b_offset", "b_mul", "b_shift", "out_offset", "out_mul", "out_shift")
            ),
        )
    if ltype in (T.GLOBAL_MAX_POOL2D, T.QUANTIZED_GLOBAL_MAX_POOL2D, T.GLOBAL_AVERAGE_POOL2D, T.QUANTIZED_GLOBAL_AVERAGE_POOL2D):
        q = ltype in (T.QUANTIZED_GLOBAL_MAX_POOL2D, T.QUANTIZED_GLOBAL_AVERAGE_POOL2D)
        return GlobalPoolBody(flags, r.u32("in"), r.u32("out"), r.u32("kernel_size"), r.u32("channels"), q)
    if ltype in (T.MAX_POOL2D, T.QUANTIZED_MAX_POOL2D, T.AVERAGE_POOL2D, T.QUANTIZED_AVERAGE_POOL2D):
        names = (
            "in",
            "out",
            "in_w",
            "in_h",
            "in_c",
            "out_w",
            "out_h",
            "out_c",
            "kernel_w",
            "kernel_h",
            "stride_w",
            "stride_h",
            "pad_w",
            "pad_h",
        )
        vals = [r.u32(n) for n in names]
        q = ltype in (T.QUANTIZED_MAX_POOL2D, T.QUANTIZED_AVERAGE_POOL2D)
        act = None if q else r.u32("act")
        body = Pool2dBody(flags, *vals, act=act, quantized=q)
        if min(body.kernel_w, body.kernel_h, body.stride_w, body.stride_h) == 0:
            raise r.error("kernel and stride must be >= 1")
        return body
    if ltype in (T.QUANTIZE, T.DEQUANTIZE):
        return QuantParamBody(
            flags, r.u32("in"), r.u32("out"), r.u32("count"), r.f32("scale"), r.f32("bias"), ltype == T.DEQUANTIZE
        )
    if ltype == T.REQUANTIZE:
        return RequantizeBody(flags, r.u32("in"), r.u32("out"), r.u32("count"), r.raw(256, "table"))
    if ltype in (T.L2_NORMALIZATION, T.SOFTMAX, T.LOGISTIC):
        return ChannelsBody(flags, r.u32("in"), r.u32("out"), r.u32("channels"))
    if ltype in (T.CONCAT, T.QUANTIZED_CONCAT):
        out = r.u32("out")
        n = r.u32("input_count")
        if n > MAX_CONCAT_INPUTS:
            raise r.error(f"input_count {n} > {MAX_CONCAT_INPUTS}")
        r.need(8 * n, "inputs")
        return ConcatBody(flags, out, tuple((r.u32("start"), r.u32("size")) for _ in range(n)))
    if ltype == T.FULLY_CONNECTED:
        fin, fout = r.u32("in"), r.u32("out")
        ic, oc, act = r.u32("in_channels"), r.u32("out_channels"), r.u32("act")
        if act > 2:
            raise r.error(f"act {act} is not 0 (linear), 1 (relu) or 2 (relu6)")
        r.need(4 * (ic * oc + oc), "weights+bias")
        w = r.array("f4", ic * oc, "weights").reshape(oc, ic)
        b = r.array("f4", oc, "bias")
        return FullyConnectedBody(flags, fin, fout, ic, oc, act, w, b)  # type: ignore[arg-type]
    if ltype in (T.TENSORFLOW_FLATTEN, T.QUANTIZED_TENSORFLOW_FLATTEN):
        return FlattenBody(
            flags,
            r.u32("in"),
            r.u32("out"),
            r.u32("width"),
            r.u32("height"),
            r.u32("channels"),
            ltype == T.QUANTIZED_TENSORFLOW_FLATTEN,
        )
    if ltype in (T.RESIZE_NEAREST_NEIGHBOR, T.QUANTIZED_RESIZE_NEAREST_NEIGHBOR):
        vals = [r.u32(n) for n in ("in", "out", "in_w", "in_h", "channels", "out_w", "out_h", "align_corners")]
        return ResizeNearestBody(flags, *vals, quantized=ltype == T.QUANTIZED_RESIZE_NEAREST_NEIGHBOR)
    if ltype == T.CHANNELWISE_DEQUANTIZE:
        fin, fout, ch, size = r.u32("in"), r.u32("out"), r.u32("channels"), r.u32("channel_size")
        r.need(8 * ch, "scale/bias pairs")
        pairs = r.array("f4", 2 * ch, "scale/bias pairs").reshape(ch, 2)
        return ChannelwiseDequantizeBody(flags, fin, fout, ch, size, pairs[:, 0].copy(), pairs[:, 1].copy())  # type: ignore[arg-type]
    if ltype == T.K210_ADD_PADDING:
        return AddPaddingBody(flags, r.u32("main_in"), r.u32("kpu_out"), r.u32("channels"))
    if ltype == T.K210_REMOVE_PADDING:
        return RemovePaddingBody(flags, r.u32("main_in"), r.u32("main_out"), r.u32("channels"))
    if ltype == T.K210_UPLOAD:
        return UploadBody(flags, r.u32("main_in"), r.u32("kpu_out"), r.u32("width"), r.u32("height"), r.u32("channels"))
    if ltype == T.K210_CONV:
        return _conv_body(r, flags, header, data)
    if ltype in (T.INVALID, T.QUANTIZED_FULLY_CONNECTED):
        return OpaqueBody(flags)
    raise r.error(f"unknown layer type {ltype}")


def _conv_body(r: ByteReader, flags: int, header: Header, data: bytes) -> K210ConvBody:
    main_out = r.u32("main_mem_out_address")
    offs = {n: r.u32(n) for n in ("layer_offset", "weights_offset", "bn_offset", "act_offset")}

    def block(name: str, nbytes: int) -> bytes:
        off = offs[name]
        if off + nbytes > len(data):
            raise r.error(f"{name} {off} + {nbytes} bytes lies outside the file ({len(data)} bytes)")
        return bytes(data[off : off + nbytes])

    if offs["layer_offset"] % 8:
        raise r.error(f"layer_offset {offs['layer_offset']} is not 8-byte aligned (the runtime reads 64-bit words)")
    arg_raw = block("layer_offset", 96)
    g = kpu_geometry(arg_raw)
    validate_kpu_geometry(g, r.what, r.index or 0)
    esize = 1 if header.eight_bit else 2
    wraw = block("weights_offset", g.weight_count * esize)
    bn_raw = block("bn_offset", 8 * g.out_channels)
    act_raw = block("act_offset", 144)
    weights = ByteReader(wraw, 0, len(wraw), r.what, r.index).array("u1" if esize == 1 else "u2", g.weight_count, "weights")
    arg, bn, act = decode_kpu_blocks(arg_raw, bn_raw, act_raw, r.what, r.index or 0)
    return K210ConvBody(
        flags,
        main_out,
        offs["layer_offset"],
        offs["weights_offset"],
        offs["bn_offset"],
        offs["act_offset"],
        g,
        arg_raw,
        bn_raw,
        act_raw,
        weights,
        arg,
        bn,
        act,
    )


def _check_ranges(refs: tuple[MemRef, ...], header: Header, what: str, index: int) -> None:
    for m in refs:
        limit = header.main_mem_usage if m.pool == POOL_MAIN else KPU_RAM_BYTES if m.pool == POOL_KPU else None
        if limit is not None and m.end > limit:
            pool = f"main_mem_usage {limit}" if m.pool == POOL_MAIN else "the 2 MiB KPU RAM"
            raise KccError(f"{m.role} range [{m.start}, {m.end}) runs past {pool}", op=what, index=index)


def read_kmodel_v3(data: bytes, *, check_first_layer: bool = True) -> KModelV3:
    """Parse and validate a whole kmodel v3 file. Raises `KccError` with one line on any violation."""
    r = ByteReader(data, 0, len(data), "kmodel v3 header")
    if len(data) < HEADER_BYTES:
        raise r.error(f"file is {len(data)} bytes, shorter than the {HEADER_BYTES}-byte header")
    header = Header(
        *(r.u32(n) for n in ("version", "flags", "arch", "layers_length", "max_start_address", "main_mem_usage", "output_count"))
    )
    if header.version != VERSION:
        raise r.error(f"version {header.version} is not 3")
    if header.arch != 0:
        raise r.error(f"arch {header.arch} is not 0 (the SDK runtime rejects it)")
    if header.main_mem_usage > SRAM_BYTES:
        raise r.error(f"main_mem_usage {header.main_mem_usage} exceeds the K210's {SRAM_BYTES} bytes of SRAM")
    if header.max_start_address > 32768:
        raise r.error(f"max_start_address {header.max_start_address} is beyond KPU line 32768")
    if header.layers_length == 0:
        raise r.error("layers_length is 0")
    tables = 8 * header.output_count + 8 * header.layers_length
    if HEADER_BYTES + tables > len(data):
        raise r.error(
            f"{header.output_count} outputs + {header.layers_length} layers need {tables} table bytes, "
            f"file has {len(data) - HEADER_BYTES} after the header"
        )
    r.what = "kmodel v3 output table"
    outputs = tuple(Output(r.u32("address"), r.u32("size")) for _ in range(header.output_count))
    for i, o in enumerate(outputs):
        if o.address + o.size > header.main_mem_usage:
            raise KccError(
                f"output range [{o.address}, {o.address + o.size}) runs past main_mem_usage {header.main_mem_usage}",
                op="output",
                index=i,
            )
    r.what = "kmodel v3 layer table"
    heads = [(r.u32("type"), r.u32("body_size")) for _ in range(header.layers_length)]
    body_start = r.pos
    layers: list[Layer] = []
    for i, ltype, size, off, end, what in walk_bodies(data, heads, body_start, type_name, "layer", "kmodel v3"):
        body = _body(ByteReader(data, off, end, what, i), ltype, header, data)
        _check_ranges(body.ranges(), header, what, i)
        layers.append(Layer(i, ltype, size, off, bytes(data[off:end]), body))
    if check_first_layer and layers[0].type not in (T.K210_CONV, T.FULLY_CONNECTED):
        raise KccError(
            "the SDK runtime only starts models whose first layer is KL_K210_CONV or KL_FULLY_CONNECTED",
            op=layers[0].name,
            index=0,
        )
    return KModelV3(header, outputs, tuple(layers), body_start, len(data))
