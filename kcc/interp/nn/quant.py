"""Interpreter functions of the quant family."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions, register_impls


@register_impls
class QuantFunctions(InterpreterFunctions):
    pass
