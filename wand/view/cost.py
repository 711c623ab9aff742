"""What the live page costs the daemon: ``python -m wand.view.cost [--repeats N]``.

Replays the vocabulary's real tries (gestures/vocabulary.toml) through the simulated wand
with the IMU stream on, as fast as possible, and hands every IMU notification to the
page's hub the way the daemon does (``ViewHub.on_imu_packet``: the shadow recogniser, the
trace, the entries), taking a frame (``ViewHub.frame``, what the page is sent) every
``TICK_S`` of wand time. Reports host CPU time per second of wand motion (1.0 = one core
busy) and the WebSocket bytes per second, mean +- sd over repeats with a 95% interval
(t distribution), and what it rests on (tries, people, minutes of IMU).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path


def _replayed(bundle):
    from ..datasets import load_vocabulary
    from ..protocol import PKT_GESTURE
    from ..simwand.device import SimulatedWand, streaming

    tries = [r for g in load_vocabulary() for r in g.recordings()]
    packets = [e.packet for e in SimulatedWand(bundle, tries, config=streaming()).replay()
               if e.packet[0] != PKT_GESTURE]
    return tries, packets


def once(bundle, packets: list[bytes], tmp: Path) -> tuple[float, float, float]:
    """(CPU seconds, bytes sent, wand seconds) for one pass of ``packets`` through a fresh hub."""
    from ..config import example_path, load_config
    from ..daemon import Daemon, WandState
    from ..enrol import EnrolmentSet
    from ..outputs import OutputSet
    from .hub import TICK_S, ViewHub
    from .teach import Teach

    cfg = load_config(example_path("tv"))
    daemon = Daemon(cfg, bundle, OutputSet(cfg, dry_run=True), EnrolmentSet(bundle.rate_hz), line=lambda s: None)
    hub = ViewHub(daemon, Teach(bundle, tmp, tmp / "enrolled.json", say=lambda m: None))
    st = WandState("wand-sim", "SIM")
    daemon.wands[st.name] = st
    every = max(1, round(TICK_S * bundle.rate_hz))  # one sample per notification at the default MTU
    sent = 0
    t0 = time.process_time()
    for i, data in enumerate(packets):
        hub.on_imu_packet(st, data)
        if i % every == every - 1:
            sent += len(json.dumps({"type": "frame", "messages": hub.frame()}, separators=(",", ":")))
    cpu = time.process_time() - t0
    return cpu, sent, len(packets) / bundle.rate_hz


def interval(xs: list[float]) -> tuple[float, float, float, float]:
    """mean, sd, and the 95% interval of the mean (t distribution)."""
    from scipy import stats
    m = statistics.fmean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    half = stats.t.ppf(0.975, len(xs) - 1) * sd / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")
    return m, sd, m - half, m + half


def main(argv: list[str] | None = None) -> int:
    import tempfile

    from ..model import load_model
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    bundle = load_model()
    tries, packets = _replayed(bundle)
    cpu, rate = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            c, sent, seconds = once(bundle, packets, Path(tmp))
            cpu.append(c / seconds)
            rate.append(sent / seconds)
    people = sorted({r.person for r in tries})
    print(f"live page cost on {len(tries)} real tries by {len(people)} people ({seconds / 60:.1f} min of IMU at "
          f"{bundle.rate_hz} Hz, pauses between tries not streamed), {args.repeats} repeats:")
    m, sd, lo, hi = interval(cpu)
    print(f"  host CPU per second of wand motion: {m * 100:.2f}% of one core +- {sd * 100:.2f} (95% CI {lo * 100:.2f}-{hi * 100:.2f})")
    m, sd, lo, hi = interval(rate)
    print(f"  sent to each open page: {m / 1000:.1f} kB/s +- {sd / 1000:.2f} (95% CI {lo / 1000:.1f}-{hi / 1000:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
