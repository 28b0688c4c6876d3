"""`lower-to-kmodel{version=3|4}`: the allocated IR (after quantize + plan-memory) -> one `kmodel.program`.

Input: a module with one function whose ops are kpu.upload / kpu.conv2d / kpu.download, nn.quantize /
nn.dequantize and CPU nn ops, annotated by plan-memory (`kcc.offset`, `kcc.const_offset`, `kcc.arg_offsets`,
`kcc.memory`, `!kpu.ram<..., line N>`). Output: a module holding one `kmodel.program` with one node per
runtime op (v3 layers / v4 nodes), memory ranges taken from the plan, and the header (main memory size =
the plan's main peak, inputs/outputs).

`version=0` (default) chooses automatically: v3 (MaixPy's native format) when every op is expressible in v3,
else v4; `kmodel_version_reason` says why. An op the chosen version cannot express is a KccError naming the
op, its index and the version.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.passes import ModulePass

from kcc.backends.kmodel_lowering import lower_function, version_reason
from kcc.errors import KccError


def kmodel_version_reason(module: ModuleOp) -> tuple[int, str]:
    """The kmodel version auto selection picks for the allocated `module` (3 or 4) and a one-line reason."""
    return version_reason(module)


def lower_to_kmodel(module: ModuleOp, version: int | None) -> ModuleOp:
    """A new module holding one `kmodel.program` lowered from the allocated `module` (v3 or v4; None = auto).

    With auto selection the module gets `kcc.kmodel_version_reason` (a string) saying why."""
    reason = ""
    if version is None:
        version, reason = version_reason(module)
    elif version not in (3, 4):
        raise KccError(f"kmodel version {version} is not 3 or 4", op="lower-to-kmodel", hint="version=3, version=4 or auto")
    program = lower_function(module, version)
    out = ModuleOp([program])
    if reason:
        out.attributes["kcc.kmodel_version_reason"] = StringAttr(reason)
    return out


@dataclass(frozen=True)
class LowerToKmodelPass(ModulePass):
    """Replace the function by a `kmodel.program` (version 3 or 4; 0 = auto)."""

    name = "lower-to-kmodel"
    version: int = 0

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lowered = lower_to_kmodel(op, self.version or None)
        for child in list(op.body.block.ops):
            child.detach()
            child.erase()
        for child in list(lowered.body.block.ops):
            child.detach()
            op.body.block.add_op(child)
        op.attributes.clear()
        op.attributes.update(lowered.attributes)
