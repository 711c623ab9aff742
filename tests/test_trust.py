"""File trust as ssh does it (issue 20 item 3), with real files, folders, FIFOs and owners.

Every reader of a file that decides what the daemon does (config, enrolment, paired
wands) refuses a file a stranger could have written; every reader refuses a FIFO, a
device or a folder before reading it, so nothing hangs. The commands are run for real
(``wand config check``, ``wand import``, ``wand run``, ``wand enrol``) in subprocesses
with a 600 s hang guard: a FIFO that blocked the reader would fail by timing out.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wand.enrol import load as load_enrolment
from wand.errors import GestureFileError
from wand.trust import PairedWands, TrustError, check_trusted, read_regular, read_trusted

STRANGER = 54321  # a uid no account on this machine has: "another user"
CONFIG = '[profiles.p.gestures]\ncircle_cw = "key:a"\n'

needs_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                                reason="giving a file to another user (os.chown) needs root")


def wand(*args, env=None):
    return subprocess.run([sys.executable, "-m", "wand", *args], capture_output=True, text=True, timeout=600,
                          env=env or dict(os.environ), cwd=Path(__file__).resolve().parent.parent)


def one_line(done) -> str:
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


@pytest.fixture
def home(tmp_path):
    """A private folder (0700, like a home) holding the files under test."""
    d = tmp_path / "home"
    d.mkdir(mode=0o700)
    return d


def config_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o644)
    return path


def test_a_private_config_passes_check(home):
    path = config_in(home)
    done = wand("config", "check", str(path))
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_a_config_others_may_write_is_refused_with_chmod_advice(home, mode):
    path = config_in(home)
    path.chmod(mode)
    err = one_line(wand("config", "check", str(path)))
    assert f"{path}: writable by other users" in err and f"chmod go-w {path}" in err


@needs_root
def test_a_file_owned_by_another_user_is_refused(home):
    path = config_in(home)
    os.chown(path, STRANGER, STRANGER)
    err = one_line(wand("config", "check", str(path)))
    assert f"{path}: owned by uid {STRANGER}, not by you" in err and "chmod" not in err
    os.chown(path, 0, 0)  # root's own file is trusted, as ssh trusts root
    assert wand("config", "check", str(path)).returncode == 0


@pytest.mark.parametrize("depth", [0, 2])
def test_a_folder_up_the_path_others_may_write_is_refused_unless_sticky(home, depth):
    shared = home / "shared"
    path = config_in(shared / "/".join(["sub"] * depth) if depth else shared)
    for d in [shared] + [shared / "/".join(["sub"] * (i + 1)) for i in range(depth)]:
        d.chmod(0o700)
    shared.chmod(0o777)  # anyone could rename the config away and put their own in its place
    err = one_line(wand("config", "check", str(path)))
    assert f"its folder {shared} is writable by other users" in err and "move it" in err
    shared.chmod(0o1777)  # sticky, like /tmp: others cannot replace a file they do not own
    assert wand("config", "check", str(path)).returncode == 0
    shared.chmod(0o775)  # group-writable counts too
    assert "writable by other users" in one_line(wand("config", "check", str(path)))


@needs_root
def test_a_folder_owned_by_another_user_is_refused(home):
    theirs = home / "theirs"
    path = config_in(theirs)
    theirs.chmod(0o755)
    os.chown(theirs, STRANGER, STRANGER)
    err = one_line(wand("config", "check", str(path)))
    assert f"its folder {theirs} belongs to uid {STRANGER}" in err


def test_the_walk_stops_at_the_root_and_trusts_sticky_tmp(tmp_path):
    """The parents of a file under /tmp's pytest folder: /tmp is sticky and root's: fine."""
    path = config_in(tmp_path / "ok")
    check_trusted(path)
    assert read_trusted(path) == CONFIG.encode()


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_anything_not_a_regular_file_is_refused_before_reading_and_never_hangs(home, kind):
    if kind == "fifo":
        target = home / "config.toml"
        os.mkfifo(target, 0o600)  # no writer ever comes: a blocking open would hang forever
        what = "a FIFO (named pipe)"
    elif kind == "folder":
        target, what = Path("/tmp"), "a folder"
    else:
        target, what = Path("/dev/zero"), "a character device"
    err = one_line(wand("config", "check", str(target)))
    assert f"{target}: is {what}, not a regular file" in err
    assert "chmod" not in err  # never 'chmod go-w /tmp' or '/dev/zero'
    with pytest.raises(GestureFileError, match=re.escape(f"is {what}")) as e:
        load_enrolment(target, 50)
    assert "chmod" not in str(e.value)
    with pytest.raises(TrustError, match=re.escape(f"is {what}")):
        read_regular(target)


def test_import_of_a_fifo_is_refused_and_never_hangs(home):
    fifo = home / "gesture.csv"
    os.mkfifo(fifo, 0o600)
    err = one_line(wand("import", str(fifo), "--gesture", "zorro", "--out", str(home / "rec")))
    assert "a FIFO (named pipe), not a regular file" in err and "nothing was imported" in err
    assert not (home / "rec" / "zorro").exists()


def test_a_recording_that_is_a_fifo_is_skipped_by_eval_with_one_line(home):
    """Readers that search folders (``wand eval`` globs *.csv) meet the FIFO too: named, skipped."""
    folder = home / "rec" / "zorro"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "try-001.csv", 0o600)
    done = wand("eval", str(home / "rec"), "--json")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "a FIFO (named pipe), not a regular file" in done.stderr


def test_enrolment_file_others_may_write_is_refused_by_run(home):
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "cfg"), XDG_RUNTIME_DIR=str(home / "run"))
    cfg = home / "cfg" / "wand"
    cfg.mkdir(parents=True, mode=0o700)
    enrolled = cfg / "enrolled.json"
    enrolled.write_text(json.dumps({"format": "wand-enrolled-dtw-imu/1", "rate_hz": 50, "gestures": {}}))
    enrolled.chmod(0o620)
    err = one_line(wand("run", "--dry-run", "--any", "--wand", "sim", "--enrolled", str(enrolled), env=env))
    assert f"{enrolled}: writable by other users" in err


@needs_root
def test_paired_wands_file_of_another_user_is_refused(home):
    path = home / "paired.json"
    PairedWands(path).save()
    assert PairedWands.load(path).wands == {}
    os.chown(path, STRANGER, STRANGER)
    with pytest.raises(TrustError, match=f"owned by uid {STRANGER}"):
        PairedWands.load(path)


def test_check_trusted_only_stats_so_a_program_or_fifo_is_judged_without_opening_it(home):
    """The stat-only check, for files that are run rather than read (the `run` action's program)."""
    prog = home / "prog.sh"
    prog.write_text("#!/bin/sh\n")
    prog.chmod(0o755)
    assert check_trusted(prog).st_size == len("#!/bin/sh\n")
    prog.chmod(0o777)
    with pytest.raises(TrustError, match=re.escape(f"{prog}: writable by other users")):
        check_trusted(prog)
    fifo = home / "fifo"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(TrustError, match=re.escape("is a FIFO (named pipe)")):
        check_trusted(fifo)  # returns at once: nothing is opened


def test_a_file_where_the_config_folder_must_be_is_one_line(tmp_path):
    """~/.config/wand is a file: writing the example config there says so in one line (it
    was a FileExistsError traceback), and the file is left as it was."""
    blocker = tmp_path / "cfg" / "wand"
    blocker.parent.mkdir()
    blocker.write_text("mine\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data"))
    err = one_line(wand("config", "example", "typing", "--write", env=env))
    assert str(blocker) in err and "a file stands where a folder must be: move it away" in err
    assert blocker.read_text() == "mine\n"
