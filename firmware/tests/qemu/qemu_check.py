"""Run the wand's real pipeline on a Cortex-M4 (QEMU mps2-an386) and check it against the
Python simulator: every real try, every inference output, every packet; and count the
instructions of each inference with a TCG plugin (insn_count.c). A second run does the
same for the stroke model: the real tries with rests around them (wand.strokes.with_holds)
through the stroke spotter, every stroke input, model output and stroke packet, and the
instructions per stroke inference.

    make -C firmware/tests qemu-check PYTHON=.venv/bin/python   [QEMU_CHECK_ARGS=--no-save]

Skips (exit 0, with what to install) where QEMU, the ARM compiler or the Arduino TFLM
library sources are absent. Writes the measurement to firmware/tests/m4_measured.json,
which `wand bench` reports.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent.parent
sys.path.insert(0, str(REPO))

from wand.datasets import find_dataset, load_dataset, load_vocabulary  # noqa: E402
from wand.model import load_model  # noqa: E402
from wand.protocol import (CONFIG_FLAG_STREAM_IMU, PACKET_TYPE_OFFSET, PKT_GESTURE, PKT_STROKE,  # noqa: E402
                           ConfigPacket, StrokeConfigPacket)
from wand.wand_core.classifier import TflmClassifier  # noqa: E402
from wand.wand_core.core import CoreSpec, WandCore  # noqa: E402

RESULT = TESTS / "m4_measured.json"
ELF = TESTS / "build" / "m4" / "wand_m4.elf"
PLUGIN = TESTS / "build" / "m4" / "insn_count.so"
IDLE_BETWEEN_TRIES = 50


def skip(why: str) -> None:
    print(f"qemu-check skipped: {why}\n  needs: apt install qemu-system-arm gcc-arm-none-eabi "
          "libstdc++-arm-none-eabi-newlib, and the Arduino TFLM library (see arduino_check.sh)")
    sys.exit(0)


def tflm_dir() -> Path | None:
    dirs = os.environ.get("ARDUINO_DIRS", f"{Path.home()}/.arduino15:{Path.home()}/Arduino").split(":")
    for d in dirs:
        p = Path(d) / "libraries" / "Arduino_TensorFlowLite"
        if (p / "src").is_dir():
            return p
    return None


class Replay:
    """One command stream, fed to the Python simulator now and written for the chip."""

    def __init__(self, bundle) -> None:
        self.bundle = bundle
        self.clf = TflmClassifier(bundle)
        self.script = bytearray()
        self.inferences: list[tuple[bytes, bytes]] = []
        self.windows: list[bytes] = []
        self.packets: list[bytes] = []
        self.tries = 0
        self.core: WandCore | None = None
        self.stroke_inferences: list[tuple[bytes, bytes]] = []  # (input, probabilities)
        self.stroke_model = None

    def _record(self, r) -> None:
        self.windows.append(r.window)
        self.inferences.append((bytes(r.probs), bytes(v & 0xFF for v in r.embedding)))

    def _stroke(self, features) -> list[int]:
        probs = [int(p) for p in self.stroke_model(features)]
        self.stroke_inferences.append((bytes(v & 0xFF for v in features), bytes(probs)))
        return probs

    def fresh_core(self, rate: int, stroke_model=None) -> None:
        b = self.bundle
        spec = CoreSpec(rate, b.rate_hz, b.window, b.hop, b.other_class)
        self.stroke_model = stroke_model
        self.core = WandCore(spec, self.clf, on_inference=self._record,
                             stroke_classifier=self._stroke if stroke_model is not None else None)
        self.script += b"F" + struct.pack("<H", rate) + (b"K" if stroke_model is not None else b"")

    def configure_strokes(self, cfg: StrokeConfigPacket) -> None:
        self.core.configure_strokes(cfg)
        self.script += b"G" + cfg.encode()

    def configure(self, cfg: ConfigPacket) -> None:
        self.core.configure(cfg)
        self.script += b"C" + cfg.encode()

    def imu_batch(self, n: int) -> None:
        self.core.imu_batch = n
        self.script += b"B" + bytes([n])

    def fresh_try(self) -> None:
        self.core.idle(IDLE_BETWEEN_TRIES)
        self.core.reset()
        self.script += b"W" + struct.pack("<I", IDLE_BETWEEN_TRIES) + b"R"

    def samples(self, samples) -> None:
        for s in samples:
            s = tuple(int(v) for v in s)
            self.packets += self.core.push(s)
            self.script += b"S" + struct.pack("<6h", *s)

    def resend(self) -> None:
        self.packets += self.core.resend_queued()
        self.script += b"Q"


def build_replay(bundle) -> tuple[Replay, int]:
    """Every real try from a fresh start (as the equivalence test does), grouped by rate;
    then the data set's tries back to back with spotting retuned and the IMU stream on."""
    tti = load_dataset(find_dataset("tiny-trainable-instruments"), "tti-csv")
    seen = {r.source for r in tti}
    others = [r for g in load_vocabulary() for r in g.recordings() if r.source not in seen]
    tries = tti + others
    rp = Replay(bundle)
    for rate in sorted({r.rate_hz for r in tries}):
        rp.fresh_core(rate)
        for rec in (r for r in tries if r.rate_hz == rate):
            rp.fresh_try()
            rp.samples(rec.samples)
    rp.fresh_core(tti[0].rate_hz)
    rp.imu_batch(4)
    rp.configure(ConfigPacket(threshold=120, agree=1, cooldown_ms=900, quiet_samples=3,
                              flags=ConfigPacket().flags | CONFIG_FLAG_STREAM_IMU))
    for rec in tti[:20]:
        rp.samples(rec.samples)
    rp.resend()
    return rp, len(tries)


def build_stroke_replay(bundle) -> tuple[Replay, int]:
    """The tti tries and nano33 spells with rests around them, back to back, through the
    stroke spotter and the shipped stroke model; the active set narrowed half-way."""
    from wand.strokes import with_holds
    from wand.characters import mask_of
    from wand.stroke_model import StrokeInterpreter, load_stroke_model

    tries = (load_dataset(find_dataset("tiny-trainable-instruments"), "tti-csv")
             + load_dataset(find_dataset("nano33-spells"), "nano33-spells"))
    rp = Replay(bundle)
    rp.fresh_core(tries[0].rate_hz, StrokeInterpreter(load_stroke_model()))
    for i, rec in enumerate(tries):
        if i == len(tries) // 2:
            rp.configure_strokes(StrokeConfigPacket(active_mask=mask_of([f"digit_{d}" for d in range(10)]),
                                                    threshold=100))
        rp.samples(with_holds(rec))
    rp.resend()
    return rp, len(tries)


def check_strokes(bundle) -> dict:
    """The stroke path on the Cortex-M4 vs the Python twin, and its instruction count."""
    from wand.stroke_model import load_stroke_model

    rp, n_tries = build_stroke_replay(bundle)
    lines, stats = run_qemu(bytes(rp.script))
    chip_inf = [(bytes.fromhex(a.split()[1]), bytes.fromhex(b.split()[1]))
                for a, b in zip([ln for ln in lines if ln[:1] == "Y"], [ln for ln in lines if ln[:1] == "J"])]
    chip_packets = [bytes.fromhex(ln[2:]) for ln in lines if ln[:1] == "P"]
    same_in = sum(a[0] == b[0] for a, b in zip(chip_inf, rp.stroke_inferences))
    same_out = sum(a[1] == b[1] for a, b in zip(chip_inf, rp.stroke_inferences))
    same_pk = sum(a == b for a, b in zip(chip_packets, rp.packets))
    strokes = sum(p[PACKET_TYPE_OFFSET] == PKT_STROKE for p in rp.packets)
    n = len(rp.stroke_inferences)
    ok = (len(chip_inf) == n == same_in == same_out and len(chip_packets) == len(rp.packets) == same_pk
          and stats["spans"] == n and n > 0)
    model = load_stroke_model()
    return {
        "what": "the stroke model's Invoke on the Cortex-M4, tries with rests around them (wand.strokes.with_holds)",
        "instructions_per_inference": round(stats["sum"] / max(1, stats["spans"])),
        "instructions_min": stats["min"], "instructions_max": stats["max"],
        "inferences": stats["spans"],
        "inputs_agree": f"{same_in}/{n}", "outputs_agree": f"{same_out}/{n}",
        "packets_agree": f"{same_pk}/{len(rp.packets)}", "stroke_packets": strokes,
        "tries": n_tries, "bit_exact": ok, "model_crc32": f"{model.crc32:08x}",
        "model_bytes": len(model.tflite), "arena_bytes": model.arena_bytes,
    }


def symbol(name: str) -> int:
    out = subprocess.run(["arm-none-eabi-nm", str(ELF)], capture_output=True, text=True, check=True).stdout
    m = re.search(rf"^([0-9a-f]+) T {name}$", out, re.M)
    if not m:
        raise SystemExit(f"{ELF}: no symbol {name}")
    return int(m.group(1), 16)


def run_qemu(script: bytes) -> tuple[list[str], dict[str, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "replay.bin").write_bytes(script)
        counts = Path(tmp) / "insn.txt"
        cmd = ["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
               "-semihosting-config", "enable=on,target=native", "-kernel", str(ELF),
               "-plugin", f"{PLUGIN},start={symbol('wand_bench_start'):#x},stop={symbol('wand_bench_stop'):#x},"
                          f"out={counts}"]
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"the Cortex-M4 run failed (exit {done.returncode}): {done.stdout}{done.stderr}")
        lines = (Path(tmp) / "replay.out").read_text().splitlines()
        stats = {k: int(v) for k, v in (ln.split() for ln in counts.read_text().splitlines())}
    return lines, stats


def all_tensors_as_outputs(tflite: bytes) -> tuple[bytes, list[str]]:
    """The model with every operator's output made a model output (kept alive by TFLM)."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(bytearray(tflite), 0))
    g = m.subgraphs[0]
    names = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    g.outputs = [int(op.outputs[0]) for op in g.operators]
    labels = [f"{i} {names[max(m.operatorCodes[op.opcodeIndex].builtinCode, m.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode)]}"
              for i, op in enumerate(g.operators)]
    b = flatbuffers.Builder(len(tflite) * 2)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output()), labels


def compare_layers(bundle, windows: list[bytes]) -> None:
    """Per operator: how many of its int8 outputs the chip and the host compute alike."""
    from wand.wand_core.classifier import open_interpreter

    model, labels = all_tensors_as_outputs(bundle.tflite)
    script = b"".join(b"D" + struct.pack("<I", len(model)) + model + w for w in windows)
    lines, _ = run_qemu(script)
    chip = [bytes.fromhex(ln.split()[2]) for ln in lines if ln[:1] == "T"]
    it = open_interpreter(model, 256 * 1024)
    import numpy as np
    diff = [[0, 0, 0] for _ in labels]  # differing values, values, max step
    for k, w in enumerate(windows):
        it.set_input(np.frombuffer(w, np.int8).reshape(1, bundle.window, bundle.channels), 0)
        it.invoke()
        for i in range(len(labels)):
            host = it.get_output(i).reshape(-1).astype(np.int8)
            c = np.frombuffer(chip[k * len(labels) + i], np.int8)
            d = np.abs(host.astype(int) - c.astype(int))
            diff[i][0] += int((d > 0).sum())
            diff[i][1] += d.size
            diff[i][2] = max(diff[i][2], int(d.max()))
    for label, (n, total, worst) in zip(labels, diff):
        print(f"  op {label:<20} {n:>6}/{total} outputs differ (max {worst} steps)")


def version(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-save", action="store_true", help=f"do not write {RESULT.name}")
    ap.add_argument("--layers", type=int, metavar="N", default=0,
                    help="also compare every operator's output on the first N windows")
    args = ap.parse_args()
    for tool in ("qemu-system-arm", "arm-none-eabi-g++"):
        if not shutil.which(tool):
            skip(f"{tool} not found")
    lib = tflm_dir()
    if lib is None:
        skip("the Arduino TFLM library (Arduino_TensorFlowLite) is not under ARDUINO_DIRS")
    subprocess.run(["make", "-s", "-C", str(TESTS), "-j", str(os.cpu_count() or 1), "m4-elf",
                    f"TFLM_DIR={lib / 'src'}"], check=True)
    bundle = load_model()
    rp, n_tries = build_replay(bundle)
    lines, stats = run_qemu(bytes(rp.script))
    chip_windows = [bytes.fromhex(ln.split()[1]) for ln in lines if ln[:1] == "X"]
    chip_inf = [(bytes.fromhex(ln.split()[1]), bytes.fromhex(ln.split()[2])) for ln in lines if ln[:1] == "I"]
    chip_packets = [bytes.fromhex(ln[2:]) for ln in lines if ln[:1] == "P"]
    logs = [ln for ln in lines if ln[:1] == "L"]
    same_win = sum(a == b for a, b in zip(chip_windows, rp.windows))
    same_inf = sum(a == b for a, b in zip(chip_inf, rp.inferences))
    gestures = lambda ps: [p for p in ps if p[PACKET_TYPE_OFFSET] == PKT_GESTURE]  # noqa: E731
    sim_dec, chip_dec = gestures(rp.packets), gestures(chip_packets)
    same_dec = sum(a == b for a, b in zip(chip_dec, sim_dec))
    same_pk = sum(a == b for a, b in zip(chip_packets, rp.packets))
    ok = (len(chip_windows) == len(rp.windows) == same_win and len(chip_inf) == len(rp.inferences) == same_inf and len(chip_dec) == len(sim_dec) == same_dec
          and len(chip_packets) == len(rp.packets) == same_pk and stats["spans"] == len(rp.inferences))
    per_inf = stats["sum"] / max(1, stats["spans"])
    props = (lib / "library.properties").read_text()
    result = {
        "what": "instructions per TFLM Invoke on a Cortex-M4 (QEMU mps2-an386, TCG plugin "
                "firmware/tests/qemu/insn_count.c), and the chip's decisions vs the Python simulator",
        "instructions_per_inference": round(per_inf),
        "instructions_min": stats["min"], "instructions_max": stats["max"],
        "inferences": stats["spans"],
        "windows_agree": f"{same_win}/{len(rp.windows)}",
        "inference_outputs_agree": f"{same_inf}/{len(rp.inferences)}",
        "decisions_agree": f"{same_dec}/{len(sim_dec)}",
        "packets_agree": f"{same_pk}/{len(rp.packets)}",
        "tries": n_tries,
        "bit_exact": ok,
        "model_crc32": f"{bundle.crc32:08x}",
        "sources": {
            "tflm_library": "Arduino_TensorFlowLite " + re.search(r"^version=(.*)$", props, re.M).group(1)
                            + (f" ({os.environ['TFLM_REV']})" if os.environ.get("TFLM_REV") else ""),
            "compiler": version(["arm-none-eabi-g++", "--version"]),
            "qemu": version(["qemu-system-arm", "--version"]),
            "flags": "-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=softfp -mfpu=fpv4-sp-d16 -DARDUINO (as the sketch)",
        },
    }
    result["stroke"] = check_strokes(bundle)
    ok = ok and result["stroke"]["bit_exact"]
    result["bit_exact"] = ok
    print(json.dumps(result, indent=2))
    for ln in logs[:5]:
        print("TFLM log:", ln[2:])
    print(f"qemu-check: {n_tries} tries, {len(rp.inferences)} inferences: "
          f"windows {result['windows_agree']}, outputs {result['inference_outputs_agree']}, decisions {result['decisions_agree']}, "
          f"packets {result['packets_agree']}; {per_inf:.0f} instructions per inference")
    st = result["stroke"]
    print(f"qemu-check strokes: {st['tries']} tries, {st['inferences']} stroke inferences: inputs {st['inputs_agree']}, "
          f"outputs {st['outputs_agree']}, packets {st['packets_agree']}; "
          f"{st['instructions_per_inference']} instructions per stroke inference")
    if args.layers:
        compare_layers(bundle, rp.windows[:args.layers])
    if not args.no_save:  # the count is a measurement either way; the agreement is recorded beside it
        RESULT.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {RESULT.relative_to(REPO)}")
    if not ok:
        first = next((i for i, (a, b) in enumerate(zip(chip_inf, rp.inferences)) if a != b), None)
        print(f"qemu-check FAILED: the chip and the simulator differ (first differing inference: {first})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
