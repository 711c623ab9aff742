"""The gyro stroke: what a person draws in the air with the wand, as they see it.

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

Handedness: the board's (forward, right, up) axes form a left-handed triad
(``wand/datasets/frames.py``); it is taken to a right-handed (forward, left, up) frame by
negating y, alike for acceleration and angular rate. Checked on real tries with a known
shape (tests/test_strokes.py): tiny-trainable-instruments "diagonal_up_left" ends up and
to the left of where it starts in 20/20 tries, "diagonal_up_right" up and right in 10/10,
"swipe_down" lower in 9/10; the mirror convention would swap left and right.

A push moves the wand along where it points, so its pointing direction hardly turns and
its stroke shows the wrist's dip rather than the push: ``person_frame_acceleration`` gives
the hand's own acceleration (gravity removed) in the person's frame instead.
"""

from __future__ import annotations

import numpy as np

POINTS = 32
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


def _start_frame(imu: np.ndarray, rate_hz: float):
    """Rotations into the start frame, the start-frame acceleration, the person's
    (ahead, left, up) unit axes and gravity's size (g), all right-handed."""
    imu = np.asarray(imu, np.float64)
    acc, gyro = imu[:, :3] * TO_RIGHT_HANDED, imu[:, 3:6] * TO_RIGHT_HANDED
    rot = orientations(gyro, rate_hz)
    acc0 = np.einsum("tij,tj->ti", rot, acc)
    up = acc0.mean(axis=0)  # at rest the accelerometer reads +1 g upwards
    g = max(float(np.linalg.norm(up)), 1e-9)
    up = up / g
    ahead = FORWARD - (FORWARD @ up) * up
    if np.linalg.norm(ahead) < 0.2:  # pointing nearly straight up or down: the top edge leads
        ahead = np.array([0.0, 0.0, 1.0]) - up[2] * up
    ahead /= np.linalg.norm(ahead)
    return rot, acc0, (ahead, np.cross(up, ahead), up), g


def with_holds(rec, lead: int = 60, tail: int = 60) -> list[tuple[int, ...]]:
    """A try's raw samples with ``lead`` samples of rest before and ``tail`` after (0.5 s
    each at 119 Hz), for tries that begin at the motion trigger and stop about 1 s later
    (tiny-trainable-instruments): the stroke spotter needs a hold either side. The try's
    samples are untouched; the lead hold reads the gravity of the try's own start frame
    (the estimate above), the tail hold the last 10 samples' mean acceleration; the gyro
    reads 0 in both. Test and study scaffolding (as ``wand eval --hold-still``), not data."""
    from .recordings import raw_to_physical
    _, _, (_, _, up), g = _start_frame(raw_to_physical(rec.samples), rec.rate_hz)
    start = rest_sample(up * g * 1000 * np.array([1.0, -1.0, 1.0]))  # back to the left-handed board frame
    end = rest_sample(rec.samples[-10:, :3].mean(axis=0))
    return [start] * lead + [tuple(int(v) for v in s) for s in rec.samples] + [end] * tail


def rest_sample(acc_mg) -> tuple[int, ...]:
    """A raw sample of the wand held still: this acceleration (mg), no rotation."""
    return tuple(int(v) for v in np.round(acc_mg)) + (0, 0, 0)


def gyro_stroke(imu: np.ndarray, rate_hz: float) -> np.ndarray:
    """(n, 6) board-frame IMU (g, deg/s) -> (n, 2) stroke: azimuth right, elevation up (degrees)."""
    rot, _, (ahead, left, up), _ = _start_frame(imu, rate_hz)
    p = rot @ FORWARD  # pointing direction over time, in the start frame
    x = np.degrees(np.arctan2(-(p @ left), p @ ahead))
    y = np.degrees(np.arctan2(p @ up, np.hypot(p @ left, p @ ahead)))
    return np.stack([x, y], axis=1)


def person_frame_acceleration(imu: np.ndarray, rate_hz: float) -> np.ndarray:
    """(n, 3) the hand's own acceleration in g, gravity removed, along the person's
    (forward, right, up) as they stood at the start of the try."""
    _, acc0, (ahead, left, up), g = _start_frame(imu, rate_hz)
    lin = acc0 - g * up
    return np.stack([lin @ ahead, -(lin @ left), lin @ up], axis=1)


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


def normalise_points(points: np.ndarray, n: int = POINTS) -> np.ndarray | None:
    """Speed-, size- and position-free shape (Protractor, Li CHI 2010): ``n`` points evenly
    spaced along the path, centred on their centroid, scaled to unit length (one scale for
    both axes, so a "1" is not a "-"). None for a path of no length."""
    pts = resample_path(points, n)
    if pts is None:
        return None
    pts -= pts.mean(axis=0)
    norm = np.linalg.norm(pts)
    return pts / norm if norm > 1e-9 else None


def extent(points: np.ndarray) -> float:
    """The larger side of the stroke's bounding box (degrees for a gyro stroke)."""
    pts = np.asarray(points, np.float64)
    return float(np.max(pts.max(axis=0) - pts.min(axis=0))) if len(pts) else 0.0


def signed_area(points: np.ndarray) -> float:
    """Shoelace area of the closed path, x right and y up: > 0 counter-clockwise, < 0
    clockwise, as the person holding the wand sees it."""
    x, y = np.asarray(points, np.float64).T
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
