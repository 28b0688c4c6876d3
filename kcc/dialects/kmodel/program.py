"""`kmodel.program` and the base of every runtime-node op.

    kmodel.program version 3 flags 1 arch 0 max_start_address 0 main_mem 40960
        outputs [#kmodel.range<main, 40920, 40, f32>] {
      kmodel.v3.k210_conv ...
      kmodel.v3.fully_connected ...
    }

A program is one kmodel file: its header (version 3 or 4 and that version's fields), its inputs and
outputs as memory ranges, the v4 constants section, and one op per runtime node, in execution order.
The ops of a v3 program are the `kmodel.v3.*` layer ops, those of a v4 program the `kmodel.v4.*` node
ops. `file_size` is only present when the file is shorter than its own layout says (nncase never writes
the padding after the last body, up to 7 bytes).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from xdsl.dialects.builtin import ArrayAttr, DenseIntOrFPElementsAttr, IntegerAttr
from xdsl.ir import Attribute, Block, Region
from xdsl.irdl import irdl_op_definition, opt_prop_def, region_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsolatedFromAbove, NoTerminator
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kmodel.attrs import DTYPE_BYTES, KPU_RAM_BYTES, RangeAttr
from kcc.dialects.kmodel.fields import Field, FieldsOp, u32

V3_ONLY = ("arch", "max_start_address")
V4_ONLY = ("target", "reserved0", "inputs", "input_shapes", "constants")


def _opt(f: Field) -> Field:
    return Field(f.prop, f.kind, f.enc, f.src, f.role, f.elem, f.count, optional=True)


@irdl_op_definition
class ProgramOp(FieldsOp):
    """One kmodel file: header fields, inputs/outputs as memory ranges, one op per runtime node in order.

    Common fields: `version` (3 or 4), `flags` (v3: bit 0 = 8-bit weights; v4: 0), `main_mem` (bytes of main
    RAM the runtime allocates: v3 `main_mem_usage`, v4 `main_mem`), `outputs`.
    v3 only: `arch` (0), `max_start_address` (lowest KPU line used; informative). v4 only: `target`
    (0 cpu, 1 k210), `reserved0` (never initialised by nncase: kept verbatim), `inputs` and `input_shapes`
    (NCHW, left-padded with 1), `constants` (the constants section as bytes). v3 has no input table: the
    input is the first layer's input range.
    """

    name = "kmodel.program"
    FIELDS = (
        Field("version", "int", "u32"),
        u32("flags"),
        _opt(u32("arch")),
        _opt(u32("target")),
        _opt(u32("reserved0")),
        _opt(u32("max_start_address")),
        u32("main_mem"),
        _opt(Field("inputs", "ranges", "mrs")),
        _opt(Field("input_shapes", "shapes")),
        Field("outputs", "ranges"),
        _opt(Field("constants", "dense", "raw", elem="u1")),
        _opt(u32("file_size")),
    )
    body = region_def("single_block")
    traits = traits_def(NoTerminator(), IsolatedFromAbove())

    def __init__(self, properties: dict[str, Attribute], nodes: list[Any] | None = None):
        block = Block(nodes or [])
        super().__init__(properties=properties, regions=[Region(block)])

    @classmethod
    def parse_regions(cls, parser: Parser) -> list[Any]:
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        return [region]

    def print_regions(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)

    @property
    def kmodel_version(self) -> int:
        return int(self.value("version"))

    @property
    def nodes(self) -> list[NodeOp]:
        return [cast(NodeOp, op) for op in self.body.block.ops]

    def pool_limits(self) -> dict[str, int]:
        consts = self.properties.get("constants")
        nconst = len(cast(DenseIntOrFPElementsAttr, consts).data.data) if consts is not None else 0
        return {"main": int(self.value("main_mem")), "const": nconst, "kpu": KPU_RAM_BYTES}

    def verify_(self) -> None:
        try:
            self._verify_program()
        except VerifyException as e:
            raise VerifyException(f"{self.name}: {e}") from None

    def _verify_program(self) -> None:
        self.verify_fields()
        v = self.kmodel_version
        if v not in (3, 4):
            raise VerifyException(f"version must be 3 or 4, got {v}")
        present = set(self.properties)
        wrong = [p for p in (V4_ONLY if v == 3 else V3_ONLY) if p in present]
        if wrong:
            raise VerifyException(f"version {v} programs have no {', '.join(wrong)} field")
        missing = [
            p
            for p in (("arch", "max_start_address") if v == 3 else ("target", "reserved0", "inputs", "input_shapes"))
            if p not in present
        ]
        if missing:
            raise VerifyException(f"version {v} programs need {', '.join(missing)}")
        if v == 4:
            ins = cast(ArrayAttr[Attribute], self.properties["inputs"]).data
            shapes = self.value("input_shapes")
            if len(ins) != len(shapes):
                raise VerifyException(f"{len(ins)} inputs but {len(shapes)} input shapes")
            for i, s in enumerate(shapes):
                if len(s) != 4:
                    raise VerifyException(f"input shape #{i} must have 4 dims (NCHW), got {list(s)}")
        limits = self.pool_limits()
        roles = [("output", r) for r in self.value("outputs")]
        if v == 4:
            roles += [("input", r) for r in self.value("inputs")]
        for role, r in roles:
            check_range(cast(RangeAttr, r), role, limits)
        if v == 3:
            for r in self.value("outputs"):
                if cast(RangeAttr, r).pool_name != "main":
                    raise VerifyException(f"v3 outputs live in main memory, got {r}")
        if not self.nodes:
            raise VerifyException("a program needs at least one node")
        for i, op in enumerate(self.body.block.ops):
            if not isinstance(op, NodeOp) or v != op.VERSION:
                raise VerifyException(f"node #{i} '{op.name}' is not a kmodel v{v} node op")


def check_range(r: RangeAttr, role: str, limits: dict[str, int]) -> None:
    """The range lies inside its pool and holds a whole number of elements (KPU maps are byte-sized)."""
    limit = limits[r.pool_name]
    if r.nbytes and r.end > limit:
        raise VerifyException(f"{role} range [{r.start}, {r.end}) runs past the {r.pool_name} pool ({limit} bytes)")
    esize = DTYPE_BYTES[r.element]
    if r.nbytes % esize:
        raise VerifyException(f"{role} range of {r.nbytes} bytes is not a whole number of {r.element} elements")


class NodeOp(FieldsOp):
    """Base of the node ops: `VERSION` (3 or 4), `CODE` (layer type / opcode), optional `body_size`.

    `body_size` is the node's size in the file's node table, when it is not simply the encoded body padded
    to the next multiple of 8 (nncase pads every body; the padding after the last one is never written).
    """

    VERSION: ClassVar[int] = 0
    CODE: ClassVar[int] = -1
    BODY_SIZE: ClassVar[Field] = _opt(u32("body_size"))

    body_size = opt_prop_def(IntegerAttr)
    traits = traits_def(HasParent(ProgramOp))

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        return (*cls.FIELDS, cls.BODY_SIZE)

    def ranges(self) -> list[tuple[str, RangeAttr]]:
        """Every memory range the node names, with its field name (`inputs[1]` for lists)."""
        out: list[tuple[str, RangeAttr]] = []
        for f in self.FIELDS:
            attr = self.properties.get(f.prop)
            if attr is None:
                continue
            if f.kind == "range":
                out.append((f.prop, cast(RangeAttr, attr)))
            elif f.kind == "ranges":
                out += [(f"{f.prop}[{i}]", cast(RangeAttr, r)) for i, r in enumerate(cast(ArrayAttr[Attribute], attr).data)]
        return out

    def verify_(self) -> None:
        try:
            self.verify_fields()
            parent = self.parent_op()
            if isinstance(parent, ProgramOp) and parent.kmodel_version in (3, 4):
                limits = parent.pool_limits()
                for role, r in self.ranges():
                    check_range(r, role, limits)
            self.check()
        except VerifyException as e:
            raise VerifyException(f"{self.name}: {e}") from None

    def check(self) -> None:
        """Op-specific consistency of fields and ranges; raise VerifyException."""

    def expect_range(self, prop: str, pool: str, size: int, dtype: str) -> None:
        r = cast(RangeAttr, self.properties[prop])
        if (r.pool_name, r.nbytes, r.element) != (pool, size, dtype):
            raise VerifyException(
                f"{prop} must be a {pool} range of {size} bytes of {dtype} (from the node's fields), "
                f"got {r.pool_name} {r.nbytes} bytes of {r.element}"
            )

    def expect_fits(self, prop: str, shape: tuple[int, ...], what: str) -> None:
        r = cast(RangeAttr, self.properties[prop])
        n = 1
        for d in shape:
            n *= d
        need = n * DTYPE_BYTES[r.element]
        if need > r.nbytes:
            raise VerifyException(f"{what} {list(shape)} needs {need} bytes of {r.element}, the {prop} range has {r.nbytes}")


__all__ = ["NodeOp", "ProgramOp", "check_range"]
