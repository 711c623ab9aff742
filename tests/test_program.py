"""The `run` action with real programs: what runs (PATH, the config's folder), who may
change it, and that a program and everything it starts is stopped at its timeout and
when the daemon stops (the pids are checked gone, not guessed)."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import pytest

from helpers import run_on_sim
from wand.config import load_config, parse_config
from wand.errors import ConfigError, DeviceError
from wand.events import GestureEvent
from wand.outputs import OutputSet

EVENT = GestureEvent("w", "g", "model", 0.9, 0.5, 1, 1000)
GUARD_S = 600.0  # a hang guard: every wait returns as soon as what it waits for happens


def _wait(pred, timeout: float = GUARD_S) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not pred():
        time.sleep(0.02)
    return pred()


def _gone(pid: int) -> bool:
    """Not running: no such process, or a zombie waiting for a reaper (it runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _family(tmp_path: Path, name: str = "pids") -> tuple[Path, list[str]]:
    """A program that starts a background child which ignores SIGTERM, writes both pids, and waits."""
    pids = tmp_path / name
    script = f"trap '' TERM; sleep 3000 & echo $! >> {pids}; echo $$ >> {pids}; wait"
    return pids, ["sh", "-c", script]


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"[profiles.p.gestures]\n{body}\n")
    path.chmod(0o600)
    return path


def _argv(argv: list[str]) -> str:
    return json.dumps(argv)  # a TOML array of basic strings


def test_timeout_stops_the_program_and_what_it_started(tmp_path, caplog):
    """timeout_s = 1 on programs that sleep: the whole process group is stopped (its child
    ignores SIGTERM, so SIGKILL after the grace), not "left running"."""
    pids, argv = _family(tmp_path)
    cfg = load_config(_config(tmp_path, f'g = {{ action = "run", argv = {_argv(argv)}, timeout_s = 1 }}'))
    outs = OutputSet(cfg)
    with caplog.at_level(logging.WARNING, logger="wand.outputs"):
        assert outs.perform(cfg.profiles["p"].gestures["g"][0], EVENT).startswith("started")
        assert _wait(lambda: len(_pids(pids)) == 2)
        assert _wait(lambda: all(_gone(p) for p in _pids(pids)))
        assert _wait(lambda: any("timeout_s" in r.getMessage() for r in caplog.records))
    assert any("still running after 1 s (timeout_s): stopped" in r.getMessage() for r in caplog.records)
    outs.close()


def test_daemon_exit_stops_running_programs_no_orphans(bundle, vocab, tmp_path):
    """Through the daemon: a gesture starts a long program (timeout_s = 3600) that starts
    another; the daemon stops, and both are gone (no orphans left with parent 1)."""
    from wand.daemon import Backoff, Daemon
    from wand.simwand.device import SimulatedWand

    pids, argv = _family(tmp_path)
    config = load_config(_config(tmp_path, f'circle_cw = {{ action = "run", argv = {_argv(argv)}, timeout_s = 3600 }}'))
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1])
    daemon = Daemon(config, bundle, OutputSet(config), None, line=lambda s: None, backoff=Backoff(0.005, 0.02))

    def running() -> None:
        assert not any(_gone(p) for p in _pids(pids))  # running while the daemon runs
    run_on_sim(daemon, wand, lambda: len(_pids(pids)) == 2, running, timeout=GUARD_S)
    assert daemon.performed[0].results[0].startswith("started")
    assert all(_gone(p) for p in _pids(pids))  # stopped before daemon.run returned


def test_a_relative_program_is_found_from_the_configs_folder_not_the_cwd(tmp_path, monkeypatch):
    """At check and at run time alike: 'bin/hello' next to the config, whatever the cwd;
    a bare name on PATH."""
    from wand.cli import main
    path = _config(tmp_path, 'g = { action = "run", argv = ["bin/hello", "x"] }\nh = { action = "run", argv = ["hello2"] }')
    script = path.parent / "bin" / "hello"
    script.parent.mkdir()
    marker = tmp_path / "ran"
    script.write_text(f"#!/bin/sh\necho \"$1\" > {marker}\n")
    script.chmod(0o755)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "bin").mkdir(parents=True)
    (elsewhere / "bin" / "hello").write_text("not a program\n")  # what the cwd would have found
    monkeypatch.chdir(elsewhere)
    assert main(["config", "check", str(path)]) == 0
    on_path = tmp_path / "path"
    on_path.mkdir()
    (on_path / "hello2").write_text(f"#!/bin/sh\necho path > {marker}2\n")
    (on_path / "hello2").chmod(0o755)
    monkeypatch.setenv("PATH", f"{on_path}:{os.environ['PATH']}")
    cfg = load_config(path)
    outs = OutputSet(cfg)
    outs.perform(cfg.profiles["p"].gestures["g"][0], EVENT)
    outs.perform(cfg.profiles["p"].gestures["h"][0], EVENT)
    assert _wait(lambda: marker.exists() and marker.read_text() == "x\n")
    assert _wait(lambda: (tmp_path / "ran2").exists())
    script.unlink()  # gone since the check: one line naming the file it looked for
    with pytest.raises(DeviceError, match=rf"config.toml:2: cannot run 'bin/hello' \({script}\): No such file"):
        outs.perform(cfg.profiles["p"].gestures["g"][0], EVENT)
    outs.close()


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_program_others_may_change_is_refused_at_check_and_at_run(tmp_path, mode):
    prog = tmp_path / "prog.sh"
    prog.write_text("#!/bin/sh\ntrue\n")
    prog.chmod(0o755)
    path = _config(tmp_path, f'g = {{ action = "run", argv = ["{prog}"] }}')
    cfg = load_config(path)  # fine while only its owner may write it
    prog.chmod(mode)
    with pytest.raises(ConfigError, match=rf"config.toml:2: cannot run .*writable by other users.*chmod go-w"):
        load_config(path)
    with pytest.raises(DeviceError, match=rf"config.toml:2: cannot run .*writable by other users"):
        OutputSet(cfg).perform(cfg.profiles["p"].gestures["g"][0], EVENT)


def test_a_program_in_a_folder_others_may_write_is_refused(tmp_path):
    """Others could swap the file for their own: refused as ssh refuses such a key file
    (a sticky folder like /tmp is fine: there they cannot replace your file)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    prog = shared / "prog.sh"
    prog.write_text("#!/bin/sh\ntrue\n")
    prog.chmod(0o755)
    path = _config(tmp_path, f'g = {{ action = "run", argv = ["{prog}"] }}')
    cfg = load_config(path)
    shared.chmod(0o777)
    with pytest.raises(ConfigError, match=rf"config.toml:2: cannot run .*its folder {shared} is writable by other"):
        load_config(path)
    with pytest.raises(DeviceError, match=rf"config.toml:2: cannot run .*its folder {shared} is writable by other"):
        OutputSet(cfg).perform(cfg.profiles["p"].gestures["g"][0], EVENT)
    shared.chmod(0o1777)  # sticky
    load_config(path)


def test_a_programs_stderr_is_logged_as_one_clean_line(tmp_path, caplog):
    argv = [sys.executable, "-c", "import sys; sys.stderr.write('\\x1b[2J\\x1b]0;owned\\x07bad\\rthing\\n'); sys.exit(3)"]
    cfg = parse_config("[profiles.p.gestures]\ng = { action = \"run\", argv = " + _argv(argv) + " }\n")
    outs = OutputSet(cfg)
    with caplog.at_level(logging.WARNING, logger="wand.outputs"):
        outs.perform(cfg.profiles["p"].gestures["g"][0], EVENT)
        assert _wait(lambda: any("exited with 3" in r.getMessage() for r in caplog.records))
    (line,) = [r.getMessage() for r in caplog.records if "exited with 3" in r.getMessage()]
    assert line.endswith("exited with 3 bad thing") and "\x1b" not in line and "\r" not in line, repr(line)
