"""The daemon: wands -> transport -> events -> mapper -> outputs, kept running.

One task per wand keeps it connected (reconnecting with backoff when it sleeps or goes
out of range); one worker performs actions in order, off the event loop, so a held key
or a slow program never delays the radio.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .config import Config, load_config
from .enrol import EnrolmentSet
from .errors import ConfigError, DeviceError, PacketError, WandError
from .events import GestureEvent, EventStream
from .mapper import Mapper
from .model import ModelBundle
from .outputs import OutputSet
from .transport.base import WandBackend, WandClient

log = logging.getLogger("wand.daemon")
Line = Callable[[str], None]


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
    state: str = "starting"  # connecting, connected, waiting, stopped
    profile: str = ""
    connects: int = 0
    battery_percent: int | None = None
    last_gesture: str = ""
    last_error: str = ""
    stream: EventStream | None = None
    client: WandClient | None = None


@dataclass
class Performed:
    event: GestureEvent
    profile: str
    results: list[str]
    done_at: float  # host monotonic, when the last action finished


class Daemon:
    def __init__(self, config: Config, bundle: ModelBundle, outputs: OutputSet,
                 enrolled: EnrolmentSet | None = None, line: Line = print,
                 backoff: Backoff | None = None, status_file: Path | None = None) -> None:
        self.config, self.bundle, self.outputs, self.enrolled = config, bundle, outputs, enrolled
        self.mapper = Mapper(config)
        self.line = line
        self.backoff_template = backoff or Backoff()
        self.wands: dict[str, WandState] = {}
        self.performed: list[Performed] = []
        self.on_performed: Callable[[Performed], None] | None = None
        self.status_file = status_file
        self._queue: asyncio.Queue[tuple[GestureEvent, str]] = asyncio.Queue()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wand-output")
        self._config_mtime = self._mtime()

    # --- wands ----------------------------------------------------------------------
    async def keep_connected(self, backend: WandBackend, stop: asyncio.Event) -> None:
        """Connect, listen, and reconnect with backoff until ``stop`` is set."""
        st = self.wands.setdefault(backend.name, WandState(backend.name, backend.address))
        st.stream = st.stream or EventStream(backend.name, self.bundle, self.enrolled, self.config.max_event_age_ms)
        backoff = replace(self.backoff_template)
        while not stop.is_set():
            lost = asyncio.Event()
            backend.set_disconnected_callback(lost.set)
            st.state = "connecting"
            try:
                await self._session(backend, st, lost, stop)
                backoff.reset()
            except (DeviceError, PacketError) as e:
                if str(e) != st.last_error:  # a wand that stays away is reported once, not per retry
                    self.line(f"[{backend.name}] {e}; retrying")
                st.last_error = str(e)
            st.state = "waiting"
            self._write_status()
            if stop.is_set():
                break
            delay = backoff.next()
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
        st.state = "stopped"
        try:
            await backend.disconnect()
        except WandError:
            pass
        self._write_status()

    async def _session(self, backend: WandBackend, st: WandState, lost: asyncio.Event, stop: asyncio.Event) -> None:
        client = WandClient(backend)
        await backend.connect()
        status = await client.read_status()
        st.stream.on_connect(status)
        if status.model_crc32 != self.bundle.crc32:
            self.line(f"[{backend.name}] runs model {status.model_crc32:08x} but this host has "
                      f"{self.bundle.crc32:08x}: gesture names may be wrong; flash the wand with this "
                      "model or pass --model")
        await client.write_config(self.config.spotting)
        st.client = client
        st.connects += 1
        st.state = "connected"
        st.last_error = ""
        st.battery_percent = None if status.battery_percent == 0xFF else status.battery_percent
        st.profile = self.mapper.profile(backend.name, backend.address)
        self.line(f"[{backend.name}] connected (profile {st.profile}"
                  + (f", battery {st.battery_percent}%" if st.battery_percent is not None else "") + ")")
        self._write_status()
        await client.subscribe_events(lambda data: self._on_packet(st, data))
        done = asyncio.ensure_future(lost.wait())
        halt = asyncio.ensure_future(stop.wait())
        await asyncio.wait({done, halt}, return_when=asyncio.FIRST_COMPLETED)
        for t in (done, halt):
            t.cancel()
        if lost.is_set() and not stop.is_set():
            self.line(f"[{backend.name}] disconnected; reconnecting")

    def _on_packet(self, st: WandState, data: bytes) -> None:
        event = st.stream.feed(data)
        if event is not None:
            self._queue.put_nowait((event, st.address))

    # --- actions --------------------------------------------------------------------
    async def perform_events(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not (stop.is_set() and self._queue.empty()):
            try:
                event, address = await asyncio.wait_for(self._queue.get(), timeout=0.2)
            except asyncio.TimeoutError:
                continue
            await self._perform(loop, event, address)

    async def _perform(self, loop: asyncio.AbstractEventLoop, event: GestureEvent, address: str) -> None:
        st = self.wands.get(event.wand)
        tag = f"[{event.wand}] {event.gesture}"
        detail = f"conf {event.confidence:.2f}" + (" enrolled" if event.source == "enrolled" else "")
        if event.stale:
            self.line(f"{tag} ({detail}): arrived late after a reconnect; not acted on")
            return
        mapping = self.mapper.map(event, address)
        results = []
        for action in mapping.actions:
            try:
                results.append(await loop.run_in_executor(self._pool, self.outputs.perform, action, event))
            except DeviceError as e:
                results.append(f"{action.kind} skipped: {str(e).split(':')[0]}")
        if mapping.switched_to:
            results.append(f"profile -> {mapping.switched_to}")
        if st is not None:
            st.last_gesture = event.gesture
            st.profile = self.mapper.profile(event.wand, address)
        if not results:
            results = ["not mapped" if event.gesture != "unknown" else "unrecognised motion"]
        done = Performed(event, mapping.profile, results, time.monotonic())
        self.performed.append(done)
        if self.on_performed:
            self.on_performed(done)
        else:
            self.line(f"{tag} ({detail}) -> " + "; ".join(results))

    # --- config reload ----------------------------------------------------------------
    def _mtime(self) -> float | None:
        try:
            return self.config.path.stat().st_mtime_ns if self.config.path else None
        except OSError:
            return None

    async def watch_config(self, stop: asyncio.Event, every_s: float = 1.0) -> None:
        """Reload the config when its file changes; a bad edit keeps the last good one."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            except asyncio.TimeoutError:
                pass
            if self.check_config():
                await self.send_spotting()

    async def send_spotting(self) -> None:
        """Give connected wands the (reloaded) spotting settings."""
        for st in self.wands.values():
            if st.state == "connected" and st.client is not None:
                try:
                    await st.client.write_config(self.config.spotting)
                except (DeviceError, PacketError) as e:
                    self.line(f"[{st.name}] could not update its spotting settings: {e}")

    def check_config(self) -> bool:
        mtime = self._mtime()
        if mtime is None or mtime == self._config_mtime:
            return False
        self._config_mtime = mtime
        try:
            new = load_config(self.config.path)
        except ConfigError as e:
            self.line(f"config not reloaded, still running the last good one: {e}")
            return False
        self.config = new
        self.mapper.update(new)
        self.line(f"config reloaded from {new.path}")
        return True

    # --- status -----------------------------------------------------------------------
    def status(self) -> dict:
        return {
            "pid": os.getpid(), "updated": time.time(), "model_crc32": f"{self.bundle.crc32:08x}",
            "outputs": self.outputs.status(),
            "wands": {n: {"address": w.address, "state": w.state, "profile": w.profile, "connects": w.connects,
                          "battery_percent": w.battery_percent, "last_gesture": w.last_gesture,
                          "last_error": w.last_error, "events": w.stream.stats.as_dict() if w.stream else {}}
                      for n, w in self.wands.items()},
        }

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.status(), indent=2))
        os.replace(tmp, self.status_file)

    async def run(self, backends: list[WandBackend], stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self.keep_connected(b, stop)) for b in backends]
        tasks.append(asyncio.create_task(self.perform_events(stop)))
        if self.config.path:
            tasks.append(asyncio.create_task(self.watch_config(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            self._write_status()
            self._pool.shutdown(wait=True)
            self.outputs.close()
