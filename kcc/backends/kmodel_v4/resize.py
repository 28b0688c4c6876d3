"""`nn.resize` nearest as a kmodel resize (v4 resize_image mode 1, v3 RESIZE_NEAREST_NEIGHBOR / its uint8 form).

Both runtimes pick source row `min(floor(f32(o) · f32(f32(in) / f32(out))), in - 1)` (and the same for columns);
`nn.resize` picks by its coordinate transformation and nearest mode (`kcc.interp.kernels.resize`). A nearest
resize only gathers, so the lowering is exact exactly when the two index maps are equal; they depend on the
shapes and attributes only and are compared here, at compile time. Bilinear / bicubic interpolate in float64 in
the interpreter and in float32 in the runtimes: no exact lowering.
"""

from __future__ import annotations

import numpy as np

from kcc.backends.kmodel_lowering import shape_of
from kcc.dialects.nn.movement import ResizeOp
from kcc.dialects.nn.types import QuantType

__all__ = ["interpreter_indices", "nearest_reason", "runtime_indices"]


def runtime_indices(n_in: int, n_out: int) -> np.ndarray:
    """Source index of every output position in the kmodel runtimes' nearest resize."""
    scale = np.float32(n_in) / np.float32(n_out)
    return np.minimum(np.floor(np.arange(n_out, dtype=np.float32) * scale).astype(np.int64), n_in - 1)


def interpreter_indices(op: ResizeOp) -> tuple[np.ndarray, np.ndarray]:
    """Source rows and columns the interpreter's nearest `nn.resize` picks."""
    from kcc.interp.kernels.resize import nearest_indices, source_coordinates

    _, _, h, w = shape_of(op.input)
    _, _, oh, ow = shape_of(op.output)
    scales = op.scale_values
    sh, sw = (None, None) if scales is None else scales
    mode = op.coordinate_transformation_mode.data
    rows = nearest_indices(source_coordinates(oh, h, mode, sh, None), h, op.nearest_rounding)
    cols = nearest_indices(source_coordinates(ow, w, mode, sw, None), w, op.nearest_rounding)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def nearest_reason(op: ResizeOp) -> str:
    """ "" when the kmodel nearest resize reproduces `op` exactly, else why not (one line)."""
    shape = shape_of(op.input)
    if len(shape) != 4:
        return f"kmodel resizes 4-d NCHW tensors, not rank {len(shape)}"
    if op.mode.data != "nearest":
        return f"{op.mode.data} resize interpolates in float64 in nn and in float32 in the kmodel runtimes (not exact)"
    coord = op.coordinate_transformation_mode.data
    if coord == "tf_crop_and_resize":
        return "tf_crop_and_resize has no kmodel resize"
    quantized = isinstance(op.input.type.element_type, QuantType)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    if quantized and op.is_onnx_only:
        return "a quantized resize with ONNX-only attributes rounds through float in nn"
    _, _, h, w = shape
    _, _, oh, ow = shape_of(op.output)
    rows, cols = interpreter_indices(op)
    for what, got, n_in, n_out in (("rows", rows, h, oh), ("columns", cols, w, ow)):
        want = runtime_indices(n_in, n_out)
        if not np.array_equal(got, want):
            i = int(np.argmax(got != want))
            return (
                f"the runtime's nearest {what} (floor(o * {n_in}/{n_out})) differ from {coord!r} / "
                f"{op.nearest_rounding!r}: output {i} reads {int(want[i])}, nn reads {int(got[i])}"
            )
    return ""
