"""Interpreter functions of the `kpu` ops.

* `kpu.fake_conv2d`: float64 conv (kcc.interp.kernels.conv, "same" padding for 3x3), bias, the fused
  activation, then the KPU pool code in float (kcc.k210.pool_float); float32 result.
* `kpu.conv2d`: kcc.k210.kpu_layer.run_layer on a copy of the input map's RAM, i.e. read with the input
  layout registers at image_src_addr, bit-exact arithmetic, write-back at image_dst_addr.
* `kpu.upload` / `kpu.download`: kcc.k210.kpu_ram.upload / download at the map's line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.kpu.ops import Conv2dOp, DownloadOp, FakeConv2dOp, UploadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.interp.activation import apply_activation
from kcc.interp.kernels.conv import conv2d_nchw
from kcc.interp.kpu.values import KpuMap, as_kpu_map
from kcc.k210.kpu_layer import run_layer
from kcc.k210.pool_float import pool_float


def _ram_type(t: object) -> KpuRamType:
    assert isinstance(t, KpuRamType)
    return t


@register_impls
class KpuFunctions(InterpreterFunctions):
    @impl(FakeConv2dOp)
    def run_fake_conv2d(self, interpreter: Interpreter, op: FakeConv2dOp, args: tuple[Any, ...]) -> PythonValues:
        x, w, b = (np.asarray(a) for a in args)
        k = op.kernel_size
        pad = (k - 1) // 2
        groups = x.shape[1] if op.is_depthwise else 1
        y = conv2d_nchw(x, w, b, (1, 1), (pad, pad, pad, pad), (1, 1), groups)
        y = apply_activation(y, op.act)
        return (pool_float(y, op.pool_code).astype(np.float32),)

    @impl(Conv2dOp)
    def run_conv2d(self, interpreter: Interpreter, op: Conv2dOp, args: tuple[Any, ...]) -> PythonValues:
        x = as_kpu_map(args[0], _ram_type(op.input.type))
        arg = op.layer_argument
        ram = x.ram.copy()
        run_layer(ram, arg, np.asarray(args[1]), op.bn.table, op.act.table)
        c, h, w = _ram_type(op.output.type).chw
        return (KpuMap(ram, arg.image_dst_addr, c, h, w),)

    @impl(UploadOp)
    def run_upload(self, interpreter: Interpreter, op: UploadOp, args: tuple[Any, ...]) -> PythonValues:
        line = _ram_type(op.output.type).line_value or 0
        return (KpuMap.upload(np.asarray(args[0]), line),)

    @impl(DownloadOp)
    def run_download(self, interpreter: Interpreter, op: DownloadOp, args: tuple[Any, ...]) -> PythonValues:
        return (as_kpu_map(args[0], _ram_type(op.input.type)).download(),)
