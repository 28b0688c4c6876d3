"""Run a planned float program in ONE flat byte arena at the planned offsets (kcc.offset / kcc.const_offset /
kcc.arg_offsets): every op reads its operands from the arena and writes its results into it. A placement that
lets two live values share bytes corrupts a value and shows up as a wrong output."""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, DictionaryAttr, IntegerAttr, ModuleOp, TensorType
from xdsl.ir import SSAValue

from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.types import numpy_dtype
from kcc.interp import entry_function, make_interpreter


def _figure(f: func.FuncOp, key: str) -> int:
    mem = f.attributes["kcc.memory"]
    assert isinstance(mem, DictionaryAttr)
    v = mem.data[key]
    assert isinstance(v, IntegerAttr)
    return int(v.value.data)


def run_in_arena(module: ModuleOp, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    f = entry_function(module)
    main = np.full(_figure(f, "main_peak"), 0xCD, dtype=np.uint8)
    const = np.full(_figure(f, "const"), 0xCD, dtype=np.uint8)
    where: dict[SSAValue, tuple[np.ndarray, int]] = {}

    def view(v: SSAValue) -> np.ndarray:
        arena, off = where[v]
        t = v.type
        assert isinstance(t, TensorType)
        shape = tuple(int(d) for d in t.get_shape())
        dtype = numpy_dtype(t.element_type)
        n = prod(shape) * dtype.itemsize
        return arena[off : off + n].view(dtype).reshape(shape)

    def store(v: SSAValue, value: np.ndarray) -> None:
        target = view(v)
        target[...] = np.asarray(value).astype(target.dtype).reshape(target.shape)

    arg_offsets = f.attributes["kcc.arg_offsets"]
    assert isinstance(arg_offsets, DenseArrayBase)
    for a, off, x in zip(f.body.block.args, arg_offsets.get_values(), inputs, strict=True):
        where[a] = (main, int(off))
        store(a, x)
    interp = make_interpreter(module)
    for op in f.body.block.ops:
        if isinstance(op, func.ReturnOp):
            return [view(v).copy() for v in op.operands]
        for name, arena in (("kcc.offset", main), ("kcc.const_offset", const)):
            offs = op.attributes.get(name)
            if isinstance(offs, DenseArrayBase):
                for r, off in zip(op.results, offs.get_values(), strict=True):
                    if int(off) >= 0:
                        where[r] = (arena, int(off))
        if isinstance(op, ConstOp):
            store(op.output, op.to_numpy())
            continue
        operands = tuple(view(v).copy() for v in op.operands)
        results = interp.run_op(op, operands)
        for r, value in zip(op.results, results, strict=True):
            store(r, np.asarray(value))
    raise AssertionError("function has no func.return")
