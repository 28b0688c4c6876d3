"""Hostile ONNX external data: every location that leaves the model's folder, is not a plain file, or whose
offset/length lie is refused with a one-line KccError; a well-formed one imports."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

sys.path.insert(0, str(Path(__file__).parent))

import fuzz_engine as fe

from kcc.errors import KccError
from kcc.frontends.onnx import import_onnx

WEIGHTS = np.arange(4, dtype=np.float32)


def _model(folder: Path, location: str, *, offset: int | None = None, length: int | None = 16) -> Path:
    """model.onnx in `folder`: y = x + w, w (4 floats) stored externally at `location`."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4])
    w.data_location = TensorProto.EXTERNAL
    entries = {"location": location}
    if offset is not None:
        entries["offset"] = str(offset)
    if length is not None:
        entries["length"] = str(length)
    for k, v in entries.items():
        e = w.external_data.add()
        e.key, e.value = k, v
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "g", [x], [y], [w])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    path = folder / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    (d / "w.bin").write_bytes(WEIGHTS.tobytes())
    (tmp_path / "outside.bin").write_bytes(WEIGHTS.tobytes())
    return d


def _refused(path: Path, *words: str) -> None:
    """Importing `path` is a one-line KccError containing `words` (under the fuzz time and memory limits)."""
    with fe.memory_limit():
        outcome, detail = fe.run_case(lambda _: import_onnx(path), b"")
    assert outcome == "rejected", detail
    for w in words:
        assert w in detail, detail


def test_well_formed_external_data_imports(folder: Path) -> None:
    module = import_onnx(_model(folder, "w.bin"))
    assert "nn.const" in str(module)


def test_offset_and_length_inside_the_file_import(folder: Path) -> None:
    (folder / "w2.bin").write_bytes(b"\0" * 4 + WEIGHTS.tobytes())
    module = import_onnx(_model(folder, "w2.bin", offset=4, length=None))
    assert "nn.const" in str(module)


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("../outside.bin", ("contains '..'",)),
        ("sub/../../outside.bin", ("contains '..'",)),
        ("..\\outside.bin", ("contains '..'",)),
        ("/etc/passwd", ("absolute",)),
        ("C:\\weights.bin", ("absolute",)),
        ("\\\\server\\share\\w.bin", ("absolute",)),
        ("w.bin\0.txt", ("NUL",)),
        ("\0", ("NUL",)),
        ("", ("empty",)),
        ("x" * 5000, ("cannot read external data",)),
        ("a/" * 3000 + "w.bin", ("cannot read external data",)),
        ("missing.bin", ("cannot read external data", "No such file")),
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "backslash-dotdot",
        "absolute",
        "drive",
        "unc",
        "nul",
        "only-nul",
        "empty",
        "long-name",
        "deep-path",
        "missing",
    ],
)
def test_bad_location_is_refused(folder: Path, location: str, words: tuple[str, ...]) -> None:
    _refused(_model(folder, location), *words)


def test_symlink_out_of_the_folder_is_refused(folder: Path) -> None:
    (folder / "link.bin").symlink_to(folder.parent / "outside.bin")
    _refused(_model(folder, "link.bin"), "outside the model's folder")


def test_symlinked_directory_out_of_the_folder_is_refused(folder: Path) -> None:
    (folder / "d").symlink_to(folder.parent)
    _refused(_model(folder, "d/outside.bin"), "outside the model's folder")


def test_directory_is_refused(folder: Path) -> None:
    (folder / "sub").mkdir()
    _refused(_model(folder, "sub"), "not a regular file")


def test_fifo_is_refused_without_blocking(folder: Path) -> None:
    os.mkfifo(folder / "pipe")  # reading it would block forever
    _refused(_model(folder, "pipe"), "not a regular file")


@pytest.mark.parametrize(
    ("offset", "length"),
    [(0, 1 << 40), (1 << 40, 16), (0, (1 << 63) - 1), (-4, 16), (8, 16), (16, 1), (0, 17)],
    ids=["length-2^40", "offset-2^40", "length-2^63", "negative-offset", "past-end", "offset-at-end", "one-too-many"],
)
def test_lying_offset_or_length_is_refused(folder: Path, offset: int, length: int) -> None:
    _refused(_model(folder, "w.bin", offset=offset, length=length))


def test_length_that_disagrees_with_dims_is_refused(folder: Path) -> None:
    (folder / "w8.bin").write_bytes(b"\0" * 8)
    _refused(_model(folder, "w8.bin", length=8), "needs 16 raw_data bytes, it has 8")


@pytest.mark.parametrize("key", ["offset", "length"])
def test_non_numeric_offset_or_length_is_refused(folder: Path, key: str) -> None:
    path = _model(folder, "w.bin")
    model = onnx.load(path, load_external_data=False)
    for e in model.graph.initializer[0].external_data:
        if e.key == "length":
            e.key, e.value = key, "12abc"
    path.write_bytes(model.SerializeToString())
    _refused(path, "bad offset/length")


def test_external_data_of_a_model_given_as_bytes_is_refused(folder: Path) -> None:
    data = _model(folder, "w.bin").read_bytes()
    with pytest.raises(KccError, match=r"external file 'w\.bin'"):
        import_onnx(data)
