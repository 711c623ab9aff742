"""Each data-set loader on the real files, and each source's mapping into the board frame
(forward, right, up; mg and 0.1 deg/s) checked on real samples."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pytest

from wand.datasets import DATASETS, find_dataset, load_named, read_tti_csv
from wand.datasets.frames import SPARKFUN_EDGE_TO_BOARD, WATCH_TO_BOARD
from wand.datasets.sphar import activity_spans
from wand.errors import GestureFileError
from wand.recordings import ACC_ONLY, Recording, write_wand_csv

from helpers import needs_dataset

TTI = "tiny-trainable-instruments"


needs = {n: needs_dataset(n) for n in DATASETS}


@pytest.fixture(scope="module")
def data():
    cache: dict[str, list] = {}

    def get(name):
        if name not in cache:
            cache[name] = load_named(name)
        return cache[name]
    return get


def _smooth(x: np.ndarray, k: int) -> np.ndarray:
    ker = np.ones(k) / k
    return np.stack([np.convolve(x[:, i], ker, mode="same") for i in range(x.shape[1])], axis=1)


def _turn_sense(right: np.ndarray, up: np.ndarray) -> float:
    """> 0 when the vector (right, up) turns anticlockwise as the performer sees it."""
    return float(np.sum(right[:-1] * np.diff(up) - up[:-1] * np.diff(right)))


def _lever_correlation(rec: Recording) -> float:
    """Correlation of the tip's sideways acceleration (right, up) with what a RIGHT-handed
    (forward, right, up) frame predicts from the gyro for a wand along x: d/dt(+gz, -gy).
    A left-handed board frame gives a strongly negative value."""
    a = _smooth(rec.samples[:, :3] / 1000.0, 5)
    w = _smooth(rec.samples[:, 3:] / 10.0, 5)
    a = a - _smooth(a, 31)  # keep the stroke, drop gravity's slow drift
    dw = np.gradient(w, axis=0)
    ay, az, py, pz = a[10:-10, 1], a[10:-10, 2], dw[10:-10, 2], -dw[10:-10, 1]
    return float((ay @ py + az @ pz) / np.sqrt((ay @ ay + az @ az) * (py @ py + pz @ pz)))


def _tti(name: str) -> list[Recording]:
    return read_tti_csv(find_dataset(TTI) / name)


# --- tiny-trainable-instruments: the board frame itself -------------------------------

@needs[TTI]
def test_tti_board_frame_is_forward_right_up_and_left_handed():
    rest = np.concatenate([r.samples[-10:, :3] for r in _tti("notebooks/gesture/data/gesture2.csv")])
    assert rest[:, 2].mean() > 850 and abs(rest[:, 1].mean()) < 150  # at rest: +1 g on z (up)
    push = np.array([r.samples[:5, 0].mean() for r in _tti("notebooks/gesture/data/gesture2.csv")])
    assert np.median(push) > 1000  # "forwards away from you" starts with +x: x is forward
    up_left = [r.samples[:5, 1].mean() for f in ("data", "peter-data")
               for r in _tti(f"notebooks/gesture/{f}/gesture0.csv")]
    up_right = [r.samples[:5, 1].mean() for r in _tti("databases/gesture/custom/20210623/gesture0.csv")]
    assert np.median(up_left) < -500 and np.median(up_right) > 100  # y is right
    # a turn to the left about up is positive gz (as for a right-handed sensor, z up)
    yaw = lambda f: np.median([r.samples[:, 5].sum() for r in _tti(f)])  # noqa: E731
    assert yaw("notebooks/gesture/data/gesture0.csv") > 0 and yaw("notebooks/gesture/peter-data/gesture0.csv") > 0
    assert yaw("databases/gesture/custom/20210623/gesture0.csv") < 0
    # the gyro: the circles' tip motion follows the left-handed relation on every try
    circles = _tti("notebooks/gesture/data/gesture1.csv") + _tti("notebooks/gesture/peter-data/gesture1.csv")
    lever = [_lever_correlation(r) for r in circles]
    assert all(c < 0 for c in lever) and np.median(lever) < -0.6


@needs[TTI]
def test_tti_circle_cw_tries_are_clockwise_as_the_performer_sees_them():
    """Named "counterclockwise" by its readme; acceleration and (left-handed) gyro both say
    clockwise in (right, up), on all 20 tries: so the vocabulary calls it circle_cw."""
    circles = _tti("notebooks/gesture/data/gesture1.csv") + _tti("notebooks/gesture/peter-data/gesture1.csv")
    by_acc, by_gyro = [], []
    for r in circles:
        a = _smooth(r.samples[:, :3] / 1000.0, 7)
        a -= a.mean(axis=0)
        by_acc.append(_turn_sense(a[:, 1], a[:, 2]))
        w = _smooth(r.samples[:, 3:] / 10.0, 7)
        by_gyro.append(_turn_sense(-w[:, 2], w[:, 1]))  # tip velocity (right, up) = L (-gz, +gy)
    assert sum(s < 0 for s in by_gyro) == 20
    assert sum(s < 0 for s in by_acc) >= 19


@needs[TTI]
def test_tti_people_follow_the_vocabulary_ids(data):
    assert Counter(r.person for r in data(TTI)) == {"tti-data": 30, "tti-peter": 30, "tti-20210623": 30}


# --- nano33-spells --------------------------------------------------------------------

@needs["nano33-spells"]
def test_spells_load_five_spells_of_one_person_in_the_board_frame(data):
    recs = data("nano33-spells")
    assert Counter(r.label for r in recs) == {s: 25 for s in (
        "alohomora_charm", "arresto_momentum_charm", "avada_kedavra", "locomotor_charm", "revelio")}
    assert {r.person for r in recs} == {"spells-1"} and {r.samples.shape for r in recs} == {(119, 6)}
    # same board and library: held along x, left-handed like the tti board
    lever = [_lever_correlation(r) for r in recs]
    assert np.median(lever) < -0.6 and np.mean(np.array(lever) < 0) > 0.95
    g = np.linalg.norm(np.concatenate([r.samples[-5:, :3] for r in recs]), axis=1)
    assert 800 < np.median(g) < 1300  # mg


# --- TFLM magic_wand (SparkFun Edge, accelerometer only) -------------------------------

@needs["tflm-magic-wand"]
def test_tflm_tries_per_person_match_the_source(data):
    recs = data("tflm-magic-wand")
    counts = Counter((r.label, r.person) for r in recs)
    expected = {"dengyl": (20, 21, 22), "hyw": (40, 40, 40), "jiangyh": (21, 22, 27), "liucx": (20, 21, 22),
                "lsj": (22, 22, 24), "pengxl": (19, 20, 20), "shiyun": (27, 20, 20), "tangsy": (10, 10, 10),
                "xunkai": (23, 21, 21), "zhangxy": (21, 21, 22)}
    for person, tries in expected.items():
        assert tuple(counts[(g, person)] for g in ("wing", "ring", "slope")) == tries, person
    assert {r.channels for r in recs} == {ACC_ONLY} and {r.samples.shape[1] for r in recs} == {3}
    cont = [r for r in recs if r.meta["kind"] == "continuous"]
    assert sorted({r.person for r in cont}) == [f"negative{i}" for i in range(1, 6)]
    assert 5 < sum(len(r.samples) for r in cont) / 25 / 60 < 7  # "about 6 minutes together"


@needs["tflm-magic-wand"]
def test_tflm_mapped_with_a_mirror_so_rings_turn_clockwise_and_gravity_is_up(data):
    assert round(np.linalg.det(SPARKFUN_EDGE_TO_BOARD)) == -1
    recs = data("tflm-magic-wand")
    g = np.concatenate([r.samples for r in recs])
    assert np.median(g[:, 2]) > 600  # up
    starts = np.array([r.samples[:3].mean(axis=0) for r in recs if r.label != "negative"])
    assert np.median(starts[:, 0]) > 400  # tip raised at the start: forward tilts up
    slope_end = np.median([r.samples[-5:, 0].mean() for r in recs if r.label == "slope"])
    assert slope_end < 200  # a slope ends low, the wand level again
    rings = [r for r in recs if r.label == "ring"]
    cw = 0
    for r in rings:
        a = _smooth(r.samples / 1000.0, 3)
        a -= a.mean(axis=0)
        cw += _turn_sense(a[:, 1], a[:, 2]) < 0
    assert cw == len(rings)  # the example's "O" is clockwise

    def first_move(r: Recording) -> np.ndarray:
        a = r.samples.astype(float)
        d = np.linalg.norm(a - a[:3].mean(axis=0), axis=1)
        i = int(np.argmax(d > 250))
        return a[i:i + 3].mean(axis=0) - a[:3].mean(axis=0)
    slope_first = np.array([first_move(r) for r in recs if r.label == "slope"])
    ring_first = np.array([first_move(r) for r in recs if r.label == "ring"])
    assert np.mean(slope_first[:, 1] < 0) > 0.9  # a slope sets off down to the LEFT
    assert np.mean(ring_first[:, 1] > 0) > 0.7  # a ring sets off from the top to the RIGHT


@needs["tflm-magic-wand"]
def test_tflm_recordings_refuse_to_become_wand_recordings(data, tmp_path):
    rec = data("tflm-magic-wand")[0]
    with pytest.raises(GestureFileError, match="accelerometer and gyroscope"):
        write_wand_csv(rec, tmp_path)


# --- sp-sw-har (smartwatch everyday motion) --------------------------------------------

@needs["sp-sw-har"]
def test_sphar_resampled_people_units_and_gravity_when_seated(data):
    recs = data("sp-sw-har")
    assert len(recs) == 223 and len({r.person for r in recs}) == 23 and {r.rate_hz for r in recs} == {100}
    assert 40 < sum(r.duration_s for r in recs) / 60 < 44  # about 42 minutes
    assert round(np.linalg.det(WATCH_TO_BOARD)) == -1
    seated = np.array([r.samples[a:b, :3].mean(axis=0) for r in recs for lab, a, b in activity_spans(r)
                       if lab == "SEATED"])
    assert np.median(seated[:, 2]) > 700  # face up, forearm resting: up
    assert 900 < np.median(np.linalg.norm(seated, axis=1)) < 1100  # m/s^2 became mg


@needs["sp-sw-har"]
def test_sphar_turns_have_the_board_sign_of_rotation(data):
    """Board convention (from the tti wand): rotation about up is positive for a left turn.
    Every recording's first turn, projected on gravity, has the sign its execution log gives."""
    info = {r["execution_id"]: r["first_turn"] for r in
            csv.DictReader(open(find_dataset("sp-sw-har") / "DATA/executions_info.csv"))}
    agree = 0
    recs = data("sp-sw-har")
    for r in recs:
        lab, a, b = next(s for s in activity_spans(r) if s[0] == "TURNING")
        x = r.samples[a:b].astype(float)
        yaw = np.sum(x[:, 3:] * x[:, :3] / np.linalg.norm(x[:, :3], axis=1, keepdims=True))
        agree += (yaw > 0) == (info[r.session.removesuffix("_sw")] == "l")
    assert agree == len(recs)


# --- strokes ----------------------------------------------------------------------------

@needs["petewarden-digits"]
def test_digit_strokes_are_drawn_with_y_up(data):
    strokes = data("petewarden-digits")
    assert Counter(s.label for s in strokes) == {str(d): 100 for d in range(10)}
    assert {s.person for s in strokes} == {"petewarden"}
    sevens = [s.points for s in strokes if s.label == "7"]
    assert np.mean([p[-1, 1] < p[0, 1] for p in sevens]) > 0.95  # a 7 ends below where it starts
    ones = np.array([np.ptp(s.points, axis=0) for s in strokes if s.label == "1"])
    assert np.median(ones[:, 1]) > 3 * np.median(ones[:, 0])  # a 1 is tall


@needs["quickdraw-shapes"]
def test_quickdraw_one_player_per_drawing_and_y_up(data):
    strokes = data("quickdraw-shapes")
    assert len({s.label for s in strokes}) == 17
    assert len({s.person for s in strokes}) == len(strokes)
    peaks = 0
    mountains = [s.points for s in strokes if s.label == "mountain"]
    for p in mountains:
        i = p[:, 1].argmax()
        peaks += 0.25 < (p[i, 0] - p[:, 0].min()) / max(np.ptp(p[:, 0]), 1) < 0.75 and p[i, 1] > p[0, 1]
    assert peaks / len(mountains) > 0.8  # the peak is up and in the middle


def test_loaders_name_the_bad_file(tmp_path):
    from wand.datasets import load_dataset
    (tmp_path / "wing").mkdir()
    with pytest.raises(GestureFileError, match="no output_wing_"):
        load_dataset(tmp_path, "tflm-magic-wand")
    bad = tmp_path / "petewarden_1.json"
    bad.write_text("{")
    with pytest.raises(GestureFileError, match="petewarden_1.json: not a petewarden stroke file"):
        load_dataset(tmp_path, "petewarden-digits")
    (tmp_path / "DATA" / "s01").mkdir(parents=True)
    (tmp_path / "DATA" / "s01" / "s01_01_sw.csv").write_text("a,b\n")
    with pytest.raises(GestureFileError, match=r"s01_01_sw.csv:1: expected header"):
        load_dataset(tmp_path, "sp-sw-har")
