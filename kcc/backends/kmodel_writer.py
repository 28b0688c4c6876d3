"""kmodel file bytes from a lowered `kmodel.program` module, with the alignments nncase-written files use.

* v3 (nncase v0.1): bodies start 8-aligned (absolute); inside a K210_CONV body the register block is 8-aligned,
  the weights and the BN table 128-aligned and the activation table 256-aligned (absolute file offsets,
  `file_offsets`).
* v4 (nncase v0.2): inside a kpu_conv2d body the BN table, the activation table and the weights sit at
  absolute 256-aligned offsets; the layer argument's `bwsx_base_addr` / `active_addr` / `para_start_addr`
  hold the padding byte counts before each of them.

`write_kmodel` fixes those fields node by node (each body's position depends on the ones before) on a copy
of the program and encodes it with `kcc.backends.kmodel_dialect.program_to_bytes`; deterministic.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from typing import cast

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp

from kcc.backends.kmodel_dialect import encode_body, find_program, program_to_bytes
from kcc.dialects.kmodel import ProgramOp, v3, v4
from kcc.dialects.kmodel.fields import Field, dense_attr, dense_bytes, to_attr
from kcc.k210.layer_argument import LayerArgument

V3_CONV_ALIGN = (8, 128, 128, 256)  # register block, weights, BN, activation (absolute file offsets)
V4_KPU_ALIGN = 256  # BN, activation, weights


def _up(n: int, a: int) -> int:
    return -(-n // a) * a


def _header_size(program: ProgramOp) -> int:
    nodes = len(program.nodes)
    outs = len(program.value("outputs"))
    if program.kmodel_version == 3:
        return 28 + 8 * outs + 8 * nodes
    ins = len(program.value("inputs") or [])
    consts = program.properties.get("constants")
    nconst = len(dense_bytes(cast(DenseIntOrFPElementsAttr, consts))) if consts is not None else 0
    return 40 + 32 * ins + 16 * outs + nconst + 8 * nodes


def _v3_offsets(node: v3.K210ConvOp, offset: int) -> list[int]:
    pos, placed = offset + 24, list[int]()
    for prop, align in zip(("layer_argument", "weights", "batch_norm", "activation"), V3_CONV_ALIGN, strict=True):
        pos = _up(pos, align)
        placed.append(pos)
        pos += len(dense_bytes(cast(DenseIntOrFPElementsAttr, node.properties[prop])))
    return placed


def _v4_padded(node: v4.KpuConv2dOp, offset: int) -> None:
    words = np.frombuffer(dense_bytes(cast(DenseIntOrFPElementsAttr, node.properties["layer_argument"])), dtype="<u8")
    arg = LayerArgument.decode(struct.pack("<12Q", *(int(w) for w in words)))
    pos = offset + 16 + 8 + 96
    pads: list[int] = []
    for prop in ("batch_norm", "activation", "weights"):
        pad = _up(pos, V4_KPU_ALIGN) - pos
        pads.append(pad)
        pos += pad + len(dense_bytes(cast(DenseIntOrFPElementsAttr, node.properties[prop])))
    arg = replace(arg, bwsx_base_addr=pads[0], active_addr=pads[1], para_start_addr=pads[2])
    node.properties["layer_argument"] = dense_attr(np.frombuffer(arg.encode(), dtype="<u8"), "<u8")


def layout_program(program: ProgramOp) -> ProgramOp:
    """A copy of `program` with the KPU blocks at the alignments nncase uses (see the module docstring)."""
    program = program.clone()
    offset = _header_size(program)
    for node in program.nodes:
        if isinstance(node, v3.K210ConvOp):
            node.properties["file_offsets"] = to_attr(Field("file_offsets", "ints", count=4), _v3_offsets(node, offset))
        elif isinstance(node, v4.KpuConv2dOp):
            _v4_padded(node, offset)
        size = node.value("body_size")
        if size is None:
            size = _up(offset + len(encode_body(node, offset)), 8) - offset
        offset += size
    return program


def write_kmodel(program_module: ModuleOp) -> bytes:
    """The kmodel file of the one `kmodel.program` in `program_module` (v3 or v4); deterministic."""
    return program_to_bytes(layout_program(find_program(program_module)))


__all__ = ["layout_program", "write_kmodel"]
