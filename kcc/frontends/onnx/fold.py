"""Folding shape-computing subgraphs of an ONNX model to constants, before conversion.

A node is folded when every input it uses is a known constant (initializer, Constant node or an earlier folded
result), or when it is `Shape` / `Size` of a value whose inferred shape is static. The node is evaluated with
`onnx.reference.ReferenceEvaluator` (Shape, Size and Constant with numpy), its outputs become initializers and the
node disappears. Quantize/DequantizeLinear are never folded (Q/DQ pairs stay visible as nn.quantize /
nn.dequantize), nor are random ops, ops of other domains or ops with subgraphs.

`fold_and_infer` alternates shape inference and folding until nothing changes, so a Shape -> Gather -> Concat ->
Reshape chain ends as one Reshape with a constant shape and a static output type.
"""

from __future__ import annotations

import numpy as np
from onnx import AttributeProto, ModelProto, NodeProto, numpy_helper

from kcc.errors import KccError
from kcc.frontends.onnx.shapes import TensorInfo, infer

#: Ops never evaluated at import time.
NEVER_FOLD = frozenset(
    {
        "QuantizeLinear",
        "DequantizeLinear",
        "DynamicQuantizeLinear",
        "RandomNormal",
        "RandomNormalLike",
        "RandomUniform",
        "RandomUniformLike",
        "Multinomial",
        "Bernoulli",
        "If",
        "Loop",
        "Scan",
    }
)

#: Largest folded tensor (elements); bigger results stay as ops.
MAX_FOLD_ELEMENTS = 1 << 24

_MAX_ROUNDS = 16


def node_label(node: NodeProto, index: int) -> str:
    """`OpType 'name'` for messages."""
    return f"{node.op_type} '{node.name}'" if node.name else f"{node.op_type} (unnamed)"


def constant_node_value(node: NodeProto, index: int) -> np.ndarray:
    """The value of a `Constant` node (any of its value_* attributes)."""
    if len(node.attribute) != 1:
        raise KccError(
            f"Constant needs exactly one value attribute, got {len(node.attribute)}",
            op=node_label(node, index),
            index=index,
        )
    attr = node.attribute[0]
    name = attr.name
    if name == "value":
        return numpy_helper.to_array(attr.t)
    if name == "value_float":
        return np.array(attr.f, dtype=np.float32)
    if name == "value_floats":
        return np.array(list(attr.floats), dtype=np.float32)
    if name == "value_int":
        return np.array(attr.i, dtype=np.int64)
    if name == "value_ints":
        return np.array(list(attr.ints), dtype=np.int64)
    if name == "value_string" or name == "value_strings":
        raise KccError("string constants are not supported", op=node_label(node, index), index=index)
    if name == "sparse_value":
        sp = attr.sparse_tensor
        values = numpy_helper.to_array(sp.values)
        idx = numpy_helper.to_array(sp.indices).astype(np.int64)
        dense = np.zeros(int(np.prod(list(sp.dims))), dtype=values.dtype)
        flat = idx if idx.ndim == 1 else np.ravel_multi_index(tuple(idx.T), tuple(sp.dims))
        dense[flat] = values
        return dense.reshape(tuple(sp.dims))
    raise KccError(f"Constant has unknown attribute '{name}'", op=node_label(node, index), index=index)


def _shape_of(node: NodeProto, shape: tuple[int, ...]) -> np.ndarray:
    start, end = 0, None
    for a in node.attribute:
        if a.name == "start":
            start = int(a.i)
        elif a.name == "end":
            end = int(a.i)
    return np.array(shape[start:end], dtype=np.int64)


def evaluate_node(node: NodeProto, index: int, inputs: list[np.ndarray | None], opset: int) -> list[np.ndarray]:
    """Evaluate one node on constant inputs (None = an absent optional input) with the ONNX reference."""
    if node.op_type == "Constant":
        return [constant_node_value(node, index)]
    from onnx.reference import ReferenceEvaluator

    names = [n for n in node.input]
    feeds = {n: v for n, v in zip(names, inputs, strict=True) if n and v is not None}
    try:
        ref = ReferenceEvaluator(node, opsets={"": opset})
        outs = ref.run(None, feeds)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise KccError(
            f"cannot evaluate this node on its constant inputs: {first}",
            op=node_label(node, index),
            index=index,
            hint="the model may be invalid",
        ) from None
    return [np.asarray(o) for o in outs]


def _has_subgraph(node: NodeProto) -> bool:
    return any(a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS) for a in node.attribute)


#: Ops whose output can be much larger than their inputs: folded only when the output size is known to be small.
_GROWING = frozenset({"ConstantOfShape", "Expand", "Tile", "Range", "Pad", "Resize", "Upsample"})


def _count(shape: tuple[int, ...] | list[int]) -> int:
    total = 1
    for d in shape:
        total *= max(int(d), 0)
    return total


def _estimate(node: NodeProto, consts: dict[str, np.ndarray]) -> int | None:
    """Output element count of a growing op from its constant inputs (None: cannot tell cheaply)."""
    ins = [consts.get(n) if n else None for n in node.input]
    try:
        if node.op_type == "ConstantOfShape" and ins and ins[0] is not None:
            return _count([int(v) for v in ins[0].reshape(-1)])
        if node.op_type == "Expand" and len(ins) >= 2 and ins[0] is not None and ins[1] is not None:
            return _count(list(np.broadcast_shapes(ins[0].shape, tuple(int(v) for v in ins[1].reshape(-1)))))
        if node.op_type == "Tile" and len(ins) >= 2 and ins[0] is not None and ins[1] is not None:
            return _count([d * int(r) for d, r in zip(ins[0].shape, ins[1].reshape(-1), strict=False)])
        if node.op_type == "Range" and len(ins) >= 3 and all(i is not None for i in ins[:3]):
            start, limit, delta = (float(np.asarray(i).reshape(-1)[0]) for i in ins[:3] if i is not None)
            return (
                None
                if delta == 0 or not np.isfinite([start, limit, delta]).all()
                else max(0, int(np.ceil((limit - start) / delta)))
            )
    except (ValueError, TypeError, OverflowError):
        return None
    return None


def _too_big_to_fold(node: NodeProto, infos: dict[str, TensorInfo], consts: dict[str, np.ndarray]) -> bool:
    """True if evaluating `node` could allocate more than MAX_FOLD_ELEMENTS per output (checked before running it)."""
    for name in node.output:
        info = infos.get(name) if name else None
        if info is not None and info.is_static and info.shape is not None:
            if _count(info.shape) > MAX_FOLD_ELEMENTS:
                return True
            continue
        if node.op_type in _GROWING:
            estimate = _estimate(node, consts)
            if estimate is None or estimate > MAX_FOLD_ELEMENTS:
                return True
    return False


def fold_once(model: ModelProto, infos: dict[str, TensorInfo], opset: int) -> bool:
    """Fold every foldable node of the main graph in place; True if anything was folded."""
    graph = model.graph
    consts: dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    input_names = {vi.name for vi in graph.input}
    kept: list[NodeProto] = []
    folded_names: list[str] = []
    for index, node in enumerate(graph.node):
        outs: list[np.ndarray] | None = None
        if node.domain in ("", "ai.onnx") and node.op_type not in NEVER_FOLD and not _has_subgraph(node):
            used = [n for n in node.input if n]
            if node.op_type in ("Shape", "Size") and used:
                info = infos.get(used[0])
                if used[0] in consts:
                    shape = tuple(consts[used[0]].shape)
                elif info is not None and info.is_static and info.shape is not None:
                    shape = info.shape
                else:
                    shape = None
                if shape is not None:
                    if node.op_type == "Shape":
                        outs = [_shape_of(node, shape)]
                    else:
                        outs = [np.array(int(np.prod(shape)), dtype=np.int64)]
            elif (
                all(n in consts for n in used)
                and not any(n in input_names and n not in consts for n in used)
                and not _too_big_to_fold(node, infos, consts)
            ):
                outs = evaluate_node(node, index, [consts.get(n) if n else None for n in node.input], opset)
                if any(o.size > MAX_FOLD_ELEMENTS for o in outs):
                    outs = None
        if outs is None:
            kept.append(node)
            continue
        for name, value in zip(node.output, outs, strict=False):
            if name:
                consts[name] = value
                folded_names.append(name)
    if not folded_names:
        return False
    needed = {n for node in kept for n in node.input} | {o.name for o in graph.output}
    for node in kept:
        for a in node.attribute:
            if a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS):
                needed |= _outer_names(a)
    del graph.node[:]
    graph.node.extend(kept)
    for name in folded_names:
        if name in needed:
            graph.initializer.append(numpy_helper.from_array(np.asarray(consts[name]).copy(order="C"), name))
    # Folded values lose their (possibly stale) value_info; inference recomputes it.
    keep_vi = [vi for vi in graph.value_info if vi.name not in set(folded_names)]
    del graph.value_info[:]
    graph.value_info.extend(keep_vi)
    return True


def _outer_names(attr: AttributeProto) -> set[str]:
    graphs = [attr.g] if attr.type == AttributeProto.GRAPH else list(attr.graphs)
    names: set[str] = set()
    for g in graphs:
        for n in g.node:
            names.update(n.input)
    return names


def fold_and_infer(model: ModelProto, opset: int) -> tuple[ModelProto, dict[str, TensorInfo]]:
    """Alternate shape inference and folding to a fixed point; the folded, inferred model and its TensorInfos."""
    current, infos = infer(model)
    for _ in range(_MAX_ROUNDS):
        if not fold_once(current, infos, opset):
            return current, infos
        current, infos = infer(current)
    return current, infos
