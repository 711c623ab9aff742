"""Stand-alone mode: the wand as a Bluetooth LE keyboard, TV remote and mouse (HID over GATT).

Defined once here and generated for the firmware (``python -m wand.hid`` writes
``firmware/magic_wand/src/wand_core/hid_map.h``; tests/test_hid.py checks it is current):

- the report map the wand's HID service (0x1812) serves: report 1 a boot-style keyboard
  (modifiers, reserved, six keys), report 2 consumer control (one 16-bit usage: volume,
  mute, play/pause, channel up/down, menu/home/back, what TV remotes send), report 3 a
  relative mouse (three buttons, x, y, wheel);
- the mapping table ``wand config push`` writes to the wand: which reports a gesture or a
  drawn character sends, so the wand acts with no computer at all. Compact, versioned,
  tied to the model it was made for, checked by CRC-32, kept in flash by the firmware;
- which config actions can run on the wand (``wand config push --check``) and why the
  others cannot.

The report builder itself runs in the wand's core (``wand/wand_core/hid.py`` and its C++
twin): an event packet in, press and release reports out.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Iterable

from .characters import STROKE_LABELS, index as char_index

# --- the report map -------------------------------------------------------------------
REPORT_KEYBOARD = 1
REPORT_CONSUMER = 2
REPORT_MOUSE = 3
REPORT_SIZES = {REPORT_KEYBOARD: 8, REPORT_CONSUMER: 2, REPORT_MOUSE: 4}  # bytes after the report id

REPORT_MAP = bytes([
    # Keyboard (report 1): 8 modifier bits, a reserved byte, 6 key slots
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x85, REPORT_KEYBOARD,
    0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01,
    0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x73, 0x05, 0x07, 0x19, 0x00, 0x29, 0x73, 0x81, 0x00,
    0xC0,
    # Consumer control (report 2): one usage, 0..0x3FF
    0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x85, REPORT_CONSUMER,
    0x15, 0x00, 0x26, 0xFF, 0x03, 0x19, 0x00, 0x2A, 0xFF, 0x03, 0x75, 0x10, 0x95, 0x01, 0x81, 0x00,
    0xC0,
    # Mouse (report 3): 3 buttons, 5 bits padding, relative x, y, wheel
    0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x85, REPORT_MOUSE, 0x09, 0x01, 0xA1, 0x00,
    0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x05, 0x81, 0x01,
    0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x38, 0x15, 0x81, 0x25, 0x7F, 0x75, 0x08, 0x95, 0x03, 0x81, 0x06,
    0xC0, 0xC0,
])

HID_INFORMATION = bytes([0x11, 0x01, 0x00, 0x02])  # HID 1.11, no country, normally connectable
PROTOCOL_MODE_REPORT = 0x01

# Keyboard page (0x07) usages of the keys a config names (keyboard.SPECIAL_KEYS names).
KEY_USAGES: dict[str, int] = {
    **{c: 0x04 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")},
    **{c: 0x1E + i for i, c in enumerate("1234567890")},
    "enter": 0x28, "esc": 0x29, "backspace": 0x2A, "tab": 0x2B, "space": 0x2C, " ": 0x2C,
    "-": 0x2D, "=": 0x2E, "[": 0x2F, "]": 0x30, "\\": 0x31, ";": 0x33, "'": 0x34, "`": 0x35, ",": 0x36,
    ".": 0x37, "/": 0x38, "caps_lock": 0x39, **{f"f{i}": 0x3A + i - 1 for i in range(1, 13)},
    "print_screen": 0x46, "scroll_lock": 0x47, "pause": 0x48, "insert": 0x49, "home": 0x4A, "page_up": 0x4B,
    "delete": 0x4C, "end": 0x4D, "page_down": 0x4E, "right": 0x4F, "left": 0x50, "down": 0x51, "up": 0x52,
    "num_lock": 0x53, "menu": 0x65, **{f"f{i}": 0x68 + i - 13 for i in range(13, 21)},
}
# US layout: characters typed with shift
SHIFTED = dict(zip('ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()_+{}|:"~<>?',
                   'abcdefghijklmnopqrstuvwxyz1234567890-=[]\\;\'`,./'))
MODIFIER_BITS = {"ctrl": 0x01, "ctrl_l": 0x01, "shift": 0x02, "shift_l": 0x02, "alt": 0x04, "alt_l": 0x04,
                 "cmd": 0x08, "cmd_l": 0x08, "ctrl_r": 0x10, "shift_r": 0x20, "alt_r": 0x40, "alt_gr": 0x40,
                 "cmd_r": 0x80}
# Consumer page (0x0C) usages: media keys and what TV remotes send.
CONSUMER_USAGES: dict[str, int] = {
    "power": 0x30, "menu": 0x40, "select": 0x41, "up": 0x42, "down": 0x43, "left": 0x44, "right": 0x45,
    "info": 0x60, "channel_up": 0x9C, "channel_down": 0x9D, "play": 0xB0, "pause": 0xB1,
    "fast_forward": 0xB3, "rewind": 0xB4, "next": 0xB5, "previous": 0xB6, "stop": 0xB7, "play_pause": 0xCD,
    "mute": 0xE2, "volume_up": 0xE9, "volume_down": 0xEA, "home": 0x223, "back": 0x224,
}
MEDIA_KEYS = {"media_volume_up": "volume_up", "media_volume_down": "volume_down", "media_volume_mute": "mute",
              "media_play_pause": "play_pause", "media_next": "next", "media_previous": "previous"}
MOUSE_BUTTON_BITS = {"left": 0x01, "right": 0x02, "middle": 0x04}

# --- the mapping table ----------------------------------------------------------------
TABLE_MAGIC = b"WH"
TABLE_VERSION = 1
TABLE_HEADER = struct.Struct("<2sBBI")  # magic, version, entry count, model CRC-32 the ids belong to
TABLE_ENTRY = struct.Struct("<BBBBHbbb")  # source, id, report, modifiers|buttons, usage, dx, dy, wheel
TABLE_CRC = struct.Struct("<I")  # CRC-32 of header + entries
TABLE_MAX_ENTRIES = 48
TABLE_MAX_BYTES = TABLE_HEADER.size + TABLE_MAX_ENTRIES * TABLE_ENTRY.size + TABLE_CRC.size
SOURCE_GESTURE = 0  # id = the on-chip IMU model's class index
SOURCE_STROKE = 1  # id = the stroke vocabulary's index (wand/characters.py)
STEPS_MAX = 8  # reports one gesture may send (e.g. "tv:digits=101" is three key presses)

# Writing the table: BEGIN (total length), CHUNKs at offsets, COMMIT (CRC); reading the
# characteristic gives the state (result of the last commit, entries, CRC in use).
PKT_HID_BEGIN = 0x08
PKT_HID_CHUNK = 0x09
PKT_HID_COMMIT = 0x0A  # written: commit; read: the state
HID_BEGIN = struct.Struct("<BH")
HID_CHUNK_HEADER = struct.Struct("<BH")
HID_CHUNK_DATA_MAX = 17  # fits the 20-byte default ATT payload
HID_COMMIT = struct.Struct("<BI")
HID_STATE = struct.Struct("<BBBI")  # type, result, entries, crc in use
HID_RESULTS = ("ok", "no table", "bad length", "bad crc", "bad version", "bad entry", "made for another model",
               "incomplete")
HID_TABLE_CHAR_UUID = "7a3e0007-5c1f-4b8e-9d2a-6f1e0c3b9a40"


@dataclass(frozen=True)
class Entry:
    source: int
    id: int
    report: int
    mods: int = 0  # keyboard modifiers, or mouse buttons
    usage: int = 0  # keyboard or consumer usage
    dx: int = 0
    dy: int = 0
    wheel: int = 0

    def encode(self) -> bytes:
        return TABLE_ENTRY.pack(self.source, self.id, self.report, self.mods, self.usage, self.dx, self.dy,
                                self.wheel)


@dataclass(frozen=True)
class Table:
    model_crc32: int
    entries: tuple[Entry, ...]

    def encode(self) -> bytes:
        if len(self.entries) > TABLE_MAX_ENTRIES:
            raise ValueError(f"{len(self.entries)} HID steps, the wand keeps at most {TABLE_MAX_ENTRIES}")
        body = TABLE_HEADER.pack(TABLE_MAGIC, TABLE_VERSION, len(self.entries), self.model_crc32)
        body += b"".join(e.encode() for e in self.entries)
        return body + TABLE_CRC.pack(zlib.crc32(body))

    @classmethod
    def decode(cls, data: bytes) -> "Table":
        """The host's reading of a table (the wand's own check is wand_core/hid.py)."""
        magic, version, count, crc = TABLE_HEADER.unpack_from(data)
        if magic != TABLE_MAGIC or version != TABLE_VERSION:
            raise ValueError("not a version-1 wand HID table")
        n = TABLE_HEADER.size + count * TABLE_ENTRY.size
        if len(data) != n + TABLE_CRC.size or TABLE_CRC.unpack_from(data, n)[0] != zlib.crc32(data[:n]):
            raise ValueError("HID table length or CRC is wrong")
        entries = tuple(Entry(*TABLE_ENTRY.unpack_from(data, TABLE_HEADER.size + i * TABLE_ENTRY.size))
                        for i in range(count))
        return cls(crc, entries)


def write_packets(table: bytes) -> list[bytes]:
    """What the host writes to the HID-table characteristic, in order."""
    out = [HID_BEGIN.pack(PKT_HID_BEGIN, len(table))]
    for off in range(0, len(table), HID_CHUNK_DATA_MAX):
        out.append(HID_CHUNK_HEADER.pack(PKT_HID_CHUNK, off) + table[off:off + HID_CHUNK_DATA_MAX])
    out.append(HID_COMMIT.pack(PKT_HID_COMMIT, zlib.crc32(table)))
    return out


def decode_state(data: bytes) -> tuple[str, int, int]:
    """The characteristic's read value -> (result, entries, crc in use)."""
    if len(data) != HID_STATE.size or data[0] != PKT_HID_COMMIT:
        raise ValueError(f"not a HID table state ({bytes(data).hex()})")
    _, result, count, crc = HID_STATE.unpack(data)
    return (HID_RESULTS[result] if result < len(HID_RESULTS) else f"result {result}"), count, crc


# --- config actions -> reports ----------------------------------------------------------
@dataclass(frozen=True)
class Step:
    report: int
    mods: int = 0
    usage: int = 0
    dx: int = 0
    dy: int = 0
    wheel: int = 0


def _key_step(name: str, mods: int = 0) -> Step | None:
    if name in MEDIA_KEYS:
        return Step(REPORT_CONSUMER, usage=CONSUMER_USAGES[MEDIA_KEYS[name]])
    if name in SHIFTED:
        return Step(REPORT_KEYBOARD, mods | MODIFIER_BITS["shift"], KEY_USAGES[SHIFTED[name]])
    if name in KEY_USAGES:
        return Step(REPORT_KEYBOARD, mods, KEY_USAGES[name])
    return None


def _clamp8(v: int) -> int:
    return max(-127, min(127, int(v)))


def steps_for(action) -> tuple[list[Step], str | None]:
    """One config action -> the HID steps the wand would send, or a reason it cannot."""
    k, p = action.kind, action.params
    if k == "key":
        step = _key_step(p["key"])
        return ([step] * min(int(p.get("repeat", 1)), STEPS_MAX), None) if step else ([], f"no HID key for {p['key']!r}")
    if k == "chord":
        *mods, key = p["keys"]
        bits = 0
        for m in mods:
            bits |= MODIFIER_BITS.get(m, 0)
        step = _key_step(key, bits)
        return ([step], None) if step else ([], f"no HID key for {key!r}")
    if k == "text":
        steps = [_key_step(c) for c in p["text"]]
        if None in steps or len(steps) > STEPS_MAX:
            return [], f"text of up to {STEPS_MAX} US-layout characters only"
        return steps, None  # type: ignore[return-value]
    if k == "click":
        return [Step(REPORT_MOUSE, MOUSE_BUTTON_BITS[p["button"]])] * min(int(p.get("count", 1)), STEPS_MAX), None
    if k == "move":
        dx, dy = p["delta"]
        return [Step(REPORT_MOUSE, dx=_clamp8(dx), dy=_clamp8(dy))], None
    if k == "scroll":
        _, dy = p["delta"]
        return [Step(REPORT_MOUSE, wheel=_clamp8(-dy))], None
    if k == "tv":
        command = str(p["command"])
        if command.startswith("digits="):
            digits = command.split("=", 1)[1]
            if len(digits) <= STEPS_MAX and digits.isdigit():
                return [Step(REPORT_KEYBOARD, 0, KEY_USAGES[d]) for d in digits], None
        usage = CONSUMER_USAGES.get({"power_on": "power", "power_off": "power"}.get(command, command))
        if usage is not None:
            return [Step(REPORT_CONSUMER, usage=usage)] * min(int(p.get("repeat", 1)), STEPS_MAX), None
        return [], f"the TV command {command!r} needs the TV's network remote (the daemon)"
    reasons = {"midi.note": "MIDI", "midi.cc": "MIDI", "midi.program": "MIDI", "run": "a program on a computer",
               "mqtt": "an MQTT broker", "osc": "OSC over the network", "pad": "a game pad",
               "pad.axis": "a game pad", "profile": "switching profiles"}
    return [], f"{reasons.get(k, k)} needs the daemon on a computer"


@dataclass(frozen=True)
class PushPlan:
    table: Table
    refused: list[str]  # one line each: what of the profile cannot run on the wand


def plan(profile, gesture_ids: dict[str, int], model_crc32: int) -> PushPlan:
    """A profile -> the wand's table, and a line for each action the wand cannot run alone."""
    entries: list[Entry] = []
    refused: list[str] = []
    for name, actions in profile.gestures.items():
        if name in gesture_ids:
            source, ident = SOURCE_GESTURE, gesture_ids[name]
        elif name in STROKE_LABELS:
            source, ident = SOURCE_STROKE, char_index(name)
        else:
            refused.append(f"{actions[0].where}: {name}: an enrolled gesture is matched by the daemon, not the wand")
            continue
        steps: list[Step] = []
        for action in actions:
            got, why = steps_for(action)
            if why:
                refused.append(f"{action.where}: {name} -> {action.kind}: {why}; it will not run on the wand alone")
            steps += got
        if len(steps) > STEPS_MAX:
            refused.append(f"{actions[0].where}: {name}: {len(steps)} HID steps, the wand sends at most {STEPS_MAX}; "
                           "the first ones are kept")
            steps = steps[:STEPS_MAX]
        entries += [Entry(source, ident, s.report, s.mods, s.usage, s.dx, s.dy, s.wheel) for s in steps]
    if len(entries) > TABLE_MAX_ENTRIES:
        refused.append(f"{len(entries)} HID steps in all: the wand keeps {TABLE_MAX_ENTRIES}; the rest are left out")
        entries = entries[:TABLE_MAX_ENTRIES]
    return PushPlan(Table(model_crc32, tuple(entries)), refused)


# --- the firmware's copy ------------------------------------------------------------------
C_HEADER_PATH = "firmware/magic_wand/src/wand_core/hid_map.h"


def _bytes_c(data: Iterable[int]) -> str:
    data = list(data)
    rows = [", ".join(f"0x{b:02X}" for b in data[i:i + 12]) for i in range(0, len(data), 12)]
    return "    " + ",\n    ".join(rows)


def c_header() -> str:
    """hid_map.h, generated: the report map and the table's layout for the firmware."""
    lines = ["// HID over GATT: report map and mapping-table layout. Generated from wand/hid.py by",
             "// c_header(): do not edit; regenerate with 'python -m wand.hid'. tests/test_hid.py checks it.",
             "#pragma once", "#include <stddef.h>", "#include <stdint.h>", "",
             f'#define WAND_HID_TABLE_CHAR_UUID "{HID_TABLE_CHAR_UUID}"', "", "namespace wand {", ""]
    consts = [("uint8_t", "kHidReportKeyboard", REPORT_KEYBOARD), ("uint8_t", "kHidReportConsumer", REPORT_CONSUMER),
              ("uint8_t", "kHidReportMouse", REPORT_MOUSE),
              ("size_t", "kHidKeyboardReportSize", REPORT_SIZES[REPORT_KEYBOARD]),
              ("size_t", "kHidConsumerReportSize", REPORT_SIZES[REPORT_CONSUMER]),
              ("size_t", "kHidMouseReportSize", REPORT_SIZES[REPORT_MOUSE]),
              ("uint8_t", "kHidTableVersion", TABLE_VERSION), ("uint8_t", "kHidTableMagic0", TABLE_MAGIC[0]),
              ("uint8_t", "kHidTableMagic1", TABLE_MAGIC[1]), ("size_t", "kHidTableHeaderSize", TABLE_HEADER.size),
              ("size_t", "kHidTableEntrySize", TABLE_ENTRY.size), ("size_t", "kHidTableCrcSize", TABLE_CRC.size),
              ("int", "kHidTableMaxEntries", TABLE_MAX_ENTRIES), ("size_t", "kHidTableMaxBytes", TABLE_MAX_BYTES),
              ("uint8_t", "kHidSourceGesture", SOURCE_GESTURE), ("uint8_t", "kHidSourceStroke", SOURCE_STROKE),
              ("uint8_t", "kPacketHidBegin", PKT_HID_BEGIN), ("uint8_t", "kPacketHidChunk", PKT_HID_CHUNK),
              ("uint8_t", "kPacketHidCommit", PKT_HID_COMMIT), ("size_t", "kHidBeginSize", HID_BEGIN.size),
              ("size_t", "kHidChunkHeaderSize", HID_CHUNK_HEADER.size), ("size_t", "kHidChunkDataMax", HID_CHUNK_DATA_MAX),
              ("size_t", "kHidCommitSize", HID_COMMIT.size),
              ("size_t", "kHidStateSize", HID_STATE.size), ("uint8_t", "kProtocolModeReport", PROTOCOL_MODE_REPORT)]
    lines += [f"constexpr {t} {n} = {v};" for t, n, v in consts]
    lines += ["", "// Results of a commit, in HID_RESULTS order."]
    lines += [f"constexpr uint8_t kHid{''.join(w.capitalize() for w in r.split())} = {i};"
              for i, r in enumerate(HID_RESULTS)]
    lines += ["", f"constexpr uint8_t kHidReportMap[{len(REPORT_MAP)}] = {{", _bytes_c(REPORT_MAP), "};",
              f"constexpr uint8_t kHidInformation[{len(HID_INFORMATION)}] = {{", _bytes_c(HID_INFORMATION), "};",
              "", "}  // namespace wand", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m wand.hid: regenerate the firmware header
    from pathlib import Path

    out = Path(__file__).resolve().parent.parent / C_HEADER_PATH
    out.write_text(c_header())
    print(f"wrote {out}")
