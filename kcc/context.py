"""The xdsl Context that knows kcc's dialects and the upstream ones kcc uses."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects import get_all_dialects

from kcc.universe import KCC_DIALECTS

UPSTREAM_DIALECTS = ("builtin", "func", "arith", "test")


def kcc_context(allow_unregistered: bool = False) -> Context:
    ctx = Context(allow_unregistered=allow_unregistered)
    upstream = get_all_dialects()
    for name in UPSTREAM_DIALECTS:
        ctx.register_dialect(name, upstream[name])
    for name, factory in KCC_DIALECTS.items():
        ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str, ctx: Context | None = None):  # -> ModuleOp
    """Parse MLIR text into a verified module."""
    from xdsl.parser import Parser

    module = Parser(ctx or kcc_context(), text).parse_module()
    module.verify()
    return module
