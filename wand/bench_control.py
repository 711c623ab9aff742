"""`wand bench control`: continuous control (issue 21) on real recordings.

* rest: the pointer's travel over the still stretches (``streams.still_runs``: under
  20 deg/s summed over the axes, at least 0.3 s) of the shared 6-axis recordings, each
  recording replayed whole (so a rest after a movement counts too). sp-sw-har (smartwatch,
  everyday motion) by its person split: the air mouse's rest gate (``rest_dps``, ``rest_s``) is chosen
  on the validation people and reported on the test people; the wand's own board
  (nano33-spells, tiny-trainable-instruments) reported as it is.
* clutch: pointer travel per minute of everyday motion (sp-sw-har test people: the wrist
  carries the sensor as a hand carries a wand) with the "raise" clutch and without.
* circle: each real tti circle_cw try moves the pointer; its loop's closure (closest
  return to the start in the try's second half, as a fraction of the loop's size) beside
  the same try's gyro stroke (``wand.strokes``, the gesture itself): the tries are cut at
  1 s, so not every drawn circle is closed either.
* latency: real IMU notifications, one at a time, through the daemon's notification
  callback to the output having sent (dry-run outputs, and real OSC datagrams to a
  loopback socket); messages per second per mapping; the sample -> output budget per part.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import parse_config
from .control.session import ControlSession
from .streams import resample, still_runs

RATE = 50
REST_CHOICES = [(d, t) for d in (8.0, 12.0) for t in (0.06, 0.1, 0.2)]  # rest_dps <= 12: slower turns
# than that still move the pointer once it moves (fine aiming); wake_dps 25 > the 20 deg/s of a still
# run, so a rest gate that has closed inside a still run stays closed there
SETTLE_S = 0.5  # a still run's first half second: the tail of the movement before it
CLOSED = 0.35  # a loop is closed when it comes back within this fraction of its size
CONNECTION_INTERVALS_MS = (7.5, 15.0, 30.0)  # nRF52840 minimum; a typical phone/PC grant; BlueZ's default minimum
RESAMPLER_MS = 1000 / 119  # worst: a 50 Hz sample goes out with the first 119 Hz sample after its time
INFERENCE_MS = 146_217 / 64e3  # a loop() busy with one inference (QEMU instruction count, firmware/README.md)
# at 64 MHz and 1 instruction per cycle; the sketch reads the IMU FIFO once per loop


def pointer_config(**mapping) -> str:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in mapping.items())
    return f"[profiles.p.controls.pointer]\naction = \"pointer\"\n{extra}"


def controls(text: str):
    return list(parse_config(text).profiles["p"].controls.values())


def replay(ctrls, samples: np.ndarray) -> list[list]:
    """Each sample's commands (a list per sample), through a fresh ControlSession."""
    session = ControlSession(ctrls, RATE)
    return [session.step(i % (1 << 16), tuple(int(v) for v in s)) for i, s in enumerate(samples)]


def _pixels(cmds: list) -> int:
    return sum(abs(c.value[0]) + abs(c.value[1]) for c in cmds if c.control.kind == "pointer")


@dataclass
class RestResult:
    minutes: float
    runs: int
    px: int  # over the whole still runs
    runs_moved: int
    people: int
    settled_minutes: float = 0.0  # the runs after their first SETTLE_S
    settled_px: int = 0  # drift: what moved there


def rest_drift(recs, ctrls) -> RestResult:
    res = RestResult(0.0, 0, 0, 0, len({r.person for r in recs}))
    settle = int(SETTLE_S * RATE)
    for r in recs:
        x = resample(r, RATE, r.channels)
        per_sample = replay(ctrls, x)
        for a, b in still_runs(x, RATE):
            p = sum(_pixels(c) for c in per_sample[a:b])
            res.minutes += (b - a) / RATE / 60
            res.runs += 1
            res.px += p
            res.runs_moved += p > 0
            if b - a > settle:
                res.settled_minutes += (b - a - settle) / RATE / 60
                res.settled_px += sum(_pixels(c) for c in per_sample[a + settle:b])
    return res


def everyday_px_per_min(recs, ctrls) -> tuple[float, float]:
    px, minutes = 0, 0.0
    for r in recs:
        x = resample(r, RATE, r.channels)
        px += sum(_pixels(c) for c in replay(ctrls, x))
        minutes += len(x) / RATE / 60
    return px / minutes, minutes


def closure(path: np.ndarray) -> float:
    """Closest return to the start in the path's second half, over the path's size."""
    size = float(np.ptp(path, axis=0).max())
    if size <= 0:
        return float("inf")
    half = path[len(path) // 2:]
    return float(np.linalg.norm(half - path[0], axis=1).min()) / size


def circle_loops(tries, ctrls) -> list[dict]:
    from . import strokes
    from .recordings import RAW_TO_PHYSICAL
    out = []
    for r in tries:
        x = resample(r, RATE, r.channels)
        steps = [c.value for cmds in replay(ctrls, x) for c in cmds if c.control.kind == "pointer"]
        path = np.cumsum(np.array([(0, 0)] + steps, float), axis=0)
        stroke = strokes.gyro_stroke(x / RAW_TO_PHYSICAL, RATE)
        out.append({"person": r.person, "pointer_size_px": float(np.ptp(path, axis=0).max()),
                    "pointer_closure": closure(path), "stroke_closure": closure(stroke),
                    "pointer_clockwise": strokes.signed_area(path * [1, -1]) < 0,  # screen y down -> up
                    "stroke_clockwise": strokes.signed_area(stroke) < 0})
    return out


# --- latency ----------------------------------------------------------------------------

def _imu_packets(recs) -> list[bytes]:
    from .protocol import ImuPacket
    packets, seq = [], 0
    for r in recs:
        for s in resample(r, RATE, r.channels):
            packets.append(ImuPacket(seq % (1 << 16), (tuple(int(v) for v in s),)).encode())
            seq += 1
    return packets


LATENCY_CONFIG = """
[osc]
port = {port}
[profiles.p.controls.pointer]
action = "pointer"
[profiles.p.controls.tilt]
action = "midi.cc"
cc = 1
bits = 14
source = "pitch"
[profiles.p.controls.bend]
action = "midi.bend"
source = "roll"
[profiles.p.controls.osc]
action = "osc"
address = "/wand/pitch"
source = "pitch"
"""


async def _latency(packets: list[bytes], dry_run: bool, port: int) -> tuple[list[float], int, float]:
    from .daemon import Daemon, WandState
    from .events import EventStream
    from .model import load_model
    from .outputs import OutputSet

    text = LATENCY_CONFIG.format(port=port)
    if not dry_run:  # real sends: OSC only (MIDI needs a MIDI system, the pointer a display)
        text = text.split("[profiles.p.controls.pointer]")[0] + "[profiles.p.controls.osc]" + \
            text.split("[profiles.p.controls.osc]")[1]
    cfg = parse_config(text)
    bundle = load_model()
    daemon = Daemon(cfg, bundle, OutputSet(cfg, dry_run=dry_run), None, line=lambda s: None)
    st = WandState("bench", "bench", profile="p", stream=EventStream("bench", bundle, None, None))
    daemon.wands["bench"] = st
    daemon._update_control(st)
    lat: list[float] = []
    done = {"n": 0}

    def sent(command, result, received) -> None:
        lat.append((time.perf_counter() - received) * 1000)
        done["n"] += 1
    daemon.on_control = sent
    messages = 0
    t0 = time.perf_counter()
    for data in packets:
        before = done["n"]
        daemon._on_imu(st, data)
        daemon._control_pool.submit(lambda: None).result(timeout=600)  # one worker, in order: all sent
        messages += done["n"] - before
    seconds = time.perf_counter() - t0
    daemon._control_pool.shutdown(wait=True)
    daemon._pool.shutdown()
    daemon.outputs.close()
    return lat, messages, seconds


def _latency_inline(packets: list[bytes]) -> tuple[list[float], int, float]:
    """Baseline: fuse, map and send inside the notification callback (no worker hand-off)."""
    from .outputs import OutputSet
    cfg = parse_config(LATENCY_CONFIG.format(port=9))
    outs = OutputSet(cfg, dry_run=True)
    session = ControlSession(list(cfg.profiles["p"].controls.values()), RATE)
    lat, messages = [], 0
    t0 = time.perf_counter()
    for data in packets:
        start = time.perf_counter()
        for c in session.feed(data):
            outs.control(c.control, c.value)
            lat.append((time.perf_counter() - start) * 1000)
            messages += 1
    return lat, messages, time.perf_counter() - t0


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def _fusion_us(packets: list[bytes]) -> float:
    session = ControlSession([], RATE)
    t0 = time.perf_counter()
    for d in packets:
        session.feed(d)
    return (time.perf_counter() - t0) / len(packets) * 1e6


LATENCY_RUNS = 3  # the host's latency varies with what else the machine does: mean +- sd over runs
DRY = "dry-run outputs (pointer, CC 14-bit, bend, OSC)"
OSC_REAL = "real OSC datagrams to loopback"
INLINE = "baseline: dry run inside the callback (no worker)"


def bench_control(out: Path, quick: bool = False, report=print) -> dict:
    from .datasets import load_named, load_split

    sphar = load_split("sp-sw-har").apply(load_named("sp-sw-har"))
    val, test = sphar["validation"], sphar["test"]
    if quick:
        val, test = val[:8], test[:8]
    res: dict = {}
    ctrl = _rest(val, test, res, report)
    _clutch(test, res, report)
    _circles(ctrl, out, res, report)
    _latency_tables(test[:4] if quick else test[:12], 1 if quick else LATENCY_RUNS, res, report)
    _rates(test, res, report)
    _filter_lag(val, res, report)
    _fusion_choice(res, report)
    (out / "bench-control.json").write_text(json.dumps(res, indent=2, default=float))
    return res


def _table(header, rows) -> str:
    from .demo import format_table
    return format_table(header, rows)


def _rest(val, test, res: dict, report) -> list:
    """The rest gate: chosen on validation people, reported on test people and the board's data."""
    from .datasets import load_named
    sweep = [((d, t), rest_drift(val, controls(pointer_config(rest_dps=d, rest_s=t)))) for d, t in REST_CHOICES]
    (rest_dps, rest_s), _ = min(sweep, key=lambda kv: (kv[1].px, -kv[0][1]))
    report(_table(["rest_dps", "rest_s", "validation still min", "runs", "px moved", "runs that moved"],
                  [[d, t, f"{r.minutes:.2f}", r.runs, r.px, r.runs_moved] for (d, t), r in sweep]))
    report(f"rest gate chosen on the sp-sw-har validation people ({sweep[0][1].people}): rest_dps = {rest_dps:g}, "
           f"rest_s = {rest_s:g} (fewest px over their still runs); the config's defaults")
    res["chosen"] = {"rest_dps": rest_dps, "rest_s": rest_s}
    ctrl = controls(pointer_config(rest_dps=rest_dps, rest_s=rest_s))
    rows = []
    for name, recs in [("sp-sw-har test people", test), ("nano33-spells", load_named("nano33-spells")),
                       ("tiny-trainable-instruments", load_named("tiny-trainable-instruments"))]:
        r = rest_drift(recs, ctrl)
        rows.append([name, r.people, f"{r.minutes:.2f}", r.runs, r.px, r.runs_moved, f"{r.settled_minutes:.2f}",
                     r.settled_px])
        res[f"rest:{name}"] = r.__dict__
    report(_table(["still runs of", "people", "minutes", "runs", "px moved", "runs that moved",
                   f"after {SETTLE_S:g} s: minutes", "px (drift, target 0)"], rows))
    report("deterministic: no randomness in the replay, so no spread over seeds")
    return ctrl


def _clutch(test, res: dict, report) -> None:
    c = res["chosen"]
    raise_px, minutes = everyday_px_per_min(test, controls(pointer_config(rest_dps=c["rest_dps"], rest_s=c["rest_s"])))
    none_px, _ = everyday_px_per_min(test, controls(pointer_config(rest_dps=c["rest_dps"], rest_s=c["rest_s"],
                                                                   clutch="none")))
    res["clutch"] = {"raise_px_per_min": raise_px, "none_px_per_min": none_px, "minutes": minutes}
    report(_table(["clutch", "px/min of everyday motion"], [["raise (tip above -35 deg)", f"{raise_px:.0f}"],
                                                            ["none", f"{none_px:.0f}"]]))
    report(f"({minutes:.1f} min of sp-sw-har test people ({len({r.person for r in test})}): sit, stand up, walk, turn, "
           "sit down, watch on the wrist)")


def _circles(ctrl, out: Path, res: dict, report) -> None:
    from .bench import wilson
    from .datasets import load_vocabulary
    circle = [g for g in load_vocabulary() if g.name == "circle_cw"][0].recordings()
    loops = circle_loops(circle, ctrl)
    res["circle"] = loops
    rows = []
    for label, key in (("pointer path", "pointer"), ("gyro stroke of the same try", "stroke")):
        cl = [c[f"{key}_closure"] for c in loops]
        k = sum(c <= CLOSED for c in cl)
        lo, hi = wilson(k, len(cl))
        rows.append([label, len(cl), f"{k} ({lo:.0%}-{hi:.0%})", f"{statistics.median(cl):.2f}",
                     sum(c[f"{key}_clockwise"] for c in loops)])
    report(_table(["circle_cw tries (tti-data 10, tti-peter 10)", "tries", f"closed <= {CLOSED} (95% Wilson)",
                   "median closure", "clockwise"], rows))
    size = statistics.median(c["pointer_size_px"] for c in loops)
    png = _plot_loops(circle, ctrl, out / "control-circles.png")
    report(f"median loop {size:.0f} px across; every path: {png}")


def _latency_tables(recs, runs: int, res: dict, report) -> None:
    from .bench import t_interval
    packets = _imu_packets(recs)
    fusion = [_fusion_us(packets) for _ in range(runs)]
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.setblocking(False)
    rows = []
    try:
        for label, dry in ((DRY, True), (OSC_REAL, False), (INLINE, True)):
            p50s, p99s = [], []
            for _ in range(runs):
                lat, messages, _ = (_latency_inline(packets) if label == INLINE
                                    else asyncio.run(_latency(packets, dry, sink.getsockname()[1])))
                p50s.append(_pct(lat, 0.5))
                p99s.append(_pct(lat, 0.99))
            res[f"latency:{label}"] = {"p50_ms": p50s, "p99_ms": p99s, "messages_per_run": messages}
            rows.append([label, len(packets), messages, _spread(p50s, t_interval), _spread(p99s, t_interval)])
    finally:
        sink.close()
    report(_table(["notification -> output sent (host)", "notifications", "messages", "p50 ms",
                   "p99 ms (target 5)"], rows))
    res["fusion_us_per_sample"] = fusion
    load = os.getloadavg()[0]
    res["load"] = {"loadavg_1min": load, "cpus": os.cpu_count()}
    report(f"{runs} run(s), mean +- sd [95% t interval]; {len(packets) / RATE / 60:.1f} min of sp-sw-har test "
           f"people replayed one notification at a time; fusion (imufusion AHRS + bias) "
           f"{statistics.mean(fusion):.0f} us per sample. Load average {load:.1f} on {os.cpu_count()} CPUs while "
           "measuring: p99 grows with the machine's load")
    _budget(float(np.mean(res[f"latency:{DRY}"]["p99_ms"])), float(np.mean(res[f"latency:{DRY}"]["p50_ms"])),
            res, report)


def _spread(values: list[float], t_interval) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}"
    lo, hi = t_interval(values)
    return f"{np.mean(values):.3f} +- {np.std(values, ddof=1):.3f} [{lo:.3f}, {hi:.3f}]"


def _budget(host_p99: float, host_p50: float, res: dict, report) -> None:
    wand = RESAMPLER_MS + INFERENCE_MS
    rows = [[f"{ci:g} ms", f"{RESAMPLER_MS:.1f}", f"{INFERENCE_MS:.1f}", f"{ci:g}", f"{host_p99:.2f}",
             f"{wand + ci + host_p99:.1f}", f"{wand / 2 + ci / 2 + host_p50:.1f}"] for ci in CONNECTION_INTERVALS_MS]
    res["budget_ms"] = {"resampler": RESAMPLER_MS, "inference_loop": INFERENCE_MS, "host_p99": host_p99}
    report(_table(["connection interval", "resampler (worst)", "loop busy (est.)", "radio wait (worst)",
                   "host p99", "sample -> output worst (target 25)", "mean"], rows))
    report("one IMU sample per notification while a control is active (config flag 0x08, whatever the MTU); "
           "the connection interval is the central's choice (the wand asks for none): 7.5 ms is the least BLE "
           "allows, 30 ms BlueZ's default minimum. The pointer follows rates unfiltered; values add the 1-euro "
           "filter's lag (below)")


def _rates(test, res: dict, report) -> None:
    """Messages per second each mapping sends on real everyday motion (sent only on change)."""
    text = LATENCY_CONFIG.format(port=9)
    ctrls = controls(text)
    counts: dict[str, int] = {c.name: 0 for c in ctrls}
    seconds = 0.0
    for r in test:
        x = resample(r, RATE, r.channels)
        seconds += len(x) / RATE
        for cmds in replay(ctrls, x):
            for c in cmds:
                counts[c.control.name] += 1
    res["messages_per_s"] = {k: v / seconds for k, v in counts.items()}
    report(_table(["mapping (defaults, max_rate_hz 50)", "messages/s on everyday motion"],
                  [[c.describe()[:60], f"{counts[c.name] / seconds:.1f}"] for c in ctrls]))
    report(f"({seconds / 60:.1f} min of sp-sw-har test people; a message only when the value sent changes)")


FILTERS = [(1.0, 0.0), (1.0, 0.05), (0.3, 0.05), (0.3, 0.2), (1.0, 0.2), (3.0, 0.05)]  # (min_cutoff Hz, beta)


def _angles(recs, source: str) -> list[np.ndarray]:
    from .control.fusion import Fusion
    out = []
    for r in recs:
        f = Fusion(RATE)
        out.append(np.array([getattr(f.update(tuple(int(v) for v in s)), source)
                             for s in resample(r, RATE, r.channels)]))
    return out


def _smoothed(x: np.ndarray, min_cutoff: float, beta: float) -> np.ndarray:
    from .control.filters import one_euro
    f = one_euro(RATE, min_cutoff, beta)
    return np.array([f(v, i / RATE) for i, v in enumerate(x)])


def _lag_samples(raw: np.ndarray, smooth: np.ndarray, most: int = 15) -> int:
    """The delay that best lines the smoothed angle up with the raw one."""
    errs = [np.mean((smooth[k:] - raw[:len(raw) - k]) ** 2) for k in range(most)]
    return int(np.argmin(errs))


def _filter_lag(val, res: dict, report) -> None:
    """The 1-euro filter's cost (lag while the wand moves: real gestures on the wand's board)
    and gain (jitter while it is held still: still runs of sp-sw-har), on people who are not
    test people: the default is chosen here (the least jitter with at most 20 ms of lag, one
    sample: the issue's 25 ms budget is for the whole path)."""
    from .datasets import load_split, load_vocabulary
    tti = load_split("tiny-trainable-instruments")
    tries = [r for g in load_vocabulary() for r in g.recordings() if tti.part_of_person(r.person) != "test"]
    moving = _angles(tries, "pitch")
    still = [a[s:e] for r, a in zip(val, _angles(val, "pitch"))
             for s, e in still_runs(resample(r, RATE, r.channels), RATE) if e - s >= 10]
    raw_jitter = float(np.mean([np.std(np.diff(a)) for a in still]))
    rows = []
    for mc, beta in FILTERS:
        lags = [_lag_samples(a, _smoothed(a, mc, beta)) * 1000 / RATE for a in moving]
        jit = float(np.mean([np.std(np.diff(_smoothed(a, mc, beta))) for a in still]))
        rows.append([f"{mc:g}", f"{beta:g}", f"{np.mean(lags):.1f} +- {np.std(lags, ddof=1):.1f}",
                     f"{jit / raw_jitter:.2f}"])
    res["filter"] = rows
    best = min((r for r in rows if float(r[2].split()[0]) <= 20), key=lambda r: float(r[3]))
    report(_table(["min_cutoff Hz", "beta", "lag while moving, ms (mean +- sd over tries)",
                   "jitter held still / unfiltered"], rows))
    report(f"pitch; lag on {len(moving)} real tries (tti-data, tti-20210623: the wand's board), in whole 20 ms "
           f"samples; jitter: sd of the angle's step over {len(still)} still runs of the sp-sw-har validation "
           f"people (unfiltered {raw_jitter:.3f} deg per sample). Chosen: min_cutoff {best[0]}, beta {best[1]} "
           "(the config's default)")


FUSION_M4 = Path(__file__).resolve().parent.parent / "firmware" / "tests" / "fusion_m4_measured.json"


def _fusion_choice(res: dict, report) -> None:
    from .protocol import ATT_DEFAULT_PAYLOAD, IMU_HEADER, IMU_SAMPLE_BYTES
    raw = IMU_HEADER.size + IMU_SAMPLE_BYTES
    quat = 1 + 2 + 4 * 2  # type, sample number, quaternion as 4 x int16: what an on-chip packet would carry
    host = statistics.mean(res["fusion_us_per_sample"])
    chip = json.loads(FUSION_M4.read_text()) if FUSION_M4.exists() else None
    chip_cost = (f"{chip['instructions_per_sample']} instructions/sample (~{chip['instructions_per_sample'] / 64:.0f} us "
                 f"at 64 MHz), {chip['flash_bytes']} B flash" if chip else "not measured (fusion_cost.py)")
    res["fusion_m4"] = chip
    report(_table(["fusion", "bytes per notification", "notifications/s", "fusion cost", "settings change"],
                  [["host (chosen): raw IMU + imufusion", raw, RATE, f"{host:.0f} us/sample (Python) on this host",
                    "config reload"],
                   ["on the chip: Fusion C on the Cortex-M4F", quat, RATE, chip_cost, "reflash"]]))
    if chip:
        report(f"chip: QEMU mps2-an386, {chip['samples']} samples of {chip['tries']} tti circle_cw tries "
               f"(firmware/tests/qemu/fusion_cost.py); its orientation matches the host's imufusion (tilt "
               f"{chip['gravity_angle_deg']:.3f} deg apart after them)")
    report(f"both fit one {ATT_DEFAULT_PAYLOAD}-byte notification per sample, so the radio costs the same "
           f"{RATE} notifications/s, and both are cheap; the host is chosen because it keeps the raw IMU that "
           "enrolled gestures need anyway, needs no second (twin) implementation, and its settings change "
           "without reflashing")


def _plot_loops(tries, ctrl, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from .plots import save_png
    fig, axes = plt.subplots(2, 10, figsize=(20, 4.5))
    for ax, r in zip(axes.ravel(), tries):
        x = resample(r, RATE, r.channels)
        steps = [c.value for cmds in replay(ctrl, x) for c in cmds if c.control.kind == "pointer"]
        path_px = np.cumsum(np.array([(0, 0)] + steps, float), axis=0)
        ax.plot(path_px[:, 0], path_px[:, 1], "-", lw=1)
        ax.plot(*path_px[0], "go", ms=4)
        ax.invert_yaxis()
        ax.set_aspect("equal")
        ax.set_title(r.person, fontsize=7)
        ax.tick_params(labelsize=6)
    fig.suptitle("air mouse: pointer path of each real tti circle_cw try (green: start; screen y down)")
    return save_png(fig, path)
