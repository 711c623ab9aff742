"""The stream builder: real everyday motion with real tries and real rests, deterministic
for a seed; the event scorer; and the replay through the wand's pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from wand.datasets import load_named, load_split, load_vocabulary
from wand.streams import (
    STILL_GYRO_DDPS, Detection, WandReplay, build_stream, plot_curve, resample, score, wand_threshold_curve,
)

RATE = 119


@pytest.fixture(scope="module")
def parts():
    bg = load_split("sp-sw-har").apply(load_named("sp-sw-har"))["test"][:8]
    vocab = {g.name: g for g in load_vocabulary()}
    tries = [r for name in ("push_forward", "circle_cw") for r in vocab[name].recordings()
             if r.person == "tti-peter"][::4]
    return bg, tries


def test_stream_is_deterministic_for_a_seed(parts):
    bg, tries = parts
    a, b, c = (build_stream(bg, tries, RATE, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.samples, b.samples) and a.inserts == b.inserts
    assert [i.start for i in a.inserts] != [i.start for i in c.inserts]


def test_every_stretch_is_real_data(parts):
    bg, tries = parts
    s = build_stream(bg, tries, RATE, seed=1)
    assert len(s.inserts) == len(tries) and s.channels == "acc+gyro"
    assert [p.start for p in s.pieces[1:]] == [p.end for p in s.pieces[:-1]] and s.pieces[-1].end == len(s.samples)
    bg_rows = {tuple(r) for rec in bg for r in resample(rec, RATE, s.channels)}
    for p in s.pieces:
        x = s.samples[p.start:p.end]
        if p.kind == "rest":  # cut from the background's still stretches, never made up
            assert np.abs(x[:, 3:]).sum(axis=1).max() < STILL_GYRO_DDPS
            assert all(tuple(r) in bg_rows for r in x)
        elif p.kind == "background":
            assert all(tuple(r) in bg_rows for r in x[:: max(1, len(x) // 50)])
    for ins in s.inserts:
        src = next(t for t in tries if t.source == ins.source)
        assert np.array_equal(s.samples[ins.start:ins.end], resample(src, RATE, s.channels))
        before = next(p for p in s.pieces if p.end == ins.start)
        assert before.kind == "rest" and (before.end - before.start) >= 0.6 * RATE - 1
    assert abs(s.seconds("background") - sum(r.duration_s for r in bg)) < 0.1 * len(bg)


def test_score_matches_events_to_tries_and_counts_false_triggers(parts):
    bg, tries = parts
    s = build_stream(bg, tries, RATE, seed=2)
    first, second = s.inserts[0], s.inserts[1]
    dets = [Detection(first.end + 10, first.label, "model", 0.9),  # hit (inside the tolerance)
            Detection(first.end + 20, first.label, "model", 0.9),  # extra in the same window
            Detection(second.start + 5, "diagonal_up_left", "model", 0.9),  # confusion
            Detection(5, "push_forward", "model", 0.9),  # false trigger in the background
            Detection(6, "unknown", "unknown", 0.1)]  # not a trigger
    known = {"push_forward", "circle_cw", "diagonal_up_left"}
    sc = score(s, dets, known, tolerance_s=1.0)
    assert (sc.hits, sc.extra, sc.confusions, sc.false_triggers, sc.detections) == (1, 1, 1, 1, 4)
    assert sc.misses == len(tries) - 2 and sc.recall == pytest.approx(1 / len(tries))
    assert sc.non_gesture_hours == pytest.approx(
        (len(s.samples) - sum(i.end - i.start + RATE for i in s.inserts)) / RATE / 3600)
    assert sc.false_triggers_per_hour == pytest.approx(1 / sc.non_gesture_hours)
    unseen = score(s, dets, {"circle_cw"} - {first.label}, tolerance_s=1.0)
    assert unseen.unseen_accepts >= 1


def test_replay_is_the_wands_pipeline(bundle, parts, tmp_path):
    from wand.protocol import GesturePacket
    from wand.simwand.device import first_gesture_packets
    _, tries = parts
    replay = WandReplay(bundle)
    ours = [replay.first_event(t) for t in tries]
    ref = first_gesture_packets(bundle, tries)
    for d, p in zip(ours, ref):
        assert (d is None) == (p is None)
        if p is not None:
            gid = GesturePacket.decode(p).gesture_id
            assert d.gesture == (bundle.classes[gid] if gid < len(bundle.classes) else "unknown")
    bg, _ = parts
    s = build_stream(bg[:2], tries[:2], bundle.source_rate_hz, seed=0)
    known = set(bundle.gesture_names)
    curve = wand_threshold_curve(replay, s, known, thresholds=(128, 255))
    assert [t for t, _ in curve] == [128, 255]
    assert curve[0][1].detections >= curve[1][1].detections
    png = plot_curve(curve, tmp_path / "curve.png", "test")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_accelerometer_only_stream_for_the_tflm_recogniser():
    from wand.streams import tflm_stream
    s, known = tflm_stream(seed=0)
    assert s.channels == "acc" and s.samples.shape[1] == 3 and s.rate_hz == 25
    assert known == {"wing", "ring", "slope"} and {i.person for i in s.inserts} == {"liucx", "zhangxy"}
    assert "negative1" in s.people["background"] and "s04" in s.people["background"]
    for p in s.pieces:
        if p.kind == "rest":
            mag = np.linalg.norm(s.samples[p.start:p.end].astype(float), axis=1)
            assert np.abs(mag - 1000).max() < 80  # still: about 1 g
