"""`fold-constants`: evaluate `nn` ops whose operands are all `nn.const` at compile time.

Each such op runs once in `kcc.interp` (the oracle: the folded value is exactly what the program would have
computed) and is replaced by an `nn.const` of its results, with the result types unchanged (quantized types
included). `nn` ops have no side effects, so every one of them may be folded. An op whose results would take
more than `max-bytes` bytes stays, so folding cannot blow up the size of the program (a broadcast, pad or
tile of a small constant can be huge).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.interpreter import Interpreter
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.traits import Pure

from kcc.dialects.nn.base import NNOp
from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.types import numpy_dtype

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def result_bytes(op: Operation) -> int | None:
    """Bytes of all results of `op` (None when a result is not a static tensor)."""
    total = 0
    for r in op.results:
        t = r.type
        if not isinstance(t, TensorType):
            return None
        shape = [int(d) for d in t.get_shape()]
        if any(d < 0 for d in shape):
            return None
        total += prod(shape) * numpy_dtype(t.element_type).itemsize
    return total


@dataclass
class FoldConstantOp(RewritePattern):
    """op(nn.const, ...) -> nn.const of the op's results, computed by the interpreter."""

    interpreter: Interpreter
    max_bytes: int

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, NNOp) or isinstance(op, ConstOp) or not op.has_trait(Pure) or not op.operands:
            return
        consts: list[ConstOp] = []
        for v in op.operands:
            owner = v.owner
            if not isinstance(owner, ConstOp):
                return
            consts.append(owner)
        size = result_bytes(op)
        if size is None or size > self.max_bytes:
            return
        values = self.interpreter.run_op(op, tuple(c.to_numpy() for c in consts))
        new_ops: list[ConstOp] = []
        for value, result in zip(values, op.results, strict=True):
            new = const_from_numpy(np.asarray(value), result.type)
            new.output.name_hint = result.name_hint
            new_ops.append(new)
        rewriter.replace(op, new_ops, [c.output for c in new_ops])


@dataclass(frozen=True)
class FoldConstantsPass(ModulePass):
    """Evaluate nn ops whose operands are all constants (results up to max-bytes) into nn.const."""

    name = "fold-constants"
    max_bytes: int = DEFAULT_MAX_BYTES

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from kcc.interp import make_interpreter

        pattern = FoldConstantOp(make_interpreter(op), self.max_bytes)
        PatternRewriteWalker(GreedyRewritePatternApplier([pattern])).rewrite_module(op)
