"""The daemon over the simulated wand: actions, reconnects, exactly-once delivery, reloads."""

from __future__ import annotations

import asyncio
from dataclasses import replace


from helpers import drive, until
from wand.config import example_path, load_config
from wand.daemon import Backoff, Daemon
from wand.outputs import OutputSet
from wand.simwand.device import SimulatedWand
from wand.transport.sim import SimBackend


def _daemon(bundle, config=None, lines=None, status_file=None):
    config = config or load_config(example_path("tv"))
    return Daemon(config, bundle, OutputSet(config, dry_run=True), None,
                  line=(lines.append if lines is not None else (lambda s: None)),
                  backoff=Backoff(0.005, 0.02), status_file=status_file)




def _replay_all(daemon, wand, performed: int) -> None:
    """Run the daemon on the simulated wand: connected, every try replayed, ``performed``
    actions done, then a clean stop."""
    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: daemon.wands.get("wand-sim") and daemon.wands["wand-sim"].state == "connected")
        await wand.run(speed=0)
        await until(lambda: len(daemon.performed) >= performed)
        stop.set()
        await runner
    asyncio.run(go())


def test_real_tries_become_mapped_actions(bundle, vocab, tmp_path):
    tries = vocab["circle_cw"].recordings()[:3] + vocab["push_forward"].recordings()[:3]
    wand = SimulatedWand(bundle, tries)
    daemon = _daemon(bundle, status_file=tmp_path / "status.json")

    _replay_all(daemon, wand, performed=6)
    got = [(p.event.gesture, p.results) for p in daemon.performed]
    assert [g for g, _ in got].count("circle_cw") >= 2 and [g for g, _ in got].count("push_forward") >= 2
    assert ("circle_cw", ["(dry run) press media_volume_up x3"]) in got
    import json
    status = json.loads((tmp_path / "status.json").read_text())["wands"]["wand-sim"]
    assert status["connects"] == 1 and status["state"] == "stopped" and status["events"]["delivered"] >= 6


def test_soak_100_forced_disconnects_no_event_lost_or_doubled(bundle, tti_recordings):
    """The link drops right as each gesture is spotted; the wand re-sends on reconnect.
    The wand waits for each reconnect before going on: paced by events, not by speed."""
    wand = SimulatedWand(bundle, tti_recordings, loop=True)
    backend = SimBackend(wand)
    daemon = _daemon(bundle)
    daemon.config.max_event_age_ms = None
    emitted, drops = [], [0]

    def on_emit(e):
        if e.packet[0] == 0x01:
            emitted.append(int.from_bytes(e.packet[1:3], "little"))
            if backend.is_connected and drops[0] < 100:
                backend.drop()  # before this packet is delivered
                drops[0] += 1
    wand.on_emit = on_emit

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([backend], stop))
        await until(lambda: backend.is_connected)
        st = lambda: daemon.wands["wand-sim"]  # noqa: E731

        async def after(e):
            if e.packet[0] == 0x01:
                await until(lambda: st().connects > drops[0] and st().state == "connected", timeout=600)
        await drive(wand, lambda: drops[0] >= 100, after)
        await until(lambda: len(daemon.performed) >= len(emitted) and backend.is_connected, timeout=600)
        stop.set()
        await runner
    asyncio.run(go())
    delivered = [p.event.seq for p in daemon.performed]
    stats = daemon.wands["wand-sim"].stream.stats
    assert drops[0] == 100 and daemon.wands["wand-sim"].connects >= 101
    assert delivered == emitted[:len(delivered)] and len(delivered) >= 100  # in order, none missing
    assert len(set(delivered)) == len(delivered)  # none doubled
    assert stats.lost == 0 and stats.duplicates > 0  # the re-sends really happened and were dropped


def test_config_reload_keeps_the_last_good_one(bundle, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p.gestures]\ncircle_cw = "key:a"\n')
    lines = []
    daemon = _daemon(bundle, load_config(path), lines)
    path.write_text('[profiles.p.gestures]\ncircle_cw = "key:b"\n')
    import os
    os.utime(path, ns=(1, 2))
    assert asyncio.run(daemon.reload_config())
    assert daemon.config.profiles["p"].gestures["circle_cw"][0].params["key"] == "b"
    path.write_text('[profiles.p.gestures]\ncircle_cw = "key:nokey"\n')
    os.utime(path, ns=(3, 4))
    assert not asyncio.run(daemon.reload_config())
    assert daemon.config.profiles["p"].gestures["circle_cw"][0].params["key"] == "b"
    assert any("still running the last good one" in l and "config.toml:2" in l for l in lines)


def test_reloaded_spotting_settings_reach_the_connected_wand(bundle, vocab, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[spotting]\nthreshold = 0.7\n[profiles.p.gestures]\ncircle_cw = "key:a"\n')
    wand = SimulatedWand(bundle, vocab["shake"].recordings()[:1])
    daemon = _daemon(bundle, load_config(path))

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: wand.core.config.threshold == round(0.7 * 256))
        path.write_text('[spotting]\nthreshold = 0.9\n[profiles.p.gestures]\ncircle_cw = "key:a"\n')
        import os
        os.utime(path, ns=(5, 6))
        await until(lambda: wand.core.config.threshold == round(0.9 * 256), timeout=600)
        stop.set()
        await runner
    asyncio.run(go())


def test_model_mismatch_is_reported(bundle, vocab):
    other = replace(bundle, tflite=bundle.tflite + b"\x00")  # a host model that differs from the wand's
    wand = SimulatedWand(bundle, vocab["shake"].recordings()[:1])
    lines = []
    daemon = _daemon(other, lines=lines)

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: any("runs model" in l for l in lines))
        stop.set()
        await runner
    asyncio.run(go())
    assert any("gesture names may be wrong" in l for l in lines)


def test_profile_switch_changes_what_gestures_do(bundle):
    from wand.events import GestureEvent
    from wand.mapper import Mapper
    cfg = load_config(example_path("presentation"))
    m = Mapper(cfg)
    ev = lambda g: GestureEvent("w", g, "model", 1.0, 0.5, 0, 0)  # noqa: E731
    assert m.map(ev("push_forward")).actions[0].params["key"] == "right"
    assert m.map(ev("diagonal_up_right")).switched_to == "game"
    assert m.map(ev("push_forward")).actions[0].kind == "pad"


class _Flaky(SimBackend):
    """A simulated link whose first connects fail with whatever a library might raise."""

    def __init__(self, wand, failures):
        super().__init__(wand)
        self.failures = list(failures)

    async def connect(self, timeout: float = 10.0) -> None:
        if self.failures:
            raise self.failures.pop(0)
        await super().connect(timeout)


def test_whatever_a_backend_raises_is_one_line_and_a_retry(bundle, vocab):
    import bumble.core
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:2])
    failures = [RuntimeError("boom"), KeyError("handle"), asyncio.CancelledError(),
                bumble.core.TimeoutError("GATT timeout"), OSError(19, "No such device"), AssertionError()]
    lines = []
    daemon = _daemon(bundle, lines=lines)

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([_Flaky(wand, failures)], stop))
        await until(lambda: daemon.wands.get("wand-sim") and daemon.wands["wand-sim"].state == "connected")
        await wand.run(speed=0)
        await until(lambda: len(daemon.performed) >= 2)
        stop.set()
        await runner
    asyncio.run(go())
    retries = [l for l in lines if l.endswith("; retrying")]
    assert len(retries) == 6
    for text in ("RuntimeError: boom", "KeyError: 'handle'", "CancelledError", "TimeoutError: GATT timeout",
                 "OSError", "AssertionError"):
        assert any(text in l for l in retries), text
    assert [p.event.gesture for p in daemon.performed] == ["circle_cw"] * 2


def test_an_output_that_raises_is_one_line_and_the_next_event_goes_on(bundle, vocab):
    class Broken(OutputSet):
        calls = 0

        def perform(self, action, event):
            Broken.calls += 1
            if Broken.calls == 1:
                raise OSError(8, "Exec format error")  # e.g. a script without a shebang
            return super().perform(action, event)
    config = load_config(example_path("tv"))
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:2])
    lines = []
    daemon = Daemon(config, bundle, Broken(config.midi, dry_run=True), None, line=lines.append,
                    backoff=Backoff(0.005, 0.02))

    _replay_all(daemon, wand, performed=2)
    assert "failed: OSError" in daemon.performed[0].results[0] and "Exec format error" in daemon.performed[0].results[0]
    assert daemon.performed[1].results == ["(dry run) press media_volume_up x3"]


def test_notification_callback_never_raises(bundle):
    from wand.daemon import WandState
    from wand.events import EventStream
    lines = []
    daemon = _daemon(bundle, lines=lines)
    st = WandState("w", "addr", stream=EventStream("w", bundle, None, None))
    st.stream.namer.name = lambda p, segment=None: 1 / 0  # a bug in naming, not the wand's fault
    from wand.protocol import GesturePacket
    daemon._on_packet(st, GesturePacket(0, 1, 200, 100, 5, (0,) * 8).encode())
    daemon._on_packet(st, b"\x01garbage")
    assert st.stream.stats.errors == 1 and st.stream.stats.corrupt == 1
    assert any("ZeroDivisionError" in l and "skipped" in l for l in lines)
    st.stream.ring.feed = lambda p: [][1]  # and in the IMU path
    daemon._on_imu(st, bytes([0x02, 0, 0, 1]) + bytes(12))
    daemon._on_imu(st, b"\x02garbage")
    assert st.stream.stats.imu_corrupt == 1 and st.stream.stats.errors == 2 and any("IndexError" in l and "IMU packet" in l for l in lines)


def test_config_reload_parses_off_the_loop_and_survives_any_exception(bundle, tmp_path, monkeypatch):
    import os
    import threading
    import wand.daemon as daemon_mod
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p.gestures]\ncircle_cw = "key:a"\n')
    lines = []
    daemon = _daemon(bundle, load_config(path), lines)
    threads = []

    def deep(p):
        threads.append(threading.current_thread())
        raise RecursionError("maximum recursion depth exceeded")  # what a 1000-deep table did
    monkeypatch.setattr(daemon_mod, "load_config", deep)
    os.utime(path, ns=(7, 8))
    assert not asyncio.run(daemon.reload_config())
    assert threads and threads[0] is not threading.main_thread()
    assert daemon.config.profiles["p"].gestures["circle_cw"][0].params["key"] == "a"
    assert any("still running the last good one: RecursionError" in l for l in lines)


def test_new_enrolment_reaches_the_running_daemon(bundle, vocab, tmp_path):
    """'wand enrol' while the daemon runs: the wand is told to stream its IMU, and the next
    gesture is cut from that stream and named by DTW, end to end through the sim link."""
    from wand.enrol import EnrolmentSet, cut_tries, load
    path = tmp_path / "enrolled.json"
    EnrolmentSet(bundle.rate_hz, path=path).save()
    tries = vocab["shake"].recordings()[:5]
    lines = []
    config = load_config(example_path("tv"))
    daemon = Daemon(config, bundle, OutputSet(config, dry_run=True), load(path, bundle.rate_hz),
                    line=lines.append, backoff=Backoff(0.005, 0.02))
    wand = SimulatedWand(bundle, tries[3:])  # a named packet's cut waits for samples after it: two tries

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: daemon.wands.get("wand-sim") and daemon.wands["wand-sim"].state == "connected")
        assert not wand.core.config.stream_imu  # nothing enrolled: no IMU stream
        es = load(path, bundle.rate_hz)
        es.enrol("wiggle", [c.segment for c in cut_tries(bundle, tries[:3])], radius=50.0)
        es.save()
        import os
        os.utime(path, ns=(11, 12))
        await until(lambda: any("enrolled gestures reloaded" in l for l in lines), timeout=600)
        await until(lambda: wand.core.config.stream_imu)
        await wand.run(speed=0)
        await until(lambda: len(daemon.performed) >= 1)
        stop.set()
        await runner
    asyncio.run(go())
    assert any("wiggle" in l for l in lines if "reloaded" in l)
    assert any("notifications/s" in l for l in lines)
    ev = daemon.performed[0].event
    assert ev.gesture == "wiggle" and ev.source == "enrolled"
    assert daemon.wands["wand-sim"].stream.ring.newest is not None  # it was named from the streamed IMU


def test_status_file_follows_events_while_running(bundle, vocab, tmp_path):
    import json
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:3])
    status = tmp_path / "status.json"
    daemon = _daemon(bundle, status_file=status)

    def read():
        try:
            return json.loads(status.read_text())["wands"]["wand-sim"]
        except (OSError, ValueError, KeyError):
            return {}

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: read().get("state") == "connected")
        assert read()["events"]["delivered"] == 0 and read()["last_gesture"] == ""
        whole = json.loads(status.read_text())  # the user sees whether the IMU streams, and why
        assert whole["enrolled"] == [] and whole["imu_stream"] == "no enrolled gestures: IMU stream off"
        await wand.run(speed=0)
        await until(lambda: read().get("events", {}).get("delivered") == 3 and read()["last_gesture"] == "circle_cw",
                    timeout=600)
        stop.set()
        await runner
    asyncio.run(go())


def test_unpaired_wand_is_not_connected_and_reported_once(bundle, vocab):
    class Stranger(SimBackend):
        trusted = False  # as a BLE link: anyone could be on the other end
        connects = 0

        async def connect(self, timeout=10.0):
            Stranger.connects += 1
            await super().connect(timeout)
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1], name="\x1b[31mevil\x1b[0m\nwand")
    lines = []
    daemon = Daemon(load_config(example_path("tv")), bundle, OutputSet(dry_run=True), None, line=lines.append,
                    allow=lambda b: False)

    async def go():
        stop = asyncio.Event()
        backend = Stranger(wand)

        async def found():
            return [backend]
        runner = asyncio.create_task(daemon.run([backend], stop, discover=found, rescan_s=0.01))
        await asyncio.sleep(0.2)  # many rescans hear it again
        stop.set()
        await runner
    asyncio.run(go())
    assert Stranger.connects == 0 and daemon.performed == []
    assert len(lines) == 1 and "not paired: ignored" in lines[0] and "wand pair" in lines[0]
    assert "\x1b" not in lines[0] and "\n" not in lines[0] and "[evilwand]" in lines[0]


def test_config_writable_by_others_is_not_reloaded(bundle, tmp_path):
    import os
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p.gestures]\ncircle_cw = "key:a"\n')
    lines = []
    daemon = _daemon(bundle, load_config(path), lines)
    path.write_text('[profiles.p.gestures]\ncircle_cw = "run:id"\n')  # someone else's edit
    path.chmod(0o666)
    os.utime(path, ns=(9, 10))
    assert not asyncio.run(daemon.reload_config())
    assert daemon.config.profiles["p"].gestures["circle_cw"][0].kind == "key"
    assert any("writable by other users" in l and "chmod go-w" in l for l in lines)
