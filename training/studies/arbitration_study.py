"""Issue 19 arbitration on validation tries: does a built-in gesture still fire while a
character is drawn, and what does holding it cost the built-in gestures?

    python -m training.studies.arbitration_study [--out training/results/arbitration]

Data (real wand tries with rest added as tests/stroke_tries.py does: 0.5 s of the try's
own start gravity before, its last samples' mean after; the samples of the try are
untouched): nano33-spells validation tries (one person, split by try) and the tti-data
tries (the person who performs the built-in gestures, a train person of the IMU model and
validation for the intent rule: recall there is on trained-on tries, so it shows what the
arbitration removes, not how the model generalises). Each try is replayed alone from a
fresh core with the shipped gesture and stroke models (TFLM, as on the chip) and the
product defaults, three ways: strokes off (today's gestures), strokes on as main sent
them (a gesture decided mid-drawing went out at once: the same decisions, since the
arbitration changes what is sent, never what the spotter decides) and strokes on with
the arbitration. Deterministic (no seeds); intervals are Wilson 95% over tries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from wand.bench import wilson
from wand.characters import STROKE_LABELS
from wand.protocol import PKT_GESTURE, PKT_STROKE, STROKE_UNKNOWN, GesturePacket, StrokeConfigPacket, StrokePacket
from wand.wand_core.core import CoreSpec, WandCore
from wand.wand_core.stroke import StrokeState

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from stroke_tries import with_holds  # noqa: E402  (the one definition of "rest added")


@dataclass
class TryRun:
    """One try through one core: the known gestures sent (sample index, id), the stroke
    spotter's DRAWING state before each sample, and how many characters were read."""

    gestures: list[tuple[int, int]]
    drawing: list[bool]  # a drawing had begun before this sample: a gesture decided here is held
    through: list[bool]  # ... and went on past it: a gesture sent here went out mid-drawing
    characters: list[str]
    dropped: int


def run_try(spec: CoreSpec, clf, stroke_clf, samples, other: int, cfg: StrokeConfigPacket) -> TryRun:
    core = WandCore(spec, clf, stroke_classifier=stroke_clf, stroke_config=cfg)
    gestures, drawing, through, chars = [], [], [], []
    for i, s in enumerate(samples):
        drawing.append(core.strokes.state == StrokeState.DRAWING)
        for p in core.push(tuple(int(v) for v in s)):  # 119 Hz in, 50 Hz model: at most one step each
            if p[0] == PKT_GESTURE and GesturePacket.decode(p).gesture_id not in (0xFF, other):
                gestures.append((i, GesturePacket.decode(p).gesture_id))
            elif p[0] == PKT_STROKE and StrokePacket.decode(p).char_id != STROKE_UNKNOWN:
                chars.append(STROKE_LABELS[StrokePacket.decode(p).char_id])
        through.append(drawing[-1] and core.strokes.state == StrokeState.DRAWING)
    return TryRun(gestures, drawing, through, chars, core.dropped_gestures)


def rate(k: int, n: int) -> dict:
    lo, hi = wilson(k, n) if n else (0.0, 0.0)
    return {"k": k, "n": n, "rate": k / n if n else 0.0, "ci95": [round(lo, 3), round(hi, 3)]}


def study(tries, classes: list[str], spec: CoreSpec, clf, stroke_clf, other: int, cfg: StrokeConfigPacket) -> dict:
    fired_before = fired_after = double_before = double_after = 0
    recall_off = recall_after = 0
    delays_ms: list[float] = []
    dropped, read_as = 0, Counter()
    for rec in tries:
        samples = with_holds(rec)
        off = run_try(spec, clf, stroke_clf, samples, other, replace(cfg, flags=0))
        on = run_try(spec, clf, stroke_clf, samples, other, cfg)
        mid = [g for g in off.gestures if on.drawing[g[0]]]  # decided while drawing: main sent these at once
        fired_before += bool(mid)
        fired_after += any(on.through[i] for i, _ in on.gestures)  # sent mid-drawing: none by design
        double_before += bool(off.gestures) and bool(on.characters)
        double_after += bool(on.gestures) and bool(on.characters)
        dropped += on.dropped
        if on.dropped:
            read_as[f"{rec.label} -> {'+'.join(on.characters)}"] += 1
        if rec.label in classes:
            want = classes.index(rec.label)
            t_off = [i for i, g in off.gestures if g == want]
            t_on = [i for i, g in on.gestures if g == want]
            recall_off += bool(t_off)
            recall_after += bool(t_on)
            if t_off and t_on:
                delays_ms.append((t_on[0] - t_off[0]) * 1000 / rec.rate_hz)
    n = len(tries)
    held = [d for d in delays_ms if d > 0]
    out = {
        "tries": n,
        "people": sorted({r.person for r in tries}),
        "known_gesture_decided_while_drawing_before": rate(fired_before, n),
        "known_gesture_sent_while_drawing_after": rate(fired_after, n),
        "gesture_and_character_both_sent_before": rate(double_before, n),
        "gesture_and_character_both_sent_after": rate(double_after, n),
        "gestures_dropped_for_a_character": dropped,
        "dropped_tries_read_as": dict(read_as.most_common()),
    }
    built_in = sum(r.label in classes for r in tries)
    if built_in:
        out["built_in_recall_strokes_off"] = rate(recall_off, built_in)
        out["built_in_recall_with_arbitration"] = rate(recall_after, built_in)
        out["delay_ms_of_held_built_in_gestures"] = {
            "held": len(held), "of_recognised": len(delays_ms),
            "mean": round(statistics.fmean(held), 1) if held else 0.0,
            "sd": round(statistics.stdev(held), 1) if len(held) > 1 else 0.0,
            "median": round(statistics.median(held), 1) if held else 0.0,
            "max": round(max(held), 1) if held else 0.0,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "training" / "results" / "arbitration")
    args = ap.parse_args(argv)
    from wand.config import load_config
    from wand.datasets import load_split_data, load_vocabulary
    from wand.model import load_model
    from wand.stroke_model import StrokeInterpreter, load_stroke_model
    from wand.wand_core.classifier import TflmClassifier

    bundle = load_model()
    clf, stroke_clf = TflmClassifier(bundle), StrokeInterpreter(load_stroke_model())
    spec = CoreSpec(119, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    sets = {
        "nano33-spells validation": list(load_split_data("nano33-spells")["validation"]),
        "tti-data": [r for g in load_vocabulary() for r in g.recordings() if r.person == "tti-data"],
    }
    examples = REPO / "wand" / "examples"
    actives = {  # the chip ranks only the characters the wand's profile maps
        "every character (protocol default)": StrokeConfigPacket(),
        "tv example, profile tv": load_config(examples / "tv.toml").stroke_config("tv"),
        "typing example, profile typing": load_config(examples / "typing.toml").stroke_config("typing"),
    }
    results = {f"{name}; active set: {act}": study(tries, bundle.classes, spec, clf, stroke_clf, bundle.other_class,
                                                    cfg)
               for name, tries in sets.items() for act, cfg in actives.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2)
    (args.out / "arbitration-validation.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
