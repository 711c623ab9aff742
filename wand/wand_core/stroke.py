"""The stroke spotter: a character drawn in the air, between two rests (twin of
wand_core/stroke.{h,cc}).

Intent comes from the motion, not the model's score (issue 19): a confident classifier
alone reads letters into everyday wrist motion. So a stroke is what happens between two
moments the wand is held still:

    IDLE --still (|gyro| < rest level) for rest_samples--> ARMED (gravity = mean acc of the hold)
    ARMED --|gyro| >= start level--> DRAWING (the motion since the hold is part of the stroke)
    ARMED --moves but never reaches the start level for max_samples--> IDLE
    DRAWING --still for end_samples--> the stroke ends: classified, unless it is shorter than
            min_samples, turned more about the wand's long axis than STROKE_MAX_ROLL_SHARE
            allows (a twist moves the tip nowhere), spans less than min_extent_deg, or turned
            too far to have one plane
    DRAWING --longer than max_samples--> IDLE (aborted)

The end's hold counts towards the next rest, so characters can follow one another. The
start level sits far below the IMU spotter's 200 deg/s gate, so gentle writers draw too.

Geometry, in integers alike in Python and C++: the gyro is integrated as rotations, a unit
quaternion in Q30 updated by a small-angle step each sample and renormalised with an
integer square root. Frames as wand/strokes.py documents: the board's (forward, right,
up) is left-handed and becomes a right-handed (forward, left, up) by negating y, for
acceleration and angular rate alike. The pointing direction is board x. The stroke is
that direction projected onto the plane facing its mean over the stroke, with "up" =
gravity's component in that plane (pointing nearly straight up or down: the board's top
edge at the start), x to the drawer's right. Points are in 1/65536 (about 1/65536 rad
for small turns), fine enough for ``stroke_features.stroke_input``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from math import isqrt
from typing import Protocol, Sequence

from ..protocol import (STROKE_CHARACTERS, STROKE_MAX_ROLL_SHARE, STROKE_MIN_ACTIVE_MASS, STROKE_UNKNOWN,
                        StrokeConfigPacket, StrokePacket)
from .resampler import div_round
from .spotter import STRENGTH_SHIFT
from .stroke_features import stroke_input

ONE = 1 << 30  # Q30: quaternion components, unit vectors
POINT_SHIFT = 44  # Q60 dot products -> points in 1/65536
POINT_ONE = 1 << (60 - POINT_SHIFT)
PI_NUM, PI_DEN = 355, 113  # pi, to 3e-7: the one irrational number the stroke needs
MIN_MEAN_POINTING = ONE // 4  # |mean pointing direction| under this: turned too far round
MIN_UP_IN_PLANE = ONE // 5  # gravity this close to the pointing axis: use the board's top edge
GRAVITY_SAMPLES_MAX = 255  # the hold's mean acceleration: its first samples suffice
STROKE_MAX_SAMPLES = 255  # the config's limit: the chip's stroke buffer
# Half-angle per sample and axis at most 0.625 rad: keeps every product inside int64. The
# sensor's 3276 deg/s at 50 Hz is 0.57 rad, so it only bites at model rates under 46 Hz.
MAX_HALF_ANGLE = ONE * 5 // 8


def _clamp(v: int, limit: int) -> int:
    return -limit if v < -limit else (limit if v > limit else v)


class StrokeState(IntEnum):
    IDLE = 0
    ARMED = 1
    DRAWING = 2


class Outcome(IntEnum):
    """What became of the last stroke (for the live view and `wand eval`'s causes)."""

    NONE = 0
    CLASSIFIED = 1
    TOO_SHORT = 2
    TOO_LONG = 3  # or the ARMED wand drifted for max_samples without starting
    TOO_SMALL = 4
    DEGENERATE = 5  # turned round too far for a plane, or no gravity: not a drawing
    TWISTED = 6  # over STROKE_MAX_ROLL_SHARE of its turning about the wand's long axis: a twist, not a drawing


@dataclass(frozen=True)
class Stroke:
    """A finished stroke, ready for the model."""

    points: tuple[tuple[int, int], ...]  # 1/65536 units, x right, y up
    features: tuple[int, ...]  # int8 (STROKE_POINTS, STROKE_CHANNELS), row-major
    samples: int  # drawing duration in model samples
    end_ms: int  # wand time of the last moving sample
    strength: int  # peak gyro L1 >> STRENGTH_SHIFT, saturated


def _norm(v: Sequence[int]) -> int:
    return isqrt(sum(c * c for c in v))


def _unit(v: Sequence[int], norm: int) -> tuple[int, ...]:
    return tuple(div_round(c * ONE, norm) for c in v)


def _dot(a: Sequence[int], b: Sequence[int]) -> int:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


class Orientation:
    """Body -> start frame rotation as a Q30 unit quaternion (w, x, y, z), right-handed."""

    def __init__(self, model_rate_hz: int) -> None:
        self.half_angle_den = PI_DEN * 3600 * model_rate_hz  # 0.1 deg/s per sample -> half-angle rad
        self.reset()

    def reset(self) -> None:
        self.q = (ONE, 0, 0, 0)

    def step(self, gyro_ddps: Sequence[int]) -> None:
        """One sample of board-frame angular rate (0.1 deg/s, left-handed as read)."""
        h = [_clamp(div_round(v * ONE * PI_NUM, self.half_angle_den), MAX_HALF_ANGLE)
             for v in (gyro_ddps[0], -gyro_ddps[1], gyro_ddps[2])]
        # The step's quaternion (cos, sin(half angle) * axis) to third order: renormalised
        # below, its angle is exact to (half angle)**5, where (1, half angle) is off by **3.
        h2 = div_round(h[0] * h[0] + h[1] * h[1] + h[2] * h[2], ONE)
        d = ONE - div_round(h2, 2)
        a, b, c = (v - div_round(v * h2, 6 * ONE) for v in h)
        w, x, y, z = self.q
        prod = (w * d - x * a - y * b - z * c, w * a + x * d + y * c - z * b,
                w * b - x * c + y * d + z * a, w * c + x * b - y * a + z * d)
        q = tuple(div_round(p, ONE) for p in prod)
        self.q = _unit(q, _norm(q))

    def pointing(self) -> tuple[int, int, int]:
        """Board x in the start frame, Q30."""
        w, x, y, z = self.q
        return (div_round(w * w + x * x - y * y - z * z, ONE), div_round(2 * (x * y + w * z), ONE),
                div_round(2 * (x * z - w * y), ONE))


def project(pointing: Sequence[Sequence[int]], gravity_sum: Sequence[int]) -> list[tuple[int, int]] | None:
    """Pointing directions (Q30, start frame) -> points on the plane facing their mean, x
    right and y up (gravity's component in the plane); None when there is no such plane."""
    n = len(pointing)
    mean = [div_round(sum(p[i] for p in pointing), n) for i in range(3)]
    norm = _norm(mean)
    g_norm = _norm(gravity_sum)
    if norm < MIN_MEAN_POINTING or g_norm == 0:
        return None
    ahead = _unit(mean, norm)
    up = _in_plane(_unit(gravity_sum, g_norm), ahead)
    if up is None:
        up = _in_plane((0, 0, ONE), ahead)  # pointing at the floor or the sky: the top edge leads
        if up is None:
            return None
    right = (div_round(ahead[1] * up[2] - ahead[2] * up[1], ONE), div_round(ahead[2] * up[0] - ahead[0] * up[2], ONE),
             div_round(ahead[0] * up[1] - ahead[1] * up[0], ONE))
    return [(div_round(_dot(p, right), 1 << POINT_SHIFT), div_round(_dot(p, up), 1 << POINT_SHIFT))
            for p in pointing]


def _in_plane(v: Sequence[int], normal: Sequence[int]) -> tuple[int, ...] | None:
    """v's component perpendicular to the unit ``normal``, as a Q30 unit vector; None when short."""
    d = div_round(_dot(v, normal), ONE)
    u = [v[i] - div_round(d * normal[i], ONE) for i in range(3)]
    norm = _norm(u)
    return _unit(u, norm) if norm >= MIN_UP_IN_PLANE else None


def extent_reaches(points: Sequence[Sequence[int]], min_extent_deg: int) -> bool:
    """The box's larger side spans at least ``min_extent_deg`` (degrees, as radians * 65536)."""
    side = max(max(p[k] for p in points) - min(p[k] for p in points) for k in (0, 1))
    return side * PI_DEN * 180 >= min_extent_deg * PI_NUM * POINT_ONE


class StrokeSpotter:
    """The intent state machine and the stroke's geometry, one model-rate sample at a time."""

    def __init__(self, config: StrokeConfigPacket, model_rate_hz: int,
                 max_roll_share: int = STROKE_MAX_ROLL_SHARE) -> None:
        self.config = config
        self.max_roll_share = max_roll_share  # the chip's constant; other values for the twist study only
        self.orientation = Orientation(model_rate_hz)
        self.reset()

    def reset(self) -> None:
        self.state = StrokeState.IDLE
        self.outcome = Outcome.NONE
        self._still_run = 0
        self._run_gravity = [0, 0, 0]  # acceleration summed over the current still run (right-handed)
        self._run_n = 0
        self._gravity = [0, 0, 0]  # the arming hold's: the stroke's "up"
        self._pointing: list[tuple[int, int, int]] = []
        self._last_moving = 0  # points up to here (exclusive) are the stroke
        self._end_ms = 0
        self._peak = 0
        self._roll = 0  # summed |gx| (the long axis) over the stroke's moving samples
        self._turn = 0  # summed |gx|+|gy|+|gz| over them

    def on_sample(self, sample: Sequence[int], t_ms: int) -> Stroke | None:
        """Feed one model-rate sample (mg, 0.1 deg/s, board frame); a stroke when one ends."""
        cfg = self.config
        gyro_l1 = abs(sample[3]) + abs(sample[4]) + abs(sample[5])
        still = gyro_l1 < cfg.rest_dps * 10
        self._still_run = min(self._still_run + 1, 0xFFFF) if still else 0
        if still:
            self._hold(sample)
        if self.state == StrokeState.IDLE:
            if self._still_run >= cfg.rest_samples:
                self._arm()
            return None
        if self.state == StrokeState.ARMED:
            if still:
                self._arm()  # still holding: the stroke starts from here
                return None
            self._move(sample, gyro_l1, t_ms)
            if gyro_l1 >= cfg.start_dps * 10:
                self.state = StrokeState.DRAWING
            elif len(self._pointing) > cfg.max_samples:
                self._abort(Outcome.TOO_LONG)
            return None
        # DRAWING
        if not still:
            self._move(sample, gyro_l1, t_ms)
        else:
            self.orientation.step(sample[3:6])
            self._pointing.append(self.orientation.pointing())
        if self._last_moving - 1 > cfg.max_samples:
            self._abort(Outcome.TOO_LONG)
            return None
        if self._still_run >= cfg.end_samples:
            return self._finish()
        return None

    def _hold(self, sample: Sequence[int]) -> None:
        """A still sample: a new run restarts the sum; a long one keeps its first samples."""
        if self._still_run == 1:
            self._run_gravity, self._run_n = [0, 0, 0], 0
        if self._run_n < GRAVITY_SAMPLES_MAX:
            g = self._run_gravity
            self._run_gravity = [g[0] + sample[0], g[1] - sample[1], g[2] + sample[2]]
            self._run_n += 1

    def _arm(self) -> None:
        """(Re)start the stroke here. Gravity comes from a full hold: after a twitch the
        ARMED wand keeps its hold's until it has been still for rest_samples again."""
        if self._run_n >= self.config.rest_samples:
            self._gravity = list(self._run_gravity)
        self.state = StrokeState.ARMED
        self.orientation.reset()
        self._pointing = [self.orientation.pointing()]
        self._last_moving = 1
        self._peak = 0
        self._roll = self._turn = 0

    def _move(self, sample: Sequence[int], gyro_l1: int, t_ms: int) -> None:
        self.orientation.step(sample[3:6])
        self._pointing.append(self.orientation.pointing())
        self._last_moving = len(self._pointing)
        self._end_ms = t_ms
        self._peak = max(self._peak, gyro_l1)
        self._roll += abs(sample[3])
        self._turn += gyro_l1

    def _abort(self, why: Outcome) -> None:
        self.outcome = why
        self.state = StrokeState.IDLE
        self._pointing = []

    def _finish(self) -> Stroke | None:
        cfg = self.config
        pointing = self._pointing[:self._last_moving]
        samples = len(pointing) - 1  # moving samples; point 0 is the rest before them
        gravity = self._gravity
        twisted = self._roll * 256 > self.max_roll_share * self._turn
        self._abort(Outcome.NONE)
        if self._still_run >= cfg.rest_samples:  # the end's hold arms the next stroke
            self._arm()
        if samples < cfg.min_samples:
            self.outcome = Outcome.TOO_SHORT
            return None
        if twisted:
            self.outcome = Outcome.TWISTED
            return None
        points = project(pointing, gravity)
        if points is None:
            self.outcome = Outcome.DEGENERATE
            return None
        if not extent_reaches(points, cfg.min_extent_deg):
            self.outcome = Outcome.TOO_SMALL
            return None
        features = stroke_input(points)
        if features is None:
            self.outcome = Outcome.DEGENERATE
            return None
        self.outcome = Outcome.CLASSIFIED
        return Stroke(tuple(points), tuple(features), samples, self._end_ms,
                      min(255, self._peak >> STRENGTH_SHIFT))


class StrokeClassifier(Protocol):
    def __call__(self, features: Sequence[int]) -> list[int]:
        """int8 stroke input (STROKE_POINTS * STROKE_CHANNELS) -> probabilities 0..255 per class."""


@dataclass(frozen=True)
class StrokeDecision:
    """The active characters ranked: the best (or STROKE_UNKNOWN) and two runner-ups."""

    char_id: int
    confidence: int
    ranked: tuple[tuple[int, int], ...]  # (char_id, score), best first, at most 3
    # the read character is the model's first among all characters, active or not (no other
    # character is more probable): only then may it silence a gesture (wand_core/core.py)
    model_first: bool = False


def decide(probs: Sequence[int], config: StrokeConfigPacket) -> StrokeDecision:
    """Rank only the active characters (mask bit i = class i) by probability, ties to the
    lower index. Scores are shares of the active set's summed probability (0..255). The
    best is read when all characters' summed probability (every output before
    STROKE_CHARACTERS, active or not: not the model's "other") reaches min_character_mass,
    the active ones' reaches STROKE_MIN_ACTIVE_MASS and its score reaches threshold; else STROKE_UNKNOWN, with the best as first
    runner-up so the host sees what was close. ``model_first``: see StrokeDecision."""
    active = [i for i in range(min(len(probs), 64)) if config.active_mask >> i & 1]
    total = sum(probs[i] for i in active)
    characters = sum(probs[:STROKE_CHARACTERS])
    order = sorted(active, key=lambda i: (-probs[i], i))[:3]
    ranked = tuple((i, div_round(probs[i] * 255, total) if total else 0) for i in order)
    if ranked and characters >= config.min_character_mass and total >= STROKE_MIN_ACTIVE_MASS \
            and ranked[0][1] >= config.threshold:
        first = probs[ranked[0][0]] >= max(probs[:STROKE_CHARACTERS])
        return StrokeDecision(ranked[0][0], ranked[0][1], ranked, first)
    return StrokeDecision(STROKE_UNKNOWN, ranked[0][1] if ranked else 0, ranked)


def stroke_packet(seq: int, decision: StrokeDecision, stroke: Stroke) -> StrokePacket:
    """The event: a read character's runner-ups are the next two; an unknown's are the best two."""
    runner = list(decision.ranked[1:3] if decision.char_id != STROKE_UNKNOWN else decision.ranked[:2])
    runner += [(STROKE_UNKNOWN, 0)] * (2 - len(runner))
    return StrokePacket(seq, decision.char_id, decision.confidence, runner[0][0], runner[0][1], runner[1][0],
                        runner[1][1], stroke.end_ms, stroke.samples, stroke.strength)
