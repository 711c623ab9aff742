"""The wand's GATT layout: which characteristic carries which channel.

Only the GATT backends (bleak, bumble) and the simulator's GATT-like face use this.
"""

from __future__ import annotations

from ..hid import HID_TABLE_CHAR_UUID
from ..protocol import CONFIG_CHAR_UUID, EVENT_CHAR_UUID, IMU_CHAR_UUID, SERVICE_UUID, STATUS_CHAR_UUID
from .base import Channel

CHARACTERISTIC: dict[Channel, str] = {
    Channel.EVENT: EVENT_CHAR_UUID,
    Channel.IMU: IMU_CHAR_UUID,
    Channel.CONFIG: CONFIG_CHAR_UUID,
    Channel.STATUS: STATUS_CHAR_UUID,
    Channel.HID_TABLE: HID_TABLE_CHAR_UUID,
}
__all__ = ["CHARACTERISTIC", "SERVICE_UUID"]
