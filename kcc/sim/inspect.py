"""Human-readable dump of a parsed kmodel (`kcc inspect`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from kcc.backends import KModelV3, KModelV4
from kcc.backends._kpu import KpuGeometry
from kcc.backends.kmodel_v3 import format as f3
from kcc.backends.kmodel_v4 import format as f4
from kcc.sim import input_specs, output_dtypes


def _params(body: object) -> str:
    parts: list[str] = []
    for f in dataclasses.fields(body):  # type: ignore[arg-type]
        v = getattr(body, f.name)
        if f.name in ("arg", "bn", "act", "geometry", "code") or isinstance(v, bytes | f4.MemoryRange):
            continue
        if isinstance(v, np.ndarray):
            arr = np.asarray(v)
            if arr.size and arr.dtype.kind == "f":
                parts.append(f"{f.name}={arr.dtype}{list(arr.shape)} [{float(arr.min()):.6g}, {float(arr.max()):.6g}]")
            else:
                parts.append(f"{f.name}={arr.dtype}{list(arr.shape)}")
        elif isinstance(v, tuple) and len(v) > 8:
            parts.append(f"{f.name}=({len(v)} items)")
        else:
            parts.append(f"{f.name}={v}")
    return ", ".join(parts)


def _kpu(g: KpuGeometry, body: f3.K210ConvBody | f4.KpuConv2dBody) -> list[str]:
    a = body.arg
    kind = "depthwise" if g.depthwise else "conv"
    lines = [
        f"      kpu: {kind} {g.kernel}x{g.kernel} {g.in_channels}x{g.in_height}x{g.in_width} -> "
        f"{g.out_channels}x{g.out_height}x{g.out_width} pool={g.pool_name} pad_value={g.pad_value}",
        f"      alu: arg_x={a.arg_x} shr_x={a.shr_x} arg_w={a.arg_w} shr_w={a.shr_w} arg_add={a.arg_add}; "
        f"loads={g.load_time} x {g.para_size} B ({g.out_channels_per_load} ch); "
        f"in layout g{g.in_groups}/r{g.in_row_len}/c{g.in_ch_lines}, out g{g.out_groups}/r{g.out_row_len}/c{g.out_ch_lines}",
        f"      bn: mul [{int(body.bn.norm_mul.min())}, {int(body.bn.norm_mul.max())}] shift "
        f"[{int(body.bn.norm_shift.min())}, {int(body.bn.norm_shift.max())}]; act: "
        + " ".join(
            f"{int(s)}:{int(m)}>>{int(sh)}+{int(b)}"
            for s, m, sh, b in zip(body.act.start_x, body.act.mul, body.act.shift, body.act.add, strict=True)
            if m or b
        ),
    ]
    return lines


def inspect_text(model: KModelV3 | KModelV4, path: str = "") -> str:
    out: list[str] = []
    kpu_n = cpu_n = 0
    wbytes = 0
    if isinstance(model, KModelV3):
        h = model.header
        out.append(f"{path}: kmodel v3, {model.file_size} bytes")
        out.append(
            f"header: version={h.version} flags={h.flags:#x} ({'8' if h.eight_bit else '16'}-bit weights) arch={h.arch} "
            f"layers={h.layers_length} max_start_address={h.max_start_address} main_mem_usage={h.main_mem_usage} "
            f"outputs={h.output_count}"
        )
        out.append(
            f"sections: header [0, 28) output table [28, {28 + 8 * h.output_count}) layer table "
            f"[{28 + 8 * h.output_count}, {model.body_start}) bodies [{model.body_start}, {model.file_size})"
        )
        for s in input_specs(model):
            out.append(f"input: {s.dtype}{list(s.shape)} at {s.where}")
        for i, (o, dt) in enumerate(zip(model.outputs, output_dtypes(model), strict=True)):
            out.append(f"output {i}: main[{o.address:#x}..{o.address + o.size:#x}) {o.size} bytes {dt}")
        out.append("layers:")
        nodes: tuple[f3.Layer, ...] | tuple[f4.Node, ...] = model.layers
    else:
        h = model.header
        out.append(f"{path}: kmodel v4, {model.file_size} bytes")
        out.append(
            f"header: identifier='KMDL' version={h.version} flags={h.flags} target={h.target} constants={h.constants} "
            f"main_mem={h.main_mem} nodes={h.nodes} inputs={h.inputs} outputs={h.outputs} reserved0={h.reserved0:#x}"
        )
        out.append(
            f"sections: inputs [40, {40 + 32 * h.inputs}) outputs [{40 + 32 * h.inputs}, {model.constants_offset}) "
            f"constants [{model.constants_offset}, {model.constants_offset + h.constants}) node table "
            f"[{model.constants_offset + h.constants}, {model.bodies_start}) bodies [{model.bodies_start}, {model.file_size})"
        )
        for i, (r, s) in enumerate(zip(model.inputs, model.input_shapes, strict=True)):
            out.append(f"input {i}: {r.ref('in')} shape {list(s)}")
        for i, r in enumerate(model.outputs):
            out.append(f"output {i}: {r.ref('out')}")
        out.append("nodes:")
        nodes = model.nodes
    for node in nodes:
        b = node.body
        out.append(f"  #{node.index} {node.name} ({'KPU' if node.is_kpu else 'CPU'}) body @{node.offset} size {node.body_size}")
        out.append(f"      {_params(b)}")
        if isinstance(b, f3.K210ConvBody | f4.KpuConv2dBody):
            out.extend(_kpu(b.geometry, b))
            wbytes += b.weights.nbytes + len(b.bn_raw) + len(b.act_raw)
            kpu_n += 1
        else:
            cpu_n += 1
        out.extend(f"      {r}" for r in b.ranges())
    out.append(f"summary: {kpu_n} KPU node(s), {cpu_n} CPU node(s), {wbytes} bytes of KPU weights/BN/activation tables")
    return "\n".join(out) + "\n"
