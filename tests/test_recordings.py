"""Recordings survive kill -9 and full disks; names cannot lose or corrupt a try.

The kill and full-disk tests are real: a child process saving in a loop is SIGKILLed at
random moments, and a small tmpfs is filled until the kernel says ENOSPC.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import fuzzcount
from wand.errors import GestureFileError
from wand.recordings import (INCOMING, DiskFullError, Recording, check_gesture_name, check_new_gesture_name,
                             list_gesture_files, read_wand_csv, write_wand_csv)

REPO = Path(__file__).resolve().parent.parent
PNG_END = b"IEND\xaeB`\x82"  # a PNG's last chunk: a truncated trace does not end with it

SAVER = r"""
import sys
from pathlib import Path
import numpy as np
from wand.recordings import Recording, replace_file, write_wand_csv
out, png, start = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), int(sys.argv[3])
print("ready", flush=True)
i = start
while True:
    # big enough that a kill often lands inside a write; the value says which save it is
    path = write_wand_csv(Recording("zorro", np.full((3000, 6), i), 50, "me"), out, stem=f"try{i:05d}")
    replace_file(out, path.with_suffix(".png"), png)
    print(i, flush=True)
    i += 1
"""


def _whole_png(path: Path) -> bool:
    return path.read_bytes().endswith(PNG_END)


def _trace_png() -> bytes:
    from wand.record import plot_try
    return plot_try(np.zeros((50, 6), np.int32), 50, "test")


def test_kill_9_at_random_moments_leaves_only_whole_tries(tmp_path):
    """30 saving processes SIGKILLed at random: every try reported saved is there and whole,
    and no loader ever sees a partial or temporary file."""
    rng = random.Random(7)
    out, png = tmp_path / "rec", tmp_path / "trace.png"
    png.write_bytes(_trace_png())
    saved: set[int] = set()
    values: dict[int, Path] = {}  # save number -> its file
    checked: set[Path] = set()  # files read whole after an earlier kill
    start, tried, survived, mid_save = 0, 30, 0, 0
    for _ in range(tried):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(out), str(png), str(start)],
                                stdout=subprocess.PIPE, text=True, cwd=REPO)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        lines = proc.stdout.read().split()
        proc.wait()
        saved |= {int(x) for x in lines}
        start += 1_000  # each child's tries get their own numbers (30 x 1000 stays within int16)
        mid_save += bool(list((out / INCOMING).glob(f"{proc.pid}-*"))) if (out / INCOMING).exists() else 0
        files = list_gesture_files(out).get("zorro", [])
        assert {f.name for f in files} >= {f.name for f in values.values()}, "a try that was there is gone"
        for f in files:
            assert not f.name.startswith("."), f
            if f in checked:
                continue  # whole before, and only the dead saver that wrote it could change it
            rec = read_wand_csv(f)  # raises on any partial file
            assert rec.samples.shape == (3000, 6) and len(set(rec.samples.ravel())) == 1
            values[int(rec.samples[0, 0])] = f
        assert saved <= set(values), f"reported saved but missing: {sorted(saved - set(values))}"
        for i in saved:  # a try reported saved has its whole trace
            assert _whole_png(values[i].with_suffix(".png"))
        for p in set(values.values()) - checked:  # a trace that exists is whole (written aside, then renamed)
            if p.with_suffix(".png").exists():
                assert _whole_png(p.with_suffix(".png"))
        checked |= set(values.values())
        survived += 1
    # the next save clears the temporary files of killed savers
    write_wand_csv(Recording("zorro", np.zeros((5, 6)), 50, "me"), out)
    assert not list((out / INCOMING).iterdir())
    print(f"\nkill -9 during saves: tried {tried}, survived {survived}, {mid_save} kills inside a save, "
          f"{len(saved)} tries reported saved, all whole")
    fuzzcount.record("wand record's saves killed with SIGKILL at random moments", tried, survived)
    assert survived == tried and len(saved) > 0


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB tmpfs, so the kernel reports a full disk (ENOSPC)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    cmd = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)]
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            pytest.skip("full-disk test needs root (or sudo) to mount a small tmpfs")
        cmd = ["sudo", "-n"] + cmd
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): full-disk test skipped")
    if os.geteuid() != 0:
        subprocess.run(["sudo", "-n", "chown", str(os.getuid()), str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run((["sudo", "-n"] if os.geteuid() else []) + ["umount", str(mnt)], check=False)


def _no_empty_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.stat().st_size == 0]


def test_full_disk_while_recording_is_one_line_and_loses_nothing(small_disk):
    from wand.record import Session
    lines = []
    s = Session("zorro", 1000, small_disk, 119, "me", "test", ask=lambda q: True, say=lines.append)
    rng = np.random.default_rng(0)
    with pytest.raises(DiskFullError) as e:
        for _ in range(1000):
            s.on_try(rng.integers(-2000, 2000, (119, 6)))
    msg = str(e.value)
    files = list_gesture_files(small_disk).get("zorro", [])
    assert msg.startswith("disk full: free space on tmpfs (mounted at ") and "; nothing was lost" in msg
    assert "\n" not in msg and f"{len(s.kept)} tries of 'zorro' saved" in msg
    assert len(files) == len(s.kept) > 0 and sorted(files) == sorted(s.kept)  # the count is what is on disk
    assert all(read_wand_csv(f).samples.shape == (119, 6) for f in files)
    assert not _no_empty_files(small_disk) and not list((small_disk / INCOMING).iterdir())
    print(f"\nfull disk: {len(s.kept)} tries saved before ENOSPC, all readable, no empty or temporary file")


def test_full_disk_on_import_is_one_line_and_undone(small_disk, tmp_path):
    """The CLI: one 'disk full' line, the import undone, the tries saved before untouched."""
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    before = write_wand_csv(Recording("zorro", np.ones((119, 6)), 119, "me"), small_disk)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"x" * max(0, free - 40 * 1024))  # room for a few tries, not for 30
    done = subprocess.run([sys.executable, "-m", "wand", "import", str(src / "gesture0.csv"), str(src / "gesture1.csv"),
                           str(src / "gesture2.csv"), "--gesture", "zorro", "--out", str(small_disk)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "disk full: free space on tmpfs" in done.stderr
    assert "nothing was lost" in done.stderr and "the import was undone" in done.stderr
    assert list_gesture_files(small_disk) == {"zorro": [before]}
    assert not _no_empty_files(small_disk) and not list((small_disk / INCOMING).iterdir())


def test_loaders_skip_temporary_hidden_and_empty_files(tmp_path):
    good = write_wand_csv(Recording("zorro", np.ones((10, 6)), 50, "me"), tmp_path)
    (tmp_path / "zorro" / ".tmp-abc.csv").write_text("# wand-recording v1\n")  # what older versions left
    (tmp_path / "zorro" / "empty-001.csv").write_bytes(b"")  # a crash outside our writer
    (tmp_path / INCOMING).mkdir(exist_ok=True)
    (tmp_path / INCOMING / "1-x").write_text("half")
    assert list_gesture_files(tmp_path) == {"zorro": [good]}
    from wand.datasets import user_recordings
    assert [r.source for r in user_recordings(tmp_path)["zorro"]] == [str(good)]


def test_gesture_names_end_without_newline_and_are_new():
    check_gesture_name("shake")
    for bad in ("shake\n", "Shake", "a b", "", "x" * 33, "-x"):
        with pytest.raises(GestureFileError):
            check_gesture_name(bad)
    for reserved in ("other", "unknown"):
        with pytest.raises(GestureFileError, match="name your gesture something else"):
            check_new_gesture_name(reserved)
    with pytest.raises(GestureFileError, match="built into the installed model"):
        check_new_gesture_name("circle_cw", ["circle_cw", "push_forward"])
    assert check_new_gesture_name("zorro", ["circle_cw"]) == "zorro"
    for device in ("con", "nul", "com1", "lpt9"):  # a folder Windows cannot make
        with pytest.raises(GestureFileError, match="device name on Windows"):
            check_new_gesture_name(device)
    assert check_new_gesture_name("con_x") == "con_x" and check_new_gesture_name("com10") == "com10"


@pytest.mark.parametrize("person", ["a/b", "eve\nmallory", "x\x1b[31m", "..", "tab\there"])
def test_any_person_text_saves_a_readable_try_in_its_folder(tmp_path, person):
    """Even past the CLI check (which refuses these), the writer never loses or corrupts a try."""
    path = write_wand_csv(Recording("zorro", np.ones((10, 6)), 50, person), tmp_path)
    assert path.parent == tmp_path / "zorro" and "/" not in path.name and "\n" not in path.name
    rec = read_wand_csv(path)
    assert rec.samples.shape == (10, 6) and "\n" not in rec.person and rec.label == "zorro"


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "wand", *args], capture_output=True, text=True, cwd=REPO, **kw)


@pytest.mark.parametrize("args, says", [
    (["record", "zorro", "--person", "a/b"], "bad person name"),
    (["record", "zorro", "--person", "eve\nmallory"], "bad person name"),
    (["record", "other"], "none of your gestures"),
    (["record", "circle_cw"], "built into the installed model"),
    (["record", "zorro\n"], "bad gesture name"),
    (["import", "x.csv", "--gesture", "unknown"], "none of your gestures"),
    (["import", "x.csv", "--gesture", "push_forward"], "built into the installed model"),
    (["import", "x.csv", "--gesture", "zorro", "--person", "a/b"], "bad person name"),
])
def test_bad_names_are_refused_in_one_line_before_anything_is_recorded(tmp_path, args, says):
    done = _cli(*args, "--out", str(tmp_path))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("drawing", [[], ["--drawing"]])
def test_a_hand_made_folder_with_a_reserved_name_is_not_enrolled(tmp_path, drawing):
    """`wand record other` is refused; a folder of tries renamed to "other" by hand is too."""
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    rec = tmp_path / "rec"
    assert _cli("import", str(src / "gesture0.csv"), "--gesture", "zorro", "--out", str(rec)).returncode == 0
    (rec / "zorro").rename(rec / "other")
    done = _cli("enrol", "other", "--recordings", str(rec), "--enrolled", str(tmp_path / "e.json"),
                "--enrolled-strokes", str(tmp_path / "s.json"), *drawing)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "none of your gestures" in done.stderr, done.stderr
    assert not (tmp_path / "e.json").exists() and not (tmp_path / "s.json").exists()


def test_a_try_moved_into_another_gestures_folder_is_enrolled_under_the_folder_with_a_note(tmp_path):
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    rec = tmp_path / "rec"
    assert _cli("import", str(src / "gesture0.csv"), "--gesture", "zorro", "--out", str(rec)).returncode == 0
    assert _cli("import", str(src / "gesture1.csv"), "--gesture", "zappa", "--out", str(rec)).returncode == 0
    moved = sorted((rec / "zappa").glob("*.csv"))[0]
    moved.rename(rec / "zorro" / moved.name)
    done = _cli("enrol", "zorro", "--recordings", str(rec), "--tries", "20", "--enrolled", str(tmp_path / "e.json"))
    assert done.returncode in (0, 3), done.stderr
    assert f"note: 1 of these tries say another gesture in their '# gesture:' line (e.g. {rec / 'zorro' / moved.name}: " \
           "zappa); they are enrolled as 'zorro', the folder they are in" in done.stdout


def test_a_swipe_enrolled_as_a_drawing_is_refused_as_a_twist_saying_what_to_do(tmp_path):
    """tti-20210623's swipe_down carries the wand down, turning it more about its long axis than
    across it (roll share 0.5-0.6): the chip drops every try as a twist, so enrolling it as a
    drawing fails in one line saying why and what to do instead; its diagonals enrol."""
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    rec = tmp_path / "rec"
    for csv, name in (("gesture1.csv", "swoosh"), ("gesture0.csv", "slash")):
        assert _cli("import", str(src / csv), "--gesture", name, "--out", str(rec)).returncode == 0
    done = {}
    for name in ("swoosh", "slash"):
        done[name] = _cli("enrol", name, "--drawing", "--tries", "10", "--recordings", str(rec),
                          "--enrolled-strokes", str(tmp_path / "s.json"))
    swoosh, slash = done["swoosh"], done["slash"]
    assert swoosh.returncode == 1 and swoosh.stderr.count("\n") == 1, swoosh.stderr
    assert "no drawing of 'swoosh' was cut from its tries: each turned the wand about its own long axis" in swoosh.stderr
    assert "or enrol it as a gesture ('wand enrol swoosh' without --drawing)" in swoosh.stderr
    assert slash.returncode in (0, 3) and "enrolled 'slash'" in slash.stdout and "twist" not in slash.stdout
    assert "swoosh" not in json.loads((tmp_path / "s.json").read_text())["gestures"]


def test_a_drawing_that_barely_turns_the_wand_gets_a_note_saying_what_to_do(capsys):
    """A drawing is read from where the wand points: tries turning it under SMALL_TURN_DEG get a
    note (a hint, not a rule); a character is not told to enrol itself as a gesture."""
    from wand.commands.enrol import SMALL_TURN_DEG, _small_turn_hint
    from wand.wand_core.stroke import POINT_ONE

    def tries(deg: float) -> list:
        side = int(np.radians(deg) * POINT_ONE)
        return [[(0, 0), (side, side // 2), (side // 2, side)]] * 3
    _small_turn_hint("swoosh", tries(12), drawing_only=False)
    said = capsys.readouterr().out
    assert "note: these tries turn the wand only about 12 degrees" in said
    assert "or enrol it as a gesture ('wand enrol swoosh' without --drawing)" in said
    _small_turn_hint("letter_z", tries(12), drawing_only=True)
    assert "without --drawing" not in capsys.readouterr().out
    _small_turn_hint("slash", tries(SMALL_TURN_DEG + 5), drawing_only=False)
    assert capsys.readouterr().out == ""


def test_import_binary_file_is_one_line_naming_it(tmp_path):
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 4)
    done = _cli("import", str(blob), "--gesture", "zorro", "--out", str(tmp_path / "rec"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert f"{blob}: not a text CSV file" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "rec").exists()


def test_import_is_all_or_nothing_and_skips_a_file_imported_before(tmp_path):
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    bad = tmp_path / "bad.csv"
    bad.write_text("aX,aY,aZ,gX,gY,gZ\n1,2,3\n")
    out = tmp_path / "rec"
    done = _cli("import", str(src / "gesture0.csv"), str(bad), "--gesture", "zorro", "--out", str(out))
    assert done.returncode == 1 and f"{bad}:2: expected 6 values" in done.stderr and "nothing was imported" in done.stderr
    assert list_gesture_files(out) == {}  # the good first file was not written either
    first = _cli("import", str(src / "gesture0.csv"), "--gesture", "zorro", "--out", str(out))
    assert first.returncode == 0 and "imported 10 tries" in first.stdout
    copy = tmp_path / "renamed.csv"
    copy.write_bytes((src / "gesture0.csv").read_bytes())
    again = _cli("import", str(copy), str(src / "gesture1.csv"), "--gesture", "zorro", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert f"skipped {copy}: already imported as {out / 'zorro'}" in again.stdout
    assert "imported 10 tries of 'zorro' from 1 file(s)" in again.stdout
    assert len(list_gesture_files(out)["zorro"]) == 20
    header = read_wand_csv(list_gesture_files(out)["zorro"][0]).meta
    assert len(header["source_sha256"]) == 64


def test_corrupt_imu_packets_are_counted_not_fatal(tmp_path):
    """A recording session keeps going past a packet it cannot decode."""
    import asyncio

    from wand.protocol import ConfigPacket, ImuPacket
    from wand.record import Session, record

    class Client:
        def __init__(self):
            self.cb = None

        async def write_config(self, c):
            pass

        async def subscribe_imu(self, cb):
            self.cb = cb

    async def go():
        client, lines = Client(), []
        s = Session("zorro", 1, tmp_path, 50, "me", "test", ask=lambda q: True, say=lines.append)
        cfg = ConfigPacket()

        async def drive():
            await asyncio.sleep(0)
            client.cb(b"\x07garbage")
            still = [(0, 0, 1000, 0, 0, 0)] * 40
            move = [(3000, 0, 1000, 3000, 0, 0)] * 60
            seq = 0
            for chunk in (still, move, still):
                for k in range(0, len(chunk), 10):
                    client.cb(ImuPacket(seq, chunk[k:k + 10]).encode())
                    seq += 10
            await asyncio.sleep(3600)
        await record(client, s, cfg, timeout_s=30, driver=drive())
        return s, lines
    s, lines = asyncio.run(go())
    assert len(s.kept) == 1 and any("1 corrupt IMU packets were skipped" in line for line in lines)


@pytest.mark.parametrize("blocker", ["zorro", INCOMING, ""])
def test_import_into_a_file_where_a_folder_must_be_is_one_line(tmp_path, blocker):
    """A file named like the gesture's folder, like the temporary folder, or given as --out
    itself: one line naming the place, nothing half-written left as a try."""
    src = REPO / "gestures/datasets/tiny-trainable-instruments/databases/gesture/custom/20210623"
    out = tmp_path / "rec"
    if blocker:
        out.mkdir()
    (out / blocker if blocker else out).write_text("hi\n")
    done = _cli("import", str(src / "gesture0.csv"), "--gesture", "zorro", "--out", str(out))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot save in {out}" in done.stderr and "the import was undone" in done.stderr
    assert (out / blocker if blocker else out).read_text() == "hi\n"  # the file in the way is left as it was
