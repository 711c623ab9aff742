"""A simulated wand as a real BLE GATT peripheral (bumble): the firmware's service layout.

With bumble's LocalLink it talks to a central in the same process (tests); with an HCI
transport (a USB dongle) it is a wand in the air that any host, phone or daemon can
connect to, which is how the daemon can be tried against "a wand" without one.
"""

from __future__ import annotations

import asyncio
import logging

from ..protocol import (
    CONFIG_CHAR_UUID, EVENT_CHAR_UUID, IMU_CHAR_UUID, IMU_HEADER, IMU_MAX_SAMPLES, IMU_SAMPLE_BYTES, SERVICE_UUID,
    STATUS_CHAR_UUID,
)
from .. import hid
from .device import SimulatedWand

log = logging.getLogger("wand.peripheral")


class WandPeripheral:
    """Registers the wand service on a bumble ``Device`` and bridges it to a SimulatedWand."""

    def __init__(self, device, wand: SimulatedWand) -> None:
        from bumble.gatt import Characteristic, CharacteristicValue, Service

        self.device, self.wand = device, wand
        notify, read = Characteristic.Properties.NOTIFY, Characteristic.Properties.READ
        self.event = Characteristic(EVENT_CHAR_UUID, notify, Characteristic.READABLE, b"")
        self.imu = Characteristic(IMU_CHAR_UUID, notify, Characteristic.READABLE, b"")
        self.config = Characteristic(CONFIG_CHAR_UUID, read | Characteristic.Properties.WRITE,
                                     Characteristic.READABLE | Characteristic.WRITEABLE,
                                     CharacteristicValue(read=lambda c: wand.read(CONFIG_CHAR_UUID),
                                                         write=lambda c, v: wand.write(CONFIG_CHAR_UUID, bytes(v))))
        self.status = Characteristic(STATUS_CHAR_UUID, read | notify, Characteristic.READABLE,
                                     CharacteristicValue(read=lambda c: wand.read(STATUS_CHAR_UUID)))
        self.hid_table = Characteristic(hid.HID_TABLE_CHAR_UUID, read | Characteristic.Properties.WRITE,
                                        Characteristic.READABLE | Characteristic.WRITEABLE,
                                        CharacteristicValue(read=lambda c: wand.read(hid.HID_TABLE_CHAR_UUID),
                                                            write=lambda c, v: wand.write(hid.HID_TABLE_CHAR_UUID, bytes(v))))
        device.add_service(Service(SERVICE_UUID, [self.event, self.imu, self.config, self.status, self.hid_table]))
        self.reports = self._add_hid_services(device)
        self._outbox: asyncio.Queue[tuple[object, bytes, tuple[object, ...]]] = asyncio.Queue()
        self._sender: asyncio.Task | None = None
        self.event.on("subscription", lambda bearer, on, _ind: self._subscribed(bearer, self.event, EVENT_CHAR_UUID, on))
        self.imu.on("subscription", lambda bearer, on, _ind: self._subscribed(bearer, self.imu, IMU_CHAR_UUID, on))
        device.on("connection", self._on_connection)

    def _add_hid_services(self, device) -> dict[int, object]:
        """HID over GATT as the firmware serves it (hid_service.h): the HID service with its
        report map and one input report characteristic per report id, plus the battery and
        device information services a HID host expects. Reports need an encrypted (bonded) link."""
        from bumble import gatt
        from bumble.profiles.battery_service import BatteryService
        from bumble.profiles.device_information_service import DeviceInformationService

        enc_read = gatt.Characteristic.READ_REQUIRES_ENCRYPTION
        props = gatt.Characteristic.Properties
        reports = {rid: gatt.Characteristic(
            gatt.GATT_REPORT_CHARACTERISTIC, props.READ | props.NOTIFY, enc_read, bytes(size),
            [gatt.Descriptor(gatt.GATT_REPORT_REFERENCE_DESCRIPTOR, gatt.Descriptor.READABLE, bytes([rid, 0x01]))])
            for rid, size in hid.REPORT_SIZES.items()}
        device.add_service(gatt.Service(gatt.GATT_HUMAN_INTERFACE_DEVICE_SERVICE, [
            gatt.Characteristic(gatt.GATT_HID_INFORMATION_CHARACTERISTIC, props.READ, gatt.Characteristic.READABLE,
                                hid.HID_INFORMATION),
            gatt.Characteristic(gatt.GATT_REPORT_MAP_CHARACTERISTIC, props.READ, enc_read, hid.REPORT_MAP),
            gatt.Characteristic(gatt.GATT_HID_CONTROL_POINT_CHARACTERISTIC, props.WRITE_WITHOUT_RESPONSE,
                                gatt.Characteristic.WRITEABLE, bytes(1)),
            gatt.Characteristic(gatt.GATT_PROTOCOL_MODE_CHARACTERISTIC, props.READ | props.WRITE_WITHOUT_RESPONSE,
                                gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE,
                                bytes([hid.PROTOCOL_MODE_REPORT])),
            *reports.values()]))
        # No fuel gauge on the board: the level a USB- or battery-powered wand reports is 100
        # unless wand_config.h names a battery pin (then the measured percentage).
        device.add_service(BatteryService(lambda _c: 100 if self.wand.battery_percent > 100 else self.wand.battery_percent))
        device.add_service(DeviceInformationService(manufacturer_name="magic wand", model_number="Nano 33 BLE Sense"))
        self.wand.on_hid_report.append(lambda r: self._queue(reports[r[0]], r[1:]))
        return reports

    def _queue(self, characteristic, data: bytes) -> None:
        # Like the firmware's writeValue: for the links up now, not for one that comes later.
        self._outbox.put_nowait((characteristic, data, tuple(self.device.connections.values())))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send())

    def _on_connection(self, connection) -> None:
        self._fit_imu_batch(connection.att_mtu)
        connection.on("connection_att_mtu_update", lambda: self._fit_imu_batch(connection.att_mtu))
        connection.on("disconnection", lambda *_: self.wand.unsubscribe_all())

    def _fit_imu_batch(self, mtu: int) -> None:
        """As many IMU samples per notification as the link's MTU fits (the firmware's
        FitImuBatch): more would be cut short by the ATT layer."""
        fit = (mtu - 3 - IMU_HEADER.size) // IMU_SAMPLE_BYTES
        self.wand.core.imu_batch = max(1, min(IMU_MAX_SAMPLES, fit))

    def _live(self, link) -> bool:
        return self.device.connections.get(getattr(link, "handle", None)) is link

    def _subscribed(self, bearer, characteristic, uuid: str, on: bool) -> None:
        # bumble handles an ATT write in a task: a CCCD write can land after its link's
        # disconnection was handled. The firmware has no link then (nothing to re-send to),
        # so a subscription from a link that is gone subscribes nothing.
        if on and self._live(bearer):
            # Subscribing to events makes the wand re-send its held packets, as the firmware
            # does; they go out from the sender, after the write's response (its loop()).
            self.wand.subscribe(uuid, lambda data: self._queue(characteristic, data))
        elif on:
            log.debug("subscription from link 0x%04x after it dropped: ignored", bearer.handle)

    async def _send(self) -> None:
        """One sender keeps notifications in the order the wand produced them. Each goes to
        the links that were up when it was queued and still are, if subscribed: not via
        bumble's notify_subscribers, which also notifies a gone link that a late CCCD write
        put back in its table (its handle reused by the next link: copies before it subscribed)."""
        while True:
            characteristic, data, links = await self._outbox.get()
            for link in links:
                if not self._live(link):
                    continue  # dropped meanwhile: the wand re-sends its held packets on the next subscribe
                try:
                    await self.device.notify_subscriber(link, characteristic, data)
                except Exception as e:  # a link that dropped mid-send
                    log.debug("notify failed: %s", e)

    async def advertise(self, interval_ms: float = 100.0) -> None:
        """Connectable advertising with the wand service, restarted after each disconnect
        (100 ms: ArduinoBLE's default interval, which the firmware keeps)."""
        from bumble.core import AdvertisingData, UUID

        data = AdvertisingData([
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.wand.name.encode()),
            (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, bytes(UUID(SERVICE_UUID))),
        ])
        self.device.advertising_data = bytes(data)
        # HID hosts (TVs, phones) look for the HID service and a keyboard appearance
        self.device.scan_response_data = bytes(AdvertisingData([
            (AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, bytes(UUID.from_16_bits(0x1812))),
            (AdvertisingData.APPEARANCE, (0x03C1).to_bytes(2, "little")),  # HID keyboard
        ]))
        await self.device.start_advertising(auto_restart=True, advertising_interval_min=interval_ms,
                                            advertising_interval_max=interval_ms)
