"""Reading an ONNX model from a path, bytes or a `ModelProto`, with its external data, into a checked `ModelProto`.

External data (tensors stored in side files) is read only from the model's own folder: a location that is
absolute, contains `..` or a NUL byte, or resolves (through symlinks) outside that folder is refused, and so is
one that is not a regular file or whose offset/length lie outside it. A model given as bytes or as a `ModelProto`
has no folder, so its external data is refused too. Every tensor's data is checked against its dims and element
type (so that a lying dims or raw_data size is an error here, not a numpy exception or a huge allocation later),
and the file is checked lightly (`onnx.checker.check_model` without full shape checking); anything that does not
parse is a `KccError`.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

import onnx
from onnx import GraphProto, ModelProto, TensorProto, helper

from kcc.errors import KccError

#: Oldest default-domain opset the frontend accepts.
MIN_OPSET = 7

#: Largest element count of one tensor the frontend accepts (2^31 - 1, as for TFLite).
MAX_ELEMENTS = (1 << 31) - 1

#: Bits per element of the sub-byte types (packed in raw_data, and one byte per int32_data entry).
_SUB_BYTE_BITS: dict[int, int] = {
    TensorProto.INT4: 4,
    TensorProto.UINT4: 4,
    TensorProto.FLOAT4E2M1: 4,
    TensorProto.INT2: 2,
    TensorProto.UINT2: 2,
}

ModelSource = str | os.PathLike[str] | bytes | ModelProto


def load_model(source: ModelSource) -> tuple[ModelProto, Path | None]:
    """The parsed model (external data inlined) and its folder (None for bytes / ModelProto sources)."""
    folder: Path | None = None
    if isinstance(source, ModelProto):
        model = ModelProto()
        model.CopyFrom(source)
        what = "the given ModelProto"
    elif isinstance(source, bytes | bytearray):
        model = _parse(bytes(source), "the given bytes")
        what = "the given bytes"
    else:
        path = Path(source)
        what = f"'{path}'"
        try:
            data = path.read_bytes()
        except OSError as e:
            raise KccError(f"cannot read ONNX model {what}: {e.strerror or e}") from None
        model = _parse(data, what)
        folder = path.resolve().parent
    _inline_external_data(model, folder, what)
    for tensor in _graph_tensors(model.graph):
        _check_tensor_data(tensor, what)
    _check_names(model.graph, what)
    _check(model, what)
    return model, folder


def default_opset(model: ModelProto) -> int:
    """The version of the default ONNX domain ('' or 'ai.onnx') the model imports."""
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return int(imp.version)
    raise KccError("the model imports no version of the default ONNX opset", hint="re-export the model with opset 7..21")


def _parse(data: bytes, what: str) -> ModelProto:
    model = ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as e:  # protobuf raises DecodeError / RuntimeWarning-like errors for garbage
        raise KccError(
            f"{what} is not a valid ONNX model (protobuf parse failed: {str(e).splitlines()[0] if str(e) else type(e).__name__})",
            hint="the file may be truncated or not an .onnx file",
        ) from None
    if not model.HasField("graph") or len(model.opset_import) == 0:
        raise KccError(
            f"{what} is not a valid ONNX model (no graph or no opset_import; {len(data)} bytes)",
            hint="the file may be truncated or not an .onnx file",
        )
    return model


def _check(model: ModelProto, what: str) -> None:
    opset = default_opset(model)
    if opset < MIN_OPSET:
        raise KccError(
            f"{what} uses ONNX opset {opset}; kcc supports opsets {MIN_OPSET}..21", hint="convert it with onnx.version_converter"
        )
    # The checker insists on a shape for every typed value; runtimes accept outputs of unknown rank, so the
    # checked copy gets a placeholder shape where there is none.
    checked = ModelProto()
    checked.CopyFrom(model)
    for vi in [*checked.graph.input, *checked.graph.output, *checked.graph.value_info]:
        if vi.type.HasField("tensor_type") and not vi.type.tensor_type.HasField("shape"):
            vi.type.tensor_type.shape.SetInParent()
    try:
        onnx.checker.check_model(checked, full_check=False)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise KccError(
            f"{what} fails the ONNX checker: {first}", hint="the file may be corrupt or made by a buggy exporter"
        ) from None


def _graph_tensors(graph: GraphProto) -> Iterator[TensorProto]:
    """Every tensor of a graph and its subgraphs: initializers and tensor attributes."""
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors
            if attr.HasField("g"):
                yield from _graph_tensors(attr.g)
            for g in attr.graphs:
                yield from _graph_tensors(g)


def _safe_location(location: str, folder: Path, tensor: str) -> Path:
    """The side file of an external tensor, refusing anything outside the model's folder."""
    bad = ""
    if not location:
        bad = "is empty"
    elif "\0" in location:
        bad = "contains a NUL byte"
    elif PurePosixPath(location).is_absolute() or PureWindowsPath(location).is_absolute() or PureWindowsPath(location).drive:
        bad = "is an absolute path"
    elif ".." in PurePosixPath(location.replace("\\", "/")).parts:
        bad = "contains '..'"
    if not bad:
        try:
            target = (folder / location).resolve()
        except (OSError, RuntimeError, ValueError) as e:
            raise KccError(f"external data location '{location[:200]}' of tensor '{tensor}' cannot be resolved: {e}") from None
        if not target.is_relative_to(folder):
            bad = f"resolves (through a symlink) to '{target}', outside the model's folder"
        else:
            return target
    raise KccError(
        f"external data location {location[:200]!r} of tensor '{tensor}' {bad}",
        hint=f"external data files must be inside the model's folder '{folder}'",
    )


def _inline_external_data(model: ModelProto, folder: Path | None, what: str) -> None:
    for tensor in _graph_tensors(model.graph):
        if tensor.data_location != TensorProto.EXTERNAL:
            continue
        info = {e.key: e.value for e in tensor.external_data}
        location = info.get("location", "")
        if folder is None:
            raise KccError(
                f"tensor '{tensor.name}' of {what} keeps its data in external file '{location}'",
                hint="load the model from its file path so that kcc can find the data next to it",
            )
        path = _safe_location(location, folder, tensor.name)
        try:
            offset = int(info.get("offset", "0") or 0)
            length = int(info["length"]) if info.get("length") else -1
        except ValueError:
            raise KccError(f"external data of tensor '{tensor.name}' has a bad offset/length: {info}") from None
        try:
            st = path.stat()
        except OSError as e:
            raise KccError(f"cannot read external data '{location}' of tensor '{tensor.name}': {e.strerror or e}") from None
        if not stat.S_ISREG(st.st_mode):
            raise KccError(
                f"external data '{location}' of tensor '{tensor.name}' is not a regular file",
                hint="external data must be a plain file next to the model",
            )
        end = st.st_size if length < 0 else offset + length
        if offset < 0 or end > st.st_size:
            raise KccError(
                f"external data '{location}' of tensor '{tensor.name}' is truncated: wanted {max(length, 0)} bytes at offset"
                f" {offset}, the file has {st.st_size}"
            )
        try:
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(end - offset)
        except OSError as e:
            raise KccError(f"cannot read external data '{location}' of tensor '{tensor.name}': {e.strerror or e}") from None
        if len(data) != end - offset:
            raise KccError(
                f"external data '{location}' of tensor '{tensor.name}' is truncated: wanted {end - offset} bytes at offset"
                f" {offset}, got {len(data)}"
            )
        tensor.raw_data = data
        del tensor.external_data[:]
        tensor.data_location = TensorProto.DEFAULT


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _name_problem(name: object) -> str:
    """Why a name from the file cannot be used ("" when it can): protobuf hands out the raw bytes of a string
    field that is not valid UTF-8."""
    if not isinstance(name, str):
        return "is not valid UTF-8"
    return "has a control character" if _CONTROL.search(name) else ""


def _check_names(graph: GraphProto, what: str) -> None:
    """Every node, op and value name is valid UTF-8 without control characters or line separators (names appear
    in messages, which must stay on one line; no exporter writes such names)."""
    for index, node in enumerate(graph.node):
        for kind, name in (
            ("name", node.name),
            ("op_type", node.op_type),
            ("domain", node.domain),
            *(("input", n) for n in node.input),
            *(("output", n) for n in node.output),
        ):
            if problem := _name_problem(name):
                raise KccError(
                    f"node #{index} of {what} has {kind} {name[:200]!r} {problem}",
                    hint="the file may be corrupt or made by a buggy exporter",
                )
        for attr in node.attribute:
            if attr.HasField("g"):
                _check_names(attr.g, what)
            for g in attr.graphs:
                _check_names(g, what)
    values = [*graph.input, *graph.output, *graph.value_info]
    for name in [v.name for v in values] + [t.name for t in graph.initializer]:
        if problem := _name_problem(name):
            raise KccError(
                f"value name {name[:200]!r} of {what} {problem}",
                hint="the file may be corrupt or made by a buggy exporter",
            )


def _check_tensor_data(tensor: TensorProto, what: str) -> None:
    """The tensor's data matches its dims and element type: known type, dims >= 0, at most `MAX_ELEMENTS`
    elements, and exactly as many raw_data bytes or typed values as they need (what `numpy_helper.to_array`
    relies on)."""
    name = tensor.name or "<unnamed>"

    def bad(msg: str) -> KccError:
        return KccError(f"tensor '{name}' of {what} {msg}", hint="the file may be corrupt or made by a buggy exporter")

    dtype = int(tensor.data_type)
    try:
        if dtype == TensorProto.UNDEFINED:
            raise KeyError(dtype)
        np_dtype = helper.tensor_dtype_to_np_dtype(dtype)
        field = helper.tensor_dtype_to_field(dtype)
    except (KeyError, ValueError, TypeError):
        raise bad(f"has unknown element type {dtype}") from None
    if tensor.HasField("segment"):
        raise bad("is a segment of a larger tensor, which kcc does not read")
    dims = [int(d) for d in tensor.dims]
    if any(d < 0 for d in dims):
        raise bad(f"has negative dimensions {dims}")
    count = math.prod(dims)
    if count > MAX_ELEMENTS:
        raise bad(f"has {count} elements (dims {dims}), more than 2^31 - 1")
    bits = _SUB_BYTE_BITS.get(dtype, np_dtype.itemsize * 8)
    if dtype != TensorProto.STRING and tensor.HasField("raw_data"):
        need, have, unit = (count * bits + 7) // 8, len(tensor.raw_data), "raw_data bytes"
    else:
        per = 2 if dtype in (TensorProto.COMPLEX64, TensorProto.COMPLEX128) else 1
        need = (count * bits + 7) // 8 if dtype in _SUB_BYTE_BITS else count * per
        have, unit = len(getattr(tensor, field)), f"{field} values"
    if have != need:
        raise bad(f"(element type {helper.tensor_dtype_to_string(dtype)}, dims {dims}) needs {need} {unit}, it has {have}")
