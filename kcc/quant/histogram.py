"""A running value histogram: 2048 bins, filled in ONE pass over the data, exact re-binning when it grows.

Bins are anchored at 0: bin `k` (an integer, possibly negative) is `[k * width, (k + 1) * width)`, and the
histogram keeps the 2048 consecutive bins `start .. start + 2047`. The window always contains 0 (every
quantized range does). The first batch sets `width = (max - min) / 2046` over its data and 0 (a batch of one
value: `max(|x|, 1) * 2**-20`). When a later batch does not fit, the width doubles (pairs of bins merge: bin
`k` goes to `floor(k / 2)`, exact because bins are anchored at 0) until the old window and the new data fit,
so no sample is ever approximated twice. After a doubling the data spans at least half the window: the
histogram resolves its observed range with at least 1024 bins (2047 when the first batch holds the extremes,
the usual case for a dataset of similar samples).

Non-finite values are not counted (they are reported as `nonfinite`). Exact zeros (ReLU floors, padding) are
counted apart in `zeros` and not binned: every range `quantize` uses contains 0 and represents it exactly, so
they carry no quantization error, and as a spike in one bin they would dominate the range search (min/max
still include them).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

BINS = 2048


class RunningHistogram:
    """Min/max and (optionally) a 2048-bin histogram of every value seen."""

    def __init__(self, with_histogram: bool = True, bins: int = BINS):
        self.bins = bins
        self.with_histogram = with_histogram
        self.lo = math.inf
        self.hi = -math.inf
        self.count = 0
        self.nonfinite = 0
        self.zeros = 0
        self.binned = 0
        self.width = 0.0
        self.start = 0
        self.counts: NDArray[np.int64] = np.zeros(bins if with_histogram else 0, dtype=np.int64)

    @property
    def empty(self) -> bool:
        return self.count == 0

    def add(self, x: NDArray[np.floating]) -> None:
        data = np.asarray(x).reshape(-1)
        if data.size == 0:
            return
        lo, hi = float(data.min()), float(data.max())
        if not (math.isfinite(lo) and math.isfinite(hi)):
            finite = np.isfinite(data)
            self.nonfinite += int(data.size - int(finite.sum()))
            data = data[finite]
            if data.size == 0:
                return
            lo, hi = float(data.min()), float(data.max())
        self.lo, self.hi = min(self.lo, lo), max(self.hi, hi)
        self.count += int(data.size)
        if not self.with_histogram:
            return
        nonzero = data != 0
        n_nonzero = int(np.count_nonzero(nonzero))
        self.zeros += int(data.size) - n_nonzero
        if n_nonzero == 0:
            return
        if n_nonzero != data.size:
            data = data[nonzero]
            lo, hi = float(data.min()), float(data.max())
        first = self.binned == 0
        self.binned += n_nonzero
        lo, hi = min(lo, 0.0), max(hi, 0.0)  # the window always holds 0: every quantized range does
        if first:
            span = hi - lo
            self.width = span / (self.bins - 2) if span > 0 else max(abs(lo), 1.0) * 2.0**-20
            self.start = math.floor(lo / self.width)
        else:
            self._grow_to(lo, hi)
        idx = np.floor(data.astype(np.float64) / self.width).astype(np.int64) - self.start
        np.clip(idx, 0, self.bins - 1, out=idx)  # float rounding at the window's edges
        self.counts += np.bincount(idx, minlength=self.bins)

    def _grow_to(self, lo: float, hi: float) -> None:
        width, start = self.width, self.start
        shift = 0
        while True:
            first = min(start >> shift, math.floor(lo / width))
            last = max((start + self.bins - 1) >> shift, math.floor(hi / width))
            if last - first < self.bins:
                break
            shift += 1
            width *= 2.0
        if shift == 0 and first == start:
            return
        old = np.arange(self.start, self.start + self.bins, dtype=np.int64)
        new_index = (old >> shift) - first
        counts = np.zeros(self.bins, dtype=np.int64)
        np.add.at(counts, new_index, self.counts)
        self.counts, self.width, self.start = counts, width, first

    def edges(self) -> NDArray[np.float64]:
        """The bins + 1 bin edges."""
        return (self.start + np.arange(self.bins + 1, dtype=np.float64)) * self.width
