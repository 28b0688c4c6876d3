"""kmodel v3/v4 readers on the real fixture files: structure, exact re-encoding of the KPU blocks, and clean
KccErrors for truncated or corrupted copies."""

import struct
from pathlib import Path

import numpy as np
import pytest

from kcc.backends import read_kmodel
from kcc.backends.kmodel_v3 import KModelV3, LayerType, read_kmodel_v3
from kcc.backends.kmodel_v3 import format as f3
from kcc.backends.kmodel_v4 import KModelV4, Opcode, read_kmodel_v4
from kcc.backends.kmodel_v4 import format as f4
from kcc.errors import KccError
from kcc.sim import simulate

V3 = ["maixemc_cifar10_v3.kmodel", "nncase01_yolo20_v3.kmodel", "nncase01_iris_v3.kmodel"]
V4 = ["nncase02_iris_v4.kmodel", "nncase02_yolo20_v4.kmodel"]


def _kpu_bodies(model):
    items = model.layers if isinstance(model, KModelV3) else model.nodes
    return [n.body for n in items if n.is_kpu]


@pytest.mark.parametrize("name", V3 + V4)
def test_kpu_blocks_reencode_exactly(fixtures: Path, name: str) -> None:
    data = (fixtures / name).read_bytes()
    model = read_kmodel(data)
    for b in _kpu_bodies(model):
        assert b.arg.encode() == b.arg_raw
        assert b.bn.encode() == b.bn_raw
        assert b.act.encode() == b.act_raw
        # the raw blocks are the file's bytes at the recorded offsets
        off = b.layer_offset if isinstance(b, f3.K210ConvBody) else None
        if off is not None:
            assert data[off : off + 96] == b.arg_raw
            assert data[b.bn_offset : b.bn_offset + len(b.bn_raw)] == b.bn_raw
            assert data[b.weights_offset : b.weights_offset + b.weights.nbytes] == b.weights.tobytes()
        else:
            assert data[b.bn_offset : b.bn_offset + len(b.bn_raw)] == b.bn_raw
            assert data[b.act_offset : b.act_offset + 144] == b.act_raw
            assert data[b.weights_offset : b.weights_offset + b.weights.size] == b.weights.tobytes()


def test_cifar10_v3_structure_and_maixemc_quirks(fixtures: Path) -> None:
    m = read_kmodel_v3((fixtures / "maixemc_cifar10_v3.kmodel").read_bytes())
    assert [layer.type for layer in m.layers] == [10240, 8, 10243, 10240, 8, 21, 12, 18, 18]
    assert m.header.main_mem_usage == 40960 and m.outputs == (f3.Output(40920, 40),)
    # Maix-EMC can leave sign-extension bits 40..63 of conv_value2 set: arg_add ignores them, encode keeps them
    data = (fixtures / "maixemc_cifar10_v3.kmodel").read_bytes()
    c0 = _kpu_bodies(m)[0]
    words = list(struct.unpack("<12Q", c0.arg_raw))
    words[10] |= 0xFFFFFF << 40
    raw = struct.pack("<12Q", *words)
    m2 = read_kmodel_v3(data[: c0.layer_offset] + raw + data[c0.layer_offset + 96 :])
    c2 = _kpu_bodies(m2)[0]
    assert c2.arg.arg_add == c0.arg.arg_add and c2.arg.conv_value2_reserved == 0xFFFFFF and c2.arg.encode() == raw
    fc = m.layers[7].body
    assert isinstance(fc, f3.FullyConnectedBody) and fc.weights.shape == (16, 4096) and fc.act == 1
    # bodies are not 8-aligned and end exactly at EOF
    assert m.layers[-1].offset + m.layers[-1].body_size == m.file_size


def test_yolo_v3_structure_and_tail_overrun(fixtures: Path) -> None:
    m = read_kmodel_v3((fixtures / "nncase01_yolo20_v3.kmodel").read_bytes())
    assert len(m.layers) == 17 and m.layers[16].type == LayerType.CHANNELWISE_DEQUANTIZE
    last = m.layers[-1]
    assert last.offset + last.body_size - m.file_size == 4  # the unwritten tail padding quirk
    l0 = _kpu_bodies(m)[0]
    words = struct.unpack("<12Q", l0.arg_raw)
    assert words[1] == 0x71F0 and words[9] == 0x00BD0000000000F0  # spec §2 test vector
    assert l0.arg.arg_x == -4390912 and l0.arg.image_src_addr == 29168 and l0.geometry.pool_name == "max_2_s2"
    assert (int(l0.bn.norm_mul[0]), int(l0.bn.norm_add[0]), int(l0.bn.norm_shift[0])) == (15992, 27311, 15)
    pools = {c.geometry.pool_type for c in _kpu_bodies(m)}
    assert pools == {0, 1, 9}
    dq = m.layers[16].body
    assert isinstance(dq, f3.ChannelwiseDequantizeBody) and (dq.channels, dq.channel_size) == (125, 70)


def test_iris_v3_fc_only(fixtures: Path) -> None:
    m = read_kmodel_v3((fixtures / "nncase01_iris_v3.kmodel").read_bytes())
    assert m.header.max_start_address == 32768
    assert [(b.in_channels, b.out_channels) for b in (layer.body for layer in m.layers)] == [(4, 10), (10, 3)]  # type: ignore[union-attr]


def test_v4_structures(fixtures: Path) -> None:
    y = read_kmodel_v4((fixtures / "nncase02_yolo20_v4.kmodel").read_bytes())
    assert y.header.reserved0 == 0xCCCCCCCC  # uninitialised garbage, accepted
    assert y.inputs[0] == f4.MemoryRange(2, 1, 0, 230400) and y.input_shapes[0] == (1, 3, 240, 320)
    assert y.bodies_start == 224
    c0 = y.nodes[0].body
    assert isinstance(c0, f4.KpuConv2dBody)
    assert (c0.bn_offset, c0.act_offset, c0.weights_offset) == (512, 768, 1024)  # spec §3.3 example
    assert y.nodes[-1].opcode == Opcode.DEQUANTIZE
    i = read_kmodel_v4((fixtures / "nncase02_iris_v4.kmodel").read_bytes())
    assert [n.opcode for n in i.nodes] == [Opcode.TRANSPOSE, Opcode.MATMUL, Opcode.TRANSPOSE, Opcode.MATMUL]
    assert isinstance(i, KModelV4) and i.header.constants == 280


# ------------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("name", V3 + V4)
def test_truncated_copies_raise_kccerror(fixtures: Path, name: str) -> None:
    data = (fixtures / name).read_bytes()
    cuts = sorted(
        {
            0,
            1,
            3,
            4,
            20,
            27,
            28,
            35,
            39,
            41,
            60,
            100,
            200,
            len(data) // 3,
            len(data) // 2,
            len(data) - 8,
            len(data) - 50,
            len(data) - 1000,
        }
    )
    for n in cuts:
        if n >= len(data) - 7 and n > 0:
            continue
        with pytest.raises(KccError) as e:
            read_kmodel(data[:n])
        assert "\n" not in str(e.value)


def _patch(data: bytes, off: int, value: int) -> bytes:
    return data[:off] + struct.pack("<I", value) + data[off + 4 :]


def test_corrupted_v3_fields(fixtures: Path) -> None:
    data = (fixtures / "nncase01_yolo20_v3.kmodel").read_bytes()
    cases = {
        "version": _patch(data, 0, 5),
        "arch": _patch(data, 8, 1),
        "main_mem": _patch(data, 20, 1 << 30),
        "layers": _patch(data, 12, 0x10000000),
        "output": _patch(data, 28, 43752),
        "type": _patch(data, 36, 999),
        "body_size": _patch(data, 40, 0x7FFFFFFF),
        "layer_offset": _patch(data, 172 + 8, len(data)),
        "misaligned": _patch(data, 172 + 8, 201),
        "weights_offset": _patch(data, 172 + 12, len(data) - 10),
    }
    for what, bad in cases.items():
        with pytest.raises(KccError) as e:
            read_kmodel(bad)
        msg = str(e.value)
        assert "\n" not in msg, what
    # a KPU register claiming a KPU address outside 2 MiB names the layer and rule
    m = read_kmodel_v3(data)
    l3 = m.layers[3].body
    assert isinstance(l3, f3.K210ConvBody)
    words = list(struct.unpack("<12Q", l3.arg_raw))
    words[1] = (words[1] & ~(0x7FFF << 32)) | (0x7FFF << 32)
    bad = data[: l3.layer_offset] + struct.pack("<12Q", *words) + data[l3.layer_offset + 96 :]
    with pytest.raises(KccError, match=r"KL_K210_CONV \(#3\).*image_dst_addr"):
        read_kmodel(bad)


def test_corrupted_v4_fields(fixtures: Path) -> None:
    data = (fixtures / "nncase02_yolo20_v4.kmodel").read_bytes()
    cases = {
        "magic": _patch(data, 0, 0x12345678),
        "version": _patch(data, 4, 5),
        "target": _patch(data, 12, 7),
        "nodes": _patch(data, 24, 0x0FFFFFFF),
        "in_memtype": _patch(data, 40, 9),
        "in_size": _patch(data, 52, 1 << 30),
        "opcode": _patch(data, 88, 0x77),
        "bn_pad": _patch(data, 224 + 24 + 4 * 8 + 4, 0x7FFFFFF0),  # bwsx_base_addr of node 0
        "batches": _patch(data, 224 + 16, 0x7FFFFFFF),
    }
    for what, bad in cases.items():
        with pytest.raises(KccError) as e:
            read_kmodel(bad)
        assert "\n" not in str(e.value), what


@pytest.mark.parametrize("name", ["nncase01_iris_v3.kmodel", "nncase02_iris_v4.kmodel", "maixemc_cifar10_v3.kmodel"])
def test_random_corruption_never_crashes(fixtures: Path, name: str) -> None:
    """Random byte flips either parse (and then simulate) or raise KccError -- never another exception."""
    data = (fixtures / name).read_bytes()
    rng = np.random.default_rng(1234)
    limit = len(data) if len(data) < 1000 else 400  # header, tables and the first bodies
    for _ in range(150 if len(data) < 1000 else 60):
        buf = bytearray(data)
        for pos in rng.integers(0, limit, size=int(rng.integers(1, 4))):
            buf[int(pos)] = int(rng.integers(0, 256))
        try:
            model = read_kmodel(bytes(buf))
        except KccError as e:
            assert "\n" not in str(e)
            continue
        if len(data) < 1000:
            from kcc.sim import input_specs

            spec = input_specs(model)[0]
            try:
                with np.errstate(all="ignore"):
                    simulate(model, [np.ones(spec.shape, dtype=spec.np_dtype)])
            except KccError:
                pass


def test_not_a_kmodel(tmp_path: Path) -> None:
    with pytest.raises(KccError, match="neither 3"):
        read_kmodel(b"\x01\x00\x00\x00" + bytes(100))
    with pytest.raises(KccError, match="too short"):
        read_kmodel(b"")
