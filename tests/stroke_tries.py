"""Real wand tries with the holds the stroke spotter needs (``wand.strokes.with_holds``),
and a stand-in stroke classifier."""

from __future__ import annotations

import numpy as np

from wand.strokes import rest_sample, with_holds  # noqa: F401  (the tests' and studies' one "rest added")

LEAD, TAIL = 60, 60  # with_holds' defaults: samples at the try's rate, 0.5 s of rest either side


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
