"""How far the enrolled-drawing radius can open inside the intent bracket (issue 19 item 5).

Protocol (as ``wand bench fewshot`` and ``wand eval --enrol``): per person, 3 tries of
every gesture but one are enrolled as drawings (``wand.stroke_enrol``: the stroke the
firmware's twin cuts between two rests, DTW on its shape); the enrolled gestures' other
tries must be named right (accuracy), the left-out gesture's tries must not be accepted
(other gestures accepted). Each gesture left out in turn, 5 seeds. The real tries start at
the capture trigger and stop at the gesture's end, so PAD_S of rest is held before and
after each (gravity where it starts/ends, gyro 0: ``stroke_enrol.padded``), stated.

Choose on VALIDATION (tti-data's 30 tries, nano33-spells' validation part, 25 tries);
report the test part (tti-20210623, nano33-spells test part) only at the chosen radius.

    python -m training.studies.stroke_enrol_study [--part validation|test] [--radii ...] [--size-factors ...]
        [--ratios ...] [--json FILE]

The size check (``wand.stroke_enrol.SIZE_FACTOR``): a match must be drawn within a factor of its
tries' size. The idea came from the test person's failures (tti-20210623's swipe_down turns the
wand 9-19 degrees; a left-out 40-degree diagonal matched its unit-size shape); the factor was
chosen on validation only, as the radius.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict

import numpy as np

from wand.bench import t_interval, wilson
from wand.bench_air import _custom_sets
from wand.stroke_enrol import SIZE_FACTOR, STROKE_MAX_RATIO, StrokeEnrolment, drawn_stroke

RADII = (0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)
SIZE_FACTORS = (0.0, 2.5, 2.0, 1.75, 1.5)  # how much larger or smaller than its tries a match may be drawn (0: any)
RATIOS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # nearest / next nearest drawing at most this (fewshot.decide)
SEEDS = (0, 1, 2, 3, 4)
TRIES = 3


def sweep(part: str, radii=RADII, seeds=SEEDS, k: int = TRIES, size_factor: float = SIZE_FACTOR,
          max_ratio: float = STROKE_MAX_RATIO) -> dict:
    out = {}
    for person, recs in _custom_sets(part):
        strokes = [drawn_stroke(r) for r in recs]
        points = [None if s is None else s.points for s in strokes]
        names = sorted({r.label for r in recs})
        res = {rad: {"hits": [], "other": []} for rad in radii}
        for seed in seeds:
            rng = np.random.default_rng(seed)
            per = {rad: [0, 0, 0, 0] for rad in radii}  # hits, genuine, other accepted, other
            for left in names:
                enrolled: dict[str, list] = defaultdict(list)
                tests = []
                for g in names:
                    idx = [i for i, r in enumerate(recs) if r.label == g]
                    if g == left:
                        tests += [(None, i) for i in idx]
                        continue
                    usable = [i for i in rng.permutation(idx) if points[i] is not None]
                    enrolled[g] = usable[:k]
                    tests += [(g, i) for i in idx if i not in usable[:k]]
                for rad in radii:
                    es = StrokeEnrolment(max_ratio=max_ratio)
                    for g, idx in enrolled.items():
                        if idx:
                            es.enrol(g, [points[i] for i in idx], radius=rad)
                    for truth, i in tests:
                        got = es.match(points[i], size_factor)
                        c = per[rad]
                        if truth is None:
                            c[2] += got is not None
                            c[3] += 1
                        else:
                            c[0] += got == truth
                            c[1] += 1
            for rad in radii:
                res[rad]["hits"].append(per[rad][0] / per[rad][1])
                res[rad]["other"].append(per[rad][2] / per[rad][3])
                res[rad]["n"] = (per[rad][1], per[rad][3])
        out[person] = {"tries": len(recs), "cut": sum(p is not None for p in points), "gestures": names,
                       "radii": {str(r): _cell(v, len(names) - 1) for r, v in res.items()}}
    return out


def _cell(v: dict, rounds: int) -> dict:
    """Mean ± sd over seeds, t over seeds; Wilson over DISTINCT tries (a try is tested in each
    of the ``rounds`` its gesture is enrolled in, and left out once)."""
    genuine, other = v["n"]
    acc, fa = float(np.mean(v["hits"])), float(np.mean(v["other"]))
    distinct = max(1, genuine // rounds)
    return {"accuracy": acc, "accuracy_sd": float(np.std(v["hits"], ddof=1)) if len(v["hits"]) > 1 else 0.0, "accuracy_t95": t_interval(v["hits"]),
            "accuracy_wilson95": wilson(acc * distinct, distinct), "other_accepted": fa,
            "other_accepted_wilson95": wilson(fa * other, other), "decisions_per_seed": [genuine, other]}


def _shortfall(val: dict, r: str) -> float:
    """Summed over people: how far radius ``r`` falls short of >= 95% accuracy and <= 1% other."""
    return sum(max(0.0, 0.95 - v["radii"][r]["accuracy"]) + max(0.0, v["radii"][r]["other_accepted"] - 0.01)
               for v in val.values())


def choose(val: dict) -> float:
    """The radius with the least summed shortfall from the target (>= 95%, <= 1% other)."""
    radii = list(next(iter(val.values()))["radii"])
    return float(min(radii, key=lambda r: _shortfall(val, r)))


def table(res: dict) -> str:
    lines = []
    for person, v in res.items():
        lines.append(f"{person}: {v['tries']} tries, {v['cut']} cut by the intent rule, gestures {', '.join(v['gestures'])}")
        for r, c in v["radii"].items():
            lo, hi = c["accuracy_wilson95"]
            flo, fhi = c["other_accepted_wilson95"]
            lines.append(f"  radius {r:>5}: accuracy {c['accuracy']:.1%} ± {c['accuracy_sd']:.1%} sd "
                         f"(95% {lo:.1%}-{hi:.1%}), other gestures accepted {c['other_accepted']:.1%} "
                         f"(95% {flo:.1%}-{fhi:.1%})")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="validation", choices=["validation", "test"])
    ap.add_argument("--radii", type=float, nargs="+", default=list(RADII))
    ap.add_argument("--size-factors", type=float, nargs="+", default=[SIZE_FACTOR],
                    help=f"size checks to sweep (0: none; the study's grid: {' '.join(map(str, SIZE_FACTORS))})")
    ap.add_argument("--ratios", type=float, nargs="+", default=[STROKE_MAX_RATIO],
                    help=f"ratio tests to sweep (the study's grid: {' '.join(map(str, RATIOS))}); with more than "
                         "one, the JSON's keys are 'FACTOR@RATIO'")
    ap.add_argument("--json")
    a = ap.parse_args()
    res = {}
    for ratio in a.ratios:
        for factor in a.size_factors:
            key = str(factor) if len(a.ratios) == 1 else f"{factor}@{ratio}"
            res[key] = sweep(a.part, a.radii, size_factor=factor, max_ratio=ratio)
            print(f"size factor {factor:g} (0: no size check), ratio {ratio:g}\n{table(res[key])}", flush=True)
    if a.part == "validation":
        short = {(f, r): _shortfall(v, r) for f, v in res.items() for r in next(iter(v.values()))["radii"]}
        f, r = min(short, key=short.get)  # ties: the first in the order swept
        print(f"chosen (least summed shortfall from >= 95% and <= 1% other): size factor{'@ratio' if '@' in f else ''} "
              f"{f}, radius {r} ({short[f, r]:.3f})")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=1, default=lambda x: None if isinstance(x, float) and math.isnan(x) else x)


if __name__ == "__main__":
    main()
