"""Air-writing augmentation of pen and canvas strokes, on float points before the integer step.

A character written with a pen on a tablet differs from one drawn in the air with a wand
in ways an outside study measured (+7-9 points on real air-written letters from these
transforms; issue 19):

* rotation +-15 deg: the person's "up" is not the wand's;
* shear +-0.3 and aspect x exp(+-0.4): arm and wrist distort the shape unevenly;
* run-up and overshoot: the wand is already moving when the drawing starts and keeps
  moving after it ends: a straight piece of 3-25% of the box before the first point and
  after the last, along the stroke's own direction there, bent by up to 40 deg;
* slow wobble: the arm drifts; a low-frequency displacement (one or two cycles over the
  stroke, a few % of the box) on each axis.

Input and output are (n, 2) float points, x right, y up, any unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AirWriting:
    rotate_deg: float = 15.0
    shear: float = 0.3
    log_aspect: float = 0.4
    lead: tuple[float, float] = (0.03, 0.25)  # run-up / overshoot length, fraction of the box
    lead_p: float = 0.5  # chance of each of run-up and overshoot
    bend_deg: float = 40.0
    wobble: float = 0.04  # amplitude, fraction of the box


def _direction(pts: np.ndarray, at_start: bool, reach: float) -> np.ndarray:
    """Unit direction of the path over its first (or last) ``reach`` of length."""
    seq = pts if at_start else pts[::-1]
    steps = np.linalg.norm(np.diff(seq, axis=0), axis=1)
    k = int(np.searchsorted(np.cumsum(steps), reach)) + 1
    v = seq[min(k, len(seq) - 1)] - seq[0]
    n = np.linalg.norm(v)
    return v / n if n > 0 else np.array([1.0, 0.0])


def _rot(a: float) -> np.ndarray:
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def _lead(pts: np.ndarray, at_start: bool, side: float, cfg: AirWriting, rng: np.random.Generator) -> np.ndarray:
    """A straight run-up into the first point (or overshoot out of the last one), 8 points."""
    length = rng.uniform(*cfg.lead) * side
    d = _direction(pts, at_start, 0.1 * side)  # the way the stroke leaves its start / enters its end
    d = _rot(np.radians(rng.uniform(-cfg.bend_deg, cfg.bend_deg))) @ d
    t = np.linspace(1.0, 0.0, 8, endpoint=False)[:, None] * length
    if at_start:
        return pts[0] - d * t  # comes in along the starting direction
    return pts[-1] - d * t[::-1]  # d points backwards along the end: leave forwards


def air_write(pts: np.ndarray, rng: np.random.Generator, cfg: AirWriting = AirWriting()) -> np.ndarray:
    pts = np.asarray(pts, np.float64)
    span = pts.max(axis=0) - pts.min(axis=0)
    side = float(max(span.max(), 1e-9))
    p = (pts - pts.mean(axis=0)) / side
    a = np.exp(rng.uniform(-cfg.log_aspect, cfg.log_aspect))
    m = _rot(np.radians(rng.uniform(-cfg.rotate_deg, cfg.rotate_deg))) @ np.array(
        [[1.0, rng.uniform(-cfg.shear, cfg.shear)], [0.0, 1.0]]) @ np.diag([np.sqrt(a), 1 / np.sqrt(a)])
    p = p @ m.T
    if len(p) > 2:
        if rng.random() < cfg.lead_p:
            p = np.concatenate([_lead(p, True, 1.0, cfg, rng), p])
        if rng.random() < cfg.lead_p:
            p = np.concatenate([p, _lead(p, False, 1.0, cfg, rng)])
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
    s = s / s[-1] if s[-1] > 0 else s
    for axis in (0, 1):
        cycles = rng.uniform(0.5, 2.0)
        p[:, axis] += cfg.wobble * rng.uniform(0, 1) * np.sin(2 * np.pi * (cycles * s + rng.random()))
    return p


# --- one-stroke forms of multi-stroke characters ---------------------------------------
#
# A pen writer lifts the pen between strokes; a wand writer cannot, so the travel between
# strokes becomes part of the drawing, and people reorder and reverse strokes (Pete
# Warden's wand "4" starts at the right end of the crossbar, runs left, up the diagonal
# and down the upright: the pen's first stroke reversed, then its second; his "5" draws the
# top bar right to left first, then the pen's first stroke). Joining in writing order alone
# teaches only the pen's order. A form is any order of the pen strokes, each either way,
# joined by straight travel; two rules say which forms a wand writer may use:
#   "any":     every order and direction;
#   "shorter": those whose travel between strokes is no longer than writing order's
#              (a writer who reorders does so to travel less).
# Characters of more than MAX_FORM_STROKES strokes keep writing order only (orders grow as
# k! 2^k, and such strokes are rare).

MAX_FORM_STROKES = 4
FORM_RULES = ("any", "shorter")


@dataclass(frozen=True)
class Form:
    """One way to draw the strokes as one line: stroke indices in order, reversed or not."""

    order: tuple[int, ...]
    reverse: tuple[bool, ...]
    travel: float = 0.0  # straight travel between strokes / writing order's travel


def _travel(ends: list[tuple[np.ndarray, np.ndarray]], order, reverse) -> float:
    total, prev = 0.0, None
    for i, r in zip(order, reverse):
        start, end = (ends[i][1], ends[i][0]) if r else ends[i]
        if prev is not None:
            total += float(np.linalg.norm(start - prev))
        prev = end
    return total


def one_stroke_forms(segments: list[np.ndarray]) -> list[Form]:
    """Writing order first (travel 1.0), then every other order and direction."""
    k = len(segments)
    writing = Form(tuple(range(k)), (False,) * k, 1.0)
    if k < 2 or k > MAX_FORM_STROKES:
        return [writing]
    from itertools import permutations, product

    ends = [(np.asarray(s[0], float), np.asarray(s[-1], float)) for s in segments]
    base = max(_travel(ends, writing.order, writing.reverse), 1e-9)
    return [writing] + [Form(o, r, _travel(ends, o, r) / base)
                        for o in permutations(range(k)) for r in product((False, True), repeat=k)
                        if (o, r) != (writing.order, writing.reverse)]


def allowed_forms(forms: list[Form], rule: str) -> list[Form]:
    """The forms other than writing order that ``rule`` lets a wand writer use."""
    if rule not in FORM_RULES:
        raise ValueError(f"unknown one-stroke form rule {rule!r}; known: {', '.join(FORM_RULES)}")
    return [f for f in forms[1:] if rule == "any" or f.travel <= 1.0 + 1e-9]


def draw_form(segments: list[np.ndarray], form: Form) -> np.ndarray:
    """The strokes joined as one line in the form's order and directions (jumps bridged)."""
    return np.concatenate([segments[i][::-1] if r else segments[i] for i, r in zip(form.order, form.reverse)])
