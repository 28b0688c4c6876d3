"""Interpreter functions of the pool family."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions, register_impls


@register_impls
class PoolFunctions(InterpreterFunctions):
    pass
