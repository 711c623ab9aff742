"""Issue 19 arbitration on validation tries: a drawn character must not also fire a built-in
gesture. What separates "a gesture performed from a hold" from "a drawing during which the
gesture model fired", and what each core policy costs.

    python -m training.studies.arbitration_study [--seeds 5] [--gentle-seeds 2] [--out DIR]
    python -m training.studies.arbitration_study --test   # the chosen default on tti-peter, report only
    python -m training.studies.arbitration_study --real-only   # the real validation tries alone (minutes)

Data (validation people only; the rule is chosen here):

* real built-in gestures: tti-data's 30 tries (diagonal_up_left, circle_cw, push_forward;
  a train person of the IMU model: recall there shows what the arbitration removes, not
  how the model generalises); nano33-spells validation tries (one person, 25 spells, drawn
  with a real Nano 33: drawings that are neither characters nor built-in gestures). Their
  recordings are 1 s windows from the capture trigger, so REST IS ADDED as
  wand.strokes.with_holds does (0.5 s of the try's start gravity before, its last samples'
  mean after); a try's own samples are untouched. The windows also cut every motion at
  1 s: how long a real gesture or drawing goes on after the gesture model decides
  (0.8 s after its onset) cannot be measured on them;
* SYNTHETIC air-written characters (wand/datasets/synthetic_air.py: unipen and Quick,
  Draw! validation writers' pen strokes drawn by a virtual wand; each of the 44
  characters once per seed; ``--gentle-seeds`` more in the gentle, small and slow style).
  Synthetic: no figure on them is a real accuracy.

Each try is replayed alone from a fresh core (the product's WandCore with the shipped
gesture and stroke models through TFLM, as on the chip; the example profiles' active sets;
spotting defaults) under each policy the core has: ``both`` (StrokeConfigPacket flag
CHARACTERS_FIRST clear: what main sent), ``characters first`` (a read character always
wins: over_gesture 0) and characters first with an ``over_gesture`` score under which a
character read while a named gesture is held yields to that gesture. A try's
outcome is what ``wand eval`` scores: the first packet that names something (a known
gesture, or a stroke read as an active character), and whether both kinds were sent.
Deterministic for the real tries (no seeds); synthetic figures are mean +- sd over seeds
with a Wilson 95% interval over the pooled tries.

The features a rule could use are recorded per try where a known gesture overlapped a
drawing (``overlaps``): how long the stroke went on after the gesture was decided
(``tail_ms``, negative: it ended before), the stroke's length, its reading and score.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from wand.bench import wilson
from wand.characters import STROKE_LABELS
from wand.protocol import (PKT_GESTURE, PKT_STROKE, STROKE_FLAG_CHARACTERS_FIRST, STROKE_UNKNOWN, GesturePacket,
                           StrokeConfigPacket, StrokePacket)
from wand.strokes import with_holds
from wand.wand_core.core import CoreSpec, WandCore


REPO = Path(__file__).resolve().parents[2]
MS_PER_SAMPLE = 20  # the 50 Hz model rate
OVER_GESTURE = (224, 240, 248, 252)  # candidate scores a character needs to silence a held gesture


@dataclass
class Sent:
    """One try through one core: the events that name something, in the order sent."""

    named: list[tuple[str, int]] = field(default_factory=list)  # (name, wand ms when sent)
    gestures: list[tuple[str, int]] = field(default_factory=list)  # (name, decided at ms)
    strokes: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # name, end ms, samples, score, 2nd
    dropped: int = 0


def run_try(spec: CoreSpec, clf, stroke_clf, samples, rate_hz: int, cfg: StrokeConfigPacket, classes) -> Sent:
    core = WandCore(spec, clf, stroke_classifier=stroke_clf, stroke_config=cfg)
    core.set_source_rate(rate_hz)
    out = Sent()
    for s in samples:
        for p in core.push(tuple(int(v) for v in s)):
            if p[0] == PKT_GESTURE:
                g = GesturePacket.decode(p)
                if g.gesture_id < len(classes) and g.gesture_id != spec.other_class:
                    out.gestures.append((classes[g.gesture_id], g.timestamp_ms))
                    out.named.append((classes[g.gesture_id], core.time_ms()))
            elif p[0] == PKT_STROKE:
                st = StrokePacket.decode(p)
                name = STROKE_LABELS[st.char_id] if st.char_id != STROKE_UNKNOWN else "?"
                out.strokes.append((name, st.timestamp_ms, st.samples, st.confidence, st.second_score))
                if name != "?":
                    out.named.append((name, core.time_ms()))
    out.dropped = core.dropped_gestures
    return out


def overlaps(run: Sent) -> list[dict]:
    """Known gestures (all sent under ``both``) whose capture overlapped a drawing: decided
    during the stroke, or within a capture (<= 1 s) after a stroke that ended before."""
    rows = []
    for name, t in run.gestures:
        for ch, end, n, score, second in run.strokes:
            start = end - n * MS_PER_SAMPLE
            if start <= t <= end + 1000 and t - start <= 1000 + n * MS_PER_SAMPLE:
                rows.append({"gesture": name, "stroke": ch, "tail_ms": end - t, "stroke_ms": n * MS_PER_SAMPLE,
                             "score": score, "second": second})
                break
    return rows


def rate(k: float, n: int) -> dict:
    lo, hi = wilson(k, n) if n else (0.0, 0.0)
    return {"k": round(k, 2), "n": n, "rate": round(k / n, 4) if n else 0.0, "ci95": [round(lo, 3), round(hi, 3)]}


def summarise(runs: dict[str, list[Sent]], labels: list[str], built_in: list[str]) -> dict:
    """Per policy: outcomes over the tries (``runs[policy][i]`` is try i)."""
    n = len(labels)
    out = {}
    both = runs["both"]
    for policy, sent in runs.items():
        first_right = sum(bool(s.named) and s.named[0][0] == lab for s, lab in zip(sent, labels))
        doubled = sum(bool(s.gestures) and any(c != "?" for c, *_ in s.strokes) for s in sent)
        fired = sum(bool(s.gestures) for s in sent)
        row = {"first_named_right": rate(first_right, n), "gesture_sent": rate(fired, n),
               "gesture_and_character_both_sent": rate(doubled, n),
               "gestures_dropped_for_a_character": sum(s.dropped for s in sent)}
        gest = [(s, b, lab) for s, b, lab in zip(sent, both, labels) if lab in built_in]
        if gest:
            alone = sum(any(g == lab for g, _ in s.gestures) and not any(c != "?" for c, *_ in s.strokes)
                        for s, _, lab in gest)
            row["built_in_recall"] = rate(sum(any(g == lab for g, _ in s.gestures) for s, _, lab in gest), len(gest))
            row["built_in_alone"] = rate(alone, len(gest))
            delays = [next(t for g, t in s.named if g == lab) - next(t for g, t in b.named if g == lab)
                      for s, b, lab in gest if any(g == lab for g, _ in s.named) and any(g == lab for g, _ in b.named)]
            late = [d for d in delays if d > 0]
            row["delay_ms_added_to_built_in"] = {
                "later": len(late), "of_sent": len(delays),
                "mean": round(statistics.fmean(late), 1) if late else 0.0,
                "sd": round(statistics.stdev(late), 1) if len(late) > 1 else 0.0,
                "max": max(late) if late else 0}
        out[policy] = row
    rows = [r for s in both for r in overlaps(s)]
    out["overlaps_under_both"] = {"tries": sum(bool(overlaps(s)) for s in both), "rows": rows}
    return out


def per_seed(runs: dict[str, list[Sent]], labels: list[str], seeds: list[int]) -> dict:
    """Synthetic: first-named-right and both-sent per seed (mean +- sd over seeds)."""
    out = {}
    for policy, sent in runs.items():
        rights, doubles = [], []
        for seed in sorted(set(seeds)):
            idx = [i for i, s in enumerate(seeds) if s == seed]
            rights.append(sum(bool(sent[i].named) and sent[i].named[0][0] == labels[i] for i in idx) / len(idx))
            doubles.append(sum(bool(sent[i].gestures) and any(c != "?" for c, *_ in sent[i].strokes) for i in idx)
                           / len(idx))
        sd = (lambda xs: round(statistics.stdev(xs), 4) if len(xs) > 1 else 0.0)
        out[policy] = {"first_named_right_mean": round(statistics.fmean(rights), 4), "sd": sd(rights),
                       "both_sent_mean": round(statistics.fmean(doubles), 4), "both_sent_sd": sd(doubles)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="synthetic writers' seeds 0..N-1 (each: all 44 characters)")
    ap.add_argument("--gentle-seeds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "training" / "results" / "arbitration")
    ap.add_argument("--test", action="store_true", help="report the product default on the test person (tti-peter)")
    ap.add_argument("--real-only", action="store_true",
                    help="only the real tries (minutes, not the better part of an hour): arbitration-validation-real.json")
    args = ap.parse_args(argv)
    from wand.config import load_config
    from wand.datasets import load_split_data, load_vocabulary
    from wand.datasets.synthetic_air import pen_strokes, synthetic_try
    from wand.model import load_model
    from wand.stroke_model import StrokeInterpreter, load_stroke_model
    from wand.wand_core.classifier import TflmClassifier

    bundle = load_model()
    clf, stroke_clf = TflmClassifier(bundle), StrokeInterpreter(load_stroke_model())
    spec = CoreSpec(119, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    have = pen_strokes("validation")
    chars = [c for c in STROKE_LABELS if c in have]
    seeds, gentle_seeds = (0, 0) if args.real_only or args.test else (args.seeds, args.gentle_seeds)
    synth = [(s, synthetic_try(c, 1000 * s, part="validation")) for s in range(seeds) for c in chars]
    gentle = [(s, synthetic_try(c, 1000 * s + 7, part="validation", gentle=True))
              for s in range(gentle_seeds) for c in chars]
    sets = {  # name -> (tries, samples with rest, seed per try or None)
        "tti-data (real, rest added)": [(None, r) for g in load_vocabulary() for r in g.recordings()
                                        if r.person == "tti-data"],
        "nano33-spells validation (real, rest added)": [(None, r) for r in load_split_data("nano33-spells")["validation"]],
        "SYNTHETIC air-written validation characters": synth,
        "SYNTHETIC gentle writers, validation": gentle,
    }
    examples = REPO / "wand" / "examples"
    model = bundle.gesture_names
    actives = {  # what `wand run` sends each example profile (its active set; over_gesture 0 without gestures)
        "tv example, profile tv": load_config(examples / "tv.toml").stroke_config("tv", model),
        "tv example, profile smart_tv": load_config(examples / "tv.toml").stroke_config("smart_tv", model),
        "typing example, profile typing": load_config(examples / "typing.toml").stroke_config("typing", model),
        "every character (protocol default)": StrokeConfigPacket(),
    }
    sets = {k: v for k, v in sets.items() if v}  # --real-only: no synthetic tries were made
    if args.test:  # the test person, to report the chosen default only: nothing is chosen here
        sets = {"tti-peter TEST (real, rest added)": [(None, r) for g in load_vocabulary() for r in g.recordings()
                                                      if r.person == "tti-peter"]}
    results = {}
    for set_name, tries in sets.items():
        labels = [r.label for _, r in tries]
        samples = [r.samples if "SYNTHETIC" in set_name else with_holds(r) for _, r in tries]
        for act, cfg in actives.items():
            first = replace(cfg, flags=cfg.flags | STROKE_FLAG_CHARACTERS_FIRST)
            policies = {"both": replace(cfg, flags=cfg.flags & ~STROKE_FLAG_CHARACTERS_FIRST, over_gesture=0),
                        "product default": cfg}
            if not args.test:
                policies |= {"characters first": replace(first, over_gesture=0),
                             **{f"characters first, over_gesture {v}": replace(first, over_gesture=v)
                                for v in OVER_GESTURE}}
            runs = {p: [run_try(spec, clf, stroke_clf, x, r.rate_hz, c, bundle.classes)
                        for x, (_, r) in zip(samples, tries)] for p, c in policies.items()}
            res = {"tries": len(tries), "people": len({r.person for _, r in tries}),
                   **summarise(runs, labels, bundle.classes)}
            if tries[0][0] is not None:
                res["per_seed"] = per_seed(runs, labels, [s for s, _ in tries])
            results[f"{set_name}; active set: {act}"] = res
            print(f"{set_name}; {act}: " + "; ".join(
                f"{p} first-named right {res[p]['first_named_right']['k']}/{len(tries)}, both sent "
                f"{res[p]['gesture_and_character_both_sent']['k']}"
                + (f", built-in alone {res[p]['built_in_alone']['k']}" if "built_in_alone" in res[p] else "")
                for p in policies), file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "test" if args.test else "validation-real" if args.real_only else "validation"
    (args.out / f"arbitration-{name}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
