"""The stroke model (issue 19): UNIPEN loader on the real files, its writer split, the
featurizing and augmentation seams, and the shipped int8 model and its firmware copy."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest

from training.export import FIRMWARE_MODEL_DIR
from training.strokes import featurize, load_parts, vocabulary_name
from training.strokes import Labelled, Recipe, make_set
from training.strokes_augment import air_write, allowed_forms, draw_form, one_stroke_forms
from training.strokes_export import (ARENA_BYTES_MAX, MODEL_BYTES_MAX, check_io, check_ops, read_stroke_c_array,
                                     resolver_ops)
from wand.characters import STROKE_LABELS, STROKE_OTHER
from wand.datasets import load_named, load_split
from wand.datasets.unipen import _Ink, _pieces
from wand.errors import ModelError
from wand.model import load_model
from wand.stroke_model import STROKE_MODEL, StrokeInterpreter, load_stroke_model
from wand.wand_core.classifier import measure_arena, open_interpreter

from helpers import needs_dataset

UNIPEN = "unipen-digits-upper"


needs_unipen = needs_dataset(UNIPEN)
needs_digits = needs_dataset("petewarden-digits")


@pytest.fixture(scope="module")
def unipen():
    return load_named(UNIPEN)


# --- loader ------------------------------------------------------------------------------


@needs_unipen
def test_unipen_counts_labels_and_writer_keys(unipen):
    # SOURCE.md: 12,400 digits + 20,730 capitals = 33,130 characters, 206 writer ids
    # counted per contributor. (val writes ".WRITER_ID<tab>val02": a tab, not a space;
    # read wrongly, its 2 writers became 69 one-letter "writers" split across parts.)
    assert len(unipen) == 33130
    labels = Counter(s.label for s in unipen)
    assert sorted(labels) == list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert sum(labels[d] for d in "0123456789") == 12400
    people = {s.person for s in unipen}
    assert len(people) == 206
    assert {p for p in people if p.startswith("val:")} == {"val:val01", "val:val02"}
    contributors = {p.split(":", 1)[0] for p in people}
    assert contributors == {"apb", "app", "cea", "ceb", "ced", "ibm", "imp", "kai", "lou", "pri", "syn", "val"}
    assert all(p.split(":", 1)[1] for p in people), "every key names a writer after the contributor"
    assert all(vocabulary_name(s) in STROKE_LABELS for s in unipen)


@needs_unipen
def test_unipen_y_points_up_a_seven_starts_top_left(unipen):
    sevens = [s for s in unipen if s.label == "7"]
    top_left = 0
    for s in sevens:
        p = s.points
        mid = (p.min(axis=0) + p.max(axis=0)) / 2
        top_left += p[0, 0] < mid[0] and p[0, 1] > mid[1]
    assert top_left / len(sevens) > 0.9
    ells = [s for s in unipen if s.label == "L"]  # an L ends bottom-right of where it starts
    down_right = sum(s.points[-1, 1] < s.points[0, 1] and s.points[-1, 0] > s.points[0, 0] for s in ells)
    assert down_right / len(ells) > 0.9


@needs_unipen
def test_unipen_multi_stroke_characters_keep_their_strokes_in_writing_order(unipen):
    fours = [s for s in unipen if s.label == "4"]
    multi = [s for s in fours if len(s.segments) > 1]
    assert 0.2 < len(multi) / len(fours) < 0.95  # many people lift the pen in a "4"
    s = multi[0]
    assert len(s.points) == sum(len(seg) for seg in s.segments)  # joined, pen-up jump bridged
    assert np.array_equal(s.points[len(s.segments[0])], s.segments[1][0])


def test_component_ranges_with_points_and_lists():
    ink = _Ink(down=[True, False, True, True], points=[np.zeros((10, 2))] * 4, writer=["w"] * 4)
    assert _pieces("0", ink) == [(0, 0, 10)]
    assert _pieces("2-3", ink) == [(2, 0, 10), (3, 0, 10)]
    assert _pieces("0:3-2:4", ink) == [(0, 3, 10), (1, 0, 10), (2, 0, 5)]
    assert _pieces("0,2:1-2:2", ink) == [(0, 0, 10), (2, 1, 3)]


@needs_unipen
def test_unipen_split_is_by_writer_and_every_part_has_every_character(unipen):
    parts = load_split(UNIPEN).apply(unipen)
    people = {p: {s.person for s in v} for p, v in parts.items()}
    assert not (people["train"] & people["validation"] or people["train"] & people["test"]
                or people["validation"] & people["test"])
    for p, v in parts.items():
        assert len({s.label for s in v}) == 36, p
    assert len(parts["train"]) > 2 * len(parts["test"])


@needs_unipen
def test_training_parts_never_hold_test_writers_or_wand_digits():
    got = load_parts(("train",))["train"]
    split = load_split(UNIPEN)
    unipen_people = {p for p in got.people if ":" in p}
    assert unipen_people and all(split.part_of_person(p) == "train" for p in unipen_people)
    assert "petewarden" not in got.people
    assert {STROKE_LABELS[int(y)] for y in got.y} == set(STROKE_LABELS)  # all 44 classes have data


# --- featurizing and augmentation --------------------------------------------------------


def test_featurize_is_the_chips_int8_input_and_ignores_scale_and_offset():
    t = np.linspace(0, 2 * np.pi, 50)
    pts = np.stack([np.cos(t), np.sin(t) * 0.5], axis=1)
    a, b = featurize(pts), featurize(pts * 37.0 + 1000.0)
    assert a.dtype == np.int8 and a.shape == (32, 4)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1  # integer rounding only
    assert a[:, 0].max() >= 126 and a[:, 0].min() <= -126  # the larger side spans -127..127
    assert featurize(np.zeros((5, 2))) is None


def test_air_writing_stays_the_same_shape_roughly_and_is_reproducible():
    t = np.linspace(0, 1, 40)
    line = np.stack([t, t * 0.0], axis=1)  # a stroke to the right
    a = air_write(line, np.random.default_rng(3))
    assert np.array_equal(a, air_write(line, np.random.default_rng(3)))
    assert not np.array_equal(a, air_write(line, np.random.default_rng(4)))
    assert len(a) >= len(line)
    d = a[-1] - a[0]
    assert d[0] > 0 and abs(d[1]) < d[0]  # still goes right: rotation <= 15 deg, bends are short


def _pen_four():
    """A pen "4": the bent stroke (top left, down, right along the crossbar), then the upright."""
    bent = np.array([[0.2, 1.0], [0.0, 0.35], [1.0, 0.35]])
    upright = np.array([[0.65, 0.9], [0.65, 0.0]])
    return [bent, upright]


def test_one_stroke_forms_start_with_writing_order_and_hold_every_order_and_direction():
    four = _pen_four()
    forms = one_stroke_forms(four)
    assert forms[0].order == (0, 1) and forms[0].reverse == (False, False) and forms[0].travel == 1.0
    assert len(forms) == 8 and len({(f.order, f.reverse) for f in forms}) == 8  # 2! x 2^2
    assert len(one_stroke_forms([np.zeros((3, 2))] * 3)) == 48  # 3! x 2^3
    assert len(one_stroke_forms([np.zeros((3, 2))] * 5)) == 1  # too many strokes: writing order only
    assert len(one_stroke_forms(four[:1])) == 1
    # Pete Warden's wand 4: crossbar right to left, up the diagonal, down the upright:
    wand_four = draw_form(four, next(f for f in forms if f.order == (0, 1) and f.reverse == (True, False)))
    assert np.array_equal(wand_four[0], [1.0, 0.35]) and np.array_equal(wand_four[-1], [0.65, 0.0])
    assert len(wand_four) == 5


def test_shorter_rule_keeps_only_forms_that_travel_no_farther_than_writing_order():
    four = _pen_four()
    forms = one_stroke_forms(four)
    shorter = allowed_forms(forms, "shorter")
    assert shorter and all(f.travel <= 1.0 + 1e-9 for f in shorter)
    assert len(shorter) < len(allowed_forms(forms, "any")) == 7
    start = next(f for f in shorter if f.reverse == (True, False) and f.order == (0, 1))  # the wand 4 travels less
    assert start.travel < 1.0
    with pytest.raises(ValueError, match="unknown one-stroke form rule"):
        allowed_forms(forms, "sideways")


def test_make_set_draws_other_forms_only_when_asked():
    four = _pen_four()
    data = Labelled([np.concatenate(four)], np.array([4]), ["w"], [four])
    no_aug = Recipe(copies=1, clean=False, forms_p=0.0, augment=_still_air())
    all_forms = Recipe(copies=1, clean=False, forms_p=1.0, augment=_still_air())
    writing = featurize(np.concatenate(four))
    x0, _ = make_set(data, no_aug, np.random.default_rng(0))
    assert np.array_equal(x0[0], writing)
    got = [make_set(data, all_forms, np.random.default_rng(k))[0][0] for k in range(6)]
    assert all(not np.array_equal(g, writing) for g in got)  # another form every time
    starts = {(int(g[0, 0]), int(g[0, 1])) for g in got}
    assert len(starts) > 1  # and not always the same one


def _still_air():
    """Air-writing augmentation that changes nothing, so forms are seen alone."""
    from training.strokes_augment import AirWriting
    return AirWriting(rotate_deg=0.0, shear=0.0, log_aspect=0.0, lead_p=0.0, wobble=0.0)


# --- the shipped model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_stroke_model()


def test_shipped_model_quantization_and_labels(shipped):
    # the vocabulary, then everyday motion as "other" (the mass the active set does not reach)
    assert tuple(shipped.labels) == STROKE_LABELS + (STROKE_OTHER,)
    assert shipped.meta["info"]["recipe"]["everyday_rounds"] > 0
    check_io(shipped.tflite)
    it = open_interpreter(shipped.tflite, 64 * 1024)
    i, o = it.get_input_details(0), it.get_output_details(0)
    assert i["dtype"] == np.int8 and tuple(i["shape"]) == (1, 32, 4)
    assert float(i["quantization_parameters"]["scales"][0]) == 1.0
    assert int(i["quantization_parameters"]["zero_points"][0]) == 0
    assert o["dtype"] == np.int8 and tuple(o["shape"]) == (1, len(STROKE_LABELS) + 1)
    assert int(o["quantization_parameters"]["zero_points"][0]) == -128


def test_shipped_model_fits_the_chip_and_its_firmware_copy_is_the_same(shipped):
    assert len(shipped.tflite) <= MODEL_BYTES_MAX
    assert shipped.arena_bytes == measure_arena(shipped.tflite, (32, 4)) <= ARENA_BYTES_MAX
    assert read_stroke_c_array(FIRMWARE_MODEL_DIR / "stroke_model_data.cc") == shipped.tflite
    h = (FIRMWARE_MODEL_DIR / "stroke_model_data.h").read_text()
    assert f"kModelCrc32 = 0x{shipped.crc32:08x}u" in h and f"kNumClasses = {len(STROKE_LABELS) + 1}" in h
    # one op resolver serves both models: every stroke-model op is registered
    assert set(check_ops(shipped.tflite)) <= set(resolver_ops())
    meta = json.loads(STROKE_MODEL.with_suffix(".json").read_text())
    assert meta["info"]["seed"] is not None and "validation" in meta["info"]


def test_check_io_refuses_a_model_with_another_input():
    with pytest.raises(ModelError, match="scale 1.0, zero point 0"):
        check_io(load_model().tflite)  # the IMU model: (1, W, 6), scale 1/128


def test_a_stroke_model_that_does_not_match_its_metadata_is_refused(tmp_path):
    shutil.copy(STROKE_MODEL, tmp_path / "m.tflite")
    meta = json.loads(STROKE_MODEL.with_suffix(".json").read_text())
    meta["crc32"] ^= 1
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="does not match"):
        load_stroke_model(tmp_path / "m.tflite")


@needs_digits
def test_shipped_model_names_real_wand_digits(shipped):
    """Pete Warden's wand digits, never trained on: 5 per digit, digits-only active set."""
    strokes = load_named("petewarden-digits")
    picks = [s for d in "0123456789" for s in [t for t in strokes if t.label == d][:5]]
    it = StrokeInterpreter(shipped)
    right = sum(int(np.argmax(it(featurize(s.points))[:10])) == int(s.label) for s in picks)
    assert right >= 0.8 * len(picks)


@pytest.mark.parametrize("text, what", [
    ("[]", "not a JSON object"), ('"x"', "not a JSON object"),  # once AttributeError: 'list' has no 'get'
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # once RecursionError
    (b"\xff\xfe{}", "not UTF-8 text"),  # once UnicodeDecodeError
    (lambda m: m | {"arena_bytes": "big"}, "arena_bytes 'big'"),  # once ValueError from int()
    (lambda m: m | {"arena_bytes": None}, "arena_bytes None"),  # once TypeError
    (lambda m: m | {"arena_bytes": 10 ** 12}, "arena_bytes 1000000000000"),  # once MemoryError: std::bad_alloc
    (lambda m: m | {"labels": 5}, "labels 5"),  # once TypeError: 'int' object is not iterable
])
def test_hand_edited_stroke_model_metadata_is_one_line_naming_the_file(tmp_path, text, what):
    """``wand demo`` and ``wand run`` load the shipped stroke model: a hand-edited
    ``stroke_model.json`` is a ModelError naming it (the simulator then runs without strokes), never
    an internal error."""
    shutil.copy(STROKE_MODEL, tmp_path / "m.tflite")
    meta = json.loads(STROKE_MODEL.with_suffix(".json").read_text())
    text = json.dumps(text(meta)) if callable(text) else text
    (tmp_path / "m.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ModelError) as e:
        load_stroke_model(tmp_path / "m.tflite")
    msg = str(e.value)
    assert what in msg and str(tmp_path / "m.json") in msg and "\n" not in msg
