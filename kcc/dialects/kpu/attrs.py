"""Attributes of the `kpu` dialect: the pool code, the layer argument and the BN / activation tables.

    pool max_2_s2                                         #kpu.pool: the 10 KPU pool codes by name
    #kpu.layer_arg<i_ch_num = 2, o_ch_num = 15, ...>      the 12-word register block, non-zero fields by name
    #kpu.bn<mul [...], shift [...], add [...]>            one entry per output channel
    #kpu.act_table<start [...], mul [...], shift [...], add [...]>   16 segments

The values and their meaning are kcc.k210's (`LayerArgument`, `BatchNormTable`, `ActivationTable`): the
attributes store them exactly (a file's layer argument and tables print and parse back bit for bit, reserved
bits included) and verify them with kcc.k210's range checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, IntAttr
from xdsl.dialects.utils.enum_attribute import EnumAttribute
from xdsl.ir import Attribute, ParametrizedAttribute, SpacedOpaqueSyntaxAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

from kcc.k210.kpu_layer import POOL_NAMES
from kcc.k210.layer_argument import LAYER_ARGUMENT_FIELDS, LAYER_ARGUMENT_WORDS, LayerArgument
from kcc.k210.tables import ACTIVATION_SEGMENTS, ActivationTable, BatchNormTable

__all__ = [
    "POOL_CODES",
    "ActivationTableAttr",
    "BatchNormTableAttr",
    "LayerArgumentAttr",
    "PoolAttr",
    "PoolKind",
]


class PoolKind(StrEnum):
    """The KPU pool codes 0-9 (spec §3.6), named as in kcc.k210.kpu_layer.POOL_NAMES."""

    BYPASS = "bypass"
    MAX_2_S2 = "max_2_s2"
    MEAN_2_S2 = "mean_2_s2"
    MAX_4_S4 = "max_4_s4"
    MEAN_4_S4 = "mean_4_s4"
    LEFT_TOP_2_S2 = "left_top_2_s2"
    RIGHT_TOP_2_S2 = "right_top_2_s2"
    LEFT_TOP_4_S4 = "left_top_4_s4"
    MEAN_2_S1 = "mean_2_s1"
    MAX_2_S1 = "max_2_s1"


POOL_CODES: dict[str, int] = {name: code for code, name in POOL_NAMES.items()}
assert sorted(POOL_CODES) == sorted(k.value for k in PoolKind), "PoolKind must list kcc.k210's pool names"


@irdl_attr_definition
class PoolAttr(EnumAttribute[PoolKind], SpacedOpaqueSyntaxAttribute):
    """A KPU pool code by name: bypass (0), max_2_s2 (1), mean_2_s2 (2), max_4_s4 (3), mean_4_s4 (4),
    left_top_2_s2 (5), right_top_2_s2 (6), left_top_4_s4 (7), mean_2_s1 (8), max_2_s1 (9).

    `max_K_sS` / `mean_K_sS`: KxK window, stride S; `left_top` / `right_top`: pick one pixel of each window
    (stride-2/4 down-sampling); the `_s1` pools keep the size (window y..y+1, x..x+1)."""

    name = "kpu.pool"

    @staticmethod
    def of_code(code: int) -> PoolAttr:
        return PoolAttr(PoolKind(POOL_NAMES[code]))

    @property
    def code(self) -> int:
        return POOL_CODES[self.data.value]


def _ints(values: ArrayAttr[IntAttr]) -> list[int]:
    return [v.data for v in values.data]


def _int_array(values: Sequence[int] | np.ndarray) -> ArrayAttr[IntAttr]:
    return ArrayAttr([IntAttr(int(v)) for v in values])


def _print_list(printer: Printer, key: str, values: ArrayAttr[IntAttr], first: bool = False) -> None:
    printer.print_string(("" if first else ", ") + f"{key} [" + ", ".join(str(v) for v in _ints(values)) + "]")


def _parse_list(parser: AttrParser, key: str) -> ArrayAttr[IntAttr]:
    parser.parse_keyword(key)
    return _int_array(parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer))


@irdl_attr_definition
class LayerArgumentAttr(ParametrizedAttribute):
    """The 12-word KPU layer argument (kcc.k210.layer_argument.LayerArgument): its non-zero fields by name,
    in register order, `name = value`. Sizes are "minus one" as in the registers (`i_ch_num = 2` is 3 input
    channels); `arg_w`, `arg_x`, `arg_add` are signed; addresses are 64-byte lines. Stored as the 12 words,
    so every 96-byte argument (reserved bits included) round-trips exactly."""

    name = "kpu.layer_arg"
    words: ArrayAttr[IntAttr]

    def __init__(self, arg: LayerArgument):
        super().__init__(_int_array(arg.words()))

    @property
    def value(self) -> LayerArgument:
        return LayerArgument.from_words(_ints(self.words))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        known = {f.name for f in LAYER_ARGUMENT_FIELDS}
        values: dict[str, int] = {}

        def entry() -> None:
            pos = parser.pos
            key = parser.parse_identifier()
            if key not in known:
                parser.raise_error(f"unknown layer-argument field {key!r}", pos, parser.pos)
            if key in values:
                parser.raise_error(f"layer-argument field {key!r} given twice", pos, parser.pos)
            parser.parse_punctuation("=")
            values[key] = parser.parse_integer()

        parser.parse_comma_separated_list(parser.Delimiter.ANGLE, entry)
        try:
            words = LayerArgument(**values).words()
        except ValueError as e:
            parser.raise_error(str(e))
        return (_int_array(words),)

    def print_parameters(self, printer: Printer) -> None:
        arg = self.value
        text = ", ".join(f"{f.name} = {getattr(arg, f.name)}" for f in LAYER_ARGUMENT_FIELDS if getattr(arg, f.name))
        printer.print_string(f"<{text}>")

    def verify(self) -> None:
        super().verify()
        words = _ints(self.words)
        if len(words) != LAYER_ARGUMENT_WORDS or any(not 0 <= w < 1 << 64 for w in words):
            raise VerifyException(f"a layer argument is 12 unsigned 64-bit words, got {words}")


@irdl_attr_definition
class BatchNormTableAttr(ParametrizedAttribute):
    """The KPU batch-norm table (kcc.k210.tables.BatchNormTable), one entry per output channel:
    `t = ((alu * mul) >> shift) + add` (floor shift). `reserved [...]` (the entries' top 4 bits) prints only
    when not all zero."""

    name = "kpu.bn"
    mul: ArrayAttr[IntAttr]
    shift: ArrayAttr[IntAttr]
    add: ArrayAttr[IntAttr]
    reserved: ArrayAttr[IntAttr]

    def __init__(self, table: BatchNormTable):
        super().__init__(
            _int_array(table.norm_mul), _int_array(table.norm_shift), _int_array(table.norm_add), _int_array(table.reserved)
        )

    @property
    def table(self) -> BatchNormTable:
        return BatchNormTable(
            norm_mul=np.array(_ints(self.mul), np.int64),
            norm_add=np.array(_ints(self.add), np.int64),
            norm_shift=np.array(_ints(self.shift), np.int64),
            reserved=np.array(_ints(self.reserved), np.int64),
        )

    @property
    def channels(self) -> int:
        return len(self.mul.data)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            mul = _parse_list(parser, "mul")
            parser.parse_punctuation(",")
            shift = _parse_list(parser, "shift")
            parser.parse_punctuation(",")
            add = _parse_list(parser, "add")
            reserved = _int_array([0] * len(mul.data))
            if parser.parse_optional_punctuation(",") is not None:
                reserved = _parse_list(parser, "reserved")
        return (mul, shift, add, reserved)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            _print_list(printer, "mul", self.mul, first=True)
            _print_list(printer, "shift", self.shift)
            _print_list(printer, "add", self.add)
            if any(_ints(self.reserved)):
                _print_list(printer, "reserved", self.reserved)

    def verify(self) -> None:
        super().verify()
        n = len(self.mul.data)
        lens = [len(a.data) for a in (self.mul, self.shift, self.add, self.reserved)]
        if n == 0 or any(x != n for x in lens):
            raise VerifyException(f"#kpu.bn needs one mul, shift, add (and reserved) per channel, got {lens} values")
        try:
            self.table.validate()
        except ValueError as e:
            raise VerifyException(f"#kpu.bn: {e}") from None


@irdl_attr_definition
class ActivationTableAttr(ParametrizedAttribute):
    """The KPU 16-segment activation table (kcc.k210.tables.ActivationTable): segment j covers t above
    `start[j]`; output `clamp(round((t - start[j]) * mul[j] / 2^shift[j]) + add[j], 0, 255)`. `add` is the
    table's uint8 result bias. `reserved [...]` (the segments' top 4 bits) prints only when not all zero."""

    name = "kpu.act_table"
    start: ArrayAttr[IntAttr]
    mul: ArrayAttr[IntAttr]
    shift: ArrayAttr[IntAttr]
    add: ArrayAttr[IntAttr]
    reserved: ArrayAttr[IntAttr]

    def __init__(self, table: ActivationTable):
        super().__init__(
            _int_array(table.start_x),
            _int_array(table.mul),
            _int_array(table.shift),
            _int_array(table.add),
            _int_array(table.reserved),
        )

    @property
    def table(self) -> ActivationTable:
        return ActivationTable(
            start_x=np.array(_ints(self.start), np.int64),
            mul=np.array(_ints(self.mul), np.int64),
            shift=np.array(_ints(self.shift), np.int64),
            add=np.array(_ints(self.add), np.int64),
            reserved=np.array(_ints(self.reserved), np.int64),
        )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            start = _parse_list(parser, "start")
            parser.parse_punctuation(",")
            mul = _parse_list(parser, "mul")
            parser.parse_punctuation(",")
            shift = _parse_list(parser, "shift")
            parser.parse_punctuation(",")
            add = _parse_list(parser, "add")
            reserved = _int_array([0] * ACTIVATION_SEGMENTS)
            if parser.parse_optional_punctuation(",") is not None:
                reserved = _parse_list(parser, "reserved")
        return (start, mul, shift, add, reserved)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            _print_list(printer, "start", self.start, first=True)
            _print_list(printer, "mul", self.mul)
            _print_list(printer, "shift", self.shift)
            _print_list(printer, "add", self.add)
            if any(_ints(self.reserved)):
                _print_list(printer, "reserved", self.reserved)

    def verify(self) -> None:
        super().verify()
        lens = [len(a.data) for a in (self.start, self.mul, self.shift, self.add, self.reserved)]
        if any(x != ACTIVATION_SEGMENTS for x in lens):
            raise VerifyException(f"#kpu.act_table needs 16 values per list (start, mul, shift, add, reserved), got {lens}")
        try:
            self.table.validate()
        except ValueError as e:
            raise VerifyException(f"#kpu.act_table: {e}") from None
