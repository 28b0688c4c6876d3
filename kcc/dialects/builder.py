"""Building functions of `nn` ops from Python (frontends, tests, example models)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.builder import ImplicitBuilder
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp
from xdsl.ir import Attribute, Block, Region, SSAValue


def build_function(
    name: str,
    arg_types: Sequence[Attribute],
    body: Callable[..., Sequence[SSAValue] | SSAValue],
) -> func.FuncOp:
    """`body(*args)` creates ops (inserted in order) and returns the values to return."""
    block = Block(arg_types=arg_types)
    with ImplicitBuilder(block):
        out = body(*block.args)
        results = [out] if isinstance(out, SSAValue) else list(out)
        func.ReturnOp(*results)
    ftype = FunctionType.from_lists(list(arg_types), [r.type for r in results])
    return func.FuncOp(name, ftype, Region(block))


def build_module(
    arg_types: Sequence[Attribute],
    body: Callable[..., Sequence[SSAValue] | SSAValue],
    name: str = "main",
) -> ModuleOp:
    """A module holding one function built by `build_function`; verified."""
    module = ModuleOp([build_function(name, arg_types, body)])
    module.verify()
    return module
