"""The command line: every command listed, errors as one line, and the user's flows."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from wand.cli import COMMANDS, main


def wand(*args, env=None, timeout=600):  # a hang guard, not a speed limit
    return subprocess.run([sys.executable, "-m", "wand", *args], capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ), cwd=os.getcwd())


def test_help_lists_every_command():
    out = wand("--help").stdout
    for name in COMMANDS:
        assert name in out
    assert set(COMMANDS) >= {"demo", "run", "scan", "status", "train", "bench", "record", "enrol", "import", "config"}


def test_bad_config_is_one_line_naming_file_and_line(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[profiles.p.gestures]\nx = "key:nokey"\n')
    done = wand("config", "check", str(bad))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and f"{bad}:2: unknown key 'nokey'" in done.stderr


def test_scan_without_bluetooth_is_one_actionable_line():
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/bus")
    done = wand("scan", "--timeout", "0.5", env=env)
    if done.returncode == 0:
        pytest.skip("this machine has Bluetooth")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "Bluetooth" in done.stderr


def test_unknown_model_file_is_one_line(tmp_path):
    done = wand("gestures", "--model", str(tmp_path / "nope.tflite"))
    assert done.returncode == 1 and "model file not found" in done.stderr and "Traceback" not in done.stderr


def test_demo_runs_end_to_end_and_prints_a_summary():
    done = wand("demo", "--speed", "0", "--tries", "2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name in ("shake", "swipe_down", "diagonal_up_right"):  # three tries each, as the README says
        assert f"enrolled {name!r} from 3 tries" in out
    assert "enrolled d=" in out and "model p=" in out and "conf " not in out  # one meaning per kind
    assert "d: DTW distance in units of the gesture's rejection radius" in out  # and explained in the header
    assert "(dry run) press" in out
    assert "gesture" in out and "recognised by" in out and "real tries recognised" in out
    assert "0 lost" in out
    # the TV example maps digits and shapes: each drawn once, SYNTHETIC and marked so, kept out of the accuracy
    drawn = [ln for ln in out.splitlines() if ln.startswith("  try ") and "performed digit_" in ln]
    assert len(drawn) == 10 and all("performed digit_" in ln and "* " in ln for ln in drawn)
    assert sum("stroke p=" in ln and "-> (dry run) " in ln for ln in drawn) >= 5  # read on the chip, performed
    assert "SYNTHETIC drawings* read as drawn: not an accuracy" in out
    assert "replaying 12 real tries" in out  # 2 x (3 model + 3 enrolled gestures): drawings not counted as real


def test_demo_draw_0_replays_real_tries_only():
    from wand.demo import run_demo  # in process: the CLI path is the test above
    lines: list[str] = []
    result = run_demo(per_gesture=1, speed=0, line=lines.append, draw=0)
    out = "\n".join(lines)
    tries = [ln for ln in lines if ln.startswith("  try ")]
    assert len(tries) == 6 and not any("*" in ln for ln in tries) and "SYNTHETIC drawings" not in out
    assert "replaying 6 real tries" in out and result.drawn == [] and sum(r[2] for r in result.rows) == 6


def test_status_without_daemon(tmp_path):
    done = wand("status", env=dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path)))
    assert done.returncode == 1 and "not running" in done.stdout


def test_config_example_prints_a_valid_config(tmp_path):
    done = wand("config", "example", "music")
    assert done.returncode == 0 and "midi.note" in done.stdout
    (tmp_path / "m.toml").write_text(done.stdout)
    assert wand("config", "check", str(tmp_path / "m.toml")).returncode == 0


def test_record_enrol_recognise_on_the_simulator(tmp_path, bundle, vocab, capsys):
    """Record 'shake' from the simulator (real tries), enrol 3, recognise unseen tries."""
    recs, enrolled = tmp_path / "recordings", tmp_path / "enrolled.json"
    assert main(["record", "shake", "--sim", "shake", "--tries", "3", "--out", str(recs), "--yes"]) == 0
    files = sorted((recs / "shake").glob("*.csv"))
    assert len(files) == 3 and len(list((recs / "shake").glob("*.png"))) == 3
    assert main(["enrol", "shake", "--recordings", str(recs), "--enrolled", str(enrolled)]) == 0
    assert "self-check: " in capsys.readouterr().out  # each try judged by the others
    assert main(["enrol", "shake", "--recordings", str(recs), "--enrolled", str(enrolled)]) == 1  # no silent replace
    assert "already enrolled" in capsys.readouterr().err

    from wand.enrol import load
    from wand.events import EventStream
    from wand.simwand.device import SimulatedWand
    from wand.simwand.device import streaming
    from wand.streams import WandReplay
    es = load(enrolled, bundle.rate_hz)
    # the simulator recorded the first tries of the data set's shake; recognise the others
    others = vocab["shake"].recordings()[5:]
    wand_ = SimulatedWand(bundle, others, config=streaming())
    stream = EventStream("sim", bundle, es, max_age_ms=None)
    names = [ev.gesture for e in wand_.replay() for ev in WandReplay.feed(stream, e.packet)]
    assert names.count("shake") >= len(others) // 2


def test_interrupted_recording_keeps_every_kept_try(tmp_path):
    from wand.record import Session
    asked = [0]

    def ask(q):
        asked[0] += 1
        if asked[0] == 3:
            raise KeyboardInterrupt
        return True
    s = Session("wiggle", 5, tmp_path, 50, "me", "test", ask, say=lambda t: None)
    with pytest.raises(KeyboardInterrupt):
        for i in range(5):
            s.on_try(np.full((50, 6), i))
    from wand.recordings import read_wand_csv
    files = sorted((tmp_path / "wiggle").glob("*.csv"))
    assert len(files) == 2 and [read_wand_csv(f).samples[0, 0] for f in files] == [0, 1]
    assert not list((tmp_path / "wiggle").glob(".tmp*"))


def test_import_tti_csv_as_gesture_tries(tmp_path):
    from wand.datasets import GESTURES_DIR
    src = GESTURES_DIR / "datasets/tiny-trainable-instruments/databases/gesture/custom/20210623/gesture1.csv"
    assert main(["import", str(src), "--gesture", "swipe_down", "--out", str(tmp_path)]) == 0
    assert main(["import", str(src), "--gesture", "swipe_down", "--out", str(tmp_path)]) == 0  # skipped: same file
    from wand.datasets import load_dataset
    recs = load_dataset(tmp_path, "wand-csv")
    assert len(recs) == 10 and {r.label for r in recs} == {"swipe_down"}  # imported once, nothing duplicated
    assert recs[0].rate_hz == 119 and recs[0].samples.shape == (119, 6)


@pytest.mark.slow
def test_bench_fewshot_and_daemon_print_tables_with_baselines(tmp_path, capsys):
    assert main(["bench", "fewshot", "--quick", "--out", str(tmp_path)]) == 0
    assert main(["bench", "daemon", "--quick", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "DTW on the IMU (product)" in text and "embedding k-NN (before)" in text and "everyday motion / h" in text
    assert "daemon / baseline" in text and "p99 ms" in text
    assert (tmp_path / "bench-fewshot.json").exists() and (tmp_path / "bench-daemon.json").exists()


def test_run_daemon_on_the_simulator_status_and_clean_stop(tmp_path):
    """The real `wand run` process: connects, performs dry-run actions, reports status, stops on SIGINT."""
    import signal
    import time
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    proc = subprocess.Popen([sys.executable, "-m", "wand", "run", "--sim", "--dry-run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + HANG_GUARD_S  # only a hang reaches it: start-up speed varies with load
        status = None
        while time.monotonic() < deadline:
            time.sleep(0.5)
            status = wand("status", env=env)
            if status.returncode == 0 and "connected" in status.stdout:
                break
        assert status is not None and status.returncode == 0, status.stdout + status.stderr
        assert "wand-sim" in status.stdout and "connected" in status.stdout
        assert "enrolled gestures: none (no enrolled gestures: IMU stream off)" in status.stdout
        time.sleep(4)  # a few real-time tries
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=HANG_GUARD_S)
    assert proc.returncode == 0, err
    assert "using the TV example" in out and "[wand-sim] connected" in out
    assert "(dry run) press" in out or "unrecognised motion" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("tries", ["0", "-3", "many"])
def test_demo_with_no_tries_is_a_usage_error(tries):
    done = wand("demo", "--tries", tries)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --tries" in done.stderr.splitlines()[-1]


def test_config_example_write_creates_the_folder_and_never_overwrites(tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "fresh-home" / ".config"))
    target = tmp_path / "fresh-home" / ".config" / "wand" / "config.toml"
    done = wand("config", "example", "tv", "--write", env=env)
    assert done.returncode == 0 and f"to {target}" in done.stdout, done.stderr
    assert target.read_text() == wand("config", "example", "tv").stdout
    target.write_text("# mine\n")
    again = wand("config", "example", "music", "--write", env=env)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "left as it is" in again.stderr
    assert target.read_text() == "# mine\n"


CTRL_C_CHILD = """
import signal, sys
# A terminal's Ctrl-C: a test run started in the background (CI, nohup, '&') hands its
# children SIGINT ignored, and wand rightly leaves an ignored SIGINT ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["wand", "demo", "--speed", "1"]
from wand.__main__ import entry  # what the console script runs first, before entry()'s own imports
try:
    print("ready", flush=True)
    code = entry()
except KeyboardInterrupt:  # landed in the few instructions before entry(): this harness's, not wand's
    print("wand: interrupted", file=sys.stderr)
    code = 130
raise SystemExit(code)
"""
HANG_GUARD_S = 600  # only a hang reaches this: a loaded machine may take a minute to import TensorFlow


def test_ctrl_c_at_any_moment_of_startup_is_one_line():
    """Ctrl-C from the first instruction of the entry point (the console script's and
    `python -m wand`'s), through the imports, into the command: one line, exit 130."""
    import signal
    import time
    for delay in (0.0, 0.01, 0.03, 0.08, 0.2, 0.5, 1.0):
        proc = subprocess.Popen([sys.executable, "-c", CTRL_C_CHILD], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=HANG_GUARD_S)
        assert proc.returncode == 130 and "Traceback" not in err, (delay, err)
        assert err.count("\n") == 1 and "interrupted" in err, (delay, err)


def test_console_script_uses_the_interrupt_safe_entry():
    import tomllib
    from pathlib import Path
    scripts = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["wand"] == "wand.__main__:entry"



def test_building_the_parser_imports_no_numpy_and_enrol_help_states_the_real_default():
    """Every command builds every parser: keep that light, and the written-out default true."""
    code = ("import sys; from wand.cli import build_parser; p = build_parser(); "
            "print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert done.stdout.strip() == "False", done.stderr
    from wand.commands.enrol import RADIUS_DEFAULT_TEXT
    from wand.fewshot import DEFAULT_RADIUS
    assert RADIUS_DEFAULT_TEXT == f"{DEFAULT_RADIUS:g}"


INTERRUPTED_IMPORT_CHILD = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
import wand.cli
def main():  # what numpy does when Ctrl-C lands in its C import: the interrupt becomes an ImportError
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10**6):
            pass
    except KeyboardInterrupt:
        raise ImportError("Error importing numpy: you should not try to import numpy from its source directory")
wand.cli.main = main
from wand.__main__ import entry
raise SystemExit(entry())
"""


def test_ctrl_c_that_a_c_import_turns_into_an_import_error_is_still_one_line():
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT_CHILD], capture_output=True, text=True,
                          timeout=HANG_GUARD_S)
    assert done.returncode == 130 and done.stderr == "wand: interrupted\n", done.stderr
    broken = INTERRUPTED_IMPORT_CHILD.replace("os.kill(os.getpid(), signal.SIGINT)", "raise KeyboardInterrupt")
    done = subprocess.run([sys.executable, "-c", broken], capture_output=True, text=True, timeout=HANG_GUARD_S)
    # no SIGINT arrived: a real import failure, one line saying how to repair it
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "reinstall" in done.stderr, done.stderr


def test_enrol_says_plainly_when_its_self_check_recognises_no_try(tmp_path, vocab, capsys):
    """Three tries of three different gestures under one name: enrolled (nothing recorded is
    refused), but a warning line says it will be missed and what to do, and the exit status
    is the documented 3, not a success."""
    from wand.recordings import Recording, write_wand_csv
    recs = tmp_path / "rec"
    for g in ("swipe_down", "shake", "diagonal_up_right"):
        r = vocab[g].recordings()[0]
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, "me"), recs)
    rc = main(["enrol", "zorro", "--recordings", str(recs), "--enrolled", str(tmp_path / "e.json")])
    out, err = capsys.readouterr()
    assert "self-check: 0 of 3 tries recognised by the other tries" in out, out
    assert rc == 3 and (tmp_path / "e.json").exists()
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "none of its 3 tries was recognised" in warning[0]
    assert "'wand record zorro --tries 5'" in warning[0] and "(exit status 3)" in warning[0]
    assert "exit status: 0 enrolled; 3 enrolled, but the self-check recognised none" in \
        " ".join(wand("enrol", "--help").stdout.split())


def test_enrol_states_it_uses_fewer_tries_than_asked(tmp_path, vocab, capsys):
    from wand.recordings import Recording, write_wand_csv
    recs = tmp_path / "rec"
    for r in vocab["shake"].recordings()[:2]:
        write_wand_csv(Recording("zorro", r.samples, r.rate_hz, "me"), recs)
    rc = main(["enrol", "zorro", "--tries", "3", "--recordings", str(recs), "--enrolled", str(tmp_path / "e.json")])
    out = capsys.readouterr().out
    assert rc in (0, 3)
    assert "only 2 usable recorded tries of 'zorro', fewer than the 3 asked for: enrolling from 2" in out
    assert "enrolled 'zorro' from 2 tries" in out


@pytest.mark.parametrize("text", ['{"pid": "x"}', '{"pid": 5, "wands": []}', "[1, 2]", "\x1b[2J{", ""])
def test_status_on_a_hand_corrupted_status_file_is_one_line(tmp_path, text):
    (tmp_path / "wand").mkdir()
    (tmp_path / "wand" / "status.json").write_text(text)
    done = wand("status", env=dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path)))
    assert done.returncode == 1 and "internal error" not in done.stderr and "Traceback" not in done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) == 1 and "not a status file the daemon wrote" in lines[0] and "\x1b" not in lines[0]
    assert "if no daemon runs, delete it" in lines[0]


def test_demo_draw_that_would_run_for_hours_is_a_usage_error(capsys):
    """--draw took any seed-sized number (2**32 - 1 synthetic tries per character: a silent hang)."""
    with pytest.raises(SystemExit):
        main(["demo", "--draw", "4294967295"])
    assert "--draw: must be a whole number 0 or more and at most 100" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["pair", "--forget", ""], ["bench", "strokes", "--out", ""],
                                  ["eval", "x", "--png", " "], ["run", "--config", ""], ["train", "--out", ""],
                                  ["record", "wave", "--out", ""], ["gestures", "--out", ""],
                                  ["demo", "--trace", ""], ["enrol", "x", "--enrolled", ""], ["run", "--model", ""]])
def test_an_empty_path_or_address_is_a_usage_error_not_the_default(argv, capsys):
    """`--forget ''` started pairing and `--out ''` wrote into the working folder: an empty
    option is refused before anything runs."""
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and "empty; leave the option out for its default" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.exists("/proc/self/cmdline"), reason="the check reads /proc (Linux)")
def test_status_left_by_a_dead_daemon_reads_not_running_when_its_pid_is_reused(tmp_path):
    """pid 1, or any other program now holding the pid, is not the daemon."""
    import json

    def status(pid: int):
        path = tmp_path / "wand" / "status.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"pid": pid, "updated": 0, "model_crc32": "0", "imu_stream": "off",
                                    "enrolled": [], "outputs": {}, "wands": {}}))
        return wand("status", env=dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path)))

    done = status(1)
    assert done.returncode == 1 and "daemon pid 1: not running" in done.stdout
    other = subprocess.Popen(["sleep", "60"])
    named = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "wand"])  # argv names wand
    try:
        done = status(other.pid)
        assert done.returncode == 1 and "not running" in done.stdout
        done = status(named.pid)
        assert done.returncode == 0 and f"daemon pid {named.pid}: running" in done.stdout
    finally:
        other.kill()
        named.kill()
        other.wait()
        named.wait()
