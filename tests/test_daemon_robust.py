"""Issue 20, items 4 and 5, through the real commands and the daemon: every failure line
keeps its whole reason; every numeric option is validated; `wand record` into a folder
it cannot write is one line; a late event says why it is late; a config or enrolment
file deleted while the daemon runs is one line and the last good one stays."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket

import pytest

from wand.cli import build_parser, main
from wand.config import load_config
from wand.daemon import Backoff, Daemon, WandState, describe
from wand.errors import DeviceError
from wand.events import EventStream
from wand.outputs import OutputSet
from wand.protocol import GesturePacket, StatusPacket
from wand.simwand.device import SimulatedWand
from helpers import run_on_sim

GUARD_S = 600.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


# --- every failure line keeps its reason ------------------------------------------------
def test_a_skipped_action_keeps_its_whole_reason(bundle, vocab, tmp_path):
    """They were cut at the first colon: 'run skipped: run.toml', 'tv skipped: Roku at 127.0.0.1'."""
    port = _free_port()
    path = _config(tmp_path, f'[tv]\nbackend = "roku"\nhost = "127.0.0.1"\nport = {port}\n'
                             '[profiles.p.gestures]\ncircle_cw = [{ action = "run", argv = ["/no/such/prog"] }, '
                             '"tv:power"]\n')
    config = load_config(path)
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1])
    daemon = Daemon(config, bundle, OutputSet(config), None, line=lambda s: None, backoff=Backoff(0.005, 0.02))

    run_on_sim(daemon, wand, lambda: daemon.performed, timeout=GUARD_S)
    run, tv = daemon.performed[0].results
    assert run == f"run skipped: {path}:6: cannot run '/no/such/prog': No such file or directory", run
    assert tv.startswith(f"tv skipped: Roku at 127.0.0.1:{port} did not take 'power' (") and "discover" in tv, tv


def test_a_reason_is_one_clean_bounded_line():
    text = describe(DeviceError("MIDI output unavailable (SystemError: \x1b[2Jjack: a\nb; c)" + "x" * 5000))
    assert text.startswith("MIDI output unavailable (SystemError: jack: a b; c)") and len(text) <= 300
    assert "\x1b" not in text and "\n" not in text and text.endswith("...")
    assert describe(KeyError("k")) == "KeyError: 'k'" and describe(RuntimeError()) == "RuntimeError"


# --- numeric options --------------------------------------------------------------------
def _numeric_options() -> list[tuple[str, str]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, p in sub.choices.items():
        for a in p._actions:
            assert a.type not in (int, float), f"wand {name} {a.option_strings}: a bare {a.type.__name__} takes nan, -1"
            if a.type is not None and getattr(a.type, "__name__", "") in ("int", "number") and a.option_strings:
                found.append((name, a.option_strings[-1]))
    return found


def test_the_sweep_finds_every_numeric_option():
    found = set(_numeric_options())
    assert {("tv", "--timeout"), ("scan", "--timeout"), ("run", "--scan-timeout"), ("pair", "--scan-timeout"),
            ("record", "--tries"), ("eval", "--draws"), ("eval", "--seed"), ("bench", "--seeds"),
            ("demo", "--speed"), ("enrol", "--radius"), ("train", "--epochs")} <= found, found


@pytest.mark.parametrize("command, option", _numeric_options())
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "-1", "1e400", "x", "99999999999999999999"])
def test_every_numeric_option_refuses_what_is_not_a_finite_number_in_range(command, option, bad, capsys):
    needs = {"tv": ["discover"], "record": ["zorro"], "enrol": ["zorro"], "bench": ["fewshot"], "config": ["check"]}
    with pytest.raises(SystemExit) as e:
        main([command, *needs.get(command, []), f"{option}={bad}"])
    err = capsys.readouterr().err
    assert e.value.code == 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"wand {command}: error: argument {option}") and ("must be" in last or "is not" in last)
    assert "Traceback" not in err and "internal error" not in err


def test_tv_discover_timeout_nan_and_minus_one_are_usage_lines(capsys):
    for bad in ("nan", "-1"):
        with pytest.raises(SystemExit):
            main(["tv", "discover", "--timeout", bad])
        assert f"must be a number above 0 and at most 3600, got {bad}" in capsys.readouterr().err


# --- wand record into a folder it cannot write --------------------------------------------
@pytest.mark.parametrize("where", ["/proc", "file", "incoming-is-a-file"])
def test_record_into_a_folder_it_cannot_write_is_one_line(tmp_path, capsys, where):
    out = tmp_path / "recs"
    if where == "/proc":
        out = "/proc"
    elif where == "file":
        out.write_text("")
    else:  # the folder is fine, but saving a try fails mid-session
        (out / ".incoming").parent.mkdir()
        (out / ".incoming").write_text("")
    rc = main(["record", "zorro", "--wand", "sim:circle_cw", "--tries", "2", "--yes", "--out", str(out)])
    captured = capsys.readouterr()
    errors = [l for l in captured.err.splitlines() if l.strip()]
    assert rc == 1 and len(errors) == 1 and errors[0].startswith("wand record: error: cannot "), captured
    assert "Traceback" not in captured.out + captured.err and "next:" not in captured.out


# --- late events, worded by what happened ---------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_late_event_says_why_it_is_late(bundle, monkeypatch):
    """Held by the wand while away; the host paused (SIGSTOP) with no reconnect; a wild
    timestamp: three different lines, none of them 'after a reconnect' unless it was one."""
    import wand.events as events
    clock = _Clock()
    monkeypatch.setattr(events, "time", clock)
    lines = []
    daemon = Daemon(load_config(_example()), bundle, OutputSet(dry_run=True), None, line=lines.append)
    stream = EventStream("w", bundle, None, 3000)
    daemon.wands["w"] = WandState("w", "addr", stream=stream)
    gid = bundle.classes.index("circle_cw")

    def status(uptime):
        return StatusPacket(1, 255, 0, 100, bundle.crc32, len(bundle.classes), uptime)

    async def perform(event):
        await daemon._perform(asyncio.get_running_loop(), event, "addr")

    def feed(seq, ts):
        asyncio.run(perform(stream.feed(GesturePacket(seq, gid, 250, 100, ts, ()).encode())))
        return lines[-1]
    stream.on_connect(status(100_000))
    assert "held by the wand while it was not connected, 60.0 s old" in feed(1, 40_000)
    assert "-> (dry run)" in feed(2, 100_100)  # fresh: acted on
    clock.now += 20  # SIGSTOP: the host froze for 20 s, the link stayed up
    line = feed(3, 100_200)
    assert "this host was paused or too busy" in line and "reconnect" not in line and "not acted on" in line
    for seq in range(4, 12):  # long after the re-sends at connect
        feed(seq, 120_000)
    line = feed(12, 5)
    assert "the wand's timestamp is wrong" in line and "reconnect" not in line
    assert stream.stats.stale == 3


def _example():
    from wand.config import example_path
    return example_path("tv")


# --- files deleted while the daemon runs ----------------------------------------------------
def test_a_deleted_config_or_enrolment_file_is_one_line_and_the_last_good_one_stays(bundle, vocab, tmp_path):
    import os

    from wand.enrol import load
    from helpers import enrol_unseen
    path = _config(tmp_path, '[profiles.p.gestures]\ncircle_cw = "key:a"\n')
    enrolled = tmp_path / "enrolled.json"
    enrol_unseen(bundle, vocab, enrolled)
    lines = []
    config = load_config(path)
    daemon = Daemon(config, bundle, OutputSet(config, dry_run=True), load(enrolled, bundle.rate_hz),
                    line=lines.append)

    async def check():
        await daemon.reload_config()
        await daemon.reload_enrolled()
    path.unlink()
    enrolled.unlink()
    for _ in range(3):  # said once, not at every look
        asyncio.run(check())
    assert len(lines) == 2, lines
    assert f"config {path} is gone" in lines[0] and "still running the last good one" in lines[0]
    assert f"{enrolled} is gone" in lines[1] and "still using the last good ones" in lines[1]
    assert daemon.config.profiles["p"].gestures["circle_cw"][0].params["key"] == "a"
    assert set(daemon.enrolled.gestures) == {"shake", "diagonal_up_right"}
    _config(tmp_path, '[profiles.p.gestures]\ncircle_cw = "key:b"\n')  # back: read again
    os.utime(path, ns=(5, 6))
    asyncio.run(check())
    assert lines[-1].startswith("config reloaded") and daemon.config.profiles["p"].gestures["circle_cw"][0].params["key"] == "b"
    assert json.loads(json.dumps(daemon.status()))["enrolled"] == ["diagonal_up_right", "shake"]
