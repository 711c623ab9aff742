"""(c) The gyro stroke, matched as a drawn 2-D shape (Protractor, or DTW on the points).

How petewarden/magic_wand draws a stroke (magic_wand.ino, UpdateOrientation /
UpdateStroke): it sums the gyroscope into an orientation, takes it relative to the
stroke's mean, and projects it onto the plane whose "down" is gravity's direction in the
board's y-z plane, so rolling the wand about its long axis does not turn the drawing.
Here the same idea with exact rotations instead of summed angles (a circle drawn with
the wand spans 60-90 degrees, where summing Euler rates drifts): the wand's pointing
direction (board x) is followed by integrating the gyro as rotations; gravity comes from
the acceleration rotated into the start frame and averaged over the segment (the hand's
own acceleration averages out between two rests); the stroke is the pointing direction's
azimuth and elevation in degrees, seen by the person holding the wand: x to their right,
y up.

Then, as Protractor (Li, CHI 2010) does for touch strokes: resample to ``POINTS`` points
evenly spaced along the path (independent of speed), centre on the centroid, scale to
unit length (independent of size, one scale for both axes so a "1" is not a "-").
Matching allows a small rotation (``MAX_ROTATION_DEG``) for a tilted drawing, not more:
a rotated "N" is a "Z".

Handedness: the board's (forward, right, up) axes form a left-handed triad; it is taken
to a right-handed (forward, left, up) frame by negating y, alike for acceleration and
angular rate (a test checks on real tries that this integration carries the start
gravity onto the end gravity better than the mirror convention).
"""

from __future__ import annotations

import math

import numpy as np
from dtaidistance import dtw_ndim

from . import Segment
from .templates import TemplateMatcher

POINTS = 32
MAX_ROTATION_DEG = 20.0
TO_RIGHT_HANDED = np.array([1.0, -1.0, 1.0])  # board (forward, right, up) -> (forward, left, up)
FORWARD = np.array([1.0, 0.0, 0.0])  # the wand's long axis: board x


def _step_rotations(w: np.ndarray) -> np.ndarray:
    """Rodrigues: rotation vectors (n, 3) in radians -> rotation matrices (n, 3, 3)."""
    theta = np.linalg.norm(w, axis=1)
    k = w / np.where(theta > 0, theta, 1.0)[:, None]
    kx = np.zeros((len(w), 3, 3))
    kx[:, 0, 1], kx[:, 0, 2], kx[:, 1, 2] = -k[:, 2], k[:, 1], -k[:, 0]
    kx[:, 1, 0], kx[:, 2, 0], kx[:, 2, 1] = k[:, 2], -k[:, 1], k[:, 0]
    s, c = np.sin(theta)[:, None, None], np.cos(theta)[:, None, None]
    return np.eye(3) + s * kx + (1 - c) * (kx @ kx)


def orientations(gyro_dps: np.ndarray, rate_hz: float) -> np.ndarray:
    """(n, 3, 3): R[t] takes a vector in the body frame at sample t into the start's frame."""
    n = len(gyro_dps)
    steps = _step_rotations(np.deg2rad(np.asarray(gyro_dps, np.float64)[1:]) / rate_hz)
    out = np.empty((n, 3, 3))
    out[0] = np.eye(3)
    for t in range(1, n):
        out[t] = out[t - 1] @ steps[t - 1]
    return out


def gyro_stroke(imu: np.ndarray, rate_hz: float) -> np.ndarray:
    """(n, 6) board-frame IMU (g, deg/s) -> (n, 2) stroke: azimuth right, elevation up (degrees)."""
    imu = np.asarray(imu, np.float64)
    acc, gyro = imu[:, :3] * TO_RIGHT_HANDED, imu[:, 3:6] * TO_RIGHT_HANDED
    rot = orientations(gyro, rate_hz)
    up = np.einsum("tij,tj->i", rot, acc)  # at rest the accelerometer reads +1 g upwards
    up /= max(np.linalg.norm(up), 1e-9)
    ahead = FORWARD - (FORWARD @ up) * up
    if np.linalg.norm(ahead) < 0.2:  # pointing nearly straight up or down: the top edge leads
        ahead = np.array([0.0, 0.0, 1.0]) - up[2] * up
    ahead /= np.linalg.norm(ahead)
    left = np.cross(up, ahead)
    p = rot @ FORWARD  # pointing direction over time, in the start frame
    x = np.degrees(np.arctan2(-(p @ left), p @ ahead))
    y = np.degrees(np.arctan2(p @ up, np.hypot(p @ left, p @ ahead)))
    return np.stack([x, y], axis=1)


def resample_path(points: np.ndarray, n: int = POINTS) -> np.ndarray | None:
    """``n`` points evenly spaced along the path (None for a path of no length)."""
    pts = np.asarray(points, np.float64)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    total = seg.sum()
    if len(pts) < 2 or total <= 1e-9:
        return None
    at = np.concatenate([[0.0], np.cumsum(seg)])
    want = np.linspace(0.0, total, n)
    return np.stack([np.interp(want, at, pts[:, 0]), np.interp(want, at, pts[:, 1])], axis=1)


def extent(points: np.ndarray) -> float:
    """The larger side of the stroke's bounding box (degrees for a gyro stroke)."""
    pts = np.asarray(points, np.float64)
    return float(np.max(pts.max(axis=0) - pts.min(axis=0))) if len(pts) else 0.0


def stroke_points(seg: Segment) -> np.ndarray:
    """The segment's stroke: given (drawn data) or computed from its IMU."""
    if seg.stroke is not None:
        return np.asarray(seg.stroke, np.float64)
    return gyro_stroke(seg.imu, seg.rate_hz)


def normalised_stroke(seg: Segment) -> np.ndarray | None:
    """Speed-, size- and position-free shape: (POINTS, 2), centred, unit length."""
    pts = resample_path(stroke_points(seg))
    if pts is None:
        return None
    pts -= pts.mean(axis=0)
    norm = np.linalg.norm(pts)
    return pts / norm if norm > 1e-9 else None


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
