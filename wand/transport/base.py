"""The backend interface and the protocol-level client on top of it.

A backend moves bytes on the wand's four channels; how a channel is reached (a GATT
characteristic, a serial frame, a call into the simulator) is the backend's business,
so nothing above this layer knows a UUID.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Coroutine

from ..protocol import ConfigPacket, StatusPacket, StrokeConfigPacket

Notify = Callable[[bytes], None]


class Channel(enum.Enum):
    EVENT = "event"  # notify: GesturePacket, StrokePacket
    IMU = "imu"  # notify: ImuPacket, while streaming is on
    CONFIG = "config"  # read, write: ConfigPacket; write: StrokeConfigPacket (by type byte)
    STATUS = "status"  # read, notify: StatusPacket


@dataclass(frozen=True)
class FoundWand:
    name: str
    address: str
    rssi: int | None  # dBm; None where the backend has no radio (simulator)
    backend: str


class WandBackend(ABC):
    """Moves bytes to and from one wand's channels."""

    name: str = "wand"
    address: str = ""
    trusted: bool = False  # True where no stranger can be on the other end (the simulator)

    @property
    def source(self) -> str:
        """Where recorded samples came from, for a recording's metadata."""
        return f"wand {self.address}"

    @abstractmethod
    async def connect(self, timeout: float = 10.0) -> None: ...

    @abstractmethod
    async def disconnect(self) -> None: ...

    @property
    @abstractmethod
    def is_connected(self) -> bool: ...

    @abstractmethod
    async def start_notify(self, channel: Channel, callback: Notify) -> None: ...

    @abstractmethod
    async def read(self, channel: Channel) -> bytes: ...

    @abstractmethod
    async def write(self, channel: Channel, data: bytes) -> None: ...

    async def pair(self) -> str:
        """Pair (and bond) with the connected wand; returns the bonding state."""
        from ..errors import DeviceError
        raise DeviceError(f"{self.name}: this link cannot pair")

    def driver(self) -> Coroutine[Any, Any, None] | None:
        """Work that must run beside the link for the wand to produce anything (the
        simulator's replay); None for a real wand."""
        return None

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
        return StatusPacket.decode(await self.backend.read(Channel.STATUS))

    async def read_config(self) -> ConfigPacket:
        return ConfigPacket.decode(await self.backend.read(Channel.CONFIG))

    async def write_config(self, config: ConfigPacket) -> None:
        await self.backend.write(Channel.CONFIG, config.encode())

    async def write_stroke_config(self, config: StrokeConfigPacket) -> None:
        """The stroke spotter's settings and active set, on the same characteristic (the
        wand tells the two packets apart by their type byte)."""
        await self.backend.write(Channel.CONFIG, config.encode())

    async def subscribe_events(self, callback: Notify) -> None:
        await self.backend.start_notify(Channel.EVENT, callback)

    async def subscribe_imu(self, callback: Notify) -> None:
        await self.backend.start_notify(Channel.IMU, callback)
