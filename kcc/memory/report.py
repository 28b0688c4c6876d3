"""The memory-map report: a text table per pool, and a chart of address x time (SVG text or PNG via pillow).

Text, per pool (sizes and offsets in bytes; KPU lines are 64 bytes)::

    plan-memory main: peak 8192 bytes, lower bound 8192, first-fit 8192, optimal (first-fit meets the lower bound), 3 buffers
      offset     size  live    value
           0     4096  0-1     %a
        4096     4096  1-2     %b (aliases %r)
"""

from __future__ import annotations

import colorsys
import zlib
from collections.abc import Sequence
from pathlib import Path

from kcc.memory.buffers import Buffer, Plan

__all__ = ["plan_summary", "plan_table", "write_chart"]


def plan_summary(plan: Plan, unit_bytes: int = 1) -> str:
    """One line: peak, lower bound, first-fit peak, status, solve time is left out (not deterministic)."""
    u = unit_bytes
    status = plan.status + (f", gap {plan.gap:.2%}" if plan.status != "optimal" else "")
    notes = f" ({'; '.join(plan.notes)})" if plan.notes else ""
    return (
        f"plan-memory {plan.pool}: peak {plan.peak * u} bytes, lower bound {plan.lower_bound * u}, "
        f"first-fit {plan.first_fit_peak * u}, {plan.method} {status}{notes}, {len(plan.buffers)} buffers"
    )


def plan_table(plan: Plan, unit_bytes: int = 1) -> str:
    """The summary line and one row per buffer, by offset then start."""
    u = unit_bytes
    lines = [plan_summary(plan, unit_bytes), f"  {'offset':>8} {'size':>8}  {'live':<9} value"]
    for b in sorted(plan.buffers, key=lambda b: (plan.offsets[b.id], b.start, b.id)):
        alias = f" (aliases {', '.join(b.aliases)})" if b.aliases else ""
        lines.append(f"  {plan.offsets[b.id] * u:>8} {b.size * u:>8}  {f'{b.start}-{b.end}':<9} {b.label}{alias}")
    return "\n".join(lines) + "\n"


def _colour(b: Buffer) -> tuple[int, int, int]:
    hue = (zlib.crc32(b.label.encode()) % 360) / 360.0
    r, g, bl = colorsys.hsv_to_rgb(hue, 0.45, 0.95)
    return int(r * 255), int(g * 255), int(bl * 255)


_W, _H, _MARGIN = 960, 540, 40


def _rects(plan: Plan) -> list[tuple[Buffer, float, float, float, float]]:
    steps = max((b.end for b in plan.buffers), default=0) + 1
    top = max(plan.peak, 1)
    sx = (_W - 2 * _MARGIN) / steps
    sy = (_H - 2 * _MARGIN) / top
    out: list[tuple[Buffer, float, float, float, float]] = []
    for b in plan.buffers:
        x0 = _MARGIN + b.start * sx
        x1 = _MARGIN + (b.end + 1) * sx
        y1 = _H - _MARGIN - plan.offsets[b.id] * sy
        y0 = y1 - b.size * sy
        out.append((b, x0, y0, x1, y1))
    return out


def _svg(plans: Sequence[Plan], unit_bytes: Sequence[int]) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H * len(plans)}">']
    for i, (plan, u) in enumerate(zip(plans, unit_bytes, strict=True)):
        dy = i * _H
        parts.append(f'<g transform="translate(0,{dy})">')
        parts.append(
            f'<text x="{_MARGIN}" y="{_MARGIN - 12}" font-family="monospace" font-size="13">'
            f"{plan.pool}: peak {plan.peak * u} bytes, lower bound {plan.lower_bound * u} (x: step, y: address)</text>"
        )
        parts.append(
            f'<rect x="{_MARGIN}" y="{_MARGIN}" width="{_W - 2 * _MARGIN}" height="{_H - 2 * _MARGIN}" '
            'fill="none" stroke="black"/>'
        )
        for b, x0, y0, x1, y1 in _rects(plan):
            r, g, bl = _colour(b)
            parts.append(
                f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
                f'fill="rgb({r},{g},{bl})" stroke="black" stroke-width="0.5">'
                f"<title>{b.label} offset {plan.offsets[b.id] * u} size {b.size * u} live {b.start}-{b.end}</title></rect>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _png(plans: Sequence[Plan], unit_bytes: Sequence[int], path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (_W, _H * max(len(plans), 1)), "white")
    draw = ImageDraw.Draw(image)
    for i, (plan, u) in enumerate(zip(plans, unit_bytes, strict=True)):
        dy = i * _H
        title = f"{plan.pool}: peak {plan.peak * u} bytes, lower bound {plan.lower_bound * u}"
        draw.text((_MARGIN, dy + _MARGIN - 16), title, fill="black")
        draw.rectangle((_MARGIN, dy + _MARGIN, _W - _MARGIN, dy + _H - _MARGIN), outline="black")
        for b, x0, y0, x1, y1 in _rects(plan):
            draw.rectangle((x0, dy + y0, max(x1 - 1, x0), dy + max(y1 - 1, y0)), fill=_colour(b), outline="black")
    image.save(path, format="PNG")


def write_chart(plans: Sequence[Plan], path: str | Path, unit_bytes: Sequence[int] | None = None) -> None:
    """Write the address x time chart of `plans` (one panel per pool): PNG for a `.png` name, else SVG text.
    Written atomically (temp file + rename)."""
    path = Path(path)
    units = list(unit_bytes) if unit_bytes is not None else [1] * len(plans)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".png":
        _png(plans, units, tmp)
    else:
        tmp.write_text(_svg(plans, units))
    tmp.replace(path)
