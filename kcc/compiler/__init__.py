"""The `kcc compile` driver: options (options.py), the in-memory pipeline (pipeline.py), the summary (summary.py)."""

from __future__ import annotations

from kcc.compiler.options import CompileOptions
from kcc.compiler.pipeline import CompileResult, StageRecord, compile_model

__all__ = ["CompileOptions", "CompileResult", "StageRecord", "compile_model"]
