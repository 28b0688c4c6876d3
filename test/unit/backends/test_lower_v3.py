"""Unit checks of the kmodel v3 lowering helpers: pad runs, the identity KPU loader, exact dequantize."""

from __future__ import annotations

import numpy as np
import pytest

from kcc.backends.kmodel_v3.dequantize import bias_is_exact
from kcc.backends.kmodel_v3.input_loader import identity_activation
from kcc.backends.kmodel_v3.pad import pad_runs
from kcc.k210.kpu_layer import KpuOptions, activation, kpu_layer
from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.tables import BatchNormTable


def _apply_runs(x: np.ndarray, runs: list[tuple[int, int, int]], n_out: int, fill: int) -> np.ndarray:
    out = np.full(n_out, fill, dtype=x.dtype)
    flat = x.reshape(-1)
    for o, n, s in runs:
        if s >= 0:
            out[o : o + n] = flat[s : s + n]
    return out


def test_pad_runs_rebuild_constant_and_edge_pads() -> None:
    x = np.arange(2 * 3 * 5, dtype=np.int64).reshape(1, 2, 3, 5) + 1
    pads = [0, 0, 1, 0, 0, 0, 2, 1]
    want = np.pad(x, [(0, 0), (0, 0), (1, 2), (0, 1)], constant_values=0)
    runs = pad_runs(x.shape, pads)
    assert sum(n for _, n, _ in runs) == want.size
    assert np.array_equal(_apply_runs(x, runs, want.size, 0), want.reshape(-1))
    edge = np.pad(x, [(0, 0), (0, 0), (1, 2), (0, 1)], mode="edge").reshape(-1)
    eruns = pad_runs(x.shape, pads, "edge")
    assert all(s >= 0 for _, _, s in eruns)
    assert np.array_equal(_apply_runs(x, eruns, edge.size, -1), edge)


def test_identity_kpu_layer_is_exact_under_both_segment_readings() -> None:
    x = np.arange(256, dtype=np.uint8).reshape(1, 16, 16).repeat(3, axis=0)
    x[1] = x[1][::-1]
    arg = make_layer_argument(in_channels=3, out_channels=3, height=16, width=16, kernel=1, send_data_out=True)
    w = np.eye(3, dtype=np.int64).reshape(-1)
    for boundary in ("lt", "le"):
        opts = KpuOptions(segment_boundary=boundary)
        y = kpu_layer(x, arg, w, BatchNormTable.identity(3), identity_activation(), opts)
        assert np.array_equal(y, x)
    t = np.arange(-5, 300, dtype=np.int64)
    assert np.array_equal(activation(t, identity_activation()), np.clip(t, 0, 255))


def test_dequantize_bias_exactness() -> None:
    assert bias_is_exact(0.1, 0)
    assert bias_is_exact(0.5, 127)
    assert not bias_is_exact(0.008503332734107971, 127)


# --- split / transpose / depth_to_space as CONCAT gathers ---------------------------------------------------


def _gather_programs() -> list[tuple[str, str]]:
    from test_lower_v4_elementwise import Q

    tin = f"tensor<1x8x4x4x{Q}>"
    a, b = f"tensor<1x3x4x4x{Q}>", f"tensor<1x5x4x4x{Q}>"
    progs = [
        (
            "split",
            f"""func.func @main(%x: {tin}) -> ({a}, {b}) {{
  %a, %b = nn.split %x axis 1 sizes [3, 5] : {tin} -> {a}, {b}
  func.return %a, %b : {a}, {b}
}}""",
        ),
        (
            "transpose",
            f"""func.func @main(%x: {tin}) -> tensor<1x4x8x4x{Q}> {{
  %a = nn.transpose %x perm [0, 3, 1, 2] : {tin} -> tensor<1x4x8x4x{Q}>
  func.return %a : tensor<1x4x8x4x{Q}>
}}""",
        ),
    ]
    for mode in ("DCR", "CRD"):
        progs.append(
            (
                f"depth_to_space {mode}",
                f"""func.func @main(%x: {tin}) -> tensor<1x2x8x8x{Q}> {{
  %a = nn.depth_to_space %x block 2 mode "{mode}" : {tin} -> tensor<1x2x8x8x{Q}>
  func.return %a : tensor<1x2x8x8x{Q}>
}}""",
            )
        )
    return progs


@pytest.mark.parametrize("index", range(4))
def test_v3_gathers_split_transpose_depth_to_space(index: int) -> None:
    """Pure data movement has no v3 layer of its own: one CONCAT per result gathers the input's byte runs."""
    from test_lower_v4_elementwise import exact

    _, text = _gather_programs()[index]
    x = np.random.default_rng(index).integers(0, 256, (1, 8, 4, 4)).astype(np.uint8)
    names = exact(text, x, version=3)
    assert names[0] == "KL_K210_CONV" and set(names[1:]) == {"KL_CONCAT"}  # the loader, then the gathers
