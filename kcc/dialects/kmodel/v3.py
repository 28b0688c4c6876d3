"""kmodel v3 layer ops (`kmodel.v3.*`): one op per layer type of the K210 SDK / nncase v0.1 format.

Every op holds every field of its layer body, in file order. Address fields are shown as the memory
range the layer reads or writes there (`#kmodel.range<main, addr, bytes, dtype>`; a KPU line address L is
the range at byte 64·L of the `kpu` pool); the verifier checks each range's size and type against the
layer's own count/shape fields. `flags` bit 0 (`KLF_MAIN_MEM_OUT`) is read only by `k210_conv`.

    kmodel.v3.add flags 0 in_a #kmodel.range<main, 0, 16, f32> in_b #kmodel.range<main, 16, 16, f32>
        out #kmodel.range<main, 32, 16, f32> count 4
"""

from __future__ import annotations

from typing import ClassVar, cast

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.irdl import irdl_op_definition
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.fields import Field, addr, dense, f32_field, i32, u32
from kcc.dialects.kmodel.kpu_layer import check_kpu_layer, kpu_map_bytes
from kcc.dialects.kmodel.program import NodeOp

FLAGS = u32("flags")
IN = addr("input", "in_addr", "in")
OUT = addr("output", "out_addr", "out")


class V3LayerOp(NodeOp):
    """Base of the v3 layer ops."""

    VERSION = 3

    def v(self, prop: str) -> int:
        return int(self.value(prop))


# ---------------------------------------------------------------------------------------------- elementwise


@irdl_op_definition
class AddOp(V3LayerOp):
    """KL_ADD (1): `out[i] = in_a[i] + in_b[i]`, `count` f32 values."""

    name = "kmodel.v3.add"
    CODE = 1
    FIELDS = (FLAGS, addr("in_a", "in_a", "in_a"), addr("in_b", "in_b", "in_b"), addr("out", "out", "out"), u32("count"))

    def check(self) -> None:
        for p in ("in_a", "in_b", "out"):
            self.expect_range(p, "main", 4 * self.v("count"), "f32")


@irdl_op_definition
class QuantizedAddOp(V3LayerOp):
    """KL_QUANTIZED_ADD (2): uint8 add in fixed point: `a' = (a + a_offset)·a_mul`, `b'` likewise, shifted,
    then `out_mul`/`out_shift`/`out_offset` and clamped to 0..255 (spec §5.6)."""

    name = "kmodel.v3.quantized_add"
    CODE = 2
    FIELDS = (
        FLAGS,
        addr("in_a", "in_a", "in_a"),
        addr("in_b", "in_b", "in_b"),
        addr("out", "out", "out"),
        u32("count"),
        *(i32(n) for n in ("a_offset", "a_mul", "a_shift", "b_offset", "b_mul", "b_shift", "out_offset", "out_mul", "out_shift")),
    )

    def check(self) -> None:
        for p in ("in_a", "in_b", "out"):
            self.expect_range(p, "main", self.v("count"), "u8")


# ---------------------------------------------------------------------------------------------- pools


class _GlobalPool(V3LayerOp):
    DTYPE: ClassVar[str] = "f32"
    FIELDS = (FLAGS, IN, OUT, u32("kernel_size"), u32("channels"))

    def check(self) -> None:
        from kcc.dialects.kmodel.attrs import DTYPE_BYTES

        e = DTYPE_BYTES[self.DTYPE]
        self.expect_range("input", "main", e * self.v("kernel_size") * self.v("channels"), self.DTYPE)
        self.expect_range("output", "main", e * self.v("channels"), self.DTYPE)


@irdl_op_definition
class GlobalMaxPool2dOp(_GlobalPool):
    """KL_GLOBAL_MAX_POOL2D (3): f32 max of each block of `kernel_size` (= H·W) values, per channel (CHW)."""

    name = "kmodel.v3.global_max_pool2d"
    CODE = 3


@irdl_op_definition
class QuantizedGlobalMaxPool2dOp(_GlobalPool):
    """KL_QUANTIZED_GLOBAL_MAX_POOL2D (4): the uint8 form of `global_max_pool2d`."""

    name = "kmodel.v3.quantized_global_max_pool2d"
    CODE = 4
    DTYPE = "u8"


@irdl_op_definition
class GlobalAveragePool2dOp(_GlobalPool):
    """KL_GLOBAL_AVERAGE_POOL2D (5): f32 mean of each block of `kernel_size` (= H·W) values, per channel."""

    name = "kmodel.v3.global_average_pool2d"
    CODE = 5


@irdl_op_definition
class QuantizedGlobalAveragePool2dOp(_GlobalPool):
    """KL_QUANTIZED_GLOBAL_AVERAGE_POOL2D (6): the uint8 form of `global_average_pool2d`."""

    name = "kmodel.v3.quantized_global_average_pool2d"
    CODE = 6
    DTYPE = "u8"


_POOL_FIELDS = (
    FLAGS,
    IN,
    OUT,
    *(
        u32(n)
        for n in (
            "in_w",
            "in_h",
            "in_c",
            "out_w",
            "out_h",
            "out_c",
            "kernel_w",
            "kernel_h",
            "stride_w",
            "stride_h",
            "pad_w",
            "pad_h",
        )
    ),
)


class _Pool2d(V3LayerOp):
    DTYPE: ClassVar[str] = "f32"

    def check(self) -> None:
        from kcc.dialects.kmodel.attrs import DTYPE_BYTES

        e = DTYPE_BYTES[self.DTYPE]
        for p in ("kernel_w", "kernel_h", "stride_w", "stride_h"):
            if self.v(p) < 1:
                raise VerifyException(f"{p} must be >= 1, got {self.v(p)}")
        self.expect_range("input", "main", e * self.v("in_w") * self.v("in_h") * self.v("in_c"), self.DTYPE)
        self.expect_range("output", "main", e * self.v("out_w") * self.v("out_h") * self.v("out_c"), self.DTYPE)


@irdl_op_definition
class MaxPool2dOp(_Pool2d):
    """KL_MAX_POOL2D (7): f32 windowed max (CHW), then `act` (0 none, 1 relu, 2 relu6)."""

    name = "kmodel.v3.max_pool2d"
    CODE = 7
    FIELDS = (*_POOL_FIELDS, u32("act"))


@irdl_op_definition
class QuantizedMaxPool2dOp(_Pool2d):
    """KL_QUANTIZED_MAX_POOL2D (8): uint8 windowed max; window clipped to the input, initial value 0."""

    name = "kmodel.v3.quantized_max_pool2d"
    CODE = 8
    DTYPE = "u8"
    FIELDS = _POOL_FIELDS


@irdl_op_definition
class AveragePool2dOp(_Pool2d):
    """KL_AVERAGE_POOL2D (9): f32 windowed mean, then `act`."""

    name = "kmodel.v3.average_pool2d"
    CODE = 9
    FIELDS = (*_POOL_FIELDS, u32("act"))


@irdl_op_definition
class QuantizedAveragePool2dOp(_Pool2d):
    """KL_QUANTIZED_AVERAGE_POOL2D (10): uint8 windowed mean."""

    name = "kmodel.v3.quantized_average_pool2d"
    CODE = 10
    DTYPE = "u8"
    FIELDS = _POOL_FIELDS


# ---------------------------------------------------------------------------------------------- quantization


class _QuantParam(V3LayerOp):
    IN_DTYPE: ClassVar[str] = "f32"
    OUT_DTYPE: ClassVar[str] = "u8"
    FIELDS = (FLAGS, IN, OUT, u32("count"), f32_field("scale"), f32_field("bias"))

    def check(self) -> None:
        from kcc.dialects.kmodel.attrs import DTYPE_BYTES

        n = self.v("count")
        self.expect_range("input", "main", n * DTYPE_BYTES[self.IN_DTYPE], self.IN_DTYPE)
        self.expect_range("output", "main", n * DTYPE_BYTES[self.OUT_DTYPE], self.OUT_DTYPE)


@irdl_op_definition
class QuantizeOp(_QuantParam):
    """KL_QUANTIZE (11): `q = clamp(roundf((x - bias)·(1/scale)), 0, 255)`, f32 -> u8."""

    name = "kmodel.v3.quantize"
    CODE = 11


@irdl_op_definition
class DequantizeOp(_QuantParam):
    """KL_DEQUANTIZE (12): `x = q·scale + bias`, u8 -> f32."""

    name = "kmodel.v3.dequantize"
    CODE = 12
    IN_DTYPE = "u8"
    OUT_DTYPE = "f32"


@irdl_op_definition
class RequantizeOp(V3LayerOp):
    """KL_REQUANTIZE (13): `out = table[in]`, a 256-byte lookup table."""

    name = "kmodel.v3.requantize"
    CODE = 13
    FIELDS = (FLAGS, IN, OUT, u32("count"), dense("table", "u1"))

    def check(self) -> None:
        self.expect_range("input", "main", self.v("count"), "u8")
        self.expect_range("output", "main", self.v("count"), "u8")
        n = len(self.value("table"))
        if n != 256:
            raise VerifyException(f"table must hold 256 bytes, got {n}")


@irdl_op_definition
class ChannelwiseDequantizeOp(V3LayerOp):
    """KL_CHANNELWISE_DEQUANTIZE (24): `y = q·scales[c] + biases[c]` over blocks of `channel_size` values.

    In the file the scales and biases are interleaved (scale, bias) pairs."""

    name = "kmodel.v3.channelwise_dequantize"
    CODE = 24
    FIELDS = (FLAGS, IN, OUT, u32("channels"), u32("channel_size"), dense("scales", "<f4"), dense("biases", "<f4"))

    def check(self) -> None:
        n = self.v("channels") * self.v("channel_size")
        self.expect_range("input", "main", n, "u8")
        self.expect_range("output", "main", 4 * n, "f32")
        for p in ("scales", "biases"):
            if len(self.value(p)) != self.v("channels"):
                raise VerifyException(f"{p} must hold {self.v('channels')} values (one per channel), got {len(self.value(p))}")


# ---------------------------------------------------------------------------------------------- float vector ops


class _Channels(V3LayerOp):
    FIELDS = (FLAGS, IN, OUT, u32("channels"))

    def check(self) -> None:
        self.expect_range("input", "main", 4 * self.v("channels"), "f32")
        self.expect_range("output", "main", 4 * self.v("channels"), "f32")


@irdl_op_definition
class L2NormalizationOp(_Channels):
    """KL_L2_NORMALIZATION (14): `y = x / sqrt(max(Σx², 1e-10))` over `channels` f32 values."""

    name = "kmodel.v3.l2_normalization"
    CODE = 14


@irdl_op_definition
class SoftmaxOp(_Channels):
    """KL_SOFTMAX (15): softmax of `channels` f32 values (max initialised with FLT_MIN, as the SDK does)."""

    name = "kmodel.v3.softmax"
    CODE = 15


@irdl_op_definition
class LogisticOp(_Channels):
    """KL_LOGISTIC (25): `1 / (1 + exp(-x))` over `channels` f32 values."""

    name = "kmodel.v3.logistic"
    CODE = 25


# ---------------------------------------------------------------------------------------------- data movement


class _Concat(V3LayerOp):
    FIELDS = (FLAGS, OUT, Field("inputs", "ranges", "pairs"))

    def check(self) -> None:
        total = 0
        for i, r in enumerate(self.value("inputs")):
            r = cast(RangeAttr, r)
            if (r.pool_name, r.element) != ("main", "u8"):
                raise VerifyException(f"inputs[{i}] must be a main u8 range (concat copies bytes), got {r}")
            total += r.nbytes
        self.expect_range("output", "main", total, "u8")


@irdl_op_definition
class ConcatOp(_Concat):
    """KL_CONCAT (16): copy each input range, back to back, to `output` (byte copies)."""

    name = "kmodel.v3.concat"
    CODE = 16


@irdl_op_definition
class QuantizedConcatOp(_Concat):
    """KL_QUANTIZED_CONCAT (17): same body and semantics as `concat`."""

    name = "kmodel.v3.quantized_concat"
    CODE = 17


class _Flatten(V3LayerOp):
    DTYPE: ClassVar[str] = "f32"
    FIELDS = (FLAGS, IN, OUT, u32("width"), u32("height"), u32("channels"))

    def check(self) -> None:
        from kcc.dialects.kmodel.attrs import DTYPE_BYTES

        n = DTYPE_BYTES[self.DTYPE] * self.v("width") * self.v("height") * self.v("channels")
        self.expect_range("input", "main", n, self.DTYPE)
        self.expect_range("output", "main", n, self.DTYPE)


@irdl_op_definition
class TensorflowFlattenOp(_Flatten):
    """KL_TENSORFLOW_FLATTEN (20): CHW -> HWC, f32."""

    name = "kmodel.v3.tensorflow_flatten"
    CODE = 20


@irdl_op_definition
class QuantizedTensorflowFlattenOp(_Flatten):
    """KL_QUANTIZED_TENSORFLOW_FLATTEN (21): CHW -> HWC, uint8."""

    name = "kmodel.v3.quantized_tensorflow_flatten"
    CODE = 21
    DTYPE = "u8"


class _Resize(V3LayerOp):
    DTYPE: ClassVar[str] = "f32"
    FIELDS = (FLAGS, IN, OUT, *(u32(n) for n in ("in_w", "in_h", "channels", "out_w", "out_h", "align_corners")))

    def check(self) -> None:
        from kcc.dialects.kmodel.attrs import DTYPE_BYTES

        e = DTYPE_BYTES[self.DTYPE]
        self.expect_range("input", "main", e * self.v("in_w") * self.v("in_h") * self.v("channels"), self.DTYPE)
        self.expect_range("output", "main", e * self.v("out_w") * self.v("out_h") * self.v("channels"), self.DTYPE)


@irdl_op_definition
class ResizeNearestNeighborOp(_Resize):
    """KL_RESIZE_NEAREST_NEIGHBOR (22): f32 nearest resize, `src = min(floor(o·in/out), in-1)`;
    `align_corners` is stored but ignored by the runtime."""

    name = "kmodel.v3.resize_nearest_neighbor"
    CODE = 22


@irdl_op_definition
class QuantizedResizeNearestNeighborOp(_Resize):
    """KL_QUANTIZED_RESIZE_NEAREST_NEIGHBOR (23): the uint8 form of `resize_nearest_neighbor`."""

    name = "kmodel.v3.quantized_resize_nearest_neighbor"
    CODE = 23
    DTYPE = "u8"


# ---------------------------------------------------------------------------------------------- fully connected


@irdl_op_definition
class FullyConnectedOp(V3LayerOp):
    """KL_FULLY_CONNECTED (18): `y = W·x + b` in f32, then `act` (0 none, 1 relu, 2 relu6).
    `weights` is `[out_channels, in_channels]`."""

    name = "kmodel.v3.fully_connected"
    CODE = 18
    FIELDS = (FLAGS, IN, OUT, u32("in_channels"), u32("out_channels"), u32("act"), dense("weights", "<f4"), dense("bias", "<f4"))

    def check(self) -> None:
        ic, oc = self.v("in_channels"), self.v("out_channels")
        self.expect_range("input", "main", 4 * ic, "f32")
        self.expect_range("output", "main", 4 * oc, "f32")
        if self.v("act") > 2:
            raise VerifyException(f"act {self.v('act')} is not 0 (linear), 1 (relu) or 2 (relu6)")
        w = self.value("weights")
        if w.size != ic * oc:
            raise VerifyException(f"weights hold {w.size} values, {oc} x {ic} needed")
        if self.value("bias").size != oc:
            raise VerifyException(f"bias holds {self.value('bias').size} values, {oc} needed")


class _Opaque(V3LayerOp):
    FIELDS = (FLAGS, dense("data", "u1"))


@irdl_op_definition
class InvalidOp(_Opaque):
    """KL_INVALID (0): a layer the runtime rejects; `data` is the body after `flags`, kept verbatim."""

    name = "kmodel.v3.invalid"
    CODE = 0


@irdl_op_definition
class QuantizedFullyConnectedOp(_Opaque):
    """KL_QUANTIZED_FULLY_CONNECTED (19): defined in the enum, but no source documents its body: `data` is
    the body after `flags`, kept verbatim."""

    name = "kmodel.v3.quantized_fully_connected"
    CODE = 19


# ---------------------------------------------------------------------------------------------- K210


@irdl_op_definition
class K210ConvOp(V3LayerOp):
    """KL_K210_CONV (10240): one KPU layer.

    `layer_argument` is the 12-word register block (`kcc.k210.layer_argument.LayerArgument` decodes it;
    reserved bits, such as Maix-EMC's bits 40-63 of `conv_value2`, are kept), `weights` u8 (8-bit header
    flag) or u16, `batch_norm` one u64 per output channel, `activation` the 18-word table. `input` and
    `output` are the KPU RAM maps the registers address (checked against them); `main_out` is the dense
    CHW u8 copy written to main RAM when `flags` bit 0 is set (size 0 otherwise). `file_offsets` holds
    the absolute file offsets of the register block, weights, BN and activation tables when they differ
    from the default layout (back to back after the six body words, 8-aligned; nncase aligns to 128/256).
    """

    name = "kmodel.v3.k210_conv"
    CODE = 10240
    FIELDS = (
        FLAGS,
        addr("main_out", "main_mem_out_address", "main_out"),
        dense("layer_argument", "<u8", "arg_raw"),
        Field("weights", "dense", "raw", "weights"),
        dense("batch_norm", "<u8", "bn_raw"),
        dense("activation", "<u8", "act_raw"),
        Field("input", "range", "", "", "in"),
        Field("output", "range", "", "", "out"),
        Field("file_offsets", "ints", "", "", count=4, optional=True),
    )

    def check(self) -> None:
        arg = check_kpu_layer(
            cast(DenseIntOrFPElementsAttr, self.properties["layer_argument"]),
            cast(DenseIntOrFPElementsAttr, self.properties["weights"]),
            cast(DenseIntOrFPElementsAttr, self.properties["batch_norm"]),
            cast(DenseIntOrFPElementsAttr, self.properties["activation"]),
            cast(RangeAttr, self.properties["input"]),
            cast(RangeAttr, self.properties["output"]),
            1,
        )
        if self.v("flags") & 1:
            self.expect_range("main_out", "main", arg.out_channels * arg.out_height * arg.out_width, "u8")
        w = self.value("weights")
        if w.dtype.itemsize not in (1, 2) or w.dtype.kind != "u":
            raise VerifyException(f"weights must be ui8 or ui16, got {w.dtype}")


@irdl_op_definition
class K210AddPaddingOp(V3LayerOp):
    """KL_K210_ADD_PADDING (10241): byte c of the input -> pixel (0,0) of channel c of a 4x4 KPU map
    (groups-4 layout); the other 15 pixels are not written."""

    name = "kmodel.v3.k210_add_padding"
    CODE = 10241
    FIELDS = (FLAGS, addr("input", "main_in", "in"), addr("output", "kpu_out_line", "out"), u32("channels"))

    def check(self) -> None:
        self.expect_range("input", "main", self.v("channels"), "u8")
        self.expect_range("output", "kpu", kpu_map_bytes(self.v("channels"), 4, 4), "u8")


@irdl_op_definition
class K210RemovePaddingOp(V3LayerOp):
    """KL_K210_REMOVE_PADDING (10242): `out[c] = in[16·c]` (from a dense Cx4x4 download)."""

    name = "kmodel.v3.k210_remove_padding"
    CODE = 10242
    FIELDS = (FLAGS, addr("input", "main_in", "in"), addr("output", "main_out", "out"), u32("channels"))

    def check(self) -> None:
        self.expect_range("input", "main", 16 * self.v("channels"), "u8")
        self.expect_range("output", "main", self.v("channels"), "u8")


@irdl_op_definition
class K210UploadOp(V3LayerOp):
    """KL_K210_UPLOAD (10243): dense CHW u8 in main RAM -> KPU layout at the output line."""

    name = "kmodel.v3.k210_upload"
    CODE = 10243
    FIELDS = (
        FLAGS,
        addr("input", "main_in", "in"),
        addr("output", "kpu_out_line", "out"),
        u32("width"),
        u32("height"),
        u32("channels"),
    )

    def check(self) -> None:
        w, h, c = self.v("width"), self.v("height"), self.v("channels")
        self.expect_range("input", "main", w * h * c, "u8")
        groups, row_len = (4, 1) if w <= 16 else (2, 1) if w <= 32 else (1, (w + 63) // 64)
        self.expect_range("output", "kpu", kpu_map_bytes(c, groups, row_len * h), "u8")


OPS: list[type[V3LayerOp]] = [
    InvalidOp,
    AddOp,
    QuantizedAddOp,
    GlobalMaxPool2dOp,
    QuantizedGlobalMaxPool2dOp,
    GlobalAveragePool2dOp,
    QuantizedGlobalAveragePool2dOp,
    MaxPool2dOp,
    QuantizedMaxPool2dOp,
    AveragePool2dOp,
    QuantizedAveragePool2dOp,
    QuantizeOp,
    DequantizeOp,
    RequantizeOp,
    L2NormalizationOp,
    SoftmaxOp,
    ConcatOp,
    QuantizedConcatOp,
    FullyConnectedOp,
    QuantizedFullyConnectedOp,
    TensorflowFlattenOp,
    QuantizedTensorflowFlattenOp,
    ResizeNearestNeighborOp,
    QuantizedResizeNearestNeighborOp,
    ChannelwiseDequantizeOp,
    LogisticOp,
    K210ConvOp,
    K210AddPaddingOp,
    K210RemovePaddingOp,
    K210UploadOp,
]
BY_CODE: dict[int, type[V3LayerOp]] = {op.CODE: op for op in OPS}

__all__ = ["BY_CODE", "OPS", "V3LayerOp", *(op.__name__ for op in OPS)]  # pyright: ignore[reportUnsupportedDunderAll]
