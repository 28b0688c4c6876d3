"""The C KPU layer against the simulator's (kcc.k210.kpu_layer with nncase v0.2's readings) on random layers:
1x1 and 3x3, depthwise, every pool type, pad values, arg_x / arg_w / arg_add, BN shifts, signed activation
multipliers (the banker rounding's negative branch), unsorted segment starts, two batches, every row layout
(widths <= 16, <= 32, > 64), inputs in KPU RAM and uploaded from main RAM. Two programs, one build."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from c_build import CModel, assert_matches_sim, build_shared
from kmodel_dialect.all_ops import act_words, bn_words, kpu_bytes, main, node, program4
from xdsl.dialects.builtin import ModuleOp

from kcc.backends.kmodel_dialect import module_to_model
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.dialects.kmodel import RangeAttr, v4
from kcc.k210.kpu_layer import batch_norm, conv_alu
from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.tables import BatchNormTable
from kcc.sim.v4 import V4_KPU_OPTIONS

POOL_STRIDE = (1, 2, 2, 4, 4, 2, 2, 4, 1, 1)
WIDTHS = (4, 8, 13, 20, 28, 40, 70)


def _layer(rng: np.random.Generator, index: int) -> dict[str, Any]:
    pool = index % 10
    s = POOL_STRIDE[pool]
    kernel = 3 if index % 3 else 1
    depthwise = index % 4 == 3
    w = int(rng.choice([x for x in WIDTHS if x >= s]))
    h = s * int(rng.integers(1, 4)) + (int(rng.integers(0, s)) if s > 1 else int(rng.integers(0, 3)))
    h = max(h, s)
    ic = int(rng.integers(1, 6))
    oc = ic if depthwise else int(rng.integers(1, 6))
    k2 = kernel * kernel
    nweights = oc * k2 if depthwise else oc * ic * k2
    return {
        "pool": pool,
        "kernel": kernel,
        "depthwise": depthwise,
        "h": h,
        "w": w,
        "ic": ic,
        "oc": oc,
        "batches": 2 if index % 5 == 4 else 1,
        "upload": index % 2 == 1,
        "pad_value": int(rng.integers(0, 256)),
        "arg_x": int(rng.integers(-(1 << 12), 1 << 12)),
        "shr_x": int(rng.integers(0, 16)),
        "arg_w": int(rng.integers(-(1 << 14), 1 << 14)),
        "shr_w": int(rng.integers(0, 16)),
        "arg_add": int(rng.integers(-(1 << 24), 1 << 24)),
        "weights": rng.integers(0, 256, nweights).astype(np.uint8),
        "bn": bn_words(
            rng.integers(-(1 << 12), 1 << 12, oc).tolist(),
            rng.integers(-(1 << 20), 1 << 20, oc).tolist(),
            rng.integers(0, 16, oc).tolist(),
        ),
    }


def _activation(rng: np.random.Generator, t: np.ndarray, shuffle: bool) -> np.ndarray:
    """16 segments over the BN outputs `t` the layer actually produces, scaled so most results land in 0..255
    (mixed signs: negative products take the banker rounding's negative branch)."""
    lo, hi = int(t.min()), int(t.max())
    span = max(hi - lo, 1)
    hits = rng.choice(np.unique(t), 7)  # starts equal to produced values: `start < t` vs `start <= t` differ
    starts = np.sort(np.concatenate([rng.integers(lo - span // 8, hi + 1, 8), hits]))
    if shuffle:
        rng.shuffle(starts)  # unsorted starts: the highest index with start < t wins
    segs: list[tuple[int, int, int, int]] = [(-(1 << 35), int(rng.integers(-300, 300)), 40, 128)]
    for j, st in enumerate(starts.tolist()):
        if j % 3 == 0:  # tiny multipliers: exact halves (ties) on both signs
            mul, shift = int(rng.choice([1, -1, 3, -3])), int(rng.integers(1, 3))
        else:
            mul = int(rng.integers(1, 1 << 15)) * (1 if rng.random() < 0.6 else -1)
            shift = max(0, min(63, int(np.ceil(np.log2(abs(mul) * span / 128)))))
        segs.append((int(st), mul, shift, int(rng.integers(64, 192))))
    return act_words(segs)


def _program(seed: int, layers: int) -> tuple[KModelV4, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    nodes: list[Any] = []
    inputs: list[tuple[RangeAttr, tuple[int, int, int, int]]] = []
    arrays: list[np.ndarray] = []
    outputs: list[RangeAttr] = []
    line, main_off = 1, 0
    for k in range(layers):
        p = _layer(rng, seed * 100 + k)
        n, ic, oc, h, w = p["batches"], p["ic"], p["oc"], p["h"], p["w"]
        s = POOL_STRIDE[p["pool"]]
        oh, ow = h // s, w // s
        in_b, out_b = kpu_bytes(ic, h, w), kpu_bytes(oc, oh, ow)
        src, dst = line, line + n * in_b // 64
        line = dst + n * out_b // 64 + 1
        arg = make_layer_argument(
            in_channels=ic,
            out_channels=oc,
            height=h,
            width=w,
            kernel=p["kernel"],
            pool_type=p["pool"],
            depthwise=p["depthwise"],
            src_addr=src,
            dst_addr=dst,
            pad_value=p["pad_value"],
            arg_x=p["arg_x"],
            shr_x=p["shr_x"],
            arg_w=p["arg_w"],
            shr_w=p["shr_w"],
            arg_add=p["arg_add"],
            send_data_out=True,
        )
        x = rng.integers(0, 256, (n, ic, h, w)).astype(np.uint8)
        alu = conv_alu(
            x[0], p["weights"], kernel=p["kernel"], depthwise=p["depthwise"], pad_value=p["pad_value"], arg_x=p["arg_x"],
            shr_x=p["shr_x"], arg_w=p["arg_w"], shr_w=p["shr_w"], arg_add=p["arg_add"], out_channels=oc,
            options=V4_KPU_OPTIONS,
        )  # fmt: skip
        t = batch_norm(alu, BatchNormTable.decode(p["bn"].tobytes(), oc))
        act = _activation(rng, np.asarray(t, dtype=np.int64), shuffle=k % 7 == 6)
        kpu_in = RangeAttr("kpu", src * 64, n * in_b, "u8")
        if p["upload"]:
            inputs.append((main(main_off, x.size, "u8"), x.shape))
            nodes.append(node(v4.KpuUploadOp, input=main(main_off, x.size, "u8"), output=kpu_in, in_shape=x.shape))
            main_off += x.size
        else:
            inputs.append((kpu_in, x.shape))
        arrays.append(x)
        count = n * oc * oh * ow
        out = main(main_off, count, "u8")
        main_off += count
        nodes.append(
            node(
                v4.KpuConv2dOp,
                main_mem_output=out,
                batches=n,
                reserved=0,
                layer_argument=np.array(arg.words(), dtype="<u8"),
                batch_norm=p["bn"],
                activation=act,
                weights=p["weights"],
                input=kpu_in,
                output=RangeAttr("kpu", dst * 64, n * out_b, "u8"),
            )
        )
        outputs.append(out)
    module: ModuleOp = program4(nodes, main_off + (-main_off) % 8, inputs, outputs)
    model = module_to_model(module)
    assert isinstance(model, KModelV4)
    return model, arrays


PROGRAMS = {f"seed{seed}": _program(seed, 20) for seed in (1, 2)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CModel]:
    return build_shared({k: m for k, (m, _) in PROGRAMS.items()}, tmp_path_factory, "kpu")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_random_kpu_layers_match_simulator(name: str, built: dict[str, CModel]) -> None:
    model, xs = PROGRAMS[name]
    cm = built[name]
    assert_matches_sim(model, xs, cm(xs))


def test_the_layers_cover_the_kpu_features() -> None:
    args = [n.body.arg for m, _ in PROGRAMS.values() for n in m.nodes if n.name == "kpu_conv2d"]
    assert {a.pool_type for a in args} == set(range(10))
    assert {a.kernel_size for a in args} == {1, 3}
    assert {a.coef_group for a in args} == {1, 2, 4} and max(a.row_switch_addr for a in args) == 2
    assert any(a.depthwise for a in args) and any(not a.depthwise for a in args)
    batches = [n.body.batches for m, _ in PROGRAMS.values() for n in m.nodes if n.name == "kpu_conv2d"]
    assert set(batches) == {1, 2}


def test_outputs_are_not_trivial() -> None:
    """The random tables give varied outputs (not all 0 or 255), so the comparison means something."""
    from kcc.sim import simulate

    for model, xs in PROGRAMS.values():
        outs = np.concatenate([o.reshape(-1) for o in simulate(model, xs).outputs])
        mid = np.count_nonzero((outs > 0) & (outs < 255))
        assert mid > outs.size // 4, f"only {mid} of {outs.size} outputs strictly inside 0..255"
