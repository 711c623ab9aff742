"""6DMG air-written words (issue 19): the loader on the real files, which way is up, the
writer split, cutting words into letters (equal arc length and forced alignment with the
shipped model) and the real air-writing rows of `wand bench strokes --quick`."""

from __future__ import annotations

import json
import re
import struct
from collections import Counter

import numpy as np
import pytest

from training.sixdmg_letters import (CUT_FILE, CutWord, align, cut_words, dtw_scorer, equal_cuts, length_shares,
                                     load_letters, shipped_scorer)
from wand import bench
from wand.datasets import Stroke, load_dataset, load_named, load_split
from wand.errors import GestureFileError

from helpers import needs_dataset

SIXDMG = "6dmg-airwriting-words"
needs_6dmg = needs_dataset(SIXDMG)
needs_unipen = needs_dataset("unipen-digits-upper")  # the DTW aligner's templates


@pytest.fixture(scope="module")
def words():
    return load_named(SIXDMG)


# --- loader ------------------------------------------------------------------------------


@needs_6dmg
def test_loader_reads_every_word_with_its_letters_and_writer(words):
    # SOURCE.md: 18 writers x 150 words = 2,700 files; labels are 2-4 capitals.
    assert len(words) == 2700
    per_writer = Counter(w.person for w in words)
    assert len(per_writer) == 18 and set(per_writer.values()) == {150}
    assert all(re.fullmatch(r"[A-Z]{2,4}", w.label) for w in words)
    assert sum(len(w.label) for w in words) == 10362
    by_word = Counter(w.label for w in words)  # 100 words by every writer + 900 by one writer each
    assert len(by_word) == 1000 and sum(v == 18 for v in by_word.values()) == 100 and by_word["ARCH"] == 18
    frames = [len(w.points) for w in words]
    assert min(frames) == 90 and max(frames) == 772 and sum(frames) == 820028
    w = words[0]
    assert w.person == "C1" and w.label == "ACCO" and w.source.endswith("C1_ACCO.htk")
    assert abs(np.std(np.concatenate([x.points[:, 1] for x in words[:150]]))) > 0.5  # unit-variance y per word


@needs_6dmg
def test_y_points_up_an_L_or_a_T_starts_at_the_top_left_of_its_letter(words):
    # "L" and "T" both begin at the top left (the L's stem, the T's bar). In the first
    # letter of words that start with one (equal cut: the letter plus its joining motion),
    # the first frame lies in the top 30% of the letter's box and its left half for nearly
    # every word; with y flipped (canvas convention) it would lie in the bottom 30%.
    for first in "LT":
        starts = []
        for w in (w for w in words if w.label.startswith(first)):
            p = equal_cuts(w).letters()[0].points
            starts.append((p[0] - p.min(axis=0)) / (p.max(axis=0) - p.min(axis=0)))
        rel = np.array(starts)
        assert len(rel) >= 100
        assert (rel[:, 1] > 0.7).mean() > 0.85 and (rel[:, 1] < 0.3).mean() < 0.05, first
        assert (rel[:, 0] < 0.5).mean() > 0.85, first


def _htk(path, frames: int, size: int = 16, kind: int = 9, cut: int = 0) -> None:
    body = np.arange(frames * 4, dtype=">f4").tobytes()
    data = struct.pack(">iihh", frames, 1, size, kind) + body
    path.write_bytes(data[:len(data) - cut])


def test_loader_reads_htk_and_refuses_bad_files_with_one_line(tmp_path):
    _htk(tmp_path / "Q9_AB.htk", 5)
    got = load_dataset(tmp_path, "6dmg-words")
    assert len(got) == 1 and got[0].person == "Q9" and got[0].label == "AB"
    assert np.array_equal(got[0].points[1], [4.0, 5.0])  # x, y of frame 1; vx, vy dropped
    _htk(tmp_path / "Q9_AB.htk", 5, cut=3)
    with pytest.raises(GestureFileError, match=r"Q9_AB\.htk: not a 6DMG NP2DuvNV2D HTK file") as e:
        load_dataset(tmp_path, "6dmg-words")
    assert "\n" not in str(e.value)
    _htk(tmp_path / "Q9_AB.htk", 5)
    _htk(tmp_path / "notes.htk", 5)
    with pytest.raises(GestureFileError, match=r"notes\.htk: file name is not <writer>_<LETTERS>\.htk"):
        load_dataset(tmp_path, "6dmg-words")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GestureFileError, match=r"no .*\*\.htk files"):
        load_dataset(tmp_path / "empty", "6dmg-words")


# --- split -------------------------------------------------------------------------------


@needs_6dmg
def test_split_is_by_writer_disjoint_and_covers_every_writer(words):
    split = load_split(SIXDMG)
    parts = split.apply(words)  # raises if a writer is in no part
    people = {p: {w.person for w in v} for p, v in parts.items()}
    assert [len(people[p]) for p in ("train", "validation", "test")] == [10, 4, 4]
    assert not (people["train"] & people["validation"] or people["train"] & people["test"]
                or people["validation"] & people["test"])
    assert set().union(*people.values()) == {w.person for w in words}
    assert sum(len(v) for v in parts.values()) == 2700


# --- cutting -----------------------------------------------------------------------------


def _covers_in_order(cw: CutWord) -> None:
    """N pieces, in order, sharing only their cut frames, together exactly the word."""
    n, last = len(cw.word.label), len(cw.word.points) - 1
    assert len(cw.cuts) == n + 1 and cw.cuts[0] == 0 and cw.cuts[-1] == last
    assert all(a < b for a, b in zip(cw.cuts, cw.cuts[1:]))
    letters = cw.letters()
    assert [s.label for s in letters] == list(cw.word.label)
    joined = np.concatenate([letters[0].points] + [s.points[1:] for s in letters[1:]])
    assert np.array_equal(joined, cw.word.points)  # every frame, in order; the cut frame ends one, starts the next


@needs_6dmg
@needs_unipen
def test_equal_and_aligned_cuts_return_n_pieces_covering_the_word_in_order(words):
    sample = words[::270]
    for how in ("equal", "aligned", "dtw-aligned"):
        for cw in cut_words(sample, how):
            assert cw.how == how
            _covers_in_order(cw)
    arc = [np.linalg.norm(np.diff(s.points, axis=0), axis=1).sum() for s in equal_cuts(words[0]).letters()]
    assert max(arc) / min(arc) < 1.1  # equal arc length, to within one frame's step


def _letter(kind: str, n: int = 60) -> np.ndarray:
    """A letter drawn with a slow start and end (speed minima where a pen would pause)."""
    s = (1 - np.cos(np.linspace(0, np.pi, n))) / 2  # 0..1, slow at both ends
    if kind == "L":
        down = np.stack([np.zeros(n), 1 - s], axis=1)
        right = np.stack([0.6 * s, np.zeros(n)], axis=1)
        return np.concatenate([down, right[1:]])
    if kind == "O":  # anticlockwise from the top
        a = np.pi / 2 + 2 * np.pi * s
        return np.stack([0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)], axis=1)
    raise ValueError(kind)


def test_forced_alignment_finds_where_one_letter_ends_and_the_next_begins():
    # "LO": an L, a straight joining move to the top of an O, the O; the true boundary is
    # the L's end. The shipped model (letters only) must put the cut at the joining move.
    L, O = _letter("L"), _letter("O") + [1.2, 0.0]
    join = np.linspace(L[-1], O[0], 12)[1:-1]
    pts = np.concatenate([L, join, O])
    word = Stroke(label="LO", segments=[pts], person="synthetic", source="LO.htk")
    cw = align(word, shipped_scorer())
    _covers_in_order(cw)
    assert len(L) - 3 <= cw.cuts[1] <= len(L) + len(join) + 3, cw.cuts
    # a word of one stroke shape cut into the wrong letters scores lower than the truth
    wrong = align(Stroke(label="OL", segments=[pts], person="synthetic", source="OL.htk"), shipped_scorer())
    assert wrong.score < cw.score


@needs_unipen
def test_dtw_alignment_finds_the_same_boundary_without_the_model():
    L, O = _letter("L"), _letter("O") + [1.2, 0.0]
    join = np.linspace(L[-1], O[0], 12)[1:-1]
    word = Stroke(label="LO", segments=[np.concatenate([L, join, O])], person="synthetic", source="LO.htk")
    cw = align(word, dtw_scorer(), "dtw-aligned")
    _covers_in_order(cw)
    assert cw.how == "dtw-aligned" and len(L) - 3 <= cw.cuts[1] <= len(L) + len(join) + 3, cw.cuts


@needs_6dmg
def test_cut_file_holds_every_word_and_letters_load_per_part(words):
    data = json.loads(CUT_FILE.read_text())
    assert len(data["cuts"]) == 2700 and data["dataset"] == SIXDMG
    stats = json.loads(CUT_FILE.with_name("cut-stats.json").read_text())["stats"]
    assert {p: stats[p]["letters"] for p in stats} == {"train": 5753, "validation": 2308, "test": 2301}
    med = stats["validation"]["median_share_by_letter"]
    assert med["I"] < 1.0 < med["E"]  # plausibility: one-stroke letters short, four-stroke letters long
    got = load_letters(("validation",), "aligned", words_per_writer=3)["validation"]
    writers = load_split(SIXDMG).people["validation"]
    firsts = [w for p in writers for w in [x for x in words if x.person == p][:3]]
    assert "".join(s.label for s in got) == "".join(w.label for w in firsts)  # every letter, in writing order
    assert {s.person for s in got} == set(writers)
    assert all(len(s.label) == 1 and s.meta["cut"] == "aligned" for s in got)


def test_length_shares_are_one_for_an_even_split():
    w = Stroke(label="AB", segments=[np.stack([np.arange(11.0), np.zeros(11)], axis=1)])
    assert np.allclose(length_shares([CutWord(w, [0, 5, 10], "equal")]), [1.0, 1.0])


# --- bench -------------------------------------------------------------------------------


@needs_6dmg
def test_bench_strokes_quick_has_the_real_air_writing_rows(strokes_quick):
    text, tmp_path = strokes_quick
    assert "capitals in REAL air-writing" in text and "caveat: aligned cuts" in text
    res = json.loads((tmp_path / "strokes" / "results.json").read_text())
    assert res["label"] == bench.SMOKE
    air = {f["test"]: f for f in res["air_letters"]}
    assert set(air) == {f"6DMG {p} writers, {h} cuts" for p in ("validation", "test")
                        for h in ("aligned", "dtw-aligned", "equal")}
    val, test = set(load_split(SIXDMG).people["validation"]), set(load_split(SIXDMG).people["test"])
    for name, f in air.items():
        assert f["active"] == "letters" and f["letters"] > 0 and f["words"] > 0
        assert set(f["people"]) == (test if "test" in name else val)
        assert set(f["shipped_per_writer"]) == set(f["people"])
        wrong = round((1 - f["shipped"]["mean"]) * f["letters"])
        assert sum(n for _, _, n in f["shipped_top_confusions"]) <= wrong
        assert all(a != b and len(a) == len(b) == 1 for a, b, _ in f["shipped_top_confusions"])
        assert len(f["shipped"]["per_seed"]) == 1 and len(f["ours"]["per_seed"]) == len(f["dtw"]["per_seed"]) == 1
        assert 0.0 <= f["shipped"]["mean"] <= 1.0 and f["shipped"]["tries"] == f["letters"]
        judged = "test" in name and not name.endswith(" aligned cuts")  # model-made cuts never judge the model
        assert f["verdict"] == (bench.SMOKE if judged else "not judged (cut by the model)" if "test" in name else "-")
        assert f["target"] == (0.97 if "test" in name else None)


@needs_6dmg
def test_stroke_model_trains_on_train_writers_air_letters_cut_without_a_model():
    from training.sixdmg_letters import read_cut_file
    from training.strokes import Recipe, _INDEX, air_letters

    assert Recipe().air_letters == "dtw-aligned"  # the shipped recipe: cuts no model made
    data = json.loads(CUT_FILE.with_name("cut-stats-dtw.json").read_text())
    assert "model_crc32" not in data and data["stats"]["train"]["letters"] == 5753
    assert read_cut_file("dtw-aligned") is not None  # stamped with today's rule: read, not re-cut
    air = air_letters("dtw-aligned", report=lambda s: pytest.fail(f"re-cut instead of reading the file: {s}"))
    train = set(load_split(SIXDMG).people["train"])
    assert {p.removeprefix("6dmg:") for p in air.people} == train  # never a validation or test writer
    assert len(air.y) == len(air.points) == 5753
    letters = {i for n, i in _INDEX.items() if n.startswith("letter_")}
    assert set(air.y.tolist()) == letters  # all 26 capitals, nothing else
