"""The vocabulary study (training/studies/vocabulary_study.py): the one-stroke filter on real
Quick, Draw! drawings, the split by player, and a smoke run's JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wand.datasets import find_dataset, load_named, load_split
from wand.errors import GestureFileError

try:
    find_dataset("quickdraw-shapes")
    HAVE = True
except GestureFileError:
    HAVE = False
pytestmark = pytest.mark.skipif(not HAVE, reason="data set quickdraw-shapes not here")


@pytest.fixture(scope="module")
def lines():
    return {s.source.rsplit("/", 1)[-1]: s for s in load_named("quickdraw-shapes") if s.label == "line"}


def test_one_stroke_joins_in_drawing_order_and_drops_far_pen_lifts(lines):
    from training.studies.vocabulary_study import MAX_GAP, one_stroke, pen_lift_gaps
    # line.ndjson:39: a line drawn in two strokes, the second starting where the first ended
    s = lines["line.ndjson:39"]
    assert len(s.segments) == 2 and pen_lift_gaps(s.segments)[0] < 0.05
    joined = one_stroke(s.segments)
    assert joined is not None and np.array_equal(joined, np.concatenate(s.segments))
    assert np.array_equal(joined[0], s.segments[0][0]) and np.array_equal(joined[-1], s.segments[1][-1])
    # line.ndjson:16: two strokes with the pen lifted across the whole drawing: not one wand stroke
    far = lines["line.ndjson:16"]
    assert max(pen_lift_gaps(far.segments)) > 0.9 and one_stroke(far.segments) is None
    # every single-stroke line is kept unchanged; a drawing is dropped exactly when a jump is too far
    for s in lines.values():
        kept = one_stroke(s.segments) is not None
        assert kept == (len(s.segments) == 1 or max(pen_lift_gaps(s.segments)) <= MAX_GAP)


def test_parts_are_by_player():
    from training.studies.vocabulary_study import quickdraw_drawings
    drawings, kept = quickdraw_drawings()
    split = load_split("quickdraw-shapes")
    part_of = {}
    for d in drawings:
        assert part_of.setdefault(d.person, d.part) == d.part  # no player in two parts
        assert split.part_of_person(d.person) == d.part
    parts = {d.part for d in drawings}
    assert parts == {"train", "validation", "test"}
    assert sum(v["kept"] for v in kept.values()) == len(drawings) < sum(v["of"] for v in kept.values())


def test_quick_run_writes_the_reported_fields(tmp_path):
    from training.studies.vocabulary_study import main
    assert main(["--quick", "--methods", "protractor-1nn", "dtw-1nn", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "vocabulary.json").read_text())
    assert (tmp_path / "vocabulary.png").stat().st_size > 0
    assert r["quick"] and r["vocabulary_size"] == len(r["vocabulary"]) >= 8
    assert set(r["left_out"]).isdisjoint(r["vocabulary"]) and r["chosen_method"] in r["test"]
    for part in ("validation", "test"):
        for fig in r[part].values():
            assert {"mean", "sd", "t95", "wilson95", "drawings", "genuine_accepted", "others_accepted"} <= set(fig)
            assert 0.0 <= fig["mean"] <= 1.0 and fig["wilson95"][0] <= fig["mean"] <= fig["wilson95"][1]
    assert r["test"][r["chosen_method"]]["drawings"] == r["players"]["test"]["vocabulary"]
    assert set(r["test_per_shape"]) == set(r["vocabulary"])
    wand = r["cross_domain"][r["chosen_method"]]
    assert wand["circle_cw"]["tries"] == 20 and sum(wand["circle_cw"]["called"].values()) == 20
    assert wand["petewarden digit 1"]["tries"] == 100
    assert all(m["int8_bytes"] > 0 for m in r["model_sizes"].values())
    # both domains in the drawer's view, y up: canvas mountains peak upwards, wand swipes go down
    frac = {k: int(v.split("/")[0]) / int(v.split("/")[1]) for k, v in r["orientation"].items()}  # "k/n"
    assert frac["canvas mountain: highest point above the start"] > 0.9
    assert frac["wand swipe_down: ends below its start"] >= 0.8
    assert frac["wand diagonal_up_left: ends up and left"] >= 0.8
