"""Consistency of the weight-load registers of a layer argument (spec k210-kpu-and-kmodel-v3.md §2.3).

The KPU loads a layer's weights in ``load_time + 1`` chunks of ``o_ch_num_coef + 1`` output channels,
``para_size`` bytes each (the last chunk may be partial). Every generator (nncase v0.1 / v0.2, Maix-EMC, the
fixtures in ``fixtures/kmodel``) writes ``para_size = channels per load · bytes per output channel``; the weight
buffer holds at most 36 KiB of 8-bit weights per load (Maix-EMC's rule, the most generous one seen; nncase
uses 30 KiB), 72 KiB of 16-bit ones.
"""

from __future__ import annotations

from kcc.k210.layer_argument import LayerArgument

__all__ = ["MAX_BYTES_PER_LOAD", "check_weight_loads"]

MAX_BYTES_PER_LOAD = {1: 36 * 1024, 2: 72 * 1024}  # by weight bytes (8-bit / 16-bit mode)


def check_weight_loads(arg: LayerArgument, weight_bytes: int) -> list[str]:
    """Rules the load registers of ``arg`` break for ``weight_bytes``-byte weights (1 or 2). Empty list = OK."""
    if weight_bytes not in MAX_BYTES_PER_LOAD:
        return [f"weights are {weight_bytes} bytes wide; the KPU takes 1 (8-bit mode) or 2 (16-bit mode)"]
    try:
        k = arg.kernel_size
    except ValueError as e:
        return [str(e)]
    errs: list[str] = []
    per_oc = k * k * (1 if arg.depthwise else arg.in_channels) * weight_bytes
    per_load = arg.o_ch_num_coef + 1
    loads = arg.load_time + 1
    want_loads = -(-arg.out_channels // per_load)
    if loads != want_loads:
        errs.append(
            f"load_time + 1 = {loads} loads of {per_load} output channels, but {arg.out_channels} channels need {want_loads}"
        )
    if arg.para_size != per_load * per_oc:
        errs.append(f"para_size {arg.para_size} should be {per_load} channels x {per_oc} bytes = {per_load * per_oc}")
    limit = MAX_BYTES_PER_LOAD[weight_bytes]
    if per_load * per_oc > limit:
        errs.append(f"{per_load * per_oc} weight bytes per load exceed the {limit}-byte weight buffer")
    return errs
