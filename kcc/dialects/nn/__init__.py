"""The `nn` dialect: framework-neutral tensor ops in NCHW, float32 or quantized.

Ops live in one module per family; each module lists its ops in `OPS`, and this package assembles the
dialect from those lists.
"""

from __future__ import annotations

from xdsl.ir import Dialect

from kcc.dialects.nn import const, conv, elementwise
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.const import ConstOp, const_from_numpy, dense_from_numpy, dense_to_numpy
from kcc.dialects.nn.conv import Conv2dOp
from kcc.dialects.nn.elementwise import AddOp, ReluOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType

FAMILIES = (const, conv, elementwise)
ALL_OPS = [op for family in FAMILIES for op in family.OPS]

NN = Dialect("nn", ALL_OPS, [QuantType, PerChannelQuantType, ActivationAttr])

__all__ = [
    "ALL_OPS",
    "NN",
    "ActivationAttr",
    "AddOp",
    "ConstOp",
    "Conv2dOp",
    "PerChannelQuantType",
    "QuantType",
    "ReluOp",
    "const_from_numpy",
    "dense_from_numpy",
    "dense_to_numpy",
]
