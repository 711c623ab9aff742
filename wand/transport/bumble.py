"""BLE backend on bumble's host stack: a central that does not go through BlueZ.

Give it a powered-on bumble ``Device``: on bumble's LocalLink it runs a real GATT client
against a real GATT server in one process (the tests); on an HCI transport bumble opens
(a USB dongle) it is a central where BlueZ is missing or unwanted.
"""

from __future__ import annotations

from typing import Any

from ..errors import DeviceError
from .base import Notify, WandBackend


class BumbleBackend(WandBackend):
    def __init__(self, device: Any, address: str, name: str = "wand") -> None:
        self.device, self.address, self.name = device, address, name
        self._connection: Any = None
        self._peer: Any = None
        self._chars: dict[str, Any] = {}

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, timeout: float = 10.0) -> None:
        from bumble.core import UUID
        from bumble.device import Peer

        from ..protocol import SERVICE_UUID

        try:
            self._connection = await self.device.connect(self.address, timeout=timeout)
        except Exception as e:  # bumble raises its own timeout/HCI errors
            raise DeviceError(f"connect to {self.name} ({self.address}): {type(e).__name__}: {e}") from None
        self._connection.on("disconnection", self._on_disconnection)
        self._peer = Peer(self._connection)
        await self._peer.discover_services([UUID(SERVICE_UUID)])
        services = self._peer.get_services_by_uuid(UUID(SERVICE_UUID))
        if not services:
            await self.disconnect()
            raise DeviceError(f"{self.name} ({self.address}) is not a wand: no wand service")
        await self._peer.discover_characteristics(service=services[0])
        self._chars = {str(c.uuid).lower(): c for c in services[0].characteristics}

    def _on_disconnection(self, *_: Any) -> None:
        self._connection = None
        self._disconnected()

    async def disconnect(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.disconnect()
            except Exception:  # already gone
                self._connection = None

    def _char(self, uuid: str) -> Any:
        if self._connection is None:
            raise DeviceError(f"wand {self.name} is not connected")
        try:
            return self._chars[uuid.lower()]
        except KeyError:
            raise DeviceError(f"{self.name}: characteristic {uuid} missing: is the firmware up to date?") from None

    async def start_notify(self, char_uuid: str, callback: Notify) -> None:
        await self._peer.subscribe(self._char(char_uuid), lambda value: callback(bytes(value)))

    async def read(self, char_uuid: str) -> bytes:
        return bytes(await self._peer.read_value(self._char(char_uuid)))

    async def write(self, char_uuid: str, data: bytes) -> None:
        await self._peer.write_value(self._char(char_uuid), data, with_response=True)
