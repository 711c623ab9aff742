"""Step 2 of ``fewshot_grid``: the decision rule replayed on the captured product-path cuts."""

from __future__ import annotations

import itertools
import math
import pickle
import random
from dataclasses import dataclass

import numpy as np

from wand import fewshot

from .fewshot_grid import CACHE

SEEDS, TRIALS, SHOTS = (0, 1, 2), 10, 3


# --- distances -------------------------------------------------------------------------
def feats(seg: np.ndarray, kind: str) -> np.ndarray:
    if kind == "stroke":  # the gyro stroke (wand/strokes.py), 32 points, unit size; a still segment: one point
        return fewshot.stroke_features(seg, 50)
    x = fewshot.features(seg)
    if "-g" in kind:  # gyro weight: -g2 = gyro counts twice as much (GYRO_UNIT_DPS 100)
        x[:, 3:] *= float(kind.split("-g")[1].split("-")[0])
    if kind.startswith("gyro"):
        x = x[:, 3:]
    elif kind.startswith("acc"):
        x = x[:, :3]
    if "diff" in kind:
        x = np.concatenate([x, np.gradient(x, axis=0) * 4.0], axis=1)
    if "z" in kind.split("-"):
        x = (x - x.mean(0)) / (x.std(0) + 0.05)
    return np.ascontiguousarray(x, np.float64)


def dist(a: list[np.ndarray], b: list[np.ndarray], window: int | None) -> np.ndarray:
    from dtaidistance import dtw_ndim
    series = list(a) + list(b)
    kw = {} if window is None else {"window": window}
    m = dtw_ndim.distance_matrix_fast(series, block=((0, len(a)), (len(a), len(series))), parallel=False, **kw)
    d = m[: len(a), len(a):]
    la = np.array([len(x) for x in a], np.float64)[:, None]
    lb = np.array([len(x) for x in b], np.float64)[None, :]
    return d / np.sqrt(la + lb)


@dataclass
class Variant:
    feat: str = "6"
    window: int | None = None
    competitors: bool = False
    radius: float = fewshot.DEFAULT_RADIUS
    ratio: float = fewshot.MAX_RATIO
    override: float = fewshot.MODEL_OVERRIDE
    comp_ratio: bool = True  # built-in templates count in the ratio test (else: only a nearer one vetoes)
    agree: "Data | None" = None  # 2-stage: accept only if this distance's 1-NN (enrolled + rivals) agrees
    agree_rivals: bool = True  # the rivals take part in that 1-NN


# --- data ------------------------------------------------------------------------------
class Data:
    """Templates and queries of one split with all distances for one distance variant."""

    def __init__(self, raw: dict, split: str, feat: str, window: int | None, lose: int = 0) -> None:
        """``lose``: every ``lose``-th sample of each query lost on the link (the ring keeps the rest)."""
        self.split = split
        T, Q = [], []  # (group, gesture, segment, named)
        for person, gs in raw["builtin_templates"].items():
            for g, xs in gs.items():
                T += [("builtin:" + person, g, s, n) for n, s in xs if s is not None]
        for person, gs in raw["builtin_queries"].items():
            for g, xs in gs.items():
                Q += [("builtin:" + person, g, s, n) for n, s in xs]
        for name, parts in raw["sets"].items():
            for g, xs in parts["enrol"].items():
                T += [(name, g, s, n) for n, s in xs]  # None kept: enrolment skips it, as the bench
            for g, xs in parts["test"].items():
                Q += [(name, g, s, n) for n, s in xs]
        Q += [("everyday", "", s, n) for n, s in raw["everyday"]]
        self.hours = raw["everyday_hours"]
        self.T, self.Q = T, Q
        ti = [i for i, t in enumerate(T) if t[2] is not None]
        qi = [i for i, q in enumerate(Q) if q[2] is not None]
        ft = [feats(T[i][2], feat) for i in ti]
        drop = (lambda x: np.delete(x, np.arange(3, len(x), lose), axis=0)) if lose else (lambda x: x)
        fq = [feats(drop(Q[i][2]), feat) for i in qi]
        self.QT = np.full((len(Q), len(T)), np.inf)
        self.QT[np.ix_(qi, ti)] = dist(fq, ft, window)
        self.TT = np.full((len(T), len(T)), np.inf)
        self.TT[np.ix_(ti, ti)] = dist(ft, ft, window)

    def idx(self, group: str, gesture: str | None = None, table: str = "T") -> list[int]:
        rows = self.T if table == "T" else self.Q
        return [i for i, r in enumerate(rows) if r[0] == group and (gesture is None or r[1] == gesture)]


def decide_all(data: Data, enrolled: dict[str, list[int]], comp: dict[str, list[int]], qs: list[int],
               v: Variant) -> list[str | None]:
    """What the host names each query (an enrolled gesture or None)."""
    names = list(enrolled)
    allt = [i for n in names for i in enrolled[n]]
    owner = [n for n in names for _ in enrolled[n]]
    scale = fewshot.spread_scales(data.TT[np.ix_(allt, allt)], owner)
    radius = {n: v.radius for n in names}
    out = []
    for q in qs:
        if data.Q[q][2] is None:
            out.append(None)
            continue
        raw = {n: float(data.QT[q, enrolled[n]].min()) for n in names}
        named = data.Q[q][3]
        factor = v.override if named else 1.0
        if v.competitors and comp:
            cb = min(float(data.QT[q, ix].min()) for ix in comp.values())
            best = min(raw, key=raw.get)
            if cb <= raw[best]:
                out.append(None)
                continue
            raw2 = dict(raw) | ({"~builtin": cb} if v.comp_ratio else {})
            d = fewshot.decide(raw2, scale | {"~builtin": 1.0}, radius | {"~builtin": 0.0}, v.ratio, factor)
        else:
            d = fewshot.decide(raw, scale, radius, v.ratio, factor)
        name = d.name
        if name is not None and v.agree is not None:
            a = v.agree
            near = {n: float(a.QT[q, enrolled[n]].min()) for n in names}
            if v.competitors and comp and v.agree_rivals:
                near["~builtin"] = min(float(a.QT[q, ix].min()) for ix in comp.values())
            if min(near, key=near.get) != name:
                name = None
        out.append(name)
    return out


def evaluate(data: Data, v: Variant, sets: list[str]) -> dict:
    res: dict = {}
    comp_all = {}
    for person in ("tti-data", "tti-peter"):
        for g in ("diagonal_up_left", "circle_cw", "push_forward"):
            comp_all.setdefault(person, {})[g] = [i for i in data.idx("builtin:" + person, g)]
    # competitors shipped: both people; a built-in try is never matched against its own person's templates
    both = {g: comp_all["tti-data"][g] + comp_all["tti-peter"][g] for g in comp_all["tti-data"]}
    builtin_people = ["tti-data"] if data.split == "validation" else ["tti-data", "tti-peter"]
    other_person = {"tti-data": "tti-peter", "tti-peter": "tti-data"}
    for s in sets:
        gest = sorted({t[1] for t in data.T if t[0] == s})
        acc, other, model, day = [], [], [], []
        for seed in SEEDS:
            rng = random.Random(f"{s}/{SHOTS}/{seed}")
            for t in range(TRIALS):
                left = gest[t % len(gest)]
                enrolled, tests = {}, []
                for g in gest:
                    ix = data.idx(s, g)
                    order = list(range(len(ix)))
                    rng.shuffle(order)
                    if g == left:
                        continue
                    chosen = [ix[i] for i in order[:SHOTS] if data.T[ix[i]][2] is not None]
                    if chosen:
                        enrolled[g] = chosen
                    qix = data.idx(s, g, "Q")
                    if s == "tti-20210623":  # enrol from the pool, test the rest (as the bench)
                        qix = [qix[i] for i in order[SHOTS:]]
                    tests += [(g, q) for q in qix]
                lq = data.idx(s, left, "Q")
                got = decide_all(data, enrolled, both, [q for _, q in tests] + lq, v)
                acc += [a == g for (g, _), a in zip(tests, got)]
                other += [a is not None for a in got[len(tests):]]
                taken = []
                for p in builtin_people:
                    comp = {g: comp_all[other_person[p]][g] for g in comp_all[p]}
                    taken += [a is not None for a in decide_all(data, enrolled, comp, data.idx("builtin:" + p, None, "Q"), v)]
                model.append(np.mean(taken))
                ev = [i for i, q in enumerate(data.Q) if q[0] == "everyday"]
                day.append(sum(a is not None for a in decide_all(data, enrolled, both, ev, v)) / data.hours)
        res[s] = {"acc": np.mean(acc), "other": np.mean(other), "model": np.mean(model), "day": np.mean(day)}
    return res


def _line(tag: str, v: Variant, r: dict) -> str:
    cells = " ".join(f"{s}: acc {x['acc']:.1%} other {x['other']:.1%} builtin {x['model']:.1%} day {x['day']:.1f}/h"
                     for s, x in r.items())
    return f"{tag:22s} rad={v.radius} ratio={v.ratio} ov={v.override} | {cells}"


def main(split: str) -> None:
    """The grids behind the comments in wand/fewshot.py (3 tries)."""
    raw = pickle.loads((CACHE / f"{split}.pkl").read_bytes())
    sets = ["nano33"] if split == "validation" else ["tti-20210623", "nano33"]
    d6, stroke = Data(raw, split, "6", None), Data(raw, split, "stroke", None)
    v = Variant("6", None, False, 1.25, 0.8, 0.75)  # before: no rivals, no stroke, the 0.75 override
    print(_line("before", v, evaluate(d6, v, sets)), flush=True)
    for comp, st, ov in [(True, False, 0.75), (True, False, 1.0), (True, True, 1.0)]:
        for radius, ratio in itertools.product([1.0, 1.25, 1.5, 2.0], [0.8, 0.85, 0.9, 0.95, 1.0]):
            v = Variant("6", None, comp, radius, ratio, ov, agree=stroke if st else None)
            print(_line(f"rivals{' + stroke' if st else ''}", v, evaluate(d6, v, sets)), flush=True)
    v = Variant("6", None, True, 1.25, 0.8, 1.0, comp_ratio=False)
    print(_line("rivals veto only", v, evaluate(d6, v, sets)), flush=True)
    for feat, window in [("6", 8), ("6", 4), ("gyro", None), ("acc", None), ("6-g2", None), ("6-g0.5", None),
                         ("6-diff", None), ("6-z", None), ("stroke", None)]:
        v = Variant(feat, window, True, 1.25, 0.8, 1.0)
        print(_line(f"rivals, {feat} w={window}", v, evaluate(Data(raw, split, feat, window), v, sets)), flush=True)
