"""`quantize`: turn a calibrated nn + `kpu.fake_conv2d` program into the uint8 program the K210 runs.

Input: the output of `kpu-legalize` after `calibrate` (float nn ops and `kpu.fake_conv2d`, with the chosen
ranges `kcc.ranges` on ops and `kcc.range` on function arguments, `kcc/quant/ranges.py`). Output:

* every `kpu.fake_conv2d` becomes a bit-exact `kpu.conv2d` (`kcc.k210.quantize_layer.quantize_kpu_layer`:
  layer argument, uint8/uint16 weights, BN and activation tables) reading and writing `!kpu.ram` maps. A map
  produced by one KPU layer feeds the next one directly (it stays in KPU RAM); `kpu.upload` is inserted where a
  KPU layer reads a main-RAM tensor and `kpu.download` where anything else reads a KPU map;
* CPU ops run on uint8 (`!nn.q<ui8, scale, zp>`) where kcc has a quantized form for them and
  `inference-type=uint8`, else in float with `nn.quantize` / `nn.dequantize` at the edges;
* function results keep their types (float stays float); arguments too, unless `input-type=uint8`.

Quantization parameters of a float value (`quant_type_of`), first that applies:
1. the value is an `nn.dequantize` of a per-tensor 8-bit type (an already-quantized model): that scale and zero
   point (int8 `zp` becomes uint8 `zp + 128` with the same scale: the same reals, exactly);
2. the value is the result of a CPU op that keeps its input's parameters (data movement, max pools, resize):
   the input's parameters (no requantization, as nncase's quantization broadcast);
3. the value is read by an `nn.quantize` to a per-tensor 8-bit type: that type's scale and zero point;
4. its calibrated range: `kcc.quant.params.uint8_params(lo, hi)` (scale rounded to float32, the precision the
   runtimes store).

Every value is tracked in the forms it exists in (float tensor, quantized tensor per element type, KPU map per
element type); an op asks for the form it needs and a conversion (quantize, dequantize, requantize, upload,
download) is made once per value and form. So a `dequantize -> quantize` pair of the input becomes the
quantized value itself (same type) or one `nn.requantize` (other parameters); `fold_quantization_pairs`
then removes what is left (`quantize(dequantize(x))`, identity requantizes, `upload(download(m))`,
`download(upload(t))`).

Options (ncc v0.2's meanings where ncc has the option):
* `inference-type` uint8 (default) | float: quantize CPU ops, or keep every CPU op in float. KPU layers are always
  quantized (the KPU computes only in integers; ncc's `float` also skipped the KPU: in kcc, skip `kpu-legalize`).
* `input-type` float (default) | uint8: with uint8 the function's float arguments become `!nn.q<ui8, ...>` of
  their calibrated range (the caller passes quantized pixels).
* `weights-quantize-threshold` (default 32.0, ncc's): a conv whose weight range (widened to include 0) is wider
  stays in float on the CPU (`nn.conv2d` + pool) instead of being quantized.
* `output-quantize-threshold` (default 1024, ncc's): a CPU binary op (add, sub, mul) with fewer output elements
  stays in float.
* `no-quantized-binary`: CPU binary ops always stay in float.
* `weight-bits` 8 (default) | 16: the KPU's 8- or 16-bit weight mode.
* `target` any (default) | kmodel | kmodel-v3 | kmodel-v4: with a kmodel target, a CPU op stays uint8 only when
  the kmodel (version 3, 4; `kmodel`: 4, the auto choice) runs its uint8 form bit-exactly
  (`kcc.backends.kmodel_lowering.uint8_reason`: data movement, max pools, nearest resizes whose index maps
  agree, checked uint8 means, uint8 max/min reductions on v4); anything else (avg pools, binary ops, means whose
  fixed-point rescale no f32 scale reproduces, ...) runs in float between a dequantize and a quantize.
  `kcc compile` passes the kmodel target; `any` keeps every uint8 form kcc has (the interpreter runs them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    Float32Type,
    FunctionType,
    IntegerType,
    ModuleOp,
    Signedness,
    TensorType,
    f32,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.traits import Pure

from kcc.dialects.kpu.attrs import ActivationTableAttr, BatchNormTableAttr
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, FakeConv2dOp, UploadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.base import shape_of
from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.conv import Conv2dOp
from kcc.dialects.nn.elementwise import AddOp, MulOp, SubOp
from kcc.dialects.nn.movement import (
    BatchToSpaceOp,
    ConcatOp,
    DepthToSpaceOp,
    PadOp,
    ReshapeOp,
    ResizeOp,
    SliceOp,
    SpaceToBatchOp,
    SpaceToDepthOp,
    SplitOp,
    TransposeOp,
)
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp, ReduceMaxOp, ReduceMeanOp, ReduceMinOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import QuantType, is_quantized
from kcc.errors import KccError
from kcc.k210.kpu_layer import POOL_NAMES
from kcc.quant.params import uint8_params
from kcc.quant.ranges import get_arg_range, get_ranges

__all__ = ["QuantizePass", "fold_quantization_pairs", "quantize_module"]

UI8 = IntegerType(8, Signedness.UNSIGNED)
UI16 = IntegerType(16, Signedness.UNSIGNED)

SAME_PARAMS_OPS: tuple[type[Operation], ...] = (
    ReshapeOp,
    TransposeOp,
    SliceOp,
    PadOp,
    SplitOp,
    SpaceToBatchOp,
    BatchToSpaceOp,
    SpaceToDepthOp,
    DepthToSpaceOp,
    MaxPool2dOp,
    ReduceMaxOp,
    ReduceMinOp,
    ResizeOp,
)
"""CPU ops that run on uint8 with the input's scale and zero point on every result: they move or select values
(pads add 0.0, which is the zero point), so the result needs no parameters of its own."""

BINARY_OPS: tuple[type[Operation], ...] = (AddOp, SubOp, MulOp)
"""CPU binary ops with a uint8 form (both operands quantized, result from its own range)."""

RANGE_PARAMS_OPS: tuple[type[Operation], ...] = (AvgPool2dOp, ReduceMeanOp, ConcatOp)
"""Other CPU ops with a uint8 form whose result gets parameters from its own range (concat: unless all inputs
share one quantization; inputs with other parameters are requantized to the result's)."""


TARGET_VERSIONS = {"kmodel": 4, "kmodel-v3": 3, "kmodel-v4": 4}
"""kmodel targets and the version whose uint8 rules they follow (`kmodel`: version auto, v4's superset of uint8
CPU nodes; the auto choice then picks v4 when a uint8 op has no v3 layer)."""


def _ui8(scale: float, zero_point: int) -> QuantType:
    return QuantType(UI8, float(np.float32(scale)), int(zero_point))


def as_uint8(t: Attribute) -> QuantType | None:
    """The `!nn.q<ui8, ...>` type meaning the same reals as the per-tensor 8-bit type `t`, else None."""
    if not isinstance(t, QuantType) or t.storage.width.data != 8:
        return None
    if t.storage.signedness.data == Signedness.UNSIGNED:
        return t
    return QuantType(UI8, t.scale_value, t.zp_value + 128)


def _element_type(v: SSAValue) -> Attribute:
    t = v.type
    if isinstance(t, TensorType | KpuRamType):
        return t.element_type  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return t


def _is_f32(v: SSAValue) -> bool:
    return isinstance(v.type, TensorType) and isinstance(_element_type(v), Float32Type)


def _with_element(t: Attribute, et: Attribute) -> TensorType:
    assert isinstance(t, TensorType | KpuRamType)
    return TensorType(et, list(t.get_shape()))


def _elements(v: SSAValue) -> int:
    return int(np.prod(shape_of(v, "value"), dtype=np.int64))


# ---------------------------------------------------------------------------------------------- forms


@dataclass
class _Forms:
    """Where one value of the input program exists in the output program."""

    float_: SSAValue | None = None
    tensors: dict[Attribute, SSAValue] = field(default_factory=lambda: dict[Attribute, SSAValue]())
    rams: dict[Attribute, SSAValue] = field(default_factory=lambda: dict[Attribute, SSAValue]())


@dataclass
class _Rewrite:
    """One function's rewrite: the forms of every value, the decided modes and quantization types."""

    options: QuantizePass
    func_op: func.FuncOp
    forms: dict[SSAValue, _Forms] = field(default_factory=lambda: dict[SSAValue, _Forms]())
    qtypes: dict[SSAValue, QuantType | None] = field(default_factory=lambda: dict[SSAValue, QuantType | None]())
    modes: dict[Operation, str] = field(default_factory=lambda: dict[Operation, str]())
    index: dict[Operation, int] = field(default_factory=lambda: dict[Operation, int]())
    erase: list[Operation] = field(default_factory=lambda: list[Operation]())

    # ------------------------------------------------------------------ quantization types
    def range_of(self, v: SSAValue) -> tuple[float, float] | None:
        if isinstance(v, OpResult):
            ranges = get_ranges(v.op)
            return ranges[v.index] if ranges is not None and v.index < len(ranges) else None
        if isinstance(v, BlockArgument) and v.block is self.func_op.body.blocks.first:
            return get_arg_range(self.func_op, v.index)
        return None

    def quant_type_of(self, v: SSAValue) -> QuantType | None:
        """The uint8 quantization of float value `v` (module docstring), or None when nothing defines one."""
        if v in self.qtypes:
            return self.qtypes[v]
        t: QuantType | None = None
        owner = v.owner
        if isinstance(owner, DequantizeOp):
            t = as_uint8(_element_type(owner.input))
        if t is None:
            for use in sorted(v.uses, key=lambda u: self.index.get(u.operation, -1)):
                if isinstance(use.operation, QuantizeOp):
                    t = as_uint8(_element_type(use.operation.output))
                    if t is not None:
                        break
        if t is None:
            r = self.range_of(v)
            if r is not None:
                t = _ui8(*uint8_params(*r))
        self.qtypes[v] = t
        return t

    # ------------------------------------------------------------------ modes
    def decide(self, op: Operation, index: int) -> str:
        """'kpu', 'cpu-conv' (fake conv kept in float on the CPU), 'same' / 'q' (quantized CPU op), 'float',
        'keep' (constants, conversions and already-quantized ops: only their operands are re-pointed).
        With a kmodel `target`, a CPU op whose uint8 form the kmodel cannot run exactly is 'float'."""
        mode = self.decide_form(op, index)
        version = TARGET_VERSIONS.get(self.options.target)
        if mode in ("same", "q") and version is not None:
            from kcc.backends.kmodel_lowering import uint8_reason

            ins = [self.quant_type_of(v) for v in op.operands]
            outs = [self.quant_type_of(r) for r in op.results]
            known = [t for t in (*ins, *outs) if t is not None]
            if len(known) == len(ins) + len(outs) and uint8_reason(op, ins, outs, version):  # pyright: ignore[reportArgumentType]
                return "float"
        return mode

    def decide_form(self, op: Operation, index: int) -> str:
        o = self.options
        if isinstance(op, FakeConv2dOp):
            w = _const(op.weight)
            if w is not None and _weight_range(w) > o.weights_quantize_threshold and op.pool_code != 8:
                return "cpu-conv"
            for v, role in ((op.input, "input"), (op.output, "result")):
                if self.quant_type_of(v) is None:
                    raise KccError(
                        f"the {role} has no calibrated range, so the KPU layer cannot be quantized",
                        op=op.name,
                        index=index,
                        hint="run `calibrate` before `quantize`",
                    )
            if w is None or _const(op.bias) is None:
                raise KccError("weight and bias must be nn.const", op=op.name, index=index, hint="run fold-constants first")
            return "kpu"
        if isinstance(op, ConstOp | QuantizeOp | DequantizeOp | RequantizeOp | func.ReturnOp):
            return "keep"
        if not op.results or not all(_is_f32(r) for r in op.results):
            return "float"
        if o.inference_type != "uint8":
            return "float"
        if isinstance(op, SAME_PARAMS_OPS) and _is_f32(op.operands[0]):
            t = self.quant_type_of(op.operands[0])
            if t is None or not self.produced_quantized(op.operands[0]):
                return "float"
            for r in op.results:
                self.qtypes[r] = t
            return "same"
        if isinstance(op, BINARY_OPS):
            if o.no_quantized_binary or _elements(op.results[0]) < o.output_quantize_threshold:
                return "float"
        elif not isinstance(op, RANGE_PARAMS_OPS):
            return "float"
        data = list(op.operands)
        if not all(_is_f32(v) and self.produced_quantized(v) for v in data):
            return "float"
        in_types = [self.quant_type_of(v) for v in data]
        if any(t is None for t in in_types):
            return "float"
        if isinstance(op, ConcatOp) and len(set(in_types)) == 1:
            self.qtypes[op.results[0]] = in_types[0]
        if self.quant_type_of(op.results[0]) is None:
            return "float"
        return "q"

    def produced_quantized(self, v: SSAValue) -> bool:
        """True when float value `v` exists quantized anyway: made by a KPU layer or a quantized CPU op, an
        `nn.dequantize` of an 8-bit type, or a uint8 argument. CPU ops are quantized only on such inputs, so no
        quantize / dequantize pair is added around a CPU op between two float ops."""
        owner = v.owner
        if isinstance(owner, Operation):
            if isinstance(owner, DequantizeOp):
                return as_uint8(_element_type(owner.input)) is not None
            return self.modes.get(owner) in ("kpu", "same", "q")
        f = self.forms.get(v)
        return f is not None and bool(f.tensors)

    # ------------------------------------------------------------------ conversions
    def forms_of(self, v: SSAValue) -> _Forms:
        f = self.forms.get(v)
        if f is None:
            f = _Forms()
            if _is_f32(v):
                f.float_ = v
            elif isinstance(v.type, KpuRamType):
                f.rams[_element_type(v)] = v
            else:
                f.tensors[_element_type(v)] = v
            self.forms[v] = f
        return f

    def _insert(self, op: Operation, at: Operation) -> SSAValue:
        block = at.parent_block()
        assert block is not None
        block.insert_op_before(op, at)
        return op.results[0]

    def need_float(self, v: SSAValue, at: Operation) -> SSAValue:
        f = self.forms_of(v)
        if f.float_ is None:
            if f.tensors:
                et, src = next(iter(f.tensors.items()))
            else:
                et = next(iter(f.rams))
                src = self.need_tensor(v, et, at)
            f.float_ = self._insert(DequantizeOp(src, _with_element(src.type, f32)), at)
        return f.float_

    def need_tensor(self, v: SSAValue, et: Attribute, at: Operation, rounding: str = "half_even") -> SSAValue:
        f = self.forms_of(v)
        if et in f.tensors:
            return f.tensors[et]
        if et in f.rams:
            src = f.rams[et]
            new = self._insert(DownloadOp(src), at)
        elif f.tensors or f.rams:
            src = next(iter(f.tensors.values())) if f.tensors else self.need_tensor(v, next(iter(f.rams)), at)
            new = self._insert(RequantizeOp(src, _with_element(src.type, et)), at)
        else:
            assert f.float_ is not None
            new = self._insert(QuantizeOp(f.float_, _with_element(f.float_.type, et), rounding), at)
        f.tensors[et] = new
        return new

    def need_ram(self, v: SSAValue, et: Attribute, at: Operation) -> SSAValue:
        f = self.forms_of(v)
        if et not in f.rams:
            f.rams[et] = self._insert(UploadOp(self.need_tensor(v, et, at)), at)
        return f.rams[et]

    def need_as(self, v: SSAValue, t: Attribute, at: Operation) -> SSAValue:
        """`v` in the type `t` the input program gave it (a use in a float or kept op)."""
        et = t.element_type if isinstance(t, TensorType) else t  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        if isinstance(et, Float32Type):
            return self.need_float(v, at)
        if is_quantized(et):
            return self.need_tensor(v, et, at)  # pyright: ignore[reportUnknownArgumentType]
        return v

    # ------------------------------------------------------------------ rewriting
    def run(self) -> None:
        block = self.func_op.body.blocks.first
        assert block is not None
        ops = list(block.ops)
        self.index = {op: i for i, op in enumerate(ops)}
        self.prepare_arguments(block)
        for i, op in enumerate(ops):
            self.modes[op] = self.decide(op, i)
        for i, op in enumerate(ops):
            self.rewrite(op, self.modes[op], i)
        for op in reversed(self.erase):
            _erase(op)
        self.fix_signature(block)
        _dead_code(block)

    def prepare_arguments(self, block: Block) -> None:
        for arg in list(block.args):
            if not _is_f32(arg):
                continue
            t = self.quant_type_of(arg)
            if self.options.input_type != "uint8":
                continue
            if t is None:
                raise KccError(
                    f"argument #{arg.index} has no calibrated range for input-type=uint8",
                    op=self.func_op.sym_name.data,
                    hint="run `calibrate` first, or use input-type=float",
                )
            new = Rewriter.replace_value_with_new_type(arg, _with_element(arg.type, t))
            self.qtypes[new] = t
            self.forms[new] = _Forms(tensors={t: new})

    def fix_signature(self, block: Block) -> None:
        last = block.last_op
        outputs = [v.type for v in last.operands] if isinstance(last, func.ReturnOp) else self.func_op.function_type.outputs.data
        self.func_op.function_type = FunctionType.from_lists([a.type for a in block.args], list(outputs))

    def rewrite(self, op: Operation, mode: str, index: int) -> None:
        if mode == "kpu":
            assert isinstance(op, FakeConv2dOp)
            self.emit_kpu(op, index)
        elif mode == "cpu-conv":
            assert isinstance(op, FakeConv2dOp)
            self.emit_cpu_conv(op)
        elif mode in ("same", "q"):
            self.emit_quantized(op, mode)
        elif isinstance(op, QuantizeOp):
            self.rewrite_quantize(op)
        elif isinstance(op, DequantizeOp):
            self.repoint(op)
            self.forms_of(op.output).tensors.setdefault(_element_type(op.input), op.input)
        else:
            self.repoint(op)

    def repoint(self, op: Operation) -> None:
        """Keep `op`: its operands become the forms of the same values in the types it had."""
        for i, v in enumerate(op.operands):
            new = self.need_as(v, v.type, op)
            if new is not v:
                op.operands[i] = new

    def rewrite_quantize(self, op: QuantizeOp) -> None:
        f = self.forms_of(op.input)
        if not f.tensors and not f.rams:
            self.repoint(op)  # a real float -> quantized conversion: keep it (and its rounding)
            self.forms_of(op.output)
            return
        et = _element_type(op.output)
        new = self.need_tensor(op.input, et, op)
        self.forms[op.output] = _Forms(tensors={et: new})
        self.erase.append(op)

    def emit_quantized(self, op: Operation, mode: str) -> None:
        operands: list[SSAValue] = []
        out_types: list[Attribute] = []
        for r in op.results:
            t = self.quant_type_of(r)
            assert t is not None
            out_types.append(_with_element(r.type, t))
        for v in op.operands:
            t = out_types[0].element_type if isinstance(op, ConcatOp) else self.quant_type_of(v)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
            assert t is not None
            operands.append(self.need_tensor(v, t, op))  # pyright: ignore[reportUnknownArgumentType]
        new = type(op).create(
            operands=operands,
            result_types=out_types,
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        )
        self._insert(new, op)
        for old, r in zip(op.results, new.results, strict=True):
            r.name_hint = old.name_hint
            self.forms[old] = _Forms(tensors={_element_type(r): r})
        self.erase.append(op)

    def emit_kpu(self, op: FakeConv2dOp, index: int) -> None:
        from kcc.k210.quantize_layer import quantize_kpu_layer

        tin, tout = self.quant_type_of(op.input), self.quant_type_of(op.output)
        assert tin is not None and tout is not None
        w, b = _const(op.weight), _const(op.bias)
        assert w is not None and b is not None
        _, c, h, wd = shape_of(op.input, "input")
        act = ("none", ()) if op.act is None else (op.act.kind.data, op.act.values)
        try:
            layer = quantize_kpu_layer(
                w.astype(np.float32),
                b.astype(np.float32),
                depthwise=op.is_depthwise,
                act=act,
                pool=POOL_NAMES[op.pool_code],
                in_q=(tin.scale_value, tin.zp_value),
                out_q=(tout.scale_value, tout.zp_value),
                in_shape=(c, h, wd),
                weight_bits=self.options.weight_bits,
            )
        except ValueError as e:
            raise KccError(f"cannot quantize the KPU layer: {e}", op=op.name, index=index) from None
        x = self.need_ram(op.input, tin, op)
        wt = TensorType(UI16 if self.options.weight_bits == 16 else UI8, list(w.shape))
        wconst = const_from_numpy(np.asarray(layer.weights).reshape(w.shape), wt)
        self._insert(wconst, op)
        arg = layer.arg.with_fields(image_src_addr=0, image_dst_addr=0)
        out_t = KpuRamType(shape_of(op.output, "result"), tout)
        conv = KpuConv2dOp(x, wconst.output, out_t, arg, BatchNormTableAttr(layer.bn), ActivationTableAttr(layer.act))
        conv.attributes.update(op.attributes)
        conv.output.name_hint = op.output.name_hint
        self._insert(conv, op)
        self.forms[op.output] = _Forms(rams={tout: conv.output})
        self.erase.append(op)

    def emit_cpu_conv(self, op: FakeConv2dOp) -> None:
        """The fake conv as float CPU ops: `nn.conv2d` ("same", stride 1) and the pool code as an nn op."""
        x = self.need_float(op.input, op)
        _, c, h, w = shape_of(op.input, "input")
        o = shape_of(op.weight, "weight")[0]
        p = (op.kernel_size - 1) // 2
        conv = Conv2dOp(
            x,
            op.weight,
            op.bias,
            TensorType(f32, [1, o, h, w]),
            pads=(p, p, p, p),
            groups=c if op.is_depthwise else 1,
            act=op.act,
        )
        conv.attributes.update(op.attributes)
        conv.output.name_hint = op.output.name_hint
        y = self._insert(conv, op)
        pool = _float_pool(y, op.pool_code, shape_of(op.output, "result"))
        if pool is not None:
            y = self._insert(pool, op)
        self.forms[op.output] = _Forms(float_=y)
        self.erase.append(op)


def _const(v: SSAValue) -> np.ndarray | None:
    owner = v.owner
    return owner.to_numpy() if isinstance(owner, ConstOp) else None


def _weight_range(w: np.ndarray) -> float:
    """max - min of the weights, the range widened to include 0 (ncc's fixup_range)."""
    if w.size == 0:
        return 0.0
    return float(max(float(w.max()), 0.0) - min(float(w.min()), 0.0))


def _float_pool(y: SSAValue, code: int, out_shape: tuple[int, ...]) -> Operation | None:
    """The nn op computing KPU pool `code` in float (kcc.k210.pool_float), None for bypass."""
    t = TensorType(f32, list(out_shape))
    _, o, oh, ow = out_shape
    if code == 0:
        return None
    if code in (1, 3):
        k = 2 if code == 1 else 4
        return MaxPool2dOp(y, t, (k, k), (k, k))
    if code in (2, 4):
        k = 2 if code == 2 else 4
        return AvgPool2dOp(y, t, (k, k), (k, k))
    if code in (5, 6, 7):
        s = 4 if code == 7 else 2
        x0 = 1 if code == 6 else 0
        return SliceOp(y, t, [0, 0, 0, x0], [1, o, s * (oh - 1) + 1, x0 + s * (ow - 1) + 1], [1, 1, s, s])
    if code == 9:
        return MaxPool2dOp(y, t, (2, 2), (1, 1), (0, 0, 1, 1))
    raise AssertionError(f"pool code {code} has no float CPU form")  # mean_2_s1 never falls back (decide)


def _erase(op: Operation) -> None:
    block = op.parent_block()
    assert block is not None
    block.erase_op(op)


def _dead_code(block: Block) -> None:
    """Erase pure ops whose results are unused (the conversions and constants the rewrite left behind)."""
    changed = True
    while changed:
        changed = False
        for op in reversed(list(block.ops)):
            if op.has_trait(Pure) and op.results and all(not r.uses for r in op.results):
                _erase(op)
                changed = True


# ---------------------------------------------------------------------------------------------- folding


def _fold_one(op: Operation) -> SSAValue | Operation | None:
    """What `op` folds to: an existing value, a new op replacing it, or None."""
    if isinstance(op, QuantizeOp) and isinstance(op.input.owner, DequantizeOp):
        src = op.input.owner.input
        if src.type == op.output.type:
            return src
        et = _element_type(op.output)
        if isinstance(et, QuantType) or as_uint8(_element_type(src)) is not None:
            return RequantizeOp(src, _with_element(src.type, et))
        return None
    if isinstance(op, RequantizeOp) and op.input.type == op.output.type:
        return op.input
    if isinstance(op, UploadOp) and isinstance(op.input.owner, DownloadOp):
        src = op.input.owner.input
        return src if src.type == op.output.type else None
    if isinstance(op, DownloadOp) and isinstance(op.input.owner, UploadOp):
        src = op.input.owner.input
        return src if src.type == op.output.type else None
    return None


def fold_quantization_pairs(module: ModuleOp) -> int:
    """Fold redundant conversions in every function of `module`; the number of ops folded.

    * `quantize(dequantize(x))`: `x` when the types agree, else `requantize(x)` (another scale / zero point);
    * `requantize(x)` to its own type: `x`;
    * `upload(download(m))` and `download(upload(t))` of the same type: `m`, `t`.
    `dequantize(quantize(x))` is not the identity (it rounds) and stays. Dead conversions are then erased.
    """
    folded = 0
    for f in module.ops:
        if not isinstance(f, func.FuncOp) or not f.body.blocks:
            continue
        block = f.body.blocks.first
        assert block is not None
        for op in list(block.ops):
            result = _fold_one(op)
            if result is None:
                continue
            if isinstance(result, Operation):
                block.insert_op_before(result, op)
                new_value = result.results[0]
            else:
                new_value = result
            op.results[0].replace_all_uses_with(new_value)
            _erase(op)
            folded += 1
        _dead_code(block)
    return folded


# ---------------------------------------------------------------------------------------------- pass


def _check_options(p: QuantizePass) -> None:
    checks: list[tuple[bool, str, str]] = [
        (p.inference_type in ("uint8", "float"), f"inference-type {p.inference_type!r}", "uint8 or float"),
        (p.input_type in ("uint8", "float"), f"input-type {p.input_type!r}", "uint8 or float"),
        (p.weight_bits in (8, 16), f"weight-bits {p.weight_bits}", "8 or 16"),
        (p.target in ("any", *TARGET_VERSIONS), f"target {p.target!r}", "any, kmodel, kmodel-v3 or kmodel-v4"),
        (p.weights_quantize_threshold > 0, f"weights-quantize-threshold {p.weights_quantize_threshold}", "> 0"),
        (p.output_quantize_threshold >= 0, f"output-quantize-threshold {p.output_quantize_threshold}", ">= 0"),
    ]
    for ok, what, want in checks:
        if not ok:
            raise KccError(f"{what} is not supported", op="quantize", hint=f"use {want}")


def quantize_module(module: ModuleOp, options: QuantizePass | None = None) -> None:
    """Run `quantize` on every function of `module` in place."""
    opts = options or QuantizePass()
    _check_options(opts)
    for f in list(module.ops):
        if isinstance(f, func.FuncOp) and f.body.blocks:
            if len(f.body.blocks) != 1:
                raise KccError("functions with several blocks are not supported", op=f.sym_name.data)
            _Rewrite(opts, f).run()
    fold_quantization_pairs(module)


@dataclass(frozen=True)
class QuantizePass(ModulePass):
    """fake convs -> bit-exact kpu.conv2d with upload/download; CPU ops uint8 or float; conversions folded."""

    name = "quantize"
    inference_type: str = "uint8"  # uint8 | float (CPU ops)
    input_type: str = "float"  # float | uint8 (function arguments)
    weights_quantize_threshold: float = 32.0
    output_quantize_threshold: int = 1024
    no_quantized_binary: bool = False
    weight_bits: int = 8
    target: str = "any"  # any | kmodel | kmodel-v3 | kmodel-v4: keep uint8 only the CPU ops that target runs exactly

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        quantize_module(op, self)
