"""Real wand tries with the holds the stroke spotter needs, and a stand-in stroke classifier.

The tiny-trainable-instruments tries begin at the motion trigger and end about 1 s later,
so they hold neither the rest before a stroke nor (always) the one after. ``with_holds``
adds both, as ``wand eval --hold-still`` adds rest: the samples of the try are untouched;
the lead hold reads the gravity of the try's own start frame (wand/strokes.py's estimate:
acceleration rotated into the start frame, averaged over the try), the tail hold the
try's last 10 samples' mean acceleration; the gyro reads 0 in both. The padding is test
scaffolding, not data.
"""

from __future__ import annotations

import numpy as np

from wand.recordings import raw_to_physical
from wand.strokes import _start_frame

LEAD, TAIL = 60, 60  # samples at the try's rate: 0.5 s of rest either side


def rest_sample(acc_mg) -> tuple[int, ...]:
    return tuple(int(v) for v in np.round(acc_mg)) + (0, 0, 0)


def with_holds(rec, lead: int = LEAD, tail: int = TAIL) -> list[tuple[int, ...]]:
    _, _, (_, _, up), g = _start_frame(raw_to_physical(rec.samples), rec.rate_hz)
    start = rest_sample(up * g * 1000 * np.array([1.0, -1.0, 1.0]))  # back to the left-handed board frame
    end = rest_sample(rec.samples[-10:, :3].mean(axis=0))
    return [start] * lead + [tuple(int(v) for v in s) for s in rec.samples] + [end] * tail


class HashClassifier:
    """A deterministic stand-in for the stroke model (the core's decisions are what the
    twin tests compare, not a model): probabilities 0..255 from a fixed random projection
    of the input, peaked so both confident and unsure strokes occur."""

    def __init__(self, classes: int = 44, seed: int = 19) -> None:
        self.w = np.random.default_rng(seed).integers(-3, 4, size=(128, classes))
        self.calls = 0

    def __call__(self, features) -> list[int]:
        self.calls += 1
        z = np.asarray(features, np.int64) @ self.w
        z = (z - z.max()) / 400.0
        p = np.exp(z) / np.exp(z).sum()
        return [int(v) for v in np.minimum(255, np.floor(p * 256))]


# --- arbitration streams (issue 19): a drawing fast enough to set off the IMU spotter ---------

STILL = rest_sample((0, 0, 1000))


def turn(gz_ddps: int, n: int) -> list[tuple[int, ...]]:
    return [(0, 0, 1000, 0, 0, gz_ddps)] * n


# 210 deg/s (over the IMU spotter's 200 deg/s gate) for 0.8 s at 50 Hz: a 168 degree stroke
# during which a spotter with a 25-sample window decides once.
DRAWN = [STILL] * 30 + turn(2100, 40) + [STILL] * 30
# A 0.3 s stroke: it ends (at sample 49) before a spotter with a 25-sample window and hop 5
# decides (sample 59, agree 2): the gesture's capture began in the drawing and outlives it.
SHORT = [STILL] * 30 + turn(2100, 15) + [STILL] * 40
# Ten 210 deg/s bursts with 30 deg/s lulls between (still to a spotter with a 60 deg/s
# quiet level, never to the 15 deg/s stroke rest): one drawing, a gesture per two bursts.
WIGGLE = [STILL] * 30 + [s for k in range(10) for s in turn(2100 if k % 2 == 0 else -2100, 12) + turn(300, 6)] \
    + [STILL] * 30


def confident_gesture(_window) -> tuple[list[int], tuple[int, ...]]:
    """A gesture model that names class 1 (of 4) at every inference."""
    return [0, 255, 0, 0], ()


def fixed_stroke(probs):
    """A stroke model that always answers ``probs``."""
    return lambda _features: list(probs)
