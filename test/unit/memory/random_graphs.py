"""Seeded random interval graphs for the planner tests."""

from __future__ import annotations

import random

from kcc.memory import Buffer


def random_buffers(n: int, seed: int, align: int = 8) -> list[Buffer]:
    """`n` buffers with short, overlapping lifetimes over about `n` steps and sizes 8…800 bytes (some long-lived)."""
    rng = random.Random(seed)
    out: list[Buffer] = []
    for i in range(n):
        start = rng.randrange(0, n)
        length = rng.randrange(1, 12) if rng.random() < 0.9 else rng.randrange(1, max(2, n // 3))
        size = rng.randrange(1, 100) * align
        out.append(Buffer(i, size, start, start + length, align, name=f"%b{i}"))
    return out
