"""`wand bench air`: drawing in the air through the whole chain, on TEST people (issue 19).

Rows (every figure with the people, tries and hours it rests on, mean ± sd over seeds,
95% intervals):

* everyday motion: false triggers per hour of sp-sw-har TEST people's wrist motion (each
  recording replayed alone from a fresh start), exact Poisson 95% interval, for
  (i) today's built-in IMU model (the firmware spotter + int8 model, ``WandReplay``),
  (ii) the stroke path: the intent bracket + the int8 stroke model, all 44 classes
  active, at the StrokeConfigPacket's threshold and character mass, (iii) 1-NN DTW on the
  same brackets' strokes (templates from train writers, acceptance radius chosen on
  validation writers). Also "with pauses": the same motion cut into 0.5-4 s pieces with
  0.6-1.5 s of real rest noise between them (the data hardly pauses; pauses added, their
  time not counted) - the pessimistic case for a hold-draw-hold rule.
* SYNTHETIC air-writing (``wand/datasets/synthetic_air.py``, test writers' pen strokes
  drawn by a virtual wand): recall through the chain. Synthetic: never a real accuracy.
* end of drawing -> action, per part, against 150 ms.
* custom gestures at 3 tries WITH intent: real tries with rest added around them (stated)
  enrolled as drawings (``wand/stroke_enrol.py``: the twin's stroke, DTW on its shape, the
  few-shot rule of ``wand/fewshot.py``) with the radius opened, chosen on validation
  (nano33-spells validation tries, tti-data), reported on test (tti-20210623, nano33-spells
  test tries).

The intent rule is a ``Spotter``: IMU at its own rate -> the drawings it brackets.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .recordings import Recording

MODEL_RATE = 50
SYNTH_NOTE = "SYNTHETIC (pen strokes drawn by a virtual wand; not a real accuracy)"


@dataclass
class Drawn:
    """One drawing the intent rule bracketed (indices at the input rate)."""

    start: int
    end: int
    points: np.ndarray  # the stroke, degrees, x right, y up
    features: tuple[int, ...] | None = None  # the chip's int8 model input, when the twin made it


Spotter = Callable[[np.ndarray, int], list[Drawn]]


def twin_spotter(config=None, max_roll_share: int | None = None) -> Spotter | None:
    """The firmware twin's stroke spotter (``wand/wand_core/stroke.py``) as a Spotter: the
    chip's resampler to the model rate and gyro-offset tracker, then its intent state machine and fixed-point stroke.
    ``max_roll_share``: other than the chip's (the twist study). None while the twin is not in the tree."""
    try:
        from .wand_core.stroke import POINT_ONE, StrokeSpotter
    except ImportError:
        return None
    from .protocol import STROKE_MAX_ROLL_SHARE, StrokeConfigPacket
    from .wand_core.gyro_bias import GyroBias
    from .wand_core.resampler import resample_block
    config = config or StrokeConfigPacket()
    share = STROKE_MAX_ROLL_SHARE if max_roll_share is None else max_roll_share

    def spot(samples: np.ndarray, rate_hz: int) -> list[Drawn]:
        x = np.asarray(samples, np.int64)
        if rate_hz != MODEL_RATE:
            x = resample_block(x, rate_hz, MODEL_RATE).astype(np.int64)
        sp, f, out = StrokeSpotter(config, MODEL_RATE, share), rate_hz / MODEL_RATE, []
        bias = GyroBias()  # the chip's offset tracker, from power-on
        for i, s in enumerate(x.tolist()):
            bias.update(s)
            st = sp.on_sample(bias.correct(s), i)  # time = sample index: end_ms is the last moving sample
            if st is not None:
                pts = np.degrees(np.asarray(st.points, np.float64) / POINT_ONE)
                out.append(Drawn(int((st.end_ms - st.samples + 1) * f), int(np.ceil((st.end_ms + 1) * f)), pts,
                                 tuple(st.features)))
        return out
    return spot


# --- the stroke model ---------------------------------------------------------------------------

class StrokeReader:
    """The installed int8 stroke model through TFLM, deciding as the chip does: all
    characters' summed probability must reach ``min_character_mass`` and the best active
    one's share of the active characters' ``threshold`` (StrokeConfigPacket)."""

    def __init__(self, config=None, path: Path | None = None) -> None:
        from .paths import ASSETS_DIR
        from .protocol import StrokeConfigPacket
        self.config = config or StrokeConfigPacket()
        self.path = path or ASSETS_DIR / "stroke_model.tflite"
        self._interp = None
        if self.path.is_file():
            from .wand_core.classifier import open_interpreter
            self._interp = open_interpreter(self.path.read_bytes(), 128 * 1024)

    @property
    def available(self) -> bool:
        return self._interp is not None

    @property
    def saw_everyday_train_people(self) -> bool:
        """The model's "other" class was trained on sp-sw-har TRAIN people's motion (its
        metadata's recipe): their motion then measures nothing for this model."""
        meta = self.path.with_suffix(".json")
        try:
            return json.loads(meta.read_text())["info"]["recipe"].get("everyday_rounds", 0) > 0
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False

    def probabilities(self, points_deg: np.ndarray, features=None) -> np.ndarray | None:
        """The model's 0..255 per class for a stroke (degrees), or for the chip's own
        ``features`` when given."""
        from .wand_core.stroke_features import STROKE_CHANNELS, STROKE_POINTS, stroke_input
        feats = features if features is not None else \
            stroke_input(np.rint(np.asarray(points_deg) * 100).astype(np.int64).tolist())
        if feats is None or self._interp is None:
            return None
        self._interp.set_input(np.array(feats, np.int8).reshape(1, STROKE_POINTS, STROKE_CHANNELS), 0)
        self._interp.invoke()
        return self._interp.get_output(0).reshape(-1).astype(np.int64) + 128

    def __call__(self, points_deg: np.ndarray, features=None) -> tuple[str | None, int]:
        """(character or None, renormalised score 0..255)."""
        return decide_stroke(self.probabilities(points_deg, features), self.config)

    def read(self, d: Drawn) -> str | None:
        return self(d.points, d.features)[0]


def decide_stroke(probs: np.ndarray | None, config) -> tuple[str | None, int]:
    """The chip's reading of the model's probabilities (0..255) under a StrokeConfigPacket:
    the firmware twin's own ``decide`` (its rounding, ties and mass rule), named."""
    from .characters import STROKE_LABELS
    from .protocol import STROKE_UNKNOWN
    from .wand_core.stroke import decide
    if probs is None:
        return None, 0
    d = decide([int(p) for p in probs], config)
    return (None, d.confidence) if d.char_id == STROKE_UNKNOWN else (STROKE_LABELS[d.char_id], d.confidence)


# --- the DTW baseline on the same brackets -------------------------------------------------------

@dataclass
class DtwStrokes:
    """1-NN DTW on the normalised stroke (32 points) against train writers' pen strokes."""

    templates: list[np.ndarray]
    labels: list[str]
    radius: float = math.inf

    @classmethod
    def from_pen(cls, per_class: int = 5, seed: int = 0) -> "DtwStrokes":
        from .datasets.synthetic_air import pen_strokes
        from .strokes import normalise_points
        rng = np.random.default_rng(seed)
        t, lab = [], []
        for name, strokes in sorted(pen_strokes("train").items()):
            for i in rng.permutation(len(strokes))[:per_class]:
                p = normalise_points(strokes[i].points)
                if p is not None:
                    t.append(np.ascontiguousarray(p))
                    lab.append(name)
        return cls(t, lab)

    def nearest(self, points: np.ndarray) -> tuple[str | None, float]:
        from .fewshot import pairwise
        from .strokes import normalise_points
        q = normalise_points(points)
        if q is None or not self.templates:
            return None, math.inf
        d = pairwise([np.ascontiguousarray(q)], self.templates)[0]
        j = int(np.argmin(d))
        return self.labels[j], float(d[j])

    def __call__(self, points: np.ndarray) -> tuple[str | None, float]:
        name, d = self.nearest(points)
        return (name, d) if d <= self.radius else (None, d)


# --- evaluation devices ---------------------------------------------------------------------------

def with_pauses(samples: np.ndarray, rate_hz: int, rng: np.random.Generator, move_s=(0.5, 4.0),
                pause_s=(0.6, 1.5)) -> tuple[np.ndarray, float]:
    """Everyday motion cut into pieces of ``move_s`` with ``pause_s`` of rest between them (the
    piece's last gravity direction + REAL rest noise of real Nano 33 tries). -> samples and the
    seconds of real motion in them (the pauses are added, not counted)."""
    from .datasets.synthetic_air import real_noise
    out, at = [], 0
    while at < len(samples):
        piece = samples[at:at + int(rng.uniform(*move_s) * rate_hz)]
        at += len(piece)
        out.append(piece.astype(np.float64))
        k = int(rng.uniform(*pause_s) * rate_hz)
        a = piece[-3:, :3].astype(np.float64).mean(axis=0)
        g = a / max(np.linalg.norm(a), 1e-9) * 1000.0
        out.append(np.hstack([np.tile(g, (k, 1)), np.zeros((k, 3))]) + real_noise(k, rng))
    return np.rint(np.vstack(out)).astype(np.int64), len(samples) / rate_hz


def hold_padded(rec: Recording, pad_s: float, rng: np.random.Generator) -> tuple[np.ndarray, int, int]:
    """A try with ``pad_s`` of REST ADDED before and after (an evaluation option: the tti and
    nano33 recordings start at the capture trigger and stop 1 s later): the first / last
    samples' gravity direction at 1 g plus real rest noise. -> samples, try start, end."""
    from .datasets.synthetic_air import real_noise
    x = rec.samples.astype(np.float64)
    n = int(pad_s * rec.rate_hz)

    def rest(a: np.ndarray) -> np.ndarray:
        g = a / max(np.linalg.norm(a), 1e-9) * 1000.0
        return np.hstack([np.tile(g, (n, 1)), np.zeros((n, 3))]) + real_noise(n, rng)

    out = np.vstack([rest(x[:3, :3].mean(axis=0)), x, rest(x[-3:, :3].mean(axis=0))])
    return np.rint(out).astype(np.int64), n, n + len(x)


def covering(found: list[Drawn], samples: np.ndarray, a: int, b: int) -> Drawn | None:
    """The one bracket that holds most (>= 60%) of the rotation between samples a and b."""
    l1 = np.abs(np.asarray(samples)[:, 3:6]).sum(axis=1).astype(np.float64)
    total = l1[a:b].sum()
    inside = [d for d in found if d.end > a and d.start < b]
    if len(inside) != 1 or total <= 0:
        return None
    d = inside[0]
    return d if l1[max(a, d.start):min(b, d.end)].sum() >= 0.6 * total else None


# --- intervals (as wand bench) ----------------------------------------------------------------------

def _poisson(events: float, hours: float) -> tuple[float, float]:
    from .bench import poisson_rate
    return poisson_rate(events, hours)


def _mean_sd_t(values: list[float]) -> tuple[float, float, tuple[float, float]]:
    from .bench import t_interval
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return float(np.mean(values)), sd, t_interval(values)


def _wilson(k: float, n: int) -> tuple[float, float]:
    from .bench import wilson
    return wilson(k, n)


# --- rows ---------------------------------------------------------------------------------------------

@dataclass
class AirResult:
    quick: bool
    spotter: str
    notes: list[str] = field(default_factory=list)
    everyday: dict = field(default_factory=dict)
    synthetic: dict = field(default_factory=dict)
    latency: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)


def everyday_rows(spotter: Spotter, reader: StrokeReader, dtw: DtwStrokes, seeds: list[int], quick: bool,
                  bundle=None) -> dict:
    """False triggers per hour on sp-sw-har TEST people: IMU model, stroke path, DTW in brackets."""
    from .datasets import load_split_data
    from .streams import WandReplay
    recs = load_split_data("sp-sw-har")["test"]
    recs = recs[:3] if quick else recs
    hours = sum(r.duration_s for r in recs) / 3600
    people = sorted({r.person for r in recs})
    replay = WandReplay(bundle) if bundle is not None else None

    def gestures(samples: np.ndarray, rate: int) -> int:
        return sum(1 for d in replay.run(samples, rate) if d.source == "model")
    imu = sum(gestures(r.samples, r.rate_hz) for r in recs) if replay else 0

    def count(samples: np.ndarray, rate: int) -> tuple[int, int, int]:
        found = spotter(samples, rate)
        return len(found), sum(reader.read(d) is not None for d in found), sum(dtw(d.points)[0] is not None
                                                                                  for d in found)
    plain = np.sum([count(r.samples, r.rate_hz) for r in recs], axis=0) if recs else np.zeros(3)
    # the train people's motion chose no rule (the rule was chosen on validation people), so
    # with the test people's it bounds the brackets and DTW tighter; the IMU model, and a
    # stroke model with an "other" class, were trained on it: their rows stay test-only
    extra = [] if quick else load_split_data("sp-sw-har")["train"]
    stroke_saw = reader.saw_everyday_train_people
    extra_hours = sum(r.duration_s for r in extra) / 3600
    more = np.sum([count(r.samples, r.rate_hz) for r in extra], axis=0) if extra else np.zeros(3)
    paused, paused_imu = [], []
    for s in seeds:
        rng = np.random.default_rng(s)
        streams = [(with_pauses(r.samples, r.rate_hz, rng)[0], r.rate_hz) for r in recs]
        paused.append(np.sum([count(x, rate) for x, rate in streams], axis=0))
        paused_imu.append(sum(gestures(x, rate) for x, rate in streams) if replay else 0)
    paused = np.array(paused)

    def cell(events: float, per_seed: list[float] | None = None, hours: float = hours) -> dict:
        lo, hi = _poisson(events, hours)
        out = {"events": float(events), "per_hour": events / hours, "poisson95": [lo, hi], "hours": hours}
        if per_seed is not None:
            out["per_seed_per_hour"] = [e / hours for e in per_seed]
            out["sd_per_hour"] = float(np.std(per_seed, ddof=1) / hours) if len(per_seed) > 1 else 0.0
        return out
    return {"people": people, "recordings": len(recs), "hours": hours,
            "imu_model": cell(imu) if bundle is not None else None,
            "paused_imu_model": cell(np.mean(paused_imu), paused_imu) if bundle is not None else None,
            "brackets": cell(plain[0]), "stroke": cell(plain[1]), "dtw": cell(plain[2]),
            "paused_brackets": cell(paused[:, 0].mean(), list(paused[:, 0])),
            "paused_stroke": cell(paused[:, 1].mean(), list(paused[:, 1])),
            "paused_dtw": cell(paused[:, 2].mean(), list(paused[:, 2])),
            "with_train_people": None if not extra else {
                "people": sorted({r.person for r in extra}) + people, "hours": hours + extra_hours,
                "stroke": None if stroke_saw else cell(plain[1] + more[1], hours=hours + extra_hours),
                "dtw": cell(plain[2] + more[2], hours=hours + extra_hours),
                "brackets": cell(plain[0] + more[0], hours=hours + extra_hours)}}


def synthetic_rows(spotter: Spotter, reader: StrokeReader, dtw: DtwStrokes, seeds: list[int], part: str,
                   quick: bool) -> dict:
    """SYNTHETIC air-writing through the chain: cut, and read right (stroke model / DTW)."""
    from .characters import STROKE_LABELS
    from .datasets.synthetic_air import pen_strokes, synthetic_try
    have = [c for c in STROKE_LABELS if c in pen_strokes(part)]
    chars = have[::6] if quick else have
    out = {}
    for gentle in (False, True):
        per_seed = {"cut": [], "stroke": [], "dtw": []}
        for s in seeds:
            cut = right = right_dtw = 0
            for c in chars:
                rec = synthetic_try(c, 7919 * s + STROKE_LABELS.index(c), part=part, gentle=gentle)
                d = covering(spotter(rec.samples, rec.rate_hz), rec.samples, int(rec.meta["drawing_start"]),
                             int(rec.meta["drawing_end"]))
                if d is None:
                    continue
                cut += 1
                right += reader.read(d) == c
                right_dtw += dtw(d.points)[0] == c
            for k, v in (("cut", cut), ("stroke", right), ("dtw", right_dtw)):
                per_seed[k].append(v / max(len(chars), 1))
        row = {"tries_per_seed": len(chars), "characters": len(chars)}
        for k, v in per_seed.items():
            m, sd, ci = _mean_sd_t(v)
            row[k] = {"mean": m, "sd": sd, "t95": list(ci), "wilson95": list(_wilson(m * len(chars), len(chars))),
                      "per_seed": v}
        out["gentle" if gentle else "everyday writers"] = row
    return out


def latency_rows(config, reader: StrokeReader, quick: bool) -> dict:
    """End of drawing -> action, per part."""
    from .bench import bench_daemon
    import tempfile
    wait_ms = config.end_samples * 1000 / MODEL_RATE
    inf = []
    if reader.available:
        pts = np.stack([np.cos(np.linspace(0, 6, 80)), np.sin(np.linspace(0, 6, 80))], axis=1) * 20
        for _ in range(20 if quick else 200):
            t = time.perf_counter()
            reader.probabilities(pts)
            inf.append((time.perf_counter() - t) * 1000)  # featurising included
    with tempfile.TemporaryDirectory() as tmp:
        daemon = bench_daemon(Path(tmp), events=50 if quick else 500, report=lambda s: None)
    d = daemon["daemon (queue + output worker)"]
    return {"end_of_stroke_wait_ms": wait_ms, "end_samples": config.end_samples,
            "inference_host_ms_median": float(np.median(inf)) if inf else None,
            "ble_connection_interval_ms": [7.5, 30.0],
            "daemon_p50_ms": d["p50_ms"], "daemon_p99_ms": d["p99_ms"],
            "total_best_ms": wait_ms + (float(np.median(inf)) if inf else 0.0) + 7.5 + d["p50_ms"],
            "total_worst_ms": wait_ms + (float(np.median(inf)) if inf else 0.0) + 30.0 + d["p99_ms"]}


# --- custom gestures with intent --------------------------------------------------------------------

def _custom_sets(part: str) -> list[tuple[str, list[Recording]]]:
    from .datasets import load_split_data, load_vocabulary
    person = {"validation": "tti-data", "test": "tti-20210623"}[part]
    tti = [r for g in load_vocabulary() for r in g.recordings() if r.person == person]
    return [(person, tti), ("spells-1", list(load_split_data("nano33-spells")[part]))]


# --- the bench ------------------------------------------------------------------------------------------

CustomSweep = Callable[..., dict]  # (part, radii, seeds) -> per person: tries, cut, gestures, radii -> cell


def bench_air(out: Path, spotter: Spotter, spotter_name: str, quick: bool = False, seeds: int = 3,
              report=print, custom: CustomSweep | None = None, choose_radius=None) -> AirResult:
    """All rows. ``custom``/``choose_radius``: the enrolled-drawing sweep and its radius rule
    (training/studies/stroke_enrol_study.py, which ``wand bench`` passes in: the product
    does not import the studies); without them the custom-gesture row is left out."""
    from .bench import SMOKE
    from .demo import format_table
    from .model import load_model
    from .protocol import StrokeConfigPacket
    config = StrokeConfigPacket()
    reader = StrokeReader(config)
    seed_list = list(range(1 if quick else seeds))
    res = AirResult(quick, spotter_name)
    if quick:
        res.notes.append("QUICK smoke run on a sliver of the data: " + SMOKE)
    if not reader.available:
        res.notes.append("no stroke model installed (wand/assets/stroke_model.tflite): stroke rows read nothing")
    dtw = DtwStrokes.from_pen(2 if quick else 5)
    dtw.radius = _dtw_radius(spotter, dtw, quick)
    res.everyday = everyday_rows(spotter, reader, dtw, seed_list, quick, bundle=load_model())
    res.synthetic = synthetic_rows(spotter, reader, dtw, seed_list, "test", quick)
    res.latency = latency_rows(config, reader, quick)
    if custom is not None:
        from .stroke_enrol import DEFAULT_STROKE_RADIUS
        radii = [1.25, 2.0] if quick else [0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]
        val = custom("validation", radii, seed_list)
        rad = float(choose_radius(val))
        res.custom = {"validation": val, "chosen_radius": rad, "product_radius": DEFAULT_STROKE_RADIUS,
                      "test": custom("test", sorted({DEFAULT_STROKE_RADIUS, rad}), seed_list)}
    _report(res, config, report, format_table)
    (out / "bench-air.json").write_text(json.dumps(asdict(res), indent=1, default=float))
    return res


def _dtw_radius(spotter: Spotter, dtw: DtwStrokes, quick: bool) -> float:
    """Accept 95% of the validation writers' SYNTHETIC tries that DTW names right (their
    distance's 95th percentile): the baseline's radius, chosen on validation writers."""
    from .characters import STROKE_LABELS
    from .datasets.synthetic_air import pen_strokes, synthetic_try
    chars = [c for c in STROKE_LABELS if c in pen_strokes("validation")][:: 6 if quick else 1]
    dists = []
    for c in chars:
        rec = synthetic_try(c, 31 + STROKE_LABELS.index(c), part="validation")
        d = covering(spotter(rec.samples, rec.rate_hz), rec.samples, int(rec.meta["drawing_start"]),
                     int(rec.meta["drawing_end"]))
        if d is not None:
            name, dist = dtw.nearest(d.points)
            if name == c:
                dists.append(dist)
    return float(np.percentile(dists, 95)) if dists else math.inf


def _fmt_rate(c: dict | None) -> str:
    if c is None:
        return "not run"
    sd = f" ± {c['sd_per_hour']:.0f}" if "sd_per_hour" in c else ""
    return f"{c['per_hour']:.1f}{sd} (95% {c['poisson95'][0]:.1f}-{c['poisson95'][1]:.1f})"


def _fmt_pct(c: dict) -> str:
    return (f"{100 * c['mean']:.1f}% ± {100 * c['sd']:.1f} (t95 {100 * np.nan_to_num(c['t95'][0]):.0f}-"
            f"{100 * np.nan_to_num(c['t95'][1], nan=1):.0f}%, Wilson {100 * c['wilson95'][0]:.0f}-"
            f"{100 * c['wilson95'][1]:.0f}%)")


def _report(res: AirResult, config, report, format_table) -> None:
    from .bench import target_verdict
    for n in res.notes:
        report(n)
    e = res.everyday
    report(f"\nEveryday motion, sp-sw-har TEST people {', '.join(e['people'])} ({e['recordings']} recordings, "
           f"{e['hours']:.3f} h; the target asks >= 3 h: only {e['hours']:.2f} h exist here). Intent: {res.spotter}.")
    rows = [["today's built-in IMU model (firmware spotter + int8)", _fmt_rate(e["imu_model"]),
             _fmt_rate(e.get("paused_imu_model"))],
            ["stroke path: intent + int8 stroke model, 44 active", _fmt_rate(e["stroke"]), _fmt_rate(e["paused_stroke"])],
            ["1-NN DTW in the same brackets", _fmt_rate(e["dtw"]), _fmt_rate(e["paused_dtw"])],
            ["(intent brackets, before any classifier)", _fmt_rate(e["brackets"]), _fmt_rate(e["paused_brackets"])]]
    report(format_table(["false triggers / h", "everyday motion", "with pauses added (seeds)"], rows))
    w = e.get("with_train_people")
    if w:
        stroke = (f"stroke path {_fmt_rate(w['stroke'])}, " if w["stroke"] else
                  "stroke path not counted (its model's 'other' class was trained on their motion), ")
        report(f"With the sp-sw-har train people too ({len(w['people'])} people, {w['hours']:.3f} h; the intent rule "
               f"was not chosen on them): {stroke}DTW {_fmt_rate(w['dtw'])}, brackets {_fmt_rate(w['brackets'])}")
    st = e["stroke"]
    verdict = target_verdict(st["poisson95"][1] <= 1.0, res.quick)
    if not res.quick and st["per_hour"] <= 1.0 < st["poisson95"][1]:
        verdict = "not established (too few hours)"
    report(f"target <= 1/h on >= 3 h (upper 95% bound): {verdict}; {e['hours']:.3f} h bounds {st['events']:.0f} "
           f"events below {st['poisson95'][1]:.1f}/h")
    report(f"\n{SYNTH_NOTE}: test writers' characters, whole chain (intent -> stroke -> int8 model at threshold "
           f"{config.threshold}, character mass {config.min_character_mass}):")
    rows = []
    for who, r in res.synthetic.items():
        rows.append([who, str(r["tries_per_seed"]), _fmt_pct(r["cut"]), _fmt_pct(r["stroke"]), _fmt_pct(r["dtw"])])
    report(format_table(["synthetic writers", "tries/seed", "cut by intent", "read right: stroke model",
                         "read right: DTW"], rows))
    lat = res.latency
    inf = lat["inference_host_ms_median"]
    report(f"\nEnd of drawing -> action: rest that ends the stroke {lat['end_of_stroke_wait_ms']:.0f} ms "
           f"({lat['end_samples']} samples at 50 Hz) + inference {'%.2f ms (host TFLM; the chip: QEMU instruction count)' % inf if inf is not None else 'not measured (no model)'}"
           f" + BLE connection interval 7.5-30 ms (not measured) + daemon {lat['daemon_p50_ms']:.2f} ms p50 / "
           f"{lat['daemon_p99_ms']:.2f} ms p99 = {lat['total_best_ms']:.0f}-{lat['total_worst_ms']:.0f} ms: "
           f"target <= 150 ms {target_verdict(lat['total_worst_ms'] <= 150, res.quick)}")
    c = res.custom
    if not c:
        report("\nCustom gestures: not run (no enrolled-drawing sweep passed in)")
        return
    report(f"\nCustom gestures as enrolled drawings (wand/stroke_enrol.py: the twin's stroke between two rests, "
           f"DTW on its shape), 3 tries, each gesture left out in turn as 'other'; real tries with 1 s of rest ADDED "
           f"around each; radius chosen on validation: {c['chosen_radius']:g} (the product's default: "
           f"{c['product_radius']:g}). Target >= 95% with <= 1% of other gestures accepted.")
    rows = []
    for part in ("validation", "test"):
        for person, v in c[part].items():
            for rad, r in v["radii"].items():
                lo, hi = r["accuracy_wilson95"]
                rows.append([part, person, f"{v['tries']} ({len(v['gestures'])} gestures)", f"{v['cut']}/{v['tries']}",
                             rad, f"{100 * r['accuracy']:.1f}% ± {100 * np.nan_to_num(r['accuracy_sd']):.1f} "
                             f"(Wilson {100 * lo:.0f}-{100 * hi:.0f}%)", f"{100 * r['other_accepted']:.1f}%",
                             target_verdict(r["accuracy"] >= 0.95 and r["other_accepted"] <= 0.01,
                                            res.quick) if part == "test" else ""])
    report(format_table(["part", "person", "tries", "cut", "radius", "accuracy (mean ± sd over seeds)",
                         "other gestures accepted", "target"], rows))
