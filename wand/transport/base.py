"""The backend interface and the protocol-level client on top of it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

from ..protocol import (
    CONFIG_CHAR_UUID, EVENT_CHAR_UUID, IMU_CHAR_UUID, STATUS_CHAR_UUID, ConfigPacket, StatusPacket,
)

Notify = Callable[[bytes], None]


@dataclass(frozen=True)
class FoundWand:
    name: str
    address: str
    rssi: int | None  # dBm; None where the backend has no radio (simulator)
    backend: str


class WandBackend(ABC):
    """Moves bytes to and from one wand's GATT characteristics."""

    name: str = "wand"
    address: str = ""

    @abstractmethod
    async def connect(self, timeout: float = 10.0) -> None: ...

    @abstractmethod
    async def disconnect(self) -> None: ...

    @property
    @abstractmethod
    def is_connected(self) -> bool: ...

    @abstractmethod
    async def start_notify(self, char_uuid: str, callback: Notify) -> None: ...

    @abstractmethod
    async def read(self, char_uuid: str) -> bytes: ...

    @abstractmethod
    async def write(self, char_uuid: str, data: bytes) -> None: ...

    def set_disconnected_callback(self, callback: Callable[[], None] | None) -> None:
        self._on_disconnect = callback

    def _disconnected(self) -> None:
        callback = getattr(self, "_on_disconnect", None)
        if callback is not None:
            callback()


class WandClient:
    """The wand's protocol on any backend."""

    def __init__(self, backend: WandBackend) -> None:
        self.backend = backend

    @property
    def name(self) -> str:
        return self.backend.name

    async def read_status(self) -> StatusPacket:
        return StatusPacket.decode(await self.backend.read(STATUS_CHAR_UUID))

    async def read_config(self) -> ConfigPacket:
        return ConfigPacket.decode(await self.backend.read(CONFIG_CHAR_UUID))

    async def write_config(self, config: ConfigPacket) -> None:
        await self.backend.write(CONFIG_CHAR_UUID, config.encode())

    async def subscribe_events(self, callback: Notify) -> None:
        await self.backend.start_notify(EVENT_CHAR_UUID, callback)

    async def subscribe_imu(self, callback: Notify) -> None:
        await self.backend.start_notify(IMU_CHAR_UUID, callback)
