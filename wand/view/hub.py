"""The live view's model: what the daemon sees and decides, as messages for the page.

The hub is one of the daemon's watchers (``Daemon.watchers``): it gets every IMU and
gesture packet and every decision (``Performed``) in the daemon's own event loop. Per
wand it keeps the recent trace and a ``Shadow`` of the wand's recogniser (its states and
scores); each motion the spotter looked at becomes one entry of the event list, joined
with the daemon's decision by the sample the wand decided on. Each stroke the stroke
spotter finished (issue 19's air-writing) is an entry too: the character read, its
runner-ups, and the action or why none. Messages are batched and
sent to every page ``TICK_S`` apart, so 50 IMU notifications a second are a few frames.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import PacketError
from ..events.imu import decision_sample
from ..protocol import PKT_STROKE, ImuPacket, StrokeConfigPacket, StrokePacket
from .drawing import stroke_of, trace_of
from .shadow import Capture, Shadow, StrokeRead, candidates, outcome, stroke_candidates, stroke_outcome
from .teach import Teach

log = logging.getLogger("wand.view")
TICK_S = 0.1
RECENT = 40  # entries a page gets when it opens


@dataclass
class WandView:
    name: str
    shadow: Shadow
    pending: list[tuple[int, ...]] = field(default_factory=list)  # samples not yet sent
    first_pending: int = 0
    entries: dict[int, dict] = field(default_factory=dict)  # capture id -> entry (recent only)
    captures: dict[int, Capture] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)
    cooldown_seen: int = 0
    no_hold_seen: int = 0
    strokes: dict[int, StrokeRead] = field(default_factory=dict)  # stroke id -> its read (recent only)
    stroke_seqs: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT))  # event seqs of stroke packets


class ViewHub:
    def __init__(self, daemon, teach: Teach, classifier_factory=None, stroke_classifier=None) -> None:
        """``stroke_classifier``: the wand's stroke model (default: the shipped one, as the
        firmware carries it; None where this checkout has none: no stroke spotter shown)."""
        self.daemon, self.teach = daemon, teach
        self.bundle = daemon.bundle
        self.wands: dict[str, WandView] = {}
        self.clients: set[Any] = set()  # aiohttp WebSocketResponse
        self.outbox: list[dict] = []
        self.recent: deque[dict] = deque(maxlen=RECENT)
        self._classifier_factory = classifier_factory
        if stroke_classifier is None:
            from ..simwand.device import shipped_stroke_classifier
            stroke_classifier = shipped_stroke_classifier()
        self._stroke_classifier = stroke_classifier
        teach.say = self.outbox.append
        daemon.watchers.append(self)
        daemon.imu_wanted = True  # the traces need the stream, enrolled gestures or not

    # --- the daemon's watcher interface --------------------------------------------
    def on_imu_packet(self, st, data: bytes) -> None:
        try:
            packet = ImuPacket.decode(data)
        except PacketError:
            return  # counted by the daemon's own stream
        wv = self._wand(st.name)
        wv.shadow.configure(self.daemon.spotting())
        wv.shadow.configure_strokes(self._strokes_of(st))
        if not wv.pending:
            wv.first_pending = packet.first_seq
        wv.pending.extend(packet.samples)
        for cap in wv.shadow.feed(packet):
            self._changed(wv, cap)
        for read in wv.shadow.take_strokes():
            self._stroke_ended(wv, read)
        if wv.shadow.cooldown_hits != wv.cooldown_seen:
            wv.cooldown_seen = wv.shadow.cooldown_hits
            self.outbox.append({"type": "note", "wand": wv.name, "time": time.time(),
                                "text": f"motion ignored: within the cooldown ({wv.shadow.config.cooldown_ms} ms) "
                                        "after the last gesture"})
        if wv.shadow.no_hold_hits != wv.no_hold_seen:
            wv.no_hold_seen = wv.shadow.no_hold_hits
            self.outbox.append({"type": "note", "wand": wv.name, "time": time.time(),
                                "text": "motion ignored: the wand was not held still just before it "
                                        f"(hold it still {1000 * wv.shadow.config.quiet_samples // wv.shadow.bundle.rate_hz} ms, then gesture)"})
        offset = wv.shadow.offset_note()
        if offset:
            self.outbox.append({"type": "note", "wand": wv.name, "time": time.time(), "text": offset})
        self.teach.feed(st.name, packet)

    def on_gesture_packet(self, st, data: bytes) -> None:
        """The decision reaches the page with the daemon's naming and action (``on_performed``);
        here only which events are strokes (gesture and stroke packets share the numbers)."""
        if data[:1] == bytes([PKT_STROKE]):
            try:
                self._wand(st.name).stroke_seqs.append(StrokePacket.decode(data).seq)
            except PacketError:
                pass  # counted by the daemon's own stream

    @staticmethod
    def _strokes_of(st) -> StrokeConfigPacket:
        """The stroke config the wand has: what the daemon last wrote, else its boot one."""
        return st.strokes_sent or StrokeConfigPacket()

    def on_performed(self, p) -> None:
        wv = self._wand(p.event.wand)
        at = decision_sample(p.event.wand_time_ms, self.bundle.rate_hz)
        if p.event.seq in wv.stroke_seqs:
            self._stroke_performed(wv, p, at)
            return
        cap = next((c for c in reversed(wv.captures.values()) if c.decision_seq16 == at), None)
        entry = self._draw(self._entry(wv, cap), cap) if cap is not None else self._bare_entry(wv, p)
        ev = p.event
        entry["event"] = {"gesture": ev.gesture, "source": ev.source, "confidence": round(ev.confidence, 3),
                          "strength": round(ev.strength, 3), "stale": ev.stale, "late": ev.late, "seq": ev.seq}
        entry["profile"], entry["results"] = p.profile, list(p.results)
        if cap is not None and cap.packet is not None:
            entry["enrolled"] = self._enrolled_scores(p.event.wand, cap)
        entry["verdict"] = verdict(entry)
        self._send_entry(entry)

    # --- entries --------------------------------------------------------------------
    def _wand(self, name: str) -> WandView:
        if name not in self.wands:
            factory = self._classifier_factory
            st = self.daemon.wands.get(name)
            shadow = Shadow(self.bundle, self.daemon.spotting(), factory() if factory else None,
                            self._stroke_classifier, self._strokes_of(st) if st else None)
            self.wands[name] = WandView(name, shadow)
        return self.wands[name]

    def _changed(self, wv: WandView, cap: Capture) -> None:
        wv.captures[cap.id] = cap
        while len(wv.captures) > RECENT:
            old = next(iter(wv.captures))
            wv.captures.pop(old)
            wv.entries.pop(old, None)
        entry = self._entry(wv, cap)
        if cap.decided and "outcome" not in entry:
            entry["outcome"] = outcome(cap, self.bundle.classes, wv.shadow.config)
            entry["candidates"] = [[n, round(s, 3)] for n, s in candidates(cap, self.bundle.classes)]
            entry["inferences"] = [[self.bundle.classes[max(range(len(i)), key=i.__getitem__)],
                                    round(max(i) / 256, 3)] for i in cap.inferences]
            entry["state"] = "decided"
            if cap.packet is None:
                entry["verdict"] = entry["outcome"]  # no packet: the daemon will not hear of it
        if cap.ended:
            entry["state"] = "ended" if entry["state"] != "drawing" else "cut"
        wv.dirty.add(cap.id)

    def _entry(self, wv: WandView, cap: Capture) -> dict:
        if cap.id not in wv.entries:
            wv.entries[cap.id] = {"type": "entry", "id": f"{wv.name}#{cap.id}", "wand": wv.name, "time": time.time(),
                                  "state": "drawing", "stroke": [], "trace": [], "event": None, "verdict": ""}
        return wv.entries[cap.id]

    def _draw(self, entry: dict, cap: Capture) -> dict:
        """The stroke and trace so far (once per frame, not per sample)."""
        entry["stroke"] = stroke_of(cap.samples, self.bundle.rate_hz)
        entry["trace"] = trace_of(cap.samples)
        entry["decision_at"] = cap.decision_samples
        return entry

    def _enrolled_scores(self, wand: str, cap: Capture) -> list[list]:
        """Each enrolled gesture's distance to the segment the daemon matched (the same cut,
        ``EventStream.cut``), in its own spread, with the radius it must be within."""
        from .. import fewshot
        enrolled, st = self.daemon.enrolled, self.daemon.wands.get(wand)
        if not enrolled or not enrolled.gestures or st is None or st.stream is None:
            return []
        segment = st.stream.cut(cap.packet)
        if segment is None:
            return []
        names = [n for n, g in enrolled.gestures.items() for _ in g.tries]
        d = fewshot.pairwise([fewshot.features(segment)],
                             [fewshot.features(np.asarray(t)) for g in enrolled.gestures.values() for t in g.tries])[0]
        best: dict[str, float] = {}
        for n, v in zip(names, d):
            best[n] = min(best.get(n, float("inf")), float(v) / enrolled.gestures[n].scale)
        return [[n, round(v, 2), enrolled.gestures[n].radius] for n, v in sorted(best.items(), key=lambda kv: kv[1])][:3]

    # --- strokes (issue 19: characters drawn in the air) -------------------------------
    def _stroke_entry(self, wv: WandView, read: StrokeRead) -> dict:
        key = -read.id  # stroke entries share the dict with captures, by negative id
        if key not in wv.entries:
            wv.entries[key] = {"type": "entry", "kind": "stroke", "id": f"{wv.name}~{read.id}", "wand": wv.name,
                               "time": time.time(), "state": "ended", "stroke": _degrees(read), "trace": [],
                               "event": None, "verdict": "", "outcome": stroke_outcome(read),
                               "candidates": [[n, round(s, 3)] for n, s in stroke_candidates(read)]}
        return wv.entries[key]

    def _stroke_ended(self, wv: WandView, read: StrokeRead) -> None:
        wv.strokes[read.id] = read
        while len(wv.strokes) > RECENT:
            wv.entries.pop(-wv.strokes.pop(next(iter(wv.strokes))).id, None)
        entry = self._stroke_entry(wv, read)
        if read.packet is None:
            entry["verdict"] = entry["outcome"]  # no packet: the daemon will not hear of it
        self._send_entry(entry)

    def _stroke_performed(self, wv: WandView, p, at: int) -> None:
        read = next((r for r in reversed(wv.strokes.values()) if r.packet is not None and r.end_seq16 == at), None)
        entry = self._stroke_entry(wv, read) if read is not None else self._bare_entry(wv, p)
        ev = p.event
        entry["event"] = {"gesture": ev.gesture, "source": ev.source, "confidence": round(ev.confidence, 3),
                          "strength": round(ev.strength, 3), "stale": ev.stale, "seq": ev.seq,
                          "runner_ups": [[n, round(s, 3)] for n, s in ev.runner_ups]}
        entry["profile"], entry["results"] = p.profile, list(p.results)
        entry["verdict"] = verdict(entry)
        self._send_entry(entry)

    def _bare_entry(self, wv: WandView, p) -> dict:
        """A decision whose motion the page did not see (IMU lost, or the page started later)."""
        return {"type": "entry", "id": f"{wv.name}@{p.event.seq}-{p.event.wand_time_ms}", "wand": wv.name,
                "time": time.time(), "state": "ended", "stroke": [], "trace": [], "event": None, "verdict": "",
                "outcome": "its motion was not streamed to the host"}

    def _send_entry(self, entry: dict) -> None:
        self.recent = deque([e for e in self.recent if e["id"] != entry["id"]], maxlen=RECENT)
        self.recent.append(entry)
        self.outbox.append(dict(entry))

    # --- sending ----------------------------------------------------------------------
    def hello(self) -> dict:
        return {"type": "hello", "rate_hz": self.bundle.rate_hz, "classes": self.bundle.classes,
                "wands": self.wands_view(), "recent": list(self.recent), "teach": self.teach.state()}

    def wands_view(self) -> dict:
        out = {}
        for name, st in self.daemon.wands.items():
            wv = self.wands.get(name)
            out[name] = {"state": st.state, "profile": st.profile, "battery": st.battery_percent,
                         "last_gesture": st.last_gesture, "imu": st.imu_on,
                         "machines": wv.shadow.machines() if wv else {}}
        return out

    def frame(self) -> list[dict]:
        """Everything since the last frame, as messages."""
        out = []
        for wv in self.wands.values():
            if wv.pending:
                out.append({"type": "imu", "wand": wv.name, "first": wv.first_pending,
                            "samples": trace_of(wv.pending), "machines": wv.shadow.machines()})
                wv.pending = []
            for cid in sorted(wv.dirty):
                if cid in wv.entries and cid in wv.captures:
                    self._send_entry(self._draw(wv.entries[cid], wv.captures[cid]))
            wv.dirty.clear()
        out += self.outbox
        self.outbox.clear()  # in place: the teach session holds its append
        return out

    async def run(self, stop: asyncio.Event) -> None:
        """Send a frame to every page each ``TICK_S``, and the wands' states each second."""
        ticks = 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=TICK_S)
            except asyncio.TimeoutError:
                pass
            ticks += 1
            messages = self.frame()
            if ticks % 10 == 1:
                messages.append({"type": "wands", "wands": self.wands_view()})
            if messages and self.clients:
                await self.broadcast(messages)

    async def broadcast(self, messages: list[dict]) -> None:
        for ws in list(self.clients):
            try:
                await ws.send_json({"type": "frame", "messages": messages})
            except Exception as e:  # a page closed mid-send: forget it
                log.debug("page gone: %s", e)
                self.clients.discard(ws)


def _degrees(read: StrokeRead) -> list[list[float]]:
    """The stroke the model read (1/65536 rad, x right, y up) in degrees, for the page."""
    if read.stroke is None:
        return []
    k = 180 / np.pi / 65536
    return [[round(x * k, 2), round(y * k, 2)] for x, y in read.stroke.points]


def verdict(entry: dict) -> str:
    """The action performed, or why none was, in words."""
    ev, results = entry.get("event"), entry.get("results") or []
    if ev is None:
        return entry.get("outcome", "")
    if ev["stale"]:
        return f"not acted on: {ev.get('late') or 'too old'}"  # why, by what the clocks show
    if results == ["rate limited"]:
        return "not acted on: more gestures than a hand makes (the host's rate limit)"
    if ev["gesture"] == "unknown":
        return "no action: unrecognised motion" + (f" ({entry['outcome']})" if entry.get("outcome") else "")
    if results == ["not mapped"]:
        return f"no action: {ev['gesture']} is not in profile {entry.get('profile', '')!r}"
    missing = [r for r in results if " skipped: " in r or " failed: " in r]
    if missing and len(missing) == len(results):
        return "no action: output missing or failing: " + "; ".join(results)
    return "performed: " + "; ".join(results)
