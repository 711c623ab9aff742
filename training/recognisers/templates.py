"""Template matching with the rejection every template method shares.

Why normalise per gesture: a raw distance threshold does not carry over between people
or gestures (issue 15: a global threshold held near 1% false accepts cost 35-47% of
genuine tries). Two scales are offered, and the study measures both:

``spread`` (what issue 15 proposed): a gesture's distances are divided by the spread of
    its own enrolment tries (mean pairwise distance), at least ``MIN_SPREAD_FRACTION`` of
    the distance to the nearest other enrolled gesture. With one try there is no spread:
    ``SINGLE_TRY_FRACTION`` of that distance instead.
``cohort``: divided by how close everyday motion comes to that gesture: the
    ``COHORT_QUANTILE`` quantile of the distances from a bank of real everyday-motion
    segments (other people's, shipped with the host) to the gesture's templates,
    computed at enrol time. Threshold 1.0 then means "closer than all but 1% of everyday
    motion", whatever the gesture, person or device. (Score normalisation against a
    cohort, as speaker verification does.)

A ratio test (nearest / second-nearest gesture, raw distances) rejects a segment that
sits between two gestures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import Decision, Segment

SINGLE_TRY_FRACTION = 0.5  # K = 1: radius unit = this x distance to the nearest other gesture
MIN_SPREAD_FRACTION = 0.25  # K >= 2: spread at least this x that distance (two near-identical tries)
COHORT_QUANTILE = 0.01  # issue 15's target: <= 1% of everyday motion accepted


@dataclass
class TemplateMatcher:
    """1-NN over enrolled tries under ``distance`` between ``features`` of segments."""

    name: str
    features: Callable[[Segment], object]
    distance: Callable[[object, object], float]
    threshold: float = 2.0
    max_ratio: float = 0.9
    needs_imu: bool = True
    normalise: str = "spread"  # or "cohort" (needs ``bank``)
    bank: list[Segment] = field(default_factory=list)
    templates: dict[str, list[object]] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    _memo: dict[int, dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def method(self) -> str:
        return f"{self.name} ({self.normalise})"

    def _feat(self, seg: Segment):
        return seg.feature(self.name, self.features)

    def enrol(self, tries: dict[str, list[Segment]]) -> None:
        self.templates = {g: [t for t in (self._feat(s) for s in segs) if t is not None] for g, segs in tries.items()}
        self.templates = {g: t for g, t in self.templates.items() if t}
        self._memo = {}
        if self.normalise == "cohort":
            self.scale = self._cohort_scale()
        elif self.normalise == "spread":
            self.scale = self._spread_scale()
        else:
            raise ValueError(f"normalise must be 'spread' or 'cohort', not {self.normalise!r}")

    def _spread_scale(self) -> dict[str, float]:
        names = list(self.templates)
        scale = {}
        for g in names:
            t = self.templates[g]
            others = [self.distance(a, b) for h in names if h != g for a in t for b in self.templates[h]]
            inter = min(others) if others else math.nan
            intra = [self.distance(t[i], t[j]) for i in range(len(t)) for j in range(i + 1, len(t))]
            if intra:
                floor = MIN_SPREAD_FRACTION * inter if not math.isnan(inter) else 0.0
                scale[g] = max(float(np.mean(intra)), floor, 1e-9)
            elif not math.isnan(inter):
                scale[g] = max(SINGLE_TRY_FRACTION * inter, 1e-9)
            else:
                scale[g] = 1.0  # one gesture, one try: no scale to be had; raw distance
        return scale

    def _cohort_scale(self) -> dict[str, float]:
        if not self.bank:
            raise ValueError("cohort normalisation needs a bank of everyday-motion segments")
        raws = [r for r in (self._raw(s) for s in self.bank) if r]
        for s, r in zip(self.bank, raws):
            self._memo[id(s)] = r
        return {g: max(float(np.quantile([r[g] for r in raws], COHORT_QUANTILE)), 1e-9) for g in self.templates}

    def _raw(self, seg: Segment) -> dict[str, float]:
        f = self._feat(seg)
        if f is None:
            return {}
        return {g: min(self.distance(f, t) for t in ts) for g, ts in self.templates.items()}

    def nearest(self, seg: Segment) -> dict[str, float]:
        """Raw distance from the segment to each gesture's closest template."""
        got = self._memo.get(id(seg))  # only bank segments are memoised, and the bank keeps them alive
        return got if got is not None else self._raw(seg)

    def decide(self, seg: Segment) -> Decision:
        raw = self.nearest(seg)
        if not raw:
            return Decision(None, None, math.inf, math.inf)
        norm = {g: d / self.scale[g] for g, d in raw.items()}
        best = min(norm, key=norm.get)
        others = [d for g, d in raw.items() if g != best]
        ratio = raw[best] / min(others) if others and min(others) > 0 else 0.0
        d = Decision(None, best, float(norm[best]), float(ratio))
        return Decision(d.accepted_at(self.threshold, self.max_ratio), best, d.distance, d.ratio)
