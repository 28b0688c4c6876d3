"""The TFLite converter registry: operator name -> function that converts one operator.

A converter is `fn(ctx: OpContext) -> None` (see `kcc.frontends.tflite.builder.OpContext`). Register it with

    @converter("ADD", "SUB")
    def convert_binary(ctx: OpContext) -> None: ...

Builtin operators are registered under their `BuiltinOperator` name ("CONV_2D"); custom operators under
their custom code ("Convolution2DTransposeBias"). The per-family modules `ops_*.py` fill the registry
when `kcc.frontends.tflite` is imported; the sorted keys are the "supported" list of the error hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kcc.frontends.tflite.builder import OpContext

Converter = Callable[["OpContext"], None]

CONVERTERS: dict[str, Converter] = {}


def converter(*names: str) -> Callable[[Converter], Converter]:
    """Register the decorated function as the converter of the TFLite operators `names`."""

    def register(fn: Converter) -> Converter:
        for name in names:
            if name in CONVERTERS:
                raise ValueError(f"two TFLite converters for {name}: {CONVERTERS[name].__name__} and {fn.__name__}")
            CONVERTERS[name] = fn
        return fn

    return register


def supported_ops() -> list[str]:
    """The names of the operators the frontend converts, sorted."""
    return sorted(CONVERTERS)
