"""The wand's pipeline glue (mirror of wand_core/core.cc).

raw IMU sample -> resampler -> (IMU stream packet) -> features -> window ring
               -> gyro bias -> rest tests: spotter -> classifier when due -> spotter -> gesture packet
               -> stroke spotter -> stroke classifier at a stroke's end -> stroke packet

Both kinds of event share one sequence number and one queue of held packets.

Arbitration (issue 19), with ``STROKE_FLAG_CHARACTERS_FIRST``: one event per drawing. A
gesture the IMU spotter decides while the stroke spotter is DRAWING is held, not sent.
When the drawing ends it is dropped (counted) if the stroke reads as an active character,
else sent then, unchanged (its own timestamp); but a character read at a score under
``over_gesture``, or one the model does not rank first among all characters (a circle
read as 0 because the profile listens for no circle), while a named gesture is held
yields (over_gesture 0, for profiles that map no gesture: a read character always
wins): the gesture goes out, the character does not (a gesture performed from a hold
reads as its look-alike character, push_forward as 1, less surely than a drawn one). A
capture still running when a read stroke ends began during the drawing (a short character ends before the gesture model, 0.8 s
after the onset, decides): its decision is dropped too. Without the flag both are sent.
A packet's sequence number is assigned when it is sent, so a dropped gesture leaves no gap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

import numpy as np

from ..protocol import CONFIG_FLAG_SEND_UNKNOWN, EVENT_QUEUE_LEN, GESTURE_UNKNOWN, STROKE_UNKNOWN, ConfigPacket, GesturePacket, \
    ImuPacket, StrokeConfigPacket
from .features import motion, to_input
from .gyro_bias import GyroBias
from .imu_sample import IDENTITY_AXES, AxisMap
from .resampler import Resampler
from .spotter import Spot, Spotter, State
from .stroke import Stroke, StrokeClassifier, StrokeSpotter, StrokeState, decide, stroke_packet

# Gestures held during one drawing (core.h kMaxHeldGestures): the spotter's rest lead and
# cooldown make more than one rare; a fifth sends the oldest at once.
MAX_HELD_GESTURES = 4


class Classifier(Protocol):
    def __call__(self, window: np.ndarray) -> tuple[list[int], tuple[int, ...]]:
        """int8 window (W, 6) -> (probabilities 0..255 per class, int8 embedding)."""


@dataclass(frozen=True)
class CoreSpec:
    """What the firmware fixes at build time (from the generated model header)."""

    source_rate_hz: int
    model_rate_hz: int
    window: int
    hop: int
    other_class: int = 0
    axes: AxisMap = IDENTITY_AXES  # board -> model frame, applied before resampling (CoreSpec.axes)


@dataclass
class InferenceRecord:
    """One inference, for tests and plots: when, on what, with what result."""

    sample_index: int
    window: bytes
    probs: list[int]
    embedding: tuple[int, ...]


@dataclass
class WandCore:
    spec: CoreSpec
    classifier: Classifier
    config: ConfigPacket = field(default_factory=ConfigPacket)
    on_inference: Callable[[InferenceRecord], None] | None = None
    stroke_classifier: StrokeClassifier | None = None  # None: a wand without a stroke model
    stroke_config: StrokeConfigPacket = field(default_factory=StrokeConfigPacket)
    on_stroke: Callable[[Stroke], None] | None = None  # each stroke the model reads, for tests and the live view

    def __post_init__(self) -> None:
        self._resampler = Resampler(self.spec.source_rate_hz, self.spec.model_rate_hz)
        self._spotter = Spotter(self.config, self.spec.window, self.spec.hop, self.spec.other_class)
        self.strokes = StrokeSpotter(self.stroke_config, self.spec.model_rate_hz)
        self.gyro_bias = GyroBias()  # kept across reset(): an offset is the board's, a sleep keeps it
        self._ring: deque[tuple[int, ...]] = deque(maxlen=self.spec.window)
        self._event_seq = 0
        self._samples = 0  # model-rate samples since reset
        self._pending_imu: list[tuple[int, ...]] = []
        self._sent: deque[bytes] = deque(maxlen=EVENT_QUEUE_LEN)
        self.imu_batch = 1  # samples per IMU packet; more when the MTU allows
        self._held: list[Spot] = []  # gestures decided during a drawing, oldest first
        self.dropped_gestures = 0  # held gestures dropped for a drawn character
        self.yielded_characters = 0  # read characters not sent: a held gesture won
        self._capture_drew = False  # the running capture overlapped a drawing
        self.dropping_capture = False  # ... which ended read as a character: drop this capture's decision

    def reset(self) -> None:
        """Start afresh, as the firmware does on wake: buffers and state; not the clock,
        the packet counter or the held packets."""
        self._resampler.reset()
        self._spotter.reset()
        self.strokes.reset()
        self._ring.clear()
        self._pending_imu.clear()

    def idle(self, samples: int) -> None:
        """Advance the clock by ``samples`` model-rate samples without data (the wand slept)."""
        self._samples += samples

    def set_source_rate(self, rate_hz: int) -> None:
        """Simulator only: replay a recording made at another rate (the chip's rate is fixed)."""
        if rate_hz != self._resampler.rate_in:
            self._resampler = Resampler(rate_hz, self.spec.model_rate_hz)

    def configure(self, config: ConfigPacket) -> None:
        self.config = config
        self._spotter.config = config

    def configure_strokes(self, config: StrokeConfigPacket) -> None:
        """A stroke config write: applies from the next sample; a stroke being drawn goes on."""
        self.stroke_config = config
        self.strokes.config = config
        if not config.enabled:
            self.strokes.reset()  # turned on again later, it starts from a fresh rest

    @property
    def state(self) -> int:
        return int(self._spotter.state)

    @property
    def stroke_state(self) -> int:
        """The stroke spotter's StrokeState (IDLE/ARMED/DRAWING), for the live view."""
        return int(self.strokes.state)

    def resend_queued(self) -> list[bytes]:
        """The held gesture packets, oldest first: what the wand re-sends when a host subscribes."""
        return list(self._sent)

    def time_ms(self) -> int:
        return (self._samples * 1000 // self.spec.model_rate_hz) & 0xFFFFFFFF

    def replay(self, samples, rate_hz: int | None = None, tick_every: int = 0) -> Iterator[bytes]:
        """One recorded try from a fresh start (the one home of "replay a try"): the wand
        wakes (``reset``), the try's samples arrive at ``rate_hz``, its packets come out in
        order. The data sets hold tries that begin at the motion trigger, so this is how
        the wand meets them. ``tick_every``: also an empty ``b""`` each that many samples,
        so a real-time replay keeps pace while nothing is sent (the IMU stream off)."""
        if rate_hz is not None:
            self.set_source_rate(rate_hz)
        self.reset()
        for i, sample in enumerate(samples, start=1):
            yield from self.push(tuple(int(v) for v in sample))
            if tick_every and i % tick_every == 0:
                yield b""

    def push(self, raw: tuple[int, ...]) -> list[bytes]:
        """Feed one raw IMU sample at the source rate; return the packets it produced."""
        packets: list[bytes] = []
        if self.spec.axes != IDENTITY_AXES:
            raw = self.spec.axes.apply(raw)
        for sample in self._resampler.push(raw):
            packets.extend(self._step(sample))
        return packets

    def _step(self, sample: tuple[int, ...]) -> list[bytes]:
        packets = []
        seq = self._samples
        self._samples += 1
        t_ms = self.time_ms()
        if self.config.stream_imu:
            if not self._pending_imu:
                self._imu_first_seq = seq
            self._pending_imu.append(sample)
            if len(self._pending_imu) >= (1 if self.config.imu_each_sample else self.imu_batch):
                packets.append(ImuPacket(self._imu_first_seq, tuple(self._pending_imu)).encode())
                self._pending_imu = []
        else:
            self._pending_imu = []  # stream off: drop a part batch (no stale samples when it comes back)
        self._ring.append(to_input(sample))  # the model learned raw readings
        self.gyro_bias.update(sample)
        still_frame = self.gyro_bias.correct(sample)  # rest tests and the stroke's rotation
        acc_l1, gyro_l1 = motion(still_frame)
        if self._spotter.on_sample(acc_l1, gyro_l1, t_ms, abs(still_frame[3])):
            packets.extend(self._infer(seq, t_ms))
        if self._strokes_on:
            packets.extend(self._stroke(still_frame, t_ms))
        elif self._held:
            packets.extend(self._resolve_held(False))  # strokes off mid-drawing: nothing to yield to
        self._track_overlap()
        return packets

    def _track_overlap(self) -> None:
        """After each step: does the running capture overlap a drawing?"""
        if self._spotter.state != State.CAPTURE:
            self._capture_drew = self.dropping_capture = False  # no capture runs: the next starts afresh
        elif self.strokes.state == StrokeState.DRAWING:
            self._capture_drew = True

    @property
    def _strokes_on(self) -> bool:
        return self.stroke_classifier is not None and bool(self.stroke_config.enabled)

    @property
    def _characters_first(self) -> bool:
        return self._strokes_on and self.stroke_config.characters_first

    @property
    def held_gestures(self) -> int:
        return len(self._held)

    def _emit(self, packet: bytes) -> list[bytes]:
        self._sent.append(packet)
        self._event_seq = (self._event_seq + 1) & 0xFFFF
        return [packet]

    def _send_gesture(self, spot: Spot) -> list[bytes]:
        return self._emit(GesturePacket(self._event_seq, spot.gesture_id, spot.confidence, spot.strength,
                                        spot.timestamp_ms, spot.embedding).encode())

    def _hold_gesture(self, spot: Spot) -> list[bytes]:
        packets = []
        if len(self._held) == MAX_HELD_GESTURES:  # never lost: the oldest goes out now
            packets = self._send_gesture(self._held.pop(0))
        self._held.append(spot)
        return packets

    def _resolve_held(self, character: bool) -> list[bytes]:
        held, self._held = self._held, []
        if character:
            self.dropped_gestures += len(held)
            return []
        return [p for spot in held for p in self._send_gesture(spot)]

    def _stroke(self, sample: tuple[int, ...], t_ms: int) -> list[bytes]:
        stroke = self.strokes.on_sample(sample, t_ms)
        decision = None
        if stroke is not None:
            if self.on_stroke is not None:
                self.on_stroke(stroke)
            decision = decide([int(p) for p in self.stroke_classifier(stroke.features)], self.stroke_config)
        packets = []
        # Held gestures resolve (before the stroke's packet: theirs are older) once the drawing
        # is over, however it ended: finished, rejected, aborted or reset.
        character = decision is not None and decision.char_id != STROKE_UNKNOWN
        if self._held and self.strokes.state != StrokeState.DRAWING:
            over = self.stroke_config.over_gesture  # 0: a read character always wins
            yields = (character and over > 0 and (decision.confidence < over or not decision.model_first)
                      and any(s.gesture_id != GESTURE_UNKNOWN for s in self._held))
            packets = self._resolve_held(character and not yields)
            if yields:
                self.yielded_characters += 1  # a gesture performed from a hold, read as its look-alike
                return packets
        if character and self._capture_drew and self._characters_first:
            self.dropping_capture = True
        unheard = decision is None or (decision.char_id == STROKE_UNKNOWN
                                       and not self.config.flags & CONFIG_FLAG_SEND_UNKNOWN)
        if unheard:
            return packets
        return packets + self._emit(stroke_packet(self._event_seq, decision, stroke).encode())

    def _infer(self, seq: int, t_ms: int) -> list[bytes]:
        packets: list[bytes] = []
        window = np.array(self._ring, dtype=np.int8)
        probs, embedding = self.classifier(window)
        if self.on_inference is not None:
            self.on_inference(InferenceRecord(seq, window.tobytes(), list(probs), tuple(embedding)))
        spot = self._spotter.on_inference(list(probs), tuple(embedding), t_ms)
        return packets if spot is None else packets + self._decided(spot)

    def _decided(self, spot: Spot) -> list[bytes]:
        """The gesture spotter decided: send, hold or drop."""
        if not self._characters_first:
            return self._send_gesture(spot)
        if self.dropping_capture:
            self.dropped_gestures += 1  # its capture began in a drawing already read as a character
            return []
        if self.strokes.state == StrokeState.DRAWING:
            return self._hold_gesture(spot)  # maybe part of a character: wait for the stroke's end
        return self._send_gesture(spot)
