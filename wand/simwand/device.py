"""A simulated wand: real recordings replayed through the firmware's pipeline and model.

It behaves like the device over BLE: a status and a config characteristic to read and
write, gesture and IMU notifications, and the held-event re-send when a host
subscribes. It keeps running while no host is connected, like a wand in someone's hand
while the link is down.

Each recorded try is replayed from a fresh start (``reset``) after a pause in which the
wand idles: the data set holds the tries, not the moments between them, and a try
starts at the motion trigger, the way the wand's spotter sees a gesture begin.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from ..errors import PacketError
from ..hid import HID_TABLE_CHAR_UUID
from ..model import ModelBundle
from ..protocol import (
    BATTERY_UNKNOWN, BOARD_NANO33_REV1, CONFIG_CHAR_UUID, EVENT_CHAR_UUID, IMU_CHAR_UUID, STATUS_CHAR_UUID,
    CONFIG_FLAG_STREAM_IMU, STATUS_FLAG_STREAMING, ConfigPacket, StatusPacket, PACKET_TYPE_OFFSET, PKT_GESTURE,
    PKT_STROKE, PKT_STROKE_CONFIG, StrokeConfigPacket,
)
from ..recordings import Recording
from ..wand_core.classifier import TflmClassifier
from ..wand_core.core import CoreSpec, WandCore
from ..wand_core.hid import HidCore

Notify = Callable[[bytes], None]


@dataclass(frozen=True)
class Emitted:
    """A packet the wand produced, with the try that produced it (ground truth for the demo)."""

    take: int
    packet: bytes


class SimulatedWand:
    def __init__(self, bundle: ModelBundle, takes: list[Recording], name: str = "wand-sim",
                 address: str = "SIM:00:00:00:00:01", config: ConfigPacket | None = None,
                 pause_s: float = 1.0, loop: bool = False, strokes: bool = True) -> None:
        if not takes:
            raise ValueError("a simulated wand needs at least one recording to replay")
        self.bundle, self.takes, self.name, self.address = bundle, list(takes), name, address
        self.pause_s, self.loop = pause_s, loop
        spec = CoreSpec(takes[0].rate_hz, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
        self.core = WandCore(spec, TflmClassifier(bundle), config or ConfigPacket(),
                             stroke_classifier=shipped_stroke_classifier() if strokes else None)
        self._subscribers: dict[str, Notify] = {}
        self.current_take = -1
        self.finished = False
        self.on_emit: Callable[[Emitted], None] | None = None  # every packet, delivered or not
        self.battery_percent = BATTERY_UNKNOWN  # like the board itself: no fuel gauge
        # Stand-alone mode: the HID table (kept across resets, as the firmware keeps it in
        # flash) and whoever listens for HID reports (the bumble peripheral's HID service).
        self.hid = HidCore(bundle.crc32)
        self.hid_flash = b""
        self.on_hid_report: list[Callable[[bytes], None]] = []

    # --- GATT-like face -------------------------------------------------------------
    def read(self, char_uuid: str) -> bytes:
        if char_uuid == STATUS_CHAR_UUID:
            return self.status().encode()
        if char_uuid == CONFIG_CHAR_UUID:
            return self.core.config.encode()
        if char_uuid == HID_TABLE_CHAR_UUID:
            return self.hid.state()
        raise PacketError(f"characteristic {char_uuid} is not readable")

    def write(self, char_uuid: str, data: bytes) -> None:
        if char_uuid == HID_TABLE_CHAR_UUID:
            kept = self.hid.write(data)
            if kept is not None:
                self.hid_flash = kept
            return
        if char_uuid != CONFIG_CHAR_UUID:
            raise PacketError(f"characteristic {char_uuid} is not writable")
        if data[:1] == bytes([PKT_STROKE_CONFIG]):  # the firmware dispatches on the type byte
            self.core.configure_strokes(StrokeConfigPacket.decode(data))
            return
        self.core.configure(ConfigPacket.decode(data))

    def subscribe(self, char_uuid: str, callback: Notify) -> None:
        if char_uuid not in (EVENT_CHAR_UUID, IMU_CHAR_UUID, STATUS_CHAR_UUID):
            raise PacketError(f"characteristic {char_uuid} does not notify")
        self._subscribers[char_uuid] = callback
        if char_uuid == EVENT_CHAR_UUID:
            for packet in self.core.resend_queued():
                callback(packet)

    def unsubscribe_all(self) -> None:
        self._subscribers.clear()

    def status(self) -> StatusPacket:
        flags = STATUS_FLAG_STREAMING if self.core.config.stream_imu else 0
        rate = self.takes[max(self.current_take, 0)].rate_hz
        return StatusPacket(BOARD_NANO33_REV1, self.battery_percent, flags, rate, self.bundle.crc32,
                            len(self.bundle.classes), self.core.time_ms())

    # --- running ------------------------------------------------------------------
    def _deliver(self, packet: bytes) -> None:
        for report in self.hid.on_event(packet) if self.on_hid_report else ():
            for listener in self.on_hid_report:
                listener(report)
        char = EVENT_CHAR_UUID if packet[PACKET_TYPE_OFFSET] in (PKT_GESTURE, PKT_STROKE) else IMU_CHAR_UUID
        callback = self._subscribers.get(char)
        if callback is not None:
            callback(packet)

    @property
    def stroke_config(self) -> StrokeConfigPacket:
        """The stroke spotter's settings and active set, as last written."""
        return self.core.stroke_config

    @stroke_config.setter
    def stroke_config(self, config: StrokeConfigPacket) -> None:
        self.core.configure_strokes(config)

    def send(self, packet: bytes) -> None:
        """Notify one packet now, as the firmware does when its core emits it (lost when no
        host listens, like a notification on a link nobody subscribed to)."""
        self._deliver(packet)

    @property
    def events_subscribed(self) -> bool:
        return EVENT_CHAR_UUID in self._subscribers

    def replay(self) -> Iterator[Emitted]:
        """Replay every try once (or forever with ``loop``), synchronously, as fast as possible."""
        while True:
            for i, rec in enumerate(self.takes):
                for emitted in self.replay_take(i, rec):
                    self._deliver(emitted.packet)
                    yield emitted
            if not self.loop:
                self.finished = True
                return

    def replay_take(self, index: int, rec: Recording, ticks: bool = False) -> Iterator[Emitted]:
        """``ticks``: also an empty packet every 0.1 s of the try (for pacing; never delivered)."""
        self.current_take = index
        self.core.idle(int(self.pause_s * self.bundle.rate_hz))
        for packet in self.core.replay(rec.samples, rec.rate_hz, max(1, rec.rate_hz // 10) if ticks else 0):
            if not packet:
                yield Emitted(index, packet)
                continue
            emitted = Emitted(index, packet)
            if self.on_emit:
                self.on_emit(emitted)
            yield emitted

    async def run(self, speed: float = 1.0, on_take: Callable[[int, Recording], None] | None = None) -> None:
        """Replay in (speed x) real time, delivering packets to subscribers; speed 0: no waiting."""
        start = time.monotonic()
        wand_t0 = self.core.time_ms()
        while True:
            for i, rec in enumerate(self.takes):
                if on_take:
                    on_take(i, rec)
                # ticks: the clock is kept while nothing is sent too (before a host turns the
                # IMU stream on), so a status read's uptime matches the host's clock after it
                for emitted in self.replay_take(i, rec, ticks=speed > 0):
                    if speed > 0:  # deliver each packet when the wand's clock says it happened
                        due = start + (self.core.time_ms() - wand_t0) / 1000.0 / speed
                        await asyncio.sleep(max(0.0, due - time.monotonic()))
                    if emitted.packet:
                        self._deliver(emitted.packet)
                await asyncio.sleep(0)
            if not self.loop:
                self.finished = True
                return


_STROKE_CLASSIFIER = []  # the shipped stroke model's interpreter, loaded once per process


def shipped_stroke_classifier():
    """The stroke model the firmware carries, through TFLM, as the chip runs it (None where
    this checkout has no stroke model: the wand then spots IMU gestures only)."""
    if not _STROKE_CLASSIFIER:
        from ..errors import ModelError
        from ..stroke_model import StrokeInterpreter, load_stroke_model
        try:
            _STROKE_CLASSIFIER.append(StrokeInterpreter(load_stroke_model()))
        except ModelError:
            _STROKE_CLASSIFIER.append(None)
    return _STROKE_CLASSIFIER[0]


def streaming(config: ConfigPacket | None = None) -> ConfigPacket:
    """``config`` (default spotting) with the IMU stream on, as the daemon writes it while
    gestures are enrolled."""
    import dataclasses
    config = config or ConfigPacket()
    return dataclasses.replace(config, flags=config.flags | CONFIG_FLAG_STREAM_IMU)


def first_gesture_packets(bundle: ModelBundle, tries: list[Recording]) -> list[bytes | None]:
    """The wand's first gesture packet for each try, replayed from a fresh start; None
    where the spotter saw no gesture start (too gentle for the motion gate)."""
    got: dict[int, bytes] = {}
    for e in SimulatedWand(bundle, tries, name="replay").replay():
        if e.packet[PACKET_TYPE_OFFSET] == PKT_GESTURE:
            got.setdefault(e.take, e.packet)
    return [got.get(i) for i in range(len(tries))]


def embeddings(bundle: ModelBundle, tries: list[Recording]) -> list[tuple[int, ...]]:
    """What the wand sends for each try: the embedding in its first gesture packet
    (tries without one are left out, so the result can be shorter than ``tries``)."""
    from ..protocol import GesturePacket

    return [GesturePacket.decode(p).embedding for p in first_gesture_packets(bundle, tries) if p is not None]
