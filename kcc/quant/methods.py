"""Choosing the clipping range of a value from its calibration histogram: `no_clip`, `l2` and `kld`.

All three return `(lo, hi)`, the range `quantize` maps to uint8 (it widens it to include 0, kcc.quant.params).
Candidate ends lie on the histogram's bin edges: the lower end between the data minimum and 0, the upper end
between 0 and the data maximum (a range never excludes 0 and never exceeds the data).

* `no_clip`: the observed `[min, max]`.
* `l2` (the idea of nncase's `l2` calibration: search the clipping range on the histogram grid that minimizes
  the L2 error of quantizing the histogram to 256 levels): for a candidate `[lo, hi]` with
  `scale = (hi - lo) / 255` the expected squared error is
  `sum_{bins below lo} n_i (v_i - lo)^2 + sum_{bins above hi} n_i (v_i - hi)^2 + n_inside * scale^2 / 12`
  (clipping error from the bin centres `v_i`; rounding modelled as uniform noise, which unlike rounding the bin
  centres themselves does not favour ranges whose grid happens to align with the bins). Prefix sums make every
  candidate O(1), so all (lower, upper) pairs on a grid of at most 512 x 512 edges are evaluated.
* `kld` (TensorRT-style entropy calibration, made asymmetric): for a candidate `[lo, hi]` spanning `k >= 256`
  bins, the reference `P` is the histogram inside the range with the counts outside added to the first / last
  bin; the candidate `Q` merges the `k` bins (without the outliers) into 256 levels and spreads each level's
  count evenly over its non-empty bins of `P`; the range minimizing `KL(P || Q)` wins (empty bins of `Q` under
  a non-empty `P` get a small epsilon). The upper end is searched first with the lower end at the minimum, then
  the lower end with that upper end (at most 512 candidates each). Heavy tails make KL prefer tight ranges:
  clipping a thin tail costs KL little, resolution in the bulk gains it a lot.
  KL needs a histogram that estimates a distribution: with fewer than KLD_MIN_VALUES (4 x 2048 = 8192) binned
  values, or fewer than KLD_MIN_BINS (256) non-empty bins, `kld` falls back to `l2` (a few hundred logits
  over 2048 bins would otherwise be clipped to a fraction of their observed range).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kcc.errors import KccError
from kcc.quant.histogram import BINS, RunningHistogram

METHODS = ("no_clip", "l2", "kld")
LEVELS = 256
MAX_CANDIDATES = 512
_KL_EPS = 1e-4
KLD_MIN_VALUES = 4 * BINS  # fewer binned values: kld falls back to l2
KLD_MIN_BINS = LEVELS  # fewer non-empty bins: kld falls back to l2

Range = tuple[float, float]


def check_method(method: str) -> None:
    if method not in METHODS:
        raise KccError(f"calibration method '{method}' is not one of {', '.join(METHODS)}")


def choose_range(h: RunningHistogram, method: str) -> Range:
    """The clipping range of the values summarized by `h` (which must not be empty)."""
    check_method(method)
    if method == "no_clip" or not h.with_histogram or h.hi <= h.lo or h.binned == 0:
        return h.lo, h.hi
    counts = h.counts.astype(np.float64)
    nonzero = np.flatnonzero(counts)
    first, last = int(nonzero[0]), int(nonzero[-1]) + 1  # data bins [first, last)
    edges = h.edges()
    zero = int(np.clip(-h.start, first, last))  # index of the edge at (or nearest to) 0
    sparse = h.binned < KLD_MIN_VALUES or nonzero.size < KLD_MIN_BINS
    if method == "l2" or sparse:
        lo, hi = _l2(counts, edges, first, last, zero)
    else:
        lo, hi = _kld(counts, edges, first, last, zero)
    lo, hi = max(lo, h.lo), min(hi, h.hi)
    if h.lo <= 0.0:
        lo = min(lo, 0.0)  # exact zeros are not binned; the range still reaches 0
    if h.hi >= 0.0:
        hi = max(hi, 0.0)
    return lo, hi


def _grid(a: int, b: int) -> NDArray[np.int64]:
    """At most MAX_CANDIDATES edge indices from a to b inclusive (both ends kept)."""
    if b - a + 1 <= MAX_CANDIDATES:
        return np.arange(a, b + 1, dtype=np.int64)
    return np.unique(np.round(np.linspace(a, b, MAX_CANDIDATES)).astype(np.int64))


def _l2(counts: NDArray[np.float64], edges: NDArray[np.float64], first: int, last: int, zero: int) -> Range:
    centres = (edges[:-1] + edges[1:]) / 2
    n = np.concatenate([[0.0], np.cumsum(counts)])
    s1 = np.concatenate([[0.0], np.cumsum(counts * centres)])
    s2 = np.concatenate([[0.0], np.cumsum(counts * centres * centres)])
    lows = _grid(first, zero)  # lower edge index l: bins < l are clipped up to edges[l]
    highs = _grid(zero, last)  # upper edge index u: bins >= u are clipped down to edges[u]
    lo = np.minimum(edges[lows], 0.0)
    hi = np.maximum(edges[highs], 0.0)
    # clipping error below lo: sum n (v - lo)^2 = S2 - 2 lo S1 + lo^2 N over bins [0, l)
    below = s2[lows] - 2 * lo * s1[lows] + lo * lo * n[lows]
    above = (s2[-1] - s2[highs]) - 2 * hi * (s1[-1] - s1[highs]) + hi * hi * (n[-1] - n[highs])
    inside = n[highs][None, :] - n[lows][:, None]
    scale = (hi[None, :] - lo[:, None]) / (LEVELS - 1)
    err = np.maximum(below, 0.0)[:, None] + np.maximum(above, 0.0)[None, :] + inside * scale * scale / 12.0
    i, j = np.unravel_index(int(np.argmin(err)), err.shape)
    return float(edges[lows[i]]), float(edges[highs[j]])


def _kl(counts: NDArray[np.float64], lo: int, hi: int) -> float:
    p = counts[lo:hi].copy()
    q_src = counts[lo:hi]
    p[0] += counts[:lo].sum()
    p[-1] += counts[hi:].sum()
    k = hi - lo
    group = (np.arange(k) * LEVELS) // k  # level of each bin
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    level_sum = np.add.reduceat(q_src, starts)
    level_nonzero = np.add.reduceat((p > 0).astype(np.float64), starts)
    per_bin = np.divide(level_sum, level_nonzero, out=np.zeros_like(level_sum), where=level_nonzero > 0)
    q = np.where(p > 0, per_bin[group], 0.0)
    p_sum, q_sum = p.sum(), q.sum()
    if p_sum <= 0 or q_sum <= 0:
        return float("inf")
    p /= p_sum
    q /= q_sum
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / np.maximum(q[mask], _KL_EPS / k))))


def _kld(counts: NDArray[np.float64], edges: NDArray[np.float64], first: int, last: int, zero: int) -> Range:
    if last - first <= LEVELS:
        return float(edges[first]), float(edges[last])
    best_hi, best = last, float("inf")
    for u in _grid(max(zero, first + LEVELS), last).tolist():
        d = _kl(counts, first, u)
        if d < best:
            best, best_hi = d, u
    best_lo, best = first, float("inf")
    for l_ in _grid(first, min(zero, best_hi - LEVELS)).tolist():
        d = _kl(counts, l_, best_hi)
        if d < best:
            best, best_lo = d, l_
    return float(edges[best_lo]), float(edges[best_hi])
