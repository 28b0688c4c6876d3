"""kcc's float32 exp / log / softmax / sigmoid (kcc/interp/kernels/f32_math.py): accurate against float64, and
the same bits in numpy (interpreter, simulator) and in the generated C (`kcc_expf`, `kcc_logf`, `kcc_softmax`,
built with the C backend's documented flags); the float32 accumulation orders (f32_accumulate.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from kcc.backends.c import runtime
from kcc.interp.kernels.f32_math import exp_f32, log_f32, sigmoid_f32, softmax_f32

CC = shutil.which("cc") or shutil.which("gcc") or "cc"
CFLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-ffp-contract=off"]
F32_MAX_BITS = 0x7F7FFFFF


def ulps(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.int64]:
    """|a - b| in float32 units in the last place (monotonic integer mapping of the bit patterns)."""

    def key(x: NDArray[np.float32]) -> NDArray[np.int64]:
        i = np.ascontiguousarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    return np.abs(key(a) - key(b))


def edge_cases() -> NDArray[np.float32]:
    """Specials, domain and overflow / underflow boundaries and their neighbours, the reduction's half-way points."""
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-45, -1e-45, 1e-38, -1e-38, 2.0**-25, -(2.0**-25)]
    base = np.array([*specials, 88.0, 88.5, 88.72, 88.7228, 88.73, 89.0, -87.3, -103.0, -103.97, -104.0, -150.0], np.float32)
    halfway = (np.arange(-150, 130) + 0.5) * np.log(2.0)
    pts = np.concatenate([base, np.float32(halfway), np.float32(np.arange(-150, 130) * np.log(2.0))]).astype(np.float32)
    bits = pts.view(np.int32)
    near = np.concatenate([bits + d for d in range(-3, 4)])
    near = near[(near & 0x7F800000) != 0x7F800000]  # neighbours of inf / nan bit patterns are not meaningful here
    nans = np.array([0x7FC00000, 0x7FC00001, 0xFFC00000, 0x7F800001], dtype=np.uint32).view(np.int32)
    return np.concatenate([pts, near.view(np.float32), nans.view(np.float32)])


def sweep(count: int, seed: int) -> NDArray[np.float32]:
    """`count` inputs: a dense grid over the finite range of exp, random bit patterns (any float32, NaN included),
    random values near 0 and the edge cases."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-105, 90, count // 2, dtype=np.float32)
    bits = rng.integers(0, 2**32, count // 4, dtype=np.uint64).astype(np.uint32).view(np.float32)
    small = (rng.standard_normal(count - count // 2 - count // 4) * 4).astype(np.float32)
    return np.concatenate([grid, bits, small, edge_cases()]).astype(np.float32)


def test_exp_accuracy_dense_sweep() -> None:
    """At most 1 ulp from float64 exp rounded to float32 (a full sweep of every float32 in [-104, 89] measured the
    same bound; the documented guarantee is 2 ulp). Specials are exact."""
    x = np.concatenate([np.linspace(-104, 89, 4_000_001, dtype=np.float32), edge_cases()])
    x = x[~np.isnan(x)]
    got = exp_f32(x)
    with np.errstate(over="ignore"):
        want = np.exp(x.astype(np.float64)).astype(np.float32)
    d = ulps(got, want)
    assert int(d.max()) <= 1, f"{int(d.max())} ulp at x={x[np.argmax(d)]!r}"
    specials = np.array([0.0, -0.0, np.inf, -np.inf, 89.5, -104.5, 1e-30], np.float32)
    assert exp_f32(specials).tolist() == [1.0, 1.0, np.inf, 0.0, np.inf, 0.0, 1.0]
    nan = np.array([0x7FC00001, 0xFFC12345], dtype=np.uint32).view(np.float32)
    assert exp_f32(nan).view(np.uint32).tolist() == [0x7FC00001, 0xFFC12345]  # NaN passes through, payload kept


def test_log_accuracy_sweep() -> None:
    """At most 1 ulp from float64 log rounded to float32 over positive floats (normal and subnormal; a sweep of
    every 7th positive float32 measured the same bound); specials as IEEE log."""
    rng = np.random.default_rng(3)
    bits = np.concatenate([np.arange(1, 0x7F800000, 1999, dtype=np.int64), rng.integers(1, 0x7F800000, 500_000)])
    x = bits.astype(np.int32).view(np.float32)
    d = ulps(log_f32(x), np.log(x.astype(np.float64)).astype(np.float32))
    assert int(d.max()) <= 1, f"{int(d.max())} ulp at x={x[np.argmax(d)]!r}"
    specials = np.array([1.0, 0.0, -0.0, np.inf, -1.0, -np.inf], np.float32)
    assert log_f32(specials).view(np.uint32).tolist() == [0, 0xFF800000, 0xFF800000, 0x7F800000, 0x7FC00000, 0x7FC00000]


def test_exp_shape_dtype_and_no_warnings() -> None:
    x = np.array([[1.0, 2.0], [1000.0, -1000.0]], dtype=np.float64)
    y = exp_f32(x)
    assert y.dtype == np.float32 and y.shape == (2, 2)
    assert exp_f32(np.float32(1.0)).shape == ()


def test_softmax_accuracy_and_axis() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3, 7, 5)) * 6).astype(np.float32)
    for axis in (0, 1, 2, -1):
        got = softmax_f32(x, axis)
        # float64 softmax of the float32 differences x - max (their rounding is part of the definition): the
        # float32 one is within an exp (1 ulp), an n-term sequential sum (n - 1) and a divide (1) of it
        z = (x - x.max(axis=axis, keepdims=True)).astype(np.float64)
        want = (np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)).astype(np.float32)
        assert got.dtype == np.float32 and got.shape == x.shape
        assert int(ulps(got, want).max()) <= x.shape[axis] + 1
    # the definition: max, kcc exp of (x - max) * beta, sequential float32 sum, divide
    row = x[0, 0]
    e = exp_f32((row - row.max()) * np.float32(0.5))
    s = np.float32(0)
    for v in e:
        s = np.float32(s + v)
    assert softmax_f32(row, beta=0.5).tobytes() == (e / s).astype(np.float32).tobytes()
    assert softmax_f32(np.zeros((2, 0), np.float32)).shape == (2, 0)


def test_softmax_max_init_models_the_v3_runtime() -> None:
    x = np.array([-3.0, -2.0, -5.0], np.float32)
    fmin = float(np.finfo(np.float32).tiny)
    with_init = softmax_f32(x, max_init=fmin)
    e = exp_f32(x - np.float32(fmin))
    assert with_init.tobytes() == (e / np.cumsum(e, dtype=np.float32)[-1]).astype(np.float32).tobytes()


def test_sigmoid() -> None:
    """Within 3 ulp where the result is normal (below -87.3 it is subnormal, and 0 once exp(-x) overflows)."""
    x = np.linspace(-87.3, 90, 200_001, dtype=np.float32)
    got = sigmoid_f32(x)
    want = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    assert int(ulps(got, want).max()) <= 3
    assert sigmoid_f32(np.array([-np.inf, np.inf, 0.0], np.float32)).tolist() == [0.0, 1.0, 0.5]


# --- numpy == C, bit for bit ----------------------------------------------------------------------------------------

_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    FILE *f = fopen(argv[2], "rb");
    long n;
    uint8_t *in, *out;
    uint32_t inner = (uint32_t)atol(argv[4]), i;
    (void)argc;
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    in = malloc((size_t)n + 1);
    out = malloc((size_t)n + 1);
    if (!in || !out || fread(in, 1, (size_t)n, f) != (size_t)n)
        return 3;
    fclose(f);
    if (argv[1][0] == 'e') {
        for (i = 0; i < (uint32_t)n / 4u; ++i)
            kcc_st_f32(out + 4u * i, kcc_expf(kcc_ld_f32(in + 4u * i)));
    } else if (argv[1][0] == 'l') {
        for (i = 0; i < (uint32_t)n / 4u; ++i)
            kcc_st_f32(out + 4u * i, kcc_logf(kcc_ld_f32(in + 4u * i)));
    } else {
        kcc_softmax(in, out, (uint32_t)n / 4u / inner, inner, (float)atof(argv[5]));
    }
    f = fopen(argv[3], "wb");
    if (!f || fwrite(out, 1, (size_t)n, f) != (size_t)n)
        return 4;
    fclose(f);
    free(in);
    free(out);
    return 0;
}
"""


@pytest.fixture(scope="module")
def c_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The backend's own runtime text (prelude, helpers, kcc_expf, kcc_logf, kcc_softmax) with a small file-in/file-out main."""
    d = tmp_path_factory.mktemp("f32_exact_c")
    src = runtime.PRELUDE + "".join(runtime.collect({"softmax", "log"})) + _MAIN
    (d / "t.c").write_text(src)
    proc = subprocess.run([CC, *CFLAGS, str(d / "t.c"), "-o", str(d / "t"), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[:4000]
    return d / "t"


def _run_c(exe: Path, mode: str, x: NDArray[np.float32], inner: int = 1, beta: float = 1.0) -> NDArray[np.float32]:
    d = exe.parent
    (d / f"in_{mode}.bin").write_bytes(np.ascontiguousarray(x, dtype="<f4").tobytes())
    args = [str(exe), mode, str(d / f"in_{mode}.bin"), str(d / f"out_{mode}.bin"), str(inner), repr(beta)]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return np.frombuffer((d / f"out_{mode}.bin").read_bytes(), dtype="<f4").reshape(x.shape)


def test_exp_numpy_equals_c_bit_for_bit(c_exe: Path) -> None:
    x = sweep(1_000_000, seed=7)
    assert x.size > 1_000_000 and np.isnan(x).any() and np.isinf(x).any()
    got, want = _run_c(c_exe, "exp", x), exp_f32(x)
    bad = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))
    assert bad.size == 0, f"{bad.size} differ, first x={x[bad[0]]!r}: C {got[bad[0]]!r} vs numpy {want[bad[0]]!r}"


def test_log_numpy_equals_c_bit_for_bit(c_exe: Path) -> None:
    rng = np.random.default_rng(11)
    positive = rng.integers(0, 0x7F800000, 1_000_000, dtype=np.int64).astype(np.int32).view(np.float32)
    near_one = np.float32(1) + (rng.standard_normal(100_000) * 1e-3).astype(np.float32)
    x = np.concatenate([positive, near_one, sweep(100_000, seed=12)]).astype(np.float32)
    got, want = _run_c(c_exe, "log", x), log_f32(x)
    bad = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))
    assert bad.size == 0, f"{bad.size} differ, first x={x[bad[0]]!r}: C {got[bad[0]]!r} vs numpy {want[bad[0]]!r}"


@pytest.mark.parametrize(("inner", "beta"), [(10, 1.0), (1000, 1.0), (7, 0.25)])
def test_softmax_numpy_equals_c_bit_for_bit(c_exe: Path, inner: int, beta: float) -> None:
    rng = np.random.default_rng(inner)
    x = (rng.standard_normal((200, inner)) * rng.uniform(0.1, 40, (200, 1))).astype(np.float32)
    x[0, :] = -200.0  # one very negative row, one with an infinity, one with huge spread
    x[1, 0] = np.inf
    x[2, :] = np.linspace(-120, 90, inner, dtype=np.float32)
    got, want = _run_c(c_exe, "softmax", x, inner, beta), softmax_f32(x, -1, beta)
    assert got.tobytes() == want.tobytes()


# --- float32 accumulation order (kcc/interp/kernels/f32_accumulate.py) ----------------------------------------------


def _rng_f32(shape: tuple[int, ...], seed: int) -> NDArray[np.float32]:
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(np.float32)


def test_conv2d_f32_is_bias_then_taps_in_ic_ky_kx_order() -> None:
    from kcc.interp.kernels.f32_accumulate import conv2d_nchw_f32

    x, w, b = _rng_f32((1, 4, 5, 6), 1), _rng_f32((6, 2, 3, 2), 2), _rng_f32((6,), 3)
    strides, pads, dil, groups = (2, 1), (1, 0, 2, 1), (1, 2), 2
    got = conv2d_nchw_f32(x, w, b, strides, pads, dil, groups)
    oh = (5 + 1 + 2 - (3 - 1) * 1 - 1) // 2 + 1
    ow = (6 + 0 + 1 - (2 - 1) * 2 - 1) // 1 + 1
    assert got.shape == (1, 6, oh, ow) and got.dtype == np.float32
    for o in range(6):
        g = o // 3
        for oy in range(oh):
            for ox in range(ow):
                acc = b[o]
                for c in range(2):
                    for ky in range(3):
                        for kx in range(2):
                            iy, ix = oy * 2 - 1 + ky, ox - 0 + kx * 2
                            if 0 <= iy < 5 and 0 <= ix < 6:
                                acc = np.float32(acc + np.float32(x[0, g * 2 + c, iy, ix] * w[o, c, ky, kx]))
                assert got[0, o, oy, ox].tobytes() == acc.tobytes()


def test_fully_connected_f32_is_bias_then_inputs_in_order() -> None:
    from kcc.interp.kernels.f32_accumulate import fully_connected_f32

    x, w, b = _rng_f32((2, 37), 4), _rng_f32((5, 37), 5), _rng_f32((5,), 6)
    got = fully_connected_f32(x, w, b)
    for n in range(2):
        for o in range(5):
            acc = b[o]
            for i in range(37):
                acc = np.float32(acc + np.float32(x[n, i] * w[o, i]))
            assert got[n, o].tobytes() == acc.tobytes()
    assert fully_connected_f32(x, w, None).tobytes() == fully_connected_f32(x, w, np.zeros(5, np.float32)).tobytes()


def test_reduce_and_avg_pool_f32_orders() -> None:
    from kcc.interp.kernels.f32_accumulate import avg_pool2d_f32, reduce_f32

    x = _rng_f32((2, 3, 4, 5), 7)
    got = reduce_f32(x, "mean", (3, 1), keepdims=True)
    assert got.shape == (2, 1, 4, 1)
    ratio = np.float32(2 * 4) / np.float32(x.size)
    for n in range(2):
        for h in range(4):
            acc = np.float32(0)
            for c in range(3):
                for w in range(5):
                    acc = np.float32(acc + x[n, c, h, w])
            assert got[n, 0, h, 0].tobytes() == np.float32(acc * ratio).tobytes()
    assert reduce_f32(x, "sum", (-1,), keepdims=False).shape == (2, 3, 4)
    pooled = avg_pool2d_f32(x, (3, 2), (2, 2), (1, 1, 1, 0))
    acc, cnt = np.float32(0), 0
    for ky in range(3):
        for kx in range(2):
            iy, ix = 2 * 1 - 1 + ky, 2 * 2 - 1 + kx
            if 0 <= iy < 4 and 0 <= ix < 5:
                acc, cnt = np.float32(acc + x[1, 2, iy, ix]), cnt + 1
    assert pooled[1, 2, 1, 2].tobytes() == np.float32(acc / np.float32(cnt)).tobytes()
