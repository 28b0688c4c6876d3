"""Multi-operator TFLite models for tests, built in memory (tflite_ref.py builds one-op models).

    from tflite_graph import Graph

    g = Graph()
    x = g.input("x", (1, 8, 8, 3))                                  # float32 graph input
    w = g.const("w", np.ones((4, 3, 3, 3), np.float32))             # constant (OHWI)
    y = g.tensor("y", (1, 8, 8, 4))                                 # intermediate / output tensor
    g.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    model = g.build()                                               # bytes; run with tflite_ref.run_model

Tensors are indices. `-1` is an omitted optional input. Options are the builtin options table's fields by
snake_case name (enum fields may be given by name: padding="SAME", fused_activation_function="RELU");
custom operators take `custom_code=` and raw `custom_options=` bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
import tflite
from tflite_ref import _TENSOR_TYPES, QParams, _end_vector, _options, _quant, options_table_name


def _s(name: str) -> Any:
    return importlib.import_module(f"tflite.{name}")


@dataclass
class _Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    quant: QParams | None
    data: bytes | None
    signature: tuple[int, ...] | None = None


@dataclass
class _Op:
    code: str
    custom_code: str | None
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any]
    custom_options: bytes
    version: int


@dataclass
class Graph:
    """A one-subgraph TFLite model under construction."""

    tensors: list[_Tensor] = field(default_factory=list)
    ops: list[_Op] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)

    def tensor(
        self,
        name: str,
        shape: Sequence[int],
        dtype: Any = np.float32,
        quant: QParams | None = None,
        signature: Sequence[int] | None = None,
    ) -> int:
        """A non-constant tensor (intermediate or output)."""
        sig = tuple(signature) if signature is not None else None
        self.tensors.append(_Tensor(name, tuple(shape), np.dtype(dtype), quant, None, sig))
        return len(self.tensors) - 1

    def input(
        self,
        name: str,
        shape: Sequence[int],
        dtype: Any = np.float32,
        quant: QParams | None = None,
        signature: Sequence[int] | None = None,
    ) -> int:
        """A graph input (in call order)."""
        t = self.tensor(name, shape, dtype, quant, signature)
        self.inputs.append(t)
        return t

    def const(self, name: str, data: np.ndarray, quant: QParams | None = None) -> int:
        """A constant tensor holding `data` (its storage integers if `quant` is given)."""
        a = np.ascontiguousarray(data)
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        self.tensors.append(_Tensor(name, a.shape, a.dtype, quant, raw))
        return len(self.tensors) - 1

    def op(
        self,
        code: str,
        inputs: Sequence[int],
        outputs: Sequence[int],
        custom_code: str | None = None,
        custom_options: bytes = b"",
        version: int = 1,
        **options: Any,
    ) -> None:
        self.ops.append(_Op(code, custom_code, list(inputs), list(outputs), options, custom_options, version))

    def output(self, *tensors: int) -> None:
        self.outputs.extend(tensors)

    def build(self, file_identifier: bytes = b"TFL3") -> bytes:
        b = flatbuffers.Builder(1024)
        buffers: list[bytes] = [b""]
        tensor_offsets: list[int] = []
        for t in self.tensors:
            buf = 0
            if t.data is not None:
                buffers.append(t.data)
                buf = len(buffers) - 1
            name = b.CreateString(t.name)
            shape = b.CreateNumpyVector(np.asarray(t.shape, dtype=np.int32))
            sig = b.CreateNumpyVector(np.asarray(t.signature, dtype=np.int32)) if t.signature is not None else None
            quant = _quant(b, t.quant) if t.quant is not None else None
            _s("Tensor").Start(b)
            _s("Tensor").AddShape(b, shape)
            if sig is not None:
                _s("Tensor").AddShapeSignature(b, sig)
            _s("Tensor").AddType(b, _TENSOR_TYPES[t.dtype])
            _s("Tensor").AddBuffer(b, buf)
            _s("Tensor").AddName(b, name)
            if quant is not None:
                _s("Tensor").AddQuantization(b, quant)
            tensor_offsets.append(_s("Tensor").End(b))

        codes: list[tuple[str, str | None, int]] = []
        op_offsets: list[int] = []
        for o in self.ops:
            key = (o.code, o.custom_code, o.version)
            if key not in codes:
                codes.append(key)
            table = options_table_name(o.code) if o.code != "CUSTOM" else None
            opts = _options(b, table, o.options) if table is not None else None
            if table is None and o.options:
                raise KeyError(f"{o.code} has no builtin options table, got {o.options}")
            custom = b.CreateNumpyVector(np.frombuffer(o.custom_options, dtype=np.uint8)) if o.custom_options else None
            in_vec = b.CreateNumpyVector(np.asarray(o.inputs, dtype=np.int32))
            out_vec = b.CreateNumpyVector(np.asarray(o.outputs, dtype=np.int32))
            _s("Operator").Start(b)
            _s("Operator").AddOpcodeIndex(b, codes.index(key))
            _s("Operator").AddInputs(b, in_vec)
            _s("Operator").AddOutputs(b, out_vec)
            if opts is not None and table is not None:
                _s("Operator").AddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, table))
                _s("Operator").AddBuiltinOptions(b, opts)
            if custom is not None:
                _s("Operator").AddCustomOptions(b, custom)
            op_offsets.append(_s("Operator").End(b))

        tensors_vec = _end_vector(b, tensor_offsets, _s("SubGraph").StartTensorsVector)
        g_in = b.CreateNumpyVector(np.asarray(self.inputs, dtype=np.int32))
        g_out = b.CreateNumpyVector(np.asarray(self.outputs, dtype=np.int32))
        ops_vec = _end_vector(b, op_offsets, _s("SubGraph").StartOperatorsVector)
        _s("SubGraph").Start(b)
        _s("SubGraph").AddTensors(b, tensors_vec)
        _s("SubGraph").AddInputs(b, g_in)
        _s("SubGraph").AddOutputs(b, g_out)
        _s("SubGraph").AddOperators(b, ops_vec)
        subgraph = _s("SubGraph").End(b)

        buffer_offsets: list[int] = []
        for data in buffers:
            vec = b.CreateNumpyVector(np.frombuffer(data, dtype=np.uint8)) if data else None
            _s("Buffer").Start(b)
            if vec is not None:
                _s("Buffer").AddData(b, vec)
            buffer_offsets.append(_s("Buffer").End(b))

        code_offsets: list[int] = []
        for code_name, custom_code, version in codes:
            code = getattr(tflite.BuiltinOperator, code_name)
            cc = b.CreateString(custom_code) if custom_code is not None else None
            _s("OperatorCode").Start(b)
            _s("OperatorCode").AddDeprecatedBuiltinCode(b, min(code, tflite.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES))
            _s("OperatorCode").AddBuiltinCode(b, code)
            if cc is not None:
                _s("OperatorCode").AddCustomCode(b, cc)
            _s("OperatorCode").AddVersion(b, version)
            code_offsets.append(_s("OperatorCode").End(b))

        codes_vec = _end_vector(b, code_offsets, _s("Model").StartOperatorCodesVector)
        subgraphs_vec = _end_vector(b, [subgraph], _s("Model").StartSubgraphsVector)
        buffers_vec = _end_vector(b, buffer_offsets, _s("Model").StartBuffersVector)
        desc = b.CreateString("kcc test graph")
        _s("Model").Start(b)
        _s("Model").AddVersion(b, 3)
        _s("Model").AddOperatorCodes(b, codes_vec)
        _s("Model").AddSubgraphs(b, subgraphs_vec)
        _s("Model").AddDescription(b, desc)
        _s("Model").AddBuffers(b, buffers_vec)
        model = _s("Model").End(b)
        b.Finish(model, file_identifier=file_identifier)
        return bytes(b.Output())


def compare(got: np.ndarray, want: np.ndarray, what: str, max_lsb: int = 0, rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Same shape and dtype; integers within `max_lsb`, floats within rtol / atol."""
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs litert {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} vs litert {want.dtype}"
    if np.issubdtype(want.dtype, np.integer):
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        worst = int(diff.max()) if diff.size else 0
        assert worst <= max_lsb, f"{what}: {np.count_nonzero(diff)} of {diff.size} differ, max by {worst} > {max_lsb}"
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def check_model(
    model: bytes,
    feeds: Sequence[np.ndarray],
    *,
    max_lsb: int = 0,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    input_shapes: Any = None,
    reference: Sequence[np.ndarray] | None = None,
) -> Any:
    """Import `model` with kcc, run it with kcc.interp and (unless `reference` is given) litert's reference
    kernels on `feeds`, assert the outputs agree, and return the imported module."""
    from tflite_ref import run_model

    from kcc.frontends.tflite import import_tflite
    from kcc.interp import run

    want = list(reference) if reference is not None else run_model(model, feeds, "ref")
    module = import_tflite(model, input_shapes=input_shapes)
    module.verify()
    got = run(module, list(feeds))
    assert len(got) == len(want), f"kcc gives {len(got)} outputs, litert {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        compare(g, w, f"output #{i}", max_lsb, rtol, atol)
    return module
