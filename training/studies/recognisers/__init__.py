"""Few-shot recognisers compared side by side (issue 15): one module per method.

Every method has the same small interface, so the study and the bench treat them alike:

    rec = METHODS["dtw-imu"]()
    rec.enrol({"alohomora": [seg, seg, seg], "revelio": [...]})   # K tries per gesture
    d = rec.decide(seg)      # Decision: name or None, with the distance it rests on

A ``Segment`` is one candidate motion: IMU in the wand's board frame and physical
units (g, deg/s) at its own rate, or, for data sets that hold drawn strokes and no IMU
(petewarden-digits, quickdraw-shapes), a 2-D stroke. A method that needs IMU says so
(``needs_imu``) and is skipped on stroke-only data.

Rejection is the same rule for every method, so it can be swept after the fact: a
decision carries the nearest gesture's distance over that gesture's own scale
(``distance``; ``templates.py``: the enrolment tries' spread, or how near everyday motion
comes) and the nearest-versus-second-nearest ratio (``ratio``); it is accepted when both
are at or under the method's thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from wand.recordings import RAW_TO_PHYSICAL, raw_to_physical  # noqa: F401  (segment.py takes it from here)


@dataclass
class Segment:
    """One candidate motion (a recorded try, or a piece of everyday motion)."""

    label: str = ""  # gesture name; "" for everyday motion
    person: str = ""
    rate_hz: float = 0.0
    imu: np.ndarray | None = None  # (n, 6) float: ax ay az in g, gx gy gz in deg/s, board frame
    stroke: np.ndarray | None = None  # (n, 2) drawn stroke, where the data holds no IMU
    source: str = ""
    cache: dict = field(default_factory=dict, repr=False)  # per-method features, computed once

    @classmethod
    def from_recording(cls, rec) -> "Segment":
        """A ``wand.recordings.Recording`` (raw mg / 0.1 dps integers) as a segment."""
        return cls(rec.label, rec.person, float(rec.rate_hz), raw_to_physical(rec.samples),
                   None, rec.source)

    def raw(self) -> np.ndarray:
        """IMU back in the wire's integer units (mg, 0.1 dps)."""
        if self.imu is None:
            raise ValueError(f"{self.source or self.label}: no IMU in this segment")
        return np.rint(self.imu * RAW_TO_PHYSICAL).astype(np.int32)

    def feature(self, key: str, compute: Callable[["Segment"], object]):
        if key not in self.cache:
            self.cache[key] = compute(self)
        return self.cache[key]


@dataclass(frozen=True)
class Decision:
    name: str | None  # accepted gesture, or None (rejected / nothing enrolled)
    nearest: str | None  # nearest enrolled gesture, accepted or not
    distance: float  # nearest distance / that gesture's enrolment spread (inf: no candidate)
    ratio: float  # nearest raw distance / second nearest gesture's (0 when only one enrolled)

    def accepted_at(self, threshold: float, max_ratio: float = math.inf) -> str | None:
        """The decision under other thresholds (the study sweeps these)."""
        if self.nearest is None or self.distance > threshold or self.ratio > max_ratio:
            return None
        return self.nearest


class Recogniser(Protocol):
    name: str
    needs_imu: bool
    threshold: float
    max_ratio: float

    def enrol(self, tries: dict[str, list[Segment]]) -> None:
        """Replace what is enrolled by these gestures, K tries each."""

    def decide(self, segment: Segment) -> Decision:
        """The enrolled gesture this segment is, or None."""


def methods() -> dict[str, Callable[[list[Segment]], Recogniser]]:
    """Name -> factory(everyday bank) of every recogniser in the study (lazy: TFLM is heavy).

    ``spread``: distances over the enrolment tries' spread (issue 15's proposal);
    ``cohort``: over how near the everyday-motion bank comes (``templates.py``)."""
    from .dtw_imu import DtwImu
    from .embedding import CnnEmbedding
    from .fusion import Fusion
    from .stroke import StrokeDtw, StrokeProtractor

    out: dict[str, Callable[[list[Segment]], Recogniser]] = {"cnn-knn": lambda bank: CnnEmbedding()}
    for name, cls in (("dtw-imu", DtwImu), ("stroke-protractor", StrokeProtractor), ("stroke-dtw", StrokeDtw)):
        for norm in ("spread", "cohort"):
            out[f"{name} ({norm})"] = (lambda c, n: lambda bank: c(n, bank))(cls, norm)
    out["fusion dtw-imu + stroke-protractor (cohort)"] = Fusion
    return out
