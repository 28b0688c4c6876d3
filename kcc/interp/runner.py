"""Running a module's entry function on numpy inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.interpreter import Interpreter
from xdsl.interpreters.func import FuncFunctions

from kcc.dialects.nn.base import fmt_shape
from kcc.dialects.nn.types import numpy_dtype
from kcc.errors import KccError


def make_interpreter(module: ModuleOp) -> Interpreter:
    from kcc.interp.registry import all_functions

    interp = Interpreter(module)
    interp.register_implementations(FuncFunctions())
    for functions in all_functions():
        interp.register_implementations(functions)
    return interp


def entry_function(module: ModuleOp, name: str | None = None) -> func.FuncOp:
    """The function called `name`, else `main`, else the only public function with a body."""
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp) and op.body.blocks]
    if name is not None:
        for f in funcs:
            if f.sym_name.data == name:
                return f
        raise KccError(f"no function @{name} in the module (have: {', '.join('@' + f.sym_name.data for f in funcs)})")
    for f in funcs:
        if f.sym_name.data == "main":
            return f
    public = [f for f in funcs if f.sym_visibility is None or f.sym_visibility.data == "public"]
    if len(public) == 1:
        return public[0]
    raise KccError("cannot choose an entry function: name one (there is no @main and not exactly one public function)")


def _coerce(x: Any, t: Any, index: int) -> np.ndarray:
    arr = np.asarray(x)
    if not isinstance(t, TensorType):
        return arr
    shape = tuple(t.get_shape())
    if arr.shape != shape:
        raise KccError(f"input #{index}: shape {fmt_shape(arr.shape)} does not match the function's {fmt_shape(shape)}")
    dtype = numpy_dtype(t.element_type)
    if arr.dtype != dtype:
        if arr.dtype.kind == "f" and dtype.kind != "f":
            raise KccError(f"input #{index}: got {arr.dtype} data for a {t.element_type} input")
        arr = arr.astype(dtype)
    return arr


def run(module: ModuleOp, inputs: Sequence[Any], function: str | None = None) -> list[np.ndarray]:
    """Run the entry function on `inputs` and return its results as numpy arrays.

    A module holding a `kmodel.program` and no function runs on the kmodel simulator (`kcc.interp.kmodel`)."""
    if function is None and not any(isinstance(op, func.FuncOp) and op.body.blocks for op in module.ops):
        from kcc.dialects.kmodel import ProgramOp

        if any(isinstance(op, ProgramOp) for op in module.ops):
            from kcc.interp.kmodel import run_program

            return [np.asarray(r) for r in run_program(module, inputs)]
    f = entry_function(module, function)
    arg_types = f.function_type.inputs.data
    if len(inputs) != len(arg_types):
        raise KccError(f"@{f.sym_name.data} takes {len(arg_types)} inputs, got {len(inputs)}")
    args = tuple(_coerce(x, t, i) for i, (x, t) in enumerate(zip(inputs, arg_types, strict=True)))
    interp = make_interpreter(module)
    results = interp.call_op(f.sym_name.data, args)
    return [np.asarray(r) for r in results]
