"""`nn` ops of the pool family."""

from __future__ import annotations

from kcc.dialects.nn.base import NNOp

OPS: list[type[NNOp]] = []
__all__ = ["OPS"]
