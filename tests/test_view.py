"""`wand view`'s server through its real seams (no browser; tests/test_view_browser.py
drives the page in Chromium): the daemon with a simulated wand, the aiohttp server on
loopback, HTTP and WebSocket clients. Waits are hang guards that return as soon as the
awaited thing happens."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from helpers import drive, enrol_unseen, until
from wand.events.imu import decision_sample

GUARD_S = 600.0


@contextlib.asynccontextmanager
async def live(tmp_path: Path, bundle, takes, enrolled=None, edit=None):
    """The daemon (TV example, dry run; ``edit(config)`` may change it first) with the page
    attached and a simulated wand connected."""
    from wand.config import example_path, load_config
    from wand.daemon import Backoff, Daemon
    from wand.enrol import EnrolmentSet
    from wand.outputs import OutputSet
    from wand.simwand.device import SimulatedWand
    from wand.transport.sim import SimBackend
    from wand.view import open_view

    cfg = load_config(example_path("tv"))
    if edit is not None:
        edit(cfg)
    lines: list[str] = []
    enrolled = enrolled or EnrolmentSet(bundle.rate_hz, path=tmp_path / "enrolled.json")
    daemon = Daemon(cfg, bundle, OutputSet(cfg, dry_run=True), enrolled, line=lines.append, backoff=Backoff(0.05, 0.5))
    stop = asyncio.Event()
    view = await open_view(daemon, tmp_path / "rec", stop, port=0, line=lines.append)
    wand = SimulatedWand(bundle, takes, name="wand-sim")
    runner = asyncio.create_task(daemon.run([SimBackend(wand)], stop))
    await until(lambda: "wand-sim" in daemon.wands and daemon.wands["wand-sim"].imu_on, GUARD_S)
    try:
        yield daemon, view, wand
    finally:
        stop.set()
        await runner
        await view.close()


def parts(url: str) -> tuple[str, str]:
    base, token = url.split("/?token=")
    return base, token


class Listener:
    """A page's WebSocket: every message it is sent, in order."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def listen(self, ws) -> None:
        async for m in ws:
            if m.type == aiohttp.WSMsgType.TEXT:
                self.messages.extend(json.loads(m.data)["messages"])

    def of(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m["type"] == kind]


async def watch_page(view, wand, done) -> Listener:
    """A page's WebSocket while the simulated wand replays its tries, until ``done(page)``."""
    base, token = parts(view.url)
    page = Listener()
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(f"{base.replace('http', 'ws')}/ws?token={token}", origin=base) as ws:
            reader = asyncio.create_task(page.listen(ws))
            await drive(wand, lambda: False)
            await until(lambda: done(page), GUARD_S, 0.05)
            reader.cancel()
    return page


def test_shadow_makes_the_wands_own_decisions(bundle, vocab):
    """The host's rerun of the recogniser, fed only the streamed IMU, sends the same gesture
    packets as the wand, stamped with the same decision sample, and says why each unknown one
    was unknown; so the page's scores and states are the wand's."""
    from wand.events.imu import decision_sample
    from wand.protocol import PKT_GESTURE, GesturePacket, ImuPacket
    from wand.simwand.device import SimulatedWand, streaming
    from wand.view.shadow import Shadow, candidates, outcome

    tries = [r for g in vocab.values() for r in g.recordings()[:3]]
    wand = SimulatedWand(bundle, tries, config=streaming())
    shadow = Shadow(bundle, streaming())
    sent, shadowed = [], []
    for e in wand.replay():
        if e.packet[0] == PKT_GESTURE:
            sent.append(GesturePacket.decode(e.packet))
            continue
        for cap in shadow.feed(ImuPacket.decode(e.packet)):
            if cap.decided and cap.decision_samples == len(cap.samples):  # the sample it decided on
                shadowed.append(cap)
    assert len(sent) >= len(tries) // 2
    assert [c.packet for c in shadowed] == sent
    assert [c.decision_seq16 for c in shadowed] == [decision_sample(p.timestamp_ms, bundle.rate_hz) for p in sent]
    for cap in shadowed:
        best = candidates(cap, bundle.classes)
        assert len(best) == 3 and best[0][1] >= best[1][1] >= best[2][1]
        said = outcome(cap, bundle.classes, shadow.config)
        assert ("unknown motion" in said) == (cap.packet.gesture_id == 0xFF), said
    assert shadow.machines()["spotter"]["states"] == ["IDLE", "CAPTURE", "DONE"]


def _air_tries(names=("digit_5", "digit_0", "letter_o", "digit_7", "shape_circle"), seed=0):
    """SYNTHETIC air-written tries (wand.datasets.synthetic_air: a virtual wand drawn along
    held-out writers' pen strokes, with real rest noise); not real wand data."""
    from wand.datasets.synthetic_air import synthetic_try
    tries = [synthetic_try(n, seed) for n in names]
    assert all(t.meta["synthetic"] == "true" and t.person.startswith("synthetic:") for t in tries)
    return tries


def test_shadow_makes_the_wands_own_stroke_decisions(bundle):
    """On SYNTHETIC air-written tries (5, 0, O, 7, circle), with the TV example's stroke
    settings, a profile mapping only 5, 7 and the circle, and unknown strokes sent: the host's rerun of
    the stroke spotter and the stroke model, fed only the streamed IMU, sends the wand's own
    stroke packets, stamped with the same sample; it passes through ARMED and DRAWING, and
    says in words what each stroke was read as, or why it was read as nothing."""
    from wand.characters import mask_of
    from wand.config import example_path, load_config
    from wand.protocol import CONFIG_FLAG_SEND_UNKNOWN, PKT_IMU, PKT_STROKE, ImuPacket, StrokePacket
    from wand.simwand.device import SimulatedWand, shipped_stroke_classifier, streaming
    from wand.view.shadow import Shadow, stroke_candidates, stroke_outcome

    strokes = replace(load_config(example_path("tv")).stroke_config("smart_tv"),
                      active_mask=mask_of(["digit_5", "digit_7", "shape_circle"]))
    config = replace(streaming(), flags=streaming().flags | CONFIG_FLAG_SEND_UNKNOWN)
    wand = SimulatedWand(bundle, _air_tries(), config=config)
    wand.stroke_config = strokes
    shadow = Shadow(bundle, config, stroke_classifier=shipped_stroke_classifier(), strokes=strokes)
    sent, seen_states = [], set()
    for e in wand.replay():
        if e.packet[0] == PKT_STROKE:
            sent.append(StrokePacket.decode(e.packet))
        elif e.packet[0] == PKT_IMU:  # (gesture packets are the IMU spotter's, tested above)
            packet = ImuPacket.decode(e.packet)
            for k in range(len(packet.samples)):  # one sample at a time: every state is seen
                shadow.feed(ImuPacket((packet.first_seq + k) % 65536, packet.samples[k:k + 1]))
                seen_states.add(shadow.machines()["strokes"]["current"])
    reads = [r for r in shadow.take_strokes() if r.packet is not None]
    assert len(sent) >= 4
    assert [r.packet for r in reads] == sent
    assert [r.end_seq16 for r in reads] == [decision_sample(p.timestamp_ms, bundle.rate_hz) for p in sent]
    assert seen_states == {"IDLE", "ARMED", "DRAWING"}
    assert shadow.machines()["strokes"]["states"] == ["IDLE", "ARMED", "DRAWING"]
    said = [stroke_outcome(r) for r in reads]
    for r, text in zip(reads, said):
        ranked = stroke_candidates(r)
        assert ranked and all(a[1] >= b[1] for a, b in zip(ranked, ranked[1:]))
        if r.packet.char_id != 0xFF:
            assert text.startswith(f"the wand read {ranked[0][0]} "), text
        else:
            assert text.startswith("no character: "), text
    assert any(t.startswith("the wand read digit_5") for t in said), said
    assert any("letter_o" in t and "not in this profile's active set" in t for t in said), said  # the O
    assert {name for r in reads for name, _ in stroke_candidates(r)} <= {"digit_5", "digit_7", "shape_circle"}


def test_why_a_stroke_was_read_as_nothing_is_said_in_words():
    """Each way a stroke ends without a character names its cause: not in the active set,
    too little of the model's probability on characters (everyday motion), below the threshold, or
    rejected by the intent rule before the model."""
    from wand.characters import mask_of
    from wand.protocol import StrokeConfigPacket
    from wand.wand_core.stroke import Outcome, Stroke, decide
    from wand.view.shadow import StrokeRead, stroke_outcome

    digits = StrokeConfigPacket(active_mask=mask_of(["digit_0", "digit_5"]))
    stroke = Stroke(((0, 0), (1, 1)), (), 20, 0, 0)

    def read(probs, cfg=digits):
        probs = probs + [0] * (45 - len(probs))  # 45: the model's last class is everyday motion
        return stroke_outcome(StrokeRead(1, 0, Outcome.CLASSIFIED, cfg, stroke, probs, decide(probs, cfg)))
    o_like = [0] * 10 + [0] * 14 + [240]  # index 24 = letter_o: all the model's probability
    said = read(o_like)
    assert "the model's best, letter_o (0.94), is not in this profile's active set (2 characters)" in said
    assert "the characters this profile listens for hold 0/255 of the model's probability between them, " \
        "under the 8/255 a reading needs" in said
    assert said.endswith("(the wand does not send unknown strokes)")
    k_like = [6, 0, 0, 0, 0, 1] + [0] * 14 + [240]  # a K: digit_0 has 6 of the 7 the two digits hold
    assert "listens for hold 7/255" in read(k_like) and "below the threshold" not in read(k_like)
    assert read([6, 0, 0, 0, 0, 2] + [0] * 14 + [240]).startswith("the wand read digit_0 (0.75 of the active")
    o_or_0 = [30] + [0] * 23 + [210]  # mostly O, some 0: 0 is the closest the profile listens for
    assert read(o_or_0) == ("the wand read digit_0 (1.00 of the active characters >= 0.50); the model's best, "
                            "letter_o (0.82), is not in this profile's active set")
    assert "below the threshold 0.75" in read([140, 0, 0, 0, 0, 100], replace(digits, threshold=192))
    assert read([210, 0, 0, 0, 0, 20]).startswith("the wand read digit_0 (0.91 of the active characters >= 0.50)")
    everyday = read([10, 0, 0, 0, 0, 5] + [0] * 38 + [230])  # the 45th class, "other", holds the rest
    assert "the model reads it as everyday motion, not a character (0.90)" in everyday and "letter" not in everyday
    assert "characters hold 0.06 of the model's probability (the rest: everyday motion), under 0.88" in everyday
    for outcome, words in ((Outcome.TOO_SHORT, "shorter than 10 samples"), (Outcome.TOO_SMALL, "under 8 degrees"),
                           (Outcome.TOO_LONG, "longer than 200 samples"), (Outcome.DEGENERATE, "too far"),
                           (Outcome.TWISTED, "about its own long axis")):
        assert words in stroke_outcome(StrokeRead(1, 0, outcome, digits)), outcome


def test_a_simulated_wand_keeps_its_clock_while_it_sends_nothing(bundle):
    """`wand view --wand sim:digit_5` draws SYNTHETIC 5s; its real-time replay is paced by
    ticks every 0.1 s of a try, so the seconds before the host turns the IMU stream on are
    not run at once (a status read would then be seconds ahead, and every later event
    'late after a reconnect'). The ticks are never delivered and change no packet."""
    from wand.simwand.device import SimulatedWand
    from wand.transport.link import open_link, parse_link

    backend, = asyncio.run(open_link(parse_link("sim:digit_5"), bundle))
    assert "SYNTHETIC" in backend.source and backend.wand.takes[0].meta["synthetic"] == "true"
    rec = backend.wand.takes[0]
    plain = [e.packet for e in SimulatedWand(bundle, [rec]).replay_take(0, rec)]
    ticked = [e.packet for e in SimulatedWand(bundle, [rec]).replay_take(0, rec, ticks=True)]
    assert plain and [p for p in ticked if p] == plain
    assert ticked.count(b"") == len(rec.samples) // (rec.rate_hz // 10)  # the IMU stream is off: only ticks pace it


def test_the_shadow_tells_a_motion_the_cooldown_swallowed(bundle, vocab):
    """A try, a moment's rest, and the same try again within the cooldown: the wand ignores
    the second one's start, and the shadow says so (once). The default cooldown (0.3 s) is
    over by the time the re-arming hold (0.3 s) is, so this config's is longer."""
    from dataclasses import replace

    from wand.protocol import PKT_GESTURE, ConfigPacket, ImuPacket
    from wand.simwand.device import SimulatedWand, streaming
    from wand.view.shadow import Shadow

    config = streaming(replace(ConfigPacket(), cooldown_ms=600))
    samples = [s for e in SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1], config=config).replay()
               if e.packet[0] != PKT_GESTURE for s in ImuPacket.decode(e.packet).samples]
    probe = Shadow(bundle, config)
    caps = probe.feed(ImuPacket(0, tuple(samples)))
    decided = next(c.decision_samples for c in caps if c.decided)
    rest = [(0, 0, 1000, 0, 0, 0)] * config.quiet_samples  # still: under every gate
    stream = samples[:decided] + rest + samples  # the second onset ~0.3 s after the decision
    shadow = Shadow(bundle, config)
    seen = [c for k in range(0, len(stream), 8) for c in shadow.feed(ImuPacket(k, tuple(stream[k:k + 8])))]
    assert shadow.cooldown_hits == 1
    first, *later = {c.id: c for c in seen}.values()
    assert first.packet is not None
    # the second try's start was swallowed: the spotter took it up only once the cooldown was over
    assert all(c.onset_seq > decided + len(rest) for c in later)
    spaced = Shadow(bundle, config)  # the same two tries a second apart: both seen
    gap = decided + len(rest) + bundle.rate_hz
    for k, part in ((0, samples[:decided] + rest), (gap, samples)):
        spaced.feed(ImuPacket(k, tuple(part)))
    assert spaced.cooldown_hits == 0 and spaced.current is not None and spaced.current.id == 2


def test_the_shadow_tells_a_motion_made_without_a_hold(bundle, vocab):
    """A real try started while the wand was already moving (no hold within the rest lead)
    is ignored by the wand, and the shadow says so once; the same try after a hold is seen."""
    from wand.protocol import ImuPacket
    from wand.simwand.device import streaming
    from wand.view.shadow import Shadow
    from wand.wand_core.resampler import resample_block
    from wand.wand_core.spotter import REST_LEAD

    rec = vocab["circle_cw"].recordings()[0]
    samples = [tuple(s) for s in resample_block(rec.samples, rec.rate_hz, bundle.rate_hz).tolist()]
    drifting = [(0, 0, 1000, 1000, 0, 0)] * (REST_LEAD + 5)  # turning at 100 deg/s: under the gate, no hold
    shadow = Shadow(bundle, streaming())
    seen = shadow.feed(ImuPacket(0, tuple(drifting + samples)))
    assert shadow.no_hold_hits == 1 and not seen
    held = Shadow(bundle, streaming())
    hold = [(0, 0, 1000, 0, 0, 0)] * streaming().quiet_samples
    later = held.feed(ImuPacket(0, tuple(drifting + hold + samples)))
    assert held.no_hold_hits == 0 and later and later[0].packet is not None


def test_why_no_action_is_said_in_words():
    from wand.view.hub import verdict

    def entry(gesture="circle_cw", results=(), stale=False, outcome="", late=""):
        return {"event": {"gesture": gesture, "stale": stale, "late": late}, "results": list(results),
                "profile": "tv", "outcome": outcome}
    assert verdict(entry(results=["(dry run) press a"])) == "performed: (dry run) press a"
    assert verdict(entry(results=["not mapped"])) == "no action: circle_cw is not in profile 'tv'"
    assert verdict(entry(results=["key skipped: no display"])).startswith("no action: output missing")
    assert verdict(entry(stale=True, late="held by the wand while it was not connected, 9.0 s old")) == \
        "not acted on: held by the wand while it was not connected, 9.0 s old"
    assert verdict(entry(results=["rate limited"])).startswith("not acted on: more gestures than a hand makes")
    assert verdict(entry("unknown", ["unrecognised motion"], outcome="unknown motion: ...")) == \
        "no action: unrecognised motion (unknown motion: ...)"
    assert verdict({"event": None, "outcome": "no gesture: below"}) == "no gesture: below"


def test_without_the_token_or_from_another_origin_everything_is_403(tmp_path, bundle, vocab):
    async def go():
        async with live(tmp_path, bundle, vocab["push_forward"].recordings()[:1]) as (daemon, view, wand):
            base, token = parts(view.url)
            ws_base = base.replace("http://", "ws://")
            assert view.addresses[0].startswith("127.0.0.1:")
            assert all(a.startswith(("127.0.0.1:", "[::1]:")) for a in view.addresses)
            async with aiohttp.ClientSession() as s:
                for path in ("/", "/static/view.js", "/api/gestures", "/api/picture/circle_cw", "/ws"):
                    for query in ("", "?token=", f"?token={token[:-1]}", f"?token={token}x"):
                        async with s.get(base + path + query) as r:
                            assert r.status == 403, (path, query)
                async with s.get(f"{base}/?token={token}") as r:
                    assert r.status == 200 and "no-referrer" == r.headers["Referrer-Policy"]
                    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
                async with s.get(f"{base}/?token={token}", headers={"Host": "evil.example"}) as r:
                    assert r.status == 403  # a DNS-rebinding page cannot pose as the loopback
                body = {"name": "zorro", "person": "me"}
                async with s.post(f"{base}/api/record", json=body, headers={"Origin": base}) as r:
                    assert r.status == 403  # no token
                for origin in ("http://evil.example", "null", None):
                    headers = {"Origin": origin} if origin else {}
                    async with s.post(f"{base}/api/record?token={token}", json=body, headers=headers) as r:
                        assert r.status == 403, origin
                    with pytest.raises(aiohttp.WSServerHandshakeError) as e:
                        await s.ws_connect(f"{ws_base}/ws?token={token}", **({"origin": origin} if origin else {}))
                    assert e.value.status == 403
                with pytest.raises(aiohttp.WSServerHandshakeError) as e:
                    await s.ws_connect(f"{ws_base}/ws", origin=base)
                assert e.value.status == 403
                async with s.ws_connect(f"{ws_base}/ws?token={token}", origin=base) as ws:
                    hello = (await ws.receive_json(timeout=GUARD_S))["messages"][0]
                    assert hello["type"] == "hello" and hello["classes"] == bundle.classes
            assert not daemon.wands["wand-sim"].stream.stats.errors
            assert not view.hub.teach.active  # nothing refused reached the recorder
            assert not (tmp_path / "rec").exists()
    asyncio.run(go())


@pytest.mark.parametrize("name,person", [("../escape", "me"), ("a/b", "me"), ("Zorro", "me"), (".incoming", "me"),
                                         ("circle_cw", "me"), ("unknown", "me"), ("ok_name", "../me"),
                                         ("ok_name", "a\nb"), ("x" * 33, "me")])
def test_names_from_the_page_are_checked_like_wand_record(tmp_path, bundle, vocab, name, person):
    async def go():
        async with live(tmp_path, bundle, vocab["push_forward"].recordings()[:1]) as (daemon, view, wand):
            base, token = parts(view.url)
            async with aiohttp.ClientSession() as s:
                async with s.post(f"{base}/api/record?token={token}", json={"name": name, "person": person},
                                  headers={"Origin": base}) as r:
                    assert r.status == 400
                    assert "bad" in (await r.json())["error"] or "built into" in (await r.json())["error"] \
                        or "calls motion" in (await r.json())["error"]
            assert not view.hub.teach.active
    asyncio.run(go())
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written anywhere


def test_a_gesture_reaches_the_page_with_its_stroke_scores_and_action(tmp_path, bundle, vocab):
    """A simulated push_forward: the page gets one entry with its stroke, the scores, the
    daemon's event and the action it performed (dry run), joined by the decision sample."""
    async def go():
        takes = vocab["circle_cw"].recordings()[:2]
        async with live(tmp_path, bundle, takes) as (daemon, view, wand):
            def performed(page):
                return [m for m in page.of("entry") if m["event"] and m["verdict"].startswith("performed")]
            page = await watch_page(view, wand, lambda p: len({m["id"] for m in performed(p)}) >= 2 and p.of("imu"))
            done = {m["id"]: m for m in performed(page)}  # the last sent of each
            for m in done.values():
                assert m["event"]["gesture"] == "circle_cw" and m["event"]["source"] == "model"
                assert m["verdict"] == "performed: (dry run) press media_volume_up x3"
                assert m["candidates"][0][0] == "circle_cw" and m["candidates"][0][1] >= 0.78
                assert len(m["stroke"]) > 30 and len(m["trace"]) == len(m["stroke"])
                assert m["profile"] == "tv"
            imu = page.of("imu")[-1]
            assert len(imu["samples"][0]) == 6 and set(imu["machines"]["spotter"]["states"]) == {"IDLE", "CAPTURE", "DONE"}
    asyncio.run(go())


def test_a_drawn_character_reaches_the_page_with_its_runner_ups_and_action(tmp_path, bundle):
    """SYNTHETIC air-written 5 and 0, with the TV profile's 0 unmapped: the wand card shows
    the stroke spotter's states, the shadow judges with the stroke config the daemon wrote,
    the 5 arrives with its runner-ups and the key it pressed, and the 0 with why the wand
    read no character (its model's best, the 0 itself, is not listened for)."""
    def unmap_zero(cfg):
        del cfg.profiles["tv"].gestures["digit_0"]

    async def go():
        async with live(tmp_path, bundle, _air_tries(("digit_5", "digit_0")), edit=unmap_zero) as (daemon, view, wand):
            def strokes(page):
                return {m["id"]: m for m in page.of("entry") if m.get("kind") == "stroke"}  # the last of each
            page = await watch_page(view, wand, lambda p: len(strokes(p)) >= 2
                                    and all(m["verdict"] for m in strokes(p).values()))
            st = daemon.wands["wand-sim"]
            assert view.hub.wands["wand-sim"].shadow.core.stroke_config == st.strokes_sent
            assert not st.strokes_sent.active_mask & 1  # digit_0 is bit 0: not listened for
            five, zero = strokes(page).values()
            assert five["event"]["gesture"] == "digit_5" and five["event"]["source"] == "stroke"
            assert five["verdict"] == "performed: (dry run) press 5" and five["profile"] == "tv"
            assert five["outcome"].startswith("the wand read digit_5 ")
            assert five["candidates"][0][0] == "digit_5" and len(five["candidates"]) == 3
            assert [n for n, _ in five["event"]["runner_ups"]] == [n for n, _ in five["candidates"][1:]]
            assert len(five["stroke"]) > 20
            assert zero["event"]["gesture"] == "unknown"  # sent: the daemon asks for unknown motion
            assert zero["verdict"] == f"no action: unrecognised motion ({zero['outcome']})"
            best = re.match(r"no character: the model's best, (\w+) \(", zero["outcome"])
            assert best and best[1] in ("digit_0", "letter_o")  # the 0 or its look-alike O: read, but unmapped
            from wand.characters import mask_of
            assert not st.strokes_sent.active_mask & mask_of([best[1]])  # not listened for
            assert "is not in this profile's active set" in zero["outcome"]
            assert "digit_0" not in {n for n, _ in zero["candidates"]}
            assert page.of("imu")[-1]["machines"]["strokes"]["states"] == ["IDLE", "ARMED", "DRAWING"]
            assert page.of("imu")[-1]["machines"]["strokes"]["current"] in ("IDLE", "ARMED")  # at rest after
    asyncio.run(go())


def test_an_enrolled_gesture_shows_its_distances(tmp_path, bundle, vocab):
    """For enrolled gestures the scores are DTW distances on the very segment the daemon
    matched: the gesture it named is the nearest and within its radius."""
    from wand.enrol import load

    async def go():
        tries = [r for name, r in enrol_unseen(bundle, vocab, tmp_path / "enrolled.json") if name == "shake"][:3]
        enrolled = load(tmp_path / "enrolled.json", bundle.rate_hz)
        async with live(tmp_path, bundle, tries, enrolled) as (daemon, view, wand):
            await drive(wand, lambda: False)
            await until(lambda: len(daemon.performed) >= len(tries), GUARD_S)
            await until(lambda: not view.hub.outbox, GUARD_S)
            return [e for e in view.hub.recent if e["event"] and e["event"]["source"] == "enrolled"]
    named = asyncio.run(go())
    assert named, "no try of shake was recognised as the enrolled gesture"
    for e in named:
        nearest, distance, radius = e["enrolled"][0]
        assert nearest == e["event"]["gesture"] == "shake" and distance <= radius
        assert [d for _, d, _ in e["enrolled"]] == sorted(d for _, d, _ in e["enrolled"])


def test_a_try_recorded_from_the_page_lands_whole_and_enrols(tmp_path, bundle, vocab):
    """Record (the API the page uses): each try is shown, a kept one is written whole in the
    recordings folder by wand record's writer, a discarded one never; enrol reads the kept
    tries, the daemon recognises the gesture at once, and each try gets its self-check."""
    from wand.recordings import list_gesture_files, read_wand_csv

    async def go():
        takes = vocab["shake"].recordings()[:5]
        async with live(tmp_path, bundle, takes) as (daemon, view, wand):
            base, token = parts(view.url)
            post = dict(headers={"Origin": base})
            async with aiohttp.ClientSession() as s:
                async def call(path, body):
                    async with s.post(f"{base}/api/{path}?token={token}", json=body, **post) as r:
                        data = await r.json()
                        assert r.status == 200, data
                        return data
                started = await call("record", {"name": "zorro", "person": "tester"})
                assert started["active"] and started["tries"] == []
                await drive(wand, lambda: len(view.hub.teach.tries) >= 4)
                await until(lambda: len(view.hub.teach.tries) >= 4, GUARD_S)
                ids = [t.id for t in view.hub.teach.tries]
                twice = await asyncio.gather(*(call("keep", {"id": ids[0]}) for _ in range(3)))  # clicks at once
                assert len({k["file"] for k in twice}) == 1  # written once
                kept = [await call("keep", {"id": i}) for i in ids[:3]]
                async with s.post(f"{base}/api/enrol?token={token}", json={"name": "zorro", "replace": "no"},
                                  **post) as r:
                    assert r.status == 400 and "replace must be true or false" in (await r.json())["error"]
                async with s.post(f"{base}/api/enrol?token={token}", json={"name": "digit_5"}, **post) as r:
                    assert r.status == 400 and "wand enrol digit_5" in (await r.json())["error"]
                for bad in (float("inf"), -float("inf"), 1e400):  # JSON Infinity: a 500 and a traceback before
                    async with s.post(f"{base}/api/keep?token={token}", json={"id": bad}, **post) as r:
                        assert r.status == 400 and "not a whole number" in (await r.json())["error"]
                await call("discard", {"id": ids[3]})
                async with s.post(f"{base}/api/discard?token={token}", json={"id": ids[0]}, **post) as r:
                    assert r.status == 400  # a saved try is never deleted from the page
                result = await call("enrol", {"name": "zorro", "tries": 3})
            files = list_gesture_files(tmp_path / "rec")["zorro"]
            assert [f.name for f in files] == sorted(k["file"] for k in kept)
            for f in files:
                rec = read_wand_csv(f)
                assert rec.label == "zorro" and rec.person == "tester" and len(rec.samples) == bundle.rate_hz
                assert rec.meta["source"].startswith("simulator")  # never passed off as a real wand's
                assert f.with_suffix(".png").stat().st_size > 0
            assert sorted(p.name for p in tmp_path.iterdir()) == ["enrolled.json", "rec"]
            assert "zorro" in daemon.enrolled.gestures  # picked up without a restart
            assert len(result["tries"]) == 3 and all(t["verdict"] for t in result["tries"])
            assert "self-check" in result["summary"]
    asyncio.run(go())


def test_the_page_ships_with_the_package():
    """Every file the server sends is inside the package data pyproject declares, so an
    installed wand (not only a checkout) serves the page, offline."""
    import fnmatch
    import tomllib

    from wand.view.server import ASSETS
    repo = Path(__file__).resolve().parent.parent
    patterns = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["wand"]
    static = repo / "wand" / "view" / "static"
    page = (static / "index.html").read_text()
    for name in ["index.html", *ASSETS]:
        assert (static / name).is_file()
        assert any(fnmatch.fnmatch(f"view/static/{name}", p) for p in patterns), name
    for name in ASSETS:
        assert f"static/{name}?token={{{{TOKEN}}}}" in page, name
    assert "http://" not in page and "https://" not in page  # no CDN: the page works offline


def test_a_failing_watcher_never_stops_the_daemon(tmp_path, bundle, vocab):
    """The page's hook into the daemon: whatever a watcher raises, the wand's packets are
    still handled and its gestures performed."""
    class Broken:
        calls = 0

        def __getattr__(self, name):
            def fail(*args):
                Broken.calls += 1
                raise RuntimeError("watcher bug")
            return fail

    async def go():
        takes = vocab["circle_cw"].recordings()[:2]
        async with live(tmp_path, bundle, takes) as (daemon, view, wand):
            daemon.watchers.insert(0, Broken())
            await drive(wand, lambda: False)
            await until(lambda: len(daemon.performed) >= 2 and len(view.hub.recent) >= 2, GUARD_S)
            assert all(p.event.gesture == "circle_cw" and p.results for p in daemon.performed)
            assert not daemon.wands["wand-sim"].stream.stats.errors
    asyncio.run(go())
    assert Broken.calls > 100  # every IMU and gesture packet and each decision reached it


def test_wand_demo_view_serves_the_page_until_ctrl_c(tmp_path):
    """`wand demo --view`: the newcomer's way in. The page is up while the simulated wand
    replays and after it, and Ctrl+C ends the demo with its table."""
    import os
    import queue
    import re
    import signal
    import subprocess
    import sys
    import threading
    import urllib.request

    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(repo), XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"),
               XDG_RUNTIME_DIR=str(tmp_path / "r"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "wand", "demo", "--view", "--view-port", "0", "--tries", "1",
                             "--speed", "0", "--draw", "0", "--recordings", str(tmp_path / "rec")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        while not any("replay done" in x for x in seen):
            seen.append(lines.get(timeout=GUARD_S))
        url = next(m.group(1) for x in seen if (m := re.search(r"live view: (http://\S+)", x)))
        with urllib.request.urlopen(url, timeout=GUARD_S) as r:
            assert r.status == 200 and b"magic wand" in r.read()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=GUARD_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=GUARD_S)  # the demo's last lines
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert any("tries recognised" in x for x in seen + rest), "".join(seen + rest)


def test_a_port_in_use_is_one_line_naming_what_to_do(tmp_path, bundle):
    import socket

    from wand.config import example_path, load_config
    from wand.daemon import Daemon
    from wand.enrol import EnrolmentSet
    from wand.errors import WandError
    from wand.outputs import OutputSet
    from wand.view import open_view

    cfg = load_config(example_path("tv"))
    daemon = Daemon(cfg, bundle, OutputSet(cfg, dry_run=True), EnrolmentSet(bundle.rate_hz), line=lambda s: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WandError) as e:
            asyncio.run(open_view(daemon, tmp_path, asyncio.Event(), port=port))
    assert f"127.0.0.1:{port}" in str(e.value) and "--view-port" in str(e.value) and "\n" not in str(e.value)
