"""The intent study's rule (hold still, draw, hold still) on SYNTHETIC and real tries, the
evaluation devices (rest added around real tries, pauses added to everyday motion) and a
`wand bench air --quick` smoke run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training.studies.intent_study import IntentRule, brackets, prototype_spotter, rule_of, to_model_rate
from wand.bench_air import covering, hold_padded, with_pauses
from wand.datasets.strokes import Stroke
from wand.datasets.synthetic_air import AirStyle, synthetic_recording
from wand.protocol import StrokeConfigPacket

_T = np.linspace(0, -2 * np.pi, 60)
CIRCLE = np.stack([np.cos(_T), np.sin(_T)], axis=1)
RULE = rule_of(StrokeConfigPacket())


def drawing(seed: int = 0, **style):
    return synthetic_recording(Stroke("shape_circle", [CIRCLE]), "shape_circle", AirStyle(**style), seed)


def drawing_bounds(rec) -> tuple[int, int]:
    return int(rec.meta["drawing_start"]), int(rec.meta["drawing_end"])


@pytest.mark.parametrize("style", [dict(size_deg=40, speed_dps=120), dict(size_deg=14, speed_dps=25)],
                         ids=["everyday writer", "gentle writer"])
def test_a_drawing_between_two_rests_is_bracketed(style):
    rec = drawing(**style)
    found = prototype_spotter(RULE)(rec.samples, rec.rate_hz)
    d = covering(found, rec.samples, *drawing_bounds(rec))
    assert d is not None and len(found) == 1
    a, b = drawing_bounds(rec)
    # a gentle writer's first ~0.2 s is slower than a hand at rest trembles: lost, not more
    assert abs(d.start - a) < 0.25 * rec.rate_hz and abs(d.end - b) < 0.3 * rec.rate_hz
    assert np.ptp(d.points, axis=0).max() > 0.7 * style["size_deg"]


def test_no_hold_no_drawing():
    """The same drawing with no rest before it never arms; without the rest after it never ends."""
    rec = drawing(rest_before_s=0.0, rest_after_s=1.0)
    assert prototype_spotter(RULE)(rec.samples, rec.rate_hz) == []
    rec = drawing(rest_before_s=1.0, rest_after_s=0.0)
    assert prototype_spotter(RULE)(rec.samples, rec.rate_hz) == []


def test_small_wiggles_and_long_motions_are_not_drawings():
    tiny = drawing(size_deg=4, speed_dps=30)
    assert prototype_spotter(RULE)(tiny.samples, tiny.rate_hz) == []
    hold = [[0, 0, 1000, 0, 0, 0]] * 40
    sway = [[0, 0, 1000, 0, 0, 500 if (i // 50) % 2 == 0 else -500] for i in range(RULE.max_samples + 20)]
    x = np.array(hold + sway + hold)  # 50 deg/s, to and fro, for 4.4 s
    assert brackets(x, RULE) == []
    assert len(brackets(x, IntentRule(**{**RULE.__dict__, "max_samples": 2000}))) == 1  # the limit cut it


def test_orientation_gate_refuses_a_wand_pointing_down():
    rec = drawing(size_deg=30, speed_dps=100, pitch_deg=-70)
    x = to_model_rate(rec.samples, rec.rate_hz)
    assert len(brackets(x, RULE)) == 1
    assert brackets(x, IntentRule(**{**RULE.__dict__, "kind": "level", "max_pitch_deg": 45})) == []


def test_hold_padded_adds_rest_and_keeps_the_try(tti_recordings):
    rec = tti_recordings[0]
    x, a, b = hold_padded(rec, 1.0, np.random.default_rng(0))
    assert np.array_equal(x[a:b], rec.samples) and a == rec.rate_hz and len(x) - b == rec.rate_hz
    assert np.abs(x[:a, 3:]).sum(axis=1).max() < 200  # still: under 20 deg/s
    assert abs(np.linalg.norm(x[:a, :3].mean(axis=0)) - 1000) < 50


def test_real_tries_with_rest_added_are_cut(tti_recordings):
    spot = prototype_spotter(RULE)
    cut = 0
    tries = tti_recordings[::7]
    for rec in tries:
        x, a, b = hold_padded(rec, 1.0, np.random.default_rng(1))
        cut += covering(spot(x, rec.rate_hz), x, a, b) is not None
    assert cut >= 0.75 * len(tries)


def test_pauses_are_added_and_not_counted():
    rng = np.random.default_rng(0)
    motion = np.tile([0, 0, 1000, 500, -400, 300], (500, 1))
    x, seconds = with_pauses(motion, 50, rng)
    assert seconds == 10.0 and len(x) > len(motion)
    still = np.abs(x[:, 3:]).sum(axis=1) < 200
    assert still.sum() == len(x) - len(motion)


def test_bench_air_quick_smoke(tmp_path, capsys):
    """`wand bench air --quick` through the command line: every row, labelled a smoke run."""
    from wand.cli import main
    assert main(["bench", "air", "--quick", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "QUICK smoke run" in text and "smoke run, not a figure" in text and " met" not in text
    assert "SYNTHETIC" in text and "rest ADDED" in text
    saved = json.loads((tmp_path / "bench-air.json").read_text())
    assert saved["quick"] is True and saved["everyday"]["hours"] > 0 and saved["everyday"]["imu_model"] is not None
    paused = saved["everyday"]["paused_imu_model"]  # the gesture path on the same paused motion as the strokes
    assert len(paused["per_seed_per_hour"]) == 1 and paused["hours"] == saved["everyday"]["hours"]
    assert set(saved["synthetic"]) == {"everyday writers", "gentle"}
    assert saved["synthetic"]["gentle"]["tries_per_seed"] > 0
    assert saved["custom"]["chosen_radius"] in (1.25, 2.0) and set(saved["custom"]["test"]) == {"tti-20210623", "spells-1"}
    assert saved["latency"]["end_of_stroke_wait_ms"] == StrokeConfigPacket().end_samples * 20
    assert "twin" in saved["spotter"]


def test_bench_air_does_not_count_motion_the_stroke_model_was_trained_on(tmp_path):
    """The shipped stroke model's 'other' class learned sp-sw-har TRAIN people's motion, so
    bench air's 'with the train people too' row must leave the stroke path out (a model
    without that class, e.g. an older export, may still be counted there)."""
    import shutil

    from wand.bench_air import StrokeReader
    from wand.stroke_model import STROKE_MODEL
    assert StrokeReader().saw_everyday_train_people
    shutil.copy(STROKE_MODEL, tmp_path / "m.tflite")
    meta = json.loads(STROKE_MODEL.with_suffix(".json").read_text())
    meta["info"]["recipe"]["everyday_rounds"] = 0
    (tmp_path / "m.json").write_text(json.dumps(meta))
    assert not StrokeReader(path=tmp_path / "m.tflite").saw_everyday_train_people
    (tmp_path / "m.json").write_text("[]")
    assert not StrokeReader(path=tmp_path / "m.tflite").saw_everyday_train_people
