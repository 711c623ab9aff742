"""A bleak backend (bleak's own ``backend=`` seam) whose peripherals are simulated wands.

bleak's BleakClient/BleakScanner front ends, their characteristic resolution and
callback wrapping all run for real; only the OS radio layer is replaced.
"""

from __future__ import annotations

from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from wand.protocol import CONFIG_CHAR_UUID, EVENT_CHAR_UUID, IMU_CHAR_UUID, SERVICE_UUID, STATUS_CHAR_UUID

WANDS: dict[str, Any] = {}  # address -> SimulatedWand
RSSI: dict[str, int] = {}
CLIENTS: list["FakeWandClient"] = []
PAIRED: set[str] = set()  # addresses bonded through pair()


def _services() -> BleakGATTServiceCollection:
    coll = BleakGATTServiceCollection()
    svc = BleakGATTService(None, 1, SERVICE_UUID)
    coll.add_service(svc)
    props = {EVENT_CHAR_UUID: ["notify"], IMU_CHAR_UUID: ["notify"], CONFIG_CHAR_UUID: ["read", "write"],
             STATUS_CHAR_UUID: ["read", "notify"]}
    for handle, (uuid, p) in enumerate(props.items(), start=2):
        ch = BleakGATTCharacteristic(None, handle, uuid, p, lambda: 20, svc)
        coll.add_characteristic(ch)
    return coll


class FakeWandClient(BaseBleakClient):
    def __init__(self, address_or_ble_device, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=kwargs.get("disconnected_callback"),
                         timeout=kwargs.get("timeout", 10.0))
        self._connected = False
        CLIENTS.append(self)

    @property
    def name(self) -> str:
        return WANDS[self.address].name

    @property
    def mtu_size(self) -> int:
        return 23

    @property
    def wand(self):
        if self.address not in WANDS:
            raise BleakError(f"Device with address {self.address} was not found.")
        return WANDS[self.address]

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        self.wand  # noqa: B018 - raises when no such wand
        self.services = _services()
        self._connected = True

    async def disconnect(self) -> None:
        if self._connected:
            self._connected = False
            self.wand.unsubscribe_all()

    def radio_lost(self) -> None:
        """The wand went out of range: what BlueZ reports as an unsolicited disconnect."""
        self._connected = False
        self.wand.unsubscribe_all()
        if self._disconnected_callback:
            self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        if not self._connected:
            raise BleakError("Not connected")
        PAIRED.add(self.address)

    async def unpair(self) -> None:
        raise BleakError("pairing is not needed")

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray(self.wand.read(characteristic.uuid))

    async def read_gatt_descriptor(self, handle: int, **kwargs: Any) -> bytearray:
        raise BleakError("no descriptors")

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data, response: bool) -> None:
        self.wand.write(characteristic.uuid, bytes(data))

    async def write_gatt_descriptor(self, descriptor, data) -> None:
        raise BleakError("no descriptors")

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback, **kwargs: Any) -> None:
        self.wand.subscribe(characteristic.uuid, lambda data: callback(bytearray(data)))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self.wand.unsubscribe_all()


class FakeScanner(BaseBleakScanner):
    def __init__(self, detection_callback, service_uuids, scanning_mode=None, **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        self.seen_devices = {}
        for address, wand in WANDS.items():
            adv = AdvertisementData(local_name=wand.name, manufacturer_data={}, service_data={},
                                    service_uuids=[SERVICE_UUID], tx_power=None, rssi=RSSI.get(address, -60),
                                    platform_data=())
            if self.is_allowed_uuid(adv.service_uuids):
                device = self.create_or_update_device(address, address, wand.name, None, adv)
                self.call_detection_callbacks(device, adv)

    async def stop(self) -> None:
        pass


class NoDbusScanner(FakeScanner):
    """What bleak's BlueZ backend does on a machine without D-Bus."""

    async def start(self) -> None:
        raise FileNotFoundError(2, "No such file or directory")
