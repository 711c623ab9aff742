"""A drawn stroke -> the stroke model's int8 input. Twin of wand_core/stroke_features.{h,cc}.

The one definition of what the stroke model sees, used alike by training (pen, canvas
and air-writing strokes), the simulator and the chip, so a character drawn in the air and
one written with a pen meet the model the same way:

1. the path's points, consecutive repeats dropped (integers, |coordinate| < 2**24: the
   caller picks a unit fine enough that a stroke spans a few thousand of them);
2. ``STROKE_POINTS`` points evenly spaced along the path (arc length from integer
   square roots, linear interpolation rounded by ``div_round``);
3. centred on the middle of their bounding box and scaled by its larger side, so both
   axes keep one scale (a "1" stays a "1", not a "-"): x, y in -127..127;
4. dx, dy: the step from the point before, times ``STROKE_DELTA_GAIN``, clamped to int8
   (0 for the first point).

Rows are (x, y, dx, dy), x to the right and y up as the person drawing sees it. Integer
arithmetic only, floor division and floor square roots, so C++ and Python agree bit for
bit (tests/test_stroke_features.py pins examples the C++ host test repeats).
"""

from __future__ import annotations

from math import isqrt
from typing import Sequence

from .resampler import div_round

STROKE_POINTS = 32
STROKE_CHANNELS = 4  # x, y, dx, dy
STROKE_HALF_SPAN = 127  # the larger side of the box spans -127..127
STROKE_DELTA_GAIN = 2  # dx, dy are small steps: spread them over more of int8
STROKE_COORD_LIMIT = 1 << 24  # |coordinate| below this keeps every product inside int64


def _clamp8(v: int) -> int:
    return -128 if v < -128 else (127 if v > 127 else v)


def _distinct(points: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for p in points:
        x, y = int(p[0]), int(p[1])
        if not (-STROKE_COORD_LIMIT < x < STROKE_COORD_LIMIT and -STROKE_COORD_LIMIT < y < STROKE_COORD_LIMIT):
            raise ValueError(f"stroke point ({x}, {y}) outside +-{STROKE_COORD_LIMIT - 1}")
        if not out or out[-1] != (x, y):
            out.append((x, y))
    return out


def resample_int(points: Sequence[Sequence[int]], n: int = STROKE_POINTS) -> list[tuple[int, int]] | None:
    """``n`` points evenly spaced along the path, integers; None for a path of no length."""
    pts = _distinct(points)
    if len(pts) < 2:
        return None
    seg = [isqrt((bx - ax) ** 2 + (by - ay) ** 2) for (ax, ay), (bx, by) in zip(pts, pts[1:])]
    total = sum(seg)  # every segment >= 1: distinct integer points are >= 1 apart
    out: list[tuple[int, int]] = []
    j, start = 0, 0  # segment j begins at arc length `start`
    for k in range(n):
        target = k * total // (n - 1)
        while j < len(seg) - 1 and start + seg[j] < target:
            start += seg[j]
            j += 1
        (ax, ay), (bx, by) = pts[j], pts[j + 1]
        along = target - start
        out.append((ax + div_round((bx - ax) * along, seg[j]), ay + div_round((by - ay) * along, seg[j])))
    return out


def stroke_input(points: Sequence[Sequence[int]]) -> list[int] | None:
    """The model's input, ``STROKE_POINTS`` rows of (x, y, dx, dy) flattened, or None
    when the path has no length."""
    pts = resample_int(points)
    if pts is None:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    side = max(max(xs) - min(xs), max(ys) - min(ys))
    cx2, cy2 = min(xs) + max(xs), min(ys) + max(ys)  # twice the box centre: no halves
    qx = [div_round((2 * x - cx2) * STROKE_HALF_SPAN, side) for x in xs]
    qy = [div_round((2 * y - cy2) * STROKE_HALF_SPAN, side) for y in ys]
    out: list[int] = []
    for i in range(len(pts)):
        dx = 0 if i == 0 else _clamp8((qx[i] - qx[i - 1]) * STROKE_DELTA_GAIN)
        dy = 0 if i == 0 else _clamp8((qy[i] - qy[i - 1]) * STROKE_DELTA_GAIN)
        out += [qx[i], qy[i], dx, dy]
    return out
