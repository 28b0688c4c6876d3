"""The `kmodel` dialect: the flat, allocated program of a kmodel v3 or v4 file.

One `kmodel.program` per file holds the header (version, flags, main memory size, the v4 constants
section), the inputs and outputs as memory ranges, and one op per runtime node in execution order:
`kmodel.v3.*` (one per layer type of the K210 SDK / nncase v0.1 format) or `kmodel.v4.*` (one per
nncase v0.2 opcode). Nodes have no SSA operands: they name memory ranges
`#kmodel.range<pool, offset, size, dtype>` in the `const`, `main` or `kpu` pool, and keep every field of
their body in file order, so that a file read into this dialect can be written back byte for byte.

    kcc inspect model.kmodel --mlir                                   # a file as a kmodel module
    kcc.backends.kmodel_dialect.model_to_module(load_kmodel(path))   # the same in Python
    kcc.backends.kmodel_dialect.module_to_model(module)              # back to the reader's dataclasses
    kcc.interp.kmodel.run_program(module, [x])                       # run it on the simulated K210

Verifiers check every range against its pool (main RAM size, constants size, 2 MiB KPU RAM), that it
holds whole elements, and that its size and type agree with the node's own count/shape fields; KPU
layers check their ranges, weight count and table sizes against the 12-word layer argument.
"""

from __future__ import annotations

from xdsl.ir import Dialect, Operation

from kcc.dialects.kmodel import v3, v4
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.program import NodeOp, ProgramOp

ALL_OPS: list[type[Operation]] = [ProgramOp, *v3.OPS, *v4.OPS]

KMODEL = Dialect("kmodel", ALL_OPS, [RangeAttr])

__all__ = ["ALL_OPS", "KMODEL", "NodeOp", "ProgramOp", "RangeAttr", "v3", "v4"]
