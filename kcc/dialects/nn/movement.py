"""Data-movement `nn` ops: pad, concat, split, reshape, transpose, slice, space/batch/depth rearrangements, resize.

All 4-D ops are NCHW. None of these ops changes values, except `nn.resize` in bilinear mode (interpolation) and
`nn.pad` / `nn.space_to_batch`, which insert a fill value. Operands and results are all float (of one element type),
all quantized, or (every op but `nn.resize`) all plain integers of one type (`i8`..`i64`, `ui8`..`ui64`: ONNX
integer tensors); when the quantization of input and result is the same, the interpreter moves the stored integers
unchanged.

Conventions:

* `nn.pad` `pads [b_0, .., b_{r-1}, e_0, .., e_{r-1}]` (ONNX order: all begins, then all ends), non-negative.
  Modes: `constant` (fill with `value`, a real number; quantized results store it quantized with the result type,
  integer results truncate it), `reflect` (mirror without the edge, pads <= dim - 1), `symmetric` (mirror with the
  edge, pads <= dim; TFLite MIRROR_PAD SYMMETRIC), `edge` (repeat the edge element) and `wrap` (ONNX opset 19:
  continue periodically from the opposite end, any pad size).
* `nn.slice` `starts`, `ends`, `steps` have one value per dimension and are already normalized: dimension `d` keeps the
  indices of Python's `range(start, end, step)` (no wrap-around of negative values). A positive step needs
  `0 <= start < end <= size`; a negative step needs `-1 <= end < start <= size - 1` (`end = -1` runs down to index 0).
  The result is never empty; its size along `d` is `len(range(start, end, step))`.
* `nn.space_to_batch` / `nn.batch_to_space`: TFLite SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND on the NHWC view of the
  NCHW tensor; `block [bh, bw]`, `pads` / `crops` `[top, left, bottom, right]`; output batch index
  `(h_offset * bw + w_offset) * N + n`. Padding inserts real zero.
* `nn.depth_to_space` (`DCR` or `CRD`) and `nn.space_to_depth`: ONNX DepthToSpace / SpaceToDepth.
* `nn.resize`: ONNX Resize of H and W (nearest, bilinear, bicubic; optional antialias, exclude_outside,
  tf_crop_and_resize roi), output size from the result type; optional ONNX `scales` for the coordinate transforms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from math import prod
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    f64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.base import (
    I64Array,
    NNOp,
    Shape,
    expect_len,
    expect_non_negative,
    expect_one_of,
    expect_positive,
    expect_rank,
    fmt_shape,
    i64_array,
    i64_attr,
    ints,
    normalize_axis,
    shape_of,
)
from kcc.dialects.nn.elementwise import expect_numeric, same_numeric_kind
from kcc.dialects.nn.floats import KwFloat, expect_finite, f64_attr

PAD_MODES = ("constant", "reflect", "edge", "symmetric", "wrap")
DEPTH_TO_SPACE_MODES = ("DCR", "CRD")
RESIZE_MODES = ("nearest", "bilinear", "bicubic")
COORDINATE_MODES = (
    "half_pixel",
    "align_corners",
    "asymmetric",
    "pytorch_half_pixel",
    "tf_half_pixel_for_nn",
    "half_pixel_symmetric",
    "tf_crop_and_resize",
)
F64Array = DenseArrayBase.constr(f64)
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


def _check_types(values: Sequence[SSAValue], roles: Sequence[str], integer_ok: bool = True) -> None:
    """All float of one element type, all quantized (quantization parameters may differ), or (when `integer_ok`)
    all plain integers of one element type."""
    for v, r in zip(values, roles, strict=True):
        expect_numeric(v, r, integer_ok)
    same_numeric_kind(values, roles)


def _int(attr: IntegerAttr[I64]) -> int:
    return int(attr.value.data)


class _UnaryMovementOp(NNOp):
    """One input, one result, a result type of the same element kind."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())

    #: Plain integer operands allowed (every movement op but resize).
    INTEGER_OK: ClassVar[bool] = True

    def _check_io_types(self) -> None:
        _check_types([self.input, self.output], ["input", "result"], self.INTEGER_OK)


@irdl_op_definition
class PadOp(_UnaryMovementOp):
    """Pad every dimension (ONNX Pad, TFLite PAD / PADV2 / MIRROR_PAD)."""

    name = "nn.pad"
    pads = prop_def(I64Array)
    mode = prop_def(StringAttr)
    value = opt_prop_def(FloatAttr[Float64Type])
    assembly_format = "$input `pads` $pads `mode` $mode custom<KwFloat>($value) attr-dict `:` type($input) `->` type($output)"
    custom_directives = (KwFloat,)

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        pads: Sequence[int],
        mode: str = "constant",
        value: float | None = None,
    ):
        props: dict[str, Attribute] = {"pads": i64_array(pads), "mode": StringAttr(mode)}
        if value is not None:
            props["value"] = FloatAttr(float(value), f64)
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    @property
    def pad_value(self) -> float:
        """The constant fill value in real units (0.0 when absent)."""
        return 0.0 if self.value is None else float(self.value.value.data)

    def check(self) -> None:
        self._check_io_types()
        shape = shape_of(self.input, "input")
        r = len(shape)
        pads = ints(self.pads)
        expect_len(pads, 2 * r, f"pads (begins then ends of {r} dims)")
        expect_non_negative(pads, "pads")
        mode = self.mode.data
        expect_one_of(mode, PAD_MODES, "mode")
        if self.value is not None and mode != "constant":
            raise VerifyException(f"a pad value is only allowed in 'constant' mode, got mode {mode!r}")
        for d, size in enumerate(shape):
            b, e = pads[d], pads[r + d]
            if mode in ("edge", "wrap") and size == 0 and b + e > 0:
                raise VerifyException(f"{mode} padding of dimension {d} needs a non-empty dimension, got size 0")
            limit = {"reflect": size - 1, "symmetric": size}.get(mode)
            if limit is not None and max(b, e) > limit:
                raise VerifyException(
                    f"{mode} padding of dimension {d} (size {size}) allows at most {limit} per side, got {b} and {e}"
                )

    def infer_shapes(self) -> list[Shape]:
        shape = shape_of(self.input, "input")
        r = len(shape)
        pads = ints(self.pads)
        return [tuple(s + pads[d] + pads[r + d] for d, s in enumerate(shape))]


@irdl_op_definition
class ConcatOp(NNOp):
    """Concatenate along `axis` (ONNX Concat, TFLite CONCATENATION)."""

    name = "nn.concat"
    inputs = var_operand_def(TensorType)
    output = result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    traits = traits_def(Pure())
    assembly_format = "$inputs `axis` $axis attr-dict `:` `(` type($inputs) `)` `->` type($output)"

    def __init__(self, inputs: Sequence[SSAValue], result_type: Attribute, axis: int):
        super().__init__(operands=[list(inputs)], result_types=[result_type], properties={"axis": i64_attr(axis)})

    def check(self) -> None:
        if len(self.inputs) == 0:
            raise VerifyException("needs at least one input")
        roles = [f"input #{i}" for i in range(len(self.inputs))]
        _check_types([*self.inputs, self.output], [*roles, "result"])
        shapes = [shape_of(v, r) for v, r in zip(self.inputs, roles, strict=True)]
        rank = len(shapes[0])
        axis = normalize_axis(_int(self.axis), rank)
        for i, s in enumerate(shapes[1:], 1):
            if len(s) != rank or any(a != b for d, (a, b) in enumerate(zip(s, shapes[0], strict=True)) if d != axis):
                raise VerifyException(
                    f"input #{i} shape {fmt_shape(s)} does not match input #0 shape {fmt_shape(shapes[0])} outside axis {axis}"
                )

    @property
    def axis_value(self) -> int:
        return normalize_axis(_int(self.axis), len(shape_of(self.inputs[0])))

    def infer_shapes(self) -> list[Shape]:
        shapes = [shape_of(v) for v in self.inputs]
        axis = self.axis_value
        out = list(shapes[0])
        out[axis] = sum(s[axis] for s in shapes)
        return [tuple(out)]


@irdl_op_definition
class SplitOp(NNOp):
    """Split along `axis` into pieces of `sizes` (ONNX Split, TFLite SPLIT / SPLIT_V)."""

    name = "nn.split"
    input = operand_def(TensorType)
    outputs = var_result_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    sizes = prop_def(I64Array)
    traits = traits_def(Pure())
    assembly_format = "$input `axis` $axis `sizes` $sizes attr-dict `:` type($input) `->` type($outputs)"

    def __init__(self, input: SSAValue, result_types: Sequence[Attribute], axis: int, sizes: Sequence[int]):
        super().__init__(
            operands=[input],
            result_types=[list(result_types)],
            properties={"axis": i64_attr(axis), "sizes": i64_array(sizes)},
        )

    @property
    def axis_value(self) -> int:
        return normalize_axis(_int(self.axis), len(shape_of(self.input)))

    def check(self) -> None:
        if len(self.outputs) == 0:
            raise VerifyException("needs at least one result")
        _check_types([self.input, *self.outputs], ["input", *(f"result #{i}" for i in range(len(self.outputs)))])
        shape = shape_of(self.input, "input")
        axis = normalize_axis(_int(self.axis), len(shape))
        sizes = ints(self.sizes)
        expect_len(sizes, len(self.outputs), "sizes (one per result)")
        expect_positive(sizes, "sizes")
        if sum(sizes) != shape[axis]:
            raise VerifyException(f"sizes {list(sizes)} add up to {sum(sizes)} but dimension {axis} is {shape[axis]}")

    def infer_shapes(self) -> list[Shape]:
        shape = shape_of(self.input)
        axis = self.axis_value
        return [tuple(s if d != axis else n for d, s in enumerate(shape)) for n in ints(self.sizes)]


@irdl_op_definition
class ReshapeOp(_UnaryMovementOp):
    """Reinterpret the row-major elements with the result type's shape (ONNX Reshape / Flatten / Squeeze, TFLite RESHAPE)."""

    name = "nn.reshape"
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def check(self) -> None:
        self._check_io_types()
        a, b = shape_of(self.input, "input"), shape_of(self.output, "result")
        if prod(a) != prod(b):
            raise VerifyException(f"input {fmt_shape(a)} has {prod(a)} elements but result {fmt_shape(b)} has {prod(b)}")


@irdl_op_definition
class TransposeOp(_UnaryMovementOp):
    """Permute dimensions: result dim i is input dim perm[i] (ONNX Transpose, TFLite TRANSPOSE)."""

    name = "nn.transpose"
    perm = prop_def(I64Array)
    assembly_format = "$input `perm` $perm attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute, perm: Sequence[int]):
        super().__init__(operands=[input], result_types=[result_type], properties={"perm": i64_array(perm)})

    def check(self) -> None:
        self._check_io_types()
        rank = len(shape_of(self.input, "input"))
        perm = ints(self.perm)
        if sorted(perm) != list(range(rank)):
            raise VerifyException(f"perm {list(perm)} is not a permutation of 0..{rank - 1}")

    def infer_shapes(self) -> list[Shape]:
        shape = shape_of(self.input)
        return [tuple(shape[p] for p in ints(self.perm))]


def slice_len(start: int, end: int, step: int) -> int:
    """len(range(start, end, step))."""
    return len(range(start, end, step))


@irdl_op_definition
class SliceOp(_UnaryMovementOp):
    """Strided slice of every dimension with normalized bounds (ONNX Slice, TFLite SLICE / STRIDED_SLICE, crops).

    Dimension d keeps the indices `range(starts[d], ends[d], steps[d])`; see the module docstring for the bounds.
    """

    name = "nn.slice"
    starts = prop_def(I64Array)
    ends = prop_def(I64Array)
    steps = prop_def(I64Array)
    assembly_format = "$input `starts` $starts `ends` $ends `steps` $steps attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        starts: Sequence[int],
        ends: Sequence[int],
        steps: Sequence[int] | None = None,
    ):
        steps = [1] * len(starts) if steps is None else steps
        props = {"starts": i64_array(starts), "ends": i64_array(ends), "steps": i64_array(steps)}
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    def check(self) -> None:
        self._check_io_types()
        shape = shape_of(self.input, "input")
        r = len(shape)
        starts, ends, steps = ints(self.starts), ints(self.ends), ints(self.steps)
        expect_len(starts, r, "starts")
        expect_len(ends, r, "ends")
        expect_len(steps, r, "steps")
        for d, (size, b, e, s) in enumerate(zip(shape, starts, ends, steps, strict=True)):
            if s == 0:
                raise VerifyException(f"step of dimension {d} must not be 0")
            if s > 0 and not 0 <= b < e <= size:
                raise VerifyException(
                    f"dimension {d} (size {size}) with step {s} needs 0 <= start < end <= {size}, got start {b}, end {e}"
                )
            if s < 0 and not -1 <= e < b <= size - 1:
                raise VerifyException(
                    f"dimension {d} (size {size}) with step {s} needs -1 <= end < start <= {size - 1}, got start {b}, end {e}"
                )

    def infer_shapes(self) -> list[Shape]:
        return [tuple(slice_len(b, e, s) for b, e, s in zip(ints(self.starts), ints(self.ends), ints(self.steps), strict=True))]


class _BlockOp(_UnaryMovementOp):
    block = prop_def(I64Array)

    def _block_hw(self) -> tuple[int, int]:
        block = ints(self.block)
        expect_len(block, 2, "block")
        expect_positive(block, "block")
        return block[0], block[1]


@irdl_op_definition
class SpaceToBatchOp(_BlockOp):
    """TFLite SPACE_TO_BATCH_ND on the NHWC view: pad H, W with zeros, move block offsets into the batch."""

    name = "nn.space_to_batch"
    pads = prop_def(I64Array)
    assembly_format = "$input `block` $block `pads` $pads attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute, block: Sequence[int], pads: Sequence[int] = (0, 0, 0, 0)):
        props = {"block": i64_array(block), "pads": i64_array(pads)}
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    def check(self) -> None:
        self._check_io_types()
        _, _, h, w = expect_rank(self.input, 4, "input")
        bh, bw = self._block_hw()
        pads = ints(self.pads)
        expect_len(pads, 4, "pads")
        expect_non_negative(pads, "pads")
        pt, pl, pb, pr = pads
        if (h + pt + pb) % bh or (w + pl + pr) % bw:
            raise VerifyException(f"padded size {h + pt + pb}x{w + pl + pr} is not a multiple of block {bh}x{bw}")

    def infer_shapes(self) -> list[Shape]:
        n, c, h, w = shape_of(self.input)
        bh, bw = ints(self.block)
        pt, pl, pb, pr = ints(self.pads)
        return [(n * bh * bw, c, (h + pt + pb) // bh, (w + pl + pr) // bw)]


@irdl_op_definition
class BatchToSpaceOp(_BlockOp):
    """TFLite BATCH_TO_SPACE_ND on the NHWC view: move batch blocks back into H, W, then crop."""

    name = "nn.batch_to_space"
    crops = prop_def(I64Array)
    assembly_format = "$input `block` $block `crops` $crops attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute, block: Sequence[int], crops: Sequence[int] = (0, 0, 0, 0)):
        props = {"block": i64_array(block), "crops": i64_array(crops)}
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    def check(self) -> None:
        self._check_io_types()
        n, _, h, w = expect_rank(self.input, 4, "input")
        bh, bw = self._block_hw()
        crops = ints(self.crops)
        expect_len(crops, 4, "crops")
        expect_non_negative(crops, "crops")
        if n % (bh * bw):
            raise VerifyException(f"input batch {n} is not a multiple of block {bh}x{bw} = {bh * bw}")
        ct, cl, cb, cr = crops
        if h * bh - ct - cb <= 0 or w * bw - cl - cr <= 0:
            raise VerifyException(f"crops {list(crops)} leave nothing of the {h * bh}x{w * bw} rearranged input")

    def infer_shapes(self) -> list[Shape]:
        n, c, h, w = shape_of(self.input)
        bh, bw = ints(self.block)
        ct, cl, cb, cr = ints(self.crops)
        return [(n // (bh * bw), c, h * bh - ct - cb, w * bw - cl - cr)]


@irdl_op_definition
class DepthToSpaceOp(_UnaryMovementOp):
    """ONNX DepthToSpace: channels into blocks of H and W, `DCR` (depth-column-row) or `CRD` order."""

    name = "nn.depth_to_space"
    block = prop_def(IntegerAttr[I64])
    mode = prop_def(StringAttr)
    assembly_format = "$input `block` $block `mode` $mode attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute, block: int, mode: str = "DCR"):
        props: dict[str, Attribute] = {"block": i64_attr(block), "mode": StringAttr(mode)}
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    @property
    def block_size(self) -> int:
        return _int(self.block)

    def check(self) -> None:
        self._check_io_types()
        _, c, _, _ = expect_rank(self.input, 4, "input")
        b = self.block_size
        if b <= 0:
            raise VerifyException(f"block must be positive, got {b}")
        expect_one_of(self.mode.data, DEPTH_TO_SPACE_MODES, "mode")
        if c % (b * b):
            raise VerifyException(f"input channels {c} are not a multiple of block {b} squared = {b * b}")

    def infer_shapes(self) -> list[Shape]:
        n, c, h, w = shape_of(self.input)
        b = self.block_size
        return [(n, c // (b * b), h * b, w * b)]


@irdl_op_definition
class SpaceToDepthOp(_UnaryMovementOp):
    """ONNX SpaceToDepth: blocks of H and W into channels."""

    name = "nn.space_to_depth"
    block = prop_def(IntegerAttr[I64])
    assembly_format = "$input `block` $block attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute, block: int):
        super().__init__(operands=[input], result_types=[result_type], properties={"block": i64_attr(block)})

    @property
    def block_size(self) -> int:
        return _int(self.block)

    def check(self) -> None:
        self._check_io_types()
        _, _, h, w = expect_rank(self.input, 4, "input")
        b = self.block_size
        if b <= 0:
            raise VerifyException(f"block must be positive, got {b}")
        if h % b or w % b:
            raise VerifyException(f"input size {h}x{w} is not a multiple of block {b}")

    def infer_shapes(self) -> list[Shape]:
        n, c, h, w = shape_of(self.input)
        b = self.block_size
        return [(n, c * b * b, h // b, w // b)]


@irdl_op_definition
class ResizeOp(_UnaryMovementOp):
    """ONNX Resize of H and W (nearest, bilinear or bicubic), output size from the result type.

    `nearest_mode` is only allowed in nearest mode; it defaults to `round_prefer_floor` (ONNX default).
    `scales [sh, sw]` (optional) are ONNX Resize `scales`: the coordinate transforms use them instead of out / in
    (and `in * scale` as the resized length), and the result size must be `floor(in * scale)` (or, for ONNX `sizes`
    with a keep_aspect_ratio_policy, `round(in * scale)` rounding halves up). Coordinate mode
    `half_pixel_symmetric` (ONNX opset 19) differs from `half_pixel` only when that size is not exactly in * scale.
    Bilinear and bicubic only: `bicubic` takes `cubic_coeff_a` (default -0.75), `exclude_outside` drops the
    weights of samples outside the input (renormalizing the rest), `antialias` widens the kernel by 1 / scale when
    downsampling (ONNX Resize-18). Coordinate mode `tf_crop_and_resize` needs `roi [h_start, w_start, h_end, w_end]`
    (normalized input coordinates) and takes `extrapolation_value` (default 0) for samples outside the input.
    The exact formulas are in `kcc/interp/kernels/resize.py`.
    """

    name = "nn.resize"
    INTEGER_OK: ClassVar[bool] = False
    mode = prop_def(StringAttr)
    coordinate_transformation_mode = prop_def(StringAttr)
    nearest_mode = opt_prop_def(StringAttr)
    scales = opt_prop_def(F64Array)
    cubic_coeff_a = opt_prop_def(FloatAttr[Float64Type])
    exclude_outside = opt_prop_def(UnitAttr)
    antialias = opt_prop_def(UnitAttr)
    roi = opt_prop_def(F64Array)
    extrapolation_value = opt_prop_def(FloatAttr[Float64Type])
    custom_directives = (KwFloat,)
    assembly_format = (
        "$input `mode` $mode `coord` $coordinate_transformation_mode (`nearest_mode` $nearest_mode^)?"
        " (`scales` $scales^)? custom<KwFloat>($cubic_coeff_a) (`exclude_outside` $exclude_outside^)?"
        " (`antialias` $antialias^)? (`roi` $roi^)? custom<KwFloat>($extrapolation_value)"
        " attr-dict `:` type($input) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        mode: str = "nearest",
        coordinate_transformation_mode: str = "half_pixel",
        nearest_mode: str | None = None,
        scales: Sequence[float] | None = None,
        *,
        cubic_coeff_a: float | None = None,
        exclude_outside: bool = False,
        antialias: bool = False,
        roi: Sequence[float] | None = None,
        extrapolation_value: float | None = None,
    ):
        props: dict[str, Attribute] = {
            "mode": StringAttr(mode),
            "coordinate_transformation_mode": StringAttr(coordinate_transformation_mode),
        }
        if nearest_mode is not None:
            props["nearest_mode"] = StringAttr(nearest_mode)
        if scales is not None:
            props["scales"] = DenseArrayBase.from_list(f64, [float(v) for v in scales])
        if cubic_coeff_a is not None:
            props["cubic_coeff_a"] = f64_attr(cubic_coeff_a)
        if exclude_outside:
            props["exclude_outside"] = UnitAttr()
        if antialias:
            props["antialias"] = UnitAttr()
        if roi is not None:
            props["roi"] = DenseArrayBase.from_list(f64, [float(v) for v in roi])
        if extrapolation_value is not None:
            props["extrapolation_value"] = f64_attr(extrapolation_value)
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    @property
    def nearest_rounding(self) -> str:
        return "round_prefer_floor" if self.nearest_mode is None else self.nearest_mode.data

    @property
    def scale_values(self) -> tuple[float, float] | None:
        """The ONNX scales of H and W, or None (then out / in)."""
        if self.scales is None:
            return None
        values: Sequence[int | float] = self.scales.get_values()  # pyright: ignore[reportAttributeAccessIssue]
        return float(values[0]), float(values[1])

    @property
    def cubic_coeff_a_value(self) -> float:
        """Keys' cubic coefficient (ONNX default -0.75)."""
        return -0.75 if self.cubic_coeff_a is None else self.cubic_coeff_a.value.data

    @property
    def extrapolation_value_number(self) -> float:
        return 0.0 if self.extrapolation_value is None else self.extrapolation_value.value.data

    @property
    def roi_values(self) -> tuple[float, float, float, float] | None:
        """[h_start, w_start, h_end, w_end] of tf_crop_and_resize, or None."""
        if self.roi is None:
            return None
        v: Sequence[int | float] = self.roi.get_values()  # pyright: ignore[reportAttributeAccessIssue]
        return float(v[0]), float(v[1]), float(v[2]), float(v[3])

    @property
    def is_onnx_only(self) -> bool:
        """Uses a feature beyond TFLite's resizes (bicubic, scales, antialias, exclude_outside, crop-and-resize)."""
        return (
            self.mode.data == "bicubic"
            or self.scales is not None
            or self.exclude_outside is not None
            or self.antialias is not None
            or self.roi is not None
        )

    def check(self) -> None:
        self._check_io_types()
        n, c, _, _ = expect_rank(self.input, 4, "input")
        on, oc, _, _ = expect_rank(self.output, 4, "result")
        mode = self.mode.data
        expect_one_of(mode, RESIZE_MODES, "mode")
        coord = self.coordinate_transformation_mode.data
        expect_one_of(coord, COORDINATE_MODES, "coordinate_transformation_mode")
        if self.nearest_mode is not None:
            if mode != "nearest":
                raise VerifyException(f"nearest_mode is only allowed in 'nearest' mode, got mode {mode!r}")
            expect_one_of(self.nearest_mode.data, NEAREST_MODES, "nearest_mode")
        if self.cubic_coeff_a is not None:
            if mode != "bicubic":
                raise VerifyException(f"cubic_coeff_a is only allowed in 'bicubic' mode, got mode {mode!r}")
            expect_finite(self.cubic_coeff_a, "cubic_coeff_a")
        for flag, present in (("exclude_outside", self.exclude_outside), ("antialias", self.antialias)):
            if present is not None and mode == "nearest":
                raise VerifyException(f"{flag} is only allowed in 'bilinear' and 'bicubic' modes, got mode {mode!r}")
        if (self.roi is not None) != (coord == "tf_crop_and_resize"):
            raise VerifyException(
                f"roi is required with coordinate_transformation_mode 'tf_crop_and_resize' and not allowed otherwise"
                f" (coord {coord!r}, roi {'present' if self.roi is not None else 'absent'})"
            )
        if self.extrapolation_value is not None:
            if coord != "tf_crop_and_resize":
                raise VerifyException(f"extrapolation_value is only allowed with 'tf_crop_and_resize', got coord {coord!r}")
            expect_finite(self.extrapolation_value, "extrapolation_value")
        if self.roi is not None:
            roi: Sequence[int | float] = self.roi.get_values()  # pyright: ignore[reportAttributeAccessIssue]
            if len(roi) != 4 or not all(math.isfinite(v) for v in roi):
                raise VerifyException(f"roi must be 4 finite numbers [h_start, w_start, h_end, w_end], got {list(roi)}")
        if (on, oc) != (n, c):
            raise VerifyException(f"resize keeps batch and channels: input has {n}x{c}, result has {on}x{oc}")
        if self.scales is not None:
            values: Sequence[int | float] = self.scales.get_values()  # pyright: ignore[reportAttributeAccessIssue]
            if len(values) != 2 or not all(math.isfinite(v) and v > 0 for v in values):
                raise VerifyException(f"scales must be 2 positive finite numbers, got {list(values)}")
            ins, outs = shape_of(self.input)[2:], shape_of(self.output)[2:]
            floor = tuple(math.floor(i * float(v)) for i, v in zip(ins, values, strict=True))
            rounded = tuple(math.floor(i * float(v) + 0.5) for i, v in zip(ins, values, strict=True))
            if not all(o in (f, r) for o, f, r in zip(outs, floor, rounded, strict=True)):
                raise VerifyException(
                    f"result size {outs[0]}x{outs[1]} is not floor(input size x scales) = {floor[0]}x{floor[1]}"
                    f" (input {ins[0]}x{ins[1]}, scales {list(values)})"
                )


OPS: list[type[NNOp]] = [
    PadOp,
    ConcatOp,
    SplitOp,
    ReshapeOp,
    TransposeOp,
    SliceOp,
    SpaceToBatchOp,
    BatchToSpaceOp,
    DepthToSpaceOp,
    SpaceToDepthOp,
    ResizeOp,
]
__all__ = [
    "OPS",
    "BatchToSpaceOp",
    "ConcatOp",
    "DepthToSpaceOp",
    "PadOp",
    "ReshapeOp",
    "ResizeOp",
    "SliceOp",
    "SpaceToBatchOp",
    "SpaceToDepthOp",
    "SplitOp",
    "TransposeOp",
]
