"""The reference C backend: a kmodel v4 program as portable C99 (`model.c` + `model.h`), bit-exact to `kcc.sim`.

    source = emit_c(program_module)                  # the lowered `kmodel.program` (v4)
    source.source, source.header                                # the two files' text

See `kcc.backends.c.emit` for the layout of the generated code and docs/c-backend.md for building and using it.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ModuleOp

from kcc.backends.c.emit import CSource, emit_model
from kcc.backends.c.harness import emit_test_main
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.dialects.kmodel import ProgramOp
from kcc.errors import KccError

__all__ = ["CSource", "emit_c", "emit_model", "emit_test_main", "program_model"]


def program_model(program: ModuleOp | ProgramOp) -> KModelV4:
    """The decoded form (what `kcc.sim` runs) of a lowered v4 program: written with the kmodel writer, read back."""
    from kcc.backends.kmodel_dialect import find_program
    from kcc.backends.kmodel_v4.reader import read_kmodel_v4
    from kcc.backends.kmodel_writer import write_kmodel

    prog = find_program(program)
    if prog.kmodel_version != 4:
        raise KccError(
            f"the C backend takes a kmodel v4 program, got version {prog.kmodel_version}",
            op="c-backend",
            hint="lower with lower-to-kmodel{version=4}",
        )
    module = program if isinstance(program, ModuleOp) else ModuleOp([program.clone()])
    return read_kmodel_v4(write_kmodel(module))


def emit_c(
    program: ModuleOp | ProgramOp | KModelV4,
    *,
    prefix: str = "kcc_model",
    output_shapes: Sequence[Sequence[int]] | None = None,
    title: str = "",
) -> CSource:
    """model.c / model.h text of a v4 program (a `kmodel.program` module, the op, or a read kmodel v4)."""
    model = program if isinstance(program, KModelV4) else program_model(program)
    return emit_model(model, prefix=prefix, output_shapes=output_shapes, title=title)
