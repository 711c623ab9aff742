"""BLE backend: the real wand through bleak (BlueZ on Linux, CoreBluetooth, WinRT).

bleak's own failures are turned into one-line, actionable ``DeviceError``s here; note
that on Linux without D-Bus bleak raises a bare ``FileNotFoundError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any, AsyncIterator

from ..errors import DeviceError
from .base import Channel, FoundWand, Notify, WandBackend
from .gatt import CHARACTERISTIC, SERVICE_UUID
from .names import clean_name


def _bluetooth_error(e: BaseException, what: str) -> DeviceError:
    """Map whatever bleak or the OS raised to a message the user can act on."""
    text = str(e)
    name = type(e).__name__
    if isinstance(e, FileNotFoundError) or "org.freedesktop.DBus.Error.ServiceUnknown" in text:
        hint = ("start BlueZ with 'sudo systemctl start bluetooth'" if sys.platform.startswith("linux")
                else "check that Bluetooth is on")
        return DeviceError(f"{what}: Bluetooth service not reachable (no D-Bus/BlueZ): {hint}")
    if isinstance(e, PermissionError) or "AccessDenied" in text or "NotPermitted" in text:
        return DeviceError(f"{what}: permission denied by the Bluetooth service: add your user to the "
                           "'bluetooth' group (Linux) or allow Bluetooth for this terminal (macOS)")
    if "No Bluetooth adapters found" in text or "NotReady" in text or "not available" in text.lower() \
            or name == "BleakBluetoothNotAvailableError":
        return DeviceError(f"{what}: no Bluetooth adapter, or it is off: plug one in or turn Bluetooth on "
                           "('bluetoothctl power on')")
    if isinstance(e, (asyncio.TimeoutError, TimeoutError)):
        return DeviceError(f"{what}: timed out; is the wand awake and within range?")
    if name == "BleakDeviceNotFoundError":
        return DeviceError(f"{what}: wand not found; wake it (move it) and check 'wand scan'")
    return DeviceError(f"{what}: {name}: {text or 'Bluetooth error'}")


@contextlib.asynccontextmanager
async def bluetooth_errors(what: str) -> AsyncIterator[None]:
    try:
        yield
    except DeviceError:
        raise
    except (OSError, asyncio.TimeoutError, TimeoutError) as e:
        raise _bluetooth_error(e, what) from None
    except Exception as e:  # bleak's own errors: BleakError, BleakDBusError, ...
        if type(e).__module__.startswith("bleak") or "dbus" in type(e).__module__:
            raise _bluetooth_error(e, what) from None
        raise


async def scan(timeout: float = 5.0, backend: Any = None) -> list[FoundWand]:
    """Wands advertising the wand service nearby, strongest signal first."""
    from bleak import BleakScanner

    kwargs = {"service_uuids": [SERVICE_UUID]} | ({"backend": backend} if backend else {})
    async with bluetooth_errors("scan"):
        found = await BleakScanner.discover(timeout=timeout, return_adv=True, **kwargs)
    wands = [FoundWand(clean_name(dev.name or adv.local_name), dev.address, adv.rssi, "ble")
             for dev, adv in found.values()]
    return sorted(wands, key=lambda w: -(w.rssi if w.rssi is not None else -999))


class BleakBackend(WandBackend):
    """A wand over BLE. ``backend`` is bleak's own seam (a BaseBleakClient subclass)."""

    def __init__(self, address: str, name: str = "wand", backend: Any = None) -> None:
        self.address, self.name = address, clean_name(name)
        self._bleak_backend = backend
        self._client: Any = None

    @property
    def is_connected(self) -> bool:
        return bool(self._client is not None and self._client.is_connected)

    async def connect(self, timeout: float = 10.0) -> None:
        from bleak import BleakClient

        kwargs = {"backend": self._bleak_backend} if self._bleak_backend else {}
        self._client = BleakClient(self.address, disconnected_callback=lambda _c: self._disconnected(),
                                   timeout=timeout, **kwargs)
        async with bluetooth_errors(f"connect to {self.name} ({self.address})"):
            await self._client.connect()

    async def disconnect(self) -> None:
        if self._client is not None:
            async with bluetooth_errors(f"disconnect from {self.name}"):
                await self._client.disconnect()

    async def pair(self) -> str:
        """Pair and bond through the OS (BlueZ, CoreBluetooth, WinRT): the wand asks for
        LE Secure Connections, and the OS keeps the keys, so later links are encrypted."""
        async with bluetooth_errors(f"pair with {self.name} ({self.address})"):
            await self._client.pair()
        return "bonded"

    async def start_notify(self, channel: Channel, callback: Notify) -> None:
        async with bluetooth_errors(f"subscribe to {self.name}"):
            await self._client.start_notify(CHARACTERISTIC[channel], lambda _char, data: callback(bytes(data)))

    async def read(self, channel: Channel) -> bytes:
        async with bluetooth_errors(f"read from {self.name}"):
            return bytes(await self._client.read_gatt_char(CHARACTERISTIC[channel]))

    async def write(self, channel: Channel, data: bytes) -> None:
        async with bluetooth_errors(f"write to {self.name}"):
            await self._client.write_gatt_char(CHARACTERISTIC[channel], data, response=True)
