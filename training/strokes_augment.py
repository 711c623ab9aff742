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
