"""Integer-exact kernels of quantized `nn` ops (registered with `kcc.interp.quantized.exact_kernel`)."""

from __future__ import annotations
