"""Loaders for the real data sets and the project's own recording format."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from wand.datasets import (
    DATASETS, GESTURES_DIR, PARTS, REPO_ROOT, TTI_ROWS_PER_TRY, find_dataset, load_dataset, load_named, load_split,
    read_tti_csv,
)
from wand.datasets.splits import SPLITS_DIR
from wand.errors import GestureFileError
from wand.recordings import Recording, read_wand_csv, write_wand_csv

SHARED = REPO_ROOT.parent / "shared" / "datasets" / "tiny-trainable-instruments"
OURS = GESTURES_DIR / "datasets" / "tiny-trainable-instruments"


def test_project_copy_is_byte_identical_to_the_shared_data_set():
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets not beside this checkout")
    files = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert hashlib.sha256((OURS / rel).read_bytes()).digest() == hashlib.sha256((SHARED / rel).read_bytes()).digest(), rel


def test_tti_loader_reads_every_session(tti_recordings):
    assert len(tti_recordings) == 90  # 3 sessions x 3 gestures x 10 tries
    assert {r.samples.shape for r in tti_recordings} == {(TTI_ROWS_PER_TRY, 6)}
    assert {r.session for r in tti_recordings} == {"data", "peter-data", "20210623"}
    first = tti_recordings[0].samples[0]
    assert first.dtype == np.int32 and abs(first[2]) < 16000  # mg, not g


def test_tti_loader_cuts_peter_data_at_the_motion_onsets():
    """peter-data's blank lines are misplaced; 119-row cuts put each onset at row 0."""
    recs = read_tti_csv(OURS / "notebooks/gesture/peter-data/gesture0.csv")
    for prev, cur in zip(recs, recs[1:]):
        still_before = np.abs(prev.samples[-3:, 3:]).sum(axis=1).max()
        moving_now = np.abs(cur.samples[0, :3]).sum()
        assert still_before < 600 and moving_now > 1800  # < 60 dps at the end, > 1.8 g at the start


def test_vocabulary_names_model_and_unseen_gestures(vocab):
    roles = {g.role for g in vocab.values()}
    assert roles == {"model", "unseen"}
    assert len(vocab["circle_cw"].recordings()) == 20  # two people
    assert {r.person for r in vocab["circle_cw"].recordings()} == {"tti-data", "tti-peter"}


def test_unknown_format_and_missing_folder_are_clear(tmp_path):
    with pytest.raises(GestureFileError, match="unknown data format 'xml'"):
        load_dataset(tmp_path, "xml")
    with pytest.raises(GestureFileError, match="no such folder"):
        load_dataset(tmp_path / "nope", "tti-csv")


def test_bad_tti_file_names_file_and_line(tmp_path):
    bad = tmp_path / "gesture0.csv"
    bad.write_text("aX,aY,aZ,gX,gY,gZ\n0.1,0.2,0.3,1,2,3\n0.1,zero,0.3,1,2,3\n")
    with pytest.raises(GestureFileError, match=r"gesture0.csv:3: not a number"):
        read_tti_csv(bad)
    bad.write_text("aX,aY,aZ,gX,gY,gZ\n" + "0.1,0.2,0.3,1,2,3\n" * 5)
    with pytest.raises(GestureFileError, match="5 data rows is not a whole number of 119-row tries"):
        read_tti_csv(bad)


def test_bad_sphar_file_names_file_and_line(tmp_path):
    """A hand-edited sp-sw-har row: a missing label (used to be an IndexError) or a field
    that is not a number is one file:line error; a good file still loads, its activities kept."""
    from wand.datasets.sphar import COLUMNS, activity_spans, read_sphar_csv
    head = ",".join(COLUMNS) + "\n"
    good = "".join(f"0,0,9.8,0,0,0,{1000 + 10 * i},{'SEATED' if i < 3 else 'WALKING'}\n" for i in range(6))
    path = tmp_path / "s01_01_sw.csv"
    path.write_text(head + good)
    rec = read_sphar_csv(path)
    assert len(rec.samples) == 6 and activity_spans(rec) == [("SEATED", 0, 3), ("WALKING", 3, 6)]
    for bad_row, line in (("0,0,9.8,0,0,0,2000\n", 8), ("0,zero,9.8,0,0,0,2000,SEATED\n", 8),
                          ("0,0,9.8\n", 8)):
        path.write_text(head + good + bad_row)
        with pytest.raises(GestureFileError, match=rf"s01_01_sw.csv:{line}: not 7 numbers and a label"):
            read_sphar_csv(path)


def test_wand_csv_round_trip_and_never_overwrites(tmp_path):
    rec = Recording("shake", np.arange(60).reshape(10, 6), 50, "alice", meta={"board": "nano33ble-rev2"})
    a = write_wand_csv(rec, tmp_path, stem="same")
    b = write_wand_csv(rec, tmp_path, stem="same")
    assert a != b and a.exists() and b.exists()
    back = read_wand_csv(a)
    assert back.label == "shake" and back.person == "alice" and back.rate_hz == 50
    assert back.meta["board"] == "nano33ble-rev2" and "date" in back.meta
    assert np.array_equal(back.samples, rec.samples)
    assert not [p for p in (tmp_path / "shake").iterdir() if p.name.startswith(".tmp")]


def test_wand_csv_errors_name_the_line(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("# wand-recording v1\n# gesture: x\n# rate_hz: 50\nax_mg,ay_mg,az_mg,gx_ddps,gy_ddps,gz_ddps\n1,2,3,4,5\n")
    with pytest.raises(GestureFileError, match=r"x.csv:5: expected 6 integers, got 5"):
        read_wand_csv(p)
    p.write_text("hello\n")
    with pytest.raises(GestureFileError, match=r"x.csv:1: not a wand recording"):
        read_wand_csv(p)
    p.write_text("# wand-recording v1\nax_mg,ay_mg,az_mg,gx_ddps,gy_ddps,gz_ddps\n1,2,3,4,5,6\n")
    with pytest.raises(GestureFileError, match="missing '# gesture: ...'"):
        read_wand_csv(p)


def test_bad_gesture_names_are_refused(tmp_path):
    with pytest.raises(GestureFileError, match="bad gesture name"):
        write_wand_csv(Recording("../evil", np.zeros((2, 6)), 50), tmp_path)


# --- declared splits (gestures/splits/<data set>.toml) ---------------------------------


def test_every_data_set_has_exactly_one_split_file():
    assert sorted(p.stem for p in SPLITS_DIR.glob("*.toml")) == sorted(DATASETS)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_split_is_disjoint_and_covers_every_person(name):
    try:
        find_dataset(name)
    except GestureFileError:
        pytest.skip(f"data set {name} not here")
    split = load_split(name)
    items = load_named(name)
    parts = split.apply(items)  # raises if a person is in no part
    assert sum(len(v) for v in parts.values()) == len(items)
    assert all(parts[p] for p in PARTS), "every part holds data"
    ids = [{id(x) for x in parts[p]} for p in PARTS]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    if split.single_person:
        assert len({x.person for x in items}) == 1
        assert "ONE person" in split.path.read_text()  # the file says it cannot measure person independence
    else:
        people = [{x.person for x in parts[p]} for p in PARTS]
        assert not (people[0] & people[1] or people[0] & people[2] or people[1] & people[2])
        assert set().union(*people) == {x.person for x in items}
        if split.by == "person":  # nobody listed who is not in the data
            assert {p for ids_ in split.people.values() for p in ids_} == set().union(*people)


def test_tflm_split_is_the_original_examples():
    s = load_split("tflm-magic-wand")
    assert {p for p in s.people["validation"] if not p.startswith("negative")} == {"lsj", "pengxl"}
    assert {p for p in s.people["test"] if not p.startswith("negative")} == {"liucx", "zhangxy"}
    assert {p for p in s.people["train"] if not p.startswith("negative")} == {
        "hyw", "shiyun", "tangsy", "dengyl", "jiangyh", "xunkai"}


def test_bad_split_files_are_named(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('by = "person"\ntrain = ["a"]\ntest = ["a"]\n')
    with pytest.raises(GestureFileError, match=r"x.toml: 'a' is in both train and test"):
        load_split("x", p)
    p.write_text('by = "try"\n')
    with pytest.raises(GestureFileError, match="single_person"):
        load_split("x", p)
    with pytest.raises(GestureFileError, match="splits exist for: .*tflm-magic-wand"):
        load_split("nope")
