"""The end-of-compile summary (`kcc compile --report`) and the MaixPy snippet for the compiled kmodel.

    print(summary_text(result, "out/model.kmodel"))

Lines: placement (KPU/CPU ops and MACs, from kcc.passes.kpu_placement), memory (main RAM and KPU RAM peaks
beside their lower bounds, constants; from plan-memory's `kcc.memory`), the file size, the kmodel version and
why, inputs and outputs with shapes and layouts, stage times, then a MaixPy script that loads and runs it.

MaixPy's KPU API (wiki.sipeed.com, MaixPy v1 `KPU`): `kpu.load(path_or_flash_offset)`; for kmodel v4 the
output shapes are not in the file and `kpu.set_outputs(task, index, w, h, ch)` must give each one;
`kpu.forward(task, img)` returns an fmap whose `fmap[:]` is the output as floats; a YOLOv2 head runs with
`kpu.init_yolo2(task, threshold, nms, anchor_num, anchors)` + `kpu.run_yolo2(task, img)`. Camera images are
RGB565 and become the KPU's planar RGB888 with `img.pix_to_ai()`.
"""

from __future__ import annotations

from pathlib import Path

from kcc.compiler.pipeline import CompileResult, TensorInfo

KPU_RAM_BYTES = 2 * 1024 * 1024
YOLO_ANCHORS = 5  # YOLOv2's usual anchor count: a head of 5 x (5 + classes) channels


def _kib(n: int) -> str:
    return f"{n} bytes ({n / 1024:.1f} KiB)"


def whc(info: TensorInfo) -> tuple[int, int, int]:
    """(w, h, ch) of an output for `kpu.set_outputs`: 4-D/3-D maps by their layout, anything else 1 x 1 x size."""
    s = info.shape
    if info.layout == "NCHW":
        return s[3], s[2], s[1]
    if info.layout == "NHWC":
        return s[2], s[1], s[3]
    if info.layout == "CHW":
        return s[2], s[1], s[0]
    if info.layout == "HWC":
        return s[1], s[0], s[2]
    size = 1
    for d in s:
        size *= d
    return 1, 1, size


def input_hw(info: TensorInfo) -> tuple[int, int] | None:
    """(width, height) of an image input, None for other inputs."""
    if info.layout in ("NCHW", "NHWC", "CHW", "HWC"):
        w, h, _ = whc(info)
        return w, h
    return None


def yolo_classes(result: CompileResult) -> int | None:
    """The class count when the model looks like a YOLOv2 detector (one map output of 5 x (5 + classes)
    channels over a grid larger than 1x1), else None."""
    if len(result.outputs) != 1 or result.outputs[0].layout == "flat":
        return None
    w, h, ch = whc(result.outputs[0])
    if w * h > 1 and ch % YOLO_ANCHORS == 0 and ch // YOLO_ANCHORS >= 5:
        return ch // YOLO_ANCHORS - 5
    return None


def maixpy_snippet(result: CompileResult, kmodel_name: str) -> list[str]:
    """A MaixPy (v1) script that loads the kmodel from the SD card and runs it on camera frames."""
    lines = ["import sensor, lcd", "import KPU as kpu", ""]
    hw = input_hw(result.inputs[0]) if result.inputs else None
    if hw is not None:
        w, h = hw
        lines += [
            "sensor.reset()",
            "sensor.set_pixformat(sensor.RGB565)",
            "sensor.set_framesize(sensor.QVGA)",
            f"sensor.set_windowing(({w}, {h}))   # the model input is {w}x{h}",
            "sensor.run(1)",
            "lcd.init()",
        ]
    lines.append(f'task = kpu.load("/sd/{kmodel_name}")')
    if result.kmodel_version == 4:
        for i, o in enumerate(result.outputs):
            ow, oh, oc = whc(o)
            lines.append(f"kpu.set_outputs(task, {i}, {ow}, {oh}, {oc})   # output {i} '{o.name}' {list(o.shape)} {o.layout}")
    classes = yolo_classes(result)
    if classes is not None:
        lines.append(f"anchors = (1.0, 1.0) * {YOLO_ANCHORS}   # put the {YOLO_ANCHORS} (w, h) anchors of your training here")
        lines.append(f"kpu.init_yolo2(task, 0.5, 0.3, {YOLO_ANCHORS}, anchors)   # classes: {classes}")
    lines += (
        ["while True:", "    img = sensor.snapshot()"] if hw is not None else ["img = ...   # an image.Image of the input size"]
    )
    body = "    " if hw is not None else ""
    lines.append(f"{body}img.pix_to_ai()   # RGB565 -> the KPU's planar RGB888")
    if classes is not None:
        lines += [
            f"{body}for box in kpu.run_yolo2(task, img) or []:",
            f"{body}    img.draw_rectangle(box.rect())",
        ]
    else:
        lines += [
            f"{body}fmap = kpu.forward(task, img)",
            f"{body}out = fmap[:]   # output 0 as floats",
        ]
        if result.outputs and result.outputs[0].layout == "flat":
            lines.append(f"{body}best = max(range(len(out)), key=lambda i: out[i])")
    if hw is not None:
        lines.append("    lcd.display(img)")
    return lines


def summary_lines(result: CompileResult, output: str) -> list[str]:
    """The summary printed by `kcc compile --report`."""
    lines: list[str] = []
    p = result.placement
    if p is not None:
        kpu_ops = sum(1 for r in p.rows if r.placement == "KPU")
        lines.append(
            f"placement: {len(p.rows)} ops, {kpu_ops} on the KPU, {len(p.cpu_rows())} on the CPU; "
            f"KPU MACs {p.kpu_macs} of {p.total_macs} ({p.kpu_fraction:.4f})"
        )
        moves = [r for r in p.cpu_rows() if r.detail == "data movement"]
        lines += [f"  CPU {r.line()}" for r in p.cpu_rows() if r not in moves]
        if moves:
            lines.append(f"  CPU data movement: {len(moves)} ops (" + ", ".join(r.op_name for r in moves) + ")")
    else:
        lines.append("placement: target cpu, every op on the CPU (no KPU layers)")
    m = result.memory
    if m:
        main_note = "" if m.get("main_peak") != m.get("main_lower_bound") else " (optimal)"
        kpu_note = "" if m.get("kpu_peak") != m.get("kpu_lower_bound") else " (optimal)"
        lines.append(f"main RAM peak: {_kib(m.get('main_peak', 0))}, lower bound {m.get('main_lower_bound', 0)}{main_note}")
        lines.append(
            f"KPU RAM peak: {_kib(m.get('kpu_peak', 0))} of {KPU_RAM_BYTES}, lower bound {m.get('kpu_lower_bound', 0)}{kpu_note}"
        )
        lines.append(f"constants: {_kib(m.get('const', 0))}")
    is_c = Path(output).suffix.lower() == ".c"
    if is_c:
        header = Path(output).with_suffix(".h")
        lines.append(f"reference C: {output} ({_kib(len(result.data))}) + {header} ({_kib(len(result.c_header))})")
        lines.append("C program: the kmodel v4 program, one C function per node (docs/c-backend.md)")
    else:
        lines.append(f"kmodel: {output}, {_kib(len(result.data))}")
        lines.append(f"kmodel version: v{result.kmodel_version} ({result.version_reason})")
        warning = fit_warning(result)
        if warning:
            lines.append(warning)
    for i, t in enumerate(result.inputs):
        lines.append(f"input {i} '{t.name}': {list(t.shape)} {t.element} {t.layout}")
    for i, t in enumerate(result.outputs):
        lines.append(f"output {i} '{t.name}': {list(t.shape)} {t.element} {t.layout}")
    total = sum(s.seconds for s in result.stages)
    lines.append(f"time: {total:.2f} s (" + ", ".join(f"{s.name} {s.seconds:.2f}" for s in result.stages) + ")")
    if is_c:
        name, header_name = Path(output).name, Path(output).with_suffix(".h").name
        lines.append(f"build: cc -std=c99 -O2 -c {name}; call kcc_model_run() (see {header_name})")
    else:
        lines.append("MaixPy:")
        lines += [f"  {line}" if line else "" for line in maixpy_snippet(result, Path(output).name)]
    lines += accuracy_lines(result)
    return lines


def fit_warning(result: CompileResult) -> str:
    """A warning when the kmodel (MaixPy and the SDK load the whole file into RAM) and its main-RAM arena together
    exceed the K210's 6 MiB of SRAM; empty when they fit."""
    from kcc.compiler.options import K210_MAIN_RAM

    need = len(result.data) + result.memory.get("main_peak", 0)
    if need <= K210_MAIN_RAM:
        return ""
    return (
        f"warning: the kmodel ({_kib(len(result.data))}) and its main RAM ({_kib(result.memory.get('main_peak', 0))}) "
        f"need {_kib(need)}, more than the K210's 6 MiB of SRAM (the runtime loads the whole kmodel): use fewer "
        "channels (a smaller alpha) or a smaller input"
    )


def accuracy_lines(result: CompileResult) -> list[str]:
    """The `--accuracy-report` table (kcc.quant.accuracy.format_report, worst layer first) after a title line;
    empty when the compilation did not measure it."""
    if result.accuracy is None:
        return []
    from kcc.quant.accuracy import format_report

    title = f"accuracy report: {len(result.accuracy)} layers, quantized vs float over {result.accuracy_samples} samples"
    return [title, *format_report(result.accuracy).rstrip("\n").split("\n")]


def accuracy_text(result: CompileResult) -> str:
    """`accuracy_lines` as text (empty string when there is no report)."""
    lines = accuracy_lines(result)
    return "\n".join(lines) + "\n" if lines else ""


def summary_text(result: CompileResult, output: str) -> str:
    return "\n".join(summary_lines(result, output)) + "\n"
