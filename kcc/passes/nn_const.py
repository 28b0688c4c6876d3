"""Building `nn.const` ops from numpy arrays inside passes, scalars (rank 0) included.

`kcc.dialects.nn.const.const_from_numpy` goes through `np.ascontiguousarray`, which turns a 0-d array into a
1-element 1-d one, so its constant no longer verifies; this builds the same op for every rank.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Attribute

from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype


def const_op(array: np.ndarray, result_type: Attribute) -> ConstOp:
    """An `nn.const` of type `result_type` holding `array` (quantized types: its storage integers)."""
    assert isinstance(result_type, TensorType)
    et: Attribute = result_type.element_type
    storage = et.storage if isinstance(et, QuantType | PerChannelQuantType) else et
    shape = [int(d) for d in result_type.get_shape()]
    data = np.asarray(array).astype(numpy_dtype(storage).newbyteorder("<"), copy=False).reshape(shape)
    value_type: Any = TensorType(storage, shape)
    return ConstOp(DenseIntOrFPElementsAttr(value_type, BytesAttr(data.tobytes())), result_type)
