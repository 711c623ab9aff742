"""The stroke model's input (wand/wand_core/stroke_features.py): shape, range, invariance.
The C++ twin repeats the pinned examples (firmware/tests)."""

from __future__ import annotations

import math

import pytest

from wand.wand_core.stroke_features import STROKE_POINTS, resample_int, stroke_input


def _circle(r: int, n: int = 200, x0: int = 0, y0: int = 0) -> list[tuple[int, int]]:
    return [(x0 + round(r * math.cos(2 * math.pi * i / n)), y0 + round(r * math.sin(2 * math.pi * i / n)))
            for i in range(n + 1)]


def test_shape_and_range():
    v = stroke_input(_circle(3000))
    assert len(v) == STROKE_POINTS * 4
    assert all(-128 <= x <= 127 for x in v)
    xs, ys = v[0::4], v[1::4]
    assert max(xs) - min(xs) >= 250 and max(ys) - min(ys) >= 250
    assert v[2] == 0 and v[3] == 0


def test_translation_and_scale_barely_change_it():
    a = stroke_input(_circle(3000))
    b = stroke_input([(x * 2 + 12345, y * 2 - 777) for x, y in _circle(3000)])
    assert max(abs(p - q) for p, q in zip(a, b)) <= 2


def test_a_vertical_line_keeps_its_aspect():
    v = stroke_input([(0, 0), (0, 4000)])
    assert set(v[0::4]) == {0}  # x stays in the middle: one scale for both axes
    assert v[1] == -127 and v[-3] == 127


def test_evenly_spaced_along_the_path():
    pts = resample_int([(0, 0), (3100, 0)])
    assert pts[0] == (0, 0) and pts[-1] == (3100, 0)
    assert {b[0] - a[0] for a, b in zip(pts, pts[1:])} == {100}


def test_no_length_is_none_and_huge_is_refused():
    assert stroke_input([(5, 5), (5, 5)]) is None
    assert stroke_input([(1, 2)]) is None
    with pytest.raises(ValueError):
        stroke_input([(0, 0), (1 << 24, 0)])


def test_pinned_example_for_the_cpp_twin():
    # firmware/tests/test_core.cc repeats this exact input and output
    pts = [(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 2000), (1000, 2000)]  # an "S"/"5"-like zigzag
    v = stroke_input(pts)
    assert v[:8] == [-63, -127, 0, 0, -43, -127, 40, 0]
    assert v[52:56] == [51, 0, -26, 16] and v[-4:] == [64, 127, 42, 0]
    assert sum(v) == 766 and sum(abs(x) for x in v) == sum(abs(x) for x in stroke_input(pts))
