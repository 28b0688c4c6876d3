"""Static shapes for an ONNX graph: `input_shapes` overrides, then ONNX shape inference.

`apply_input_shapes` fixes every graph input to a static shape (an override may only set dims that are
dynamic or equal to the model's own; a dim_value of 0 is a static empty dim, not a dynamic one); a dynamic dim
left without override is a `KccError` that says which input and which dim, and how to pass `--input-shape`.
`infer` runs `onnx.shape_inference.infer_shapes` (with data propagation) and returns a `TensorInfo` per named value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import onnx
from onnx import ModelProto, TensorProto, ValueInfoProto

from kcc.errors import KccError


@dataclass(frozen=True)
class TensorInfo:
    """What shape inference knows of a value: ONNX element type (TensorProto.*) and shape (None = unknown rank,
    -1 = unknown dim)."""

    elem_type: int
    shape: tuple[int, ...] | None

    @property
    def is_static(self) -> bool:
        return self.shape is not None and all(d >= 0 for d in self.shape)


def value_info_of(vi: ValueInfoProto) -> TensorInfo | None:
    """The TensorInfo of a value_info (None when it is not a tensor)."""
    if not vi.type.HasField("tensor_type"):
        return None
    tt = vi.type.tensor_type
    if not tt.HasField("shape"):
        return TensorInfo(tt.elem_type, None)
    dims = tuple(int(d.dim_value) if d.HasField("dim_value") else -1 for d in tt.shape.dim)
    return TensorInfo(tt.elem_type, dims)


def real_inputs(model: ModelProto) -> list[ValueInfoProto]:
    """Graph inputs that are not initializers (old exporters list every weight as an input too)."""
    inits = {t.name for t in model.graph.initializer}
    return [vi for vi in model.graph.input if vi.name not in inits]


def _dim_text(d: onnx.TensorShapeProto.Dimension) -> str:
    if d.HasField("dim_value"):
        return str(d.dim_value)
    return repr(d.dim_param) if d.dim_param else "?"


def apply_input_shapes(model: ModelProto, input_shapes: Mapping[str, Sequence[int]] | None) -> None:
    """Give every real graph input a static shape, in place (overrides first, "" = the first input)."""
    inputs = real_inputs(model)
    names = [vi.name for vi in inputs]
    overrides: dict[str, list[int]] = {}
    for key, shape in (input_shapes or {}).items():
        name = key or (names[0] if names else "")
        if name not in names:
            raise KccError(
                f"--input-shape names input '{key}', but the model's inputs are: {', '.join(names) or '(none)'}",
                hint="use --input-shape name:d0,d1,... with one of those names",
            )
        overrides[name] = [int(d) for d in shape]
    for vi in inputs:
        if not vi.type.HasField("tensor_type"):
            raise KccError(f"graph input '{vi.name}' is not a tensor", hint="only tensor inputs are supported")
        tt = vi.type.tensor_type
        override = overrides.get(vi.name)
        if not tt.HasField("shape"):
            if override is None:
                raise KccError(
                    f"graph input '{vi.name}' has an unknown rank",
                    hint=f"use --input-shape {vi.name}:d0,d1,... to give its shape",
                )
            for _ in override:
                tt.shape.dim.add()
        dims = tt.shape.dim
        model_text = ",".join(_dim_text(d) for d in dims)
        if override is not None:
            if len(override) != len(dims):
                raise KccError(
                    f"--input-shape for '{vi.name}' has {len(override)} dims but the input has rank {len(dims)} ({model_text})",
                    hint=f"use --input-shape {vi.name}:" + ",".join("d" + str(i) for i in range(len(dims))),
                )
            for i, (d, v) in enumerate(zip(dims, override, strict=True)):
                fixed = d.HasField("dim_value")
                if v <= 0 and not (fixed and d.dim_value == v):
                    raise KccError(f"--input-shape for '{vi.name}' dim {i} is {v}; dims must be positive")
                if fixed and d.dim_value != v:
                    raise KccError(
                        f"--input-shape for '{vi.name}' sets dim {i} to {v}, but the model fixes it to {d.dim_value}",
                        hint="only dynamic dims can be overridden",
                    )
                d.Clear()
                d.dim_value = v
        for i, d in enumerate(dims):
            if not d.HasField("dim_value") or d.dim_value < 0:  # dim_value 0: a static empty dim
                raise KccError(
                    f"graph input '{vi.name}' dim {i} is dynamic ({_dim_text(d)}; shape [{model_text}])",
                    hint=f"use --input-shape {vi.name}:d0,d1,... (e.g. {vi.name}:"
                    + ",".join(str(x.dim_value) if x.HasField("dim_value") and x.dim_value >= 0 else "1" for x in dims)
                    + ")",
                )


def type_passthrough_outputs(model: ModelProto) -> None:
    """Give graph outputs that are graph inputs or initializers their full type, in place (ONNX shape inference
    silently stops inferring when such an output is declared without a shape)."""
    g = model.graph
    inputs = {vi.name: vi for vi in g.input}
    inits = {t.name: t for t in g.initializer}
    for out in g.output:
        if out.name in inputs:
            out.type.CopyFrom(inputs[out.name].type)
        elif out.name in inits:
            t = inits[out.name]
            out.type.CopyFrom(onnx.helper.make_tensor_type_proto(t.data_type, list(t.dims)))


def infer(model: ModelProto) -> tuple[ModelProto, dict[str, TensorInfo]]:
    """Run ONNX shape inference; the inferred model and a TensorInfo per named value it knows."""
    type_passthrough_outputs(model)
    try:
        inferred = onnx.shape_inference.infer_shapes(model, check_type=False, strict_mode=False, data_prop=True)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise KccError(f"ONNX shape inference failed: {first}", hint="check the model with onnx.checker / onnxruntime") from None
    infos: dict[str, TensorInfo] = {}
    g = inferred.graph
    for t in g.initializer:
        infos[t.name] = TensorInfo(t.data_type, tuple(int(d) for d in t.dims))
    for vi in [*g.input, *g.value_info, *g.output]:
        info = value_info_of(vi)
        if info is not None and (vi.name not in infos or info.is_static):
            infos[vi.name] = info
    return inferred, infos


ELEM_NAMES = {v: k for k, v in TensorProto.DataType.items()}


def elem_name(elem_type: int) -> str:
    """'FLOAT', 'UINT8', ... for an ONNX element type number."""
    return ELEM_NAMES.get(elem_type, str(elem_type))
