"""Events: gesture packets from one wand -> named, de-duplicated gesture events.

Sequence numbers make delivery exact across reconnects: the wand re-sends its last few
packets when a host subscribes, and this stage drops what it already had and reports
what went missing. A corrupt packet is logged and skipped; the stream goes on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from .enrol import EnrolmentSet, distance
from .errors import PacketError
from .model import ModelBundle
from .protocol import GESTURE_UNKNOWN, GesturePacket, StatusPacket

log = logging.getLogger("wand.events")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class GestureEvent:
    wand: str
    gesture: str  # a model class, an enrolled gesture, or "unknown"
    source: str  # "model", "enrolled" or "unknown"
    confidence: float  # 0..1: the model's, or 1 - distance/radius for enrolled gestures
    strength: float  # 0..1: how vigorous (peak angular rate)
    seq: int
    wand_time_ms: int
    embedding: tuple[int, ...] = ()
    received_at: float = 0.0  # host monotonic clock
    stale: bool = False  # re-sent after a reconnect, older than the daemon acts on


@dataclass
class StreamStats:
    received: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    corrupt: int = 0
    stale: int = 0
    reboots: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class EventStream:
    """One wand's packet stream. ``max_age_ms``: re-sent events older than this are
    delivered marked stale (not acted on); None acts on all."""

    wand: str
    bundle: ModelBundle
    enrolled: EnrolmentSet | None = None
    max_age_ms: int | None = 3000
    stats: StreamStats = field(default_factory=StreamStats)

    def __post_init__(self) -> None:
        self._last_seq: int | None = None
        self._last_time = 0
        self._wand_now = 0  # wand clock at the last status read
        self._host_at_status = time.monotonic()
        protos = self.bundle.info.get("prototypes", {})
        self._prototypes = {k: np.asarray(v, np.float64) for k, v in protos.items() if v}

    def on_connect(self, status: StatusPacket) -> None:
        """Call with the status read after each (re)connect: it dates re-sent events."""
        if self._last_seq is not None and status.uptime_ms < self._last_time:
            log.info("%s restarted (clock %d ms < last event %d ms): sequence numbers start over",
                     self.wand, status.uptime_ms, self._last_time)
            self.stats.reboots += 1
            self._last_seq = None
            self._last_time = 0
        self._wand_now = status.uptime_ms
        self._host_at_status = time.monotonic()

    def feed(self, data: bytes) -> GestureEvent | None:
        """One notification -> a new event, or None (duplicate, corrupt)."""
        self.stats.received += 1
        try:
            packet = GesturePacket.decode(data)
        except PacketError as e:
            self.stats.corrupt += 1
            log.warning("%s: dropped a packet: %s", self.wand, e)
            return None
        if self._last_seq is not None:
            ahead = (packet.seq - self._last_seq) & 0xFFFF
            if ahead == 0 or ahead >= 0x8000:
                self.stats.duplicates += 1
                return None
            if ahead > 1:
                self.stats.lost += ahead - 1
                log.warning("%s: %d gesture event(s) lost before #%d", self.wand, ahead - 1, packet.seq)
        self._last_seq = packet.seq
        self._last_time = packet.timestamp_ms
        self.stats.delivered += 1
        event = self._name(packet)
        if self.max_age_ms is not None and self._age_ms(packet) > self.max_age_ms:
            self.stats.stale += 1
            event = GestureEvent(**(vars(event) | {"stale": True}))
        return event

    def _age_ms(self, packet: GesturePacket) -> float:
        wand_now = self._wand_now + (time.monotonic() - self._host_at_status) * 1000.0
        return wand_now - packet.timestamp_ms

    def _name(self, p: GesturePacket) -> GestureEvent:
        names = self.bundle.classes
        known = p.gesture_id != GESTURE_UNKNOWN and p.gesture_id < len(names) and p.gesture_id != self.bundle.other_class
        gesture, source, confidence = (names[p.gesture_id], "model", p.confidence / 256) if known \
            else (UNKNOWN, "unknown", p.confidence / 256)
        match = self.enrolled.match(p.embedding) if self.enrolled else None
        if match is not None and (not known or match.distance < self._model_distance(gesture, p.embedding)):
            gesture, source, confidence = match.name, "enrolled", 1.0 - match.distance / match.radius
        return GestureEvent(self.wand, gesture, source, confidence, p.strength / 255, p.seq, p.timestamp_ms,
                            p.embedding, time.monotonic())

    def _model_distance(self, gesture: str, embedding: tuple[int, ...]) -> float:
        """Nearest training example of the model's gesture (same metric as enrolment)."""
        protos = self._prototypes.get(gesture)
        if protos is None or self.enrolled is None:
            return float("inf")
        return float(distance(protos, np.array(embedding), np.asarray(self.enrolled.centre)).min())
