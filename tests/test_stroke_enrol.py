"""Enrolled drawings (wand/stroke_enrol.py): strokes cut by the firmware's twin from REAL
tries (1 s of rest added around each, as `wand enrol` does), matched on their shape; their
own file, never touching enrolled.json; a bad file is one line."""

from __future__ import annotations

import json
import os

import pytest

from wand.datasets import load_vocabulary
from wand.errors import GestureFileError
from wand.stroke_enrol import StrokeEnrolment, drawn_stroke, load_strokes


@pytest.fixture(scope="module")
def cut():
    vocab = {g.name: g for g in load_vocabulary()}
    out = {}
    for name in ("circle_cw", "diagonal_up_left"):
        tries = [r for r in vocab[name].recordings() if r.person == "tti-data"][:6]
        out[name] = [s.points for s in map(drawn_stroke, tries) if s is not None]
    return out


def test_real_tries_are_cut_and_told_apart_by_shape(cut):
    assert all(len(v) >= 5 for v in cut.values())
    es = StrokeEnrolment()
    for name, strokes in cut.items():
        es.enrol(name, strokes[:3])
    named = [es.match(s) for name in cut for s in cut[name][3:]]
    truth = [name for name in cut for _ in cut[name][3:]]
    assert sum(a == b for a, b in zip(named, truth)) >= len(truth) - 1
    assert not any(n is not None and n != t for n, t in zip(named, truth))  # a miss is a rejection, not a swap


def test_a_drawing_is_matched_only_when_drawn_about_as_large_as_its_tries(cut):
    """DTW compares unit-size shapes: the same real circle drawn 3 times smaller (a wobble that
    turns the wand a few degrees) is not the enrolled circle; 1.5 times smaller still is."""
    from wand.stroke_enrol import SIZE_FACTOR
    es = StrokeEnrolment()
    for name, strokes in cut.items():
        es.enrol(name, strokes[:3])
    query = cut["circle_cw"][3]
    assert SIZE_FACTOR == 2.0 and es.match(query) == "circle_cw"

    def scaled(points, k):
        return [[round(x / k), round(y / k)] for x, y in points]
    assert es.match(scaled(query, 1.5)) == "circle_cw"
    small = es.decide(scaled(query, 3))
    assert small.nearest == "circle_cw" and not small.accepted  # its shape alone would pass
    assert es.match(scaled(query, 3), size_factor=0) == "circle_cw"
    assert es.match([[round(x * 3), round(y * 3)] for x, y in query]) is None  # 3 times larger neither


def test_saved_beside_enrolled_json_which_is_left_as_it_is(cut, tmp_path):
    imu = tmp_path / "enrolled.json"
    imu.write_text('{"format": "wand-enrolled-dtw-imu/1", "rate_hz": 50, "gestures": {}}\n')
    before = imu.read_bytes()
    es = StrokeEnrolment()
    es.enrol("zorro", cut["circle_cw"][:3], person="tester")
    path = es.save(tmp_path / "enrolled-strokes.json")
    again = load_strokes(path)
    assert set(again.gestures) == {"zorro"} and again.gestures["zorro"].scale == es.gestures["zorro"].scale
    assert again.match(cut["circle_cw"][4]) == "zorro"
    assert imu.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enrolled-strokes.json", "enrolled.json"]  # no temp files


def _drawings(name="a", key=None, tries="[[[1, 2], [30, 40]]]", scale="1", radius="1"):
    return (f'{{"format": "wand-enrolled-strokes/1", "gestures": {{"{key or name}": {{"name": "{name}", '
            f'"tries": {tries}, "scale": {scale}, "radius": {radius}}}}}}}')


@pytest.mark.parametrize("text, what", [
    ("{", ":1: not valid JSON"), ('{"format": "x"}', "not an enrolled-drawings file"),
    (_drawings(tries="[[[1, 2]]]"), "try 1: not a list of 2 or more"),
    (_drawings(tries="[[[5, 5], [5, 5], [5, 5]]]"), "try 1: its points do not move"),  # DTW had no shape to compare
    (_drawings(tries=f"[[[1, 2], [{10 ** 400}, 1]]]"), "try 1: not a list of 2 or more"),
    (_drawings(tries="[[[1, 2], [3.5, 1]]]"), "integer points"),
    (_drawings(name="letter_Z"), "bad gesture name 'letter_Z'"),
    (_drawings(key="b"), "drawing 'b' is named 'a' inside"),
    (_drawings(scale="Infinity"), "scale inf is not a number"), (_drawings(scale="true"), "scale True"),
    (_drawings(scale="1e-320"), "scale 1e-320"), (_drawings(radius="true"), "radius True"),
    (_drawings(scale=str(10 ** 400)), "scale 1000"), (_drawings(radius=str(10 ** 400)), "radius 1000"),  # OverflowError
    (_drawings().replace('"scale"', '"created": [1], "scale"'), "created must be text"),  # TypeError in `wand run`
    (_drawings().replace('"scale"', '"person": {"a": 1}, "scale"'), "person must be text"),
    ('{"format": "wand-enrolled-strokes/1", "gestures": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
])
def test_a_bad_file_is_one_line(tmp_path, text, what):
    path = tmp_path / "enrolled-strokes.json"
    path.write_text(text)
    os.chmod(path, 0o600)
    with pytest.raises(GestureFileError) as e:
        load_strokes(path)
    assert what in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def test_a_file_others_may_write_is_refused(cut, tmp_path):
    es = StrokeEnrolment()
    es.enrol("zorro", cut["circle_cw"][:3])
    path = es.save(tmp_path / "enrolled-strokes.json")
    os.chmod(path, 0o666)
    with pytest.raises(GestureFileError, match="chmod"):
        load_strokes(path)
    assert json.loads(path.read_text())["gestures"]["zorro"]["name"] == "zorro"


def test_your_way_of_a_character_fills_in_where_the_model_read_nothing():
    """Which wins, your drawing or the wand's model: a custom drawing whenever it matches; your
    way of a built-in character only where the model read nothing or read the same."""
    from wand.events.naming import UNKNOWN, Name, drawn_wins
    read_z, nothing = Name("letter_z", "stroke", 0.9), Name(UNKNOWN, "unknown", 0.2)
    assert not drawn_wins(read_z, None) and not drawn_wins(nothing, None)  # no drawing matched
    assert drawn_wins(read_z, "zorro") and drawn_wins(nothing, "zorro")  # a custom drawing: yours
    assert not drawn_wins(read_z, "letter_s")  # the model read another character: the model stays
    assert drawn_wins(nothing, "letter_s") and drawn_wins(read_z, "letter_z")


def test_when_the_model_misreads_your_own_tries_your_drawings_come_first():
    """The wand's model reads SYNTHETIC air-written z and s (pen strokes of validation writers
    drawn by a virtual wand, cut by the firmware's twin) as themselves: it knows you. The
    same strokes turned 90 degrees (a device held another way) it misreads: then a matching
    drawing wins over what the model read, and only then."""
    from wand.characters import STROKE_LABELS, mask_of
    from wand.datasets.synthetic_air import synthetic_try
    from wand.events.naming import Name, drawn_wins, model_reads_you
    from wand.protocol import StrokeConfigPacket
    letters = StrokeConfigPacket(active_mask=mask_of([n for n in STROKE_LABELS if n.startswith("letter_")]))
    strokes = {c: [drawn_stroke(synthetic_try(c, seed, part="validation")) for seed in range(4)]
               for c in ("letter_z", "letter_s")}
    upright, turned = StrokeEnrolment(), StrokeEnrolment()
    for c, found in strokes.items():
        points = [s.points for s in found if s is not None][:3]
        assert len(points) == 3
        upright.enrol(c, points)
        turned.enrol(c, [[(-y, x) for x, y in p] for p in points])
    assert model_reads_you(upright, letters)
    assert not model_reads_you(turned, letters)
    digits = StrokeConfigPacket(active_mask=mask_of([f"digit_{d}" for d in range(10)]))
    assert model_reads_you(turned, digits)  # none of your characters is listened for: nothing to judge
    from wand.events.naming import Namer
    from wand.model import load_model
    namer = Namer(load_model(), drawings=turned)  # what the daemon and `wand eval` name strokes with
    assert namer.model_knows_you(letters) is False and len(namer._knows_you) == 1
    upright_namer = Namer(load_model(), drawings=upright)
    assert upright_namer.model_knows_you(letters) is True and upright_namer.model_knows_you(None) is True
    read_z = Name("letter_z", "stroke", 0.9)
    assert not drawn_wins(read_z, "letter_s", model_knows_you=True)
    assert drawn_wins(read_z, "letter_s", model_knows_you=False)


def test_the_personal_strokes_study_matches_drawings_as_the_product_does():
    """training/studies/personal_strokes_study.template_decision works on a precomputed distance
    matrix; it must decide as StrokeEnrolment.decide (radius, ratio test, size check) does."""
    import numpy as np

    from training.studies.personal_strokes_study import NONE, template_decision
    from wand import fewshot
    from wand.stroke_enrol import shape
    from wand.strokes import extent

    rng = np.random.default_rng(7)
    t = np.linspace(0, 1, 40)
    forms = {"ring": np.c_[np.cos(2 * np.pi * t), np.sin(2 * np.pi * t)], "vee": np.c_[t, np.abs(t - 0.5)],
             "zed": np.c_[np.r_[t[:20] * 2, 2 - t[20:] * 2], np.r_[np.ones(20), np.zeros(20)]],
             "hook": np.c_[t, t ** 3]}
    strokes, labels = [], []
    for name, f in forms.items():
        for _ in range(6):
            size = rng.choice([20000, 30000, 90000])  # some drawn far larger: the size check
            pts = (f + rng.normal(0, 0.04, f.shape)) * size
            strokes.append(np.rint(pts).astype(int).tolist())
            labels.append(name)
    feats = [shape(s) for s in strokes]
    dist = fewshot.pairwise(feats, feats)
    sizes = np.array([extent(np.asarray(s, np.float64)) for s in strokes])
    agree = 0
    for left in forms:
        chosen = {g: [i for i, lab in enumerate(labels) if lab == g][:3] for g in forms if g != left}
        es = StrokeEnrolment()
        for g, idx in chosen.items():
            es.enrol(g, [strokes[i] for i in idx])
        owner = [g for g, v in chosen.items() for _ in v]
        flat = [i for v in chosen.values() for i in v]
        scales = fewshot.spread_scales(dist[np.ix_(flat, flat)], owner)
        for i in range(len(strokes)):
            product = es.decide(strokes[i])
            want = product.name if product.accepted else NONE
            assert template_decision(dist, i, chosen, scales, sizes) == want
            agree += want != NONE
    assert agree > 10  # matches happened, not only rejections
