"""Naming: a gesture packet -> the model's class, an enrolled gesture, or "unknown"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..enrol import EnrolmentSet, distance
from ..model import ModelBundle
from ..protocol import GESTURE_UNKNOWN, GesturePacket

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Name:
    gesture: str
    source: str  # "model", "enrolled" or "unknown"
    confidence: float


class Namer:
    """Names packets for one model and one enrolment set (which may change while running)."""

    def __init__(self, bundle: ModelBundle, enrolled: EnrolmentSet | None = None) -> None:
        self.bundle, self.enrolled = bundle, enrolled
        protos = bundle.info.get("prototypes", {})
        self._prototypes = {k: np.asarray(v, np.float64) for k, v in protos.items() if v}

    def fits(self, embedding: tuple[int, ...]) -> bool:
        """Whether an embedding can be compared with the enrolled gestures at all (a wand
        running another model sends another length: no match, rather than an exception)."""
        return self.enrolled is not None and len(embedding) == len(self.enrolled.centre)

    def name(self, p: GesturePacket) -> Name:
        names = self.bundle.classes
        known = p.gesture_id != GESTURE_UNKNOWN and p.gesture_id < len(names) and p.gesture_id != self.bundle.other_class
        best = Name(names[p.gesture_id], "model", p.confidence / 256) if known \
            else Name(UNKNOWN, "unknown", p.confidence / 256)
        if not self.fits(p.embedding):
            return best
        match = self.enrolled.match(p.embedding)
        if match is not None and (not known or match.distance < self._model_distance(best.gesture, p.embedding)):
            return Name(match.name, "enrolled", 1.0 - match.distance / match.radius)
        return best

    def _model_distance(self, gesture: str, embedding: tuple[int, ...]) -> float:
        """Nearest training example of the model's gesture (same metric as enrolment)."""
        protos = self._prototypes.get(gesture)
        if protos is None or self.enrolled is None or protos.shape[-1] != len(embedding):
            return float("inf")
        return float(distance(protos, np.array(embedding), np.asarray(self.enrolled.centre)).min())
