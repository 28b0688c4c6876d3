"""KPU batch-norm and activation tables (spec k210-kpu-and-kmodel-v3.md §2.1, §2.2).

Both decode and encode exactly: every bit of the input is kept (the unused top bits are stored in
``reserved`` arrays), so ``decode(b).encode() == b`` for every input of the right length.
Arrays are int64 numpy arrays; signed fields are stored sign-extended.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "ACTIVATION_SEGMENTS",
    "ACTIVATION_TABLE_BYTES",
    "BN_ENTRY_BYTES",
    "SEGMENT0_START",
    "ActivationTable",
    "BatchNormTable",
]

I64 = npt.NDArray[np.int64]

BN_ENTRY_BYTES = 8
ACTIVATION_SEGMENTS = 16
ACTIVATION_TABLE_BYTES = 144
SEGMENT0_START = -(1 << 35)  # x_start 0x800000000, what every generator puts in segment 0


def _i64(values: object, n: int, name: str) -> I64:
    a = np.asarray(values, dtype=np.int64).reshape(-1)
    if a.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {a.size}")
    return a.copy()


def _check_range(a: I64, lo: int, hi: int, name: str) -> None:
    if a.size and (int(a.min()) < lo or int(a.max()) > hi):
        raise ValueError(f"{name} out of range {lo}…{hi}: min {int(a.min())}, max {int(a.max())}")


def _sext(raw: npt.NDArray[np.uint64], width: int) -> I64:
    v = raw.astype(np.int64)
    sign = np.int64(1 << (width - 1))
    return (v & (sign - 1)) - (v & sign)


def _u64_words(data: bytes | bytearray | memoryview, count: int, what: str) -> npt.NDArray[np.uint64]:
    if len(data) != 8 * count:
        raise ValueError(f"{what}: expected {8 * count} bytes, got {len(data)}")
    return np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64)


def _field(words: npt.NDArray[np.uint64], lo: int, width: int) -> npt.NDArray[np.uint64]:
    return (words >> np.uint64(lo)) & np.uint64((1 << width) - 1)


def _put(a: I64, lo: int, width: int) -> npt.NDArray[np.uint64]:
    return (a.astype(np.uint64) & np.uint64((1 << width) - 1)) << np.uint64(lo)


@dataclass
class BatchNormTable:
    """Per-output-channel BN entries, one u64 each: norm_mul (bits 0-23, signed), norm_add (24-55, signed),
    norm_shift (56-59), reserved (60-63, kept for exact round trips).

    KPU semantics: ``t = ((alu * norm_mul) >> norm_shift) + norm_add`` with a floor shift (spec §3.4).
    """

    norm_mul: I64
    norm_add: I64
    norm_shift: I64
    reserved: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        n = np.asarray(self.norm_mul).size
        self.norm_mul = _i64(self.norm_mul, n, "norm_mul")
        self.norm_add = _i64(self.norm_add, n, "norm_add")
        self.norm_shift = _i64(self.norm_shift, n, "norm_shift")
        res = np.asarray(self.reserved)
        self.reserved = np.zeros(n, dtype=np.int64) if res.size == 0 else _i64(res, n, "reserved")

    @property
    def channels(self) -> int:
        return int(self.norm_mul.size)

    def __len__(self) -> int:
        return self.channels

    def validate(self) -> None:
        """Raise ValueError if a value does not fit its bitfield."""
        _check_range(self.norm_mul, -(1 << 23), (1 << 23) - 1, "norm_mul")
        _check_range(self.norm_add, -(1 << 31), (1 << 31) - 1, "norm_add")
        _check_range(self.norm_shift, 0, 15, "norm_shift")
        _check_range(self.reserved, 0, 15, "BN reserved bits")

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview, channels: int) -> BatchNormTable:
        """Decode ``channels`` little-endian u64 entries (``8 * channels`` bytes)."""
        w = _u64_words(data, channels, "BN table")
        return cls(
            norm_mul=_sext(_field(w, 0, 24), 24),
            norm_add=_sext(_field(w, 24, 32), 32),
            norm_shift=_field(w, 56, 4).astype(np.int64),
            reserved=_field(w, 60, 4).astype(np.int64),
        )

    def words(self) -> npt.NDArray[np.uint64]:
        self.validate()
        return (
            _put(self.norm_mul, 0, 24) | _put(self.norm_add, 24, 32) | _put(self.norm_shift, 56, 4) | _put(self.reserved, 60, 4)
        )

    def encode(self) -> bytes:
        return self.words().astype("<u8").tobytes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchNormTable):
            return NotImplemented
        return all(
            np.array_equal(a, b)
            for a, b in (
                (self.norm_mul, other.norm_mul),
                (self.norm_add, other.norm_add),
                (self.norm_shift, other.norm_shift),
                (self.reserved, other.reserved),
            )
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def identity(cls, channels: int) -> BatchNormTable:
        """mul 1, add 0, shift 0: t = alu."""
        return cls(np.ones(channels, np.int64), np.zeros(channels, np.int64), np.zeros(channels, np.int64))


@dataclass
class ActivationTable:
    """The 16-segment piecewise-linear activation (144 bytes).

    Words 0-15, one per segment: ``shift`` bits 0-7 (unsigned), ``mul`` bits 8-23 (signed 16),
    ``start_x`` bits 24-59 (signed 36), ``reserved`` bits 60-63 (kept). Words 16-17: the uint8 ``add``
    (result bias) of segments 0-7 and 8-15, byte k of the word = segment k.

    KPU semantics (spec §3.5): segment j = highest index with ``start_x[j] < t``; output
    ``clamp(round((t - start_x[j])·mul[j] / 2^shift[j]) + add[j], 0, 255)``.
    """

    start_x: I64
    mul: I64
    shift: I64
    add: I64
    reserved: I64 = field(default_factory=lambda: np.zeros(ACTIVATION_SEGMENTS, dtype=np.int64))

    def __post_init__(self) -> None:
        n = ACTIVATION_SEGMENTS
        self.start_x = _i64(self.start_x, n, "start_x")
        self.mul = _i64(self.mul, n, "mul")
        self.shift = _i64(self.shift, n, "shift")
        self.add = _i64(self.add, n, "add")
        self.reserved = _i64(self.reserved, n, "reserved")

    @property
    def bias(self) -> I64:
        """Alias of ``add`` (the spec calls it result_bias)."""
        return self.add

    def validate(self) -> None:
        _check_range(self.start_x, -(1 << 35), (1 << 35) - 1, "start_x")
        _check_range(self.mul, -(1 << 15), (1 << 15) - 1, "mul")
        _check_range(self.shift, 0, 255, "shift")
        _check_range(self.add, 0, 255, "add")
        _check_range(self.reserved, 0, 15, "activation reserved bits")

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview) -> ActivationTable:
        w = _u64_words(data, 18, "activation table")
        seg = w[:16]
        bias = np.frombuffer(bytes(data)[128:144], dtype=np.uint8).astype(np.int64)
        return cls(
            start_x=_sext(_field(seg, 24, 36), 36),
            mul=_sext(_field(seg, 8, 16), 16),
            shift=_field(seg, 0, 8).astype(np.int64),
            add=bias,
            reserved=_field(seg, 60, 4).astype(np.int64),
        )

    def encode(self) -> bytes:
        self.validate()
        seg = _put(self.shift, 0, 8) | _put(self.mul, 8, 16) | _put(self.start_x, 24, 36) | _put(self.reserved, 60, 4)
        return seg.astype("<u8").tobytes() + self.add.astype(np.uint8).tobytes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ActivationTable):
            return NotImplemented
        return all(
            np.array_equal(a, b)
            for a, b in (
                (self.start_x, other.start_x),
                (self.mul, other.mul),
                (self.shift, other.shift),
                (self.add, other.add),
                (self.reserved, other.reserved),
            )
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def nncase_linear(cls) -> ActivationTable:
        """The fixed nncase v0.1 Linear/ReLU/ReLU6 table (spec §6.7): out = clamp(round(t/1024), 0, 255), 0 for t < 0."""
        starts = [
            -34359738368,
            -2192771912,
            -1898601972,
            -1604432032,
            -1293919318,
            -999749378,
            -705579438,
            -411409498,
            -100896784,
            -2840137,
            0,
            34359738352,
            34359738353,
            34359738354,
            34359738355,
            34359738356,
        ]
        mul = [0] * 16
        shift = [0] * 16
        mul[10], shift[10] = 1024, 20
        return cls(np.array(starts), np.array(mul), np.array(shift), np.zeros(16, np.int64))

    @classmethod
    def single_segment(cls, mul: int, shift: int, add: int = 0, start: int = SEGMENT0_START) -> ActivationTable:
        """All 16 segments identical (useful for tests and identity-like activations)."""
        return cls(
            np.full(16, start, np.int64),
            np.full(16, mul, np.int64),
            np.full(16, shift, np.int64),
            np.full(16, add, np.int64),
        )
