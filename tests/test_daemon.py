"""The daemon over the simulated wand: actions, reconnects, exactly-once delivery, reloads."""

from __future__ import annotations

import asyncio
from dataclasses import replace


from helpers import until
from wand.config import example_path, load_config
from wand.daemon import Backoff, Daemon
from wand.outputs import OutputSet
from wand.simwand.device import SimulatedWand
from wand.transport.sim import SimBackend


def _daemon(bundle, config=None, lines=None, status_file=None):
    config = config or load_config(example_path("tv"))
    return Daemon(config, bundle, OutputSet(config.midi, dry_run=True), None,
                  line=(lines.append if lines is not None else (lambda s: None)),
                  backoff=Backoff(0.005, 0.02), status_file=status_file)




def test_real_tries_become_mapped_actions(bundle, vocab, tmp_path):
    tries = vocab["circle_ccw"].recordings()[:3] + vocab["push_forward"].recordings()[:3]
    wand = SimulatedWand(bundle, tries)
    daemon = _daemon(bundle, status_file=tmp_path / "status.json")

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: daemon.wands.get("wand-sim") and daemon.wands["wand-sim"].state == "connected")
        await wand.run(speed=0)
        await until(lambda: len(daemon.performed) >= 6)
        stop.set()
        await runner
    asyncio.run(go())
    got = [(p.event.gesture, p.results) for p in daemon.performed]
    assert [g for g, _ in got].count("circle_ccw") >= 2 and [g for g, _ in got].count("push_forward") >= 2
    assert ("circle_ccw", ["(dry run) press media_volume_up x3"]) in got
    import json
    status = json.loads((tmp_path / "status.json").read_text())["wands"]["wand-sim"]
    assert status["connects"] == 1 and status["state"] == "stopped" and status["events"]["delivered"] >= 6


def test_soak_100_forced_disconnects_no_event_lost_or_doubled(bundle, tti_recordings):
    """The link drops right as each gesture is spotted; the wand re-sends on reconnect."""
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
        replay = asyncio.create_task(wand.run(speed=40.0))
        await until(lambda: drops[0] >= 100 and len(daemon.performed) >= len(emitted) and backend.is_connected,
                     timeout=60)
        replay.cancel()
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
    path.write_text('[profiles.p.gestures]\ncircle_ccw = "key:a"\n')
    lines = []
    daemon = _daemon(bundle, load_config(path), lines)
    path.write_text('[profiles.p.gestures]\ncircle_ccw = "key:b"\n')
    import os
    os.utime(path, ns=(1, 2))
    assert asyncio.run(daemon.reload_config())
    assert daemon.config.profiles["p"].gestures["circle_ccw"][0].params["key"] == "b"
    path.write_text('[profiles.p.gestures]\ncircle_ccw = "key:nokey"\n')
    os.utime(path, ns=(3, 4))
    assert not asyncio.run(daemon.reload_config())
    assert daemon.config.profiles["p"].gestures["circle_ccw"][0].params["key"] == "b"
    assert any("still running the last good one" in l and "config.toml:2" in l for l in lines)


def test_reloaded_spotting_settings_reach_the_connected_wand(bundle, vocab, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[spotting]\nthreshold = 0.7\n[profiles.p.gestures]\ncircle_ccw = "key:a"\n')
    wand = SimulatedWand(bundle, vocab["shake"].recordings()[:1])
    daemon = _daemon(bundle, load_config(path))

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: wand.core.config.threshold == round(0.7 * 256))
        path.write_text('[spotting]\nthreshold = 0.9\n[profiles.p.gestures]\ncircle_ccw = "key:a"\n')
        import os
        os.utime(path, ns=(5, 6))
        await until(lambda: wand.core.config.threshold == round(0.9 * 256), timeout=5)
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
