"""The TFLite frontend: a `.tflite` flatbuffer into an nn-dialect module.

    module = import_tflite("model.tflite", input_shapes={"input": [1, 224, 224, 3]})

The result holds one `func.func @main` whose arguments and results are the model's (first subgraph's)
inputs and outputs, in TFLite's own NHWC layout and order, named by `{kcc.name = "..."}` arg/res attributes.
Ops whose nn form is NCHW-only are wrapped in `nn.transpose` pairs (the `fold-transposes` pass cancels them).

Structure: `reader` (flatbuffer -> validated records), `builder` (per-subgraph state, `OpContext`),
`registry` (`CONVERTERS`, `@converter`), `ops_*` (one module per op family, each registering converters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import ModuleOp

from kcc.frontends.tflite import (
    ops_activation,
    ops_conv,
    ops_elementwise,
    ops_movement,
    ops_pool,
    ops_quant,
    ops_reduce,
    ops_resize,
    ops_shape,
)
from kcc.frontends.tflite.builder import GraphBuilder, OpContext
from kcc.frontends.tflite.reader import ModelSource, load_bytes, read_model
from kcc.frontends.tflite.registry import CONVERTERS, converter, supported_ops

#: The op-family modules of this package; importing them fills `CONVERTERS`.
FAMILIES = (ops_activation, ops_conv, ops_elementwise, ops_movement, ops_pool, ops_quant, ops_reduce, ops_resize, ops_shape)


def import_tflite(source: ModelSource, *, input_shapes: Mapping[str, Sequence[int]] | None = None) -> ModuleOp:
    """Read a TFLite model (path or bytes) into a verified nn module; `input_shapes` sets dynamic dims
    (name -> shape, "" = the first input)."""
    data, what = load_bytes(source)
    model = read_model(data, what)
    return GraphBuilder(model.subgraphs[0], input_shapes).module()


__all__ = ["CONVERTERS", "GraphBuilder", "OpContext", "converter", "import_tflite", "supported_ops"]
