"""Characters drawn in the air through the daemon: the wand is told which characters the
profile maps (on connect, reconnect, profile switch and config reload; over the sim link
and real ATT on a bumble LocalLink), and a stroke packet ends in the mapped action.

The stroke packets are the wand's own wire format, notified by the simulated wand; they are
sent here by the test (``SimulatedWand.send``): the host side does not depend on which IMU
made them."""

from __future__ import annotations

import asyncio
import dataclasses
import os

import pytest

from helpers import until
from wand.characters import DIGITS, LETTERS, SHAPES, STROKE_LABELS, index, mask_of
from wand.config import example_path, load_config
from wand.daemon import Backoff, Daemon
from wand.outputs import OutputSet
from wand.protocol import STROKE_UNKNOWN, StrokeConfigPacket, StrokePacket
from wand.simwand.device import SimulatedWand
from wand.transport.sim import SimBackend

CONFIG = """
[strokes]
threshold = 0.5
[tv]
backend = "cec"
[profiles.remote.gestures]
{remote}
shape_circle = "profile:typing"
[profiles.typing.gestures]
{typing}
shape_square = "profile:remote"
"""


def _config(tmp_path, remote=DIGITS, typing=LETTERS, name="c.toml"):
    path = tmp_path / name
    path.write_text(CONFIG.format(remote="\n".join(f'{d} = "tv:digits={d[-1]}"' for d in remote),
                                  typing="\n".join(f'{c} = "key:{c[-1]}"' for c in typing)))
    os.chmod(path, 0o600)
    return path


def _stroke(seq, name, second="digit_3", t=1000):
    return StrokePacket(seq, index(name), 230, index(second), 20, STROKE_UNKNOWN, 0, t, 40, 90).encode()


def _daemon(bundle, config, lines):
    return Daemon(config, bundle, OutputSet(config, dry_run=True), None, line=lines.append,
                  backoff=Backoff(0.005, 0.02))


def test_profile_mask_follows_connect_switch_reload_and_reconnect_over_the_sim_link(bundle, vocab, tmp_path):
    path = _config(tmp_path)
    lines: list[str] = []
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1])
    wand.stroke_config = StrokeConfigPacket(active_mask=0)  # what it had before: nothing
    daemon = _daemon(bundle, load_config(path), lines)
    backend = SimBackend(wand)

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([backend], stop))
        await until(lambda: wand.stroke_config.active_mask == mask_of(DIGITS + ("shape_circle",)))
        await until(lambda: wand.events_subscribed)
        got = [wand.stroke_config]
        assert got[0].characters_first and got[0].over_gesture == 0  # no gesture mapped: a character always wins
        wand.send(_stroke(1, "digit_5"))  # draw 5 -> channel 5
        await until(lambda: len(daemon.performed) == 1)
        wand.send(_stroke(1, "digit_5"))  # a re-send: never twice
        wand.send(_stroke(2, "shape_circle"))  # -> the typing profile: letters
        await until(lambda: wand.stroke_config.active_mask == mask_of(LETTERS + ("shape_square",)))
        got.append(wand.stroke_config)
        wand.send(_stroke(3, "letter_z", second="letter_l"))
        await until(lambda: len(daemon.performed) == 3)
        _config(tmp_path, typing=("letter_a", "letter_b"))  # a saved edit: the active set shrinks
        os.utime(path, ns=(1, 1))  # a new mtime on any file system clock
        await until(lambda: wand.stroke_config.active_mask == mask_of(("letter_a", "letter_b", "shape_square")),
                    timeout=600)
        wand.stroke_config = StrokeConfigPacket()  # the wand rebooted: all 44, its default
        backend.drop()
        await until(lambda: daemon.wands["wand-sim"].connects == 2 and wand.events_subscribed)
        await until(lambda: wand.stroke_config.active_mask == mask_of(("letter_a", "letter_b", "shape_square")))
        got.append(daemon.status()["wands"]["wand-sim"]["characters"])
        stop.set()
        await runner
        return got
    got = asyncio.run(go())
    assert got[-1] == ["letter_a", "letter_b", "shape_square"]  # what `wand status` shows
    assert all(c.enabled and c.threshold == round(0.5 * 255) for c in got[:2])
    events = [p.event for p in daemon.performed]
    assert [e.gesture for e in events] == ["digit_5", "shape_circle", "letter_z"]
    assert events[0].source == "stroke" and events[0].runner_ups == (("digit_3", 20 / 255),)
    assert [p.results for p in daemon.performed] == [["(dry run) TV digits 5"], ["profile -> typing"],
                                                     ["(dry run) press z"]]
    assert daemon.performed[2].profile == "typing"
    assert daemon.wands["wand-sim"].stream.stats.duplicates == 1


def test_a_profile_without_characters_turns_the_stroke_spotter_off(bundle, vocab, tmp_path):
    cfg = load_config(example_path("presentation"))
    wand = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1])
    daemon = _daemon(bundle, cfg, [])

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: not wand.stroke_config.enabled)
        stop.set()
        await runner
    asyncio.run(go())
    assert wand.stroke_config.active_mask == 0


def test_tv_digits_alone_never_listen_for_letters(tmp_path):
    cfg = load_config(example_path("tv"))
    sent = cfg.stroke_config("smart_tv")
    active = {n for i, n in enumerate(STROKE_LABELS) if sent.active_mask >> i & 1}
    assert set(DIGITS) <= active <= set(DIGITS) | set(SHAPES) and "letter_o" not in active
    assert StrokeConfigPacket.decode(sent.encode()) == sent


def test_over_real_att_the_wand_gets_the_mask_and_a_stroke_is_the_mapped_action(bundle, vocab, tmp_path):
    pytest.importorskip("bumble")
    from test_ble_bumble import _setup

    config = load_config(_config(tmp_path, remote=("digit_0", "digit_5")))
    lines: list[str] = []

    async def go():
        wand, _, backend = await _setup(bundle, vocab["circle_cw"].recordings()[:1])
        daemon = _daemon(bundle, config, lines)
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([backend], stop))
        await until(lambda: daemon.wands.get("wand-ble") and daemon.wands["wand-ble"].state == "connected")
        await until(lambda: wand.stroke_config.active_mask == mask_of(("digit_0", "digit_5", "shape_circle")))
        await until(lambda: wand.events_subscribed)
        wand.send(_stroke(7, "digit_0"))
        await until(lambda: len(daemon.performed) == 1)
        stop.set()
        await runner
        return daemon
    daemon = asyncio.run(go())
    (done,) = daemon.performed
    assert done.event.gesture == "digit_0" and done.profile == "remote" and done.results == ["(dry run) TV digits 0"]
    assert not any("could not" in l for l in lines)


def test_through_bleak_each_wand_gets_its_own_profiles_characters(bundle, vocab, tmp_path):
    """Two wands through the bleak backend, one bound to the typing profile: each is told its
    own profile's characters, and a stroke from each is its own profile's action."""
    import fake_bleak
    from wand.config import WandBinding
    from wand.transport.ble import BleakBackend

    fake_bleak.WANDS.clear()
    fake_bleak.CLIENTS.clear()
    a = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1], name="wand-a", address="C8:00:00:00:00:0A")
    b = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1], name="wand-b", address="C8:00:00:00:00:0B")
    fake_bleak.WANDS.update({a.address: a, b.address: b})
    config = load_config(_config(tmp_path))
    config.wands = [WandBinding("wand-b", None, "typing")]
    daemon = _daemon(bundle, config, [])
    backends = [BleakBackend(w.address, w.name, backend=fake_bleak.FakeWandClient) for w in (a, b)]

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run(backends, stop))
        await until(lambda: a.events_subscribed and b.events_subscribed)
        a.send(_stroke(1, "digit_9"))
        b.send(_stroke(1, "letter_q", second="letter_o"))
        await until(lambda: len(daemon.performed) == 2)
        stop.set()
        await runner
    try:
        asyncio.run(go())
    finally:
        fake_bleak.WANDS.clear()
    assert a.stroke_config.active_mask == mask_of(DIGITS + ("shape_circle",))
    assert b.stroke_config.active_mask == mask_of(LETTERS + ("shape_square",))
    done = {p.event.wand: p.results for p in daemon.performed}
    assert done == {"wand-a": ["(dry run) TV digits 9"], "wand-b": ["(dry run) press q"]}


def test_whole_chain_synthetic_air_written_digits_change_the_channel(bundle, tmp_path):
    """SYNTHETIC IMU (a virtual wand drawn along held-out writers' pen strokes,
    wand.datasets.synthetic_air) replayed by the simulated wand through the firmware twin's
    intent rule and the shipped int8 stroke model, with the TV example's smart_tv profile:
    the wand is told digits and shapes only, and each drawn digit is that channel."""
    from wand.datasets.synthetic_air import synthetic_try

    tries = [synthetic_try("digit_5", 0), synthetic_try("digit_0", 0), synthetic_try("letter_o", 0)]
    config = load_config(example_path("tv"))
    config.default_profile = "smart_tv"
    wand = SimulatedWand(bundle, tries)
    daemon = _daemon(bundle, config, [])

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: wand.events_subscribed and wand.stroke_config.active_mask == config.stroke_mask("smart_tv"))
        await wand.run(speed=0)
        await until(lambda: daemon._queue.empty() and len(daemon.performed) >= 2)
        stop.set()
        await runner
    asyncio.run(go())
    strokes = [p for p in daemon.performed if p.event.source == "stroke"]
    assert [p.results for p in strokes[:2]] == [["(dry run) TV digits 5"], ["(dry run) TV digits 0"]]
    assert not any(p.event.gesture.startswith("letter_") for p in daemon.performed)  # O is not listened for
    # smart_tv maps the model's gestures: a character read under over_gesture yields to a held one
    assert wand.stroke_config.characters_first and wand.stroke_config.over_gesture == StrokeConfigPacket().over_gesture


def _padded_tries(vocab, name, person="tti-20210623"):
    from wand.stroke_enrol import padded
    return [padded(r) for r in vocab[name].recordings() if r.person == person]


def test_enrolled_drawing_and_own_way_of_a_character_through_wand_enrol_and_the_daemon(bundle, vocab, tmp_path):
    """`wand enrol zorro --drawing` and `wand enrol digit_7` from REAL tries (tti-20210623's
    diagonal_up_right, tti-data's circle_cw as someone's odd 7; 1 s of rest added before and after each, since they
    start at the capture trigger): the daemon turns the stroke spotter and the IMU stream on,
    the host cuts each stroke from the stream and names it as your drawing."""
    from wand.cli import main
    from wand.recordings import write_wand_csv
    from wand.stroke_enrol import load_strokes

    diag, swipe = _padded_tries(vocab, "diagonal_up_right"), _padded_tries(vocab, "circle_cw", "tti-data")
    rec = tmp_path / "rec"
    for r in diag[:3]:
        write_wand_csv(dataclasses.replace(r, label="zorro"), rec)
    for r in swipe[:3]:
        write_wand_csv(dataclasses.replace(r, label="digit_7"), rec)
    drawings_file = tmp_path / "enrolled-strokes.json"
    for name, extra in (("zorro", ["--drawing"]), ("digit_7", [])):
        assert main(["enrol", name, *extra, "--recordings", str(rec), "--enrolled-strokes", str(drawings_file)]) == 0
    before = drawings_file.read_bytes()
    assert main(["enrol", "zorro", "--drawing", "--recordings", str(rec),
                 "--enrolled-strokes", str(drawings_file)]) == 1  # enrolled already: nothing overwritten
    assert drawings_file.read_bytes() == before
    drawings = load_strokes(drawings_file)
    assert set(drawings.gestures) == {"zorro", "digit_7"}

    path = tmp_path / "c.toml"
    path.write_text('[profiles.p.gestures]\nzorro = "key:z"\ndigit_7 = "key:7"\n')
    path.chmod(0o600)
    config = load_config(path)
    wand = SimulatedWand(bundle, diag[3:6] + swipe[3:6])
    daemon = Daemon(config, bundle, OutputSet(config, dry_run=True), None, line=lambda s: None,
                    backoff=Backoff(0.005, 0.02), drawings=drawings)

    async def go():
        stop = asyncio.Event()
        runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
        await until(lambda: wand.events_subscribed and wand.core.config.stream_imu and wand.stroke_config.enabled)
        await wand.run(speed=0)
        await until(lambda: daemon._queue.empty() and sum(p.event.source == "stroke" or p.event.source == "enrolled"
                                                          or p.event.gesture == "unknown" for p in daemon.performed) >= 6,
                    timeout=600)
        stop.set()
        await runner
    asyncio.run(go())
    assert wand.stroke_config.active_mask == mask_of(["digit_7"])  # zorro is no character: matched on the host
    mine = [p for p in daemon.performed if p.event.source == "enrolled"]
    named = [p.event.gesture for p in mine]
    assert named.count("zorro") >= 2 and named.count("digit_7") >= 2, [p.event for p in daemon.performed]
    assert all(p.results == [f"(dry run) press {'z' if p.event.gesture == 'zorro' else '7'}"] for p in mine)
