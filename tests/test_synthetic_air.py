"""SYNTHETIC air-writing IMU (wand/datasets/synthetic_air.py): a virtual wand turned along a
pen stroke must give back that stroke through the wand's own gyro stroke, whatever the
board's roll, at the board's rate and in its wire units, with real rest noise."""

from __future__ import annotations

import numpy as np
import pytest

from wand.datasets.strokes import Stroke
from wand.datasets.synthetic_air import (
    BOARD_RATE_HZ, AirStyle, draw_style, pen_strokes, rest_noise_bank, synthetic_recording, synthetic_try,
)
from wand.recordings import raw_to_physical
from wand.strokes import FORWARD, TO_RIGHT_HANDED, gyro_stroke, normalise_points, orientations, signed_area

# A "2" as a pen writes it (x right, y up): top arc, diagonal down-left, base to the right.
_T = np.linspace(np.pi * 0.9, -np.pi * 0.25, 20)
TWO = np.vstack([np.stack([np.cos(_T), 1 + np.sin(_T)], axis=1), [[-1.0, -1.0], [1.0, -1.0]]])


def shape_error(drawn: np.ndarray, pen: np.ndarray) -> float:
    """Mean distance between the two normalised shapes (unit-length scale, 32 points)."""
    return float(np.linalg.norm(normalise_points(drawn) - normalise_points(pen), axis=1).mean())


def plane_stroke(imu: np.ndarray, rate_hz: float) -> np.ndarray:
    """Reference: the pointing direction projected onto the plane facing its mean direction,
    up = gravity's component in that plane (the outside study's projection), degrees."""
    acc, gyro = imu[:, :3] * TO_RIGHT_HANDED, imu[:, 3:] * TO_RIGHT_HANDED
    rot = orientations(gyro, rate_hz)
    p = rot @ FORWARD
    up = np.einsum("tij,tj->ti", rot, acc).mean(axis=0)
    m = p.mean(axis=0) / np.linalg.norm(p.mean(axis=0))
    up = up - (up @ m) * m
    up /= np.linalg.norm(up)
    right = np.cross(m, up)
    return np.degrees(np.stack([np.arctan2(p @ right, p @ m), np.arctan2(p @ up, p @ m)], axis=1))


def draw(points: np.ndarray, seed: int = 0, **style) -> np.ndarray:
    rec = synthetic_recording(Stroke("digit_2", [points], person="test"), "digit_2", AirStyle(**style), seed)
    assert rec.rate_hz == BOARD_RATE_HZ and rec.meta["synthetic"] == "true" and rec.person.startswith("synthetic:")
    assert rec.samples.dtype == np.int32 and np.abs(rec.samples).max() <= 20000
    return raw_to_physical(rec.samples)


@pytest.mark.parametrize("roll", [0.0, 35.0, -60.0])
def test_level_wand_gives_back_the_pen_shape(roll):
    imu = draw(TWO, size_deg=40, speed_dps=120, roll_deg=roll)
    assert shape_error(gyro_stroke(imu, BOARD_RATE_HZ), TWO) < 0.04
    # and a different character does not match it: the measure can fail
    assert shape_error(gyro_stroke(imu, BOARD_RATE_HZ), TWO[::-1] * [1, -1]) > 0.15


def test_pointing_downwards_needs_the_plane_projection():
    """At 50 degrees down, azimuth/elevation stretch the drawing sideways (by about
    1/cos(pitch)); the projection onto the plane facing the mean direction gives it back."""
    imu = draw(TWO, size_deg=40, speed_dps=120, pitch_deg=-50, roll_deg=20)
    az_el, plane = gyro_stroke(imu, BOARD_RATE_HZ), plane_stroke(imu, BOARD_RATE_HZ)
    assert shape_error(plane, TWO) < 0.04
    assert shape_error(az_el, TWO) > 2 * shape_error(plane, TWO)
    width = np.ptp(az_el[:, 0]) / np.ptp(az_el[:, 1])
    assert width > 1.3 * np.ptp(plane[:, 0]) / np.ptp(plane[:, 1])


def test_circle_keeps_its_turning_sense():
    t = np.linspace(0, -2 * np.pi, 60)  # clockwise as drawn
    imu = draw(np.stack([np.cos(t), np.sin(t)], axis=1), size_deg=35, speed_dps=90)
    assert signed_area(gyro_stroke(imu, BOARD_RATE_HZ)) < 0


def test_rests_are_still_and_gravity_is_up():
    style = AirStyle(size_deg=30, speed_dps=100, rest_before_s=1.0, rest_after_s=0.8)
    rec = synthetic_recording(Stroke("x", [TWO]), "digit_2", style, seed=3)
    start, end = int(rec.meta["drawing_start"]), int(rec.meta["drawing_end"])
    rest = rec.samples[:start]
    assert start == BOARD_RATE_HZ and len(rec.samples) - end == round(0.8 * BOARD_RATE_HZ)
    assert abs(np.median(rest[:, 2]) - 1000) < 60 and np.abs(np.median(rest[:, 3:], axis=0)).max() < 60
    assert np.abs(rec.samples[start:end, 3:]).sum(axis=1).max() > 5 * np.abs(rest[:, 3:]).sum(axis=1).mean()
    # the noise is real: the rests are not constant, and the bank is cut from real tries
    assert rest.std(axis=0).min() > 0 and len(rest_noise_bank()) > 20


def test_speed_and_size_follow_the_style():
    slow = draw(TWO, size_deg=20, speed_dps=30)
    fast = draw(TWO, size_deg=60, speed_dps=200)
    assert len(slow) > len(fast)
    assert np.ptp(gyro_stroke(fast, BOARD_RATE_HZ), axis=0).max() > 2.5 * np.ptp(gyro_stroke(slow, BOARD_RATE_HZ), axis=0).max()
    peak = lambda x: np.linalg.norm(x[:, 3:], axis=1).max()  # noqa: E731
    assert peak(fast) > 4 * peak(slow)


def test_gentle_styles_are_smaller_and_slower():
    rng = np.random.default_rng(0)
    normal = [draw_style(rng) for _ in range(50)]
    gentle = [draw_style(rng, gentle=True) for _ in range(50)]
    assert max(s.speed_dps for s in gentle) <= min(s.speed_dps for s in normal)
    assert max(s.size_deg for s in gentle) <= min(s.size_deg for s in normal)


def test_synthetic_try_replays_a_real_pen_stroke_deterministically():
    shapes = pen_strokes("validation")
    assert "shape_circle" in shapes
    a, b = synthetic_try("shape_circle", 5, part="validation"), synthetic_try("shape_circle", 5, part="validation")
    assert np.array_equal(a.samples, b.samples) and a.label == "shape_circle"
    assert a.meta["pen_source"] in {s.source for s in shapes["shape_circle"]}
    with pytest.raises(ValueError, match="no pen strokes"):
        synthetic_try("shape_nothing", 0)
