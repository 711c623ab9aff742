"""(a) Today's few-shot: k-NN on the CNN's 8-value embedding (``wand.enrol``, used as is).

The segment is replayed through the simulated wand (integer resampler, spotter, TFLM
model) from a fresh start, and the embedding in its first gesture packet is what the
host matches, exactly as ``wand run`` would. A segment the spotter never fires on
(motion under the onset gate) has no embedding and is rejected.

The decision is ``EnrolmentSet.match``'s: the nearest gesture within its radius.
``distance`` is the cosine distance over that radius, so threshold 1.0 is today's rule
and the study can sweep it like the other methods' thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from wand.enrol import EnrolmentSet, distance
from wand.model import ModelBundle, load_model
from wand.protocol import GesturePacket
from wand.recordings import Recording
from wand.simwand.device import first_gesture_packets

from . import Decision, Segment

KEY = "cnn-embedding"


def embeddings(bundle: ModelBundle, segs: list[Segment]) -> None:
    """Fill each segment's cached embedding (None where the spotter never fired), in one replay per rate."""
    todo = [s for s in segs if KEY not in s.cache]
    by_rate: dict[int, list[Segment]] = {}
    for s in todo:
        by_rate.setdefault(int(round(s.rate_hz)), []).append(s)
    for rate, group in by_rate.items():
        recs = [Recording(s.label or "x", s.raw(), rate, source=s.source) for s in group]
        for s, p in zip(group, first_gesture_packets(bundle, recs)):
            s.cache[KEY] = None if p is None else np.array(GesturePacket.decode(p).embedding, np.float64)


@dataclass
class CnnEmbedding:
    name: str = "cnn-knn"
    needs_imu: bool = True
    threshold: float = 1.0  # 1.0 = today's radius
    max_ratio: float = math.inf  # today's rule has no ratio test
    bundle: ModelBundle = field(default_factory=load_model)
    enrolled: EnrolmentSet | None = None
    _names: dict[str, str] = field(default_factory=dict)

    def prepare(self, segs: list[Segment]) -> None:
        embeddings(self.bundle, [s for s in segs if s.imu is not None])

    def _embedding(self, seg: Segment) -> np.ndarray | None:
        if seg.imu is None:
            return None
        if KEY not in seg.cache:
            self.prepare([seg])
        return seg.cache[KEY]

    def enrol(self, tries: dict[str, list[Segment]]) -> None:
        self.prepare([s for segs in tries.values() for s in segs])
        centre = self.bundle.info.get("embedding_centre", [0.0] * self.bundle.embedding_dims)
        self.enrolled = EnrolmentSet(self.bundle.crc32, list(centre))
        self._names = {}  # data sets' labels need not be valid enrolment names ("a/b", "0")
        for i, (g, segs) in enumerate(tries.items()):
            embs = [e for e in (self._embedding(s) for s in segs) if e is not None]
            if embs:  # a try the spotter never fired on cannot be enrolled (the wand sends nothing)
                self._names[f"g{i}"] = g
                self.enrolled.enrol(f"g{i}", [tuple(int(v) for v in e) for e in embs])

    def decide(self, seg: Segment) -> Decision:
        emb = self._embedding(seg)
        if emb is None or self.enrolled is None or not self.enrolled.gestures:
            return Decision(None, None, math.inf, math.inf)
        centre = np.asarray(self.enrolled.centre, np.float64)
        raw = {g.name: float(distance(np.array(g.examples), emb, centre).min()) for g in self.enrolled.gestures.values()}
        norm = {n: raw[n] / self.enrolled.gestures[n].radius for n in raw}
        key = min(norm, key=norm.get)
        others = [d for n, d in raw.items() if n != key]
        ratio = raw[key] / min(others) if others and min(others) > 0 else 0.0
        best = self._names[key]
        d = Decision(None, best, norm[key], ratio)
        if self.threshold == 1.0 and self.max_ratio == math.inf:  # today's rule, exactly as wand run decides
            m = self.enrolled.match(tuple(int(v) for v in emb))
            return Decision(self._names[m.name] if m else None, best, d.distance, d.ratio)
        return Decision(d.accepted_at(self.threshold, self.max_ratio), best, d.distance, d.ratio)
