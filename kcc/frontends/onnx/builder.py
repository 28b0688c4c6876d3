"""Conversion state of one ONNX graph into one `func.func @main` of `nn` ops.

`GraphBuilder` owns the function body being built: the IR value of every ONNX tensor name converted so far,
the constant arrays (initializers and folded values, materialized as `nn.const` only when an op needs them as
an SSA value), and the TensorInfo of every value from shape inference.

Converters never see the builder directly: they get a `NodeContext` for the node being converted, which reads the
node's inputs (as IR values or as constant numpy arrays), its attributes with defaults, the opset, the inferred
output types, emits ops (verified at once, errors naming the node) and defines the node's outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto, helper, numpy_helper
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FunctionType,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f16,
    f32,
    f64,
    i1,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.const import const_from_numpy
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype
from kcc.errors import KccError
from kcc.frontends.onnx.fold import node_label
from kcc.frontends.onnx.shapes import TensorInfo, elem_name

_ELEMENT_TYPES: dict[int, Attribute] = {
    TensorProto.FLOAT: f32,
    TensorProto.FLOAT16: f16,
    TensorProto.DOUBLE: f64,
    TensorProto.BOOL: i1,
    TensorProto.UINT8: IntegerType(8, Signedness.UNSIGNED),
    TensorProto.UINT16: IntegerType(16, Signedness.UNSIGNED),
    TensorProto.UINT32: IntegerType(32, Signedness.UNSIGNED),
    TensorProto.UINT64: IntegerType(64, Signedness.UNSIGNED),
    TensorProto.INT8: IntegerType(8),
    TensorProto.INT16: IntegerType(16),
    TensorProto.INT32: IntegerType(32),
    TensorProto.INT64: IntegerType(64),
    TensorProto.INT4: IntegerType(4),
    TensorProto.UINT4: IntegerType(4, Signedness.UNSIGNED),
    TensorProto.INT2: IntegerType(2),
    TensorProto.UINT2: IntegerType(2, Signedness.UNSIGNED),
}

#: Sub-byte integer dtypes of `onnx.numpy_helper.to_array` (ml_dtypes, one value per byte) by dtype name -> nn type.
#: kcc holds these values unpacked in int8 / uint8 arrays (see kcc.dialects.nn.types).
_SUBBYTE_ELEMENTS: dict[str, IntegerType] = {
    "int4": IntegerType(4),
    "uint4": IntegerType(4, Signedness.UNSIGNED),
    "int2": IntegerType(2),
    "uint2": IntegerType(2, Signedness.UNSIGNED),
}


def subbyte_element(dtype: np.dtype) -> IntegerType | None:
    """The nn sub-byte integer type (i4, ui4, i2, ui2) of an ml_dtypes int4 / uint4 / int2 / uint2 dtype, else None."""
    return _SUBBYTE_ELEMENTS.get(np.dtype(dtype).name)


def unpacked(array: np.ndarray) -> np.ndarray:
    """`array` with ml_dtypes sub-byte integers as int8 / uint8 (same values); any other array unchanged."""
    et = subbyte_element(array.dtype)
    if et is None:
        return array
    return np.asarray(array).astype(numpy_dtype(et))


T = TypeVar("T", bound=Operation)


def element_type_of(elem_type: int, what: str) -> Attribute:
    """The nn element type of an ONNX element type (TensorProto.FLOAT -> f32, UINT8 -> ui8, ...)."""
    et = _ELEMENT_TYPES.get(elem_type)
    if et is None:
        raise KccError(f"{what} has element type {elem_name(elem_type)}, which kcc does not support")
    return et


def tensor_type(shape: Sequence[int], element: Attribute) -> TensorType:
    """`tensor<shape x element>`."""
    return TensorType(element, [int(d) for d in shape])


def _name_attrs(names: Sequence[str]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr([DictionaryAttr({"kcc.name": StringAttr(n)}) for n in names])


class GraphBuilder:
    """Builds the body of `@main` for one ONNX graph.

    - `values`: tensor name -> IR value (graph inputs, converted node outputs, materialized constants)
    - `constants`: tensor name -> numpy array (initializers and folded values)
    - `infos`: tensor name -> TensorInfo from shape inference
    - `opset`: the default-domain opset version the model imports
    - `consumers`: tensor name -> number of node inputs reading it (graph outputs count too)
    """

    def __init__(self, model: ModelProto, infos: dict[str, TensorInfo], opset: int):
        self.model = model
        self.graph = model.graph
        self.infos = infos
        self.opset = opset
        self.block = Block()
        self.values: dict[str, SSAValue] = {}
        self.constants: dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        self.consumers: dict[str, int] = {}
        for node in self.graph.node:
            for n in node.input:
                if n:
                    self.consumers[n] = self.consumers.get(n, 0) + 1
        for o in self.graph.output:
            self.consumers[o.name] = self.consumers.get(o.name, 0) + 1
        self.arg_names: list[str] = []

    # -- values -------------------------------------------------------------------------------------------------

    def add_argument(self, name: str, type: TensorType) -> SSAValue:
        """Append a function argument for graph input `name`."""
        arg = self.block.insert_arg(type, len(self.block.args))
        arg.name_hint = _ssa_name(name)
        self.values[name] = arg
        self.arg_names.append(name)
        return arg

    def emit(self, op: T) -> T:
        """Append `op` to the function body (unverified; NodeContext.emit verifies)."""
        self.block.add_op(op)
        return op

    def value(self, name: str) -> SSAValue:
        """The IR value of tensor `name`; a constant is materialized as one `nn.const` on first use."""
        v = self.values.get(name)
        if v is not None:
            return v
        array = self.constants.get(name)
        if array is None:
            raise KccError(f"tensor '{name}' is used before it is defined", hint="the graph is not topologically sorted")
        sub = subbyte_element(array.dtype)
        if sub is not None:
            const = self.emit(const_from_numpy(unpacked(array), tensor_type(array.shape, sub)))
        else:
            const = self.emit(const_from_numpy(_storage_array(array, name)))
        const.output.name_hint = _ssa_name(name)
        self.values[name] = const.output
        return const.output

    def finish(self, output_names: Sequence[str]) -> ModuleOp:
        """Return the graph outputs and wrap the body into `builtin.module { func.func @main }`."""
        results = [self.value(n) for n in output_names]
        self.block.add_op(func.ReturnOp(*results))
        ftype = FunctionType.from_lists([a.type for a in self.block.args], [r.type for r in results])
        f = func.FuncOp(
            "main",
            ftype,
            Region(self.block),
            arg_attrs=_name_attrs(self.arg_names),
            res_attrs=_name_attrs(list(output_names)),
        )
        return ModuleOp([f])


def _ssa_name(name: str) -> str | None:
    clean = "".join(c if c.isalnum() or c in "_" else "_" for c in name)
    if not clean or clean[0].isdigit():
        clean = "v" + clean
    return clean


def _storage_array(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype == np.float64:
        return array
    if array.dtype.kind in "fiub":
        return array
    raise KccError(f"constant '{name}' has dtype {array.dtype}, which kcc does not support")


class NodeContext:
    """What a converter sees of the node it converts.

    Inputs: `input(i)` (IR value), `const(i)` / `maybe_const(i)` (numpy array of a constant input),
    `has_input(i)`, `input_shape(i)`, `input_type(i)`. Attributes: `attr(name, default)` and typed variants,
    `attr_or_input(...)` for attributes that became inputs in later opsets. Opset: `opset` (the model's default
    domain version) and `since_version` (the version of this op's schema in effect). Outputs: `output_type(i)`
    (from shape inference), `set_output(i, value)`, `set_const_output(i, array)`, `output_used(i)`.
    Errors: `error(message, hint=...)` returns a KccError naming the node (raise it).
    """

    def __init__(self, builder: GraphBuilder, node: NodeProto, index: int):
        self.builder = builder
        self.node = node
        self.index = index
        self.op_type: str = node.op_type
        self.name: str = node.name
        self.opset: int = builder.opset
        self.since_version: int = _since_version(node.op_type, builder.opset)
        self._attrs: dict[str, AttributeProto] = {a.name: a for a in node.attribute}

    # -- errors -------------------------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """`OpType 'name'` as used in error messages."""
        return node_label(self.node, self.index)

    def error(self, message: str, hint: str | None = None) -> KccError:
        """A KccError naming this node (op type, name, index): `raise ctx.error("...")`."""
        return KccError(message, op=self.label, index=self.index, hint=hint)

    # -- inputs -------------------------------------------------------------------------------------------------

    @property
    def n_inputs(self) -> int:
        """Number of input slots (trailing absent optional inputs are not counted)."""
        return len(self.node.input)

    def input_name(self, i: int) -> str:
        return self.node.input[i] if i < len(self.node.input) else ""

    def has_input(self, i: int) -> bool:
        """True if optional input `i` is present (not omitted and not the empty name)."""
        return bool(self.input_name(i))

    def input(self, i: int) -> SSAValue:
        """The IR value of input `i` (constants become `nn.const`)."""
        name = self.input_name(i)
        if not name:
            raise self.error(f"input {i} is required but absent")
        return self.builder.value(name)

    def maybe_const(self, i: int) -> np.ndarray | None:
        """The constant value of input `i`, or None if it is absent or computed at run time."""
        name = self.input_name(i)
        return self.builder.constants.get(name) if name else None

    def const(self, i: int, what: str | None = None) -> np.ndarray:
        """The constant value of input `i`; an error naming `what` if it is computed at run time or absent."""
        value = self.maybe_const(i)
        if value is None:
            role = what or f"input {i}"
            if not self.has_input(i):
                raise self.error(f"{role} is required but absent")
            raise self.error(
                f"{role} ('{self.input_name(i)}') must be a constant (initializer or foldable subgraph)",
                hint="kcc needs it at compile time; export with constant shapes / weights",
            )
        return value

    def is_const(self, i: int) -> bool:
        return self.maybe_const(i) is not None

    def input_type(self, i: int) -> TensorType:
        """The IR type of input `i` (materializes a constant input)."""
        t = self.input(i).type
        assert isinstance(t, TensorType)
        return t  # pyright: ignore[reportUnknownVariableType]

    def input_shape(self, i: int) -> tuple[int, ...]:
        """The static shape of input `i` (from the constant or the IR value; no op is created)."""
        c = self.maybe_const(i)
        if c is not None:
            return tuple(c.shape)
        return tuple(int(d) for d in self.input_type(i).get_shape())

    def input_element(self, i: int) -> Attribute:
        """The element type of input `i` (f32, ui8, !nn.q<...>, ...)."""
        return self.input_type(i).element_type

    # -- attributes ---------------------------------------------------------------------------------------------

    def has_attr(self, name: str) -> bool:
        return name in self._attrs

    def attr(self, name: str, default: Any = None) -> Any:
        """An attribute as a Python value (int, float, str, list, numpy array for tensors), or `default`."""
        a = self._attrs.get(name)
        if a is None:
            return default
        if a.type == AttributeProto.TENSOR:
            return numpy_helper.to_array(a.t)
        if a.type == AttributeProto.STRING:
            return a.s.decode("utf-8", errors="replace")
        if a.type == AttributeProto.STRINGS:
            return [s.decode("utf-8", errors="replace") for s in a.strings]
        if a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS):
            raise self.error(f"attribute '{name}' is a subgraph; control flow is not supported")
        return helper.get_attribute_value(a)

    def attr_int(self, name: str, default: int) -> int:
        return int(self.attr(name, default))

    def attr_float(self, name: str, default: float) -> float:
        return float(self.attr(name, default))

    def attr_str(self, name: str, default: str) -> str:
        return str(self.attr(name, default))

    def attr_ints(self, name: str, default: Sequence[int] | None = None) -> list[int] | None:
        """An INTS attribute as a list (or `default`, which may be None)."""
        v = self.attr(name, None)
        if v is None:
            return None if default is None else list(default)
        return [int(x) for x in v]

    def attr_floats(self, name: str, default: Sequence[float] | None = None) -> list[float] | None:
        v = self.attr(name, None)
        if v is None:
            return None if default is None else list(default)
        return [float(x) for x in v]

    def attr_or_input(self, name: str, input_index: int, since: int, default: Any = None) -> Any:
        """An operand that is attribute `name` before opset `since` and constant input `input_index` from it on
        (Squeeze/Unsqueeze axes 13, Split split 13, Clip min/max 11, Pad pads 11, Slice starts 10, Reduce* axes 13/18,
        ...). Returns a list for ints/floats attributes, a numpy array for inputs, or `default` if neither is given."""
        if self.since_version < since:
            return self.attr(name, default)
        if not self.has_input(input_index):
            return default
        return self.const(input_index, name)

    def expect_attr(self, name: str, allowed: Sequence[Any], default: Any) -> Any:
        """Attribute `name` (or `default`), which must be one of `allowed`; an error otherwise."""
        v = self.attr(name, default)
        if v not in allowed:
            raise self.error(
                f"attribute {name}={v!r} is not supported",
                hint="supported: " + ", ".join(repr(a) for a in allowed),
            )
        return v

    # -- outputs ------------------------------------------------------------------------------------------------

    @property
    def n_outputs(self) -> int:
        return len(self.node.output)

    def output_name(self, i: int) -> str:
        return self.node.output[i] if i < len(self.node.output) else ""

    def output_used(self, i: int) -> bool:
        """True if output `i` exists and is read by a node or is a graph output."""
        name = self.output_name(i)
        return bool(name) and self.builder.consumers.get(name, 0) > 0

    def output_info(self, i: int) -> TensorInfo | None:
        return self.builder.infos.get(self.output_name(i))

    def output_shape(self, i: int = 0) -> tuple[int, ...]:
        """The static shape shape inference gave output `i`; an error if it is unknown or dynamic."""
        info = self.output_info(i)
        if info is None or info.shape is None or not info.is_static:
            shown = "unknown" if info is None or info.shape is None else "x".join("?" if d < 0 else str(d) for d in info.shape)
            raise self.error(
                f"output {i} ('{self.output_name(i)}') has no static shape after shape inference ({shown})",
                hint="give dynamic input dims with --input-shape name:d0,d1,...",
            )
        return info.shape

    def output_type(self, i: int = 0, element: Attribute | None = None) -> TensorType:
        """The inferred type of output `i` as an nn tensor type; `element` replaces the element type (e.g. !nn.q)."""
        shape = self.output_shape(i)
        if element is None:
            info = self.output_info(i)
            assert info is not None
            element = element_type_of(info.elem_type, f"output {i} of {self.label}")
        return tensor_type(shape, element)

    def output_type_like(self, i: int = 0, input_index: int = 0) -> TensorType:
        """The inferred shape of output `i` with the element type of input `input_index` (keeps `!nn.q` types through
        movement ops such as Reshape, Transpose, MaxPool)."""
        return self.output_type(i, self.input_element(input_index))

    def emit(self, op: T) -> T:
        """Append `op` to the function and verify it; a verifier error becomes a KccError naming this node."""
        self.builder.emit(op)
        try:
            op.verify()
        except VerifyException as e:
            raise self.error(f"cannot convert: {op.name}: {e}") from None
        return op

    def set_output(self, i: int, value: SSAValue) -> None:
        """Define output `i` as `value` (checked against the inferred shape when that is known)."""
        name = self.output_name(i)
        if not name:
            return
        info = self.output_info(i)
        vt = value.type
        if info is not None and info.is_static and isinstance(vt, TensorType):
            got = tuple(int(d) for d in vt.get_shape())
            if info.shape != got:
                raise self.error(f"output {i} has shape {got} but ONNX shape inference says {info.shape}")
        if value.name_hint is None:
            value.name_hint = _ssa_name(name)
        self.builder.values[name] = value

    def set_const_output(self, i: int, array: np.ndarray) -> None:
        """Define output `i` as a constant (materialized as `nn.const` only if something uses it as a value)."""
        name = self.output_name(i)
        if name:
            self.builder.constants[name] = np.asarray(array)
            self.builder.values.pop(name, None)

    def const_value(self, array: np.ndarray, result_type: Attribute | None = None) -> SSAValue:
        """Emit an `nn.const` holding `array` (with an optional quantized result type) and return its value."""
        return self.emit(const_from_numpy(np.asarray(array), result_type)).output


def _since_version(op_type: str, opset: int) -> int:
    import onnx.defs

    try:
        return int(onnx.defs.get_schema(op_type, opset).since_version)
    except Exception:
        return opset


def numpy_of_element(element: Attribute) -> np.dtype:
    """The numpy dtype holding values of an nn element type (quantized: the storage)."""
    return numpy_dtype(element)


def quant_type(storage: Attribute, scale: np.ndarray, zero_point: np.ndarray | None, axis: int | None) -> Attribute:
    """`!nn.q` (per-tensor: one scale) or `!nn.qc` (per-axis) for an ONNX scale / zero-point pair."""
    assert isinstance(storage, IntegerType)
    scale = np.asarray(scale, dtype=np.float64).reshape(-1)
    zp = np.zeros(scale.shape, dtype=np.int64) if zero_point is None else np.asarray(zero_point).astype(np.int64).reshape(-1)
    if scale.size == 1 and axis is None:
        return QuantType(storage, float(scale[0]), int(zp[0]))
    return PerChannelQuantType(storage, int(axis or 0), [float(s) for s in scale], [int(z) for z in zp])
