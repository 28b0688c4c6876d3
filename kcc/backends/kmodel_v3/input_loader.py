"""The first layer of a kmodel v3 program when the function does not start the way the SDK runtime wants.

The SDK runtime (`kpu_run_kmodel`, spec k210-kpu-and-kmodel-v3.md §4.2 / §5.8) starts a v3 program only with
a K210_CONV (the uint8 CHW input is uploaded to its `image_src_addr`) or a FULLY_CONNECTED (the float input
is copied to its `main_mem_in_address`, `in_channels` floats). When the function's first use of its input is
something else (a constant `nn.pad` of the image, say), a loader layer puts the input where the plan has it
(`kcc.arg_offsets`) and everything after lowers as usual:

* uint8 input CxHxW: an identity K210_CONV (1x1, weights the identity matrix, BN mul 1 / add 0 / shift 0,
  activation t for t > 0 and 0 otherwise) on the uploaded image at KPU line 0, its output map right after
  the input map, MAIN_MEM_OUT to the input's main-RAM offset. Exact: the ALU is Σ x·1 = x, BN and the
  activation keep it, under either segment-boundary reading (`start < t` or `start ≤ t`).
* float input of N values: a FULLY_CONNECTED with `in_channels` N and `out_channels` 0 whose input address
  is the input's offset: the runtime copies the N floats there, the layer itself computes nothing.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import BlockArgument

from kcc.backends.kmodel_lowering import Lowering, shape_of
from kcc.dialects.kmodel import v3
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.k210 import limits
from kcc.k210.kpu_ram import KPU_LINE_BYTES, map_lines
from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.tables import SEGMENT0_START, ActivationTable, BatchNormTable

__all__ = ["identity_activation", "load_input"]


def identity_activation() -> ActivationTable:
    """Segment 0 (t ≤ 0): 0; segments 1-15 start at 0 with mul 1, shift 0: t. So y = t on 0..255."""
    starts = np.array([SEGMENT0_START] + [0] * 15, dtype=np.int64)
    mul = np.array([0] + [1] * 15, dtype=np.int64)
    return ActivationTable(starts, mul, np.zeros(16, np.int64), np.zeros(16, np.int64))


def load_input(lw: Lowering, arg: BlockArgument) -> None:
    """Emit the loader layer of `arg` (see the module docstring)."""
    where = lw.loc(arg, lw.ops[0])
    shape = shape_of(arg)
    if where.element == "f32":
        n = int(np.prod(shape))
        lw.emit(
            v3.FullyConnectedOp,
            lw.ops[0],
            flags=0,
            input=where,
            output=RangeAttr("main", where.start, 0, "f32"),
            in_channels=n,
            out_channels=0,
            act=0,
            weights=np.zeros(0, np.float32),
            bias=np.zeros(0, np.float32),
        )
        return
    if where.element != "u8" or len(shape) != 4 or shape[0] != 1:
        raise lw.err(
            lw.ops[0],
            f"kmodel v3 takes a float vector or a uint8 1xCxHxW image, the input is {list(shape)} {where.element}",
            hint="use --kmodel-version 4",
        )
    _, c, h, w = shape
    if not (
        limits.MIN_SPATIAL <= h <= limits.MAX_HEIGHT_PRACTICAL
        and limits.MIN_SPATIAL <= w <= limits.MAX_WIDTH_PRACTICAL
        and c <= limits.MAX_CHANNELS
    ):
        raise lw.err(
            lw.ops[0],
            f"kmodel v3 uploads the input to a KPU layer: {c}x{h}x{w} is outside 1..{limits.MAX_CHANNELS} channels, "
            f"{limits.MIN_SPATIAL}..{limits.MAX_HEIGHT_PRACTICAL} rows, "
            f"{limits.MIN_SPATIAL}..{limits.MAX_WIDTH_PRACTICAL} columns",
            hint="use --kmodel-version 4",
        )
    lines = map_lines(c, h, w)
    arg_words = make_layer_argument(
        in_channels=c, out_channels=c, height=h, width=w, kernel=1, src_addr=0, dst_addr=lines, send_data_out=True
    )
    words = np.frombuffer(arg_words.encode(), dtype="<u8").copy()
    lw.emit(
        v3.K210ConvOp,
        lw.ops[0],
        flags=1,
        main_out=RangeAttr("main", where.start, c * h * w, "u8"),
        layer_argument=words,
        weights=np.eye(c, dtype=np.uint8).reshape(-1),
        batch_norm=np.frombuffer(BatchNormTable.identity(c).encode(), dtype="<u8").copy(),
        activation=np.frombuffer(identity_activation().encode(), dtype="<u8").copy(),
        input=RangeAttr("kpu", 0, lines * KPU_LINE_BYTES, "u8"),
        output=RangeAttr("kpu", lines * KPU_LINE_BYTES, lines * KPU_LINE_BYTES, "u8"),
    )
