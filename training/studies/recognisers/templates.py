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

The gesture named is the plain nearest neighbour (raw distance: normalising before the
argmin let a sloppy gesture with a wide spread attract other gestures' tries); the scale
only decides rejection. A ratio test (nearest / second-nearest gesture, raw distances)
rejects a segment that sits between two gestures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from wand.fewshot import spread_scales  # the product's rule (SINGLE_TRY_FRACTION, MIN_SPREAD_FRACTION)

from . import Decision, Segment

COHORT_QUANTILE = 0.01  # issue 15's target: <= 1% of everyday motion accepted


Pairwise = Callable[[list, list], np.ndarray]


@dataclass
class TemplateMatcher:
    """1-NN over enrolled tries under ``pairwise`` distances between ``features`` of segments."""

    name: str
    features: Callable[[Segment], object]
    pairwise: Pairwise  # (features A, features B) -> (len A, len B) distances
    threshold: float = 2.0
    max_ratio: float = 0.9
    needs_imu: bool = True
    normalise: str = "spread"  # or "cohort" (needs ``bank``)
    bank: list[Segment] = field(default_factory=list)
    templates: dict[str, list[object]] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    _memo: dict[int, dict[str, float]] = field(default_factory=dict, repr=False)

    def _feat(self, seg: Segment):
        return seg.feature(self.name, self.features)

    def enrol(self, tries: dict[str, list[Segment]]) -> None:
        feats = {g: [t for t in (self._feat(s) for s in segs) if t is not None] for g, segs in tries.items()}
        self.templates = {g: t for g, t in feats.items() if t}
        self._owner = [g for g, ts in self.templates.items() for _ in ts]
        self._flat = [t for ts in self.templates.values() for t in ts]
        self._memo = {}
        if self.normalise == "cohort":
            self.scale = self._cohort_scale()
        elif self.normalise == "spread":
            self.scale = self._spread_scale()
        else:
            raise ValueError(f"normalise must be 'spread' or 'cohort', not {self.normalise!r}")

    def _spread_scale(self) -> dict[str, float]:
        return spread_scales(self.pairwise(self._flat, self._flat), self._owner, alone=1.0, floor=1e-9)

    def _cohort_scale(self) -> dict[str, float]:
        if not self.bank:
            raise ValueError("cohort normalisation needs a bank of everyday-motion segments")
        raws = self.nearest_many(self.bank)
        self._memo = {id(s): r for s, r in zip(self.bank, raws)}  # the bank keeps these ids alive
        raws = [r for r in raws if r]
        return {g: max(float(np.quantile([r[g] for r in raws], COHORT_QUANTILE)), 1e-9) for g in self.templates}

    def nearest_many(self, segs: list[Segment]) -> list[dict[str, float]]:
        """Raw distance from each segment to each gesture's closest template ({} without features)."""
        out: list[dict[str, float] | None] = [self._memo.get(id(s)) for s in segs]
        todo = [i for i, r in enumerate(out) if r is None]
        feats = [self._feat(segs[i]) for i in todo]
        ok = [i for i, f in zip(todo, feats) if f is not None]
        for i in todo:
            out[i] = {}
        if ok and self._flat:
            d = self.pairwise([self._feat(segs[i]) for i in ok], self._flat)
            owner = np.array(self._owner)
            per = {g: d[:, owner == g].min(axis=1) for g in self.templates}
            for row, i in enumerate(ok):
                out[i] = {g: float(v[row]) for g, v in per.items()}
        return out  # type: ignore[return-value]

    def nearest(self, seg: Segment) -> dict[str, float]:
        return self.nearest_many([seg])[0]

    def decide_many(self, segs: list[Segment]) -> list[Decision]:
        return [self._decision(r) for r in self.nearest_many(segs)]

    def decide(self, seg: Segment) -> Decision:
        return self.decide_many([seg])[0]

    def _decision(self, raw: dict[str, float]) -> Decision:
        if not raw:
            return Decision(None, None, math.inf, math.inf)
        best = min(raw, key=raw.get)  # plain 1-NN names the gesture; the scale only decides rejection
        others = [d for g, d in raw.items() if g != best]
        ratio = raw[best] / min(others) if others and min(others) > 0 else 0.0
        d = Decision(None, best, float(raw[best] / self.scale[best]), float(ratio))
        return Decision(d.accepted_at(self.threshold, self.max_ratio), best, d.distance, d.ratio)
