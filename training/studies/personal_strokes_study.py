"""Personalising built-in letters with 3 tries: templates first, model first, or both?

``wand enrol letter_z`` stores the tries as drawings; at run time the host matches the
wand's stroke against them (``stroke_enrol.StrokeEnrolment.decide``: 1-NN DTW, radius
over the tries' own spread) and, where one matches, that name wins over what the chip's
stroke model read (``events.naming.Namer.name_stroke``). Is that the best use of both?

Data: letters cut from REAL air-written words (6DMG, ``training/sixdmg_letters.py``),
the validation writers only (choices are made here; the test writers are only reported).
Protocol as ``wand eval --enrol 3``: per writer, every letter but one is enrolled with 3
random tries; the left-out letter's tries are "other"; the enrolled letters' other tries
must be named right. The model ranks all 26 letters (a typing profile's active set) with
the chip's rule (``wand_core.stroke.decide``), as the int8 model runs through TFLM.

Rules compared (the decision for one stroke):
- ``templates_first``: today's rule: an enrolled drawing within its radius, else the model;
- ``model_only``: no enrolment (what the user gets without ``wand enrol``);
- ``templates_only``: the drawings alone (no letters active: a custom drawing);
- ``model_first@c``: the model's reading when its score (0..255, among the active set)
  reaches ``c``, else an enrolled drawing within its radius, else the model's reading;
- ``model_first_unless_misread``: the model's reading, except where a drawing matches
  and the model misread the writer's own enrolled tries of that letter (fewer than 2 of 3
  read as it): there the model does not know this writer's way of it, and the drawing wins;
- ``model_first_unless_user_misread``: the product's rule (``model_first@128``) while the
  model reads at least half of the writer's enrolled tries right, ``templates_first`` when
  it does not (a hand, or a device held another way, the model does not know at all).

``--rotate DEG`` turns every letter by DEG degrees first: a SYNTHETIC stand-in for a device
whose axes differ from the wand's (its strokes arrive turned); never a real figure.

Run: ``python -m training.studies.personal_strokes_study [--part validation] [--draws 2]``;
writes training/results/personal-strokes/<part>-<cuts>.json.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from wand import fewshot
from wand.bench import wilson
from wand.characters import STROKE_LABELS, mask_of
from wand.protocol import StrokeConfigPacket
from wand.stroke_enrol import DEFAULT_STROKE_RADIUS, SIZE_FACTOR, STROKE_MAX_RATIO
from wand.strokes import extent, normalise_points
from wand.wand_core.stroke import decide

K = 3
LETTERS = [n for n in STROKE_LABELS if n.startswith("letter_")]
CUTOFFS = (128, 160, 192, 224, 240)
OUT = Path(__file__).resolve().parents[1] / "results" / "personal-strokes"
NONE = "(none)"


def model_reads(letters) -> list[tuple[str, int]]:
    """The chip's reading of each letter stroke: (name or NONE, score 0..255)."""
    from training.strokes import featurize
    from wand.stroke_model import StrokeInterpreter, load_stroke_model
    it = StrokeInterpreter(load_stroke_model())
    cfg = replace(StrokeConfigPacket(), active_mask=mask_of(LETTERS))
    out = []
    for s in letters:
        f = featurize(s.points)
        if f is None:
            out.append((NONE, 0))
            continue
        d = decide(it(f).tolist(), cfg)
        out.append((STROKE_LABELS[d.char_id] if d.char_id < len(STROKE_LABELS) else NONE, d.confidence))
    return out


def shapes(letters) -> list[np.ndarray]:
    return [np.ascontiguousarray(normalise_points(np.asarray(s.points, np.float64))) for s in letters]


def template_decision(dist: np.ndarray, test: int, chosen: dict[str, list[int]], scales: dict[str, float],
                      sizes: np.ndarray) -> str:
    """``StrokeEnrolment.decide`` on the precomputed distances: radius, the drawings' ratio
    test and the size check (``sizes``: each letter's larger box side)."""
    raw = {g: float(dist[test, idx].min()) for g, idx in chosen.items()}
    d = fewshot.decide(raw, scales, {g: DEFAULT_STROKE_RADIUS for g in chosen}, STROKE_MAX_RATIO)
    if d.name is None or not d.accepted:
        return NONE
    theirs = float(np.median(sizes[chosen[d.name]]))
    alike = sizes[test] > 0 and theirs > 0 and theirs / SIZE_FACTOR <= sizes[test] <= theirs * SIZE_FACTOR
    return d.name if alike else NONE


def decide_rule(rule: str, read: tuple[str, int], tmpl: str, trusted: set[str] = frozenset(),
                user_known: bool = True) -> str:
    """``trusted``: the enrolled letters whose enrolled tries the model read as themselves;
    ``user_known``: the model read at least half of all the writer's enrolled tries right."""
    name, score = read
    if rule == "model_only":
        return name
    if rule == "model_first_unless_user_misread":
        rule = "model_first@128" if user_known else "templates_first"
    if rule == "model_first_unless_misread":
        if tmpl != NONE and tmpl != name and (name == NONE or tmpl not in trusted):
            return tmpl
        return name
    if rule == "templates_only":
        return tmpl
    if rule == "templates_first":
        return tmpl if tmpl != NONE else name
    cutoff = int(rule.split("@")[1])
    if name != NONE and score >= cutoff:
        return name
    return tmpl if tmpl != NONE else name


RULES = (["templates_first", "model_only", "templates_only"] + [f"model_first@{c}" for c in CUTOFFS]
         + ["model_first_unless_misread", "model_first_unless_user_misread"])


def run_writer(idx: list[int], labels: list[str], reads, dist, draws: int, rng, sizes: np.ndarray) -> dict[str, dict]:
    """Leave-one-letter-out rounds for one writer; per rule: accuracy and other-accepted."""
    by_letter: dict[str, list[int]] = {}
    for i in idx:
        by_letter.setdefault(labels[i], []).append(i)
    names = sorted(g for g, v in by_letter.items() if len(v) > K)
    tally = {r: {"right": 0, "tests": 0, "other_acc": 0, "others": 0} for r in RULES}
    for _ in range(draws):
        for left in names:
            chosen = {g: sorted(rng.choice(by_letter[g], size=K, replace=False).tolist()) for g in names if g != left}
            owner = [g for g, v in chosen.items() for _ in v]
            flat = [i for v in chosen.values() for i in v]
            scales = fewshot.spread_scales(dist[np.ix_(flat, flat)], owner)
            tests = [(g, i) for g in chosen for i in by_letter[g] if i not in chosen[g]]
            trusted = {g for g, v in chosen.items() if sum(reads[i][0] == g for i in v) >= 2}
            known = 2 * sum(reads[i][0] == g for g, v in chosen.items() for i in v) >= len(flat)
            for g, i in tests + [(None, i) for i in by_letter[left]]:
                tmpl = template_decision(dist, i, chosen, scales, sizes)
                for r in RULES:
                    got = decide_rule(r, reads[i], tmpl, trusted, known)
                    t = tally[r]
                    if g is None:
                        t["others"] += 1
                        t["other_acc"] += got in chosen
                    else:
                        t["tests"] += 1
                        t["right"] += got == g
    return tally


def main(argv: list[str] | None = None) -> int:
    from training.sixdmg_letters import load_letters
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default="validation", choices=("validation", "test"))
    ap.add_argument("--cuts", default="aligned", choices=("aligned", "dtw-aligned", "equal"))
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--rotate", type=float, default=0.0, help="turn every letter by DEG degrees (SYNTHETIC)")
    a = ap.parse_args(argv)
    letters = load_letters((a.part,), a.cuts)[a.part]
    if a.rotate:
        t = np.radians(a.rotate)
        turn = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])
        letters = [replace(s, segments=[np.asarray(seg, np.float64) @ turn for seg in s.segments]) for s in letters]
    labels = [f"letter_{s.label.lower()}" for s in letters]
    writers = sorted({s.person for s in letters})
    print(f"{a.part} writers {writers}: {len(letters)} letters ({a.cuts} cuts); model readings ...", flush=True)
    reads = model_reads(letters)
    feats = shapes(letters)
    sizes = np.array([extent(np.asarray(s.points, np.float64)) for s in letters])
    per_seed = []
    for seed in range(a.seeds):
        rng = np.random.default_rng(seed)
        total = {r: {"right": 0, "tests": 0, "other_acc": 0, "others": 0} for r in RULES}
        for w in writers:
            idx = [i for i, s in enumerate(letters) if s.person == w]
            dist = np.full((len(letters), len(letters)), np.inf)
            sub = fewshot.pairwise([feats[i] for i in idx], [feats[i] for i in idx])
            dist[np.ix_(idx, idx)] = sub
            for r, t in run_writer(idx, labels, reads, dist, a.draws, rng, sizes).items():
                for k, v in t.items():
                    total[r][k] += v
            print(f"  seed {seed} writer {w} done", flush=True)
        per_seed.append(total)
    rows = {}
    for r in RULES:
        acc = [t[r]["right"] / t[r]["tests"] for t in per_seed]
        oth = [t[r]["other_acc"] / t[r]["others"] for t in per_seed]
        n_tests, n_others = per_seed[0][r]["tests"], per_seed[0][r]["others"]
        rows[r] = {"accuracy_mean": float(np.mean(acc)), "accuracy_sd": float(np.std(acc, ddof=1)) if len(acc) > 1 else 0.0,
                   "accuracy_wilson95": wilson(float(np.mean(acc)) * n_tests, n_tests),
                   "other_accepted_mean": float(np.mean(oth)), "other_accepted_sd": float(np.std(oth, ddof=1)) if len(oth) > 1 else 0.0,
                   "tests_per_seed": n_tests, "others_per_seed": n_others}
        print(f"{r:18s} accuracy {100 * rows[r]['accuracy_mean']:5.1f}% ± {100 * rows[r]['accuracy_sd']:.1f}"
              f"   other accepted {100 * rows[r]['other_accepted_mean']:5.1f}% ± {100 * rows[r]['other_accepted_sd']:.1f}")
    a.out.mkdir(parents=True, exist_ok=True)
    out = a.out / f"{a.part}-{a.cuts}{f'-rotated{a.rotate:g}-SYNTHETIC' if a.rotate else ''}.json"
    out.write_text(json.dumps({"part": a.part, "cuts": a.cuts, "rotated_deg_SYNTHETIC": a.rotate, "writers": writers, "letters": len(letters), "k": K,
                               "draws": a.draws, "seeds": a.seeds, "radius": DEFAULT_STROKE_RADIUS, "rules": rows},
                              indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
