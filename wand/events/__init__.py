"""Events: gesture and stroke packets from one wand -> named, de-duplicated gesture events.

Stroke packets (a character drawn in the air: ``digit_5``, ``letter_z``) share the gesture
packets' sequence numbers, so one sequencer de-duplicates and orders both, and a stroke
behind a gesture waiting for its IMU waits too.

Three stages, one module each: ``sequencing`` decides which packets are new (re-sends
after a reconnect, reordering, reboots, losses), ``imu`` keeps the wand's streamed IMU
samples and cuts the segment a gesture occupied, and ``naming`` says what each new one
is (a model class or an enrolled gesture). Nothing a wand sends raises out of
``EventStream.feed`` or ``feed_imu``: a corrupt packet is counted and skipped, and the
stream goes on.

A packet that needs its IMU segment (unnamed by the model, gestures enrolled) waits
until the stream has passed its decision sample: the wand sends its IMU in batches (up
to 16 samples when the MTU allows) and may send the gesture packet first. Packets
behind a waiting one wait too, so events keep the wand's order. ``feed_imu`` releases
them; ``flush`` releases whatever waits (the link went down).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ..enrol import EnrolmentSet, Rivals
from ..errors import PacketError
from ..model import ModelBundle
from ..protocol import PKT_STROKE, ConfigPacket, GesturePacket, ImuPacket, StatusPacket, StrokeConfigPacket, \
    StrokePacket
from ..wand_core.features import motion
from .imu import ImuRing, decision_sample, gesture_span, onset_candidates
from .naming import UNKNOWN, Namer
from .sequencing import SequenceStats, Sequencer

log = logging.getLogger("wand.events")
CLOCK_SLACK_MS = 2000.0  # read latency and jitter between two status reads
HOLD_MAX_S = 1.0  # a packet waits at most this long for its IMU (a 16-sample batch is 0.32 s at 50 Hz)
STROKE_CUT_MARGIN = 10  # samples more of the hold before a stroke, so the host's twin arms as the wand's did
CLOCK_DRIFT = 0.001  # 1000 ppm: far beyond a crystal's drift, far below a reboot's jump
StreamStats = SequenceStats  # the name the rest of the code and status.json know
__all__ = ["EventStream", "GestureEvent", "StreamStats", "UNKNOWN"]


EventPacket = GesturePacket | StrokePacket  # what the event characteristic carries


def decode_event(data: bytes) -> EventPacket:
    """A gesture or a stroke packet, by its type byte (PacketError for anything else)."""
    data = bytes(data)
    return StrokePacket.decode(data) if data[:1] == bytes([PKT_STROKE]) else GesturePacket.decode(data)


@dataclass(frozen=True)
class GestureEvent:
    wand: str
    gesture: str  # a model class, an enrolled gesture, a character (digit_5), or "unknown"
    source: str  # "model", "enrolled", "stroke" (a character drawn in the air) or "unknown"
    confidence: float  # 0..1: the model's, or 1 - distance/radius for enrolled gestures
    strength: float  # 0..1: how vigorous (peak angular rate)
    seq: int
    wand_time_ms: int
    embedding: tuple[int, ...] = ()
    received_at: float = 0.0  # host monotonic clock
    stale: bool = False  # re-sent after a reconnect, older than the daemon acts on
    runner_ups: tuple[tuple[str, float], ...] = ()  # a stroke's next active characters and scores (live view)


@dataclass
class EventStream:
    """One wand's packet stream. ``max_age_ms``: re-sent events older than this are
    delivered marked stale (not acted on); None acts on all."""

    wand: str
    bundle: ModelBundle
    enrolled: EnrolmentSet | None = None
    max_age_ms: int | None = 3000
    stats: StreamStats = field(default_factory=StreamStats)
    spotting: ConfigPacket | None = None  # the settings written to the wand (the cut depends on them)
    rivals: Rivals | None = None  # built-in gesture templates enrolled ones must beat (None: the shipped ones)
    drawings: object | None = None  # stroke_enrol.StrokeEnrolment: your own drawings
    strokes: StrokeConfigPacket | None = None  # the stroke settings written to the wand (its intent rule)

    def __post_init__(self) -> None:
        self.sequencer = Sequencer(self.stats)
        self.namer = Namer(self.bundle, self.enrolled, self.rivals, self.drawings)
        self.ring = ImuRing()
        self._waiting: list[tuple[EventPacket, bool, float]] = []  # (packet, stale, held at) waiting for IMU
        self._wand_now = 0  # wand clock at the last status read
        self._host_at_status = time.monotonic()

    def set_enrolled(self, enrolled: EnrolmentSet | None) -> None:
        """A new enrolment file, picked up while running."""
        self.enrolled = self.namer.enrolled = enrolled

    def set_drawings(self, drawings) -> None:
        self.drawings = self.namer.drawings = drawings

    def on_connect(self, status: StatusPacket) -> None:
        """Call with the status read after each (re)connect: it dates re-sent events and
        tells a reboot: the wand's clock is behind the last event it sent us, or behind
        where the previous status read plus the host's elapsed time says it must be."""
        now = time.monotonic()
        if self._wand_now or self.sequencer.front_time:
            expected = self._wand_now + (now - self._host_at_status) * 1000.0
            slack = CLOCK_SLACK_MS + CLOCK_DRIFT * (expected - self._wand_now)
            if status.uptime_ms < self.sequencer.front_time or status.uptime_ms + slack < expected:
                log.info("%s restarted (clock %d ms, expected about %d ms): sequence numbers start over",
                         self.wand, status.uptime_ms, expected)
                self.sequencer.new_boot()
                self.ring.clear()  # its sample numbers start over too
        self._wand_now = status.uptime_ms
        self._host_at_status = now

    def feed(self, data: bytes) -> GestureEvent | None:
        """One event notification (gesture or stroke) -> a new event, or None (duplicate,
        corrupt, or waiting for its IMU: ``feed_imu`` will give it)."""
        self.stats.received += 1
        try:
            packet = decode_event(data)
        except PacketError as e:
            self.stats.corrupt += 1
            log.warning("%s: dropped a packet: %s", self.wand, e)
            return None
        lost = self.stats.lost
        if not self.sequencer.accept(packet.seq, packet.timestamp_ms):
            return None
        if self.stats.lost > lost:
            log.warning("%s: %d gesture event(s) lost before #%d", self.wand, self.stats.lost - lost, packet.seq)
        stale = self.max_age_ms is not None and self._age_ms(packet) > self.max_age_ms
        self.stats.stale += stale
        if self._waiting or (self.namer.wants_segment(packet) and self.ring.newest is not None
                             and not self.ring.covers(self._last_sample(packet))):
            self._waiting.append((packet, stale, time.monotonic()))
            return None
        return self._event(packet, stale)

    def feed_imu(self, data: bytes) -> list[GestureEvent]:
        """One IMU notification: into the ring; the events it completes, in order."""
        try:
            self.ring.feed(ImuPacket.decode(data))
        except PacketError as e:
            self.stats.imu_corrupt += 1
            log.debug("%s: dropped an IMU packet: %s", self.wand, e)
            return []
        out = []
        while self._waiting and (not self.namer.wants_segment(self._waiting[0][0])
                                 or self.ring.covers(self._last_sample(self._waiting[0][0]))):
            packet, stale, _ = self._waiting.pop(0)
            out.append(self._event(packet, stale))
        return out

    def overdue(self, max_s: float = HOLD_MAX_S) -> list[GestureEvent]:
        """Waiting packets held longer than ``max_s`` (and those before them), named with what
        has arrived: the IMU stream stalled or stopped."""
        now = time.monotonic()
        late = [i for i, (_, _, at) in enumerate(self._waiting) if now - at > max_s]
        if not late:
            return []
        done, self._waiting = self._waiting[: late[-1] + 1], self._waiting[late[-1] + 1:]
        return [self._event(p, stale) for p, stale, _ in done]

    def flush(self) -> list[GestureEvent]:
        """Every waiting packet, named with what has arrived (the link went down)."""
        out = [self._event(p, stale) for p, stale, _ in self._waiting]
        self._waiting.clear()
        return out

    def _spotting(self) -> ConfigPacket:
        return self.spotting or ConfigPacket()

    def _span(self) -> int:
        return gesture_span(self.bundle.window, self.bundle.hop, self._spotting())

    def _onset(self, packet: GesturePacket) -> int:
        """The sample (mod 2**16) the spotter's capture began at. Unnamed: exactly
        ``span - 1`` before the decision. Named after k inferences (k unknown to the host): the
        candidate onset where the motion gate opens (passed there, not on the sample before)."""
        decided = decision_sample(packet.timestamp_ms, self.bundle.rate_hz)
        named = not self.namer.unnamed(packet)
        cands = [(decided - back) % (1 << 16)
                 for back in onset_candidates(self.bundle.window, self.bundle.hop, self._spotting(), named)]
        if len(cands) > 1:
            cfg = self._spotting()

            def gate(seq: int) -> bool:
                s = self.ring.get(seq % (1 << 16))
                if s is None:
                    return False
                acc, gyro = motion(s)
                return acc >= cfg.acc_gate_mg or gyro >= cfg.gyro_gate_ddps
            opening = [c for c in cands if gate(c) and not gate(c - 1)]
            return opening[0] if opening else cands[0]
        return cands[0]

    def _stroke_cut(self, packet: StrokePacket) -> tuple[int, int]:
        """(last sample, length) of a stroke's IMU: from its arming hold to the rest that ended
        it (the packet is stamped at the last moving sample)."""
        cfg = self.strokes or StrokeConfigPacket()
        last = (decision_sample(packet.timestamp_ms, self.bundle.rate_hz) + cfg.end_samples) % (1 << 16)
        return last, packet.samples + cfg.rest_samples + cfg.end_samples + STROKE_CUT_MARGIN

    def _last_sample(self, packet: EventPacket) -> int:
        """The last sample the cut needs: ``span`` samples from the onset (for a named packet
        a few samples after its decision; the stream brings them)."""
        if isinstance(packet, StrokePacket):
            return self._stroke_cut(packet)[0]
        decided = decision_sample(packet.timestamp_ms, self.bundle.rate_hz)
        if self.namer.unnamed(packet):
            return decided
        backs = onset_candidates(self.bundle.window, self.bundle.hop, self._spotting(), True)
        return (decided + max(backs) - min(backs)) % (1 << 16)

    def cut(self, packet: GesturePacket):
        """The IMU the gesture occupied, ``span`` samples from the spotter's onset (what it
        looked at for an unnamed packet), or None. The one cut for templates
        (``wand.enrol.cut_tries``) and queries alike."""
        span = self._span()
        return self.ring.cut((self._onset(packet) + span - 1) % (1 << 16), span)

    def _event(self, packet: EventPacket, stale: bool) -> GestureEvent:
        if isinstance(packet, StrokePacket):
            segment = self.ring.cut(*self._stroke_cut(packet)) if self.namer.wants_segment(packet) else None
            name = self.namer.name_stroke(packet, segment, self.bundle.rate_hz, self.strokes)
            return GestureEvent(self.wand, name.gesture, name.source, name.confidence, packet.strength / 255,
                                packet.seq, packet.timestamp_ms, (), time.monotonic(), stale, name.runner_ups)
        segment = None
        if self.namer.wants_segment(packet):
            segment = self.cut(packet)
            self.stats.no_imu += segment is None
        name = self.namer.name(packet, segment)
        return GestureEvent(self.wand, name.gesture, name.source, name.confidence, packet.strength / 255,
                            packet.seq, packet.timestamp_ms, packet.embedding, time.monotonic(), stale)

    def _age_ms(self, packet: EventPacket) -> float:
        wand_now = self._wand_now + (time.monotonic() - self._host_at_status) * 1000.0
        return wand_now - packet.timestamp_ms
