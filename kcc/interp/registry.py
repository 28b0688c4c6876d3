"""Every dialect's interpreter functions, in one list."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions


def all_functions() -> list[InterpreterFunctions]:
    from kcc.interp.kpu import FUNCTIONS as KPU_FUNCTIONS
    from kcc.interp.nn import FUNCTIONS as NN_FUNCTIONS

    return [cls() for cls in (*NN_FUNCTIONS, *KPU_FUNCTIONS)]
