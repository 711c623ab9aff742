"""(a) Today's few-shot: k-NN on the CNN's 8-value embedding (``wand.enrol``, used as is).

The segment is replayed through the simulated wand (integer resampler, spotter, TFLM
model) from a fresh start, and the embedding in its first gesture packet is what the
host matches, exactly as ``wand run`` would. A segment the spotter never fires on
(motion under the onset gate) has no embedding and is rejected.

The decision is ``EmbeddingSet.match``'s: the nearest gesture within its radius.
``distance`` is the cosine distance over that radius, so threshold 1.0 is the product's
rule before DTW replaced it, and the study can sweep it like the other methods' thresholds.
``EmbeddingSet`` and ``name_packet`` keep that rule (formerly ``wand.enrol`` and
``wand.events.naming``) so ``wand bench fewshot`` can measure it as the baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from wand.model import ModelBundle, load_model
from wand.protocol import GESTURE_UNKNOWN, GesturePacket
from wand.recordings import Recording
from wand.simwand.device import first_gesture_packets

from . import Decision, Segment

KEY = "cnn-embedding"
# Cosine distance on mean-centred embeddings; the product's radius before DTW (chosen with
# `wand bench fewshot` then: 0.2 kept 3-try accuracy while a larger radius let more in).
DEFAULT_RADIUS = 0.2
RADIUS_SPREAD = 1.0  # radius = max(DEFAULT_RADIUS, RADIUS_SPREAD x the examples' own spread)


def distance(a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosine distance between rows of ``a`` and vector ``b``, both centred on ``centre``."""
    a = np.atleast_2d(np.asarray(a, np.float64)) - centre
    b = np.asarray(b, np.float64) - centre
    denom = np.linalg.norm(a, axis=1) * np.linalg.norm(b) + 1e-9
    return 1.0 - (a @ b) / denom


@dataclass
class EmbeddedGesture:
    name: str
    examples: list[list[int]]
    radius: float


@dataclass
class EmbeddingMatch:
    name: str
    distance: float
    radius: float


@dataclass
class EmbeddingSet:
    """The former few-shot enrolment: examples are the wand's 8-value embeddings."""

    centre: list[float]
    gestures: dict[str, EmbeddedGesture] = field(default_factory=dict)

    def enrol(self, name: str, examples: list[tuple[int, ...]]) -> EmbeddedGesture:
        ex = np.array(examples, np.float64)
        c = np.asarray(self.centre, np.float64)
        spread = max(float(distance(ex, e, c).max()) for e in ex) if len(ex) > 1 else 0.0
        g = EmbeddedGesture(name, [list(map(int, e)) for e in examples], max(DEFAULT_RADIUS, RADIUS_SPREAD * spread))
        self.gestures[name] = g
        return g

    def match(self, embedding: tuple[int, ...]) -> EmbeddingMatch | None:
        if not self.gestures or len(embedding) != len(self.centre):
            return None
        best = None
        for g in self.gestures.values():
            d = float(distance(np.array(g.examples), np.array(embedding), np.asarray(self.centre)).min())
            if d <= g.radius and (best is None or d < best.distance):
                best = EmbeddingMatch(g.name, d, g.radius)
        return best


def name_packet(bundle: ModelBundle, es: EmbeddingSet, p: GesturePacket) -> tuple[str, str]:
    """(gesture, source) as the host named a packet before DTW: an enrolled gesture also
    overrode a model gesture when nearer than the model's own training examples."""
    names = bundle.classes
    known = p.gesture_id != GESTURE_UNKNOWN and p.gesture_id < len(names) and p.gesture_id != bundle.other_class
    best = (names[p.gesture_id], "model") if known else ("unknown", "unknown")
    m = es.match(p.embedding)
    if m is None:
        return best
    if known:
        protos = bundle.info.get("prototypes", {}).get(best[0])
        model_d = float("inf") if not protos else float(
            distance(np.asarray(protos, np.float64), np.array(p.embedding), np.asarray(es.centre)).min())
        if m.distance >= model_d:
            return best
    return (m.name, "enrolled")


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
    enrolled: EmbeddingSet | None = None
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
        self.enrolled = EmbeddingSet(list(centre))
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
