"""Backend for a SimulatedWand in this process (no radio).

The simulated wand is the firmware's twin, so it keeps the firmware's GATT-like face;
this backend maps channels onto it. It is trusted: nobody else can be on this link.
"""

from __future__ import annotations

from typing import Any, Coroutine

from ..errors import DeviceError
from ..simwand.device import SimulatedWand
from .base import Channel, FoundWand, Notify, WandBackend
from .gatt import CHARACTERISTIC


class SimBackend(WandBackend):
    trusted = True

    def __init__(self, wand: SimulatedWand, speed: float = 1.0) -> None:
        self.wand, self.speed = wand, speed
        self.name, self.address = wand.name, wand.address
        self._connected = False
        self._source = f"simulator {wand.name}"

    @property
    def source(self) -> str:
        return self._source

    @source.setter
    def source(self, text: str) -> None:
        self._source = text

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, timeout: float = 10.0) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self.drop()

    def drop(self) -> None:
        """The link goes down on the wand's side (out of range, asleep)."""
        if self._connected:
            self._connected = False
            self.wand.unsubscribe_all()
            self._disconnected()

    def driver(self) -> Coroutine[Any, Any, None]:
        """The simulated wand replays its tries in (speed x) real time."""
        return self.wand.run(speed=self.speed)

    def _check(self) -> None:
        if not self._connected:
            raise DeviceError(f"wand {self.name} is not connected")

    async def start_notify(self, channel: Channel, callback: Notify) -> None:
        self._check()
        self.wand.subscribe(CHARACTERISTIC[channel], callback)

    async def read(self, channel: Channel) -> bytes:
        self._check()
        return self.wand.read(CHARACTERISTIC[channel])

    async def write(self, channel: Channel, data: bytes) -> None:
        self._check()
        self.wand.write(CHARACTERISTIC[channel], data)


def found(wand: SimulatedWand) -> FoundWand:
    return FoundWand(wand.name, wand.address, None, "sim")
