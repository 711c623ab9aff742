"""BLE backend on bumble's host stack: a central that does not go through BlueZ.

Give it a powered-on bumble ``Device``: on bumble's LocalLink it runs a real GATT client
against a real GATT server in one process (the tests); on an HCI transport bumble opens
(``--wand bumble:usb:0``, a USB dongle) it is a central where BlueZ is missing or unwanted.

Whatever bumble raises while connecting (its own TimeoutError, HCI errors, the
CancelledError its GATT client uses when the link drops mid-request) comes out of here
as one ``DeviceError``; a drop during discovery is noticed at once, not after bumble's
30-second request timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import DeviceError
from .base import Channel, FoundWand, Notify, WandBackend
from .gatt import CHARACTERISTIC, SERVICE_UUID
from .names import clean_name

ATT_MTU = 247  # asked for at connect: 16 IMU samples (197 bytes) fit one notification


class BumbleBackend(WandBackend):
    def __init__(self, device: Any, address: str, name: str = "wand") -> None:
        self.device, self.address, self.name = device, address, clean_name(name)
        self._connection: Any = None
        self._peer: Any = None
        self._chars: dict[Channel, Any] = {}
        self._dropped: asyncio.Future[None] | None = None
        self._link_address = address

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, timeout: float = 10.0) -> None:
        from bumble.core import UUID
        from bumble.device import Peer

        what = f"connect to {self.name} ({self.address})"
        try:
            connection = await self.device.connect(self.address, timeout=timeout)
        except asyncio.CancelledError:
            _reraise_if_cancelled()
            raise DeviceError(f"{what}: cancelled by the stack") from None
        except Exception as e:  # bumble raises its own timeout/HCI errors
            raise DeviceError(f"{what}: {type(e).__name__}: {e}") from None
        self._connection, self._peer = connection, Peer(connection)
        self._link_address = str(connection.peer_address)  # pairing may swap in the identity address
        self._dropped = dropped = asyncio.get_running_loop().create_future()

        def on_disconnection(*_: Any) -> None:
            if not dropped.done():
                dropped.set_result(None)
            if self._connection is connection:
                self._on_disconnection()
        connection.on("disconnection", on_disconnection)

        async def discover() -> list[Any]:
            await self._peer.discover_services([UUID(SERVICE_UUID)])
            services = self._peer.get_services_by_uuid(UUID(SERVICE_UUID))
            if services:
                await self._peer.discover_characteristics(service=services[0])
            return services
        try:
            await self._use_bond(timeout)
            # as BlueZ does for bleak: a larger MTU lets the wand batch its IMU stream (16
            # samples a notification instead of 1); the wand answers with what it supports
            await self._gatt("MTU exchange", self._peer.request_mtu(ATT_MTU), timeout)
            services = await self._gatt("service discovery", discover(), timeout)
            if not services:
                raise DeviceError(f"{self.name} ({self.address}) is not a wand: no wand service")
        except BaseException:
            await self.disconnect()
            raise
        by_uuid = {str(c.uuid).lower(): c for c in services[0].characteristics}
        self._chars = {ch: by_uuid[u] for ch, u in CHARACTERISTIC.items() if u in by_uuid}

    async def _use_bond(self, timeout: float) -> None:
        """A wand we bonded with must prove it: encrypt with the stored key before anything
        is read from it. A look-alike at the same address has no key and is refused."""
        if await self._bond() is None:
            return
        try:
            await self._gatt("encryption with the bonded key", self._connection.encrypt(), timeout)
        except DeviceError as e:
            raise DeviceError(f"{e}: not the wand you paired, or it lost its bond (pair again with "
                              "'wand pair')") from None

    async def _bond(self) -> Any:
        """The stored bonding keys of the connected wand, if any."""
        keystore = getattr(self.device, "keystore", None)
        if keystore is None or self._connection is None:
            return None
        peers = {self._connection.peer_address.to_string(False), self._link_address.split("/")[0]}
        for name, keys in await keystore.get_all():
            if name.split("/")[0] in peers:
                return keys
        return None

    async def _gatt(self, what: str, op: Any, timeout: float | None = None) -> Any:
        """One GATT exchange raced against the link dropping: bumble waits 30 s for the
        answer to a request sent as the link went down; we stop at once."""
        work = asyncio.ensure_future(op)
        dropped = self._dropped
        try:
            done, _ = await asyncio.wait({work, dropped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not work.done():
                work.cancel()
        if work not in done:
            why = "disconnected" if dropped.done() else f"no answer in {timeout:g} s"
            raise DeviceError(f"{self.name} ({self.address}): {why} during {what}")
        try:
            return work.result()
        except asyncio.CancelledError:  # bumble cancels its pending request when the link drops
            raise DeviceError(f"{self.name} ({self.address}): disconnected during {what}") from None
        except DeviceError:
            raise
        except Exception as e:
            raise DeviceError(f"{self.name} ({self.address}): {what} failed: {type(e).__name__}: {e}") from None

    def _on_disconnection(self, *_: Any) -> None:
        self._connection = None
        self._disconnected()

    async def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.disconnect()
            except Exception:  # already gone
                pass

    async def pair(self) -> str:
        """LE Secure Connections pairing with bonding (bumble's default config)."""
        if self._connection is None:
            raise DeviceError(f"wand {self.name} is not connected")
        await self._gatt("pairing", self._connection.pair())
        bond = await self._bond()
        if bond is None:
            return "paired"
        # bumble files the keys under the wand's identity address but looks them up under
        # the address the link uses; file them under both so the next link can encrypt
        await self.device.keystore.update(self._link_address, bond)
        return "bonded"

    def _char(self, channel: Channel) -> Any:
        if self._connection is None or self._dropped is None or self._dropped.done():
            raise DeviceError(f"wand {self.name} is not connected")
        try:
            return self._chars[channel]
        except KeyError:
            raise DeviceError(f"{self.name}: no {channel.value} characteristic: is the firmware up to date?") from None

    async def start_notify(self, channel: Channel, callback: Notify) -> None:
        char = self._char(channel)
        await self._gatt("subscribe", self._peer.subscribe(char, lambda value: callback(bytes(value))))

    async def read(self, channel: Channel) -> bytes:
        return bytes(await self._gatt("read", self._peer.read_value(self._char(channel))))

    async def write(self, channel: Channel, data: bytes) -> None:
        await self._gatt("write", self._peer.write_value(self._char(channel), data, with_response=True))


def _reraise_if_cancelled() -> None:
    """A CancelledError meant for this task (stop) goes on; bumble's own is a link error."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def scan(device: Any, timeout: float = 5.0) -> list[FoundWand]:
    """Wands advertising the wand service, heard by a powered-on bumble ``Device``."""
    from bumble.core import UUID, AdvertisingData

    heard: dict[str, FoundWand] = {}

    def on_advertisement(adv: Any) -> None:
        uuids = adv.data.get(AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS) or []
        if UUID(SERVICE_UUID) not in uuids:
            return
        name = adv.data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or "wand"
        heard[str(adv.address)] = FoundWand(clean_name(name), str(adv.address), adv.rssi, "bumble")
    device.on("advertisement", on_advertisement)
    try:
        await device.start_scanning(filter_duplicates=False)
        await asyncio.sleep(timeout)
        await device.stop_scanning()
    except Exception as e:
        raise DeviceError(f"scan over bumble: {type(e).__name__}: {e}") from None
    finally:
        device.remove_listener("advertisement", on_advertisement)
    return sorted(heard.values(), key=lambda w: -(w.rssi if w.rssi is not None else -999))


async def open_device(spec: str) -> Any:
    """A powered-on bumble central on the HCI transport ``spec`` (e.g. ``usb:0``)."""
    from bumble.device import Device
    from bumble.hci import Address
    from bumble.transport import open_transport

    try:
        transport = await open_transport(spec)
    except Exception as e:
        raise DeviceError(f"bumble transport {spec!r}: {type(e).__name__}: {e}: plug in the HCI dongle, check "
                          "its permissions, or pass another --wand bumble:SPEC") from None
    from bumble.keys import JsonKeyStore

    from ..paths import bumble_keys_file

    device = Device.with_hci("wand-host", Address("F0:F0:F0:F0:F0:F0"), transport.source, transport.sink)
    await device.power_on()
    keys = bumble_keys_file()
    keys.parent.mkdir(parents=True, exist_ok=True)
    device.keystore = JsonKeyStore.from_device(device, str(keys))  # bonds outlive this process
    return device
