"""The daemon's BLE transport through bleak, driven via bleak's backend= seam."""

from __future__ import annotations

import asyncio

import pytest

import fake_bleak
from helpers import LinkTally, drive, enrol_unseen, until
from wand.config import example_path, load_config
from wand.daemon import Backoff, Daemon
from wand.errors import DeviceError
from wand.outputs import OutputSet
from wand.simwand.device import SimulatedWand
from wand.transport.ble import BleakBackend, _bluetooth_error, scan


@pytest.fixture
def wands(bundle, vocab):
    fake_bleak.WANDS.clear()
    fake_bleak.CLIENTS.clear()
    a = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:4], name="wand-a", address="C8:00:00:00:00:0A")
    b = SimulatedWand(bundle, vocab["push_forward"].recordings()[:4], name="wand-b", address="C8:00:00:00:00:0B")
    fake_bleak.WANDS.update({a.address: a, b.address: b})
    fake_bleak.RSSI.update({a.address: -71, b.address: -48})
    yield a, b
    fake_bleak.WANDS.clear()


def test_scan_lists_wands_strongest_first(wands):
    found = asyncio.run(scan(0.05, backend=fake_bleak.FakeScanner))
    assert [(w.name, w.rssi) for w in found] == [("wand-b", -48), ("wand-a", -71)]


def test_scan_without_dbus_is_an_actionable_error():
    with pytest.raises(DeviceError, match=r"Bluetooth service not reachable .*systemctl start bluetooth"):
        asyncio.run(scan(0.05, backend=fake_bleak.NoDbusScanner))


@pytest.mark.parametrize("exc, message", [
    (PermissionError(13, "Permission denied"), "permission denied"),
    (Exception("org.freedesktop.DBus.Error.AccessDenied"), "permission denied"),
    (Exception("No Bluetooth adapters found."), "no Bluetooth adapter"),
    (asyncio.TimeoutError(), "timed out"),
])
def test_bluetooth_errors_become_one_line_advice(exc, message):
    assert message in str(_bluetooth_error(exc, "connect"))


def test_two_wands_each_with_its_own_profile_reconnect_after_going_out_of_range(bundle, wands):
    a, b = wands
    from wand.config import WandBinding
    config = load_config(example_path("presentation"))
    config.wands = [WandBinding("wand-b", None, "game")]  # wand-a keeps the default profile
    daemon = Daemon(config, bundle, OutputSet(dry_run=True), None, line=lambda s: None, backoff=Backoff(0.01, 0.05))
    backends = [BleakBackend(w.address, w.name, backend=fake_bleak.FakeWandClient) for w in (a, b)]

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run(backends, stop))
        while sum(w.state == "connected" for w in daemon.wands.values()) < 2:
            await asyncio.sleep(0.01)
        await asyncio.gather(a.run(speed=0), b.run(speed=0))
        for c in list(fake_bleak.CLIENTS):
            c.radio_lost()
        await until(lambda: min(w.connects for w in daemon.wands.values()) >= 2
                    and min(w.stream.stats.duplicates for w in daemon.wands.values()) >= 1
                    and daemon._queue.empty())
        stop.set()
        await runner
    asyncio.run(go())
    by_wand = {}
    for p in daemon.performed:
        by_wand.setdefault(p.event.wand, []).append(p)
    assert {p.profile for p in by_wand["wand-a"]} == {"slides"}
    assert {p.profile for p in by_wand["wand-b"]} == {"game"}
    assert any("gamepad a" in r for p in by_wand["wand-b"] for r in p.results)
    for name in ("wand-a", "wand-b"):
        st = daemon.wands[name]
        assert st.connects >= 2 and st.stream.stats.lost == 0
        assert st.stream.stats.duplicates >= 1  # the re-send after reconnect, recognised and dropped
        seqs = [p.event.seq for p in by_wand[name]]
        assert seqs == sorted(set(seqs))


def test_connecting_to_an_absent_wand_keeps_retrying_with_one_message(bundle, wands):
    lines = []
    daemon = Daemon(load_config(example_path("tv")), bundle, OutputSet(dry_run=True), None, line=lines.append,
                    backoff=Backoff(0.01, 0.02))

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([BleakBackend("C8:00:00:00:00:FF", "ghost",
                                                               backend=fake_bleak.FakeWandClient)], stop))
        await until(lambda: len(fake_bleak.CLIENTS) >= 3)  # three tries, one message
        stop.set()
        await runner
    asyncio.run(go())
    errors = [l for l in lines if "ghost" in l]
    assert len(errors) == 1 and "was not found" in errors[0] and "retrying" in errors[0]
    assert daemon.wands["ghost"].state == "stopped"


def test_enrolled_gestures_are_cut_from_the_imu_streamed_through_bleak(bundle, vocab, tmp_path):
    """The same custom-gesture path through bleak (its client front end, characteristic
    resolution and callback wrapping): the IMU stream turned on by the config the daemon
    writes, IMU notifications cut into enrolled gestures, also after the radio dropped."""
    from wand.enrol import load
    path = tmp_path / "enrolled.json"
    tries = enrol_unseen(bundle, vocab, path)
    wand = SimulatedWand(bundle, [r for _, r in tries], name="wand-c", address="C8:00:00:00:00:0C")
    fake_bleak.CLIENTS.clear()
    fake_bleak.WANDS.clear()
    fake_bleak.WANDS[wand.address] = wand
    config = load_config(example_path("tv"))
    config.max_event_age_ms = None
    daemon = Daemon(config, bundle, OutputSet(config, dry_run=True), load(path, bundle.rate_hz),
                    line=lambda s: None, backoff=Backoff(0.01, 0.05))
    tally = LinkTally(wand, daemon, "wand-c")
    st = lambda: daemon.wands.get("wand-c")  # noqa: E731

    async def paced(e):
        await tally.received(e)
        if e.take == 5 and st().connects == 1:  # out of range as the sixth try begins
            for c in list(fake_bleak.CLIENTS):
                if c.is_connected:
                    c.radio_lost()
            await until(lambda: st().connects == 2 and st().state == "connected" and st().imu_on)

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([BleakBackend(wand.address, wand.name,
                                                              backend=fake_bleak.FakeWandClient)], stop))
        await until(lambda: st() and st().state == "connected" and st().imu_on)
        await drive(wand, lambda: False, paced)
        await until(lambda: len(daemon.performed) >= len(tally.gestures_sent))
        stop.set()
        await runner
    try:
        asyncio.run(go())
    finally:
        fake_bleak.WANDS.clear()
    s = daemon.wands["wand-c"]
    assert [c.stream_imu for c in tally.configs] == [True, True]
    assert tally.imu_sent > 100 and tally.imu_got == tally.imu_sent and s.stream.stats.no_imu == 0
    assert [p.event.seq for p in daemon.performed] == [seq for seq, _ in tally.gestures_sent]
    take = dict(tally.gestures_sent)
    first = {}
    for p in daemon.performed:
        first.setdefault(take[p.event.seq], p.event)
    right = [t for t, e in first.items() if e.gesture == tries[t][0] and e.source == "enrolled"]
    wrong = [e.gesture for t, e in first.items() if e.gesture in dict(tries) and t not in right]
    assert len(right) >= 8 and not wrong, [(tries[t][0], e.gesture) for t, e in first.items()]
    assert s.connects == 2 and s.stream.stats.lost == 0 and s.stream.stats.duplicates >= 1
