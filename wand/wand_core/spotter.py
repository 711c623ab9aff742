"""Gesture spotting state machine (mirror of wand_core/spotter.cc).

Why this shape: the recorded data (and a user's gestures) start at a motion onset, so
the spotter waits for one, then classifies the windows that start there, a few hops
apart. That gives the model windows aligned the way it was trained, costs no inference
while the wand is held still (so holding it cannot trigger anything), and needs no
look-back buffer beyond one window.

Onsets count only from rest. Everyday motion (walking, standing up, fidgeting) keeps the
wand moving under the gate and crosses it now and then; a gesture starts from a wand
held still. So an onset counts only when the wand was at rest (``quiet_samples`` samples
in a row under ``gyro_quiet_ddps``) at most ``REST_LEAD`` samples before: the ramp from
rest to the gate. REST_LEAD = 25 (0.5 s at 50 Hz) keeps 98% of real ramps, measured as
the mirror image (gate back down to rest) at the end of 118 real strokes on the wand's
board (nano33-spells, tiny-trainable-instruments) that come to rest; 12 would keep 92%.
On sp-sw-har validation people's everyday motion (9.4 min), each recording replayed
alone, it cut the model without a reject class from 556 to 384 false triggers per hour
(18: 275/h, 12: 205/h; ``python -m training.studies.spotting``). A reset counts as rest (the wand
wakes still), so a try replayed from a fresh start is judged as before.

What "rest" is: a hold, the same as the drawing's (0.3 s, ``quiet_samples`` 15), under 20
deg/s (``gyro_quiet_ddps`` 200), where it was 0.12 s under 60 deg/s: everyday motion slows
under 60 deg/s all the time, a hand seldom holds still. The model that never learned to
reject everyday motion stands in for motion the installed one never saw (hand activity:
nothing here records it); on sp-sw-har validation people, each recording alone, it fired
383/h with the loose rest and 128/h with the hold (onsets 428 -> 141/h), at the same recall
of the tries inserted between real rests (3 seeds; test people, reported only: 387 -> 81/h,
recall unchanged). Real holds of real boards sit at 5-14 deg/s (10th-90th percentile, gyro
bias included: 1-7 deg/s on the four boards in the data), so 20 leaves a margin; 15 would
not (``training/results/hold-rule/``). The core gives the spotter the gyro less its tracked
offset (``gyro_bias.py``), so a board that reads more than that at rest still holds still.

    IDLE --onset (motion over a gate, from rest, cooldown over)--> CAPTURE
    CAPTURE: after `window` samples, infer every `hop` samples;
             `agree` consecutive inferences of one gesture >= threshold -> event, DONE
               (unless the capture turned more than GESTURE_MAX_ROLL_SHARE / 256 of its |gyro|
               about the wand's long axis: a forearm's twist, sent as unknown; every built-in
               gesture turns across it; training/studies/twist_study.py)
             `max_inferences` without agreement -> unknown event (embedding only), DONE
    DONE --`quiet_samples` still samples in a row--> IDLE
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ..protocol import CONFIG_FLAG_SEND_UNKNOWN, GESTURE_MAX_ROLL_SHARE, GESTURE_UNKNOWN, ConfigPacket

REST_LEAD = 25  # an onset counts only this many samples or fewer after the wand was at rest
REST_AGE_MAX = 255
STRENGTH_SHIFT = 6  # strength unit: 64 x 0.1 dps = 6.4 dps of |gx|+|gy|+|gz|


class State(IntEnum):
    IDLE = 0
    CAPTURE = 1
    DONE = 2


@dataclass(frozen=True)
class Spot:
    """A decision the spotter made (before the core numbers and encodes it)."""

    gesture_id: int
    confidence: int
    strength: int
    timestamp_ms: int
    embedding: tuple[int, ...]


class Spotter:
    def __init__(self, config: ConfigPacket, window: int, hop: int, other_class: int = 0) -> None:
        self.window, self.hop, self.other_class = window, hop, other_class
        self.config = config
        self.reset()

    rest_lead = REST_LEAD  # the firmware's kRestLead (a class attribute so studies can vary it)
    max_roll_share = GESTURE_MAX_ROLL_SHARE  # the firmware's kGestureMaxRollShare (the twist study varies it)

    def reset(self) -> None:
        self.state = State.IDLE
        self._rest_age = 0  # a reset counts as rest: the wand wakes still
        self._fill = 0
        self._inferences = 0
        self._streak_class = -1
        self._streak_len = 0
        self._peak_gyro = 0
        self._roll = self._turn = 0
        self._quiet_run = 0
        self._first_embedding: tuple[int, ...] = ()
        self._first_conf = 0
        self._last_event_ms: int | None = None

    def _cooldown_over(self, t_ms: int) -> bool:
        if self._last_event_ms is None:
            return True
        return ((t_ms - self._last_event_ms) & 0xFFFFFFFF) >= self.config.cooldown_ms

    def on_sample(self, acc_l1: int, gyro_l1: int, t_ms: int, roll: int = 0) -> bool:
        """Feed one model-rate sample's motion (``roll``: its |gx|, the turn about the wand's
        long axis); True when an inference is due now."""
        cfg = self.config
        still = gyro_l1 < cfg.gyro_quiet_ddps
        self._quiet_run = self._quiet_run + 1 if still else 0
        if self.state == State.IDLE:
            self._rest_age = 0 if self._quiet_run >= cfg.quiet_samples else min(REST_AGE_MAX, self._rest_age + 1)
            moving = acc_l1 >= cfg.acc_gate_mg or gyro_l1 >= cfg.gyro_gate_ddps
            if not (moving and self._rest_age <= self.rest_lead and self._cooldown_over(t_ms)):
                return False
            self.state = State.CAPTURE
            self._fill = self._inferences = self._streak_len = self._peak_gyro = 0
            self._roll = self._turn = 0
            self._quiet_run = int(still)
            self._streak_class = -1
        if self.state == State.CAPTURE:
            self._fill += 1
            self._peak_gyro = max(self._peak_gyro, gyro_l1)
            self._roll += roll
            self._turn += gyro_l1
            return self._fill >= self.window and (self._fill - self.window) % self.hop == 0
        if self._quiet_run >= cfg.quiet_samples:
            self.state = State.IDLE
            self._rest_age = 0
        return False

    def on_inference(self, probs: list[int], embedding: tuple[int, ...], t_ms: int) -> Spot | None:
        """Feed the model's output (probabilities 0..255, int8 embedding)."""
        top = max(range(len(probs)), key=lambda i: (probs[i], -i))  # first maximum
        conf = probs[top]
        if self._inferences == 0:
            self._first_embedding = tuple(embedding)
            self._first_conf = max((p for i, p in enumerate(probs) if i != self.other_class), default=0)
        self._inferences += 1
        if top != self.other_class and conf >= self.config.threshold:
            if top == self._streak_class:
                self._streak_len += 1
            else:
                self._streak_class, self._streak_len = top, 1
        else:
            self._streak_class, self._streak_len = -1, 0
        strength = min(255, self._peak_gyro >> STRENGTH_SHIFT)
        agreed = self._streak_len >= self.config.agree
        if agreed and not self._twisted:
            self.state = State.DONE
            self._last_event_ms = t_ms
            return Spot(top, conf, strength, t_ms, self._first_embedding)
        # A forearm's twist ends as a capture nothing agreed on: unknown (the host may still match it)
        if agreed or self._inferences >= self.config.max_inferences:
            self.state = State.DONE
            if self.config.flags & CONFIG_FLAG_SEND_UNKNOWN:
                return Spot(GESTURE_UNKNOWN, self._first_conf, strength, t_ms, self._first_embedding)
        return None

    @property
    def _twisted(self) -> bool:
        """The capture turned about the wand's long axis more than GESTURE_MAX_ROLL_SHARE / 256
        of its summed |gyro|: every built-in gesture turns across it (its tip moves)."""
        return self._roll * 256 > self.max_roll_share * self._turn
