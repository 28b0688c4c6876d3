"""The ONNX backend node tests that exercise kcc's supported ONNX ops, run through the frontend and the interpreter.

Shared by `test/unit/frontends/onnx/test_conformance_onnx.py` (one pytest case per node test) and
`tools/gen_conformance.py` (writes `docs/conformance.md`).

* Which tests: every directory of `onnx/backend/test/data/node/` whose model's ops (ignoring Constant and
  Identity, unless the model has nothing else) are all in `LISTED_OPS`. The test's group is those ops joined by `+`
  (expanded function tests such as `test_softmax_axis_0_expanded` contain several ops).
* How: each `test_data_set_*` is run with `kcc.interp.run(kcc.frontends.onnx.import_onnx(model), inputs)` and its
  outputs compared as ONNX's backend runner does (same shape, same dtype, `assert_allclose` with rtol 1e-3,
  atol 1e-7). kcc holds int4 / uint4 / int2 / uint2 values unpacked in int8 / uint8 arrays, so expected outputs of
  those types are compared as int8 / uint8 arrays (same values); run-time inputs of those types are passed as they
  are read (`kcc.interp.run` converts them to its int8 / uint8 storage).
* Compile-time parameters: kcc compiles static graphs, so a graph input that feeds a parameter slot (`PARAM_INPUTS`:
  shapes, axes, pads, slice bounds, split sizes, scales, clip bounds, quantization parameters, weights) is given to
  the model as an initializer holding that data set's value; every other input stays a runtime input.
* Expected failures: `EXPECTED_FAILURES_FILE` lists `test_name: reason` lines; a listed test that passes is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import ModelProto, numpy_helper

NODE_ROOT = Path(onnx.__file__).resolve().parent / "backend" / "test" / "data" / "node"
EXPECTED_FAILURES_FILE = Path(__file__).resolve().parent / "onnx_expected_failures.txt"
RTOL = 1e-3
ATOL = 1e-7

#: The ONNX ops kcc supports (the issue's list).
LISTED_OPS: tuple[str, ...] = (
    "Add",
    "AveragePool",
    "BatchNormalization",
    "Clip",
    "Concat",
    "Constant",
    "Conv",
    "ConvTranspose",
    "DequantizeLinear",
    "Div",
    "Dropout",
    "Exp",
    "Flatten",
    "Gemm",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "HardSigmoid",
    "HardSwish",
    "Identity",
    "LeakyRelu",
    "Log",
    "MatMul",
    "Max",
    "MaxPool",
    "Min",
    "Mul",
    "PRelu",
    "Pad",
    "Pow",
    "QuantizeLinear",
    "ReduceMax",
    "ReduceMean",
    "ReduceSum",
    "Relu",
    "Reshape",
    "Resize",
    "Sigmoid",
    "Slice",
    "Softmax",
    "Split",
    "Sqrt",
    "Squeeze",
    "Sub",
    "Tanh",
    "Transpose",
    "Unsqueeze",
    "Upsample",
)

#: Input positions (per op type) that kcc needs at compile time; graph inputs there become initializers.
PARAM_INPUTS: dict[str, tuple[int, ...]] = {
    "BatchNormalization": (1, 2, 3, 4),
    "Clip": (1, 2),
    "Conv": (1, 2),
    "ConvTranspose": (1, 2),
    "DequantizeLinear": (1, 2),
    "Dropout": (1, 2),
    "Gemm": (1, 2),
    "Pad": (1, 2, 3),
    "PRelu": (1,),
    "QuantizeLinear": (1, 2),
    "ReduceMax": (1,),
    "ReduceMean": (1,),
    "ReduceSum": (1,),
    "Reshape": (1,),
    "Resize": (1, 2, 3),
    "Slice": (1, 2, 3, 4),
    "Split": (1,),
    "Squeeze": (1,),
    "Unsqueeze": (1,),
    "Upsample": (1,),
}


@dataclass(frozen=True)
class NodeTest:
    name: str
    path: Path
    ops: tuple[str, ...]
    opset: int
    float_data: bool = True  # every run-time input and every output is a float tensor

    @property
    def group(self) -> str:
        return "+".join(self.ops)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    error: str = ""  # first line of the failure, empty when passed


def _model_ops(model: ModelProto) -> tuple[str, ...]:
    all_ops = {n.op_type for n in model.graph.node}
    return tuple(sorted(all_ops - {"Constant", "Identity"} or all_ops))


_FLOATS = (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE)


def _param_names(model: ModelProto) -> set[str]:
    """Names read at a `PARAM_INPUTS` position of some node."""
    params: set[str] = set()
    for node in model.graph.node:
        for idx in PARAM_INPUTS.get(node.op_type, ()):
            if idx < len(node.input) and node.input[idx]:
                params.add(node.input[idx])
    return params


def _float_data(model: ModelProto) -> bool:
    skip = _param_names(model) | {t.name for t in model.graph.initializer}
    values = [vi for vi in model.graph.input if vi.name not in skip] + list(model.graph.output)
    return all(vi.type.HasField("tensor_type") and vi.type.tensor_type.elem_type in _FLOATS for vi in values)


def _opset(model: ModelProto) -> int:
    return next((int(i.version) for i in model.opset_import if i.domain in ("", "ai.onnx")), 0)


def discover(root: Path = NODE_ROOT) -> list[NodeTest]:
    """The applicable node tests, sorted by name."""
    tests: list[NodeTest] = []
    for d in sorted(root.iterdir()):
        model_path = d / "model.onnx"
        if not model_path.is_file():
            continue
        model = onnx.load(str(model_path), load_external_data=False)
        ops = _model_ops(model)
        if ops and all(op in LISTED_OPS for op in ops):
            tests.append(NodeTest(d.name, d, ops, _opset(model), _float_data(model)))
    return tests


def load_expected_failures(path: Path = EXPECTED_FAILURES_FILE) -> dict[str, str]:
    """`test_name: reason` lines (blank lines and `#` comments ignored)."""
    expected: dict[str, str] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, reason = line.partition(":")
        if not sep or not reason.strip() or not re.fullmatch(r"test_\w+", name.strip()):
            raise ValueError(f"{path.name}:{n}: expected 'test_name: reason', got {line!r}")
        if name.strip() in expected:
            raise ValueError(f"{path.name}:{n}: {name.strip()} is listed twice")
        expected[name.strip()] = reason.strip()
    return expected


def _read_value(path: Path, type_proto: onnx.TypeProto) -> Any:
    data = path.read_bytes()
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        return numpy_helper.to_list(seq)
    if kind == "optional_type":
        opt = onnx.OptionalProto()
        opt.ParseFromString(data)
        return numpy_helper.to_optional(opt)
    tensor = onnx.TensorProto()
    tensor.ParseFromString(data)
    return numpy_helper.to_array(tensor)


def _indexed(folder: Path, prefix: str) -> list[Path]:
    files = [p for p in folder.glob(f"{prefix}_*.pb") if p.stem.removeprefix(prefix + "_").isdigit()]
    return sorted(files, key=lambda p: int(p.stem.removeprefix(prefix + "_")))


def data_sets(test: NodeTest, model: ModelProto) -> Iterator[tuple[list[Any], list[Any]]]:
    """(inputs, expected outputs) of every test_data_set_*, in graph input / output order."""
    init_names = {t.name for t in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in init_names]
    sets = sorted(test.path.glob("test_data_set_*"), key=lambda p: int(p.name.rsplit("_", 1)[1]))
    for folder in sets:
        ins = [_read_value(p, vi.type) for p, vi in zip(_indexed(folder, "input"), graph_inputs, strict=False)]
        outs = [_read_value(p, vi.type) for p, vi in zip(_indexed(folder, "output"), model.graph.output, strict=False)]
        yield ins, outs


def bake_parameters(model: ModelProto, inputs: list[Any]) -> tuple[ModelProto, list[Any]]:
    """The model with parameter-slot graph inputs turned into initializers, and the remaining runtime inputs."""
    init_names = {t.name for t in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in init_names]
    params = _param_names(model)
    baked = ModelProto()
    baked.CopyFrom(model)
    keep: list[onnx.ValueInfoProto] = []
    runtime: list[Any] = []
    for vi, value in zip(graph_inputs, inputs, strict=False):
        if vi.name in params and isinstance(value, np.ndarray):
            baked.graph.initializer.append(numpy_helper.from_array(value, vi.name))
        else:
            keep.append(vi)
            runtime.append(value)
    kept_names = {vi.name for vi in keep}
    remaining = [vi for vi in baked.graph.input if vi.name in kept_names or vi.name in init_names]
    del baked.graph.input[:]
    baked.graph.input.extend(remaining)
    return baked, runtime


#: ml_dtypes sub-byte integer dtypes of `numpy_helper.to_array` -> the numpy dtype kcc holds their values in.
_SUBBYTE_HOLDERS = {"int4": np.int8, "int2": np.int8, "uint4": np.uint8, "uint2": np.uint8}


def _unpacked(value: Any) -> Any:
    """An expected int4 / uint4 / int2 / uint2 output as the int8 / uint8 array kcc returns (same values): kcc holds
    sub-byte integer storage unpacked, one value per byte (kcc.dialects.nn.types)."""
    if isinstance(value, np.ndarray) and value.dtype.name in _SUBBYTE_HOLDERS:
        return value.astype(_SUBBYTE_HOLDERS[value.dtype.name])
    return value


def _compare(got: list[np.ndarray], want: list[Any]) -> None:
    if len(got) != len(want):
        raise AssertionError(f"kcc gave {len(got)} outputs, the test has {len(want)}")
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if not isinstance(w, np.ndarray):
            raise AssertionError(f"output {i}: expected a {type(w).__name__}, not a tensor")
        w = _unpacked(w)
        if g.shape != w.shape:
            raise AssertionError(f"output {i}: shape {g.shape}, expected {w.shape}")
        if g.dtype != w.dtype:
            raise AssertionError(f"output {i}: dtype {g.dtype}, expected {w.dtype}")
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"output {i}")


def run_test(test: NodeTest) -> None:
    """Run every data set of `test` through kcc; raise on the first mismatch or error."""
    from kcc.frontends.onnx import import_onnx
    from kcc.interp import run

    model = onnx.load(str(test.path / "model.onnx"))
    n_sets = 0
    for inputs, outputs in data_sets(test, model):
        baked, runtime = bake_parameters(model, inputs)
        module = import_onnx(baked)
        module.verify()
        _compare(run(module, runtime), outputs)
        n_sets += 1
    if n_sets == 0:
        raise AssertionError("the test has no data sets")


def outcome(test: NodeTest) -> Outcome:
    try:
        run_test(test)
    except Exception as e:  # any failure is an outcome to report, not a crash of the harness
        text = str(e).strip()
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return Outcome(False, f"{type(e).__name__}: {' '.join(lines[:3])}" if lines else type(e).__name__)
    return Outcome(True)
