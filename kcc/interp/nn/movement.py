"""Interpreter functions of the movement family."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions, register_impls


@register_impls
class MovementFunctions(InterpreterFunctions):
    pass
