"""The ONNX frontend: an .onnx model into a `builtin.module` with one `func.func @main` of `nn` ops.

    module = import_onnx("model.onnx", input_shapes={"input": [1, 3, 224, 224]})

Stages: `loader` (parse, external data from the model's folder only, light check) -> `shapes` (input shape
overrides, ONNX shape inference) -> `fold` (shape subgraphs and other all-constant nodes to initializers, repeated
with inference until stable) -> `builder` + the converters registered in `registry.CONVERTERS` by the `ops_*`
modules, one node at a time in graph order. The function keeps the model's inputs and outputs, in ONNX order and
NCHW layout, named by `{kcc.name = "..."}` argument / result attributes.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping, Sequence

import onnx
from onnx import ModelProto, TensorProto, inliner
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute
from xdsl.utils.exceptions import VerifyException

from kcc.errors import KccError
from kcc.frontends.finite import NON_FINITE_HINT, ONNX_WEIGHT_INPUTS, non_finite_message
from kcc.frontends.onnx.builder import GraphBuilder, NodeContext, element_type_of, tensor_type
from kcc.frontends.onnx.fold import fold_and_infer, node_label
from kcc.frontends.onnx.loader import ModelSource, default_opset, load_model
from kcc.frontends.onnx.registry import CONVERTERS, converter, supported_ops
from kcc.frontends.onnx.shapes import TensorInfo, apply_input_shapes, real_inputs

#: Converter modules; each registers its ops on import. Modules not present yet are skipped.
_OP_MODULES = (
    "ops_shape",
    "ops_conv",
    "ops_pool",
    "ops_norm",
    "ops_quant",
    "ops_resize",
    "ops_elementwise",
    "ops_activation",
    "ops_movement",
    "ops_reduce",
)

for _m in _OP_MODULES:
    if importlib.util.find_spec(f"{__name__}.{_m}") is not None:
        importlib.import_module(f"{__name__}.{_m}")

__all__ = ["CONVERTERS", "NodeContext", "converter", "import_onnx", "prepare_model", "supported_ops"]


def prepare_model(
    source: ModelSource, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> tuple[ModelProto, dict[str, TensorInfo], int]:
    """Load, fix input shapes, fold constants and infer shapes: the model the converters see, its TensorInfos and
    its default-domain opset."""
    model, _ = load_model(source)
    opset = default_opset(model)
    if model.functions:
        try:
            model = inliner.inline_local_functions(model)
        except Exception as e:
            raise KccError(f"cannot inline the model's local functions: {e}") from None
    inits = {t.name for t in model.graph.initializer}
    keep = [vi for vi in model.graph.input if vi.name not in inits]
    del model.graph.input[:]
    model.graph.input.extend(keep)
    apply_input_shapes(model, input_shapes)
    model, infos = fold_and_infer(model, opset)
    return model, infos, opset


def import_onnx(source: ModelSource, *, input_shapes: Mapping[str, Sequence[int]] | None = None) -> ModuleOp:
    """Import an ONNX model (path, bytes or ModelProto) into an nn module; errors are KccError."""
    model, infos, opset = prepare_model(source, input_shapes)
    builder = GraphBuilder(model, infos, opset)
    _add_arguments(builder)
    for index, node in enumerate(model.graph.node):
        _convert_node(builder, node, index)
    module = builder.finish([o.name for o in model.graph.output])
    try:
        module.verify()
    except VerifyException as e:
        raise KccError(f"the imported module does not verify: {e}", hint="this is a kcc bug; please report it") from None
    return module


#: ONNX integer element types a graph input read only by DequantizeLinear is typed as quantized storage from.
_QUANT_STORAGE = (
    TensorProto.UINT8,
    TensorProto.INT8,
    TensorProto.UINT16,
    TensorProto.INT16,
    TensorProto.INT32,
    TensorProto.INT4,
    TensorProto.UINT4,
    TensorProto.INT2,
    TensorProto.UINT2,
)


def _add_arguments(builder: GraphBuilder) -> None:
    from kcc.frontends.onnx.ops_quant import quantized_argument_element

    for vi in real_inputs(builder.model):
        tt = vi.type.tensor_type
        shape = [int(d.dim_value) for d in tt.shape.dim]
        element: Attribute | None = None
        if tt.elem_type in _QUANT_STORAGE:
            element = quantized_argument_element(builder, vi.name)
        if element is None:
            element = element_type_of(tt.elem_type, f"graph input '{vi.name}'")
        builder.add_argument(vi.name, tensor_type(shape, element))


def _convert_node(builder: GraphBuilder, node: onnx.NodeProto, index: int) -> None:
    label = node_label(node, index)
    if node.domain not in ("", "ai.onnx"):
        raise KccError(
            f"unsupported ONNX op '{node.domain}.{node.op_type}' (domain '{node.domain}')",
            op=label,
            index=index,
            hint="only the default ONNX domain is supported; supported: " + ", ".join(supported_ops()),
        )
    conv = CONVERTERS.get(node.op_type)
    if conv is None:
        raise KccError(
            f"unsupported ONNX op '{node.op_type}'", op=label, index=index, hint="supported: " + ", ".join(supported_ops())
        )
    ctx = NodeContext(builder, node, index)
    for i, role in ONNX_WEIGHT_INPUTS.get(node.op_type, ()):
        weight = ctx.maybe_const(i)
        message = None if weight is None else non_finite_message(weight, role, i, ctx.input_name(i))
        if message is not None:
            raise ctx.error(message, hint=NON_FINITE_HINT)
    conv(ctx)
    for i, name in enumerate(node.output):
        if name and ctx.output_used(i) and name not in builder.values and name not in builder.constants:
            raise ctx.error(f"output {i} ('{name}') is used but this kind of node does not produce it")
