"""Fitting the KPU's 16-segment activation table to any activation (pure numpy).

The table (kcc.k210.tables.ActivationTable, spec k210-kpu-and-kmodel-v3.md §3.5) maps the BN output t (an
integer) to a uint8 code::

    j = highest segment with start[j] < t (segment 0 starts at -2^35)
    out = clamp(round((t - start[j]) * mul[j] / 2^shift[j]) + add[j], 0, 255)

Here t is a *pre-activation* integer: the float pre-activation is ``z = t * t_scale``. The wanted output is
the uint8 code of ``f(z)`` for the output quantization ``(s_y, z_y)``::

    G(t) = f(t * t_scale) / s_y + z_y          target code = clamp(round(G(t)), 0, 255)

How the table is built:

1. ``G`` as a piecewise-linear (PL) function of t: the exact breakpoints for the piecewise-linear activations
   (none, relu, clamp(a, b), leaky_relu(a), hard_sigmoid(a, b)); a fitted PL for the smooth ones (sigmoid,
   tanh, hard_swish): knots placed by curvature then moved to equalise the per-interval error, knot values by
   Lawson's iteratively reweighted least squares (minimax), over the reachable t range.
2. Clip to the uint8 range: pieces below 0 / above 255 become constants; a constant that only continues a
   line past the clamp is dropped (the hardware clamp does it); pieces outside the reachable t range go.
3. Encode each piece as one segment: slope as ``mul / 2^shift`` with 2^14 ≤ |mul| < 2^15 (exact for the
   power-of-two slopes the layer quantizer produces); constants as mul 0. A segment's line must take an
   integer value ``add`` in 0…255 at its start, so the start is placed where the line crosses an integer
   (or kept, with the value rounded) — whichever gives the smaller error, measured on a dense set of t.
   Unused segments repeat the last one (same start: results are the same under both boundary rules).

Error report (:class:`ActivationFit`): ``max_error`` = max |table output - clamp(G(t), 0, 255)| in output
LSB over the sample set (integer t: a uniform grid of the reachable range plus the neighbourhood of every
segment start). Any uint8 output is at least 0.5 from some targets, so 0.5 (+ the 2^-15 slope precision) is
a perfect table; ``mismatch`` = max |table output - round(clamp(G))| (0 when the table reproduces the
correctly rounded codes on every sample).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kcc.k210.kpu_layer import activation as kpu_activation
from kcc.k210.tables import ACTIVATION_SEGMENTS, SEGMENT0_START, ActivationTable

__all__ = [
    "ACTIVATION_PARAMS",
    "EXACT_ACTIVATIONS",
    "SMOOTH_ACTIVATIONS",
    "ActivationFit",
    "Piece",
    "activation_function",
    "encode_pieces",
    "fit_activation",
    "lipschitz",
    "refit_segments",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

ACTIVATION_PARAMS: dict[str, int] = {
    "none": 0,
    "relu": 0,
    "clamp": 2,
    "leaky_relu": 1,
    "sigmoid": 0,
    "tanh": 0,
    "hard_sigmoid": 2,
    "hard_swish": 0,
}
"""Activation name -> number of float parameters (the names and arities of ``#nn.act``)."""

EXACT_ACTIVATIONS = ("none", "relu", "clamp", "leaky_relu", "hard_sigmoid")
SMOOTH_ACTIVATIONS = ("sigmoid", "tanh", "hard_swish")

T_LIMIT = (1 << 35) - 1  # start_x is signed 36-bit
_MUL_BITS = 15  # |mul| < 2^15
_MAX_SHIFT = 255
_Z_CUT = 32.0  # beyond |z| = 32 every smooth activation here is linear to float precision
_GRID = 2049
_MIN_SPAN = 64.0  # t steps: below this a reachable range is fitted by one line


def activation_function(name: str, params: tuple[float, ...] = ()) -> Callable[[F64], F64]:
    """The float activation ``f(z)`` (float64, element-wise), as ``#nn.act`` defines it."""
    _check_name(name, params)
    p = tuple(float(v) for v in params)
    if name == "none":
        return lambda z: np.asarray(z, np.float64).copy()
    if name == "relu":
        return lambda z: np.maximum(np.asarray(z, np.float64), 0.0)
    if name == "clamp":
        return lambda z: np.clip(np.asarray(z, np.float64), p[0], p[1])
    if name == "leaky_relu":
        return lambda z: np.where(np.asarray(z) >= 0, np.asarray(z, np.float64), p[0] * np.asarray(z, np.float64))
    if name == "hard_sigmoid":
        return lambda z: np.clip(p[0] * np.asarray(z, np.float64) + p[1], 0.0, 1.0)
    if name == "sigmoid":
        return lambda z: 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, np.float64)))
    if name == "tanh":
        return lambda z: np.tanh(np.asarray(z, np.float64))
    # hard_swish
    return lambda z: np.asarray(z, np.float64) * np.clip(np.asarray(z, np.float64) + 3.0, 0.0, 6.0) / 6.0


def lipschitz(name: str, params: tuple[float, ...] = ()) -> float:
    """The Lipschitz constant of the activation (used for error bounds)."""
    _check_name(name, params)
    if name in ("none", "relu", "clamp", "tanh"):
        return 1.0
    if name == "leaky_relu":
        return max(1.0, abs(params[0]))
    if name == "hard_sigmoid":
        return abs(params[0])
    if name == "sigmoid":
        return 0.25
    return 1.5  # hard_swish: derivative (2z + 3) / 6 on [-3, 3], 1 above


def _check_name(name: str, params: tuple[float, ...]) -> None:
    if name not in ACTIVATION_PARAMS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATION_PARAMS)}")
    if len(params) != ACTIVATION_PARAMS[name]:
        raise ValueError(f"activation {name!r} takes {ACTIVATION_PARAMS[name]} parameters, got {len(params)}")
    if name == "clamp" and not params[0] <= params[1]:
        raise ValueError(f"clamp({params[0]}, {params[1]}) needs lo <= hi")


# ---------------------------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class Piece:
    """One linear piece of a PL function of t: ``value(t) = slope * t + intercept`` for t from ``start``
    (-inf for the first piece) up to the next piece's start."""

    start: float
    slope: float
    intercept: float

    def at(self, t: float) -> float:
        return self.slope * t + self.intercept


def _exact_pieces(name: str, p: tuple[float, ...], t_scale: float, s_y: float, z_y: int) -> list[Piece]:
    """G(t) of a piecewise-linear activation, exactly (breakpoints in real t)."""
    g = t_scale / s_y  # code per t step of the identity
    ninf = -math.inf

    def const(v: float) -> float:
        return v / s_y + z_y

    if name == "none":
        return [Piece(ninf, g, z_y)]
    if name == "relu":
        return [Piece(ninf, 0.0, z_y), Piece(0.0, g, z_y)]
    if name == "leaky_relu":
        return [Piece(ninf, p[0] * g, z_y), Piece(0.0, g, z_y)]
    if name == "clamp":
        lo, hi = p
        if lo == hi:
            return [Piece(ninf, 0.0, const(lo))]
        return [Piece(ninf, 0.0, const(lo)), Piece(lo / t_scale, g, z_y), Piece(hi / t_scale, 0.0, const(hi))]
    # hard_sigmoid: clip(a z + b, 0, 1)
    a, b = p
    if a == 0:
        return [Piece(ninf, 0.0, const(min(max(b, 0.0), 1.0)))]
    z0, z1 = -b / a, (1.0 - b) / a  # where a z + b = 0 and = 1
    first, last = (0.0, 1.0) if a > 0 else (1.0, 0.0)
    lo_z, hi_z = min(z0, z1), max(z0, z1)
    return [
        Piece(ninf, 0.0, const(first)),
        Piece(lo_z / t_scale, a * g, b / s_y + z_y),
        Piece(hi_z / t_scale, 0.0, const(last)),
    ]


def _clip_pieces(pieces: list[Piece], lo: float = 0.0, hi: float = 255.0) -> list[Piece]:
    """clamp(PL, lo, hi) as a PL: split lines where they cross lo / hi; merge what the clamp makes redundant."""
    out: list[Piece] = []
    for i, pc in enumerate(pieces):
        end = pieces[i + 1].start if i + 1 < len(pieces) else math.inf
        if pc.slope == 0.0:
            out.append(Piece(pc.start, 0.0, min(max(pc.intercept, lo), hi)))
            continue
        cuts = sorted(c for c in ((lo - pc.intercept) / pc.slope, (hi - pc.intercept) / pc.slope) if pc.start < c < end)
        bounds = [pc.start, *cuts]
        for k, s in enumerate(bounds):
            e = bounds[k + 1] if k + 1 < len(bounds) else end
            if math.isinf(s) and math.isinf(e):
                mid = 0.0
            elif math.isinf(s):
                mid = e - 1.0
            elif math.isinf(e):
                mid = s + 1.0
            else:
                mid = 0.5 * (s + e)
            v = pc.at(mid)
            if v < lo:
                out.append(Piece(s, 0.0, lo))
            elif v > hi:
                out.append(Piece(s, 0.0, hi))
            else:
                out.append(Piece(s, pc.slope, pc.intercept))
    merged: list[Piece] = []
    for pc in out:
        if merged:
            last = merged[-1]
            if last.slope == pc.slope and last.intercept == pc.intercept:
                continue
            # a constant at the level a line runs into: the line's own clamp produces it
            runs_into = (pc.intercept >= hi and last.slope > 0) or (pc.intercept <= lo and last.slope < 0)
            if pc.slope == 0.0 and runs_into and abs(last.at(pc.start) - pc.intercept) < 1e-6:
                continue
        merged.append(pc)
    return merged


def _dedupe(pieces: list[Piece]) -> list[Piece]:
    """Pieces starting within one t step of the previous one replace it (no integer t tells them apart)."""
    out = [pieces[0]]
    for pc in pieces[1:]:
        if len(out) > 1 and math.ceil(pc.start) <= math.ceil(out[-1].start) + 1:
            out[-1] = pc
        else:
            out.append(pc)
    return out


def _restrict(pieces: list[Piece], t_lo: float, t_hi: float) -> list[Piece]:
    """Drop pieces that no reachable t uses; the first kept piece then starts at -inf if constant."""
    keep = [i for i, pc in enumerate(pieces) if pc.start < t_hi and (i + 1 == len(pieces) or pieces[i + 1].start > t_lo)]
    kept = [pieces[i] for i in keep]
    first = kept[0]
    if first.slope == 0.0:
        kept[0] = Piece(-math.inf, 0.0, first.intercept)
    else:
        # a line reachable from t_lo: start it at or below the reachable range, behind a constant segment 0
        start = max(min(first.start, t_lo - 1.0), -T_LIMIT + 1.0)
        kept[0] = Piece(start, first.slope, first.intercept)
        kept.insert(0, Piece(-math.inf, 0.0, min(max(first.at(start), 0.0), 255.0)))
    return kept


# ---------------------------------------------------------------------------------------------- encoding


def _slope_fixed(slope: float) -> tuple[int, int]:
    """(mul, shift) with mul / 2^shift ≈ slope to 15 significant bits (|mul| < 2^15), trailing zero bits of mul
    moved into the shift."""
    if slope == 0.0:
        return 0, 0
    _, e = math.frexp(abs(slope))  # |slope| = f 2^e, f in [0.5, 1)
    sh = _MUL_BITS - e
    if sh < 0:
        raise ValueError(f"activation slope {slope} codes per t step is too steep for a 16-bit multiplier")
    sh = min(sh, _MAX_SHIFT)
    mul = round(slope * 2.0**sh)
    if abs(mul) >= 1 << _MUL_BITS:
        sh -= 1
        mul = round(slope * 2.0**sh)
    while mul != 0 and mul % 2 == 0 and sh > 0:  # same value, smaller products (identity: mul 1, shift P)
        mul //= 2
        sh -= 1
    return mul, sh


@dataclass
class _Seg:
    start: int
    mul: int
    shift: int
    add: int


def _table(segs: list[_Seg]) -> ActivationTable:
    segs = segs + [segs[-1]] * (ACTIVATION_SEGMENTS - len(segs))
    return ActivationTable(
        np.array([s.start for s in segs], np.int64),
        np.array([s.mul for s in segs], np.int64),
        np.array([s.shift for s in segs], np.int64),
        np.array([s.add for s in segs], np.int64),
    )


def _candidates(pc: Piece, prev_start: int, next_start: float) -> list[_Seg]:
    """Encodings of one line/constant piece: (integer start, add) choices around its real start."""
    mul, sh = _slope_fixed(pc.slope)
    q = mul / 2.0**sh
    out: list[_Seg] = []
    b = pc.start
    hi_lim = min(next_start - 1.0, float(T_LIMIT))
    if mul == 0:
        add = min(max(round(pc.intercept), 0), 255)
        for s in sorted({math.ceil(b) - 1, math.floor(b)}):
            if prev_start < s <= hi_lim:
                out.append(_Seg(int(s), 0, 0, add))
        if not out:  # squeezed between its neighbours: keep the order
            out.append(_Seg(int(min(max(prev_start + 1, math.ceil(b) - 1), hi_lim)), 0, 0, add))
        return out
    v = pc.at(b)
    seen: set[tuple[int, int]] = set()
    # start moved to where the line takes an integer value (nearest first), or kept with the value rounded
    options: list[tuple[float, int]] = []
    for target in sorted((math.floor(v), math.ceil(v)), key=lambda n: abs(n - v)):
        options.append((b + (target - v) / q, target))
    options.append((float(math.ceil(b) - 1), round(pc.at(math.ceil(b) - 1))))
    for s_real, add in options:
        if not 0 <= add <= 255:
            continue
        s = round(s_real)
        if not prev_start < s <= hi_lim or (s, add) in seen:
            continue
        seen.add((s, add))
        out.append(_Seg(int(s), mul, sh, int(add)))
    if not out:  # squeezed: keep the order, accept the offset
        s = int(min(max(prev_start + 1, math.ceil(b) - 1), hi_lim))
        add = min(max(round(pc.at(s)), 0), 255)
        out.append(_Seg(s, mul, sh, add))
    return out


def _sample_points(pieces: list[Piece], t_lo: float, t_hi: float, n: int = 8193) -> I64:
    pts = [np.linspace(t_lo, t_hi, n)]
    for i, pc in enumerate(pieces):
        if math.isinf(pc.start):
            continue
        sl = max(abs(pc.slope), abs(pieces[i - 1].slope) if i else 0.0)
        w = max(64.0, 3.0 / sl) if sl > 0 else 64.0
        pts.append(np.linspace(pc.start - w, pc.start + w, 257))
    t = np.unique(np.rint(np.concatenate(pts)))
    t = t[(t >= t_lo) & (t <= t_hi)]
    return t.astype(np.int64)


def _evaluate(table: ActivationTable, t: I64, target: F64) -> float:
    """Max error of the table against the target on the samples."""
    return float(np.abs(kpu_activation(t, table).astype(np.float64) - target).max(initial=0.0))


def encode_pieces(pieces: list[Piece], t: I64, target: F64) -> ActivationTable:
    """Encode a clipped, restricted PL (first piece constant from -inf, at most 16 pieces) as a table,
    choosing each segment's (start, add) to minimise the max error against ``target`` on the samples ``t``."""
    if len(pieces) > ACTIVATION_SEGMENTS:
        raise ValueError(f"{len(pieces)} pieces do not fit the {ACTIVATION_SEGMENTS}-segment activation table")
    if pieces[0].slope != 0.0:
        raise ValueError("the first activation segment must be constant (it starts at -2^35)")
    segs = [_Seg(SEGMENT0_START, 0, 0, min(max(round(pieces[0].intercept), 0), 255))]
    # default choice for every piece first, then refine left to right with the rest fixed
    for i in range(1, len(pieces)):
        nxt = pieces[i + 1].start if i + 1 < len(pieces) else math.inf
        segs.append(_candidates(pieces[i], segs[-1].start, nxt)[0])
    for i in range(1, len(pieces)):
        nxt_start = float(segs[i + 1].start) if i + 1 < len(segs) else math.inf
        nxt_piece = pieces[i + 1].start if i + 1 < len(pieces) else math.inf
        cands = _candidates(pieces[i], segs[i - 1].start, min(nxt_start + 1.0, nxt_piece))
        best: tuple[float, _Seg] | None = None
        for c in cands:  # in order of preference (exact anchoring first): switch only for a lower max error
            trial = [*segs[:i], c, *segs[i + 1 :]]
            err = _evaluate(_table(trial), t, target)
            if best is None or err < best[0] - 1e-9:
                best = (err, c)
        if best is not None:
            segs[i] = best[1]
    return _table(segs)


def _anchored_slope(d: F64, r: F64) -> float:
    """The slope m minimising max |m d_i - r_i| (d_i > 0): a line through a fixed point, minimax."""
    lo, hi = float((r / d).min()), float((r / d).max())
    for _ in range(60):  # max |m d - r| is convex in m: ternary search
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if float(np.abs(m1 * d - r).max()) <= float(np.abs(m2 * d - r).max()):
            hi = m2
        else:
            lo = m1
    return 0.5 * (lo + hi)


def _segment_error(sg: _Seg, d: F64, y: F64) -> float:
    """Max error of one segment's outputs at offsets d = t - start against the targets y."""
    v = np.clip(np.rint(d * (sg.mul / 2.0**sg.shift)) + sg.add, 0, 255)
    return float(np.abs(v - y).max())


def refit_segments(table: ActivationTable, t: I64, target: F64) -> ActivationTable:
    """Re-fit every segment's (add, mul, shift) with its start fixed: for add near the target at the start,
    the minimax slope of a line through (start, add) over the samples of the segment; keep what lowers the
    segment's error. Used for the fitted (smooth) activations, whose pieces need not join continuously."""
    segs = [
        _Seg(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(table.start_x, table.mul, table.shift, table.add, strict=True)
    ]
    n = len(segs)
    while n > 1 and segs[n - 1] == segs[n - 2]:
        n -= 1
    segs = segs[:n]
    for j in range(1, n):
        end = segs[j + 1].start if j + 1 < n else None
        sel = (t > segs[j].start) if end is None else ((t > segs[j].start) & (t <= end))
        if not bool(sel.any()):
            continue
        tj, yj = t[sel], target[sel]
        d = (tj - segs[j].start).astype(np.float64)

        best, best_e = segs[j], _segment_error(segs[j], d, yj)
        y0 = float(np.interp(segs[j].start, tj.astype(np.float64), yj))
        for add in range(math.floor(y0) - 1, math.ceil(y0) + 2):
            if not 0 <= add <= 255:
                continue
            try:
                mul, sh = _slope_fixed(_anchored_slope(d, yj - add))
            except ValueError:
                continue
            cand = _Seg(segs[j].start, mul, sh, add)
            e = _segment_error(cand, d, yj)
            if e < best_e - 1e-12:
                best, best_e = cand, e
        segs[j] = best
    return _table(segs)


# ---------------------------------------------------------------------------------------------- smooth fit


class _Hat:
    """Linear interpolation on knots (constant extension outside): each sample is (1-u)·v[i] + u·v[i+1].
    Kept sparse: the normal equations are tridiagonal and cost O(samples), no BLAS."""

    def __init__(self, x: F64, knots: F64):
        xc = np.clip(x, knots[0], knots[-1])
        self.n = int(knots.size)
        self.idx = np.clip(np.searchsorted(knots, xc, side="right") - 1, 0, self.n - 2)
        self.u = (xc - knots[self.idx]) / (knots[self.idx + 1] - knots[self.idx])

    def __call__(self, v: F64) -> F64:
        return v[self.idx] * (1.0 - self.u) + v[self.idx + 1] * self.u

    def solve(self, y: F64, w: F64) -> F64:
        n, i, u = self.n, self.idx, self.u
        a0, a1 = 1.0 - u, u
        diag = np.bincount(i, w * a0 * a0, n) + np.bincount(i + 1, w * a1 * a1, n) + 1e-12
        off = np.bincount(i, w * a0 * a1, n - 1)
        rhs = np.bincount(i, w * a0 * y, n) + np.bincount(i + 1, w * a1 * y, n)
        mat = np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)
        return np.asarray(np.linalg.solve(mat, rhs), dtype=np.float64)


def _lawson(basis: _Hat, y: F64, iters: int = 30) -> tuple[F64, float]:
    """Knot values minimising the max error (Lawson's iteratively reweighted least squares), and that error."""
    w = np.full(y.size, 1.0 / y.size)
    best_v = np.zeros(basis.n)
    best_e = math.inf
    for _ in range(iters):
        v = basis.solve(y, w)
        err = np.abs(basis(v) - y)
        e = float(err.max())
        if e < best_e:
            best_v, best_e = v, e
        w = w * err
        s = float(w.sum())
        if s <= 0:
            break
        w = np.maximum(w / s, 1e-12)  # keep clear of denormals (slow) and of all-zero rows
    return best_v, best_e


def _fit_knots(x: F64, y: F64, n: int) -> tuple[F64, F64, float]:
    """n knots on [x0, x-1] and their values: curvature-based placement, then error equalisation."""
    d2 = np.abs(np.gradient(np.gradient(y, x), x))
    dens = np.sqrt(d2) + 1e-3 * (float(np.sqrt(d2).max()) + 1e-12)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(x))])
    knots = np.unique(np.interp(np.linspace(0.0, cdf[-1], n), cdf, x))
    best: tuple[F64, F64, float] | None = None
    for _ in range(12):
        if knots.size < 2:
            break
        basis = _Hat(x, knots)
        v, e = _lawson(basis, y)
        if best is None or e < best[2]:
            best = (knots, v, e)
        # per-interval error -> new interval lengths ~ h * (E / e_i)^(1/2)
        err = np.abs(basis(v) - y)
        e_int = np.zeros(knots.size - 1)
        np.maximum.at(e_int, basis.idx, err)
        h = np.diff(knots)
        new_h = h * np.sqrt((e + 1e-12) / (e_int + 1e-3 * e + 1e-12))
        new_h *= (knots[-1] - knots[0]) / new_h.sum()
        knots = np.unique(np.concatenate([[knots[0]], knots[0] + np.cumsum(new_h)]))
        knots[-1] = x[-1]
    assert best is not None
    return best


def _smooth_pieces(g: Callable[[F64], F64], t_lo: float, t_hi: float, t_scale: float, n: int) -> list[Piece]:
    lo = max(t_lo, -_Z_CUT / t_scale)
    hi = min(t_hi, _Z_CUT / t_scale)
    if hi - lo < _MIN_SPAN:  # the reachable range lies (almost) outside |z| <= Z: fit it as it is
        lo, hi = t_lo, t_hi
    if hi - lo < _MIN_SPAN:  # a handful of t values: one line through both ends
        y_lo, y_hi = (float(v) for v in np.clip(g(np.array([lo, hi])), 0.0, 255.0))
        slope = (y_hi - y_lo) / (hi - lo) if hi > lo else 0.0
        return [Piece(-math.inf, 0.0, y_lo), Piece(lo, slope, y_lo - slope * lo)]
    x = np.linspace(lo, hi, 8 * _GRID)
    y = np.clip(g(x), 0.0, 255.0)
    # the active part: where the target leaves its end values (flat tails become constant segments)
    moving = np.nonzero((np.abs(y - y[0]) > 1e-3) & (np.abs(y - y[-1]) > 1e-3))[0]
    if moving.size:
        a = x[max(int(moving[0]) - 1, 0)]
        b = x[min(int(moving[-1]) + 1, x.size - 1)]
        if (np.abs(y - y[-1]) > 1e-3)[-2]:  # not flat at the right end: keep going to hi
            b = hi
        lo, hi = float(a), float(b)
    x = np.linspace(lo, hi, _GRID)
    y = np.clip(g(x), 0.0, 255.0)
    knots, v, _ = _fit_knots(x, y, n)
    pieces = [Piece(-math.inf, 0.0, float(v[0]))]
    for k in range(knots.size - 1):
        slope = float((v[k + 1] - v[k]) / (knots[k + 1] - knots[k]))
        pieces.append(Piece(float(knots[k]), slope, float(v[k] - slope * knots[k])))
    # beyond the fitted range: the last line continues if the target keeps rising/falling, else constant
    tail = np.clip(g(np.array([hi, hi + (hi - lo), hi + 4 * (hi - lo)])), 0.0, 255.0)
    if abs(float(tail[2] - tail[0])) < 1e-3:
        pieces.append(Piece(float(knots[-1]), 0.0, float(v[-1])))
    return pieces


# ---------------------------------------------------------------------------------------------- API


@dataclass
class ActivationFit:
    """A fitted activation table and how well it reproduces the activation (errors in output LSB)."""

    table: ActivationTable
    max_error: float  # max |output - clamp(G(t))|; 0.5 is the rounding floor
    mismatch: int  # max |output - round(clamp(G(t)))|
    rms_error: float
    exact: bool  # a piecewise-linear activation (no fitting)
    segments: int  # distinct segments used
    samples: int


def fit_activation(
    name: str,
    params: tuple[float, ...],
    *,
    t_scale: float,
    out_q: tuple[float, int],
    t_range: tuple[float, float],
) -> ActivationFit:
    """The activation table mapping the pre-activation integer t (float ``z = t * t_scale``) to the uint8
    code of ``f(z)`` under ``out_q = (s_y, z_y)``, for t in ``t_range`` (the reachable BN outputs)."""
    _check_name(name, params)
    s_y, z_y = float(out_q[0]), int(out_q[1])
    if not (t_scale > 0 and math.isfinite(t_scale) and s_y > 0 and math.isfinite(s_y)):
        raise ValueError(f"scales must be positive and finite, got t_scale {t_scale}, s_y {s_y}")
    t_lo = float(max(math.floor(t_range[0]), -T_LIMIT + 2))
    t_hi = float(min(math.ceil(t_range[1]), T_LIMIT))
    if t_hi <= t_lo:
        t_hi = t_lo + 1.0
    f = activation_function(name, params)

    def g(t: F64) -> F64:
        return f(t * t_scale) / s_y + z_y

    candidates: list[list[Piece]]
    exact = name in EXACT_ACTIVATIONS
    if exact:
        candidates = [_dedupe(_restrict(_clip_pieces(_exact_pieces(name, params, t_scale, s_y, z_y)), t_lo, t_hi))]
    else:
        candidates = []
        for n in range(ACTIVATION_SEGMENTS, 3, -1):
            pcs = _dedupe(_restrict(_clip_pieces(_smooth_pieces(g, t_lo, t_hi, t_scale, n)), t_lo, t_hi))
            if len(pcs) <= ACTIVATION_SEGMENTS:
                candidates.append(pcs)
                if len(candidates) == 2:
                    break
    best: ActivationFit | None = None
    for pcs in candidates:
        t = _sample_points(pcs, t_lo, t_hi)
        target = np.clip(g(t.astype(np.float64)), 0.0, 255.0)
        table = encode_pieces(pcs, t, target)
        if not exact:
            table = refit_segments(table, t, target)
        out = kpu_activation(t, table).astype(np.float64)
        err = np.abs(out - target)
        fit = ActivationFit(
            table=table,
            max_error=float(err.max(initial=0.0)),
            mismatch=int(np.abs(out - np.rint(target)).max(initial=0.0)),
            rms_error=float(np.sqrt(np.mean(err**2))) if err.size else 0.0,
            exact=exact,
            segments=len(pcs),
            samples=int(t.size),
        )
        if best is None or fit.max_error < best.max_error:
            best = fit
    if best is None:
        raise ValueError(f"could not fit activation {name!r} into {ACTIVATION_SEGMENTS} segments")
    return best
