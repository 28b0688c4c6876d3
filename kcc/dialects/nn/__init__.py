"""The `nn` dialect: framework-neutral tensor ops in NCHW, float32 or quantized.

Ops live in one module per family (const, conv, pool, elementwise, movement, quant); each module lists its
ops in `OPS` and exports its public names in `__all__`. This package assembles the dialect from them.
"""

from __future__ import annotations

from xdsl.ir import Dialect

from kcc.dialects.nn import const, conv, elementwise, movement, pool, quant
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.const import *  # noqa: F403
from kcc.dialects.nn.conv import *  # noqa: F403
from kcc.dialects.nn.elementwise import *  # noqa: F403
from kcc.dialects.nn.movement import *  # noqa: F403
from kcc.dialects.nn.pool import *  # noqa: F403
from kcc.dialects.nn.quant import *  # noqa: F403
from kcc.dialects.nn.types import PerChannelQuantType, QuantType

FAMILIES = (const, conv, pool, elementwise, movement, quant)
ALL_OPS = [op for family in FAMILIES for op in family.OPS]

NN = Dialect("nn", ALL_OPS, [QuantType, PerChannelQuantType, ActivationAttr])
