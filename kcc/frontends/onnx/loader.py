"""Reading an ONNX model from a path, bytes or a `ModelProto`, with its external data, into a checked `ModelProto`.

External data (tensors stored in side files) is read only from the model's own folder: a location that is
absolute, contains `..`, or resolves (through symlinks) outside that folder is refused. A model given as bytes or
as a `ModelProto` has no folder, so its external data is refused too. The file is checked lightly
(`onnx.checker.check_model` without full shape checking); anything that does not parse is a `KccError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

import onnx
from onnx import GraphProto, ModelProto, TensorProto

from kcc.errors import KccError

#: Oldest default-domain opset the frontend accepts.
MIN_OPSET = 7

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
    elif PurePosixPath(location).is_absolute() or PureWindowsPath(location).is_absolute() or PureWindowsPath(location).drive:
        bad = "is an absolute path"
    elif ".." in PurePosixPath(location.replace("\\", "/")).parts:
        bad = "contains '..'"
    if not bad:
        target = (folder / location).resolve()
        if not target.is_relative_to(folder):
            bad = f"resolves (through a symlink) to '{target}', outside the model's folder"
        else:
            return target
    raise KccError(
        f"external data location '{location}' of tensor '{tensor}' {bad}",
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
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(length) if length >= 0 else f.read()
        except OSError as e:
            raise KccError(f"cannot read external data '{location}' of tensor '{tensor.name}': {e.strerror or e}") from None
        if length >= 0 and len(data) != length:
            raise KccError(
                f"external data '{location}' of tensor '{tensor.name}' is truncated: wanted {length} bytes at offset {offset},"
                f" got {len(data)}"
            )
        tensor.raw_data = data
        del tensor.external_data[:]
        tensor.data_location = TensorProto.DEFAULT
