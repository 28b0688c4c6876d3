"""The model zoo's machinery: padding rules, BatchNorm set from data, ONNX and TFLite forms computing the same
function, seeded determinism, and the TFLite forms looking like converter output."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from bench.models import MODELS, VARIANTS
from bench.models.calibrate import calibration_inputs, calibration_session
from bench.models.kws import kws_dscnn
from bench.models.mobilenet import mobilenet_v1, mobilenet_v2
from bench.models.net import Net, same_pads

MODELS_NETS = {"kws_dscnn": kws_dscnn, "mobilenet_v1": mobilenet_v1, "mobilenet_v2": mobilenet_v2}
TWO_FORMAT = [name for name, spec in MODELS.items() if len(spec.formats) == 2]


def _litert(model: bytes, x: np.ndarray) -> list[np.ndarray]:
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF, num_threads=1)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def _ops(model: bytes) -> list[str]:
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    m = tflite.Model.GetRootAs(model, 0)
    g = m.Subgraphs(0)
    return [names[m.OperatorCodes(g.Operators(i).OpcodeIndex()).BuiltinCode()] for i in range(g.OperatorsLength())]


def test_same_pads_follow_tensorflow() -> None:
    assert same_pads((128, 128), (5, 5), (2, 2)) == (1, 1, 2, 2)
    assert same_pads((224, 224), (3, 3), (2, 2)) == (0, 0, 1, 1)
    assert same_pads((15, 15), (2, 2), (2, 2)) == (0, 0, 1, 1)
    assert same_pads((49, 10), (10, 4), (2, 2)) == (4, 1, 5, 1)
    assert same_pads((8, 8), (1, 1), (1, 1)) == (0, 0, 0, 0)


def _normalised(net: Net, data: np.ndarray) -> list[np.ndarray]:
    """Every BatchNorm's output (before gamma / beta) on `data`, in float64, computed from its measured input."""
    session = calibration_session(net)
    bn = [i for i, layer in enumerate(net.layers) if layer.has_bn]
    feeds = {f"t{i}_{s}": net.layers[i].weights[f"bn_{s}"] for i in bn for s in ("mean", "var")}
    (name,) = [layer.attrs["name"] for layer in net.layers if layer.kind == "input"]
    outs = session.run([f"t{i}_conv" for i in bn], {name: data, **feeds})
    ys: list[np.ndarray] = []
    for i, pre in zip(bn, outs, strict=True):
        w = {k: v.astype(np.float64)[None, :, None, None] for k, v in net.layers[i].weights.items() if k.startswith("bn_")}
        ys.append((pre.astype(np.float64) - w["bn_mean"]) / np.sqrt(w["bn_var"] + 1e-3))
    return ys


def test_batchnorm_from_data_normalises_every_layer() -> None:
    """On the calibration inputs every BatchNorm output has per-channel mean 0 and variance 1 (up to BN's
    epsilon): each layer was measured with the layers before it already set."""
    net = mobilenet_v2(0.25, 32, classes=10)
    ys = _normalised(net, calibration_inputs((1, 3, 32, 32)))
    bn_vars = [layer.weights["bn_var"].astype(np.float64) for layer in net.layers if layer.has_bn]
    assert len(ys) == len(bn_vars) == 52
    for k, (y, var) in enumerate(zip(ys, bn_vars, strict=True)):
        np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-4, err_msg=f"BN #{k} mean")
        np.testing.assert_allclose(y.var(axis=(0, 2, 3)), var / (var + 1e-3), rtol=1e-4, err_msg=f"BN #{k} variance")
    assert min(float(v.min()) for v in bn_vars) > 0.0


def _assert_well_scaled(net: Net, shape: tuple[int, int, int, int], low: float, high: float) -> None:
    variances = [float(y.var()) for y in _normalised(net, calibration_inputs(shape, 4, seed=5))]
    assert low < min(variances) and max(variances) < high, variances


def test_batchnorm_statistics_hold_on_fresh_inputs() -> None:
    """On inputs the statistics were not measured on, every layer stays near unit scale (the full KWS net:
    its maps are big enough for 4 inputs to give good statistics; tiny nets end in 1x1 maps, where 4 samples
    per channel are too few)."""
    _assert_well_scaled(MODELS_NETS["kws_dscnn"](), (1, 1, 49, 10), 0.7, 1.5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v2"])
def test_full_size_batchnorm_statistics_hold_on_fresh_inputs(name: str) -> None:
    _assert_well_scaled(MODELS_NETS[name](), (1, 3, 224, 224), 0.7, 1.6)


def test_uncalibrated_statistics_are_replaced() -> None:
    net = mobilenet_v2(0.25, 32, classes=10)
    first = next(layer for layer in net.layers if layer.has_bn)
    assert not np.allclose(first.weights["bn_var"], 1.0)
    assert not np.allclose(first.weights["bn_mean"], 0.0)


@pytest.mark.parametrize("name", TWO_FORMAT)
def test_onnx_and_tflite_forms_compute_the_same_function(name: str) -> None:
    spec = MODELS[name]
    kwargs = dict(spec.variants["tiny"])
    if name.startswith("mobilenet"):
        kwargs["padding"] = "same"  # ONNX defaults to PyTorch's symmetric padding
    onnx_model = spec.builders["onnx"](**kwargs)
    tflite_model = spec.builders["tflite"](**kwargs)
    x = np.random.default_rng(1).standard_normal(spec.input_shape("onnx", "tiny")).astype(np.float32)
    session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
    want = session.run(None, {session.get_inputs()[0].name: x})
    got = _litert(tflite_model, np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
    for w, g in zip(want, got, strict=True):
        w = w.transpose(0, 2, 3, 1) if w.ndim == 4 else w
        assert np.abs(g - w).max() <= 1e-3 * np.abs(w).max()  # two independent float runtimes, 20 to 50 layers deep


@pytest.mark.parametrize("name", sorted(MODELS))
def test_seeded_builds_are_byte_identical(name: str) -> None:
    spec = MODELS[name]
    for fmt in spec.formats:
        a, b, c = spec.build(fmt, "tiny"), spec.build(fmt, "tiny"), spec.build(fmt, "tiny", seed=1)
        if fmt == "onnx":
            a, b, c = a.SerializeToString(), b.SerializeToString(), c.SerializeToString()
        assert a == b, f"{name} {fmt}: two builds differ"
        assert a != c, f"{name} {fmt}: the seed changes nothing"


def test_registry_entries_are_complete() -> None:
    assert set(MODELS) == {"mobilenet_v1", "mobilenet_v2", "yolov2_tiny", "blazeface", "unet", "kws_dscnn"}
    for spec in MODELS.values():
        assert set(spec.variants) == set(VARIANTS) == set(spec.input_shapes)
        assert spec.source and spec.title and spec.outputs
    assert MODELS["yolov2_tiny"].formats == ("onnx",)
    assert MODELS["blazeface"].formats == ("tflite", "onnx")
    with pytest.raises(KeyError, match="no tflite form"):
        MODELS["yolov2_tiny"].build("tflite", "tiny")


def test_tflite_forms_look_like_converter_output() -> None:
    v1 = _ops(MODELS["mobilenet_v1"].build("tflite", "tiny"))
    assert set(v1) == {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"}
    assert v1.count("DEPTHWISE_CONV_2D") == 13
    v2 = _ops(MODELS["mobilenet_v2"].build("tflite", "tiny"))
    assert v2.count("ADD") == 11 and "MEAN" in v2 and "PAD" not in v2  # 10 at alpha 1; at 0.25 the first block too
    blaze = _ops(MODELS["blazeface"].build("tflite", "tiny"))
    assert {"PAD", "ADD", "MAX_POOL_2D", "CONCATENATION", "RESHAPE", "DEPTHWISE_CONV_2D"} <= set(blaze)
    assert blaze.count("MAX_POOL_2D") == 3
    assert "TRANSPOSE_CONV" in _ops(MODELS["unet"].build("tflite", "tiny"))
    # PyTorch-style symmetric padding has no TFLite padding mode: an explicit PAD before stride-2 convs
    padded = _ops(MODELS["mobilenet_v1"].builders["tflite"](alpha=0.25, size=32, classes=10, padding="symmetric"))
    assert padded.count("PAD") == 5


def test_net_rejects_bad_layers() -> None:
    net = Net("bad", 0)
    x = net.input("x", 3, 8, 8)
    with pytest.raises(ValueError, match="groups"):
        net.conv(x, 4, 3, groups=2)
    with pytest.raises(ValueError, match="activation"):
        net.conv(x, 4, 3, act="gelu")
    with pytest.raises(ValueError, match="kernel == stride"):
        net.deconv(x, 4, 3, 2)
    with pytest.raises(ValueError, match="differ"):
        net.add(x, net.conv(x, 4, 1))
