"""Checks shared by `kmodel.v3.k210_conv` and `kmodel.v4.kpu_conv2d`: the 12-word layer argument against
the KPU RAM ranges, weights, BN and activation tables the op names."""

from __future__ import annotations

import struct

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.fields import dense_array
from kcc.k210.layer_argument import LayerArgument

KPU_LINE = 64


def layer_argument(attr: DenseIntOrFPElementsAttr) -> LayerArgument:
    words = dense_array(attr)
    if words.shape != (12,):
        raise VerifyException(f"layer_argument must hold 12 u64 words, got shape {list(words.shape)}")
    return LayerArgument.decode(struct.pack("<12Q", *(int(w) for w in words)))


def kpu_map_bytes(channels: int, groups: int, channel_lines: int) -> int:
    g = max(groups, 1)
    return -(-channels // g) * channel_lines * KPU_LINE


def check_kpu_layer(
    arg_attr: DenseIntOrFPElementsAttr,
    weights: DenseIntOrFPElementsAttr,
    bn: DenseIntOrFPElementsAttr,
    act: DenseIntOrFPElementsAttr,
    src: RangeAttr,
    dst: RangeAttr,
    batches: int,
) -> LayerArgument:
    """Input/output KPU ranges, weight count, BN entries and activation size as the registers say."""
    arg = layer_argument(arg_attr)
    if arg.kernel_type not in (0, 1):
        raise VerifyException(f"layer_argument kernel_type {arg.kernel_type} is not 0 (1x1) or 1 (3x3)")
    in_bytes = kpu_map_bytes(arg.in_channels, arg.coef_group, arg.channel_switch_addr) * batches
    out_bytes = kpu_map_bytes(arg.out_channels, arg.wb_group, arg.wb_channel_switch_addr) * batches
    for role, r, line, nbytes in (
        ("input", src, arg.image_src_addr, in_bytes),
        ("output", dst, arg.image_dst_addr, out_bytes),
    ):
        want = ("kpu", line * KPU_LINE, nbytes, "u8")
        got = (r.pool_name, r.start, r.nbytes, r.element)
        if got != want:
            raise VerifyException(
                f"{role} range {r} differs from the layer argument's #kmodel.range<kpu, {want[1]}, {want[2]}, u8> "
                f"(line {line}, {nbytes} bytes)"
            )
    nw = int(np.prod(weights.get_shape()))
    if nw != arg.weight_count:
        raise VerifyException(f"weights hold {nw} values, the layer argument needs {arg.weight_count}")
    nbn = int(np.prod(bn.get_shape()))
    if nbn != arg.out_channels:
        raise VerifyException(f"batch_norm holds {nbn} entries, the layer has {arg.out_channels} output channels")
    nact = int(np.prod(act.get_shape()))
    if nact != 18:
        raise VerifyException(f"activation must hold 18 u64 words (144 bytes), got {nact}")
    return arg


__all__ = ["check_kpu_layer", "kpu_map_bytes", "layer_argument"]
