"""(c) The gyro stroke, matched as a drawn 2-D shape (Protractor, or DTW on the points).

The stroke itself (the wand's pointing direction as the person holding it sees it, x to
their right, y up, in degrees) lives in ``wand/strokes.py``, where ``wand gestures`` draws
it too; its docstring says how it is computed and how its handedness was checked.

Then, as Protractor (Li, CHI 2010) does for touch strokes: resample to ``POINTS`` points
evenly spaced along the path (independent of speed), centre on the centroid, scale to
unit length (independent of size, one scale for both axes so a "1" is not a "-").
Matching allows a small rotation (``MAX_ROTATION_DEG``) for a tilted drawing, not more:
a rotated "N" is a "Z".
"""

from __future__ import annotations

import math

import numpy as np
from dtaidistance import dtw_ndim

# Re-exported: segment.py and the tests take the stroke from here.
from wand.strokes import POINTS, TO_RIGHT_HANDED, extent, gyro_stroke, normalise_points, orientations  # noqa: F401

from . import Segment
from .templates import TemplateMatcher

MAX_ROTATION_DEG = 20.0


def stroke_points(seg: Segment) -> np.ndarray:
    """The segment's stroke: given (drawn data) or computed from its IMU."""
    if seg.stroke is not None:
        return np.asarray(seg.stroke, np.float64)
    return gyro_stroke(seg.imu, seg.rate_hz)


def normalised_stroke(seg: Segment) -> np.ndarray | None:
    """Speed-, size- and position-free shape: (POINTS, 2), centred, unit length."""
    return normalise_points(stroke_points(seg))


def protractor_pairwise(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """(len a, len b) angles (radians) between normalised strokes after the best rotation
    within +-MAX_ROTATION_DEG (Protractor's closed form, clamped)."""
    A, B = np.stack(a), np.stack(b)
    dot = np.einsum("inc,jnc->ij", A, B)
    cross = np.einsum("in,jn->ij", A[:, :, 0], B[:, :, 1]) - np.einsum("in,jn->ij", A[:, :, 1], B[:, :, 0])
    limit = math.radians(MAX_ROTATION_DEG)
    angle = np.clip(np.arctan2(cross, dot), -limit, limit)
    return np.arccos(np.clip(dot * np.cos(angle) + cross * np.sin(angle), -1.0, 1.0))


def stroke_dtw_pairwise(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """(len a, len b) DTW between normalised strokes scaled to unit RMS radius, per point."""
    series = [x * math.sqrt(POINTS) for x in list(a) + list(b)]
    m = dtw_ndim.distance_matrix_fast(series, window=POINTS // 4, block=((0, len(a)), (len(a), len(series))),
                                      parallel=False)
    return m[: len(a), len(a):] / math.sqrt(2 * POINTS)


class StrokeProtractor(TemplateMatcher):
    def __init__(self, normalise: str = "spread", bank: list[Segment] | None = None,
                 threshold: float = 2.0, max_ratio: float = 0.9) -> None:
        super().__init__("stroke", normalised_stroke, protractor_pairwise, threshold, max_ratio, False, normalise,
                         bank or [])


class StrokeDtw(TemplateMatcher):
    def __init__(self, normalise: str = "spread", bank: list[Segment] | None = None,
                 threshold: float = 2.0, max_ratio: float = 0.9) -> None:
        super().__init__("stroke", normalised_stroke, stroke_dtw_pairwise, threshold, max_ratio, False, normalise,
                         bank or [])
