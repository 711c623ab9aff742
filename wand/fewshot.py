"""Few-shot matching: 1-NN dynamic time warping on the wand's 6-axis IMU, with rejection.

The host does this (the chip is unchanged): a gesture the model does not name is cut
from the IMU samples the wand streams (``events/imu.py``) and compared with the tries
each enrolled gesture was taught with. DTW is dtaidistance's C implementation.

Rejection (``training/studies/recognisers``, issue 15: a raw distance threshold does not carry
over between people or gestures): the nearest gesture's distance is divided by that
gesture's *scale*, the spread of its own enrolment tries (mean pairwise distance; at
least ``MIN_SPREAD_FRACTION`` of the distance to the nearest other enrolled gesture's
try, and at least ``MIN_SCALE``), and the match is accepted when that ratio is at most the
gesture's ``radius`` and the nearest gesture is clearly nearer than the second
(``MAX_RATIO``). The model's own gestures compete too (*rivals*: templates of its
built-in gestures cut from their recordings, ``wand/assets/builtin_templates.json``): an
enrolled gesture is accepted only if it is nearer than every rival template, by the same
ratio. A second stage checks the shape: the gyro stroke (``wand/strokes.py``: what the
wand drew, free of speed, size and roll) must be nearest to a try of the same gesture
too, among the enrolled tries and the rivals (``stroke_nearest``). The gesture named is
the plain nearest neighbour on the IMU; the scale decides only rejection. Nothing here
needs an everyday-motion bank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .recordings import raw_to_physical

GYRO_UNIT_DPS = 200.0  # gyro / 200 dps is on the scale of acceleration in g during a gesture

SINGLE_TRY_FRACTION = 0.5  # one try: scale = this x distance to the nearest other gesture's try
MIN_SPREAD_FRACTION = 0.25  # two or more: spread at least this x that distance (near-identical tries)
# Scales in DTW units (``pairwise``). Measured on validation tries (nano33-spells train part,
# tti-20210623; 3 tries each): the spread of one gesture's tries is 0.10-0.40, median ~0.2.
# A gesture enrolled alone from one try has no spread and no neighbour: it gets DEFAULT_SCALE;
# MIN_SCALE keeps two near-identical tries from rejecting every later one.
DEFAULT_SCALE = 0.2
MIN_SCALE = 0.05
# Accept when distance / scale <= radius and nearest / second nearest <= MAX_RATIO (rivals
# included), and the stroke agrees. Chosen on validation data only, through the product path
# (training/studies/recognisers/fewshot_grid.py: every try and everyday recording replayed once through
# the simulated wand, the host's own cuts captured, the rule replayed on them): nano33-spells
# (one person) enrolling 3 train-part tries of 4 of its 5 spells, tested on its 25
# validation-part tries (3 seeds x 10 enrolments, each spell left out in turn: its tries are
# "other"); the 30 built-in tries of tti-data against rivals cut from tti-peter's tries only;
# sp-sw-har's 13 train people (0.38 h of everyday motion, 164 gesture packets). At 3 tries
# (accuracy / other spells accepted / built-in tries taken / everyday per hour):
#   before (no rivals, no stroke, 0.75 override), 1.25 / 0.8: 53.5 / 14.0 / 8.7% / 30.6
#   rivals, 1.25 / 0.8:                                        57.8 /  9.3 / 0.9% / 0
#   rivals + stroke, radius 1.25, ratio 0.8 / 0.85 / 0.9 / 0.95 / 1.0:
#        54.5 / 56.3 / 58.8 / 60.3 / 60.3%, other 1.3 / 2.7 / 4.7 / 5.3 / 10.0%, 0% and 0/h for all
#   rivals + stroke, ratio 0.9, radius 1.0 / 1.5 / 2.0: 51.8 / 59.8 / 60.7%, other 1.3 / 5.3 / 7.3%
# Scored by the summed shortfall from issue 15's target ((97% - accuracy) + other, built-in
# taken above 1%), the stroke points form a plateau (0.41-0.42 for radius 1.25-1.5, ratio
# 0.85-0.95; rivals alone: 0.475); radius 1.25 stays and ratio 0.9 is its middle. Other
# distances measured no better with rivals (radius 1.25, ratio 0.8): Sakoe-Chiba window 8 / 4
# samples 58.2 / 56.0%, other 9.3 / 10.0%; gyro only 62.8%, 8.0%, built-in 2.2%; gyro weighted
# x2 / x0.5 60.2 / 57.0%, 10.0 / 10.0%; first differences added 45.3%, 3.3%; z-normalised
# 57.5%, 7.3%; the stroke alone: 57.8%, 1.3%, but built-in 17% and everyday 44/h.
# The spread scale measured no worse than a cohort scale (distances over the 1% / 5% quantile
# of a bank of everyday-motion segments from half the sp-sw-har train people, everyday motion
# counted on the other half; before rivals): at 3 tries spread 1.0 / 0.8: 60.5%, 16%, 2.1/h;
# cohort 1%, 1.0 / 0.8: 62.5%, 22%, 4.3/h; so the rule that needs only the enrolment tries stays.
DEFAULT_RADIUS = 1.25
MAX_RATIO = 0.9
SHAPE_CHECK = True  # the stroke stage (without it, 0.8 is the ratio chosen: the rivals-only line above)
# Rivals (the built-in gestures' templates) replaced a rule that made a packet the model named
# match 0.75 x tighter: with rivals that factor only cost accuracy (57.8 -> 52.3%, built-in
# taken 0.9 -> 0.8%, same data as above); a rival that only vetoes when nearer, outside the
# ratio test: 59.7%, other 11.3%, built-in 1.6%.
# A packet the model named as a class with no rival templates (a model trained on other
# gestures) still needs MODEL_OVERRIDE x radius: 0.75 was chosen before rivals (same data:
# factor 1.0 / 0.8 / 0.75 / 0.6 -> accuracy 66 / 64 / 61.5 / 51%, built-in tries taken
# 20 / 12 / 11 / 4%).
MODEL_OVERRIDE = 0.75


def features(raw: np.ndarray) -> np.ndarray:
    """(n, 6) raw samples (mg, 0.1 dps) -> what DTW compares: acceleration in g, gyro in units of
    ``GYRO_UNIT_DPS`` (so both matter about equally), C-contiguous float64."""
    x = raw_to_physical(raw)
    return np.ascontiguousarray(np.concatenate([x[:, :3], x[:, 3:] / GYRO_UNIT_DPS], axis=1))


def stroke_features(raw: np.ndarray, rate_hz: float) -> np.ndarray:
    """(n, 6) raw samples -> the gyro stroke, 32 points of unit size (``wand.strokes``); a
    segment that turned nowhere draws a point (two zeros)."""
    from .strokes import gyro_stroke, normalise_points

    pts = normalise_points(gyro_stroke(raw_to_physical(raw), rate_hz))
    return np.ascontiguousarray(np.zeros((2, 2)) if pts is None else pts)


def stroke_nearest(query: np.ndarray, strokes: list[np.ndarray], labels: list[str]) -> str | None:
    """The label of the stroke nearest to ``query`` (DTW as ``pairwise``)."""
    if not strokes:
        return None
    return labels[int(np.argmin(pairwise([query], strokes)[0]))]


def pairwise(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """(len a, len b) DTW distances (Euclidean per step, unconstrained warping), each divided
    by sqrt(n + m) so segments of unequal length compare fairly. One C call for all pairs."""
    from dtaidistance import dtw_ndim

    if not a or not b:
        return np.zeros((len(a), len(b)))
    series = list(a) + list(b)
    m = dtw_ndim.distance_matrix_fast(series, block=((0, len(a)), (len(a), len(series))), parallel=False)
    d = m[: len(a), len(a):]
    la = np.array([len(x) for x in a], np.float64)[:, None]
    lb = np.array([len(x) for x in b], np.float64)[None, :]
    return d / np.sqrt(la + lb)


def spread_scales(d: np.ndarray, owner: list[str], alone: float = DEFAULT_SCALE,
                  floor: float = MIN_SCALE) -> dict[str, float]:
    """Each gesture's scale from the (tries x tries) distances ``d`` of all enrolled tries;
    ``owner[i]`` is try i's gesture. ``alone``: the scale of a single try with no other gesture."""
    owners = np.array(owner)
    scale = {}
    for g in dict.fromkeys(owner):
        mine = owners == g
        others = d[np.ix_(mine, ~mine)]
        inter = float(others.min()) if others.size else math.nan
        intra = d[np.ix_(mine, mine)][np.triu_indices(int(mine.sum()), 1)]
        if intra.size:
            s = max(float(intra.mean()), MIN_SPREAD_FRACTION * inter if not math.isnan(inter) else 0.0)
        elif not math.isnan(inter):
            s = SINGLE_TRY_FRACTION * inter
        else:
            s = alone
        scale[g] = max(s, floor)
    return scale


@dataclass(frozen=True)
class Decision:
    nearest: str | None  # nearest enrolled gesture (None: nothing enrolled, or no segment)
    distance: float  # its distance / its scale (inf: no candidate)
    ratio: float  # nearest raw distance / second-nearest gesture's (0 with one gesture)
    accepted: bool

    @property
    def name(self) -> str | None:
        return self.nearest if self.accepted else None


def decide(raw: dict[str, float], scale: dict[str, float], radius: dict[str, float],
           max_ratio: float = MAX_RATIO, factor: float = 1.0, rival: float = math.inf) -> Decision:
    """The rule above, from each gesture's raw distance to its nearest try; ``factor``
    tightens every radius (``MODEL_OVERRIDE``); ``rival``: the raw distance to the nearest
    built-in gesture's template (the enrolled gesture must beat it by ``max_ratio`` too)."""
    if not raw:
        return Decision(None, math.inf, math.inf, False)
    best = min(raw, key=raw.get)
    others = [d for g, d in raw.items() if g != best] + ([rival] if rival < math.inf else [])
    ratio = raw[best] / min(others) if others and min(others) > 0 else (math.inf if others else 0.0)
    dist = raw[best] / scale[best]
    return Decision(best, float(dist), float(ratio), dist <= factor * radius[best] and ratio <= max_ratio)
