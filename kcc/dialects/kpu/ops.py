"""Ops of the `kpu` dialect: what the KPU executes, and the moves in and out of its RAM.

    %y = kpu.fake_conv2d %x, %w, %b pool max_2_s2 act #nn.act<relu>
           : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
    %r = kpu.upload %q : tensor<1x3x32x32x!nn.q<ui8, 0.0078125, 128>> -> !kpu.ram<1x3x32x32x!nn.q<ui8, 0.0078125, 128>>
    %s = kpu.conv2d %r, %wq arg #kpu.layer_arg<...> bn #kpu.bn<...> act #kpu.act_table<...>
           : (!kpu.ram<...>, tensor<16x3x3x3xui8>) -> !kpu.ram<...>
    %d = kpu.download %s : !kpu.ram<1x16x16x16x!nn.q<ui8, 0.05, 0>> -> tensor<1x16x16x16x!nn.q<ui8, 0.05, 0>>

Every KPU rule is checked by kcc.k210 (`limits.check_conv_limits`, `limits.check_layer_limits`,
`weight_loads.check_weight_loads`, the table range checks): the verifiers only map operands and properties
onto those functions and name the op in the message.
"""

from __future__ import annotations

from xdsl.dialects.builtin import Float32Type, IntegerType, Signedness, TensorType, UnitAttr
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kpu.attrs import ActivationTableAttr, BatchNormTableAttr, LayerArgumentAttr, PoolAttr
from kcc.dialects.kpu.types import KpuRamType, is_kpu_byte
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import fmt_shape, shape_of
from kcc.k210.kpu_layer import input_layout, output_layout, pool_output_size
from kcc.k210.kpu_ram import KPU_LINE_BYTES, KPU_LINES, row_layout
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.limits import check_conv_limits, check_layer_limits
from kcc.k210.weight_loads import check_weight_loads

__all__ = ["KPU_ACTIVATIONS", "OPS", "Conv2dOp", "DownloadOp", "FakeConv2dOp", "KpuOp", "UploadOp"]

KPU_ACTIVATIONS = ("none", "relu", "clamp", "leaky_relu", "hard_sigmoid", "sigmoid", "tanh", "hard_swish")
"""Fused activations `kpu.fake_conv2d` accepts: every `#nn.act` kind. The piecewise-linear ones are represented
exactly by the 16-segment table (up to quantization); sigmoid, tanh and hard_swish are fitted by
`kcc.k210.act_fit` (max error about 1 output LSB, docs/quantization.md)."""


class KpuOp(IRDLOperation):
    """Base of the `kpu` ops: `check()` raises VerifyException; the message is prefixed with the op name."""

    def check(self) -> None: ...

    def verify_(self) -> None:
        try:
            self.check()
        except VerifyException as e:
            raise VerifyException(f"{self.name}: {e}") from None


def ram_type(value: SSAValue, role: str) -> KpuRamType:
    """The `!kpu.ram` type of `value`, after checking the map fits a row layout and, at its line, the KPU RAM."""
    t = value.type
    if not isinstance(t, KpuRamType):
        raise VerifyException(f"{role} must be a !kpu.ram map, got {t}")
    c, h, w = t.chw
    lines = row_layout(h, w).lines(c)
    start = t.line_value or 0
    if start + lines > KPU_LINES:
        where = f"at line {start}" if t.line_value is not None else "in KPU RAM"
        raise VerifyException(
            f"{role} {c}x{h}x{w} map ({lines * KPU_LINE_BYTES} bytes) does not fit {where}: "
            f"it would end at line {start + lines}, the KPU RAM has {KPU_LINES} lines (2 MiB)"
        )
    return t


def _expect_f32(value: SSAValue, role: str) -> TensorType:
    t = value.type
    if not isinstance(t, TensorType) or not isinstance(t.element_type, Float32Type):
        raise VerifyException(f"{role} must be an f32 tensor, got {t}")
    return t  # pyright: ignore[reportUnknownVariableType]


def _rank(value: SSAValue, rank: int, role: str) -> tuple[int, ...]:
    s = shape_of(value, role)
    if len(s) != rank:
        raise VerifyException(f"{role} must have rank {rank}, got {fmt_shape(s)}")
    return s


def _kernel(weight: tuple[int, ...]) -> int:
    if weight[2] != weight[3]:
        raise VerifyException(f"weight kernel {weight[2]}x{weight[3]} is not square (KPU kernels are 1x1 or 3x3)")
    return weight[2]


def _limit_errors(errs: list[str]) -> None:
    if errs:
        raise VerifyException("; ".join(errs))


@irdl_op_definition
class FakeConv2dOp(KpuOp):
    """A float conv that already obeys every KPU rule; `kpu-legalize` produces it, `quantize` turns it into
    `kpu.conv2d`.

    input `[1, C, H, W]` f32, weight `[O, C, k, k]` (or `[C, 1, k, k]` with `depthwise`, O = C), bias `[O]`,
    k = 1 or 3. Semantics, in the KPU's order: a stride-1 "same" convolution (3x3: pad 1 on every side with
    0.0, which `quantize` maps to the input zero point as pad_value), plus bias, then the fused activation
    `act` (default none; one of KPU_ACTIVATIONS), then the pool code `pool` (kcc.k210.pool_float: the float
    form of the KPU pool unit). Result `[1, O, H / s, W / s]` for the pool's stride s (floor).

    Verified against kcc.k210.limits.check_conv_limits: channels 1-1024, kernel, input 4x4-256x512 and
    output at least 4x4, depthwise only with pool bypass, input + output maps within the 2 MiB KPU RAM.
    """

    name = "kpu.fake_conv2d"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = operand_def(TensorType)
    output = result_def(TensorType)
    pool = prop_def(PoolAttr)
    depthwise = opt_prop_def(UnitAttr)
    act = opt_prop_def(ActivationAttr)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $weight `,` $bias (`depthwise` $depthwise^)? `pool` $pool (`act` qualified($act)^)? attr-dict"
        " `:` `(` type($input) `,` type($weight) `,` type($bias) `)` `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue,
        result_type: Attribute,
        pool: int = 0,
        depthwise: bool = False,
        act: ActivationAttr | None = None,
    ):
        props: dict[str, Attribute] = {"pool": PoolAttr.of_code(pool)}
        if depthwise:
            props["depthwise"] = UnitAttr()
        if act is not None:
            props["act"] = act
        super().__init__(operands=[input, weight, bias], result_types=[result_type], properties=props)

    @property
    def is_depthwise(self) -> bool:
        return self.depthwise is not None

    @property
    def pool_code(self) -> int:
        return self.pool.code

    @property
    def kernel_size(self) -> int:
        return shape_of(self.weight, "weight")[2]

    @property
    def activation(self) -> str:
        return "none" if self.act is None else self.act.kind.data

    def check(self) -> None:
        for v, role in ((self.input, "input"), (self.weight, "weight"), (self.bias, "bias"), (self.output, "result")):
            _expect_f32(v, role)
        n, c, h, w = _rank(self.input, 4, "input")
        if n != 1:
            raise VerifyException(f"input batch must be 1 (the KPU runs one image), got {n}")
        o, ci, _, _ = wshape = _rank(self.weight, 4, "weight")
        k = _kernel(wshape)
        if self.is_depthwise:
            if ci != 1:
                raise VerifyException(f"depthwise weight must be [C, 1, k, k], got {fmt_shape(wshape)}")
        elif ci != c:
            raise VerifyException(f"weight has {ci} input channels but the input has {c}")
        b = _rank(self.bias, 1, "bias")
        if b != (o,):
            raise VerifyException(f"bias shape {fmt_shape(b)} must be {o} (one per output channel)")
        if self.activation not in KPU_ACTIVATIONS:
            raise VerifyException(
                f"activation {self.activation!r} has no KPU table; the KPU takes {', '.join(KPU_ACTIVATIONS)}"
            )
        _limit_errors(check_conv_limits(c, o, h, w, k, self.pool_code, self.is_depthwise))
        oh, ow = pool_output_size(self.pool_code, h, w)
        got = shape_of(self.output, "result")
        if got != (1, o, oh, ow):
            raise VerifyException(f"result has shape {fmt_shape(got)} but the op computes {fmt_shape((1, o, oh, ow))}")


@irdl_op_definition
class Conv2dOp(KpuOp):
    """One KPU layer, bit-exact (kcc.k210.kpu_layer): conv ALU, batch norm, 16-segment activation, pool.

    input and result are `!kpu.ram` maps; weight is `[O, C, k, k]` (depthwise `[C, 1, k, k]`) `ui8`, or `ui16`
    in the KPU's 16-bit mode, in the file order. `arg` is the layer argument, `bn` the batch-norm table (one
    entry per output channel), `act` the activation table. The argument must agree with the operand and result
    types: channels, sizes, kernel_type and depth_wise_layer with the weight, the row layouts
    (coef_group/row_switch/channel_switch and the wb_ ones) with `row_layout` of the maps, and image_src_addr /
    image_dst_addr with the maps' lines (0 while a map is not placed). Verified with
    kcc.k210.limits.check_layer_limits (shape limits, register consistency, pool output size, DMA counts,
    in + out within the 2 MiB and not overlapping once placed) and weight_loads.check_weight_loads.
    """

    name = "kpu.conv2d"
    input = operand_def(KpuRamType)
    weight = operand_def(TensorType)
    output = result_def(KpuRamType)
    arg = prop_def(LayerArgumentAttr)
    bn = prop_def(BatchNormTableAttr)
    act = prop_def(ActivationTableAttr)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $weight `arg` qualified($arg) `bn` qualified($bn) `act` qualified($act) attr-dict"
        " `:` `(` type($input) `,` type($weight) `)` `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        result_type: KpuRamType,
        arg: LayerArgument | LayerArgumentAttr,
        bn: BatchNormTableAttr,
        act: ActivationTableAttr,
    ):
        arg_attr = arg if isinstance(arg, LayerArgumentAttr) else LayerArgumentAttr(arg)
        super().__init__(operands=[input, weight], result_types=[result_type], properties={"arg": arg_attr, "bn": bn, "act": act})

    @property
    def layer_argument(self) -> LayerArgument:
        return self.arg.value

    @property
    def weight_bytes(self) -> int:
        """1 in 8-bit mode (ui8 weights), 2 in 16-bit mode (ui16)."""
        t = self.weight.type
        assert isinstance(t, TensorType)
        et = t.element_type
        assert isinstance(et, IntegerType)
        return et.width.data // 8

    def check(self) -> None:
        xt = ram_type(self.input, "input")
        yt = ram_type(self.output, "result")
        wt = self.weight.type
        et = wt.element_type if isinstance(wt, TensorType) else None
        if not (isinstance(et, IntegerType) and et.width.data in (8, 16) and et.signedness.data == Signedness.UNSIGNED):
            raise VerifyException(f"weight must be a ui8 (8-bit mode) or ui16 (16-bit mode) tensor, got {wt}")
        wshape = _rank(self.weight, 4, "weight")
        k = _kernel(wshape)
        arg = self.layer_argument
        c, h, w = xt.chw
        o, oh, ow = yt.chw
        for what, got, want in (
            ("input channels (i_ch_num + 1)", arg.in_channels, c),
            ("input height (i_col_high + 1)", arg.in_height, h),
            ("input width (i_row_wid + 1)", arg.in_width, w),
            ("output channels (o_ch_num + 1)", arg.out_channels, o),
            ("output height (o_col_high + 1)", arg.out_height, oh),
            ("output width (o_row_wid + 1)", arg.out_width, ow),
        ):
            if got != want:
                raise VerifyException(f"layer argument {what} is {got} but the maps say {want}")
        try:
            arg_k = arg.kernel_size
        except ValueError as e:
            raise VerifyException(f"layer argument {e}") from None
        if arg_k != k:
            raise VerifyException(
                f"layer argument kernel_type {arg.kernel_type} ({arg_k}x{arg_k}) does not match the {k}x{k} weight"
            )
        want_w = (o, 1, k, k) if arg.depthwise else (o, c, k, k)
        if wshape != want_w:
            kind = "depthwise" if arg.depthwise else "normal"
            raise VerifyException(f"weight shape {fmt_shape(wshape)} must be {fmt_shape(want_w)} for a {kind} layer")
        for side, got_l, (hh, ww) in (("input", input_layout(arg), (h, w)), ("output", output_layout(arg), (oh, ow))):
            want_l = row_layout(hh, ww)
            if got_l != want_l:
                raise VerifyException(
                    f"layer argument {side} layout (groups {got_l.groups}, row_len {got_l.row_len}, channel_switch "
                    f"{got_l.channel_switch}) differs from the !kpu.ram layout of a {hh}x{ww} map (groups "
                    f"{want_l.groups}, row_len {want_l.row_len}, channel_switch {want_l.channel_switch})"
                )
        for field, t in (("image_src_addr", xt), ("image_dst_addr", yt)):
            line = t.line_value
            got_a = getattr(arg, field)
            if got_a != (line or 0):
                where = f"line {line}" if line is not None else "an unplaced map (0)"
                raise VerifyException(f"layer argument {field} {got_a} does not match {where}")
        placed = xt.line_value is not None and yt.line_value is not None
        checked = arg if placed else arg.with_fields(image_src_addr=0, image_dst_addr=input_layout(arg).lines(c))
        _limit_errors(check_layer_limits(checked, practical=True))
        _limit_errors(check_weight_loads(arg, self.weight_bytes))
        if self.bn.channels != o:
            raise VerifyException(f"BN table has {self.bn.channels} entries for {o} output channels")


@irdl_op_definition
class UploadOp(KpuOp):
    """Copy a dense `1xCxHxW` uint8 tensor from main RAM into KPU RAM (line layout; K210_UPLOAD).

    The result type says where (its `line`, once placed); element type and shape are the input's."""

    name = "kpu.upload"
    input = operand_def(TensorType)
    output = result_def(KpuRamType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: KpuRamType | None = None):
        t = input.type
        if result_type is None:
            assert isinstance(t, TensorType)
            result_type = KpuRamType.of_tensor(t)  # pyright: ignore[reportUnknownArgumentType]
        super().__init__(operands=[input], result_types=[result_type])

    def check(self) -> None:
        _check_move(self.input, self.output, "input", "result")


@irdl_op_definition
class DownloadOp(KpuOp):
    """Copy a KPU RAM map back to main RAM as a dense `1xCxHxW` tensor (same element type and shape)."""

    name = "kpu.download"
    input = operand_def(KpuRamType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType | None = None):
        t = input.type
        if result_type is None:
            assert isinstance(t, KpuRamType)
            result_type = t.tensor_type()
        super().__init__(operands=[input], result_types=[result_type])

    def check(self) -> None:
        _check_move(self.output, self.input, "result", "input")


def _check_move(dense: SSAValue, ram: SSAValue, dense_role: str, ram_role: str) -> None:
    rt = ram_type(ram, ram_role)
    dt = dense.type
    if not isinstance(dt, TensorType):
        raise VerifyException(f"{dense_role} must be a tensor, got {dt}")
    if not is_kpu_byte(dt.element_type) or dt.element_type != rt.element_type:
        raise VerifyException(f"{dense_role} element type {dt.element_type} must be the map's {rt.element_type}")
    shape = shape_of(dense, dense_role)
    if shape != rt.get_shape():
        raise VerifyException(f"{dense_role} shape {fmt_shape(shape)} differs from the map's {fmt_shape(rt.get_shape())}")


OPS: list[type[KpuOp]] = [FakeConv2dOp, Conv2dOp, UploadOp, DownloadOp]
