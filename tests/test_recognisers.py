"""Few-shot recognisers (training/studies/recognisers) on real tries: enrol, recognise, reject;
the gyro stroke's invariances; the segmenters; a seed gives the same study rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.studies.recognisers import Segment, methods
from training.studies.recognisers.dtw_imu import resample
from training.studies.recognisers.segment import (StillnessParams, onset_segments, onset_spans, rest_mask, still_segments,
                                         still_spans)
from training.studies.recognisers.stroke import TO_RIGHT_HANDED, gyro_stroke, normalised_stroke, orientations, protractor_pairwise


@pytest.fixture(scope="module")
def person():
    """tti-20210623, the tiny-trainable-instruments validation person: 3 gestures x 10 tries."""
    from wand.datasets import load_split_data
    by: dict[str, list[Segment]] = {}
    for r in load_split_data("tiny-trainable-instruments")["validation"]:
        by.setdefault(r.label.rsplit("/", 1)[-1], []).append(Segment.from_recording(r))
    assert sorted(by) == ["gesture0", "gesture1", "gesture2"] and all(len(v) == 10 for v in by.values())
    return by


@pytest.fixture(scope="module")
def everyday():
    """Real everyday motion (sp-sw-har train people, board frame): a few streams and their candidates."""
    from wand.datasets import load_split_data
    streams = [Segment.from_recording(r) for r in load_split_data("sp-sw-har")["train"][:12]]
    return streams, [seg for s in streams for seg in still_segments(s) + onset_segments(s)]


KNOWN_MISS = pytest.mark.xfail(strict=True, reason="today's CNN k-NN names gesture1's 4th try gesture0 "
                               "(inside gesture0's radius): the weakness issue 15 measures")


@pytest.mark.parametrize("name", [pytest.param(n, marks=KNOWN_MISS) if n == "cnn-knn" else n for n in sorted(methods())])
def test_enrol_three_recognise_the_fourth_reject_another_gesture(name, person, everyday):
    rec = methods()[name](everyday[1])
    rec.enrol({"gesture0": person["gesture0"][:3], "gesture1": person["gesture1"][:3]})
    for g in ("gesture0", "gesture1"):
        d = rec.decide(person[g][3])
        assert d.nearest == g and d.name == g, (g, d)
    d = rec.decide(person["gesture2"][0])  # never enrolled: a "shake"
    assert d.name is None, d
    assert d.nearest in ("gesture0", "gesture1") and d.distance > 0


def test_cnn_knn_decides_as_wand_enrol_does(person):
    """At the former radius the wrapper's decision is EmbeddingSet.match's, try by try."""
    from training.studies.recognisers.embedding import KEY, CnnEmbedding
    rec = CnnEmbedding()
    rec.enrol({"gesture0": person["gesture0"][:3], "gesture1": person["gesture1"][:3]})
    names = []
    for s in person["gesture0"][3:] + person["gesture2"]:
        got = rec.decide(s).name
        m = rec.enrolled.match(tuple(int(v) for v in s.cache[KEY])) if s.cache[KEY] is not None else None
        assert got == (rec._names[m.name] if m else None)
        names.append(got)
    assert names.count("gesture0") >= 5  # and it does recognise most of gesture0's other tries


def _stretch(seg: Segment, factor: float) -> Segment:
    """The same try performed ``factor`` times slower: time stretched, angular rate divided."""
    n = len(seg.imu)
    t_new = np.linspace(0, n - 1, int(round(n * factor)))
    x = np.stack([np.interp(t_new, np.arange(n), seg.imu[:, c]) for c in range(6)], axis=1)
    x[:, 3:] /= factor
    return Segment(seg.label, seg.person, seg.rate_hz, x)


def _rolled(seg: Segment, degrees: float) -> Segment:
    """The same try with the wand turned about its long axis (board x) in the hand."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    r = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    x = seg.imu.copy()
    x[:, :3], x[:, 3:] = seg.imu[:, :3] @ r.T, seg.imu[:, 3:] @ r.T
    return Segment(seg.label, seg.person, seg.rate_hz, x)


def test_stroke_shape_ignores_speed_and_roll(person):
    """A real try's stroke keeps its shape played 0.6x or 1.7x as fast, or with the wand
    rolled 40 degrees in the hand; another gesture's stroke is far from it."""
    base = person["gesture0"][0]
    ref = normalised_stroke(base)
    variants = [_stretch(base, 1.7), _stretch(base, 0.6), _rolled(base, 40.0)]
    same = protractor_pairwise([normalised_stroke(v) for v in variants], [ref])[:, 0]
    other = protractor_pairwise([normalised_stroke(s) for s in person["gesture1"][:3]], [ref])[:, 0]
    assert same.max() < 0.1, same
    assert other.min() > 4 * same.max(), (same, other)


def test_stroke_is_degrees_of_pointing():
    """Turning the wand's tip 30 degrees to the right at rest draws a 30-degree line to the right."""
    rate = 100.0
    imu = np.zeros((101, 6))
    imu[:, 2] = 1.0  # flat, at rest: +1 g up
    imu[1:, 5] = -30.0  # gz < 0: a turn to the right seen from above (the board frame's convention)
    xy = gyro_stroke(imu, rate)
    assert xy[-1, 0] == pytest.approx(30.0, abs=0.5) and abs(xy[-1, 1]) < 0.5


def test_gyro_convention_follows_gravity_on_real_tries():
    """Integrating the gyro with the board's handedness carries the start's gravity onto
    the end's better than the mirror convention does (tiny-trainable-instruments, all tries)."""
    from wand.datasets import load_named

    def end_error(seg: Segment, flip: np.ndarray) -> float:
        rot = orientations(seg.imu[:, 3:] * flip, seg.rate_hz)
        a0, a1 = seg.imu[:5, :3].mean(0) * flip, seg.imu[-5:, :3].mean(0) * flip
        pred = rot[-1] @ (a1 / np.linalg.norm(a1))  # end gravity carried back to the start frame
        return float(np.degrees(np.arccos(np.clip(pred @ a0 / np.linalg.norm(a0), -1, 1))))

    tries = [Segment.from_recording(r) for r in load_named("tiny-trainable-instruments")]
    ours = np.median([end_error(s, TO_RIGHT_HANDED) for s in tries])
    mirror = np.median([end_error(s, np.ones(3)) for s in tries])
    assert ours < 0.75 * mirror, (ours, mirror)


def _rest(streams: list[Segment], p: StillnessParams) -> np.ndarray:
    x = resample(streams[0].imu, streams[0].rate_hz, p.rate_hz)
    runs = np.flatnonzero(rest_mask(x, p))
    return x[runs[0]:runs[0] + 25]


def test_still_segmenter_finds_a_try_between_rests_and_nothing_in_rest(person, everyday):
    p = StillnessParams()
    rest = _rest(everyday[0], p)
    assert still_spans(np.concatenate([rest, rest, rest]), p) == []
    x = resample(person["gesture0"][0].imu, 119.0, p.rate_hz)
    spans = still_spans(np.concatenate([rest, x, rest]), p)
    assert len(spans) == 1 and spans[0][0] == pytest.approx(len(rest), abs=2)
    # the same try without rest before it (motion already under way) is no candidate
    assert still_spans(np.concatenate([x, rest]), p) == []


def test_onset_trigger_fires_once_per_try(person, everyday):
    p = StillnessParams()
    rest = _rest(everyday[0], p)
    x = resample(person["gesture1"][0].imu, 119.0, p.rate_hz)
    raw = np.rint(np.concatenate([rest, x, rest, rest]) * np.array([1000.0] * 3 + [10.0] * 3)).astype(np.int32)
    assert len(onset_spans(raw, p.rate_hz)) == 1


def test_study_is_deterministic_for_a_seed(person, everyday):
    from training.studies.recognisers.study import Everyday, GestureSet, run_seed
    gs = GestureSet("tiny-trainable-instruments", "test", True, {"tti-20210623": person})
    bank = everyday[1]
    days = [Everyday("still", bank[: len(bank) // 2], 0.1, bank[len(bank) // 2:], 0.1),
            Everyday("onset", [], 0.1, [], 0.1)]
    only = ["dtw-imu (cohort)", "stroke-protractor (spread)"]
    a, _ = run_seed(3, True, [gs], days, only)
    b, _ = run_seed(3, True, [gs], days, only)
    c, _ = run_seed(4, True, [gs], days, only)
    assert a == b
    assert [r["counts"] for r in a] != [r["counts"] for r in c] or all(r["accuracy"] == 1.0 for r in a + c)
    assert {r["method"] for r in a} == set(only) and {r["shots"] for r in a} == {1, 3, 5}
