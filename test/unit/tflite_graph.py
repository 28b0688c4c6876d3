"""Multi-operator TFLite models for tests, built in memory (tflite_ref.py builds one-op models).

    from tflite_graph import Graph

    g = Graph()
    x = g.input("x", (1, 8, 8, 3))                                  # float32 graph input
    w = g.const("w", np.ones((4, 3, 3, 3), np.float32))             # constant (OHWI)
    y = g.tensor("y", (1, 8, 8, 4))                                 # intermediate / output tensor
    g.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    model = g.build()                                               # bytes; run with tflite_ref.run_model

Tensors are indices. `-1` is an omitted optional input. Options are the builtin options table's fields by
snake_case name (enum fields may be given by name: padding="SAME", fused_activation_function="RELU");
custom operators take `custom_code=` and raw `custom_options=` bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.tflite_writer import TFLiteGraph


class Graph(TFLiteGraph):
    """The bench model writer, with the test models' description."""

    def build(self, description: str = "kcc test model", file_identifier: bytes = b"TFL3") -> bytes:
        return super().build(description, file_identifier)


def compare(got: np.ndarray, want: np.ndarray, what: str, max_lsb: int = 0, rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Same shape and dtype; integers within `max_lsb`, floats within rtol / atol."""
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs litert {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} vs litert {want.dtype}"
    if np.issubdtype(want.dtype, np.integer):
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        worst = int(diff.max()) if diff.size else 0
        assert worst <= max_lsb, f"{what}: {np.count_nonzero(diff)} of {diff.size} differ, max by {worst} > {max_lsb}"
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def check_model(
    model: bytes,
    feeds: Sequence[np.ndarray],
    *,
    max_lsb: int = 0,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    input_shapes: Any = None,
    reference: Sequence[np.ndarray] | None = None,
) -> Any:
    """Import `model` with kcc, run it with kcc.interp and (unless `reference` is given) litert's reference
    kernels on `feeds`, assert the outputs agree, and return the imported module."""
    from tflite_ref import run_model

    from kcc.frontends.tflite import import_tflite
    from kcc.interp import run

    want = list(reference) if reference is not None else run_model(model, feeds, "ref")
    module = import_tflite(model, input_shapes=input_shapes)
    module.verify()
    got = run(module, list(feeds))
    assert len(got) == len(want), f"kcc gives {len(got)} outputs, litert {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        compare(g, w, f"output #{i}", max_lsb, rtol, atol)
    return module
