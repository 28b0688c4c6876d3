"""Interpreter functions of the `nn` dialect, one module per op family (mirrors kcc/dialects/nn/)."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions

from kcc.interp.nn.const import ConstFunctions
from kcc.interp.nn.conv import ConvFunctions
from kcc.interp.nn.elementwise import ElementwiseFunctions
from kcc.interp.nn.movement import MovementFunctions
from kcc.interp.nn.pool import PoolFunctions
from kcc.interp.nn.quant import QuantFunctions

FUNCTIONS: list[type[InterpreterFunctions]] = [
    ConstFunctions,
    ConvFunctions,
    PoolFunctions,
    ElementwiseFunctions,
    MovementFunctions,
    QuantFunctions,
]
