"""`wand gestures` draws each gesture from real tries, as the person holding the wand sees
it: one PNG per gesture and a sheet; the stroke's directions checked on tries whose shape
is known (tiny-trainable-instruments)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from wand.datasets import load_vocabulary
from wand.gesture_pictures import Gesture, analyse, imu_of
from wand.strokes import gyro_stroke, signed_area

PNG = b"\x89PNG\r\n\x1a\n"


def wand(*args, env):
    return subprocess.run([sys.executable, "-m", "wand", *args], capture_output=True, text=True, timeout=600,
                          env=env)


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"),
                WAND_RECORDINGS=str(tmp_path / "rec"), MPLBACKEND="Agg")


def _net(g) -> np.ndarray:
    """Each try's stroke: end minus start, (your right, up) in degrees."""
    return np.array([(lambda s: s[-1] - s[0])(gyro_stroke(imu_of(r), r.rate_hz)) for r in g.recordings()])


def test_strokes_point_the_way_the_known_shapes_go(vocab):
    """Real tries described by where they go: the stroke must go there (a mirrored
    convention would send the diagonals the other way)."""
    up_left, up_right, down = _net(vocab["diagonal_up_left"]), _net(vocab["diagonal_up_right"]), _net(vocab["swipe_down"])
    assert np.mean((up_left[:, 0] < 0) & (up_left[:, 1] > 0)) >= 0.9  # 20/20 today
    assert np.mean((up_right[:, 0] > 0) & (up_right[:, 1] > 0)) >= 0.9  # 10/10
    assert np.mean(down[:, 1] < 0) >= 0.8  # 9/10


def test_the_tti_circle_is_drawn_clockwise(vocab):
    """What the performers drew, whatever the gesture is called: a clockwise loop."""
    circle = next(g for n, g in vocab.items() if n.startswith("circle"))
    areas = [signed_area(gyro_stroke(imu_of(r), r.rate_hz)) for r in circle.recordings()]
    assert np.mean(np.array(areas) < 0) >= 0.9  # 20/20 today
    a = analyse(Gesture(circle.name, circle.description, circle.recordings()))
    assert a.direction.startswith("drawn clockwise in") and not a.is_push


def _sense(name: str) -> str | None:
    if "ccw" in name or "counter" in name or "anticlockwise" in name:
        return "counter-clockwise"
    return "clockwise" if "cw" in name or "clockwise" in name else None


def test_a_circle_is_named_the_way_it_is_drawn(vocab):
    circles = [n for n in vocab if n.startswith("circle")]
    assert circles  # the vocabulary has one; a rename must keep it in sight
    for name, g in vocab.items():
        if name.startswith("circle"):
            a = analyse(Gesture(name, g.description, g.recordings()))
            assert a.direction.startswith(f"drawn {_sense(name)} in"), (name, a.direction)


def test_a_push_is_drawn_as_the_way_it_is_pushed(vocab):
    """A push hardly turns the wand: the picture shows its first push, forward on nearly every try."""
    push = analyse(Gesture("push_forward", "", vocab["push_forward"].recordings()))
    assert push.is_push and "push" in push.why
    assert sum(v[0] > 0.5 for v in push.pushes) >= 0.85 * len(push.pushes)  # 19/20 today
    assert not analyse(Gesture("d", "", vocab["diagonal_up_left"].recordings())).is_push


def test_command_draws_each_built_in_gesture_and_a_sheet(tmp_path, env, bundle):
    out = tmp_path / "pics"
    (out).mkdir()
    (out / "notes.txt").write_text("mine")
    done = wand("gestures", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    want = {f"built-in-{n}.png" for n in bundle.gesture_names} | {"gestures.png"}
    assert {p.name for p in out.glob("*.png")} == want
    for name in want:
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, name
        assert str(out / name) in done.stdout
    assert "drawn clockwise in 20/20 tries" in done.stdout and "ends up-left of its start in 20/20" in done.stdout
    before = {p.name: p.stat().st_ino for p in out.iterdir()}
    again = wand("gestures", "--out", str(out), env=env)
    assert again.returncode == 0, again.stderr
    after = {p.name: p.stat().st_ino for p in out.iterdir()}
    assert set(after) == set(before)  # no temp files left, no second copies
    assert all(after[n] != before[n] for n in want)  # each picture replaced whole (renamed into place)
    assert (out / "notes.txt").read_text() == "mine"


def test_default_folder_is_under_the_data_dir(tmp_path, env):
    done = wand("gestures", env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "wand" / "gestures" / "gestures.png").stat().st_size > 0


def test_a_bad_recording_is_one_line_and_the_good_tries_are_drawn(tmp_path, env, vocab):
    from wand.recordings import Recording, write_wand_csv
    rec = tmp_path / "rec"
    for r in vocab["shake"].recordings()[:3]:  # real tries, saved as the user's own
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, person="tester"), rec)
    bad = rec / "zorro" / "broken.csv"
    bad.write_text("# wand-recording v1\n# gesture: zorro\n# rate_hz: 119\nax_mg,ay_mg,az_mg,gx_ddps,gy_ddps,gz_ddps\n"
                   "1,2,x,4,5,6\n")
    out = tmp_path / "pics"
    done = wand("gestures", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and f"{bad}:5:" in done.stderr
    assert "recorded: zorro (3)" in done.stdout
    assert (out / "recorded-zorro.png").read_bytes().startswith(PNG)


def test_an_enrolled_gesture_whose_recordings_are_gone_is_drawn_from_its_enrolment(tmp_path, env, vocab):
    """Enrolment keeps the part of each try the host matches: enough to draw it."""
    import shutil
    from wand.recordings import Recording, write_wand_csv
    rec = tmp_path / "rec"
    for r in vocab["diagonal_up_right"].recordings()[:3]:
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, person="tester"), rec)
    enrolled = wand("enrol", "zorro", env=env)
    assert enrolled.returncode == 0, enrolled.stderr
    shutil.rmtree(rec)
    out = tmp_path / "pics"
    done = wand("gestures", "--out", str(out), env=env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "enrolled (few-shot): zorro" in done.stdout and "recorded: none" in done.stdout
    assert (out / "enrolled-zorro.png").read_bytes().startswith(PNG)
    assert "enrolled-zorro.png  (enrolled; ends up-right of its start in 3/3 tries)" in done.stdout


def test_characters_are_drawn_from_pen_data_as_the_wand_draws_them(tmp_path, env):
    """`wand gestures --characters digits shapes`: a sheet per kind from the train writers'
    pen strokes (UNIPEN) and canvas drawings (Quick, Draw!), said to be pen data."""
    out = tmp_path / "pics"
    done = wand("gestures", "--characters", "digits", "shapes", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.glob("*.png")} == {"digits.png", "shapes.png"}
    for name in ("digits.png", "shapes.png"):
        assert (out / name).read_bytes().startswith(PNG) and (out / name).stat().st_size > 30_000
    assert "10 characters, UNIPEN pen data, train writers" in done.stdout
    assert "8 characters, Quick, Draw! canvas data, train players" in done.stdout
    assert "digit_0 drawn counter-clockwise" in done.stdout  # people write a 0 anticlockwise from the top
    assert "digit_1 ends down of its start" in done.stdout and "shape_line ends" in done.stdout


def test_the_typical_character_is_the_dtw_medoid_of_the_tries():
    from wand.character_pictures import dtw_medoid
    t = np.linspace(0, 1, 30)[:, None]
    down = np.hstack([0 * t, -t])  # a "1" drawn downwards
    tries = [down + [0.02 * k, 0] for k in range(3)] + [np.hstack([t, 0 * t])]  # three 1s and a dash
    tries[1] = tries[1] + np.hstack([0.03 * np.sin(6 * t), 0 * t])  # one wobbles a little
    assert dtw_medoid(tries) in (0, 2) and dtw_medoid([tries[3], tries[0], tries[2]]) in (1, 2)


def test_enrolled_drawings_are_listed_and_a_bad_drawings_file_is_one_line(tmp_path, env):
    """`wand gestures` said "enrolled (few-shot): none" while drawings were enrolled."""
    from wand.stroke_enrol import StrokeEnrolment
    es = StrokeEnrolment()
    square = [[0, 0], [100000, 0], [100000, 100000], [0, 100000], [0, 0]]
    es.enrol("zorro", [square, [[x + 500, y] for x, y in square]])
    es.enrol("letter_z", [[[0, 100000], [100000, 100000], [0, 0], [100000, 0]]] * 2)
    path = es.save(tmp_path / "cfg" / "wand" / "enrolled-strokes.json")
    done = wand("gestures", "--no-pictures", env=env)
    assert done.returncode == 0 and "enrolled drawings: letter_z (your way of it), zorro\n" in done.stdout, done.stderr
    path.write_text("{")
    done = wand("gestures", "--no-pictures", env=env)
    assert done.returncode == 0 and "enrolled drawings: none" in done.stdout
    assert done.stderr.count("\n") == 1 and f"enrolled drawings not listed: {path}:1: not valid JSON" in done.stderr
