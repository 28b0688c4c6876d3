"""kcc.quant.histogram + kcc.quant.methods: the running histogram and how no_clip, l2 and kld differ."""

from __future__ import annotations

import numpy as np
import pytest

from kcc.errors import KccError
from kcc.quant.histogram import BINS, RunningHistogram
from kcc.quant.methods import KLD_MIN_BINS, KLD_MIN_VALUES, _kl, choose_range  # pyright: ignore[reportPrivateUsage]
from kcc.quant.params import uint8_params


def _hist(x: np.ndarray, chunks: int = 4) -> RunningHistogram:
    h = RunningHistogram()
    for c in np.array_split(x, chunks):
        h.add(c)
    return h


def test_rebinning_is_exact() -> None:
    rng = np.random.default_rng(1)
    parts = [rng.uniform(0, 1, 1000), rng.uniform(-3, 2, 1000), rng.uniform(5, 40, 1000), np.array([-100.0])]
    h = RunningHistogram()
    for p in parts:
        h.add(p.astype(np.float32))
    x = np.concatenate(parts).astype(np.float32)
    assert h.counts.sum() + h.zeros == x.size == h.count
    assert (h.lo, h.hi) == (float(x.min()), float(x.max()))
    # every value is in the bin its own floor(x / width) names: re-binning lost nothing
    expect = np.bincount(np.floor(x.astype(np.float64) / h.width).astype(np.int64) - h.start, minlength=BINS)
    np.testing.assert_array_equal(h.counts, expect)
    used = np.flatnonzero(h.counts)
    assert used[-1] - used[0] + 1 >= BINS // 2


def test_gaussian_with_outliers() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1_000_000).astype(np.float32)
    x[:5] = [12.0, -12.0, 11.0, -11.0, 12.0]
    h = _hist(x)
    no_clip, l2, kld = (choose_range(h, m) for m in ("no_clip", "l2", "kld"))
    assert no_clip == (-12.0, 12.0)  # keeps the outliers
    for lo, hi in (l2, kld):  # both clip them, to a few sigma, but keep the bulk
        assert -8.0 < lo < -3.0 and 3.0 < hi < 8.0


def test_kld_clips_heavy_tails_tighter_than_l2() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_t(3, size=400_000).astype(np.float32)
    h = _hist(x)
    no_clip, l2, kld = (choose_range(h, m) for m in ("no_clip", "l2", "kld"))
    assert no_clip[0] < l2[0] < kld[0] < 0.0 < kld[1] < l2[1] < no_clip[1]
    assert kld[1] - kld[0] < 0.75 * (l2[1] - l2[0])


def test_relu_like_ranges_start_at_zero() -> None:
    rng = np.random.default_rng(0)
    x = np.maximum(rng.standard_normal(200_000), 0).astype(np.float32)
    x[:3] = [15.0, 14.0, 16.0]
    h = _hist(x)
    assert h.zeros > 90_000  # exact zeros are counted apart
    for m in ("no_clip", "l2", "kld"):
        lo, hi = choose_range(h, m)
        assert lo == 0.0 and 0.0 < hi <= 16.0
    assert choose_range(h, "kld")[1] < choose_range(h, "l2")[1] < 16.0


def test_degenerate_and_bad_method() -> None:
    h = RunningHistogram()
    h.add(np.zeros(10, np.float32))
    assert choose_range(h, "l2") == (0.0, 0.0)
    h.add(np.full(3, np.inf, np.float32))
    assert h.nonfinite == 3 and h.hi == 0.0
    with pytest.raises(KccError, match="not one of no_clip, l2, kld"):
        choose_range(h, "percentile")


def test_kld_falls_back_to_l2_on_sparse_histograms() -> None:
    # logits-like: 160 distinct values (a bulk and a few wide ones) seen over 8 samples: 1280 values over 2048 bins
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(-1.0, 0.3, 150), rng.uniform(-7.0, 4.0, 10)])
    x = np.tile(values, 8).astype(np.float32)
    h = _hist(x, chunks=8)
    assert h.binned < KLD_MIN_VALUES
    kld, l2 = choose_range(h, "kld"), choose_range(h, "l2")
    assert kld == l2  # without the fallback KL searches this sparse grid itself: (-5.63, 2.26), not l2's range
    lo, hi = kld
    assert float(np.mean((x >= lo) & (x <= hi))) >= 0.95
    # the same shape with enough values over enough bins is KL's own again
    dense = np.concatenate([rng.normal(-1.0, 0.3, 150_000), rng.uniform(-7.0, 4.0, 10_000)]).astype(np.float32)
    hd = _hist(dense)
    assert hd.binned >= KLD_MIN_VALUES and int(np.count_nonzero(hd.counts)) >= KLD_MIN_BINS
    assert choose_range(hd, "kld") != choose_range(hd, "l2")


def _uint8_mse(x: np.ndarray, r: tuple[float, float]) -> float:
    """What l2 minimizes, measured: mean squared error of x through the uint8 parameters `quantize` gives r."""
    scale, zp = uint8_params(*r)
    q = np.clip(np.rint(x / scale) + zp, 0, 255)
    return float(np.mean(((q - zp) * scale - x.astype(np.float64)) ** 2))


def _kl_of(h: RunningHistogram, r: tuple[float, float]) -> float:
    """What kld minimizes: KL(P || Q) of the range r (on the histogram's edges, within the data bins)."""
    counts = h.counts.astype(np.float64)
    nonzero = np.flatnonzero(counts)
    lo = max(round(r[0] / h.width) - h.start, int(nonzero[0]))
    hi = min(round(r[1] / h.width) - h.start, int(nonzero[-1]) + 1)
    return _kl(counts, lo, hi)


@pytest.mark.parametrize("shape", ["long_tail", "bimodal"])
def test_l2_and_kld_each_win_on_their_own_criterion(shape: str) -> None:
    """Where l2 and kld choose clearly different ranges, each range is the better one by its own method's
    criterion: l2's has the smaller squared uint8 error of the values, kld's the smaller KL divergence.

    * long tail (lognormal, like an exp or a softplus output): the tail holds little mass but big values; l2 keeps
      it (clipping values at 20-100 costs squared error), kld clips it to resolve the bulk: under half the span.
    * bimodal (two narrow modes at +-3, like a saturating layer): kld keeps all the mass of both modes (folding
      the outer flanks into the end bins changes the shape), l2 trims the flanks to gain resolution."""
    rng = np.random.default_rng(0)
    if shape == "long_tail":
        x = rng.lognormal(0.0, 1.0, 200_000).astype(np.float32)
    else:
        x = np.concatenate([rng.normal(-3.0, 0.5, 100_000), rng.normal(3.0, 0.5, 100_000)]).astype(np.float32)
    h = _hist(x)
    l2, kld = choose_range(h, "l2"), choose_range(h, "kld")
    inside = {m: float(np.mean((x >= r[0]) & (x <= r[1]))) for m, r in (("l2", l2), ("kld", kld))}
    if shape == "long_tail":  # measured: l2 (0.01, 90.4), kld (0.01, 26.9)
        assert l2[0] == kld[0] == h.lo and kld[1] < 0.45 * l2[1] < l2[1] < h.hi
        assert inside["l2"] > 0.99995 and 0.995 < inside["kld"] < 0.9999
    else:  # measured: l2 (-4.78, 4.77), kld (-5.25 = min, 5.03)
        assert h.lo <= kld[0] < l2[0] < -4.5 and 4.5 < l2[1] < kld[1] <= h.hi
        assert inside["kld"] > 0.99995 > inside["l2"]
    assert _uint8_mse(x, l2) < _uint8_mse(x, kld)  # l2's criterion prefers l2's range ...
    assert _kl_of(h, kld) < _kl_of(h, l2)  # ... and kld's criterion kld's
