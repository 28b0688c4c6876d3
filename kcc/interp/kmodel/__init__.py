"""Running a `kmodel.program`: the program goes back to the reader's dataclasses and through the kmodel
simulator (`kcc.sim.simulate`), so the dialect has exactly the file's semantics and no arithmetic of its own.

    outputs = run_program(module, [x_chw_u8])          # list of numpy arrays, one per program output

Nodes have no SSA values (they read and write memory ranges), so a program is not run by
`kcc.interp.run`, which calls a function: this is its entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.builtin import ModuleOp

from kcc.dialects.kmodel import ProgramOp


def run_program(module: ModuleOp | ProgramOp, inputs: Sequence[Any], **simulate_options: Any) -> list[NDArray[np.generic]]:
    """Simulate the program (or the only program of `module`) on `inputs`; options go to `kcc.sim.simulate`."""
    from kcc.backends.kmodel_dialect import module_to_model
    from kcc.sim import simulate

    model = module_to_model(module)
    return simulate(model, [np.asarray(x) for x in inputs], **simulate_options).outputs


__all__ = ["run_program"]
