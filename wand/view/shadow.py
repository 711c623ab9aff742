"""The wand's recogniser rerun on the host, on the IMU the wand streams, so the page can
show what the wand is doing and why.

The wand sends a gesture packet only when it decided; it does not send its state, nor the
scores of the classes that lost. The streamed samples are the model-rate samples its
spotter and model saw (after the resampler), so the firmware's twin (``wand_core``) fed
with them makes the same decisions: its state (today the spotter's IDLE / CAPTURE / DONE),
each inference's scores, and the moments the wand ignored motion (cooldown). Its clock
follows the stream's sample numbers, so a shadow decision is stamped with the sample the
wand's own packet names (``events.imu.decision_sample``) and the two can be matched.

A gap in the stream of at least ``quiet_samples`` is the wand asleep or idle between
tries (it wakes still, ``WandCore.reset``); a shorter one is lost notifications: the shadow
goes on, and may then differ from the wand until the next rest.

Generic over state machines: ``machines()`` lists each recogniser's states and its current
one by name, so a recogniser with other states (issue 19's stroke intent REST / ARMED /
DRAWING) is shown by adding it here, not by changing the page.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..model import ModelBundle
from ..protocol import CONFIG_FLAG_STREAM_IMU, GESTURE_UNKNOWN, PKT_GESTURE, ConfigPacket, GesturePacket, ImuPacket
from ..wand_core.classifier import TflmClassifier
from ..wand_core.core import CoreSpec, InferenceRecord, WandCore
from ..wand_core.features import motion
from ..wand_core.spotter import State

SEQ_MOD = 1 << 16
AFTER_DECISION_MAX = 75  # samples kept after the decision (the hand finishing the stroke), 1.5 s at 50 Hz


@dataclass
class Capture:
    """One motion the spotter looked at: its samples from the onset, each inference's
    scores, and (once decided) what the wand made of it."""

    id: int
    onset_seq: int  # unwrapped sample number of the onset
    samples: list[tuple[int, ...]] = field(default_factory=list)
    inferences: list[list[int]] = field(default_factory=list)  # probabilities 0..255 per class
    decided: bool = False
    packet: GesturePacket | None = None  # what the wand sent (None: nothing, e.g. unknown not sent)
    decision_seq16: int | None = None  # the sample the decision was made on, mod 2**16
    ended: bool = False  # the wand came to rest (or the capture was cut)
    decision_samples: int = 0  # samples from the onset to the decision


class Shadow:
    """One wand's spotter and model, replayed on its IMU stream."""

    def __init__(self, bundle: ModelBundle, config: ConfigPacket, classifier=None) -> None:
        self.bundle = bundle
        spec = CoreSpec(bundle.rate_hz, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
        self.core = WandCore(spec, classifier or TflmClassifier(bundle), self._quiet(config),
                             on_inference=self._on_inference)
        self._next: int | None = None  # unwrapped number of the next expected sample
        self._ids = 0
        self.current: Capture | None = None
        self.cooldown_hits = 0  # onsets the wand ignored because its last gesture was too recent
        self._noted: int | None = None  # the last gesture's time whose cooldown swallowed a motion

    @staticmethod
    def _quiet(config: ConfigPacket) -> ConfigPacket:
        return dataclasses.replace(config, flags=config.flags & ~CONFIG_FLAG_STREAM_IMU)

    def configure(self, config: ConfigPacket) -> None:
        self.core.configure(self._quiet(config))

    @property
    def config(self) -> ConfigPacket:
        return self.core.config

    def machines(self) -> dict[str, dict]:
        """Each recogniser's states (in order) and its current one, by name."""
        return {"spotter": {"states": [s.name for s in State], "current": State(self.core.state).name}}

    def _on_inference(self, rec: InferenceRecord) -> None:
        if self.current is not None:
            self.current.inferences.append(list(rec.probs))

    def feed(self, packet: ImuPacket) -> list[Capture]:
        """One IMU packet's samples; the captures that changed (new samples or a decision)."""
        first = packet.first_seq if self._next is None else self._unwrap(packet.first_seq)
        if self._next is None:
            self.core.idle(first)  # the twin's clock at the wand's sample number
        elif first < self._next:
            return []  # a repeat or a late packet: the twin has moved on
        elif first > self._next:
            self._gap(first - self._next)
        self._next = first + len(packet.samples)
        touched: list[Capture] = []
        for i, s in enumerate(packet.samples):
            cap = self._sample(first + i, tuple(s))
            if cap is not None and (not touched or touched[-1] is not cap):
                touched.append(cap)
        return touched

    def _unwrap(self, seq16: int) -> int:
        assert self._next is not None
        delta = (seq16 - self._next) % SEQ_MOD
        return self._next + (delta - SEQ_MOD if delta >= SEQ_MOD // 2 else delta)

    def _gap(self, missing: int) -> None:
        self.core.idle(missing)
        if missing >= self.core.config.quiet_samples:  # asleep or between tries: the wand wakes still
            self.core.reset()
            self._end()

    def _end(self) -> Capture | None:
        cap, self.current = self.current, None
        if cap is not None:
            cap.ended = True
        return cap

    def _sample(self, seq: int, s: tuple[int, ...]) -> Capture | None:
        before = self.core.state
        packets = self.core.push(s)
        after = self.core.state
        if before != State.CAPTURE and after == State.CAPTURE:
            self._end()
            self._ids += 1
            self.current = Capture(self._ids, seq)
        self._note_cooldown(s, after)
        cap = self.current
        if cap is None:
            return None
        cap.samples.append(s)
        if not cap.decided and after != State.CAPTURE:
            self._decide(cap, seq, packets)
        elif cap.decided and (after == State.IDLE or len(cap.samples) - cap.decision_samples >= AFTER_DECISION_MAX):
            return self._end()
        return cap

    def _decide(self, cap: Capture, seq: int, packets: list[bytes]) -> None:
        cap.decided = True
        cap.decision_seq16 = seq % SEQ_MOD
        cap.decision_samples = len(cap.samples)
        gestures = [GesturePacket.decode(p) for p in packets if p[0] == PKT_GESTURE]
        cap.packet = gestures[-1] if gestures else None

    def _note_cooldown(self, s: tuple[int, ...], state: int) -> None:
        """An onset the spotter let pass because its last gesture was too recent."""
        spot = self.core._spotter  # the twin's own rule, read rather than copied
        cfg = self.core.config
        acc, gyro = motion(s)
        blocked = (state == State.IDLE and (acc >= cfg.acc_gate_mg or gyro >= cfg.gyro_gate_ddps)
                   and spot._rest_age <= spot.rest_lead and not spot._cooldown_over(self.core.time_ms()))
        if blocked and spot._last_event_ms != self._noted:  # once per gesture whose cooldown it was
            self.cooldown_hits += 1
            self._noted = spot._last_event_ms


def candidates(cap: Capture, classes: list[str], top: int = 3) -> list[tuple[str, float]]:
    """The best classes over the capture's inferences (each class's highest score), 0..1."""
    if not cap.inferences:
        return []
    best = [max(inf[k] for inf in cap.inferences) for k in range(len(classes))]
    order = sorted(range(len(classes)), key=lambda k: -best[k])
    return [(classes[k], best[k] / 256) for k in order[:top]]


def outcome(cap: Capture, classes: list[str], config: ConfigPacket) -> str:
    """What the wand decided, in words (before the host names and maps it)."""
    thr = config.threshold / 256
    if cap.packet is None:
        return (f"no gesture: no class reached the threshold {thr:.2f} in {config.agree} inferences in a row "
                f"(and the wand does not send unknown motion)")
    if cap.packet.gesture_id == GESTURE_UNKNOWN or cap.packet.gesture_id >= len(classes):
        return (f"unknown motion: no class reached the threshold {thr:.2f} in {config.agree} inferences in a row "
                f"within {config.max_inferences}")
    return f"the wand spotted {classes[cap.packet.gesture_id]} ({cap.packet.confidence / 256:.2f} >= {thr:.2f})"
