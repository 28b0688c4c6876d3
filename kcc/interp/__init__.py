"""kcc.interp: the numpy oracle that runs any kcc IR module.

    outputs = kcc.interp.run(module, [x0, x1])        # list of numpy arrays

Values are numpy arrays; a quantized tensor is carried as its storage integers (uint8/int8/int32), its
scale and zero point being read from the SSA value's type.
"""

from __future__ import annotations

from kcc.interp.runner import entry_function, make_interpreter, run

__all__ = ["entry_function", "make_interpreter", "run"]
