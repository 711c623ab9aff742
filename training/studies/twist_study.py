"""Is it a drawing or a twist? The stroke's roll share, chosen on VALIDATION people.

A wand draws with its tip: the turn ACROSS its long axis (board y and z) moves the tip; a
turn ABOUT the long axis (board x, the roll: a forearm turning a key, a cup, a page)
moves it nowhere. Everyday motion rolls the forearm a lot; a person drawing has no reason
to. So the spotter may drop a stroke whose summed |gx| is more than a share of its summed
|gx|+|gy|+|gz| (``STROKE_MAX_ROLL_SHARE``, 256ths; 256: no rule). Measured through the
firmware twin (``wand/wand_core/stroke.py``, the chip's resampler and gyro-offset tracker)
for each share in ``SHARES``:

* real wand tries of validation people (tti-data, tti-20210623, nano33-spells validation
  tries; REST ADDED before and after each, 1 s, as the intent study): cut by the rule, and
  among the DRAWINGS (tries whose stroke, cut without the rule, turns the wand
  ``SMALL_TURN_DEG`` or more: the measure ``wand enrol --drawing`` hints with; swipes and
  pushes carry the wand and are IMU gestures) the share still cut;
* everyday motion of sp-sw-har validation people (a watch on the wrist, board x along the
  forearm: ``frames.WATCH_TO_BOARD``), as it is and 3 times with real rest spliced in:
  strokes bracketed and strokes the installed model reads (all 44 active), per hour;
* SYNTHETIC air-written characters (virtual wand: no roll by construction), a check that
  nothing else changed; never a real accuracy.

Chosen: the smallest share (the strictest rule) that keeps the real drawings cut within
``TOLERANCE`` points of no rule. ``--test`` then reports the test people (tti-peter,
nano33 test tries, sp-sw-har test people) for that share and for none: report only.

    python -m training.studies.twist_study [--quick] [--test] [--out training/results/twist]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent.parent / "results" / "twist"
SHARES = (256, 179, 154, 128, 115, 102, 90, 77)  # 1.0, 0.70, 0.60, 0.50, 0.45, 0.40, 0.35, 0.30
TOLERANCE = 1.5  # points of real drawings the rule may cost (as the read rule study's)
SEEDS = (0, 1, 2)


@dataclasses.dataclass
class Row:
    share: int
    real_cut: int
    real_n: int
    drawings_cut: int
    drawings_n: int
    everyday_brackets: int
    everyday_read: int
    paused_brackets: list[int]
    paused_read: list[int]
    hours: float
    synth_cut: float
    synth_right: float
    cut_by_gesture: dict[str, list[int]]

    def per_hour(self, k: float) -> float:
        return k / self.hours if self.hours else float("nan")

    def summary(self) -> dict:
        return dataclasses.asdict(self) | {
            "share": self.share / 256, "share_256ths": self.share,
            "drawings_kept": self.drawings_cut / max(self.drawings_n, 1),
            "real_kept": self.real_cut / max(self.real_n, 1),
            "everyday_read_per_hour": self.per_hour(self.everyday_read),
            "paused_read_per_hour": [self.per_hour(k) for k in self.paused_read],
            "paused_read_per_hour_mean": self.per_hour(float(np.mean(self.paused_read))),
            "paused_brackets_per_hour_mean": self.per_hour(float(np.mean(self.paused_brackets)))}


def _paused(recs) -> list[list[tuple[np.ndarray, int]]]:
    """Per seed, each recording with real rest spliced in (``with_pauses``), and its rate: the
    same cuts in both steps."""
    from wand.bench_air import with_pauses
    return [[(with_pauses(r.samples, r.rate_hz, np.random.default_rng(1000 * s + i))[0], r.rate_hz)
             for i, r in enumerate(recs)] for s in SEEDS]


def load(part: str, quick: bool) -> dict:
    """Real tries (rest added), everyday motion (plain and with pauses, per seed) and synthetic tries of ``part``."""
    from wand.bench_air import hold_padded
    from wand.datasets import load_split_data

    from .intent_study import real_tries, synthetic_tries
    rng = np.random.default_rng(0)
    recs = load_split_data("sp-sw-har")[part]
    if quick:
        recs = recs[:8]
    real = []
    for r in real_tries(part)[:: 4 if quick else 1]:
        x, a, b = hold_padded(r, 1.0, rng)
        real.append((r, x, a, b))
    paused = _paused(recs)
    synth = [t for g in (False, True) for t in synthetic_tries(part, list(SEEDS[:1 if quick else 3]), g)]
    return {"real": real, "everyday": recs, "paused": paused, "hours": sum(r.duration_s for r in recs) / 3600,
            "synth": synth[:: 6 if quick else 1], "people": sorted({r.person for r in recs}),
            "real_people": sorted({r.person for r, *_ in real})}


def measure(share: int, data: dict, reader, drawing: list[bool]) -> Row:
    from wand.bench_air import covering, twin_spotter
    spot = twin_spotter(max_roll_share=share)
    cut_real = [covering(spot(x, r.rate_hz), x, a, b) is not None for r, x, a, b in data["real"]]
    by_gesture: dict[str, list[int]] = {}
    for (r, *_), c in zip(data["real"], cut_real):
        k = f"{r.person}/{r.label}"
        by_gesture.setdefault(k, [0, 0])
        by_gesture[k][0] += c
        by_gesture[k][1] += 1

    def count(streams) -> tuple[int, int]:
        found = [d for x, rate in streams for d in spot(x, rate)]
        return len(found), sum(reader.read(d) is not None for d in found)

    ev_b, ev_r = count([(r.samples, r.rate_hz) for r in data["everyday"]])
    pb, pr = zip(*(count(seed) for seed in data["paused"]))
    cut = right = 0
    for t in data["synth"]:
        a, b = int(t.meta["drawing_start"]), int(t.meta["drawing_end"])
        d = covering(spot(t.samples, t.rate_hz), t.samples, a, b)
        cut += d is not None
        right += d is not None and reader.read(d) == t.label
    n = max(len(data["synth"]), 1)
    return Row(share, sum(cut_real), len(cut_real), sum(c for c, dr in zip(cut_real, drawing) if dr), sum(drawing),
               ev_b, ev_r, list(pb), list(pr), data["hours"], cut / n, right / n, by_gesture)


def drawings(data: dict) -> list[bool]:
    """Which real tries are drawings: cut with no rule, their stroke turning the wand SMALL_TURN_DEG or more."""
    from wand.bench_air import covering, twin_spotter
    from wand.commands.enrol import SMALL_TURN_DEG
    from wand.strokes import extent
    spot = twin_spotter(max_roll_share=256)
    out = []
    for r, x, a, b in data["real"]:
        d = covering(spot(x, r.rate_hz), x, a, b)
        out.append(d is not None and extent(d.points) >= SMALL_TURN_DEG)  # points in degrees
    return out


def choose(rows: list[Row]) -> Row:
    """The strictest share keeping the real drawings cut within TOLERANCE points of no rule."""
    base = next(r for r in rows if r.share == 256)
    floor = base.drawings_cut / max(base.drawings_n, 1) - TOLERANCE / 100
    ok = [r for r in rows if r.drawings_cut / max(r.drawings_n, 1) >= floor - 1e-12]
    return min(ok, key=lambda r: r.share)


def run_part(part: str, shares, quick: bool, say=print) -> dict:
    from wand.bench_air import StrokeReader
    t0 = time.time()
    data = load(part, quick)
    reader = StrokeReader()
    drawing = drawings(data)
    say(f"{part}: {len(data['real'])} real tries ({sum(drawing)} drawings, {', '.join(data['real_people'])}), "
        f"{data['hours']:.3f} h everyday ({len(data['people'])} people), {len(data['synth'])} synthetic tries "
        f"({time.time() - t0:.0f} s)")
    rows = []
    for share in shares:
        rows.append(measure(share, data, reader, drawing))
        s = rows[-1].summary()
        say(f"  share {share:3d}/256 ({share / 256:.2f}): drawings cut {rows[-1].drawings_cut}/{rows[-1].drawings_n}, "
            f"real {rows[-1].real_cut}/{rows[-1].real_n}; everyday read {s['everyday_read_per_hour']:.1f}/h; with pauses "
            f"brackets {s['paused_brackets_per_hour_mean']:.0f}/h, read {s['paused_read_per_hour_mean']:.1f}/h "
            f"(seeds {rows[-1].paused_read}); synthetic cut {rows[-1].synth_cut:.1%}, read right "
            f"{rows[-1].synth_right:.1%} ({time.time() - t0:.0f} s)")
    return {"part": part, "people": data["people"], "real_people": data["real_people"], "hours": data["hours"],
            "rows": [r.summary() for r in rows], "rows_obj": rows}


GESTURE_SHARES = (256, 154, 128, 115, 102, 90, 77)
GESTURE_PEOPLE = {"validation": ("tti-data",), "test": ("tti-peter",)}


def gestures_part(part: str, shares, quick: bool, say=print) -> dict:
    """Step 2, the built-in IMU gestures: for each share (``Spotter.max_roll_share``), the
    installed model's tries recognised (each replayed from a fresh start, as ``wand eval``)
    and its named events per hour of everyday motion (plain and with pauses, as step 1)."""
    from wand.datasets import load_split_data, load_vocabulary
    from wand.model import load_model
    from wand.streams import WandReplay
    from wand.wand_core.spotter import Spotter
    t0 = time.time()
    bundle = load_model(None)
    tries = [r for g in load_vocabulary() if g.name in bundle.gesture_names for r in g.recordings()
             if r.person in GESTURE_PEOPLE[part]]
    recs = load_split_data("sp-sw-har")[part][: 8 if quick else None]
    hours = sum(r.duration_s for r in recs) / 3600
    paused = _paused(recs)
    rows, keep = [], Spotter.max_roll_share
    try:
        for share in shares:
            Spotter.max_roll_share = share
            replay = WandReplay(bundle)

            def named(streams) -> int:
                return sum(d.source == "model" for x, rate in streams for d in replay.run(x, rate))
            right = sum((e := replay.first_event(t)) is not None and e.gesture == t.label for t in tries)
            plain = named([(r.samples, r.rate_hz) for r in recs])
            pa = [named(seed) for seed in paused]
            rows.append({"share": share / 256, "share_256ths": share, "tries_right": right, "tries": len(tries),
                         "everyday_events": plain, "paused_events": pa, "hours": hours,
                         "everyday_per_hour": plain / hours, "paused_per_hour_mean": float(np.mean(pa)) / hours})
            say(f"  gestures, share {share:3d}/256 ({share / 256:.2f}): tries right {right}/{len(tries)}; everyday "
                f"{plain / hours:.1f}/h, with pauses {np.mean(pa) / hours:.1f}/h (seeds {pa}) ({time.time() - t0:.0f} s)")
    finally:
        Spotter.max_roll_share = keep
    return {"part": part, "people": sorted({r.person for r in recs}), "try_people": list(GESTURE_PEOPLE[part]),
            "hours": hours, "rows": rows}


def choose_gestures(rows: list[dict]) -> int:
    """The strictest share keeping the built-in gestures' tries recognised within TOLERANCE points."""
    base = next(r for r in rows if r["share_256ths"] == 256)
    floor = base["tries_right"] / base["tries"] - TOLERANCE / 100
    return min(r["share_256ths"] for r in rows if r["tries_right"] / r["tries"] >= floor - 1e-12)


def plot(res: dict, path: Path, chosen: int) -> None:
    from wand.plots import save_png
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    rows = res["rows"]
    ax.plot([r["paused_read_per_hour_mean"] for r in rows], [100 * r["drawings_kept"] for r in rows], "o-")
    for r in rows:
        ax.annotate(f"{r['share']:.2f}" + (" (chosen)" if r["share_256ths"] == chosen else ""),
                    (r["paused_read_per_hour_mean"], 100 * r["drawings_kept"]), fontsize=8)
    ax.set_xlabel("everyday motion with pauses: strokes read per hour (validation people)")
    ax.set_ylabel("real wand drawings still cut (%)")
    ax.set_title("max roll share of a stroke's turning (validation)")
    ax.grid(alpha=0.3)
    save_png(fig, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--test", action="store_true", help="also report the test people for the chosen share (report only)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    val = run_part("validation", SHARES, args.quick)
    chosen = choose(val.pop("rows_obj"))
    print(f"chosen: max roll share {chosen.share}/256 ({chosen.share / 256:.2f}) (the chip's STROKE_MAX_ROLL_SHARE)")
    out = {"what": __doc__.split("\n\n")[0], "tolerance_points": TOLERANCE, "seeds": list(SEEDS),
           "chosen_share_256ths": chosen.share, "validation": val}
    print("step 2, the built-in gestures (validation tries: tti-data, the only person with them who is not a test "
          "person; the IMU model trained on them, the share did not)")
    gval = gestures_part("validation", GESTURE_SHARES, args.quick)
    g_chosen = choose_gestures(gval["rows"])
    print(f"chosen: max roll share {g_chosen}/256 ({g_chosen / 256:.2f}) (the chip's GESTURE_MAX_ROLL_SHARE)")
    out |= {"gestures_chosen_share_256ths": g_chosen, "gestures_validation": gval}
    if args.test:
        test = run_part("test", sorted({256, chosen.share}, reverse=True), args.quick)
        test.pop("rows_obj")
        out["test_report_only"] = test
        out["gestures_test_report_only"] = gestures_part("test", sorted({256, g_chosen}, reverse=True), args.quick)
    if not args.quick:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "validation.json").write_text(json.dumps(out, indent=1, default=str))
        plot(val, args.out / "validation.png", chosen.share)
        print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
