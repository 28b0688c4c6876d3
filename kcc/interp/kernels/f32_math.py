"""kcc's float32 transcendental kernels: one defined sequence of IEEE float32 operations per function.

The interpreter (f32 `nn.softmax`, `nn.exp`, `nn.log`, `nn.sigmoid`), the kmodel simulator (SOFTMAX,
LOGISTIC, the unary / NNIL `exp` and `log`) and the reference C backend (`kcc_expf`, `kcc_logf`, generated
from the constants below by `c_exp_source()` / `c_log_source()`) all compute these functions with the same
operations in the same order, so they agree bit for bit. Every step is a single float32 operation rounded to
nearest even (numpy float32 arithmetic; C built with `-ffp-contract=off` and `FLT_EVAL_METHOD == 0`): no fused
multiply-add, no library call.

exp(x), for float32 x:
  NaN -> x (the same bits); x > 89 -> +inf; x < -104 -> +0 (exp(-104) < 2^-150 rounds to zero);
  otherwise, with every operation in float32:
    t = x * LOG2E + SHIFTER                     (SHIFTER = 1.5 * 2^23: the add rounds x / ln 2 to an integer)
    n = t - SHIFTER                             (exact)
    r = (x - n * LN2_HI) - n * LN2_LO           (Cody-Waite reduction; n * LN2_HI is exact)
    p = ((((P4 * r + P3) * r + P2) * r + P1) * r + P0)
    y = 1 + (r + (r * r) * p)                   (exp(r) on |r| <= 0.36)
    exp(x) = (y * 2^h) * 2^(n - h)              (h = floor(n / 2): exact unless the result is subnormal,
                                                 where the second product rounds once; +inf on overflow)
  P0..P4 are a near-minimax fit of (exp(r) - 1 - r) / r^2 on [-0.36, 0.36] (absolute error 6e-9 of exp(r)),
  rounded to float32. Measured against float64 exp rounded to float32: at most 1 ulp over the whole domain
  (test/unit/test_f32_exact.py sweeps it).

log(x), for float32 x:
  NaN -> x; x < 0 -> NaN; ±0 -> -inf; +inf -> +inf; a subnormal x is first multiplied by 2^23 (exact);
  otherwise, with every operation in float32 (fdlibm's decomposition, Taylor coefficients of atanh):
    x = m · 2^e with m in [1, 2) from the bits; if m > SQRT2: m = m / 2 (exact), e = e + 1
    f = m - 1 (exact); s = f / (2 + f); z = s * s
    r = z * (((2/9 * z + 2/7) * z + 2/5) * z + 2/3);  hfsq = 0.5 * (f * f)
    log(x) = e * LN2_HI - ((hfsq - (s * (hfsq + r) + e * LN2_LO)) - f)
  Measured: at most 1 ulp from float64 log rounded to float32 (a sweep of every 7th positive float32).

softmax along an axis: m = max (float32), e = exp((x - m) * beta), s = sequential float32 sum of e in index
order, y = e / s. sigmoid(x) = 1 / (1 + exp(-x)) (kmodel v3's LOGISTIC).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]

LOG2E = np.float32(1.44269504088896340736)
SHIFTER = np.float32(12582912.0)  # 1.5 * 2^23
LN2_HI = np.float32(0.693359375)  # 9 significant bits: n * LN2_HI is exact for |n| < 2^15
LN2_LO = np.float32(0.6931471805599453 - 0.693359375)
EXP_POLY = (
    np.float32(0.5),
    np.float32(0.1666649430990219),
    np.float32(0.04166613146662712),
    np.float32(0.008371695876121521),
    np.float32(0.0013955353060737252),
)
LOG_POLY = (np.float32(2 / 3), np.float32(2 / 5), np.float32(2 / 7), np.float32(2 / 9))
SQRT2 = np.float32(1.41421356)
FLT_MIN = np.float32(1.17549435e-38)
TWO23 = np.float32(8388608.0)
F32_MAX = np.float32(3.4028234663852886e38)
EXP_HI = np.float32(89.0)  # above: +inf (exp(88.73) already overflows float32)
EXP_LO = np.float32(-104.0)  # below: +0


def _pow2(k: NDArray[np.int32]) -> F32:
    """2^k as float32 for -126 <= k <= 127 (the exponent field set directly)."""
    return ((k.astype(np.int32) + 127) << 23).astype(np.int32).view(np.float32)


def exp_f32(x: NDArray[np.floating]) -> F32:
    """kcc's float32 exp (module docstring), elementwise; same shape, float32."""
    x = np.asarray(x, dtype=np.float32)
    xc = np.minimum(np.maximum(np.nan_to_num(x, nan=0.0), EXP_LO), EXP_HI)
    with np.errstate(over="ignore", under="ignore"):
        t = xc * LOG2E + SHIFTER
        n = t - SHIFTER
        r = (xc - n * LN2_HI) - n * LN2_LO
        p = EXP_POLY[4]
        for c in EXP_POLY[3::-1]:
            p = p * r + c
        y = np.float32(1) + (r + (r * r) * p)
        ni = n.astype(np.int32)
        h = ni >> 1
        y = (y * _pow2(h)) * _pow2(ni - h)
    y = np.where(x > EXP_HI, np.float32(np.inf), np.where(x < EXP_LO, np.float32(0), y))
    return np.where(np.isnan(x), x, y).astype(np.float32)


def log_f32(x: NDArray[np.floating]) -> F32:
    """kcc's float32 natural log (module docstring), elementwise; same shape, float32."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        sub = (x > 0) & (x < FLT_MIN)
        xs = np.where(sub, x * TWO23, x)
        b = xs.view(np.int32)
        e = ((b >> 23) & 0xFF) - 127 - np.where(sub, 23, 0)
        m = ((b & 0x7FFFFF) | 0x3F800000).astype(np.int32).view(np.float32)
        big = m > SQRT2
        m = np.where(big, m * np.float32(0.5), m)
        e = np.where(big, e + 1, e)
        f = m - np.float32(1)
        s = f / (np.float32(2) + f)
        z = s * s
        r = LOG_POLY[3]
        for c in LOG_POLY[2::-1]:
            r = r * z + c
        r = z * r
        hfsq = np.float32(0.5) * (f * f)
        ef = e.astype(np.float32)
        y = ef * LN2_HI - ((hfsq - (s * (hfsq + r) + ef * LN2_LO)) - f)
    y = np.where(x == 0, np.float32(-np.inf), np.where(x < 0, np.float32(np.nan), np.where(x == np.inf, x, y)))
    return np.where(np.isnan(x), x, y).astype(np.float32)


def softmax_f32(x: NDArray[np.floating], axis: int = -1, beta: float = 1.0, max_init: float | None = None) -> F32:
    """kcc's float32 softmax along `axis` (module docstring). `max_init` joins the max (kmodel v3's runtime
    starts its max at FLT_MIN)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float32), axis, -1)
    if x.shape[-1] == 0:
        return np.moveaxis(x.copy(), -1, axis)
    m = np.max(x, axis=-1, keepdims=True)
    if max_init is not None:
        m = np.maximum(m, np.float32(max_init))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        e = exp_f32((x - m) * np.float32(beta))
        s = np.cumsum(e, axis=-1, dtype=np.float32)[..., -1:]  # sequential, in index order
        y = e / s
    return np.moveaxis(y.astype(np.float32), -1, axis)


def sigmoid_f32(x: NDArray[np.floating]) -> F32:
    """1 / (1 + exp(-x)) in float32 with kcc's exp."""
    one = np.float32(1)
    with np.errstate(over="ignore"):
        return (one / (one + exp_f32(-np.asarray(x, dtype=np.float32)))).astype(np.float32)


def _c_float(v: np.float32) -> str:
    """An exact C99 hexadecimal float literal of a (normal or zero) float32, e.g. `-0x1.bd0106p-13f`."""
    mantissa, exponent = float(v).hex().split("p")
    head, frac = mantissa.split(".")
    return f"{head}.{frac.rstrip('0') or '0'}p{exponent}f"


def c_exp_source() -> str:
    """`static float kcc_expf(float x)`: `exp_f32` in C99 (needs the backend's `kcc_f32(bits)`)."""
    p = [_c_float(c) for c in EXP_POLY]
    return f"""\
/* kcc's float32 exp (kcc/interp/kernels/f32_math.py): Cody-Waite reduction by ln 2, a degree-6 polynomial,
   scaling by 2^h * 2^(n - h); every operation one float32 rounding, identical to the interpreter's */
static float kcc_expf(float x)
{{
    float t, n, r, p, y;
    int32_t ni, h;
    if (x != x)
        return x;
    if (x > {_c_float(EXP_HI)})
        return kcc_f32(0x7f800000u);
    if (x < {_c_float(EXP_LO)})
        return 0.0f;
    t = x * {_c_float(LOG2E)} + {_c_float(SHIFTER)};
    n = t - {_c_float(SHIFTER)};
    r = (x - n * {_c_float(LN2_HI)}) - n * {_c_float(LN2_LO)};
    p = {p[4]};
    p = p * r + {p[3]};
    p = p * r + {p[2]};
    p = p * r + {p[1]};
    p = p * r + {p[0]};
    y = 1.0f + (r + (r * r) * p);
    ni = (int32_t)n;
    h = ni >= 0 ? ni / 2 : -((1 - ni) / 2);
    y = y * kcc_f32((uint32_t)(h + 127) << 23);
    return y * kcc_f32((uint32_t)(ni - h + 127) << 23);
}}
"""


def c_log_source() -> str:
    """`static float kcc_logf(float x)`: `log_f32` in C99 (needs the backend's `kcc_f32(bits)` and <string.h>)."""
    q = [_c_float(c) for c in LOG_POLY]
    return f"""\
/* kcc's float32 natural log (kcc/interp/kernels/f32_math.py): x = m * 2^e with m in (sqrt(1/2), sqrt(2)],
   log(1 + f) = f - hfsq + s * (hfsq + r) with s = f / (2 + f); identical to the interpreter's */
static float kcc_logf(float x)
{{
    uint32_t b;
    int32_t e = 0;
    float m, f, s, z, r, hfsq, ef;
    if (x != x)
        return x;
    if (x < 0.0f)
        return kcc_f32(0x7fc00000u);
    if (x == 0.0f)
        return kcc_f32(0xff800000u);
    if (x > {_c_float(F32_MAX)})
        return x;
    if (x < {_c_float(FLT_MIN)}) {{
        x = x * {_c_float(TWO23)};
        e = -23;
    }}
    memcpy(&b, &x, sizeof b);
    e += (int32_t)((b >> 23) & 0xffu) - 127;
    m = kcc_f32((b & 0x7fffffu) | 0x3f800000u);
    if (m > {_c_float(SQRT2)}) {{
        m = m * 0.5f;
        e += 1;
    }}
    f = m - 1.0f;
    s = f / (2.0f + f);
    z = s * s;
    r = {q[3]};
    r = r * z + {q[2]};
    r = r * z + {q[1]};
    r = r * z + {q[0]};
    r = z * r;
    hfsq = 0.5f * (f * f);
    ef = (float)e;
    return ef * {_c_float(LN2_HI)} - ((hfsq - (s * (hfsq + r) + ef * {_c_float(LN2_LO)})) - f);
}}
"""


__all__ = ["EXP_POLY", "LOG_POLY", "c_exp_source", "c_log_source", "exp_f32", "log_f32", "sigmoid_f32", "softmax_f32"]
