"""What the page draws, computed here in the one place each thing is defined: the gyro
stroke (``wand/strokes.py``, as the holder sees it) and the trace in g and deg/s."""

from __future__ import annotations

import threading

import numpy as np

from ..recordings import raw_to_physical
from ..strokes import gyro_stroke


PYPLOT = threading.Lock()  # pyplot is not thread-safe: the pictures and trace plots are drawn off the loop


def trace_of(samples) -> list[list[float]]:
    """(n, 6) wire units -> rows of ax ay az (g, 3 decimals) gx gy gz (deg/s, 1 decimal)."""
    x = raw_to_physical(np.asarray(samples, np.float64).reshape(-1, 6))
    return [[round(float(v), 3) for v in r[:3]] + [round(float(v), 1) for v in r[3:]] for r in x]


def stroke_of(samples, rate_hz: float) -> list[list[float]]:
    """The gyro stroke in degrees, x to the holder's right and y up; [] for fewer than 2 samples."""
    x = np.asarray(samples, np.float64).reshape(-1, 6)
    if len(x) < 2:
        return []
    return [[round(float(a), 2), round(float(b), 2)] for a, b in gyro_stroke(raw_to_physical(x), rate_hz)]
