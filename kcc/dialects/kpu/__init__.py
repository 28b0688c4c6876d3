"""The `kpu` dialect: what the K210's KPU executes, and the moves between main RAM and KPU RAM.

* `kpu.fake_conv2d` — float32, NCHW: a conv that already obeys every KPU rule (kernel 1x1/3x3, stride 1
  with down-sampling through the pool unit, symmetric "same" padding, bias + one activation (16-segment table)
  + one KPU pool code fused, channel and size limits). `kpu-legalize` produces it; it runs in float.
* `kpu.conv2d` — its quantized, bit-exact twin: KPU RAM map in, KPU RAM map out, uint8/uint16 weights, and
  the 12-word layer argument, BN table and 16-segment activation table as attributes.
* `kpu.upload` / `kpu.download` — a dense `1xCxHxW` uint8 tensor in main RAM to a `!kpu.ram` map in KPU RAM
  (64-byte line layout) and back.

Values resident in KPU RAM have their own type, `!kpu.ram<1xCxHxWxT[, line N]>`, so `kpu.conv2d` can only
read what was uploaded or computed by the KPU, and the placement chosen by `plan-memory` (`line`) is part of
the type. All chip facts (limits, layouts, arithmetic) come from `kcc.k210`; nothing is re-derived here.
"""

from __future__ import annotations

from xdsl.ir import Dialect, Operation

from kcc.dialects.kpu.attrs import ActivationTableAttr, BatchNormTableAttr, LayerArgumentAttr, PoolAttr, PoolKind
from kcc.dialects.kpu.ops import KPU_ACTIVATIONS, OPS, Conv2dOp, DownloadOp, FakeConv2dOp, KpuOp, UploadOp
from kcc.dialects.kpu.types import KpuRamType

ALL_OPS: list[type[Operation]] = list(OPS)

KPU = Dialect("kpu", ALL_OPS, [KpuRamType, PoolAttr, LayerArgumentAttr, BatchNormTableAttr, ActivationTableAttr])

__all__ = [
    "ALL_OPS",
    "KPU",
    "KPU_ACTIVATIONS",
    "ActivationTableAttr",
    "BatchNormTableAttr",
    "Conv2dOp",
    "DownloadOp",
    "FakeConv2dOp",
    "KpuOp",
    "KpuRamType",
    "LayerArgumentAttr",
    "PoolAttr",
    "PoolKind",
    "UploadOp",
]
