"""The command line: every command listed, errors as one line, and the user's flows."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from wand.cli import COMMANDS, main


def wand(*args, env=None, timeout=120):
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
    assert "enrolled 'shake' from 3 tries" in out
    assert "(dry run) press" in out
    assert "gesture" in out and "recognised by" in out and "tries recognised" in out
    assert "0 lost" in out


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
    assert main(["enrol", "shake", "--recordings", str(recs), "--enrolled", str(enrolled)]) == 1  # no silent replace
    assert "already enrolled" in capsys.readouterr().err

    from wand.enrol import load
    from wand.events import EventStream
    from wand.simwand.device import SimulatedWand
    es = load(enrolled, bundle.crc32, bundle.info["embedding_centre"])
    # the simulator recorded the first tries of the data set's shake; recognise the others
    others = vocab["shake"].recordings()[5:]
    wand_ = SimulatedWand(bundle, others)
    stream = EventStream("sim", bundle, es, max_age_ms=None)
    names = [stream.feed(e.packet).gesture for e in wand_.replay() if e.packet[0] == 0x01]
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
    assert main(["import", str(src), "--gesture", "swipe_down", "--out", str(tmp_path)]) == 0
    from wand.datasets import load_dataset
    recs = load_dataset(tmp_path, "wand-csv")
    assert len(recs) == 20 and {r.label for r in recs} == {"swipe_down"}  # imported twice, nothing replaced
    assert recs[0].rate_hz == 119 and recs[0].samples.shape == (119, 6)


@pytest.mark.slow
def test_train_command_shows_progress_and_writes_a_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "1", "--augment", "1", "--out", str(out), "--no-user"]) == 0
    text = capsys.readouterr().out
    assert "fold: test on tti-data" in text and "epoch 1/1" in text
    assert "held-out-person accuracy" in text and "arduino-cli upload" in text
    assert {"metrics.json", "confusion.png", "gesture_model.tflite", "gesture_model.json"} <= {p.name for p in out.iterdir()}


def test_bench_fewshot_and_daemon_print_tables_with_baselines(tmp_path, capsys):
    assert main(["bench", "fewshot", "--quick", "--out", str(tmp_path)]) == 0
    assert main(["bench", "daemon", "--quick", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "tries enrolled" in text and "chance = 50%" in text
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
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            time.sleep(0.5)
            status = wand("status", env=env)
            if status.returncode == 0 and "connected" in status.stdout:
                break
        assert status is not None and status.returncode == 0, status.stdout + status.stderr
        assert "wand-sim" in status.stdout and "connected" in status.stdout
        time.sleep(4)  # a few real-time tries
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "using the TV example" in out and "[wand-sim] connected" in out
    assert "(dry run) press" in out or "unrecognised motion" in out
    assert "Traceback" not in err
