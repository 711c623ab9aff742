"""Intent study (issue 19): how a person says "I am drawing now", chosen on validation people.

Candidate rules, each a state machine on the gyro's |gx|+|gy|+|gz| at the model rate
(50 Hz, after the chip's own resampler), with the parameters of StrokeConfigPacket:

(a) ``hold``: hold still (under ``rest_dps`` for ``rest_samples``) -> ARMED; turn faster
    than ``start_dps`` -> DRAWING, which began where the wand left rest (above
    ``rest_dps``; between the two levels it stays ARMED); still again for ``end_samples``
    -> the stroke ends;
    kept if ``min_samples`` <= length <= ``max_samples`` and its larger side spans
    ``min_extent_deg`` or more;
(b) ``level``: (a), and during the hold the wand points within ``max_pitch_deg`` of level
    (gravity's share along the board's long axis);
(c) ``arm``: (a), and a deliberate twist about the long axis (|gx| over ``arm_roll_dps``)
    within ``arm_window_s`` before the hold began.

Measured on VALIDATION people only (the rule and its defaults are chosen here):

* everyday motion: sp-sw-har validation people (5 people, 0.156 h; wrist-worn watch),
  each recording replayed alone from a fresh start: strokes the rule brackets per hour,
  and of those the ones the stroke model (int8, TFLM, all 44 classes active) reads as a
  character at the packet's threshold;
* real wand gestures: tti-data (a train person of the IMU model; the intent rule never
  learned from it) and tti-20210623 (validation), nano33-spells validation tries. Their
  recordings start at the capture trigger and stop after 1 s, so REST IS ADDED before and
  after each (an evaluation option, stated in every report: ``pad_s`` of the try's first /
  last gravity direction plus real rest noise of real Nano 33 tries); "cut" = one bracket
  holding most of the try's rotation;
* SYNTHETIC air-written characters (wand/datasets/synthetic_air.py; unipen validation
  writers, Quick, Draw! validation players), everyday and gentle/slow writers: cut
  recall, and (with the stroke model) classification. Synthetic: never a real accuracy.

    python -m training.studies.intent_study [--quick] [--out training/results/intent]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wand.recordings import Recording
from wand.strokes import FORWARD, TO_RIGHT_HANDED, orientations

MODEL_RATE = 50
# Of the 150 ms from the end of a drawing to the action, the rest that ends the stroke may
# take 100 ms (5 samples): inference (~2-3 ms for the IMU model on the M4), the BLE
# connection interval (7.5-30 ms) and the daemon (< 1 ms) share the rest.
END_WAIT_BUDGET_MS = 100.0
RESULTS = Path(__file__).resolve().parent.parent / "results" / "intent"


@dataclass(frozen=True)
class IntentRule:
    kind: str = "hold"  # "hold", "level", "arm"
    rest_dps: int = 15
    start_dps: int = 40
    rest_samples: int = 15
    end_samples: int = 5
    min_samples: int = 10
    max_samples: int = 200
    min_extent_deg: int = 8
    max_pitch_deg: float = 45.0  # "level"
    arm_roll_dps: float = 250.0  # "arm"
    arm_window_s: float = 1.5

    @property
    def label(self) -> str:
        extra = {"level": f" pitch<={self.max_pitch_deg:g}", "arm": f" twist>={self.arm_roll_dps:g}"}.get(self.kind, "")
        return (f"{self.kind}: rest<{self.rest_dps} for {self.rest_samples}, start>{self.start_dps}, "
                f"end {self.end_samples}, extent>={self.min_extent_deg}{extra}")


@dataclass(frozen=True)
class Bracket:
    start: int  # first drawing sample (model rate)
    end: int  # one past the last
    hold_start: int  # where the hold before it began


def to_model_rate(rec_samples: np.ndarray, rate_hz: int) -> np.ndarray:
    from wand.wand_core.resampler import resample_block
    x = np.asarray(rec_samples, np.int64)
    return x if rate_hz == MODEL_RATE else resample_block(x, rate_hz, MODEL_RATE).astype(np.int64)


def _l1_dps(x: np.ndarray) -> np.ndarray:
    return np.abs(x[:, 3:6]).sum(axis=1) / 10.0


def candidates(x: np.ndarray, rule: IntentRule) -> list[Bracket]:
    """The state machine's drawings, before the size / orientation / arming checks."""
    l1 = _l1_dps(x)
    out: list[Bracket] = []
    state, still, still_from, start, left_rest = "rest", 0, 0, 0, -1
    for i, v in enumerate(l1.tolist()):
        if state == "drawing":
            still = still + 1 if v < rule.rest_dps else 0
            if still >= rule.end_samples:
                out.append(Bracket(start, i - still + 1, min(still_from, start)))
                state, still_from = "rest", i - still + 1
            elif i - start >= rule.max_samples + rule.end_samples:
                state, still = "rest", 0
            continue
        if v < rule.rest_dps:
            if still == 0:
                still_from = i
            still += 1
            if still >= rule.rest_samples:
                state, left_rest = "armed", -1  # a brief dip below rest_dps does not restart the drawing
        elif state == "armed" and v > rule.start_dps:
            # the drawing began where the wand left rest, not where it got fast: a gentle
            # writer takes a few hundred ms to reach start_dps
            state, start, still = "drawing", (left_rest if left_rest >= 0 else i), 0
        elif state == "armed":
            left_rest, still = (i if left_rest < 0 else left_rest), 0  # between the levels: still armed
        else:
            state, still = "rest", 0
    return out


def plane_stroke(x: np.ndarray, b: Bracket, rest_samples: int) -> np.ndarray:
    """Degrees (x right, y up): the pointing direction during the drawing, projected onto the
    plane facing its mean direction, up = gravity (mean over the hold) in that plane."""
    phys = x.astype(np.float64) / np.array([1000.0] * 3 + [10.0] * 3)
    acc, gyro = phys[:, :3] * TO_RIGHT_HANDED, phys[:, 3:] * TO_RIGHT_HANDED
    rot = orientations(gyro[b.start - 1:b.end], MODEL_RATE)
    p = rot @ FORWARD
    up = acc[max(0, b.start - rest_samples):max(b.start, 1)].mean(axis=0)  # the hold's last samples
    m = p.mean(axis=0)
    m /= np.linalg.norm(m)
    up = up - (up @ m) * m
    n = np.linalg.norm(up)
    up = up / n if n > 1e-6 else np.cross(m, [0.0, 1.0, 0.0])
    right = np.cross(m, up)
    return np.degrees(np.stack([np.arctan2(p @ right, p @ m), np.arctan2(p @ up, p @ m)], axis=1))


def _pitch_ok(x: np.ndarray, b: Bracket, rule: IntentRule) -> bool:
    a = x[max(0, b.start - rule.rest_samples):max(b.start, 1), :3].astype(np.float64).mean(axis=0)
    return abs(np.degrees(np.arcsin(np.clip(a[0] / max(np.linalg.norm(a), 1e-9), -1, 1)))) <= rule.max_pitch_deg


def _armed_by_twist(x: np.ndarray, b: Bracket, rule: IntentRule) -> bool:
    lo = max(0, b.hold_start - int(rule.arm_window_s * MODEL_RATE))
    return bool(len(x[lo:b.hold_start]) and np.abs(x[lo:b.hold_start, 3]).max() / 10.0 >= rule.arm_roll_dps)


def brackets(x: np.ndarray, rule: IntentRule) -> list[tuple[Bracket, np.ndarray]]:
    """Drawings the rule accepts, each with its stroke (degrees)."""
    out = []
    for b in candidates(x, rule):
        if not rule.min_samples <= b.end - b.start <= rule.max_samples:
            continue
        if rule.kind == "level" and not _pitch_ok(x, b, rule):
            continue
        if rule.kind == "arm" and not _armed_by_twist(x, b, rule):
            continue
        pts = plane_stroke(x, b, rule.rest_samples)
        if np.ptp(pts, axis=0).max() >= rule.min_extent_deg:
            out.append((b, pts))
    return out


def prototype_spotter(rule: IntentRule):
    """The rule as a ``wand.bench_air.Spotter`` (IMU at its own rate -> drawings), for the
    bench while the firmware twin's rule is not in the tree."""
    from wand.bench_air import Drawn

    def spot(samples: np.ndarray, rate_hz: int) -> list[Drawn]:
        f = rate_hz / MODEL_RATE
        return [Drawn(int(b.start * f), int(np.ceil(b.end * f)), pts)
                for b, pts in brackets(to_model_rate(samples, rate_hz), rule)]
    return spot


def rule_of(config) -> IntentRule:
    """The StrokeConfigPacket's intent parameters as a (hold) rule."""
    names = ("rest_dps", "start_dps", "rest_samples", "end_samples", "min_samples", "max_samples", "min_extent_deg")
    return IntentRule("hold", **{n: getattr(config, n) for n in names})


# --- data (validation people) ------------------------------------------------------------------

def everyday(part: str) -> list[np.ndarray]:
    from wand.datasets import load_split_data
    return [to_model_rate(r.samples, r.rate_hz) for r in load_split_data("sp-sw-har")[part]]


def real_tries(part: str) -> list[Recording]:
    """Real wand tries: tti people (validation: tti-data, a train person of the IMU model the
    intent rule never learned from, and tti-20210623; test: tti-peter) and nano33-spells'
    ``part`` tries (one person, split by try)."""
    from wand.datasets import load_split_data, load_vocabulary
    people = {"validation": {"tti-data", "tti-20210623"}, "test": {"tti-peter"}}[part]
    tries = [r for g in load_vocabulary() for r in g.recordings() if r.person in people]
    return tries + list(load_split_data("nano33-spells")[part])


def synthetic_tries(part: str, seeds: list[int], gentle: bool, per_char: int = 1) -> list[Recording]:
    from wand.characters import STROKE_LABELS
    from wand.datasets.synthetic_air import pen_strokes, synthetic_try
    have = pen_strokes(part)
    return [synthetic_try(c, 1000 * s + k, part=part, gentle=gentle)
            for s in seeds for c in STROKE_LABELS if c in have for k in range(per_char)]


# --- evaluation ------------------------------------------------------------------------------

@dataclass
class Evaluated:
    rule: IntentRule
    hours: float
    everyday_brackets: int
    everyday_read: int  # brackets the model reads as a character at the threshold
    paused_brackets: int  # the same everyday motion with pauses added (``with_pauses``)
    paused_read: int
    real_cut: float
    real_n: int
    synth_cut: float
    synth_gentle_cut: float
    synth_correct: float  # of all synthetic tries (cut and read right)
    synth_n: int

    @property
    def everyday_per_hour(self) -> float:
        return self.everyday_read / self.hours if self.hours else float("nan")

    @property
    def paused_per_hour(self) -> float:
        return self.paused_read / self.hours if self.hours else float("nan")


def drawings(rule: IntentRule):
    """The rule as a finder on model-rate samples: x -> ``wand.bench_air.Drawn`` list."""
    from wand.bench_air import Drawn
    return lambda x: [Drawn(b.start, b.end, pts) for b, pts in brackets(x, rule)]


def evaluate(rule: IntentRule, data: dict, reader, find=None) -> Evaluated:
    """``reader``: ``wand.bench_air.StrokeReader`` (the packet's threshold and character mass);
    ``find``: model-rate samples -> drawings (default: the prototype of ``rule``; the
    firmware twin's spotter for the check of the chosen rule)."""
    from wand.bench_air import covering
    find = find or drawings(rule)

    def read(d) -> str | None:
        return reader.read(d) if reader.available else "?"

    def count(xs) -> tuple[int, int]:
        found = [d for x in xs for d in find(x)]
        return len(found), sum(read(d) is not None for d in found)

    ev_b, ev_r = count(data["everyday"])
    pa_b, pa_r = count(data["paused"])
    real = [covering(find(x), x, a, b) is not None for x, a, b in data["real"]]

    def synth(items) -> tuple[float, float]:
        cut = right = 0
        for x, a, b, label in items:
            d = covering(find(x), x, a, b)
            if d is not None:
                cut += 1
                right += read(d) == label
        return cut / max(len(items), 1), right / max(len(items), 1)

    s_cut, s_right = synth(data["synth"])
    g_cut, g_right = synth(data["gentle"])
    n = len(data["synth"]) + len(data["gentle"])
    return Evaluated(rule, data["hours"], ev_b, ev_r, pa_b, pa_r, float(np.mean(real)), len(real), s_cut, g_cut,
                     (s_right * len(data["synth"]) + g_right * len(data["gentle"])) / max(n, 1), n)


def _model_rate_try(rec: Recording, start: int, end: int) -> tuple[np.ndarray, int, int]:
    f = MODEL_RATE / rec.rate_hz
    return to_model_rate(rec.samples, rec.rate_hz), int(start * f), int(np.ceil(end * f))


def load_data(part: str, seeds: list[int], pad_s: float = 1.0, quick: bool = False) -> dict:
    """Everyday motion, real tries (rest added) and synthetic tries of ``part`` people."""
    from wand.bench_air import hold_padded, with_pauses
    from wand.datasets import load_split_data
    rng = np.random.default_rng(0)
    recs = load_split_data("sp-sw-har")[part]
    if quick:
        recs = recs[:6]
    hours = sum(r.duration_s for r in recs) / 3600
    real = []
    for r in real_tries(part)[:: 6 if quick else 1]:
        x, a, b = hold_padded(r, pad_s, rng)
        real.append(_model_rate_try(dataclasses.replace(r, samples=x), a, b))

    def synth(gentle: bool):
        out = []
        for r in synthetic_tries(part, seeds, gentle):
            x, a, b = _model_rate_try(r, int(r.meta["drawing_start"]), int(r.meta["drawing_end"]))
            out.append((x, a, b, r.label))
        return out[:: 8 if quick else 1]

    ev = [to_model_rate(r.samples, r.rate_hz) for r in recs]
    return {"everyday": ev, "paused": [with_pauses(x, MODEL_RATE, rng)[0] for x in ev], "hours": hours, "real": real,
            "synth": synth(False), "gentle": synth(True), "part": part, "pad_s": pad_s,
            "people": sorted({r.person for r in recs})}


def grid(quick: bool = False) -> list[IntentRule]:
    base = []
    for rest in (15, 20, 30):
        for start in (rest + 10, rest + 25):
            for hold in (10, 15, 25):
                for end in (5, 8):
                    for ext in (8, 15):
                        base.append(IntentRule("hold", rest, start, hold, end, 10, 200, ext))
    if quick:
        base = base[::12]
    out = list(base)
    out += [dataclasses.replace(r, kind="level", max_pitch_deg=45.0) for r in base]
    out += [dataclasses.replace(r, kind="arm") for r in base[::4]]  # no real try has a twist: everyday only
    return out


def choose(results: list[Evaluated], min_real: float = 0.9, min_gentle: float = 0.9,
           max_end_ms: float | None = END_WAIT_BUDGET_MS) -> Evaluated:
    """The rule with the fewest everyday reads (plain, then with pauses added) among those
    that cut at least ``min_real`` of the real tries and ``min_gentle`` of the gentle
    synthetic writers' tries and whose end-of-stroke wait fits ``max_end_ms``. Counts within
    one Poisson sd (sqrt n) of the fewest are ties: then the higher recall (real + synthetic
    + gentle), the simpler kind, the shorter hold (less waiting), the shorter end wait."""
    simple = {"hold": 0, "level": 1, "arm": 2}
    ok = [r for r in results if r.real_cut >= min_real and r.synth_gentle_cut >= min_gentle
          and (max_end_ms is None or r.rule.end_samples * 1000 / MODEL_RATE <= max_end_ms)]
    pool = ok or results
    low = min(r.everyday_read for r in pool)
    pool = [r for r in pool if r.everyday_read <= low + np.sqrt(low)]
    low = min(r.paused_read for r in pool)
    pool = [r for r in pool if r.paused_read <= low + np.sqrt(low)]
    return min(pool, key=lambda r: (-round(r.synth_cut + r.synth_gentle_cut + r.real_cut, 3), simple[r.rule.kind],
                                    r.rule.rest_samples, r.rule.end_samples, r.paused_read))


def plot(results: list[Evaluated], chosen: Evaluated, path: Path, title: str) -> Path:
    from wand.plots import save_png
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.6))
    for kind, marker in (("hold", "o"), ("level", "s"), ("arm", "^")):
        rs = [r for r in results if r.rule.kind == kind]
        ax.scatter([r.paused_per_hour for r in rs], [100 * r.synth_correct if r.synth_correct else
                                                       100 * (r.synth_cut + r.synth_gentle_cut) / 2 for r in rs],
                   marker=marker, alpha=0.6, label=kind)
    ax.scatter([chosen.paused_per_hour], [100 * (chosen.synth_correct or (chosen.synth_cut + chosen.synth_gentle_cut) / 2)],
               s=160, facecolors="none", edgecolors="k", label="chosen")
    ax.set_xlabel(f"everyday motion WITH PAUSES ADDED: strokes read as a character per hour\n"
                  f"({chosen.hours:.3f} h of sp-sw-har motion, {chosen.rule.kind} etc.; plain motion: see JSON)")
    ax.set_ylabel("SYNTHETIC air-writing: cut and read right (%)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


def as_json(e: Evaluated) -> dict:
    return dataclasses.asdict(e) | {"everyday_per_hour": e.everyday_per_hour, "paused_per_hour": e.paused_per_hour,
                                    "rule_label": e.rule.label}


def config_of(rule: IntentRule, base=None):
    """A hold rule as StrokeConfigPacket values (the packet carries no orientation gate or twist)."""
    from wand.protocol import StrokeConfigPacket
    names = ("rest_dps", "start_dps", "rest_samples", "end_samples", "min_samples", "max_samples", "min_extent_deg")
    return dataclasses.replace(base or StrokeConfigPacket(), **{n: getattr(rule, n) for n in names})


def twin_find(rule: IntentRule):
    """The firmware twin's spotter with ``rule``'s values, on model-rate samples; None when
    the twin is not in the tree or the rule needs more than the packet carries."""
    from wand.bench_air import twin_spotter
    spot = twin_spotter(config_of(rule)) if rule.kind == "hold" else None
    return None if spot is None else (lambda x: spot(x, MODEL_RATE))


def twin_check(rule: IntentRule, data: dict, reader) -> "Evaluated | None":
    find = twin_find(rule)
    return None if find is None else evaluate(rule, data, reader, find)


def threshold_curve(rule: IntentRule, data: dict, reader, config,
                    thresholds=(64, 96, 128, 160, 192, 224), masses=(32, 64, 128), find=None) -> list[dict]:
    """For one intent rule: everyday reads per hour (plain, with pauses) against SYNTHETIC
    tries cut and read right, over the packet's threshold and character mass."""
    from wand.bench_air import covering, decide_stroke
    if not reader.available:
        return []

    find = find or drawings(rule)

    def probs_of(xs) -> list:
        return [reader.probabilities(d.points, d.features) for x in xs for d in find(x)]
    ev, pa = probs_of(data["everyday"]), probs_of(data["paused"])
    synth = []
    for x, a, b, label in data["synth"] + data["gentle"]:
        d = covering(find(x), x, a, b)
        synth.append((label, None if d is None else reader.probabilities(d.points, d.features)))
    out = []
    for m in masses:
        for t in thresholds:
            cfg = dataclasses.replace(config, threshold=t, min_character_mass=m)
            out.append({"threshold": t, "min_character_mass": m,
                        "everyday_per_hour": sum(decide_stroke(p, cfg)[0] is not None for p in ev) / data["hours"],
                        "paused_per_hour": sum(decide_stroke(p, cfg)[0] is not None for p in pa) / data["hours"],
                        "synthetic_read_right": sum(p is not None and decide_stroke(p, cfg)[0] == lab
                                                    for lab, p in synth) / max(len(synth), 1)})
    return out


def plot_curve(curve: list[dict], path: Path, title: str, hours: float) -> Path:
    from wand.plots import save_png
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.6))
    for m in sorted({c["min_character_mass"] for c in curve}):
        cs = [c for c in curve if c["min_character_mass"] == m]
        ax.plot([c["paused_per_hour"] for c in cs], [100 * c["synthetic_read_right"] for c in cs], "o-",
                label=f"character mass >= {m}")
        for c in cs:
            ax.annotate(str(c["threshold"]), (c["paused_per_hour"], 100 * c["synthetic_read_right"]),
                        textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_xlabel(f"everyday motion with pauses added: characters read per hour ({hours:.3f} h)")
    ax.set_ylabel("SYNTHETIC air-writing: cut and read right (%)")
    ax.set_title(title + "\n(labels: threshold 0-255)", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="validation", choices=["validation", "test"])
    ap.add_argument("--seeds", type=int, default=2, help="synthetic writers' seeds 0..N-1")
    ap.add_argument("--threshold", type=int, default=None, help="stroke model threshold 0..255 (default: packet's)")
    ap.add_argument("--pad", type=float, default=1.0, help="seconds of rest added around the real tries")
    ap.add_argument("--quick", action="store_true", help="a smoke run on a sliver of the data, never a figure")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    from wand.bench_air import StrokeReader
    from wand.protocol import StrokeConfigPacket
    config = StrokeConfigPacket()
    if args.threshold is not None:
        config = dataclasses.replace(config, threshold=args.threshold)
    threshold = config.threshold
    t0 = time.time()
    data = load_data(args.part, list(range(args.seeds)), args.pad, args.quick)
    reader = StrokeReader(config)
    print(f"{args.part}: {data['hours']:.3f} h everyday ({len(data['people'])} people), {len(data['real'])} real "
          f"tries (rest of {args.pad:g} s ADDED before and after), {len(data['synth'])} + {len(data['gentle'])} "
          f"SYNTHETIC tries (everyday + gentle writers); stroke model: "
          f"{'int8 TFLM, all 44 active, threshold ' + str(threshold) + ', character mass ' + str(config.min_character_mass) if reader.available else 'NOT INSTALLED: every bracket counts'}"
          f"{'; QUICK smoke run' if args.quick else ''}", flush=True)
    results = [evaluate(r, data, reader) for r in grid(args.quick)]
    best = choose(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = f"{args.part}{'-quick' if args.quick else ''}"
    plot(results, best, out / f"intent-{tag}.png", f"intent rules, {args.part} people" + (" (QUICK)" if args.quick else ""))
    twin = twin_check(best.rule, data, reader)
    if twin is not None:
        print(f"the chosen rule through the firmware twin (wand_core/stroke.py): everyday {twin.everyday_read}/"
              f"{twin.everyday_brackets}, with pauses {twin.paused_read}/{twin.paused_brackets}, real cut "
              f"{twin.real_cut:.0%}, synthetic cut {twin.synth_cut:.0%}, gentle {twin.synth_gentle_cut:.0%}, "
              f"synthetic read right {twin.synth_correct:.0%}")
    (out / f"intent-{tag}.json").write_text(json.dumps({
        "part": args.part, "hours": data["hours"], "people": data["people"], "pad_s": args.pad,
        "stroke_model": reader.available, "threshold": threshold, "quick": args.quick,
        "chosen": as_json(best), "twin": None if twin is None else as_json(twin),
        "results": [as_json(r) for r in results]}, indent=1))
    for kind in ("hold", "level", "arm"):
        k = choose([r for r in results if r.rule.kind == kind])
        print(f"best {kind:5s}: everyday {k.everyday_read}/{k.everyday_brackets} brackets read "
              f"({k.everyday_per_hour:.1f}/h), with pauses {k.paused_read}/{k.paused_brackets} "
              f"({k.paused_per_hour:.1f}/h), real cut {k.real_cut:.0%}, synthetic cut {k.synth_cut:.0%}, gentle "
              f"{k.synth_gentle_cut:.0%}, synthetic read right {k.synth_correct:.0%}  [{k.rule.label}]")
    slow = choose(results, max_end_ms=None)
    print(f"without the {END_WAIT_BUDGET_MS:g} ms end-wait budget: {slow.rule.label}: paused {slow.paused_read}, real cut "
          f"{slow.real_cut:.0%}, synthetic {slow.synth_cut:.0%}, gentle {slow.synth_gentle_cut:.0%}")
    print(f"chosen: {best.rule.label}  ({time.time() - t0:.0f} s)")
    curve = threshold_curve(best.rule, data, reader, config, find=twin_find(best.rule))
    if curve:
        plot_curve(curve, out / f"intent-threshold-{tag}.png", f"{best.rule.label}, {args.part} people", data["hours"])
        (out / f"intent-threshold-{tag}.json").write_text(json.dumps(curve, indent=1))
        for c in curve:
            print(f"  mass {c['min_character_mass']:3d} threshold {c['threshold']:3d}: everyday {c['everyday_per_hour']:.1f}/h,"
                  f" with pauses {c['paused_per_hour']:.1f}/h, synthetic read right {c['synthetic_read_right']:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
