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


@pytest.mark.parametrize("text, what", [("{", ":1: not valid JSON"), ('{"format": "x"}', "not an enrolled-drawings file"),
                                        ('{"format": "wand-enrolled-strokes/1", "gestures": {"a": {"name": "a", '
                                         '"tries": [[[1, 2]]], "scale": 1, "radius": 1}}}', "bad radius, scale or tries")])
def test_a_bad_file_is_one_line(tmp_path, text, what):
    path = tmp_path / "enrolled-strokes.json"
    path.write_text(text)
    os.chmod(path, 0o600)
    with pytest.raises(GestureFileError, match=what) as e:
        load_strokes(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


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
