"""Frontends: TFLite and ONNX models into the nn dialect.

`import_model(path)` picks the frontend from the file extension (or `kind=`); each frontend module exposes
`import_tflite(source, *, input_shapes=None)` / `import_onnx(source, *, input_shapes=None)` returning a
`builtin.module` with one `func.func @main` whose arguments and results are the model's inputs and outputs,
in the model's own layout (NHWC for TFLite) so that running it matches the source runtime.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from kcc.errors import KccError

FRONTENDS = ("tflite", "onnx")


def detect_kind(path: str | os.PathLike[str]) -> str:
    """The frontend for a model file, from its extension."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FRONTENDS:
        return suffix
    raise KccError(f"cannot tell the model format of '{path}' from its extension", hint="use -i tflite|onnx")


def parse_input_shapes(specs: Sequence[str]) -> dict[str, list[int]]:
    """Parse `--input-shape` values: `name:1,3,224,224`, or `1,3,224,224` for the only/first input (key "")."""
    shapes: dict[str, list[int]] = {}
    for spec in specs:
        name, _, dims = spec.rpartition(":")
        try:
            shape = [int(d) for d in dims.replace("x", ",").split(",") if d.strip()]
        except ValueError:
            raise KccError(f"bad --input-shape '{spec}'", hint="write name:1,3,224,224 or 1,3,224,224") from None
        if not shape or any(d <= 0 for d in shape):
            raise KccError(f"bad --input-shape '{spec}': dimensions must be positive integers")
        shapes[name] = shape
    return shapes


def import_model(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
) -> ModuleOp:
    """Read a TFLite or ONNX model file into an nn-dialect module."""
    kind = kind or detect_kind(path)
    if kind == "tflite":
        from kcc.frontends.tflite import import_tflite

        return import_tflite(path, input_shapes=input_shapes)
    if kind == "onnx":
        from kcc.frontends.onnx import import_onnx

        return import_onnx(path, input_shapes=input_shapes)
    raise KccError(f"unknown model format '{kind}'", hint="use -i tflite|onnx")
