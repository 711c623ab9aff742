"""Backend for a SimulatedWand in this process (no radio)."""

from __future__ import annotations

from ..errors import DeviceError
from ..simwand.device import SimulatedWand
from .base import FoundWand, Notify, WandBackend


class SimBackend(WandBackend):
    def __init__(self, wand: SimulatedWand) -> None:
        self.wand = wand
        self.name, self.address = wand.name, wand.address
        self._connected = False

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

    def _check(self) -> None:
        if not self._connected:
            raise DeviceError(f"wand {self.name} is not connected")

    async def start_notify(self, char_uuid: str, callback: Notify) -> None:
        self._check()
        self.wand.subscribe(char_uuid, callback)

    async def read(self, char_uuid: str) -> bytes:
        self._check()
        return self.wand.read(char_uuid)

    async def write(self, char_uuid: str, data: bytes) -> None:
        self._check()
        self.wand.write(char_uuid, data)


def found(wand: SimulatedWand) -> FoundWand:
    return FoundWand(wand.name, wand.address, None, "sim")
