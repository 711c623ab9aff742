"""The wand's BLE wire protocol, defined once.

``firmware/magic_wand/src/wand_core/protocol.h`` is generated from this module
(``c_header()``; regenerate with ``python -m wand.protocol``) and
``tests/test_protocol.py`` fails if the checked-in header differs from it.
All multi-byte fields are little-endian (the nRF52840 is little-endian, so the
firmware can memcpy them).

GATT layout (one service, four characteristics):

=========  ======================  ====================================================
char       properties              payload
=========  ======================  ====================================================
event      notify                  GesturePacket: one recognised (or unknown) gesture;
                                   StrokePacket: one character drawn in the air
imu        notify                  ImuPacket: raw samples, only while streaming is on
config     read, write             ConfigPacket: spotting parameters, stream on/off;
                                   StrokeConfigPacket: the stroke spotter (by type byte)
status     read, notify            StatusPacket: board, battery, rate, model id
=========  ======================  ====================================================
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .characters import STROKE_LABELS
from .errors import PacketError

PROTOCOL_VERSION = 1

# 128-bit UUIDs share one random base; only the first group differs.
SERVICE_UUID = "7a3e0001-5c1f-4b8e-9d2a-6f1e0c3b9a40"
EVENT_CHAR_UUID = "7a3e0002-5c1f-4b8e-9d2a-6f1e0c3b9a40"
IMU_CHAR_UUID = "7a3e0003-5c1f-4b8e-9d2a-6f1e0c3b9a40"
CONFIG_CHAR_UUID = "7a3e0004-5c1f-4b8e-9d2a-6f1e0c3b9a40"
STATUS_CHAR_UUID = "7a3e0005-5c1f-4b8e-9d2a-6f1e0c3b9a40"

# First byte of every packet: what it is.
PKT_GESTURE = 0x01
PKT_IMU = 0x02
PKT_CONFIG = 0x03
PKT_STATUS = 0x04
PKT_STROKE = 0x05  # a character drawn in the air (issue 19)
PKT_STROKE_CONFIG = 0x06  # the stroke spotter's settings, written to the config characteristic

GESTURE_UNKNOWN = 0xFF  # motion the on-chip model did not recognise; embedding only
EMBEDDING_MAX = 8  # int8 values; keeps a gesture packet within the default 20-byte ATT payload
ATT_DEFAULT_PAYLOAD = 20  # 23-byte default MTU minus the 3-byte ATT header
EVENT_QUEUE_LEN = 8  # gesture packets the wand keeps and re-sends on (re)connect

# Raw IMU units on the wire and in recordings: mg and deci-degrees/s as int16.
ACC_UNIT_MG = 1
GYRO_UNIT_DDPS = 1  # 0.1 deg/s: +-3276 deg/s covers the LSM9DS1/BMI270 +-2000 dps range
IMU_SAMPLE_BYTES = 12
IMU_MAX_SAMPLES = 16  # per packet, when a larger MTU was negotiated

BOARD_UNKNOWN = 0
BOARD_NANO33_REV1 = 1  # LSM9DS1
BOARD_NANO33_REV2 = 2  # BMI270 + BMM150
BATTERY_UNKNOWN = 0xFF

CONFIG_FLAG_STREAM_IMU = 0x01
CONFIG_FLAG_SEND_UNKNOWN = 0x02
CONFIG_FLAG_LED = 0x04
CONFIG_FLAG_IMU_EACH_SAMPLE = 0x08  # one IMU sample per notification whatever the MTU: continuous
# control (issue 21) wants each sample at once; batching up to 16 would hold the first for 300 ms
STROKE_CHARACTERS = len(STROKE_LABELS)  # stroke model outputs from here on are not characters ("other")
# The least summed probability (0..255) the ACTIVE characters need for a stroke to be read: a
# letter drawn in a digits profile, which the model gives the digits almost nothing of, is not read
# as the digit that happens to hold most of that little. Chosen on validation people
# (training/studies/read_rule_study.py: the largest floor costing no active set more than 1.5 points).
STROKE_MIN_ACTIVE_MASS = 8
# A drawing turns the wand ACROSS its long axis (the tip draws); a twist about that axis (a
# forearm turning a key, a cup, a page) moves the tip nowhere. The most of a stroke's turning
# (summed |gyro|, in 256ths) that may be about the long axis: over it the spotter drops the
# stroke as a twist, not a drawing. Chosen on validation people's real wand tries and everyday
# motion (training/studies/twist_study.py); 256 would turn the rule off.
STROKE_MAX_ROLL_SHARE = 102
# The same for the built-in gestures (all drawn with the tip: diagonal, circle, push): a capture
# turning more of its summed |gyro| (256ths, onset to decision) about the long axis is sent as
# unknown (the host may still match it to an enrolled gesture). Everyday motion's false
# push_forwards roll the forearm. Chosen in training/studies/twist_study.py; 256: off.
GESTURE_MAX_ROLL_SHARE = 90
STROKE_UNKNOWN = 0xFF  # a stroke no active character passed the threshold for; runner-up slot unused
STROKE_FLAG_ENABLED = 0x01  # the stroke spotter runs (beside the IMU gesture spotter)
# One event per drawing (issue 19): a gesture the IMU spotter decides while a stroke is drawn
# (or whose capture overlapped it) is dropped if the stroke reads as an active character.
# Clear: both are sent, as before the arbitration.
STROKE_FLAG_CHARACTERS_FIRST = 0x02
STROKE_FLAGS_MASK = 0x03
# over_gesture (a score, in steps of 4) shares the flags byte: 20 bytes still fit one default ATT write
STROKE_OVER_GESTURE_MASK = 0xFC
STATUS_FLAG_STREAMING = 0x01
STATUS_FLAG_LOW_BATTERY = 0x02

PACKET_TYPE_OFFSET = 0  # every packet starts with its type byte


@dataclass(frozen=True)
class Layout:
    """The fixed part of a packet: (field, struct code) in wire order, little-endian.

    Offsets, sizes and struct formats all come from here, in Python and (generated) in C++.
    """

    c_name: str  # C++ prefix: kGestureSeqOffset, ...
    fields: tuple[tuple[str, str], ...]

    @property
    def struct(self) -> struct.Struct:
        return struct.Struct("<" + "".join(code for _, code in self.fields))

    def offset(self, name: str) -> int:
        codes = ""
        for field_name, code in self.fields:
            if field_name == name:
                return struct.calcsize("<" + codes)
            codes += code
        raise KeyError(name)


GESTURE_LAYOUT = Layout("Gesture", (("type", "B"), ("seq", "H"), ("gesture_id", "B"), ("confidence", "B"),
                                    ("strength", "B"), ("timestamp_ms", "I"), ("embedding_len", "B")))
IMU_LAYOUT = Layout("Imu", (("type", "B"), ("first_seq", "H"), ("count", "B")))
CONFIG_LAYOUT = Layout("Config", (("type", "B"), ("version", "B"), ("threshold", "B"), ("agree", "B"),
                                  ("cooldown_ms", "H"), ("acc_gate_mg", "H"), ("gyro_gate_ddps", "H"),
                                  ("gyro_quiet_ddps", "H"), ("quiet_samples", "B"),
                                  ("max_inferences_flags", "B")))
# imu_dropped (added in the firmware that samples from the IMU FIFO) is the last field; a
# 16-byte status from older firmware decodes with imu_dropped = 0.
STATUS_LAYOUT = Layout("Status", (("type", "B"), ("version", "B"), ("board", "B"), ("battery_percent", "B"),
                                  ("flags", "B"), ("imu_rate_hz", "H"), ("model_crc32", "I"), ("num_classes", "B"),
                                  ("uptime_ms", "I"), ("imu_dropped", "I")))
STATUS_V1_SIZE = STATUS_LAYOUT.offset("imu_dropped")
# seq is the gesture packets' counter: one event sequence, so the host de-dups both alike.
STROKE_LAYOUT = Layout("Stroke", (("type", "B"), ("seq", "H"), ("char_id", "B"), ("confidence", "B"),
                                  ("second_id", "B"), ("second_score", "B"), ("third_id", "B"),
                                  ("third_score", "B"), ("timestamp_ms", "I"), ("samples", "H"),
                                  ("strength", "B")))
STROKE_CONFIG_LAYOUT = Layout("StrokeConfig", (("type", "B"), ("version", "B"), ("flags_over_gesture", "B"),
                                               ("threshold", "B"), ("active_mask", "Q"), ("rest_dps", "B"),
                                               ("start_dps", "B"), ("rest_samples", "B"), ("end_samples", "B"),
                                               ("min_samples", "B"), ("max_samples", "B"),
                                               ("min_extent_deg", "B"), ("min_character_mass", "B")))
CONFIG_MAX_INFERENCES_SHIFT = 4  # max_inferences in the high nibble of the last config byte
CONFIG_FLAGS_MASK = 0x0F  # flags in the low nibble

# struct formats (header part only for variable-length packets)
GESTURE_HEADER = GESTURE_LAYOUT.struct  # type seq id confidence strength t_ms emb_len
IMU_HEADER = IMU_LAYOUT.struct  # type first_sample_seq count
IMU_SAMPLE = struct.Struct("<6h")  # ax ay az (mg) gx gy gz (0.1 dps)
CONFIG_FORMAT = CONFIG_LAYOUT.struct
STATUS_FORMAT = STATUS_LAYOUT.struct
STROKE_FORMAT = STROKE_LAYOUT.struct
STROKE_CONFIG_FORMAT = STROKE_CONFIG_LAYOUT.struct

# Config fields: (min, max). Defaults are ConfigPacket's.
CONFIG_LIMITS: dict[str, tuple[int, int]] = {
    "threshold": (1, 255), "agree": (1, 8), "cooldown_ms": (0, 60000), "acc_gate_mg": (1, 16000),
    "gyro_gate_ddps": (1, 60000), "gyro_quiet_ddps": (0, 60000), "quiet_samples": (1, 255),
    "max_inferences": (1, 15), "flags": (0, CONFIG_FLAGS_MASK),
}

# Stroke config fields: (min, max). Defaults are StrokeConfigPacket's. Gyro levels are
# |gx|+|gy|+|gz| in deg/s; samples are model-rate samples (50 Hz: 20 ms each).
STROKE_CONFIG_LIMITS: dict[str, tuple[int, int]] = {
    "flags": (0, STROKE_FLAGS_MASK), "threshold": (0, 255), "active_mask": (0, (1 << 64) - 1),
    "rest_dps": (1, 255), "start_dps": (1, 255), "rest_samples": (1, 255), "end_samples": (1, 255),
    "min_samples": (2, 255), "max_samples": (2, 255), "min_extent_deg": (0, 180), "min_character_mass": (0, 255),
    "over_gesture": (0, STROKE_OVER_GESTURE_MASK),
}


def _check_type(data: bytes, expected: int, name: str) -> None:
    if not data:
        raise PacketError(f"empty {name} packet")
    if data[PACKET_TYPE_OFFSET] != expected:
        raise PacketError(
            f"not a {name} packet: type byte 0x{data[PACKET_TYPE_OFFSET]:02x}, expected 0x{expected:02x} "
            f"(data {data.hex()})"
        )


def _check_length(data: bytes, expected: int, name: str) -> None:
    if len(data) != expected:
        kind = "short" if len(data) < expected else "long"
        raise PacketError(
            f"{kind} {name} packet: {len(data)} bytes, expected {expected} (data {data.hex()})"
        )


@dataclass(frozen=True)
class GesturePacket:
    """One gesture the wand spotted. ``gesture_id`` indexes the model's class list."""

    seq: int
    gesture_id: int
    confidence: int  # 0..255 (softmax probability * 256, saturated)
    strength: int  # 0..255, peak angular rate of the gesture (4 dps per unit)
    timestamp_ms: int  # wand uptime; wraps after 49 days
    embedding: tuple[int, ...] = ()

    def encode(self) -> bytes:
        if len(self.embedding) > EMBEDDING_MAX:
            raise PacketError(f"embedding has {len(self.embedding)} values, at most {EMBEDDING_MAX}")
        head = GESTURE_HEADER.pack(
            PKT_GESTURE, self.seq & 0xFFFF, self.gesture_id, self.confidence,
            self.strength, self.timestamp_ms & 0xFFFFFFFF, len(self.embedding),
        )
        return head + struct.pack(f"<{len(self.embedding)}b", *self.embedding)

    @classmethod
    def decode(cls, data: bytes) -> "GesturePacket":
        data = bytes(data)
        _check_type(data, PKT_GESTURE, "gesture")
        if len(data) < GESTURE_HEADER.size:
            _check_length(data, GESTURE_HEADER.size, "gesture")
        _, seq, gid, conf, strength, t_ms, n = GESTURE_HEADER.unpack_from(data)
        if n > EMBEDDING_MAX:
            raise PacketError(f"corrupt gesture packet: embedding length {n} > {EMBEDDING_MAX} (data {data.hex()})")
        _check_length(data, GESTURE_HEADER.size + n, "gesture")
        emb = struct.unpack_from(f"<{n}b", data, GESTURE_HEADER.size)
        return cls(seq, gid, conf, strength, t_ms, tuple(emb))


@dataclass(frozen=True)
class ImuPacket:
    """Raw IMU samples. ``first_seq`` counts samples (mod 2**16), so drops are exact."""

    first_seq: int
    samples: tuple[tuple[int, int, int, int, int, int], ...]

    def encode(self) -> bytes:
        if not 1 <= len(self.samples) <= IMU_MAX_SAMPLES:
            raise PacketError(f"an IMU packet carries 1..{IMU_MAX_SAMPLES} samples, not {len(self.samples)}")
        body = b"".join(IMU_SAMPLE.pack(*s) for s in self.samples)
        return IMU_HEADER.pack(PKT_IMU, self.first_seq & 0xFFFF, len(self.samples)) + body

    @classmethod
    def decode(cls, data: bytes) -> "ImuPacket":
        data = bytes(data)
        _check_type(data, PKT_IMU, "IMU")
        if len(data) < IMU_HEADER.size:
            _check_length(data, IMU_HEADER.size, "IMU")
        _, seq, count = IMU_HEADER.unpack_from(data)
        if not 1 <= count <= IMU_MAX_SAMPLES:
            raise PacketError(f"corrupt IMU packet: sample count {count} (data {data.hex()})")
        _check_length(data, IMU_HEADER.size + count * IMU_SAMPLE_BYTES, "IMU")
        samples = tuple(
            IMU_SAMPLE.unpack_from(data, IMU_HEADER.size + i * IMU_SAMPLE_BYTES) for i in range(count)
        )
        return cls(seq, samples)


@dataclass(frozen=True)
class ConfigPacket:
    """Spotting parameters, written by the host, applied by the firmware at once."""

    threshold: int = 200  # min softmax confidence (0..255); 200/256 = 0.78
    agree: int = 2  # consecutive inferences that must agree
    cooldown_ms: int = 300  # no new gesture this soon after the last one
    acc_gate_mg: int = 2500  # motion onset: |ax|+|ay|+|az| at or above this ...
    gyro_gate_ddps: int = 2000  # ... or |gx|+|gy|+|gz| at or above this (0.1 dps)
    gyro_quiet_ddps: int = 200  # below this the wand counts as still (20 deg/s: a hand holding it)
    quiet_samples: int = 15  # still samples (0.3 s, the drawing's hold) that arm the spotter
    max_inferences: int = 4  # inferences per gesture before giving up (unknown)
    flags: int = CONFIG_FLAG_SEND_UNKNOWN | CONFIG_FLAG_LED

    def encode(self) -> bytes:
        self.validate()
        return CONFIG_FORMAT.pack(
            PKT_CONFIG, PROTOCOL_VERSION, self.threshold, self.agree, self.cooldown_ms,
            self.acc_gate_mg, self.gyro_gate_ddps, self.gyro_quiet_ddps, self.quiet_samples,
            (self.max_inferences << CONFIG_MAX_INFERENCES_SHIFT) | self.flags,
        )

    def validate(self) -> None:
        for name, (lo, hi) in CONFIG_LIMITS.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise PacketError(f"config {name}={value} out of range {lo}..{hi}")
        if self.agree > self.max_inferences:
            raise PacketError(f"config agree={self.agree} can never be met with max_inferences={self.max_inferences}")

    @property
    def stream_imu(self) -> bool:
        return bool(self.flags & CONFIG_FLAG_STREAM_IMU)

    @property
    def imu_each_sample(self) -> bool:
        return bool(self.flags & CONFIG_FLAG_IMU_EACH_SAMPLE)

    @classmethod
    def decode(cls, data: bytes) -> "ConfigPacket":
        data = bytes(data)
        _check_type(data, PKT_CONFIG, "config")
        _check_length(data, CONFIG_FORMAT.size, "config")
        _, version, thr, agree, cool, acc, gyro, quiet, qs, packed = CONFIG_FORMAT.unpack(data)
        if version != PROTOCOL_VERSION:
            raise PacketError(f"config packet protocol version {version}, this host speaks {PROTOCOL_VERSION}")
        cfg = cls(thr, agree, cool, acc, gyro, quiet, qs, packed >> CONFIG_MAX_INFERENCES_SHIFT,
                  packed & CONFIG_FLAGS_MASK)
        cfg.validate()
        return cfg


@dataclass(frozen=True)
class StrokePacket:
    """One character drawn in the air, spotted between two rests (issue 19).

    ``char_id`` indexes ``wand.characters.STROKE_LABELS`` (``STROKE_UNKNOWN``: no active
    character passed the threshold; sent only with ``CONFIG_FLAG_SEND_UNKNOWN``). Scores
    are the model's probabilities renormalised over the active set (0..255); the two
    runner-ups are the next active characters (``STROKE_UNKNOWN``/0 when fewer are active).
    """

    seq: int
    char_id: int
    confidence: int
    second_id: int = STROKE_UNKNOWN
    second_score: int = 0
    third_id: int = STROKE_UNKNOWN
    third_score: int = 0
    timestamp_ms: int = 0  # wand uptime at the end of the drawing
    samples: int = 0  # drawing duration in model-rate samples
    strength: int = 0  # peak |gx|+|gy|+|gz| while drawing, 6.4 dps per unit (as GesturePacket)

    def encode(self) -> bytes:
        return STROKE_FORMAT.pack(
            PKT_STROKE, self.seq & 0xFFFF, self.char_id, self.confidence, self.second_id, self.second_score,
            self.third_id, self.third_score, self.timestamp_ms & 0xFFFFFFFF, self.samples, self.strength,
        )

    @property
    def runner_ups(self) -> tuple[tuple[int, int], ...]:
        """(char_id, score) of the runner-ups the wand filled in."""
        return tuple((i, s) for i, s in ((self.second_id, self.second_score), (self.third_id, self.third_score))
                     if i != STROKE_UNKNOWN)

    @classmethod
    def decode(cls, data: bytes) -> "StrokePacket":
        data = bytes(data)
        _check_type(data, PKT_STROKE, "stroke")
        _check_length(data, STROKE_FORMAT.size, "stroke")
        _, *fields = STROKE_FORMAT.unpack(data)
        return cls(*fields)


@dataclass(frozen=True)
class StrokeConfigPacket:
    """The stroke spotter's settings: which characters to listen for and the intent rule.

    Intent (wand_core/stroke.py): hold the wand still (|gyro| under ``rest_dps`` for
    ``rest_samples``) -> ARMED; turn it faster than ``start_dps`` -> DRAWING; still again
    for ``end_samples`` -> the stroke ends and is classified, unless it lasted fewer than
    ``min_samples`` or more than ``max_samples`` samples or its larger side spans under
    ``min_extent_deg`` degrees. Provisional defaults, to be chosen on validation people.

    The chip ranks only the active characters. A stroke is read as the best of them when
    (1) the model's probabilities of all STROKE_CHARACTERS characters, active or not, add
    up to ``min_character_mass`` or more (0..255: is it a character at all? The rest is
    the model's last class, everyday motion), and (2) the best's share of the active
    characters' summed probability, the renormalised score, reaches ``threshold`` (which
    of them?), and the active characters hold at least STROKE_MIN_ACTIVE_MASS between
    them. So a TV profile with digits alone reads a drawn 0 the model half-calls "O" as 0,
    a drawn K the model gives the digits almost nothing of is not read as a digit, and a
    stroke the model calls everyday motion is rejected whatever is active.
    Rule and defaults chosen on validation people (training/studies/read_rule_study.py).

    ``STROKE_FLAG_CHARACTERS_FIRST`` (the default): one event per drawing. A gesture the
    IMU spotter decides while a stroke is being drawn, or later by a capture that began
    during it, is dropped if the stroke reads as an active character (wand_core/core.py);
    but a character read while a named gesture was held, at a score under ``over_gesture``
    or not the model's first among all characters (only read because the profile listens
    for none of the model's likelier ones), yields to that gesture (the gesture is sent,
    the character is not): a gesture performed from a hold often reads as its look-alike
    character (push_forward as 1, circle_cw as 0), less surely than a drawn character.
    0: a read character always wins.
    """

    flags: int = STROKE_FLAG_ENABLED | STROKE_FLAG_CHARACTERS_FIRST
    threshold: int = 128  # min renormalised probability of the best active character (0..255)
    active_mask: int = (1 << len(STROKE_LABELS)) - 1  # bit i = STROKE_LABELS[i]; default all
    rest_dps: int = 15
    start_dps: int = 40
    rest_samples: int = 15  # 0.3 s
    end_samples: int = 5  # 0.1 s
    min_samples: int = 10  # 0.2 s
    max_samples: int = 200  # 4 s
    min_extent_deg: int = 8
    min_character_mass: int = 224  # 0.88 of the model's probability on characters (not "other")
    # Characters first: the score a character needs to silence a named gesture (0..252, step 4).
    # 248 chosen on validation (training/studies/arbitration_study.py); the host sends 0 to
    # profiles that map none of the model's gestures.
    over_gesture: int = 248

    def encode(self) -> bytes:
        self.validate()
        return STROKE_CONFIG_FORMAT.pack(
            PKT_STROKE_CONFIG, PROTOCOL_VERSION, self.flags | self.over_gesture, self.threshold, self.active_mask,
            self.rest_dps, self.start_dps, self.rest_samples, self.end_samples, self.min_samples, self.max_samples,
            self.min_extent_deg, self.min_character_mass,
        )

    def validate(self) -> None:
        for name, (lo, hi) in STROKE_CONFIG_LIMITS.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise PacketError(f"stroke config {name}={value} out of range {lo}..{hi}")
        if self.start_dps <= self.rest_dps:
            raise PacketError(f"stroke config start_dps={self.start_dps} must be above rest_dps={self.rest_dps}")
        if self.max_samples < self.min_samples:
            raise PacketError(f"stroke config max_samples={self.max_samples} is below min_samples={self.min_samples}")
        if self.over_gesture & ~STROKE_OVER_GESTURE_MASK:
            raise PacketError(f"stroke config over_gesture={self.over_gesture} is not a multiple of 4")

    @property
    def enabled(self) -> bool:
        return bool(self.flags & STROKE_FLAG_ENABLED)

    @property
    def characters_first(self) -> bool:
        return bool(self.flags & STROKE_FLAG_CHARACTERS_FIRST)

    @classmethod
    def decode(cls, data: bytes) -> "StrokeConfigPacket":
        data = bytes(data)
        _check_type(data, PKT_STROKE_CONFIG, "stroke config")
        _check_length(data, STROKE_CONFIG_FORMAT.size, "stroke config")
        _, version, *fields = STROKE_CONFIG_FORMAT.unpack(data)
        if version != PROTOCOL_VERSION:
            raise PacketError(f"stroke config packet protocol version {version}, this host speaks {PROTOCOL_VERSION}")
        both, *rest = fields
        cfg = cls(both & ~STROKE_OVER_GESTURE_MASK, *rest, over_gesture=both & STROKE_OVER_GESTURE_MASK)
        cfg.validate()
        return cfg


@dataclass(frozen=True)
class StatusPacket:
    board: int = BOARD_UNKNOWN
    battery_percent: int = BATTERY_UNKNOWN
    flags: int = 0
    imu_rate_hz: int = 0
    model_crc32: int = 0
    num_classes: int = 0
    uptime_ms: int = 0  # wand clock now: tells the age of replayed events, and reboots
    version: int = field(default=PROTOCOL_VERSION)
    imu_dropped: int = 0  # IMU samples lost since boot (the IMU FIFO overflowed: a loop() stall)

    def encode(self) -> bytes:
        return STATUS_FORMAT.pack(
            PKT_STATUS, self.version, self.board, self.battery_percent, self.flags,
            self.imu_rate_hz, self.model_crc32, self.num_classes, self.uptime_ms & 0xFFFFFFFF,
            self.imu_dropped & 0xFFFFFFFF,
        )

    @classmethod
    def decode(cls, data: bytes) -> "StatusPacket":
        data = bytes(data)
        _check_type(data, PKT_STATUS, "status")
        if len(data) == STATUS_V1_SIZE:  # firmware from before imu_dropped
            data += bytes(STATUS_FORMAT.size - STATUS_V1_SIZE)
        _check_length(data, STATUS_FORMAT.size, "status")
        _, ver, board, batt, flags, rate, crc, n, uptime, dropped = STATUS_FORMAT.unpack(data)
        return cls(board, batt, flags, rate, crc, n, uptime, ver, dropped)


Packet = GesturePacket | ImuPacket | ConfigPacket | StatusPacket | StrokePacket | StrokeConfigPacket


def decode(data: bytes) -> Packet:
    """Decode any wand packet by its type byte."""
    data = bytes(data)
    if not data:
        raise PacketError("empty packet")
    decoders = {PKT_GESTURE: GesturePacket, PKT_IMU: ImuPacket, PKT_CONFIG: ConfigPacket, PKT_STATUS: StatusPacket,
                PKT_STROKE: StrokePacket, PKT_STROKE_CONFIG: StrokeConfigPacket}
    cls = decoders.get(data[PACKET_TYPE_OFFSET])
    if cls is None:
        raise PacketError(f"unknown packet type 0x{data[PACKET_TYPE_OFFSET]:02x} (data {data.hex()})")
    return cls.decode(data)


# --- the firmware's copy: firmware/magic_wand/src/wand_core/protocol.h ---------------------
C_HEADER_PATH = "firmware/magic_wand/src/wand_core/protocol.h"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def c_header() -> str:
    """protocol.h, generated: everything the firmware needs to speak this protocol."""
    uuids = {"WAND_SERVICE_UUID": SERVICE_UUID, "WAND_EVENT_CHAR_UUID": EVENT_CHAR_UUID,
             "WAND_IMU_CHAR_UUID": IMU_CHAR_UUID, "WAND_CONFIG_CHAR_UUID": CONFIG_CHAR_UUID,
             "WAND_STATUS_CHAR_UUID": STATUS_CHAR_UUID}
    lines = ["// The wand's BLE wire protocol. Generated from wand/protocol.py by c_header(): do not edit;",
             "// regenerate with 'python -m wand.protocol'. tests/test_protocol.py checks it is current.",
             "// All multi-byte fields are little-endian.", "#pragma once", "#include <stddef.h>",
             "#include <stdint.h>", ""]
    lines += [f'#define {k} "{v}"' for k, v in uuids.items()]
    lines += ["", "namespace wand {", ""]

    def const(ctype: str, name: str, value: int, hexa: bool = False, note: str = "") -> None:
        text = f"0x{value:02X}" if hexa else str(value)
        lines.append(f"constexpr {ctype} {name} = {text};" + (f"  // {note}" if note else ""))

    const("uint8_t", "kProtocolVersion", PROTOCOL_VERSION)
    lines.append("")
    for name, value in (("Gesture", PKT_GESTURE), ("Imu", PKT_IMU), ("Config", PKT_CONFIG), ("Status", PKT_STATUS),
                        ("Stroke", PKT_STROKE), ("StrokeConfig", PKT_STROKE_CONFIG)):
        const("uint8_t", f"kPacket{name}", value, hexa=True)
    const("size_t", "kPacketTypeOffset", PACKET_TYPE_OFFSET)
    lines.append("")
    const("uint8_t", "kGestureUnknown", GESTURE_UNKNOWN, hexa=True, note="motion the model did not recognise")
    const("int", "kEmbeddingMax", EMBEDDING_MAX)
    const("size_t", "kAttDefaultPayload", ATT_DEFAULT_PAYLOAD, note="23-byte default MTU minus the ATT header")
    const("int", "kEventQueueLen", EVENT_QUEUE_LEN, note="gesture packets kept and re-sent on (re)connect")
    const("size_t", "kImuSampleBytes", IMU_SAMPLE_BYTES, note="ax ay az (mg) gx gy gz (0.1 deg/s), int16 each")
    const("int", "kImuMaxSamples", IMU_MAX_SAMPLES)
    const("uint8_t", "kStrokeUnknown", STROKE_UNKNOWN, hexa=True, note="no active character passed the threshold")
    const("int", "kStrokeCharacters", STROKE_CHARACTERS, note="stroke model outputs past these are not characters")
    const("int", "kStrokeMinActiveMass", STROKE_MIN_ACTIVE_MASS,
          note="the active characters' summed probability a read needs")
    const("int", "kGestureMaxRollShare", GESTURE_MAX_ROLL_SHARE,
          note="most of a capture's turning (256ths of summed |gyro|) about the long axis for a built-in gesture")
    const("int", "kStrokeMaxRollShare", STROKE_MAX_ROLL_SHARE,
          note="most of a stroke's turning (256ths of summed |gyro|) about the long axis")
    sizes = {"Gesture": "kGestureHeaderSize", "Imu": "kImuHeaderSize", "Config": "kConfigPacketSize",
             "Status": "kStatusPacketSize", "Stroke": "kStrokePacketSize", "StrokeConfig": "kStrokeConfigPacketSize"}
    types = {"B": "u8", "H": "u16", "I": "u32", "Q": "u64"}
    for layout in (GESTURE_LAYOUT, IMU_LAYOUT, CONFIG_LAYOUT, STATUS_LAYOUT, STROKE_LAYOUT, STROKE_CONFIG_LAYOUT):
        lines += ["", "// " + layout.c_name + ": " + ", ".join(f"{f} {types[c]}" for f, c in layout.fields)
                  + (", then embedding int8[embedding_len]" if layout is GESTURE_LAYOUT else "")
                  + (", then count samples" if layout is IMU_LAYOUT else "")]
        const("size_t", sizes[layout.c_name], layout.struct.size)
        for f, _ in layout.fields:
            const("size_t", f"k{layout.c_name}{_camel(f)}Offset", layout.offset(f))
    const("size_t", "kStatusV1Size", STATUS_V1_SIZE, note="status from firmware before imu_dropped")
    lines.append("")
    for name, value in (("Unknown", BOARD_UNKNOWN), ("Nano33Rev1", BOARD_NANO33_REV1), ("Nano33Rev2", BOARD_NANO33_REV2)):
        const("uint8_t", f"kBoard{name}", value)
    const("uint8_t", "kBatteryUnknown", BATTERY_UNKNOWN, hexa=True)
    lines.append("")
    for name, value in (("StreamImu", CONFIG_FLAG_STREAM_IMU), ("SendUnknown", CONFIG_FLAG_SEND_UNKNOWN),
                        ("Led", CONFIG_FLAG_LED), ("ImuEachSample", CONFIG_FLAG_IMU_EACH_SAMPLE)):
        const("uint8_t", f"kConfigFlag{name}", value, hexa=True)
    const("uint8_t", "kStrokeFlagEnabled", STROKE_FLAG_ENABLED, hexa=True)
    const("uint8_t", "kStrokeFlagCharactersFirst", STROKE_FLAG_CHARACTERS_FIRST, hexa=True)
    const("uint8_t", "kStrokeFlagsMask", STROKE_FLAGS_MASK, hexa=True)
    const("uint8_t", "kStrokeOverGestureMask", STROKE_OVER_GESTURE_MASK, hexa=True)
    for name, value in (("Streaming", STATUS_FLAG_STREAMING), ("LowBattery", STATUS_FLAG_LOW_BATTERY)):
        const("uint8_t", f"kStatusFlag{name}", value, hexa=True)
    const("int", "kConfigMaxInferencesShift", CONFIG_MAX_INFERENCES_SHIFT)
    const("uint8_t", "kConfigFlagsMask", CONFIG_FLAGS_MASK, hexa=True)
    lines += ["", "// Config limits (inclusive) and defaults: ConfigPacket.validate and ConfigPacket()."]
    defaults = ConfigPacket()
    codes = dict(CONFIG_LAYOUT.fields)
    for name, (lo, hi) in CONFIG_LIMITS.items():
        ctype = "uint16_t" if codes.get(name) == "H" else "uint8_t"
        const("int32_t", f"kConfig{_camel(name)}Min", lo)
        const("int32_t", f"kConfig{_camel(name)}Max", hi)
        const(ctype, f"kConfig{_camel(name)}Default", getattr(defaults, name))
    lines += ["", "// Stroke config limits (inclusive) and defaults: StrokeConfigPacket.validate and ()."]
    stroke_defaults = StrokeConfigPacket()
    for name, (lo, hi) in STROKE_CONFIG_LIMITS.items():
        if name == "active_mask":  # every mask is valid
            lines.append(f"constexpr uint64_t kStrokeConfigActiveMaskDefault = 0x{stroke_defaults.active_mask:X}ull;")
            continue
        const("int32_t", f"kStrokeConfig{_camel(name)}Min", lo)
        const("int32_t", f"kStrokeConfig{_camel(name)}Max", hi)
        const("uint8_t", f"kStrokeConfig{_camel(name)}Default", getattr(stroke_defaults, name))
    lines += ["", "}  // namespace wand", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m wand.protocol: regenerate the firmware header
    from pathlib import Path

    out = Path(__file__).resolve().parent.parent / C_HEADER_PATH
    out.write_text(c_header())
    print(f"wrote {out}")
