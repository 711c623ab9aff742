"""What fusing the orientation on the wand would cost (issue 21): x-io's Fusion, the C
library inside the host's imufusion, built for the Cortex-M4F as the sketch is built and
run under QEMU on the real tti circle_cw tries, counting the instructions of each
sample's update (bias + AHRS) with the insn_count.so plugin; the final quaternion is
checked against imufusion on the host for the same samples.

    python firmware/tests/qemu/fusion_cost.py --fusion PATH/TO/Fusion/Fusion   [--tries N]

(git clone https://github.com/xioTechnologies/Fusion; measured at commit d69784c.) Prints
one JSON line and writes it to firmware/tests/fusion_m4_measured.json, which `wand bench
control` quotes. Needs arm-none-eabi-gcc and qemu-system-arm.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
sys.path.insert(0, str(REPO))
PLUGIN = HERE.parent / "build" / "m4" / "insn_count.so"
RESULT = HERE.parent / "fusion_m4_measured.json"  # what `wand bench control` quotes
FLAGS = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=softfp", "-mfpu=fpv4-sp-d16", "-Os", "-ffunction-sections",
         "-fdata-sections", "-fomit-frame-pointer"]  # the sketch's (firmware/tests/Makefile M4_FLAGS)
CPU_HZ = 64e6  # nRF52840


def build(fusion: Path, samples: np.ndarray, rate: int, out: Path) -> Path:
    rows = ",\n".join("{" + ",".join(str(int(v)) for v in s) + "}" for s in samples)
    (out / "fusion_samples.h").write_text(f"enum {{ kRateHz = {rate}, kSamples = {len(samples)} }};\n"
                                          f"static const int16_t kImu[kSamples][6] = {{\n{rows}\n}};\n")
    elf = out / "fusion_m4.elf"
    srcs = [str(p) for p in sorted(fusion.glob("Fusion*.c"))]
    subprocess.run(["arm-none-eabi-gcc", *FLAGS, "-std=gnu11", f"-I{fusion}", f"-I{out}", "-T", str(HERE / "m4.ld"),
                    "-nostartfiles", "-specs=nano.specs", "-specs=nosys.specs", "-Wl,--gc-sections", "-o", str(elf),
                    str(HERE / "fusion_m4.c"), str(HERE / "startup.c"), *srcs, "-lm"], check=True)
    return elf


def symbol(elf: Path, name: str) -> int:
    out = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(rf"^([0-9a-f]+) T {name}$", out, re.M).group(1), 16)


def code_bytes(fusion: Path, out: Path) -> int:
    """Flash the Fusion functions the wand would use: bias + AHRS, as the sketch is compiled."""
    total = 0
    for name in ("FusionAhrs.c", "FusionBias.c"):
        obj = out / (name + ".o")
        subprocess.run(["arm-none-eabi-gcc", *FLAGS, "-std=gnu11", f"-I{fusion}", "-c", str(fusion / name), "-o",
                        str(obj)], check=True)
        size = subprocess.run(["arm-none-eabi-size", str(obj)], capture_output=True, text=True, check=True).stdout
        total += int(size.splitlines()[1].split()[0])  # text
    return total


def run(elf: Path, out: Path) -> tuple[dict[str, int], list[int]]:
    counts = out / "insn.txt"
    subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
                    "-semihosting-config", "enable=on,target=native", "-kernel", str(elf), "-plugin",
                    f"{PLUGIN},start={symbol(elf, 'wand_bench_start'):#x},stop={symbol(elf, 'wand_bench_stop'):#x},"
                    f"out={counts}"], cwd=out, check=True, timeout=600, capture_output=True)
    stats = {k: int(v) for k, v in (ln.split() for ln in counts.read_text().splitlines())}
    return stats, [int(v) for v in (out / "fusion.out").read_text().split()]


def host_quaternion(samples: np.ndarray, rate: int) -> np.ndarray:
    import imufusion
    from wand.control import fusion as f  # the daemon's settings; fusion_m4.c spells the same numbers
    bias, ahrs = imufusion.Bias(), imufusion.Ahrs()
    b = imufusion.BiasSettings()
    b.sample_rate, b.stationary_threshold, b.stationary_period = rate, f.BIAS_THRESHOLD_DPS, f.BIAS_PERIOD_S
    bias.set_settings(b)
    s = imufusion.AhrsSettings()
    s.sample_rate, s.gain, s.gyroscope_range = rate, f.AHRS_GAIN, 2000
    s.acceleration_rejection, s.rejection_timeout = f.ACC_REJECTION_DEG, f.REJECTION_TIMEOUT_S
    ahrs.set_settings(s)
    ahrs.skip_startup()
    for x in samples.astype(np.float64):
        gyro = bias.update(x[3:] / 10.0 * [1, -1, 1])
        ahrs.update_no_magnetometer(gyro, x[:3] / 1000.0 * [1, -1, 1])
    return ahrs.get_quaternion()


def gravity_angle(q1: np.ndarray, q2: np.ndarray) -> float:
    """Degrees between the earth's vertical seen in the body frame by two orientations."""
    def down(q):
        w, x, y, z = q / np.linalg.norm(q)
        return np.array([2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z])
    a, b = down(q1), down(q2)
    return float(np.degrees(np.arctan2(np.linalg.norm(np.cross(a, b)), a @ b)))  # exact near 0, unlike arccos


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fusion", required=True, type=Path, help="the Fusion/ folder of a Fusion checkout")
    p.add_argument("--tries", type=int, default=20)
    p.add_argument("--commit", default="", help="the Fusion commit, recorded with the result")
    args = p.parse_args()
    if not (args.fusion / "FusionAhrs.c").exists():
        raise SystemExit(f"{args.fusion}: no FusionAhrs.c; give the Fusion/ folder of a Fusion checkout")
    if not PLUGIN.exists():
        subprocess.run(["make", "-s", "-C", str(HERE.parent), str(PLUGIN.relative_to(HERE.parent))], check=True)
    from wand.datasets import load_vocabulary
    from wand.streams import resample
    rate = 50
    tries = [g for g in load_vocabulary() if g.name == "circle_cw"][0].recordings()[: args.tries]
    samples = np.concatenate([resample(r, rate, r.channels) for r in tries])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        stats, q_chip = run(build(args.fusion, samples, rate, out), out)
        flash = code_bytes(args.fusion, out)
    q_host = host_quaternion(samples, rate)
    per = stats["sum"] / stats["spans"]
    q_chip_f = np.array(q_chip) / 1e6
    result = {
        "what": "Fusion bias + AHRS update per IMU sample on a Cortex-M4F (QEMU mps2-an386, the sketch's flags)",
        "samples": stats["spans"], "tries": len(tries), "instructions_per_sample": round(per),
        "instructions_min": stats["min"], "instructions_max": stats["max"],
        "cpu_share_at_50hz_64mhz_1ipc": per * rate / CPU_HZ, "flash_bytes": flash,
        "quaternion_chip": [v / 1e6 for v in q_chip], "quaternion_host_imufusion": [float(v) for v in q_host],
        "gravity_angle_deg": gravity_angle(q_chip_f, q_host),  # tilt: heading drifts freely without a compass
        "fusion_commit": args.commit,
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
