"""(b)+(c) fused: the 6-axis DTW and the gyro stroke vote together.

They fail differently: DTW on the IMU keeps how a gesture moves (speed profile,
translation, gravity), the stroke keeps only the drawn shape (indifferent to speed and
roll). Each distance is first put on the same footing by the everyday-motion cohort
scale (``templates.py``: 1.0 = as near as the nearest 1% of everyday motion), then the
two are averaged per gesture. Measured on validation people (``study.py``): the fused
distance rejects other gestures better than either alone at the same everyday-motion rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import Decision, Segment
from .dtw_imu import DtwImu
from .stroke import StrokeProtractor
from .templates import TemplateMatcher


@dataclass
class Fusion:
    bank: list[Segment] = field(default_factory=list)
    name: str = "fusion"
    needs_imu: bool = True
    threshold: float = 2.0
    max_ratio: float = 0.9
    parts: list[TemplateMatcher] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [DtwImu("cohort", self.bank), StrokeProtractor("cohort", self.bank)]

    def enrol(self, tries: dict[str, list[Segment]]) -> None:
        for p in self.parts:
            p.enrol(tries)

    def decide_many(self, segs: list[Segment]) -> list[Decision]:
        per = [p.nearest_many(segs) for p in self.parts]
        out = []
        for i in range(len(segs)):
            raws = [r[i] for r in per]
            if any(not r for r in raws):
                out.append(Decision(None, None, math.inf, math.inf))
                continue
            fused = {g: float(np.mean([r[g] / p.scale[g] for r, p in zip(raws, self.parts)])) for g in raws[0]}
            best = min(fused, key=fused.get)
            others = [d for g, d in fused.items() if g != best]
            ratio = fused[best] / min(others) if others and min(others) > 0 else 0.0
            d = Decision(None, best, fused[best], ratio)
            out.append(Decision(d.accepted_at(self.threshold, self.max_ratio), best, d.distance, d.ratio))
        return out

    def decide(self, seg: Segment) -> Decision:
        return self.decide_many([seg])[0]
