"""bench.cycle_model: the K210 latency estimate (docs/cycle-model.md) against the measurements it is fitted to."""

from __future__ import annotations

import pytest

from bench.cycle_model import (
    CPU_HZ,
    KPU_HZ,
    cpu_node_cycles,
    estimate_latency,
    kpu_compute_cycles,
    kpu_layer_cycles,
)
from kcc.backends._kpu import KpuGeometry
from kcc.backends.kmodel_v4 import format as f4
from kcc.k210.kpu_ram import row_layout

# Sipeed, "MAIX performance and limit for AI models" (bbs.sipeed.com/t/topic/691): 3x3 conv 128 -> 128 channels,
# 16-bit weights, KPU at 300 MHz; (width, height, measured ms).
SIPEED = [
    (4, 4, 0.339),
    (16, 4, 0.339),
    (16, 16, 0.417),
    (32, 16, 0.692),
    (32, 32, 1.138),
    (64, 32, 2.125),
    (64, 64, 3.891),
    (128, 64, 7.709),
    (128, 128, 14.778),
    (256, 256, 57.756),
]


def geometry(c_in: int, c_out: int, h: int, w: int, *, depthwise: bool = False, kernel: int = 3) -> KpuGeometry:
    lay = row_layout(h, w)
    return KpuGeometry(
        depthwise=depthwise,
        src_line=0,
        dst_line=0,
        in_channels=c_in,
        out_channels=c_out,
        out_channels_per_load=c_out,
        in_width=w,
        in_height=h,
        out_width=w,
        out_height=h,
        kernel=kernel,
        kernel_type=1 if kernel == 3 else 0,
        pool_type=0,
        pad_value=0,
        load_time=0,
        para_size=0,
        in_ch_lines=lay.channel_switch,
        in_row_len=lay.row_len,
        in_groups=lay.groups,
        out_ch_lines=lay.channel_switch,
        out_row_len=lay.row_len,
        out_groups=lay.groups,
        send_data_out=False,
        bwsx_base_addr=0,
        para_start_addr=0,
        active_addr=0,
    )


@pytest.mark.parametrize(("w", "h", "measured_ms"), SIPEED)
def test_kpu_layer_matches_sipeed_measurement(w: int, h: int, measured_ms: float) -> None:
    g = geometry(128, 128, h, w)
    ms = 1e3 * kpu_layer_cycles(g, 128 * 128 * 9 * 2) / 300e6  # the measurement ran the KPU at 300 MHz
    assert abs(ms / measured_ms - 1) < 0.3, (w, h, ms, measured_ms)
    if w * h >= 64 * 32:  # large maps: within 3%
        assert abs(ms / measured_ms - 1) < 0.03


def test_compute_cycles_lines_times_output_channels() -> None:
    # 64 wide: one line per row per channel; 4 channels share a line at width <= 16
    assert kpu_compute_cycles(geometry(8, 16, 10, 64)) == 8 * 10 * 16
    assert kpu_compute_cycles(geometry(8, 16, 10, 16)) == 2 * 10 * 16
    assert kpu_compute_cycles(geometry(8, 8, 10, 64, depthwise=True)) == 8 * 10
    assert kpu_compute_cycles(geometry(8, 16, 10, 65)) == 8 * 10 * 2 * 16  # two lines per row


def _range(size: int, dtype: int) -> f4.MemoryRange:
    return f4.MemoryRange(memory_type=1, datatype=dtype, start=0, size=size)


def test_cpu_costs() -> None:
    f32 = next(k for k, v in f4.DATATYPES.items() if v == "f32")
    body = f4.InOutBody(input=_range(4000, f32), output=_range(4000, f32))
    softmax, copy = cpu_node_cycles("softmax", body), cpu_node_cycles("MEMORY_COPY", body)
    assert softmax > copy > 1000 * 1  # 1000 elements each
    assert cpu_node_cycles("KL_SOFTMAX", body) == softmax  # v3 names, any case


def test_estimate_latency_sums_nodes() -> None:
    from test_zoo_compile import compiled_tiny  # the compiled tiny KWS of the zoo benchmark's test

    est = estimate_latency(compiled_tiny())
    assert est.nodes and est.total_ms == pytest.approx(sum(n.ms for n in est.nodes))
    assert est.kpu_ms > 0 and est.cpu_ms > 0
    for n in est.nodes:
        if not n.kpu:
            assert n.ms == pytest.approx(1e3 * n.cycles / CPU_HZ)
        else:  # KPU cycles at KPU_HZ, the download at CPU_HZ (the same 400 MHz today)
            assert n.ms == pytest.approx(1e3 * n.cycles / KPU_HZ) if KPU_HZ == CPU_HZ else n.ms > 0
