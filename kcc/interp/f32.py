"""Which ops run kcc's float32 semantics (kcc/interp/kernels/f32_math.py, f32_accumulate.py): those whose
operands and results are all plain (not quantized) float32 tensors. Other float types keep the float64
reference kernels."""

from __future__ import annotations

from xdsl.dialects.builtin import Float32Type, TensorType
from xdsl.ir import Operation


def all_plain_f32(op: Operation) -> bool:
    """Every operand and result of `op` is a float32 tensor (quantized types are not float32 tensors)."""
    return all(
        isinstance(v.type, TensorType) and isinstance(v.type.element_type, Float32Type)  # pyright: ignore[reportUnknownMemberType]
        for v in (*op.operands, *op.results)
    )
