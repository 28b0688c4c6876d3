"""`fold-transposes`: cancel the layout transposes that NHWC frontends put around NCHW-only ops.

The TFLite frontend wraps every NCHW-only op (conv, pools, resize, ...) as `transpose [0,3,1,2] -> op ->
transpose [0,2,3,1]` and leaves the layout-agnostic ops on NHWC values. This pass sinks each transpose towards
the results, through ops that do not care about the layout, until it meets its inverse (or a constant, a
reshape that absorbs it, or an op it cannot cross):

* `transpose(transpose(x, p), q)` is one transpose `p[q[i]]`; an identity permutation is no op at all;
* `transpose(nn.const)` is a permuted constant (a per-channel `!nn.qc` axis follows its dimension);
* a reshape of a transpose that only moves unit dims is a reshape of its input; one that only adds or removes
  unit dims becomes `reshape` then `transpose`;
* `op(transpose(x, p))` becomes `transpose(op'(x), p)` for the layout-agnostic ops: unary elementwise ops and
  activations, softmax (axis renumbered), quantize / dequantize / requantize (per-channel axis renumbered),
  pad (pads permuted), slice (bounds permuted), reductions (axes renumbered; with `keepdims false` the
  trailing transpose is over the kept dims, often the identity), split (axis; one transpose per piece),
  concat (axis; every input transposed by `p` or constant), and the broadcasting ops (add, sub, mul, div,
  minimum, maximum, pow, squared_difference, prelu) whose other operand is transposed by the same `p` or
  constant: a constant is aligned to the rank, permuted by the inverse of `p`, and loses its leading unit dims
  again (a [C] constant on NHWC becomes a [C, 1, 1] constant on NCHW), so broadcasting is unchanged.

Cost rule. A transpose moves only when *all* its users accept the move, and only when the move does not
increase the number of transposes the program executes:

    delta = -1 (the moved transpose)
            - (user transposes that compose with it to the identity)
            - (same-permutation transposes of other operands that become unused)
            + (new transposes after rewritten users), where a new transpose whose users are all transposes
              counts 0 (it composes into them)

and the move is made when `delta <= 0`. Moves only go towards the results, and each one either removes a
transpose or pushes it past an op, so the rewriting terminates; the greedy driver runs to a fixpoint, so a
second run changes nothing. Transposes left are those at the graph edges and next to ops that need a layout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from kcc.dialects.nn.base import i64_array, i64_attr, ints, normalize_axis, shape_of
from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.elementwise import BinaryOp, PReluOp, SoftmaxOp, UnaryOp
from kcc.dialects.nn.movement import ConcatOp, PadOp, ReshapeOp, SliceOp, SplitOp, TransposeOp
from kcc.dialects.nn.pool import ReduceOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import PerChannelQuantType
from kcc.passes.permutation import (
    Perm,
    broadcast_operand_const,
    compose,
    inverse,
    is_identity,
    moves_only_unit_dims,
    permute,
    permute_type,
    transpose_const,
    unit_reshape_plan,
)

Rewrite = Callable[[PatternRewriter], None]


def perm_of(op: TransposeOp) -> Perm:
    return ints(op.perm)


def _transposed_by(value: SSAValue, perm: Perm) -> TransposeOp | None:
    owner = value.owner
    return owner if isinstance(owner, TransposeOp) and perm_of(owner) == perm else None


def _const(value: SSAValue) -> ConstOp | None:
    owner = value.owner
    return owner if isinstance(owner, ConstOp) else None


def _new_transpose_cost(value: SSAValue) -> int:
    """1 for a transpose placed on `value`, 0 when every user of `value` is a transpose (it composes into them)."""
    return 0 if all(isinstance(use.operation, TransposeOp) for use in value.uses) else 1


def _is_per_channel(value: SSAValue) -> bool:
    t = value.type
    return isinstance(t, TensorType) and isinstance(t.element_type, PerChannelQuantType)


@dataclass
class _UserMove:
    """How one user of the moved transpose is rewritten, and what that costs."""

    rewrite: Rewrite
    new_transposes: int = 0
    removed_transposes: int = 0
    absorbed: list[TransposeOp] = field(default_factory=list[TransposeOp])


def _rebuild(
    rewriter: PatternRewriter,
    t: TransposeOp,
    user: Operation,
    operands: Sequence[SSAValue],
    new_consts: Sequence[Operation],
    properties: dict[str, Attribute],
    result_perms: Sequence[Perm],
) -> None:
    """Replace `user` by the same op on untransposed operands, each result followed by its transpose.

    The new op keeps the names of the old one's results; the new transposes take the name of `t`.
    """
    result_types = [permute_type(r.type, inverse(q)) for r, q in zip(user.results, result_perms, strict=True)]
    new = type(user).create(
        operands=list(operands), result_types=result_types, properties=properties, attributes=dict(user.attributes)
    )
    transposes: list[Operation] = []
    results: list[SSAValue] = []
    for new_result, old_result, q in zip(new.results, user.results, result_perms, strict=True):
        new_result.name_hint = old_result.name_hint
        if is_identity(q):
            results.append(new_result)
        else:
            t_new = TransposeOp(new_result, old_result.type, q)
            t_new.output.name_hint = t.output.name_hint
            transposes.append(t_new)
            results.append(t_new.output)
    # insert + replace uses + erase rather than `rewriter.replace`, which would name every new op after the result
    rewriter.insert([*new_consts, new, *transposes], InsertPoint.before(user))
    for old_result, result in zip(user.results, results, strict=True):
        rewriter.replace_all_uses_with(old_result, result)
    rewriter.erase(user)


def _results_cost(user: Operation, result_perms: Sequence[Perm]) -> int:
    return sum(_new_transpose_cost(r) for r, q in zip(user.results, result_perms, strict=True) if not is_identity(q))


def _move_single_input(t: TransposeOp, user: Operation) -> _UserMove | None:
    """Ops with one tensor operand whose layout only renumbers properties."""
    perm = perm_of(t)
    rank = len(perm)
    props = dict(user.properties)
    result_perms: list[Perm] = [perm] * len(user.results)
    if isinstance(user, SoftmaxOp):
        props["axis"] = i64_attr(perm[normalize_axis(int(user.axis.value.data), rank)])
    elif isinstance(user, PadOp):
        pads = ints(user.pads)
        begins, ends = pads[:rank], pads[rank:]
        inv = inverse(perm)
        props["pads"] = i64_array([*permute(begins, inv), *permute(ends, inv)])
    elif isinstance(user, SliceOp):
        inv = inverse(perm)
        for name, values in (("starts", user.starts), ("ends", user.ends), ("steps", user.steps)):
            props[name] = i64_array(permute(ints(values), inv))
    elif isinstance(user, SplitOp):
        props["axis"] = i64_attr(perm[user.axis_value])
    elif isinstance(user, ReduceOp):
        axes = user.axis_values()
        props["axes"] = i64_array(sorted(perm[a] for a in axes))
        if not user.keep:
            kept = [i for i in range(rank) if i not in axes]  # result dims, in order, as dims of the transpose
            kept_sources = sorted(perm[i] for i in kept)  # result dims of the new reduction, as dims of x
            result_perms = [tuple(kept_sources.index(perm[i]) for i in kept)]
    elif not isinstance(user, UnaryOp | QuantizeOp | DequantizeOp | RequantizeOp):
        return None

    def rewrite(rewriter: PatternRewriter) -> None:
        _rebuild(rewriter, t, user, [t.input], [], props, result_perms)

    return _UserMove(rewrite, new_transposes=_results_cost(user, result_perms))


def _move_multi_input(t: TransposeOp, user: BinaryOp | PReluOp | ConcatOp) -> _UserMove | None:
    """Broadcasting elementwise ops and concat: every operand transposed by the same permutation or constant."""
    perm = perm_of(t)
    rank = len(perm)
    if len(shape_of(user.results[0])) != rank:
        return None
    absorbed: list[TransposeOp] = []
    for v in user.operands:
        other = _transposed_by(v, perm)
        if other is not None:
            if other.input is t.output:  # a transpose of `t` itself: ComposeTransposes goes first
                return None
            if other is not t and other not in absorbed:
                absorbed.append(other)
            continue
        c = _const(v)
        if c is None:
            return None
        c_rank = len(shape_of(c.output))
        if c_rank > rank or (isinstance(user, ConcatOp) and c_rank != rank):
            return None
    props = dict(user.properties)
    if isinstance(user, ConcatOp):
        props["axis"] = i64_attr(perm[user.axis_value])

    def rewrite(rewriter: PatternRewriter) -> None:
        operands: list[SSAValue] = []
        consts: list[Operation] = []
        for i, v in enumerate(user.operands):
            other = _transposed_by(v, perm)
            if other is not None:
                operands.append(other.input)
                continue
            c = _const(v)
            assert c is not None
            if not shape_of(c.output):  # a scalar broadcasts the same in every layout
                operands.append(v)
                continue
            if isinstance(user, ConcatOp):
                new_c = transpose_const(c, inverse(perm))
            else:
                # prelu's input keeps the full rank; other constants shrink to their own rank at least
                keep_rank = rank if isinstance(user, PReluOp) and i == 0 else len(shape_of(c.output))
                new_c = broadcast_operand_const(c, rank, perm, keep_rank)
            new_c.output.name_hint = c.output.name_hint
            consts.append(new_c)
            operands.append(new_c.output)
        _rebuild(rewriter, t, user, operands, consts, props, [perm])

    return _UserMove(rewrite, new_transposes=_results_cost(user, [perm]), absorbed=absorbed)


def _move_reshape(t: TransposeOp, user: ReshapeOp) -> _UserMove | None:
    perm = perm_of(t)
    x = t.input
    x_shape = shape_of(x)
    if moves_only_unit_dims(x_shape, perm):

        def absorb(rewriter: PatternRewriter) -> None:
            rewriter.replace(user, ReshapeOp(x, user.output.type))

        return _UserMove(absorb)
    if _is_per_channel(x) or _is_per_channel(user.output):
        return None
    out_type = user.output.type
    assert isinstance(out_type, TensorType)
    plan = unit_reshape_plan(x_shape, perm, shape_of(user.output))
    if plan is None:
        return None
    s, q = plan

    def rewrite(rewriter: PatternRewriter) -> None:
        if moves_only_unit_dims(s, q):
            rewriter.replace(user, ReshapeOp(x, out_type))
            return
        reshape = ReshapeOp(x, TensorType(out_type.element_type, list(s)))
        rewriter.replace(user, [reshape, TransposeOp(reshape.output, out_type, q)])

    cost = 0 if moves_only_unit_dims(s, q) else _new_transpose_cost(user.output)
    return _UserMove(rewrite, new_transposes=cost)


def _move_into_transpose(t: TransposeOp, user: TransposeOp) -> _UserMove:
    combined = compose(perm_of(t), perm_of(user))

    def rewrite(rewriter: PatternRewriter) -> None:
        if is_identity(combined):
            rewriter.replace(user, [], [t.input])
        else:
            rewriter.replace(user, TransposeOp(t.input, user.output.type, combined))

    return _UserMove(rewrite, removed_transposes=1 if is_identity(combined) else 0)


def plan_user_move(t: TransposeOp, user: Operation) -> _UserMove | None:
    """How `user` of `t` is rewritten when `t` sinks below it (None: it cannot be)."""
    if isinstance(user, TransposeOp):
        return _move_into_transpose(t, user)
    if isinstance(user, ReshapeOp):
        return _move_reshape(t, user)
    if isinstance(user, BinaryOp | PReluOp | ConcatOp):
        return _move_multi_input(t, user)
    return _move_single_input(t, user)


def _users(value: SSAValue) -> list[Operation]:
    seen: list[Operation] = []
    for use in value.uses:
        if use.operation not in seen:
            seen.append(use.operation)
    return seen


class FoldIdentityTranspose(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        if is_identity(perm_of(op)):
            rewriter.replace(op, [], [op.input])


class ComposeTransposes(RewritePattern):
    """transpose(transpose(x, p), q) -> transpose(x, p[q[i]]) (the inner one stays for its other users)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if not isinstance(inner, TransposeOp):
            return
        combined = compose(perm_of(inner), perm_of(op))
        if is_identity(combined):
            rewriter.replace(op, [], [inner.input])
        else:
            rewriter.replace(op, TransposeOp(inner.input, op.output.type, combined))


class FoldConstantTranspose(RewritePattern):
    """transpose(nn.const) -> nn.const of the permuted data."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        c = _const(op.input)
        if c is not None:
            folded = transpose_const(c, perm_of(op))
            folded.output.name_hint = c.output.name_hint
            rewriter.replace(op, folded)


class TransposeOfReshapeIsReshape(RewritePattern):
    """transpose(reshape(x)) that only moves unit dims -> reshape(x)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        producer = op.input.owner
        if isinstance(producer, ReshapeOp) and moves_only_unit_dims(shape_of(op.input), perm_of(op)):
            rewriter.replace(op, ReshapeOp(producer.input, op.output.type))


class ReshapeOfTransposeIsReshape(RewritePattern):
    """reshape(transpose(x)) where the transpose only moves unit dims -> reshape(x)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReshapeOp, rewriter: PatternRewriter) -> None:
        producer = op.input.owner
        if isinstance(producer, TransposeOp) and moves_only_unit_dims(shape_of(producer.input), perm_of(producer)):
            rewriter.replace(op, ReshapeOp(producer.input, op.output.type))


class SinkTranspose(RewritePattern):
    """Move a transpose below all its users when they all accept it and the cost rule allows (module docstring)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: TransposeOp, rewriter: PatternRewriter) -> None:
        users = _users(op.output)
        if not users:
            return
        moves: list[_UserMove] = []
        for user in users:
            move = plan_user_move(op, user)
            if move is None:
                return
            moves.append(move)
        rewritten = set(users)
        dead: list[TransposeOp] = []
        for move in moves:
            for other in move.absorbed:
                if other not in dead and all(u in rewritten for u in _users(other.output)):
                    dead.append(other)
        delta = -1 + sum(m.new_transposes - m.removed_transposes for m in moves) - len(dead)
        if delta > 0:
            return
        for move in moves:
            move.rewrite(rewriter)
        rewriter.erase(op)


FOLD_TRANSPOSE_PATTERNS: tuple[RewritePattern, ...] = (
    FoldIdentityTranspose(),
    ComposeTransposes(),
    FoldConstantTranspose(),
    TransposeOfReshapeIsReshape(),
    ReshapeOfTransposeIsReshape(),
    SinkTranspose(),
)


@dataclass(frozen=True)
class FoldTransposesPass(ModulePass):
    """Cancel layout transposes: compose them, fold them into constants and sink them through layout-agnostic ops."""

    name = "fold-transposes"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(list(FOLD_TRANSPOSE_PATTERNS))).rewrite_module(op)
