"""`nchw-inputs`: take NHWC graph inputs in the planar NCHW layout the K210 runtimes feed.

TFLite models are imported with their NHWC inputs and a `nn.transpose [0,3,1,2]` in front of the first
NCHW-only op; after `fold-transposes` that transpose is the only one left at the input. MaixPy and the
standalone SDK hand a kmodel planar CHW pixels, so the compiler's program should start from NCHW: this pass
changes every argument of the entry function whose only users are `nn.transpose [0,3,1,2]` to the transposed
(NCHW) type and removes those transposes. The argument keeps its name (`kcc.name`) and gets
`kcc.layout = "NCHW"`. Arguments with any other user are left as they are (the model then takes NHWC data).

The program is unchanged except for the layout of its input: `run(after, [x.transpose(0, 3, 1, 2)])` equals
`run(before, [x])`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, FunctionType, ModuleOp, StringAttr, TensorType
from xdsl.ir import Attribute
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from kcc.dialects.nn.base import ints
from kcc.dialects.nn.movement import TransposeOp

NHWC_TO_NCHW = (0, 3, 1, 2)


def _is_to_nchw(op: object) -> bool:
    return isinstance(op, TransposeOp) and tuple(ints(op.perm)) == NHWC_TO_NCHW


def _with_layout(attrs: Attribute | None) -> DictionaryAttr:
    data = dict(attrs.data) if isinstance(attrs, DictionaryAttr) else {}
    data["kcc.layout"] = StringAttr("NCHW")
    return DictionaryAttr(data)


def nchw_inputs(f: func.FuncOp) -> list[int]:
    """Rewrite `f`'s NHWC arguments that only feed `transpose [0,3,1,2]`; returns their indices."""
    if not f.body.blocks:
        return []
    block = f.body.blocks.first
    assert block is not None
    changed: list[int] = []
    for index, arg in enumerate(block.args):
        users = [use.operation for use in arg.uses]
        if not users or not all(_is_to_nchw(u) for u in users) or not isinstance(arg.type, TensorType):
            continue
        new_type = users[0].results[0].type
        new_arg = Rewriter.replace_value_with_new_type(arg, new_type)
        for user in users:
            user.results[0].replace_all_uses_with(new_arg)
            Rewriter.erase_op(user)
        changed.append(index)
    if changed:
        inputs = [a.type for a in block.args]
        f.function_type = FunctionType.from_lists(inputs, list(f.function_type.outputs.data))
        attrs = list(f.arg_attrs.data) if f.arg_attrs is not None else [DictionaryAttr({}) for _ in inputs]
        for index in changed:
            attrs[index] = _with_layout(attrs[index])
        f.arg_attrs = ArrayAttr(attrs)
    return changed


@dataclass(frozen=True)
class NchwInputsPass(ModulePass):
    """Take NHWC graph inputs in NCHW (drops the layout transpose at the input)."""

    name = "nchw-inputs"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        del ctx
        for f in op.ops:
            if isinstance(f, func.FuncOp):
                nchw_inputs(f)
