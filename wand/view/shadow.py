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
one by name. Beside the IMU spotter runs issue 19's stroke spotter (intent IDLE / ARMED /
DRAWING, then the stroke model on the finished stroke) with the stroke config the daemon
last wrote to the wand (``configure_strokes``), so each stroke's read, its runner-ups, and
why a stroke was read as nothing are the wand's own (``StrokeRead``, ``stroke_outcome``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..characters import STROKE_LABELS
from ..events.imu import decision_sample
from ..model import ModelBundle
from ..protocol import CONFIG_FLAG_STREAM_IMU, GESTURE_UNKNOWN, PKT_GESTURE, PKT_STROKE, STROKE_MIN_ACTIVE_MASS, \
    STROKE_MAX_ROLL_SHARE, STROKE_UNKNOWN, ConfigPacket, GesturePacket, ImuPacket, StrokeConfigPacket, StrokePacket
from ..wand_core.classifier import TflmClassifier
from ..wand_core.core import CoreSpec, InferenceRecord, WandCore
from ..wand_core.features import motion
from ..wand_core.spotter import State
from ..wand_core.stroke import Outcome, Stroke, StrokeDecision, StrokeState, decide

SEQ_MOD = 1 << 16
AFTER_DECISION_MAX = 75  # samples kept after the decision (the hand finishing the stroke), 1.5 s at 50 Hz

OFFSET_NOTE_DDPS = 100  # a gyro offset (summed, 0.1 deg/s) worth telling: over 10 deg/s
OFFSET_SETTLE_MS = 5000  # ... told once it moved less than 1 deg/s in this long


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


@dataclass
class StrokeRead:
    """One stroke the stroke spotter finished: read, unknown, or rejected before the model."""

    id: int
    end_seq16: int  # its last moving sample mod 2**16 (what its packet's timestamp names)
    outcome: Outcome  # CLASSIFIED, or why the model never saw it (TOO_SHORT, TOO_SMALL, ...)
    config: StrokeConfigPacket  # the settings and active set it was judged with
    stroke: Stroke | None = None  # None: rejected before the model
    probs: list[int] = field(default_factory=list)  # the model's probabilities (0..255) over every character
    decision: StrokeDecision | None = None
    packet: StrokePacket | None = None  # what the wand sent (None: nothing, e.g. unknown not sent)


class Shadow:
    """One wand's spotter and model, replayed on its IMU stream."""

    def __init__(self, bundle: ModelBundle, config: ConfigPacket, classifier=None, stroke_classifier=None,
                 strokes: StrokeConfigPacket | None = None) -> None:
        """``stroke_classifier``: the wand's stroke model (None: a wand without one, no
        stroke spotter); ``strokes``: the stroke config the wand has (default: its boot one)."""
        self.bundle = bundle
        spec = CoreSpec(bundle.rate_hz, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
        self._stroke_model = stroke_classifier
        self.core = WandCore(spec, classifier or TflmClassifier(bundle), self._quiet(config),
                             on_inference=self._on_inference,
                             stroke_classifier=self._classify_stroke if stroke_classifier else None,
                             stroke_config=strokes or StrokeConfigPacket(), on_stroke=self._on_stroke)
        self._stroke: Stroke | None = None  # the stroke the model is reading in this sample
        self._stroke_probs: list[int] = []
        self.stroke_reads: list[StrokeRead] = []  # finished strokes not yet taken (``take_strokes``)
        self._stroke_ids = 0
        self._next: int | None = None  # unwrapped number of the next expected sample
        self._ids = 0
        self.current: Capture | None = None
        self.cooldown_hits = 0  # onsets the wand ignored because its last gesture was too recent
        self._noted: int | None = None  # the last gesture's time whose cooldown swallowed a motion
        self.no_hold_hits = 0  # motions over the gate the wand ignored: no hold just before them
        self._hold_noted = False  # told once per stretch between two holds
        self._offset_told = False
        self._offset_checked_ms, self._offset_checked = 0, [0, 0, 0]  # the estimate at the last look

    def offset_note(self) -> str | None:
        """Once, when the gyro offset learned from the stream is over OFFSET_NOTE_DDPS (the
        boards in the data read 1-7 deg/s at rest) and has settled (moved less than 1 deg/s,
        summed, in OFFSET_SETTLE_MS): what the wand does about it."""
        now, bias = self.core.time_ms(), list(self.core.gyro_bias.bias)
        if self._offset_told or now - self._offset_checked_ms < OFFSET_SETTLE_MS:
            return None
        moved = sum(abs(a - b) for a, b in zip(bias, self._offset_checked))
        self._offset_checked_ms, self._offset_checked = now, bias
        offset = sum(abs(b) for b in bias)
        if offset < OFFSET_NOTE_DDPS or moved >= 10:
            return None
        self._offset_told = True
        return (f"this wand's gyro reads about {offset // 10} deg/s when still (its offset); the wand learns it "
                "and takes it off before judging a hold, so after switching on, holds count once it has been "
                "in use for about half a minute")

    @staticmethod
    def _quiet(config: ConfigPacket) -> ConfigPacket:
        return dataclasses.replace(config, flags=config.flags & ~CONFIG_FLAG_STREAM_IMU)

    def configure(self, config: ConfigPacket) -> None:
        self.core.configure(self._quiet(config))

    @property
    def config(self) -> ConfigPacket:
        return self.core.config

    def configure_strokes(self, config: StrokeConfigPacket) -> None:
        """The stroke config the daemon wrote to the wand (active set, intent rule)."""
        if config != self.core.stroke_config:
            self.core.configure_strokes(config)

    @property
    def strokes_on(self) -> bool:
        return self._stroke_model is not None and self.core.stroke_config.enabled

    def machines(self) -> dict[str, dict]:
        """Each recogniser's states (in order) and its current one, by name; the stroke
        spotter while the wand runs it (its profile maps characters or drawings)."""
        out = {"spotter": {"states": [s.name for s in State], "current": State(self.core.state).name}}
        if self.strokes_on:
            out["strokes"] = {"states": [s.name for s in StrokeState],
                              "current": StrokeState(self.core.stroke_state).name}
        return out

    def _on_stroke(self, stroke: Stroke) -> None:
        self._stroke = stroke

    def _classify_stroke(self, features) -> list[int]:
        self._stroke_probs = [int(p) for p in self._stroke_model(features)]
        return self._stroke_probs

    def take_strokes(self) -> list[StrokeRead]:
        """The strokes finished since the last call."""
        out, self.stroke_reads = self.stroke_reads, []
        return out

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
        before, drawing = self.core.state, self.core.stroke_state == StrokeState.DRAWING
        packets = self.core.push(s)
        after = self.core.state
        if drawing and self.core.stroke_state != StrokeState.DRAWING:
            self._stroke_ended(seq, packets)
        if before != State.CAPTURE and after == State.CAPTURE:
            self._end()
            self._ids += 1
            self.current = Capture(self._ids, seq)
        gated = after == State.IDLE and self._over_gate(s)
        self._note_cooldown(gated)
        self._note_no_hold(gated)
        cap = self.current
        if cap is None:
            return None
        cap.samples.append(s)
        if not cap.decided and after != State.CAPTURE:
            self._decide(cap, seq, packets)
        elif cap.decided and (after == State.IDLE or len(cap.samples) - cap.decision_samples >= AFTER_DECISION_MAX):
            return self._end()
        return cap

    def _stroke_ended(self, seq: int, packets: list[bytes]) -> None:
        """A stroke ended on this sample: read by the model, or rejected (the core says why)."""
        stroke, self._stroke = self._stroke, None
        outcome = self.core.strokes.outcome
        if stroke is None and outcome == Outcome.NONE:
            return  # reset, or turned off: no stroke ended
        self._stroke_ids += 1
        cfg = self.core.stroke_config
        read = StrokeRead(self._stroke_ids, seq % SEQ_MOD, outcome, cfg, stroke)
        if stroke is not None:
            read.end_seq16 = decision_sample(stroke.end_ms, self.bundle.rate_hz)
            read.probs = list(self._stroke_probs)
            read.decision = decide(read.probs, cfg)
            sent = [StrokePacket.decode(p) for p in packets if p[0] == PKT_STROKE]
            read.packet = sent[-1] if sent else None
        self.stroke_reads.append(read)

    def _decide(self, cap: Capture, seq: int, packets: list[bytes]) -> None:
        cap.decided = True
        cap.decision_seq16 = seq % SEQ_MOD
        cap.decision_samples = len(cap.samples)
        gestures = [GesturePacket.decode(p) for p in packets if p[0] == PKT_GESTURE]
        cap.packet = gestures[-1] if gestures else None

    def _over_gate(self, s: tuple[int, ...]) -> bool:
        """The spotter's onset gate on this sample, as it measured it (gyro less its offset)."""
        cfg = self.core.config
        acc, gyro = motion(self.core.gyro_bias.correct(s))
        return acc >= cfg.acc_gate_mg or gyro >= cfg.gyro_gate_ddps

    def _note_cooldown(self, gated: bool) -> None:
        """An onset the spotter let pass because its last gesture was too recent
        (``gated``: IDLE and over the gate on this sample)."""
        spot = self.core._spotter  # the twin's own rule, read rather than copied
        blocked = gated and spot._rest_age <= spot.rest_lead and not spot._cooldown_over(self.core.time_ms())
        if blocked and spot._last_event_ms != self._noted:  # once per gesture whose cooldown it was
            self.cooldown_hits += 1
            self._noted = spot._last_event_ms

    def _note_no_hold(self, gated: bool) -> None:
        """A motion over the gate the spotter let pass because the wand was not held still
        just before it (rest_lead samples): once until the next hold."""
        spot = self.core._spotter
        if spot._rest_age == 0:
            self._hold_noted = False
        if gated and spot._rest_age > spot.rest_lead and not self._hold_noted:
            self.no_hold_hits += 1
            self._hold_noted = True


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


def _label(char_id: int) -> str:
    return STROKE_LABELS[char_id] if char_id < len(STROKE_LABELS) else "unknown"


def stroke_candidates(read: StrokeRead) -> list[tuple[str, float]]:
    """The active characters the wand ranked, best first, with their share of the active
    set's probability (0..1): the read one and its runner-ups, or an unknown's closest."""
    if read.decision is None:
        return []
    return [(_label(i), score / 255) for i, score in read.decision.ranked]


REJECTED = {
    Outcome.TOO_SHORT: "shorter than {min_samples} samples: a twitch, not a drawing",
    Outcome.TOO_LONG: "longer than {max_samples} samples: aborted",
    Outcome.TOO_SMALL: "its larger side spans under {min_extent_deg} degrees",
    Outcome.DEGENERATE: "the wand turned round too far for one drawing plane",
    Outcome.TWISTED: f"over {round(100 * STROKE_MAX_ROLL_SHARE / 256)}% of the wand's turning was about its own long axis (a twist "
                     "moves the tip nowhere): "
                     "draw with the tip, keeping the wrist from rolling",
}


def stroke_outcome(read: StrokeRead) -> str:
    """What the wand made of the stroke, in words: the character read, or why none."""
    cfg = read.config
    if read.decision is None:
        return "no character: " + REJECTED.get(read.outcome, read.outcome.name.lower()).format(**vars(cfg))
    d, thr = read.decision, cfg.threshold / 255
    if d.char_id != STROKE_UNKNOWN:
        said = f"the wand read {_label(d.char_id)} ({d.confidence / 255:.2f} of the active characters >= {thr:.2f})"
        if not d.model_first:  # read as the closest character the profile listens for
            first = max(range(len(STROKE_LABELS)), key=read.probs.__getitem__)
            said += (f"; the model's best, {_label(first)} ({read.probs[first] / 256:.2f}), is not in this "
                     f"profile's active set")
        return said
    why = []
    best = max(range(len(read.probs)), key=read.probs.__getitem__) if read.probs else None
    if best == len(STROKE_LABELS):  # the model's last class: everyday motion, no character at all
        why.append(f"the model reads it as everyday motion, not a character ({read.probs[best] / 256:.2f})")
    elif best is not None and not cfg.active_mask >> best & 1:
        why.append(f"the model's best, {_label(best)} ({read.probs[best] / 256:.2f}), is not in this profile's "
                   f"active set ({bin(cfg.active_mask).count('1')} characters)")
    mass = sum(read.probs[:len(STROKE_LABELS)])
    listened = sum(p for i, p in enumerate(read.probs[:len(STROKE_LABELS)]) if cfg.active_mask >> i & 1)
    if mass < cfg.min_character_mass:
        why.append(f"characters hold {mass / 256:.2f} of the model's probability (the rest: everyday motion), "
                   f"under {cfg.min_character_mass / 256:.2f}")
    elif listened < STROKE_MIN_ACTIVE_MASS:
        why.append(f"the characters this profile listens for hold {listened}/255 of the model's probability "
                   f"between them, under the {STROKE_MIN_ACTIVE_MASS}/255 a reading needs")
    elif d.ranked and d.ranked[0][1] < cfg.threshold:
        why.append(f"the best active one, {_label(d.ranked[0][0])}, has {d.ranked[0][1] / 255:.2f}, "
                   f"below the threshold {thr:.2f}")
    sent = "" if read.packet is not None else " (the wand does not send unknown strokes)"
    return "no character: " + ("; ".join(why) or "no active character") + sent
