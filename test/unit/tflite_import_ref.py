"""kcc's TFLite frontend against ai-edge-litert on one-op models: build the flatbuffer, import it with
`kcc.frontends.tflite.import_tflite`, run the module with `kcc.interp.run` and the model with litert, compare.

    from tflite_import_ref import check_op, const

    check_op("ADD", [x, const(c)], options={"fused_activation_function": "RELU"})

Operands are the operator's inputs in order: plain arrays and `tensor(...)` are graph inputs (fed in
order), `const(...)` are constants baked into the model, None is an omitted optional input. The
`num_outputs` outputs take the first operand's dtype and quantization (`output_dtype`, `output_quant`
override them) and the shapes litert computes for them (a first run with placeholder shapes), unless
`output_shape` or `outputs` give them. Quantized results must match litert's reference kernels exactly
unless the caller allows `max_lsb`; float results to 1e-5 relative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from tflite_ref import QParams, Tensor, build_model, const, run_model, tensor
from xdsl.dialects.builtin import ModuleOp

from kcc.context import parse_module
from kcc.errors import KccError
from kcc.frontends.tflite import import_tflite
from kcc.interp import run

__all__ = ["QParams", "Tensor", "check_op", "const", "import_error", "one_op_model", "rand_q", "tensor"]


def _operand(x: np.ndarray | Tensor | None) -> Tensor | None:
    if x is None or isinstance(x, Tensor):
        return x
    return tensor(x)


def one_op_model(
    op: str,
    operands: Sequence[np.ndarray | Tensor | None],
    options: Mapping[str, Any] | None = None,
    output_shape: Sequence[int] | None = None,
    output_dtype: Any = None,
    output_quant: QParams | None = None,
    outputs: Sequence[Tensor] | None = None,
    version: int = 1,
    num_outputs: int = 1,
) -> tuple[bytes, list[np.ndarray]]:
    """(the flatbuffer, the graph-input feeds in order)."""
    ins = [_operand(x) for x in operands]
    feeds = [t.data for t in ins if t is not None and not t.is_const]
    if outputs is None:
        first = next(t for t in ins if t is not None)
        dtype = np.dtype(output_dtype) if output_dtype is not None else first.data.dtype
        quant = output_quant if output_quant is not None else first.quant
        if output_shape is not None:
            shapes = [tuple(output_shape)] * num_outputs
        else:  # litert resizes the outputs of a one-op model: ask it for the shapes
            placeholder = [Tensor(np.zeros(first.data.shape, dtype=dtype), quant)] * num_outputs
            shapes = [y.shape for y in run_model(build_model(op, ins, placeholder, options, version), feeds, "ref")]
        outputs = [Tensor(np.zeros(s, dtype=dtype), quant) for s in shapes]
    model = build_model(op, ins, outputs, options, version)
    return model, feeds


def _compare(got: np.ndarray, want: np.ndarray, max_lsb: int, rtol: float, atol: float, what: str) -> None:
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs litert {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} vs litert {want.dtype}"
    if np.issubdtype(want.dtype, np.integer):
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        worst = int(diff.max()) if diff.size else 0
        assert worst <= max_lsb, f"{what}: {np.count_nonzero(diff)} of {diff.size} differ, max by {worst} > {max_lsb}"
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def check_op(
    op: str,
    operands: Sequence[np.ndarray | Tensor | None],
    options: Mapping[str, Any] | None = None,
    *,
    output_shape: Sequence[int] | None = None,
    output_dtype: Any = None,
    output_quant: QParams | None = None,
    outputs: Sequence[Tensor] | None = None,
    max_lsb: int = 0,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    version: int = 1,
    num_outputs: int = 1,
) -> ModuleOp:
    """Import and run the one-op model with kcc and litert ("ref" kernels); assert the outputs agree.

        The imported module must verify and print -> parse -> print identically; it is returned so callers can
    look at the IR.
    """
    model, feeds = one_op_model(op, operands, options, output_shape, output_dtype, output_quant, outputs, version, num_outputs)
    want = run_model(model, feeds, "ref")
    module = import_tflite(model)
    module.verify()
    text = str(module)
    assert str(parse_module(text)) == text, f"{op}: the imported module does not print -> parse -> print identically"
    got = run(module, feeds)
    assert len(got) == len(want), f"{op}: kcc gives {len(got)} outputs, litert {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        _compare(g, w, max_lsb, rtol, atol, f"{op} output #{i}")
    return module


def import_error(
    op: str,
    operands: Sequence[np.ndarray | Tensor | None],
    options: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> str:
    """The one-line KccError message kcc gives for importing the one-op model."""
    model, _ = one_op_model(op, operands, options, **kwargs)
    with pytest.raises(KccError) as info:
        import_tflite(model)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def rand_q(rng: np.random.Generator, shape: Sequence[int], dtype: Any) -> np.ndarray:
    """Uniform storage integers over the whole range of `dtype`."""
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=tuple(shape), endpoint=True).astype(dtype)
