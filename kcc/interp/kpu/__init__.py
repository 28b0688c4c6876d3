"""Interpreter functions of the `kpu` dialect (mirrors kcc/dialects/kpu/); `!kpu.ram` values are KpuMap."""

from __future__ import annotations

from xdsl.interpreter import InterpreterFunctions

from kcc.interp.kpu.ops import KpuFunctions
from kcc.interp.kpu.values import KpuMap

FUNCTIONS: list[type[InterpreterFunctions]] = [KpuFunctions]

__all__ = ["FUNCTIONS", "KpuMap"]
