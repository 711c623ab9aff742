"""The wand's HID report builder and mapping table (mirror of wand_core/hid.{h,cc}).

Stand-alone mode: an event packet the core sends (a gesture or a drawn character) is
looked up in the mapping table ``wand config push`` wrote, and each matching step becomes
a press report and, for keys, buttons and media keys, a release. The table arrives in
chunks (BEGIN, CHUNKs, COMMIT) and is used only when it checks out whole: its length,
magic, version, every entry, its CRC-32 and the model it was made for; a bad table is
refused and the one in use stays. Layout: ``wand/hid.py`` (generated into hid_map.h).
"""

from __future__ import annotations

import struct
import zlib

from ..hid import (
    HID_BEGIN, HID_CHUNK_HEADER, HID_COMMIT, HID_RESULTS, HID_STATE, PKT_HID_BEGIN, PKT_HID_CHUNK, PKT_HID_COMMIT,
    REPORT_CONSUMER, REPORT_KEYBOARD, REPORT_MOUSE, REPORT_SIZES, SOURCE_GESTURE, SOURCE_STROKE, TABLE_CRC,
    TABLE_ENTRY, TABLE_HEADER, TABLE_MAGIC, TABLE_MAX_BYTES, TABLE_MAX_ENTRIES, TABLE_VERSION,
)
from ..protocol import GESTURE_LAYOUT, GESTURE_UNKNOWN, PKT_GESTURE, PKT_STROKE, STROKE_LAYOUT, STROKE_UNKNOWN

OK, NO_TABLE, BAD_LENGTH, BAD_CRC, BAD_VERSION, BAD_ENTRY, OTHER_MODEL, INCOMPLETE = range(len(HID_RESULTS))
KEYBOARD_USAGE_MAX = 0x73  # the report map's logical maximum
CONSUMER_USAGE_MAX = 0x3FF
_GESTURE_ID = GESTURE_LAYOUT.offset("gesture_id")
_STROKE_ID = STROKE_LAYOUT.offset("char_id")
_COUNT = struct.calcsize("<2sB")  # the entry count follows magic and version


def validate(table: bytes, model_crc32: int) -> int:
    """A whole table -> OK or why it is refused (the result codes of HID_RESULTS)."""
    n = len(table)
    if n < TABLE_HEADER.size + TABLE_CRC.size or n > TABLE_MAX_BYTES:
        return BAD_LENGTH
    magic, version, count, crc = TABLE_HEADER.unpack_from(table)
    if magic != TABLE_MAGIC or version != TABLE_VERSION:
        return BAD_VERSION
    body = TABLE_HEADER.size + count * TABLE_ENTRY.size
    if count > TABLE_MAX_ENTRIES or n != body + TABLE_CRC.size:
        return BAD_LENGTH
    if TABLE_CRC.unpack_from(table, body)[0] != zlib.crc32(table[:body]):
        return BAD_CRC
    for i in range(count):
        if not _entry_ok(TABLE_ENTRY.unpack_from(table, TABLE_HEADER.size + i * TABLE_ENTRY.size)):
            return BAD_ENTRY
    return OK if crc == model_crc32 else OTHER_MODEL


def _entry_ok(e: tuple[int, ...]) -> bool:
    source, _, report, mods, usage, dx, dy, wheel = e
    if source not in (SOURCE_GESTURE, SOURCE_STROKE) or min(dx, dy, wheel) < -127:
        return False
    if report == REPORT_KEYBOARD:
        return usage <= KEYBOARD_USAGE_MAX and dx == dy == wheel == 0
    if report == REPORT_CONSUMER:
        return usage <= CONSUMER_USAGE_MAX and mods == 0 and dx == dy == wheel == 0
    if report == REPORT_MOUSE:
        return usage == 0 and mods <= 0x07
    return False


def _reports(e: tuple[int, ...]) -> list[bytes]:
    """One step -> its press report (and release), each [report id, payload...]."""
    _, _, report, mods, usage, dx, dy, wheel = e
    if report == REPORT_KEYBOARD:
        return [bytes([report, mods, 0, usage, 0, 0, 0, 0, 0]), bytes([report] + [0] * REPORT_SIZES[report])]
    if report == REPORT_CONSUMER:
        return [bytes([report, usage & 0xFF, usage >> 8]), bytes([report, 0, 0])]
    press = bytes([report, mods]) + struct.pack("<bbb", dx, dy, wheel)
    return [press, bytes([report, 0, 0, 0, 0])] if mods else [press]


class HidCore:
    """Table in flash, table being written, reports out."""

    def __init__(self, model_crc32: int) -> None:
        self.model_crc32 = model_crc32
        self.table = b""  # the table in use (validated)
        self.result = NO_TABLE
        self._incoming = bytearray()
        self._expected = -1  # length announced by BEGIN; -1: no write under way
        self._received: set[int] = set()  # offsets written, so a missing chunk is "incomplete"

    def load(self, stored: bytes) -> bool:
        """At boot: the table kept in flash, used only if it still checks out."""
        self.result = validate(stored, self.model_crc32) if stored else NO_TABLE
        self.table = bytes(stored) if self.result == OK else b""
        return self.result == OK

    def write(self, data: bytes) -> bytes | None:
        """A write to the HID-table characteristic; returns the table to keep in flash
        when a commit succeeded (the firmware writes it to its flash page), else None."""
        data = bytes(data)
        if not data:
            return None
        kind = data[0]
        if kind == PKT_HID_BEGIN and len(data) == HID_BEGIN.size:
            _, total = HID_BEGIN.unpack(data)
            ok = total <= TABLE_MAX_BYTES
            self._expected = total if ok else -1
            self._incoming = bytearray(total if ok else 0)
            self._received = set()
            if not ok:
                self.result = BAD_LENGTH
        elif kind == PKT_HID_CHUNK and len(data) > HID_CHUNK_HEADER.size and self._expected >= 0:
            _, offset = HID_CHUNK_HEADER.unpack_from(data)
            chunk = data[HID_CHUNK_HEADER.size:]
            if offset + len(chunk) > self._expected:
                self._expected, self.result = -1, BAD_LENGTH
            else:
                self._incoming[offset:offset + len(chunk)] = chunk
                self._received.update(range(offset, offset + len(chunk)))
        elif kind == PKT_HID_COMMIT and len(data) == HID_COMMIT.size:
            return self._commit(HID_COMMIT.unpack(data)[1])
        return None

    def _commit(self, crc: int) -> bytes | None:
        if self._expected < 0 or len(self._received) != self._expected:
            self.result = INCOMPLETE
        elif zlib.crc32(bytes(self._incoming)) != crc:
            self.result = BAD_CRC
        else:
            self.result = validate(bytes(self._incoming), self.model_crc32)
        self._expected = -1
        if self.result != OK:
            return None
        self.table = bytes(self._incoming)
        return self.table

    def state(self) -> bytes:
        count = self.table[_COUNT] if self.table else 0
        crc = TABLE_CRC.unpack_from(self.table, len(self.table) - TABLE_CRC.size)[0] if self.table else 0
        return HID_STATE.pack(PKT_HID_COMMIT, self.result, count, crc)

    def on_event(self, packet: bytes) -> list[bytes]:
        """An event packet the core sent -> the HID reports the table says, in order."""
        if not self.table or not packet:
            return []
        if packet[0] == PKT_GESTURE and len(packet) > _GESTURE_ID and packet[_GESTURE_ID] != GESTURE_UNKNOWN:
            key = (SOURCE_GESTURE, packet[_GESTURE_ID])
        elif packet[0] == PKT_STROKE and len(packet) > _STROKE_ID and packet[_STROKE_ID] != STROKE_UNKNOWN:
            key = (SOURCE_STROKE, packet[_STROKE_ID])
        else:
            return []
        out: list[bytes] = []
        count = self.table[_COUNT]
        for i in range(count):
            e = TABLE_ENTRY.unpack_from(self.table, TABLE_HEADER.size + i * TABLE_ENTRY.size)
            if (e[0], e[1]) == key:
                out += _reports(e)
        return out
