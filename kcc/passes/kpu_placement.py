"""The placement report of `kpu-legalize`: for every op of the original program, KPU or CPU, its MACs, and for
CPU ops the rule that kept it off the KPU; plus the fraction of MACs placed on the KPU.

How ops are followed through the rewrite: before legalizing, every op of the input gets a discardable
`kcc.origin = N` attribute (N = its index among the function's ops, constants and terminators excluded);
every op a pattern inserts inherits the origin of the op being rewritten. After the rewrite, an original op is

* `KPU` when what is left of it is `kpu.fake_conv2d` ops (plus data-movement glue: pad, slice, concat, reshape),
* `CPU` when what is left of it is nn compute ops (the reason is the rule the first of them breaks),
* `KPU+CPU` when both (e.g. a conv with a fused sigmoid: the conv on the KPU, the sigmoid after it on the CPU),
* fused into another op (`fused into #N`, e.g. a pool folded into the conv before it) — it then counts where
  that op is — or `removed` (dead code).

MACs (multiply-accumulates) are counted on the original op: convolutions and matrix products their true MACs;
pools `window x outputs`; elementwise ops, activations and batch norm one per output element; data movement 0.
An op split between KPU and CPU counts the MACs of its CPU part (same rules) on the CPU and the rest on the KPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import prod

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation

from kcc.dialects.kpu.ops import FakeConv2dOp
from kcc.dialects.nn.base import ints
from kcc.dialects.nn.conv import BatchNormOp, Conv2dOp, ConvTranspose2dOp, FullyConnectedOp, MatMulOp
from kcc.dialects.nn.elementwise import BinaryOp, PReluOp, SoftmaxOp, UnaryOp
from kcc.dialects.nn.movement import (
    BatchToSpaceOp,
    ConcatOp,
    DepthToSpaceOp,
    PadOp,
    ReshapeOp,
    SliceOp,
    SpaceToBatchOp,
    SpaceToDepthOp,
    SplitOp,
    TransposeOp,
)
from kcc.dialects.nn.pool import Pool2dOp, ReduceOp

__all__ = ["DATA_MOVEMENT", "PlacementRow", "Report", "device_transitions", "is_data_movement", "macs"]

ORIGIN_ATTR = "kcc.origin"

DATA_MOVEMENT: tuple[type[Operation], ...] = (
    PadOp,
    SliceOp,
    ConcatOp,
    SplitOp,
    ReshapeOp,
    TransposeOp,
    SpaceToBatchOp,
    BatchToSpaceOp,
    DepthToSpaceOp,
    SpaceToDepthOp,
)
"""nn ops that only move values (no arithmetic): glue around KPU convs, never a reason for a CPU placement."""


def is_data_movement(op: Operation) -> bool:
    return isinstance(op, DATA_MOVEMENT)


def _shape(t: object) -> tuple[int, ...]:
    assert isinstance(t, TensorType)
    return tuple(int(d) for d in t.get_shape())  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]


def _elements(op: Operation) -> int:
    return sum(prod(_shape(r.type)) for r in op.results if isinstance(r.type, TensorType))


def macs(op: Operation) -> int:
    """Multiply-accumulates of one op (see the module docstring for what counts)."""
    if isinstance(op, Conv2dOp):
        o, ci, kh, kw = _shape(op.weight.type)
        return prod(_shape(op.output.type)) * ci * kh * kw
    if isinstance(op, FakeConv2dOp):
        n, _c, h, w = _shape(op.input.type)
        o, ci, kh, kw = _shape(op.weight.type)
        return n * o * h * w * ci * kh * kw
    if isinstance(op, ConvTranspose2dOp):
        ci, og, kh, kw = _shape(op.weight.type)
        return prod(_shape(op.input.type)) // ci * ci * og * kh * kw
    if isinstance(op, FullyConnectedOp):
        return prod(_shape(op.output.type)) * _shape(op.weight.type)[1]
    if isinstance(op, MatMulOp):
        lhs = _shape(op.lhs.type)
        return prod(_shape(op.output.type)) * (lhs[-1] if lhs else 1)
    if isinstance(op, Pool2dOp):
        return prod(_shape(op.output.type)) * prod(ints(op.kernel))
    if isinstance(op, ReduceOp):
        return prod(_shape(op.input.type))
    if isinstance(op, UnaryOp | BinaryOp | PReluOp | SoftmaxOp | BatchNormOp):
        return _elements(op)
    return 0


@dataclass
class PlacementRow:
    """One op of the original program."""

    index: int
    name: str  # the op's result name in the input (`%conv_3`), or `-` without one
    op_name: str
    macs: int
    placement: str = "CPU"  # KPU, CPU, KPU+CPU, fused, removed
    kpu_macs: int = 0
    detail: str = ""  # for CPU parts: the rule that failed; for KPU: what it became
    fused_into: int | None = None

    def line(self) -> str:
        where = self.placement if self.fused_into is None else f"{self.placement} (fused into #{self.fused_into})"
        text = f"#{self.index} {self.name} {self.op_name}: {where}, {self.macs} MACs"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class Report:
    """The placement of every op of the original program, in program order."""

    rows: list[PlacementRow] = field(default_factory=lambda: list[PlacementRow]())

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def kpu_macs(self) -> int:
        return sum(r.kpu_macs for r in self.rows)

    @property
    def kpu_fraction(self) -> float:
        """KPU MACs / all MACs (1.0 for a program without MACs)."""
        total = self.total_macs
        return 1.0 if total == 0 else self.kpu_macs / total

    def cpu_rows(self) -> list[PlacementRow]:
        return [r for r in self.rows if r.placement in ("CPU", "KPU+CPU")]

    def lines(self) -> Sequence[str]:
        kpu = sum(1 for r in self.rows if r.placement == "KPU")
        head = f"kpu-legalize placement: {len(self.rows)} ops, {kpu} on the KPU, {len(self.cpu_rows())} on the CPU"
        tail = f"KPU MAC fraction: {self.kpu_fraction:.4f} ({self.kpu_macs} of {self.total_macs} MACs)"
        return [head, *(r.line() for r in self.rows), tail]

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"


def device_transitions(ops: Sequence[Operation]) -> int:
    """How often execution switches between the KPU (`kpu.fake_conv2d`) and the CPU (any other compute op) along
    `ops` (a legalized function body in program order); constants, terminators and data movement do not count."""
    last, switches = None, 0
    for op in ops:
        if isinstance(op, FakeConv2dOp):
            device = "KPU"
        elif op.name.startswith("nn.") and op.name != "nn.const" and not is_data_movement(op):
            device = "CPU"
        else:
            continue
        if last is not None and device != last:
            switches += 1
        last = device
    return switches
