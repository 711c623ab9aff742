"""The daemon: wands -> transport -> events -> mapper -> outputs, kept running.

One task per wand keeps it connected (reconnecting with backoff when it sleeps or goes
out of range); one worker performs actions in order, off the event loop, so a held key
or a slow program never delays the radio.

Nothing a wand, an output or a file does stops the daemon: whatever a backend raises
ends that session with one line and a retry; whatever an output raises is one line and
the next event goes on; a config or enrolment file that does not load (or loads with
an error of any kind) keeps the last good one. Only wands the user paired are acted on
(``allow``), unless the daemon was started for any wand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Awaitable, Callable

from .config import Config, load_config
from .control.session import Command, ControlSession
from .enrol import EnrolmentSet, load as load_enrolment
from .errors import WandError
from .events import EventStream, GestureEvent
from .events.imu import decision_sample, gesture_span
from .logsummary import RepeatSummary, summarised
from .mapper import Mapper
from .model import ModelBundle
from .outputs import OutputSet
from .protocol import CONFIG_FLAG_IMU_EACH_SAMPLE, STROKE_FLAG_ENABLED, StrokeConfigPacket
from .transport.base import WandBackend, WandClient
from .transport.names import clean_name, clean_text

log = logging.getLogger("wand.daemon")
Line = Callable[[str], None]
Discover = Callable[[], Awaitable[list[WandBackend]]]
STATUS_EVERY_S = 0.5  # status.json is rewritten at most this often while events arrive
REASON_MAX = 300  # characters of a failure's reason kept in one log line
DISCONNECT_S = 5.0  # longest wait for a link to close (before a retry, at stop)


@dataclass
class Backoff:
    first_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0
    _next: float = field(default=0.0, init=False)

    def reset(self) -> None:
        self._next = self.first_s

    def next(self) -> float:
        delay = self._next or self.first_s
        self._next = min(self.max_s, delay * self.factor)
        return delay


@dataclass
class WandState:
    name: str
    address: str
    state: str = "starting"  # connecting, connected, waiting, stopped, ignored
    profile: str = ""
    connects: int = 0
    battery_percent: int | None = None
    last_gesture: str = ""
    last_error: str = ""
    stream: EventStream | None = None
    client: WandClient | None = None
    imu_on: bool = False  # subscribed to its IMU stream (enrolled gestures or drawings, controls, live view)
    control: ControlSession | None = None  # continuous mappings of its profile (issue 21)
    written_flags: int | None = None  # the config flags last written to the wand (IMU stream, one per sample)
    strokes_sent: StrokeConfigPacket | None = None  # the stroke settings and active set the wand has now
    throttle: Throttle | None = None  # the host-side rate limit (None: none)


@dataclass
class Performed:
    event: GestureEvent
    profile: str
    results: list[str]
    done_at: float  # host monotonic, when the last action finished


def describe(e: BaseException) -> str:
    """One line for anything raised, its whole reason kept: our own messages as they are,
    others with their type; escape codes and newlines neutralised, the length bounded."""
    if isinstance(e, WandError):
        text = str(e)
    else:
        text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return clean_text(text, REASON_MAX)


@dataclass
class RateLimit:
    """Gestures acted on per wand: a token bucket. A person manages at most about two
    gestures a second (each takes half a second or more, and the wand waits
    ``cooldown_ms`` between two); a wand that sends more is broken or hostile. ``burst``
    covers the packets a wand re-sends when it reconnects (EVENT_QUEUE_LEN)."""

    per_s: float = 3.0
    burst: int = 8
    report_every_s: float = 10.0  # one summary line at most this often while it bites


@dataclass
class Throttle:
    """One wand's bucket and what it held back since the last line about it."""

    limit: RateLimit
    tokens: float = -1.0  # -1: full at the first gesture
    at: float = 0.0
    held: int = 0  # gestures not acted on since the last report
    held_total: int = 0
    reported_at: float | None = None

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens = float(self.limit.burst)
        else:
            self.tokens = min(float(self.limit.burst), self.tokens + (now - self.at) * self.limit.per_s)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.held += 1
        self.held_total += 1
        return False

    def report(self, now: float, final: bool = False) -> str | None:
        """A line when gestures were held back: the first at once, then a count per interval."""
        if not self.held:
            return None
        first = self.reported_at is None
        if not (first or final or now - self.reported_at >= self.limit.report_every_s):
            return None
        if first:
            text = (f"more than {self.limit.burst} gestures at once or {self.limit.per_s:g} a second: "
                    "not acting on the excess (is the wand broken?); counts follow every "
                    f"{self.limit.report_every_s:g} s")
        else:
            text = (f"{self.held} more gestures not acted on in the last {now - self.reported_at:.0f} s "
                    f"(rate limit, {self.held_total} in all)")
        self.held, self.reported_at = 0, now
        return text


def _active(sent: StrokeConfigPacket | None) -> list[str]:
    """The characters a wand listens for, as last sent."""
    from .characters import STROKE_LABELS
    if sent is None or not sent.enabled:
        return []
    return [n for i, n in enumerate(STROKE_LABELS) if sent.active_mask >> i & 1]


def _our_cancellation() -> bool:
    """Whether a CancelledError is meant for this task (stop), not a library's own."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Daemon:
    def __init__(self, config: Config, bundle: ModelBundle, outputs: OutputSet,
                 enrolled: EnrolmentSet | None = None, line: Line = print,
                 backoff: Backoff | None = None, status_file: Path | None = None,
                 allow: Callable[[WandBackend], bool] | None = None, drawings=None,
                 rate_limit: RateLimit | None = None) -> None:
        self.config, self.bundle, self.outputs, self.enrolled = config, bundle, outputs, enrolled
        self.drawings = drawings  # stroke_enrol.StrokeEnrolment: drawings matched on stroke packets
        self.mapper = Mapper(config)
        self.line = line
        self.backoff_template = backoff or Backoff()
        self.allow = allow  # None: every wand (demo, --any)
        self.rate_limit = rate_limit  # None: act on every gesture (the demo replays faster than a hand)
        self.wands: dict[str, WandState] = {}
        self.performed: list[Performed] = []
        self.on_performed: Callable[[Performed], None] | None = None
        self.watchers: list[Any] = []  # the live page (wand/view/): told of packets and decisions (``_watch``)
        self.imu_wanted = False  # stream the IMU even with nothing enrolled (a watcher draws it)
        self._watch_failed: set[str] = set()
        self.status_file = status_file
        self._queue: asyncio.Queue[tuple[GestureEvent, str]] = asyncio.Queue()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wand-output")
        # continuous control has its own worker: a held key or a slow program never stalls the pointer
        self._control_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wand-control")
        self.on_control: Callable[[Command, str, float], None] | None = None  # bench, demo: each value sent
        self._config_mtime = self._mtime(config.path)
        self._enrolled_mtime = self._mtime(enrolled.path if enrolled else None)
        self._drawings_mtime = self._mtime(drawings.path if drawings else None)
        self._ignored: set[str] = set()
        self._status_dirty = False
        self._tasks: dict[str, asyncio.Task] = {}
        self._repeats: RepeatSummary | None = None  # while running: repeated warnings counted, not each logged

    # --- wands ----------------------------------------------------------------------
    def allowed(self, backend: WandBackend) -> bool:
        """Paired (or trusted by nature, like the simulator), or the daemon accepts any wand."""
        if self.allow is None or backend.trusted or self.allow(backend):
            return True
        if backend.address not in self._ignored:  # once per wand, not per scan
            self._ignored.add(backend.address)
            self.line(f"[{clean_name(backend.name)}] {backend.address} is not paired: ignored (pair it with "
                      f"'wand pair --wand ble:{backend.address}', or run with --any to accept any wand)")
        return False

    async def keep_connected(self, backend: WandBackend, stop: asyncio.Event) -> None:
        """Connect, listen, and reconnect with backoff until ``stop`` is set."""
        name = clean_name(backend.name)
        if name in self.wands and self.wands[name].address != backend.address:
            name = backend.address  # two wands, one name (or one copying another's): keep them apart
        if not self.allowed(backend):
            self.wands.setdefault(name, WandState(name, backend.address, state="ignored"))
            self._status_changed()
            return
        st = self.wands.setdefault(name, WandState(name, backend.address))
        st.stream = st.stream or EventStream(name, self.bundle, self.enrolled, self.config.max_event_age_ms,
                                             spotting=self.config.spotting, drawings=self.drawings)
        if self.rate_limit is not None and st.throttle is None:
            st.throttle = Throttle(self.rate_limit)
        backoff = replace(self.backoff_template)
        while not stop.is_set():
            lost = asyncio.Event()
            backend.set_disconnected_callback(lost.set)
            st.state = "connecting"
            try:
                await self._until_stopped(self._session(backend, st, lost, stop), stop)
                backoff.reset()
            except asyncio.CancelledError as e:
                if _our_cancellation():
                    raise
                self._session_failed(st, e)  # a library cancelling its own request: the link dropped
                await self._close_link(backend, st)
            except Exception as e:  # whatever the backend raised: one line, retry
                self._session_failed(st, e)
                await self._close_link(backend, st)  # a half-open session (garbage status) is closed first
            st.client = None
            st.imu_on = False
            st.written_flags = None
            st.strokes_sent = None
            self._queue_events(st, st.stream.flush())  # waiting for IMU that will not come now
            st.state = "waiting"
            self._status_changed()
            if stop.is_set():
                break
            try:
                await asyncio.wait_for(stop.wait(), timeout=backoff.next())
            except asyncio.TimeoutError:
                pass
        st.state = "stopped"
        await self._close_link(backend, st)
        self._status_changed()

    @staticmethod
    async def _until_stopped(work: Awaitable[None], stop: asyncio.Event) -> None:
        """Run a session until it ends or ``stop`` is set, whichever is first: a connect or a
        read that hangs never holds up stopping. Its own errors are raised here."""
        task = asyncio.ensure_future(work)
        halt = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({task, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.cancel()
            if not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=DISCONNECT_S)  # let it clean up, but not forever
        if task.done() and not task.cancelled():
            task.result()
        elif task.cancelled() and not stop.is_set():
            raise asyncio.CancelledError  # cancelled by a library, not by stop: a dropped link

    async def _close_link(self, backend: WandBackend, st: WandState) -> None:
        """Disconnect (bounded in time): before a retry, so a session that failed after
        connecting is not left half open, and at stop."""
        try:
            await asyncio.wait_for(backend.disconnect(), timeout=DISCONNECT_S)
        except (Exception, asyncio.CancelledError) as e:
            if isinstance(e, asyncio.CancelledError) and _our_cancellation():
                raise
            log.debug("%s: disconnect: %s", st.name, describe(e))

    def _session_failed(self, st: WandState, e: BaseException) -> None:
        text = describe(e)
        if text != st.last_error:  # a wand that stays away is reported once, not per retry
            self.line(f"[{st.name}] {text}; retrying")
        st.last_error = text
        if not isinstance(e, (WandError, asyncio.CancelledError, TimeoutError)):
            log.debug("session of %s ended by an unexpected error", st.name, exc_info=e)

    async def _session(self, backend: WandBackend, st: WandState, lost: asyncio.Event, stop: asyncio.Event) -> None:
        client = WandClient(backend)
        await backend.connect()
        status = await client.read_status()
        st.stream.on_connect(status)
        if status.model_crc32 != self.bundle.crc32:
            self.line(f"[{st.name}] runs model {status.model_crc32:08x} but this host has "
                      f"{self.bundle.crc32:08x}: gesture names may be wrong; flash the wand with this "
                      "model or pass --model")
        st.profile = self.mapper.profile(st.name, backend.address)
        self._update_control(st)
        await client.write_config(self.spotting(st))
        st.written_flags = self.spotting(st).flags
        st.client = client
        st.profile = self.mapper.profile(st.name, backend.address)
        st.strokes_sent = None  # a wand that slept or rebooted may have lost them
        await self.send_strokes(st)  # before "connected": nothing waits between that and the subscription
        await client.subscribe_events(lambda data: self._on_packet(st, data))
        await self._subscribe_imu(st)
        st.connects += 1
        st.state = "connected"  # and listening: what a caller waiting for "connected" may rely on
        st.last_error = ""
        st.battery_percent = None if status.battery_percent == 0xFF else status.battery_percent
        self.line(f"[{st.name}] connected (profile {st.profile}"
                  + (f", battery {st.battery_percent}%" if st.battery_percent is not None else "") + ")")
        self._status_changed()
        done = asyncio.ensure_future(lost.wait())
        halt = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({done, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (done, halt):
                t.cancel()
        if lost.is_set() and not stop.is_set():
            self.line(f"[{st.name}] disconnected; reconnecting")

    def _on_packet(self, st: WandState, data: bytes) -> None:
        """The notification callback: never raises into the BLE stack."""
        try:
            event = st.stream.feed(data)
        except Exception as e:  # a bug in naming, not the wand's fault: count it, keep listening
            st.stream.stats.errors += 1
            self.line(f"[{st.name}] could not handle a gesture packet ({describe(e)}); skipped")
            return
        if event is not None:
            self._queue.put_nowait((event, st.address))
        self._status_changed()
        self._watch("on_gesture_packet", st, data)

    def _on_imu(self, st: WandState, data: bytes) -> None:
        """IMU notifications: into the wand's ring (enrolled gestures) and its control
        mappings (continuous control); never raises."""
        received = time.perf_counter()
        try:
            self._queue_events(st, st.stream.feed_imu(data))
            if st.control is not None:
                for command in st.control.feed(data):
                    self._control_pool.submit(self._send_control, st, command, received)
        except Exception as e:
            st.stream.stats.errors += 1
            self.line(f"[{st.name}] could not handle an IMU packet ({describe(e)}); skipped")
        self._watch("on_imu_packet", st, data)

    def _watch(self, what: str, *args: Any) -> None:
        """Tell each watcher (the live page); a watcher's failure never reaches the wand's link."""
        for w in self.watchers:
            try:
                getattr(w, what)(*args)
            except Exception as e:  # said once per hook, not 50 times a second
                (log.debug if what in self._watch_failed else log.warning)("live view: %s failed: %s", what, describe(e))
                self._watch_failed.add(what)

    # --- continuous control (issue 21) -------------------------------------------------
    def _send_control(self, st: WandState, command: Command, received: float) -> None:
        """On the control worker: one value to its output. A missing device is one line
        (the OutputSet reports it once and retries later)."""
        try:
            result = self.outputs.control(command.control, command.value)
        except WandError as e:
            result = f"{command.control.kind} skipped: {str(e).split(':')[0]}"
        except Exception as e:
            result = f"{command.control.kind} failed: {describe(e)}"
        if self.on_control:
            self.on_control(command, result, received)

    async def _undo_gesture_motion(self, st: WandState, event: GestureEvent) -> list[str]:
        """Before a gesture's actions, the air mouse puts the pointer back where it was when
        the gesture began (the gesture's own motion moved it): a click lands where you
        pointed, and a slide change leaves the pointer where it was."""
        if st.control is None or st.stream is None:
            return []
        onset = (decision_sample(event.wand_time_ms, self.bundle.rate_hz)
                 - gesture_span(self.bundle.window, self.bundle.hop, self.config.spotting) + 1) % (1 << 16)
        undo = st.control.undo_since(onset)
        if undo is None:
            return []
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._control_pool, self._send_control, st, undo, time.perf_counter())
        return [f"pointer back {undo.value[0]:+d},{undo.value[1]:+d} (the gesture's own motion)"]

    def _update_control(self, st: WandState) -> bool:
        """The wand's control mappings follow its profile (connect, switch, reload); returns
        whether the flags written to the wand must change (the IMU stream, one per sample)."""
        controls = self.config.controls_for(st.profile)
        current = st.control.controls if st.control else []
        if controls != current:
            st.control = ControlSession(controls, self.bundle.rate_hz) if controls else None
            if controls:
                self.line(f"[{st.name}] continuous control: " + "; ".join(c.describe() for c in controls))
        return self.spotting(st).flags != st.written_flags

    async def _apply_control(self, st: WandState) -> None:
        if self._update_control(st) and st.client is not None:
            await st.client.write_config(self.spotting(st))
            st.written_flags = self.spotting(st).flags
            await self._subscribe_imu(st)
            self.line(f"[{st.name}] {self.imu_cost_line(st)}")

    def _queue_events(self, st: WandState, events: list[GestureEvent]) -> None:
        for event in events:
            self._queue.put_nowait((event, st.address))
        if events:
            self._status_changed()

    async def send_strokes(self, st: WandState) -> None:
        """Give the wand its profile's active set (the characters the profile maps) and the
        [strokes] settings, when they differ from what it has: on connect, profile switch
        and config reload. A wand whose firmware has no stroke spotter ignores the write; a
        failed write is one line, and the gesture path goes on."""
        want = self.stroke_config(st.profile)
        if st.client is None or want == st.strokes_sent:
            return
        try:
            await st.client.write_stroke_config(want)
        except Exception as e:
            self.line(f"[{st.name}] could not send the characters to listen for: {describe(e)}")
            return
        st.strokes_sent = st.stream.strokes = want
        log.info("%s: listening for %d character(s) (profile %s)", st.name, bin(want.active_mask).count("1"),
                 st.profile)
        self._status_changed()

    def stroke_config(self, profile: str) -> StrokeConfigPacket:
        """The profile's active set; the stroke spotter also runs where the profile maps a
        drawing of your own (the wand sends its strokes as unknown, the host matches them)."""
        want = self.config.stroke_config(profile, self.bundle.gesture_names)
        mapped = self.drawings is not None and set(self.drawings.gestures) & set(self.config.profiles[profile].gestures)
        return replace(want, flags=want.flags | STROKE_FLAG_ENABLED) if mapped else want

    def _drawings_enrolled(self) -> bool:
        return self.drawings is not None and bool(self.drawings.gestures)

    def streaming_imu(self, st: WandState | None = None) -> bool:
        """The IMU stream is on only while gestures or drawings are enrolled (they are matched on
        it), the wand's profile has continuous control mappings (they follow it) or the live page
        shows it."""
        enrolled = self.enrolled is not None and bool(self.enrolled.gestures)
        return (self.imu_wanted or enrolled or self._drawings_enrolled()
                or (st is not None and st.control is not None))

    def spotting(self, st: WandState | None = None):
        """The config's spotting settings, with the IMU stream on where it is needed, and one
        sample per notification while continuous control follows it (latency over batching)."""
        from .simwand.device import streaming
        cfg = streaming(self.config.spotting) if self.streaming_imu(st) else self.config.spotting
        if st is not None and st.control is not None:
            cfg = replace(cfg, flags=cfg.flags | CONFIG_FLAG_IMU_EACH_SAMPLE)
        return cfg

    def imu_cost_line(self, st: WandState | None = None) -> str:
        rate = self.bundle.rate_hz
        cost = (f"{rate} samples/s = {rate} notifications/s at the default 20-byte payload "
                f"(fewer with a larger MTU)")
        why = []
        if self.enrolled is not None and self.enrolled.gestures:
            why.append(f"{len(self.enrolled.gestures)} enrolled gesture(s)")
        if self._drawings_enrolled():
            why.append(f"{len(self.drawings.gestures)} enrolled drawing(s)")
        controlled = [w for w in ([st] if st else self.wands.values()) if w.control is not None]
        if controlled:
            why.append("continuous control on " + ", ".join(f"{w.name} (profile {w.profile})" for w in controlled))
        if self.imu_wanted:
            why.append("live view")
        if not why:
            return "no enrolled gestures: IMU stream off"  # and no continuous control active
        if controlled:  # latency first: each sample in its own notification
            cost = f"{rate} samples/s, one per notification whatever the MTU: {rate} notifications/s"
        return " and ".join(why) + f": the wand streams its IMU while connected, {cost}"

    async def _subscribe_imu(self, st: WandState) -> None:
        if self.streaming_imu(st) and st.client is not None and not st.imu_on:
            await st.client.subscribe_imu(lambda data: self._on_imu(st, data))
            st.imu_on = True

    async def discover(self, find: Discover, stop: asyncio.Event, every_s: float = 30.0) -> None:
        """Scan again now and then (the first scan was the caller's): a wand switched on
        later is connected; a stranger is reported once and left alone."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
                return
            except asyncio.TimeoutError:
                pass
            try:
                found = await find()
            except Exception as e:
                log.info("scan failed: %s", describe(e))
                found = []
            running = {a.upper() for a in self._tasks}
            for b in found:
                if b.address.upper() not in running and b.address not in self._ignored:
                    self._start(b, stop)

    def _start(self, backend: WandBackend, stop: asyncio.Event) -> None:
        self._tasks[backend.address] = asyncio.create_task(self.keep_connected(backend, stop))

    # --- actions --------------------------------------------------------------------
    async def perform_events(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._release_waiting(final=stop.is_set())
            self._report_throttled(final=stop.is_set() and self._queue.empty())
            if self._repeats is not None:
                self._repeats.flush()
            if stop.is_set() and self._queue.empty():
                break
            try:
                event, address = await asyncio.wait_for(self._queue.get(), timeout=0.2)
            except asyncio.TimeoutError:
                continue
            try:
                await self._perform(loop, event, address)
            except Exception as e:  # the mapper or a status hook: this event only
                self.line(f"[{event.wand}] {event.gesture}: not performed: {describe(e)}")

    def _report_throttled(self, final: bool = False) -> None:
        """The rate limit's summary lines: the first at once, then one count per interval."""
        now = time.monotonic()
        for st in self.wands.values():
            text = st.throttle.report(now, final) if st.throttle is not None else None
            if text:
                self.line(f"[{st.name}] {text}")

    def _release_waiting(self, final: bool) -> None:
        """Events held for IMU that is late (or, at stop, will not come): named with what arrived."""
        for st in self.wands.values():
            if st.stream is not None:
                self._queue_events(st, st.stream.flush() if final else st.stream.overdue())

    async def _perform(self, loop: asyncio.AbstractEventLoop, event: GestureEvent, address: str) -> None:
        st = self.wands.get(event.wand)
        tag = f"[{event.wand}] {event.gesture}"
        detail = f"conf {event.confidence:.2f}" + (" enrolled" if event.source == "enrolled" else "")
        if event.runner_ups:  # what else the wand thought the drawing was
            detail += ", then " + ", ".join(f"{n} {c:.2f}" for n, c in event.runner_ups)
        if st is not None:
            st.last_gesture = event.gesture
            self._status_changed()
        if event.stale:
            why = f"{event.late or 'too old'}; not acted on"
            self.line(f"{tag} ({detail}): {why}")
            self._watch("on_performed", Performed(event, st.profile if st else "", [why], time.monotonic()))
            return
        if st is not None and st.throttle is not None and not st.throttle.take(time.monotonic()):
            held = Performed(event, st.profile, ["rate limited"], time.monotonic())
            self.performed.append(held)
            self._watch("on_performed", held)
            self._report_throttled()
            return
        mapping = self.mapper.map(event, address)
        results = []
        if st is not None and mapping.actions:  # a recognised, mapped gesture is not pointing
            results += await self._undo_gesture_motion(st, event)
        for action in mapping.actions:
            try:
                results.append(await loop.run_in_executor(self._pool, self.outputs.perform, action, event))
            except WandError as e:
                results.append(f"{action.kind} skipped: {describe(e)}")
            except Exception as e:  # an output's own failure: one line, the next action goes on
                results.append(f"{action.kind} failed: {describe(e)}")
        if mapping.switched_to:
            results.append(f"profile -> {mapping.switched_to}")
        if st is not None:
            st.profile = self.mapper.profile(event.wand, address)
            if mapping.switched_to:
                await self._control_after_switch(st)
            await self.send_strokes(st)  # the new profile's characters (nothing sent if unchanged)
        if not results:
            results = ["not mapped" if event.gesture != "unknown" else "unrecognised motion"]
        done = Performed(event, mapping.profile, results, time.monotonic())
        self.performed.append(done)
        self._watch("on_performed", done)
        if self.on_performed:
            self.on_performed(done)
        else:
            self.line(f"{tag} ({detail}) -> " + "; ".join(results))

    async def _control_after_switch(self, st: WandState) -> None:
        try:
            await self._apply_control(st)
        except Exception as e:  # the link dropped mid-write: the next connect sets it up
            self.line(f"[{st.name}] could not switch its IMU stream for continuous control: {describe(e)}")

    # --- config and enrolment reload --------------------------------------------------
    @staticmethod
    def _mtime(path: Path | None) -> int | None:
        try:
            return path.stat().st_mtime_ns if path else None
        except OSError:
            return None

    async def watch_files(self, stop: asyncio.Event, every_s: float = 1.0) -> None:
        """Reload the config and the enrolment file when they change; a bad edit keeps the
        last good one."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            except asyncio.TimeoutError:
                pass
            if await self.reload_config():
                await self.send_spotting()
            await self.reload_enrolled()
            await self.reload_drawings()

    async def send_spotting(self) -> None:
        """Give connected wands the (reloaded) spotting settings."""
        for st in self.wands.values():
            if st.state == "connected" and st.client is not None:
                try:
                    st.stream.spotting = self.config.spotting
                    st.profile = self.mapper.profile(st.name, st.address)
                    self._update_control(st)
                    await st.client.write_config(self.spotting(st))
                    st.written_flags = self.spotting(st).flags
                    await self._subscribe_imu(st)
                except Exception as e:
                    self.line(f"[{st.name}] could not update its spotting settings: {describe(e)}")
                st.profile = self.mapper.profile(st.name, st.address)  # a reload may have removed it
                await self.send_strokes(st)

    async def reload_config(self) -> bool:
        """Parse a changed config off the event loop; any failure keeps the last good one."""
        path = self.config.path
        mtime = self._mtime(path)
        if mtime == self._config_mtime:
            return False
        self._config_mtime = mtime
        if mtime is None:
            self.line(f"config {path} is gone (deleted or moved): still running the last good one; "
                      "it is read again when it is back")
            return False
        try:
            new = await asyncio.to_thread(load_config, path)  # refuses a file others may write
            self.mapper.update(new)
            self.outputs.update(new)
        except Exception as e:  # ConfigError, or anything a half-validated file makes the loader raise
            self.mapper.update(self.config)
            self.line(f"config not reloaded, still running the last good one: {describe(e)}")
            return False
        self.config = new
        self.line(f"config reloaded from {new.path}")
        return True

    async def reload_enrolled(self) -> bool:
        """A new enrolment (``wand enrol``) reaches the running daemon without a restart."""
        path = self.enrolled.path if self.enrolled else None
        mtime = self._mtime(path)
        if mtime == self._enrolled_mtime:
            return False
        self._enrolled_mtime = mtime
        if mtime is None:
            if path is not None:
                self.line(f"enrolled gestures: {path} is gone (deleted or moved): still using the last good ones "
                          "until it is back (restart the daemon to drop them)")
            return False
        try:
            new = await asyncio.to_thread(load_enrolment, path, self.bundle.rate_hz, self.bundle.gesture_names)
        except Exception as e:
            self.line(f"enrolled gestures not reloaded, still using the last good ones: {describe(e)}")
            return False
        streaming = self.streaming_imu()
        self.enrolled = new
        for st in self.wands.values():
            if st.stream is not None:
                st.stream.set_enrolled(new)
        self.line(f"enrolled gestures reloaded from {path}: {', '.join(sorted(new.gestures)) or 'none'}")
        if streaming != self.streaming_imu():
            self.line(self.imu_cost_line())
            await self.send_spotting()  # the IMU stream on or off
        return True

    async def reload_drawings(self) -> bool:
        """A new drawing (``wand enrol --drawing``, ``wand enrol letter_z``) reaches the running daemon."""
        from .stroke_enrol import load_strokes
        path = self.drawings.path if self.drawings else None
        mtime = self._mtime(path)
        if mtime is None or mtime == self._drawings_mtime:
            return False
        self._drawings_mtime = mtime
        try:
            new = await asyncio.to_thread(load_strokes, path)
        except Exception as e:
            self.line(f"enrolled drawings not reloaded, still using the last good ones: {describe(e)}")
            return False
        self.drawings = new
        for st in self.wands.values():
            if st.stream is not None:
                st.stream.set_drawings(new)
        self.line(f"enrolled drawings reloaded from {path}: {', '.join(sorted(new.gestures)) or 'none'}")
        await self.send_spotting()  # the IMU stream and the stroke spotter may change
        return True

    # --- status -----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(), "updated": time.time(), "model_crc32": f"{self.bundle.crc32:08x}",
            "outputs": self.outputs.status(),
            "enrolled": sorted(self.enrolled.gestures) if self.enrolled else [],
            "drawings": sorted(self.drawings.gestures) if self.drawings else [],
            "imu_stream": self.imu_cost_line(),
            "wands": {n: {"address": w.address, "state": w.state, "profile": w.profile, "connects": w.connects,
                          "battery_percent": w.battery_percent, "last_gesture": w.last_gesture,
                          "characters": _active(w.strokes_sent),
                          "last_error": w.last_error, "events": w.stream.stats.as_dict() if w.stream else {},
                          "controls": [c.describe() for c in w.control.controls] if w.control else []}
                      for n, w in self.wands.items()},
        }

    def _status_changed(self) -> None:
        self._status_dirty = True

    async def write_status_while_running(self, stop: asyncio.Event, every_s: float = STATUS_EVERY_S) -> None:
        """status.json follows events and connections live, rewritten at most every ``every_s``."""
        while not stop.is_set():
            if self._status_dirty:
                self._write_status()
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            except asyncio.TimeoutError:
                pass

    def _write_status(self) -> None:
        self._status_dirty = False
        if self.status_file is None:
            return
        try:
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.status_file.with_name(f".{self.status_file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.status(), indent=2))
            os.replace(tmp, self.status_file)
        except Exception as e:  # a full disk stops the status file, not the daemon
            log.warning("could not write %s: %s", self.status_file, describe(e))

    async def run(self, backends: list[WandBackend], stop: asyncio.Event, discover: Discover | None = None,
                  rescan_s: float = 30.0) -> None:
        with summarised() as self._repeats:
            await self._run(backends, stop, discover, rescan_s)
        self._repeats = None

    async def _run(self, backends: list[WandBackend], stop: asyncio.Event, discover: Discover | None,
                   rescan_s: float) -> None:
        for b in backends:
            self._start(b, stop)
        helpers = [asyncio.create_task(self.perform_events(stop)),
                   asyncio.create_task(self.write_status_while_running(stop))]
        if self.config.path or (self.enrolled and self.enrolled.path) or (self.drawings and self.drawings.path):
            helpers.append(asyncio.create_task(self.watch_files(stop)))
        if discover is not None:
            helpers.append(asyncio.create_task(self.discover(discover, stop, rescan_s)))
        try:
            await asyncio.gather(*helpers)
            await asyncio.gather(*self._tasks.values())
        finally:
            self._write_status()
            self._pool.shutdown(wait=True)
            self._control_pool.shutdown(wait=True)
            self.outputs.close()
