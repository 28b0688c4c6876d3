"""Estimated K210 latency of a compiled kmodel (v3 or v4): the cycle model of docs/cycle-model.md.

    est = estimate_latency(read_kmodel(data))
    est.total_ms, est.kpu_ms, est.cpu_ms, est.nodes   # per node: NodeCost(index, name, kpu, cycles, ms)

The runtimes run the nodes one after another (the CPU waits for each KPU layer's interrupt), so the latency
is the sum of the node costs. Every constant below names its source; "estimate" means no measurement backs
it (docs/cycle-model.md explains each one and how far to trust the result).
"""

from __future__ import annotations

from dataclasses import dataclass

from kcc.backends import KModelV3, KModelV4
from kcc.backends._kpu import KpuGeometry
from kcc.backends.kmodel_v3 import format as f3
from kcc.backends.kmodel_v4 import format as f4

# Clocks. K210 datasheet (kendryte-doc-datasheet): dual-core RV64GC at 400 MHz nominal; Sipeed "MAIX performance
# and limit for AI models" (bbs.sipeed.com/t/topic/691): "Normal KPU freq 400M".
CPU_HZ = 400e6
KPU_HZ = 400e6

# KPU layer = KPU_COMPUTE_FACTOR x compute cycles + weight bytes / KPU_WEIGHT_BYTES_PER_CYCLE, where compute cycles
# are (output channels, 1 for depthwise) x (64-byte lines of the input map). Least-squares fit of Sipeed's
# measured 3x3 conv 128->128, 16-bit weights, KPU at 300 MHz, 4x4 .. 256x256 (docs/cycle-model.md, table 1):
# a = 1.028, b = 91318 cycles for 294912 weight bytes. Splitting b into weight streaming alone is an estimate.
KPU_COMPUTE_FACTOR = 1.028
KPU_WEIGHT_BYTES_PER_CYCLE = 294912 / 91318
# KPU output written to main RAM (kpu.download / send_data_out): estimate, 4 bytes per CPU cycle (one 64-bit
# bus word every two cycles).
KPU_DOWNLOAD_BYTES_PER_CYCLE = 4.0

# CPU nodes (estimates: scalar RV64GC code of the runtimes' C kernels, no SIMD, at CPU_HZ):
CPU_NODE_OVERHEAD = 500  # cycles per node: dispatch, header decode, call
CPU_CYCLES_PER_ELEMENT = 10  # element-wise / data movement: loads, the op, store, loop and index arithmetic
CPU_CYCLES_PER_TRANSCENDENTAL = 60  # softmax / sigmoid / exp-based ops (a libm expf call per element)
CPU_CYCLES_PER_MAC = 6  # CPU conv / matmul: two loads, one fmadd (or integer multiply-add), loop
KPU_UPLOAD_CYCLES_PER_BYTE = 2  # kpu_upload: each byte rearranged into the 64-byte-line KPU layout

_TRANSCENDENTAL = ("softmax", "sigmoid", "logistic", "exp", "tanh", "log", "sqrt", "rsqrt", "l2_normalization")
_DTYPE_BYTES = {"f32": 4, "i32": 4, "u8": 1, "i8": 1, "u16": 2, "i16": 2}


@dataclass(frozen=True)
class NodeCost:
    index: int
    name: str
    kpu: bool
    cycles: float  # in the clock of the unit that runs the node
    ms: float


@dataclass(frozen=True)
class LatencyEstimate:
    nodes: tuple[NodeCost, ...]

    @property
    def kpu_ms(self) -> float:
        return sum(n.ms for n in self.nodes if n.kpu)

    @property
    def cpu_ms(self) -> float:
        return sum(n.ms for n in self.nodes if not n.kpu)

    @property
    def total_ms(self) -> float:
        return self.kpu_ms + self.cpu_ms


def kpu_compute_cycles(g: KpuGeometry) -> int:
    """Cycles of the MAC array: one 64-byte input line per cycle, once per output channel (once for depthwise)."""
    lines = g.in_bytes // 64
    return lines * (1 if g.depthwise else g.out_channels)


def kpu_layer_cycles(g: KpuGeometry, weight_bytes: int) -> float:
    """KPU cycles of one layer (without the download of its output to main RAM)."""
    return KPU_COMPUTE_FACTOR * kpu_compute_cycles(g) + weight_bytes / KPU_WEIGHT_BYTES_PER_CYCLE


def _elements(body: f3.Body | f4.Body, roles: tuple[str, ...]) -> int:
    return sum(r.size // _DTYPE_BYTES.get(r.dtype, 1) for r in body.ranges() if r.role.startswith(roles))


def _cpu_macs(body: f3.Body | f4.Body) -> int:
    """Multiply-accumulates of a CPU conv / matmul node (0 for other nodes)."""
    if isinstance(body, f4.MatmulBody | f4.QuantizedMatmulBody):
        return body.a_rows * body.a_cols * body.b_cols
    if isinstance(body, f3.FullyConnectedBody):
        return body.in_channels * body.out_channels
    if isinstance(body, f4.Conv2dBody | f4.QuantizedConv2dBody):
        return _elements(body, ("out",)) * (body.weights.size // max(1, body.out_channels))
    if isinstance(body, f4.Conv2dTransposeBody):
        _, _, h, w = body.in_shape
        return h * w * body.weights.size
    return 0


def cpu_node_cycles(name: str, body: f3.Body | f4.Body) -> float:
    """CPU cycles of one non-KPU node (`name`: the v3 layer type or v4 opcode name, any case)."""
    name = name.lower()
    macs = _cpu_macs(body)
    if macs:
        return CPU_NODE_OVERHEAD + CPU_CYCLES_PER_MAC * macs
    if "upload" in name:
        return CPU_NODE_OVERHEAD + KPU_UPLOAD_CYCLES_PER_BYTE * sum(r.size for r in body.ranges() if r.role.startswith("out"))
    elements = max(_elements(body, ("in",)), _elements(body, ("out",)))
    per = CPU_CYCLES_PER_TRANSCENDENTAL if any(t in name for t in _TRANSCENDENTAL) else CPU_CYCLES_PER_ELEMENT
    return CPU_NODE_OVERHEAD + per * elements


def estimate_latency(model: KModelV3 | KModelV4) -> LatencyEstimate:
    """Per-node cycles and milliseconds of `model` on a K210 at CPU_HZ / KPU_HZ."""
    costs: list[NodeCost] = []
    nodes: tuple[f3.Layer, ...] | tuple[f4.Node, ...] = model.layers if isinstance(model, KModelV3) else model.nodes
    for node in nodes:
        body = node.body
        if isinstance(body, f3.K210ConvBody | f4.KpuConv2dBody):
            kpu = kpu_layer_cycles(body.geometry, int(body.weights.nbytes))
            download = 0.0
            if isinstance(body, f4.KpuConv2dBody):
                download = body.main_mem_output.size / KPU_DOWNLOAD_BYTES_PER_CYCLE
            elif body.main_mem_out:
                download = body.geometry.out_bytes / KPU_DOWNLOAD_BYTES_PER_CYCLE
            ms = 1e3 * (kpu / KPU_HZ + download / CPU_HZ)
            costs.append(NodeCost(node.index, node.name, True, kpu + download, ms))
        else:
            cycles = cpu_node_cycles(node.name, body)
            costs.append(NodeCost(node.index, node.name, False, cycles, 1e3 * cycles / CPU_HZ))
    return LatencyEstimate(tuple(costs))
