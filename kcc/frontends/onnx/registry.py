"""The ONNX converter registry: op type -> function converting one node.

    @converter("Relu")
    def _relu(ctx: NodeContext) -> None:
        ctx.set_output(0, ctx.emit(nn.ReluOp(ctx.input(0), ctx.output_type(0))).output)

A converter reads the node through its `NodeContext` (inputs, constants, attributes, `ctx.opset` /
`ctx.since_version` for opset-dependent attributes and inputs), emits nn ops with `ctx.emit`, defines every used
output with `ctx.set_output` / `ctx.set_const_output`, and raises `ctx.error(...)` for what it cannot convert.
Per-family modules (`ops_*.py`) register their converters when the package imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from kcc.frontends.onnx.builder import NodeContext

Converter = Callable[[NodeContext], None]

#: op type (default ONNX domain) -> converter
CONVERTERS: dict[str, Converter] = {}


def converter(*op_types: str) -> Callable[[Converter], Converter]:
    """Register the decorated function as the converter of each of `op_types` (a duplicate is a bug)."""

    def register(fn: Converter) -> Converter:
        for op_type in op_types:
            if op_type in CONVERTERS:
                raise ValueError(f"duplicate ONNX converter for {op_type}")
            CONVERTERS[op_type] = fn
        return fn

    return register


def supported_ops() -> list[str]:
    """Sorted op types with a converter (for the 'unsupported op' hint)."""
    return sorted(CONVERTERS)
