"""The gyro-offset tracker (wand/wand_core/gyro_bias.py, twin of the firmware's): its
steps, and real motion with a SYNTHETIC constant offset added to every gyro reading. The
boards in the data read 1-7 deg/s at rest; the LSM9DS1's typical zero-rate level is +-30
deg/s per axis, and a hold must read under 20 deg/s summed."""

from __future__ import annotations

import numpy as np
import pytest

from stroke_tries import with_holds
from wand.datasets import find_dataset
from wand.datasets.sphar import read_sphar_csv
from wand.protocol import PKT_GESTURE, GesturePacket
from wand.wand_core.classifier import TflmClassifier
from wand.wand_core.core import CoreSpec, WandCore
from wand.wand_core.gyro_bias import CALM_DDPS, MAX_DDPS, STEP_EVERY, GyroBias
from wand.wand_core.resampler import resample_block

OFFSET = np.array([120, -80, 100])  # 0.1 deg/s: 30 deg/s summed
EVERYDAY = "DATA/s02"  # sp-sw-har validation person s02: 9 recordings, 100 s of everyday motion


def test_steps_one_unit_towards_calm_readings_every_few_samples_and_stops_there():
    b = GyroBias()
    s = (0, 0, 1000, 50, -50, 0)
    for _ in range(STEP_EVERY - 1):
        b.update(s)
    assert b.bias == [0, 0, 0]
    b.update(s)
    assert b.bias == [1, -1, 0]
    for _ in range(STEP_EVERY * 200):
        b.update(s)
    assert b.bias == [50, -50, 0]  # it settles on the reading, not past it
    assert b.correct(s) == (0, 0, 1000, 0, 0, 0)


def test_fast_samples_never_move_it():
    b = GyroBias()
    for _ in range(STEP_EVERY * 50):
        b.update((0, 0, 1000, CALM_DDPS, 0, 0))  # a gesture's rate: not calm
        b.update((0, 0, 1000, 0, -CALM_DDPS // 2, CALM_DDPS // 2))
    assert b.bias == [0, 0, 0]


def test_bounded_per_axis_and_correction_saturates():
    b = GyroBias()
    for _ in range(STEP_EVERY * 2 * MAX_DDPS):
        b.update((0, 0, 1000, 990, 0, 0))  # calm only because the estimate moves towards it
    assert b.bias == [MAX_DDPS, 0, 0]
    assert b.correct((0, 0, 0, -32768, 32767, 5))[3:] == (-32768, 32767, 5)


def _everyday() -> np.ndarray:
    recs = [read_sphar_csv(f) for f in sorted((find_dataset("sp-sw-har") / EVERYDAY).glob("*.csv"))]
    assert len(recs) == 9
    return np.concatenate([resample_block(r.samples, r.rate_hz, 50) for r in recs])


def test_real_everyday_motion_teaches_it_an_offset():
    """100 s of a person's everyday wrist motion (real, two thirds of it faster than a
    calm sample) plus the synthetic offset: the estimate lands on the offset within 3 deg/s
    summed (the watch's own offset included)."""
    b = GyroBias()
    x = _everyday()
    x[:, 3:6] += OFFSET
    for s in x.tolist():
        b.update(tuple(s))
    assert np.abs(np.array(b.bias) - OFFSET).sum() < 30, b.bias


def _events(bundle, samples: np.ndarray, tracker: bool, monkeypatch) -> list[GesturePacket]:
    if not tracker:
        monkeypatch.setattr(GyroBias, "update", lambda self, s: None)
    core = WandCore(CoreSpec(50, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class), TflmClassifier(bundle))
    out = [p for s in samples.tolist() for p in core.push(tuple(s))]
    monkeypatch.undo()
    return [GesturePacket.decode(p) for p in out if p[0] == PKT_GESTURE]


@pytest.mark.parametrize("offset", [True, False])
def test_a_gesture_after_everyday_motion_starts_from_a_hold_on_a_board_with_an_offset(bundle, tti_recordings,
                                                                                    offset, monkeypatch):
    """Everyday motion, then a real push_forward try between holds. With the offset the
    hold reads 30 deg/s, over the 20 a hold allows: only the tracker lets the try start."""
    try_ = next(r for r in tti_recordings if r.person == "tti-peter" and r.label.endswith("gesture2"))
    gesture = resample_block(np.array(with_holds(try_)), try_.rate_hz, 50)
    everyday = _everyday()
    x = np.concatenate([everyday, gesture])
    if offset:
        x[:, 3:6] += OFFSET
    start_ms = len(everyday) * 1000 // 50
    names = {i: n for i, n in enumerate(bundle.classes)}
    fired = [names[e.gesture_id] for e in _events(bundle, x, True, monkeypatch) if e.timestamp_ms > start_ms]
    assert fired == ["push_forward"]
    without = [e for e in _events(bundle, x, False, monkeypatch) if e.timestamp_ms > start_ms]
    assert (without == []) if offset else len(without) == 1


@pytest.mark.parametrize("offset", [True, False])
def test_the_live_view_tells_once_that_the_wand_has_a_gyro_offset(bundle, offset):
    """The live view's shadow learns the offset from the streamed IMU as the wand does and
    says once what the wand does about it; a board like the data's says nothing."""
    from wand.protocol import ImuPacket
    from wand.simwand.device import streaming
    from wand.view.shadow import Shadow

    x = _everyday()
    if offset:
        x[:, 3:6] += OFFSET
    shadow = Shadow(bundle, streaming())
    notes = []
    for first in range(0, len(x), 50):
        shadow.feed(ImuPacket(first % 65536, tuple(tuple(s) for s in x[first:first + 50].tolist())))
        notes += [n for n in [shadow.offset_note()] if n]
    if offset:
        assert len(notes) == 1 and "gyro reads about" in notes[0] and "half a minute" in notes[0]
        assert 25 <= int(notes[0].split("about ")[1].split(" ")[0]) <= 30  # 10 deg/s passed on the way to 30
    else:
        assert notes == []
