"""The wire protocol: round trips, clear errors for bad packets, and the firmware header agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wand import protocol as P
from wand.errors import PacketError

HEADER = Path(__file__).resolve().parent.parent / "firmware/magic_wand/src/wand_core/protocol.h"


def test_firmware_header_is_generated_from_the_python_definition():
    """protocol.h is c_header()'s output, byte for byte (regenerate: python -m wand.protocol)."""
    assert HEADER.read_text() == P.c_header()
    assert '#define WAND_SERVICE_UUID "7a3e0001-' in HEADER.read_text()


def test_the_generated_offsets_are_the_struct_layouts():
    text = P.c_header()
    consts = {m.group(1): int(m.group(2), 0)
              for m in re.finditer(r"constexpr\s+\w+\s+(k\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)\s*;", text)}
    assert consts["kGestureTimestampMsOffset"] == 6 and consts["kStatusImuDroppedOffset"] == 16
    assert consts["kConfigPacketSize"] == P.CONFIG_FORMAT.size == 14
    assert consts["kConfigAgreeMax"] == 8 and consts["kConfigCooldownMsDefault"] == P.ConfigPacket().cooldown_ms
    cfg = P.ConfigPacket(threshold=150, agree=3, cooldown_ms=0x1234, max_inferences=5, flags=5).encode()
    assert cfg[consts["kConfigCooldownMsOffset"]] == 0x34 and cfg[consts["kConfigAgreeOffset"]] == 3
    assert cfg[consts["kConfigMaxInferencesFlagsOffset"]] == (5 << consts["kConfigMaxInferencesShift"]) | 5


def test_spotter_defaults_come_from_the_generated_header():
    """The chip's SpotterConfig defaults are the generated ConfigPacket() defaults, not literals."""
    text = (HEADER.parent / "spotter.h").read_text()
    body = text[text.index("struct SpotterConfig"):text.index("};", text.index("struct SpotterConfig"))]
    body = re.sub(r"//[^\n]*", "", body)
    chip = dict(re.findall(r"\b(\w+) = ([^;]+);", body))
    assert chip == {name: f"kConfig{P._camel(name)}Default" for name in P.CONFIG_LIMITS}


def test_struct_sizes_are_what_the_header_promises():
    assert P.GESTURE_HEADER.size + P.EMBEDDING_MAX <= P.ATT_DEFAULT_PAYLOAD
    assert P.IMU_HEADER.size + P.IMU_SAMPLE_BYTES <= P.ATT_DEFAULT_PAYLOAD
    assert P.CONFIG_FORMAT.size <= P.ATT_DEFAULT_PAYLOAD
    assert P.STATUS_FORMAT.size <= P.ATT_DEFAULT_PAYLOAD


def test_gesture_packet_round_trip_and_layout():
    pkt = P.GesturePacket(seq=0xBEEF, gesture_id=2, confidence=200, strength=17, timestamp_ms=0x01020304,
                          embedding=(-1, 5, -128))
    data = pkt.encode()
    # byte layout the C++ test (firmware/tests/test_core.cc TestPackets) checks too
    assert data == bytes([0x01, 0xEF, 0xBE, 2, 200, 17, 0x04, 0x03, 0x02, 0x01, 3, 0xFF, 5, 0x80])
    assert P.GesturePacket.decode(data) == pkt
    assert P.decode(data) == pkt


def test_imu_packet_round_trip():
    pkt = P.ImuPacket(65535, ((1, -1, 1000, -32768, 32767, 0), (0, 0, 0, 0, 0, 0)))
    assert P.ImuPacket.decode(pkt.encode()) == pkt


def test_config_and_status_round_trip():
    cfg = P.ConfigPacket(threshold=150, agree=3, max_inferences=4, cooldown_ms=1234, flags=P.CONFIG_FLAG_STREAM_IMU)
    assert P.ConfigPacket.decode(cfg.encode()) == cfg
    assert cfg.stream_imu
    st = P.StatusPacket(P.BOARD_NANO33_REV2, 55, 1, 100, 0xA1B2C3D4, 4, 123456, imu_dropped=7)
    assert P.StatusPacket.decode(st.encode()) == st
    legacy = st.encode()[:P.STATUS_V1_SIZE]  # firmware from before imu_dropped
    assert P.StatusPacket.decode(legacy) == P.StatusPacket(P.BOARD_NANO33_REV2, 55, 1, 100, 0xA1B2C3D4, 4, 123456)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (bytes([0x01, 0, 0]), "short gesture packet: 3 bytes, expected 11"),
    (P.GesturePacket(1, 1, 1, 1, 1, (1, 2)).encode() + b"\x00", "long gesture packet: 14 bytes, expected 13"),
    (bytes([0x01, 0, 0, 1, 1, 1, 0, 0, 0, 0, 9]) + bytes(9), "embedding length 9"),
    (bytes([0x02, 0, 0, 0]), "sample count 0"),
    (bytes([0x02, 0, 0, 2]) + bytes(12), "short IMU packet"),
    (bytes([0x7F, 1, 2]), "unknown packet type 0x7f"),
    (P.ConfigPacket().encode()[:-1], "short config packet"),
])
def test_bad_packets_raise_clear_errors(data, message):
    with pytest.raises(PacketError, match=re.escape(message)):
        P.decode(data)


def test_config_validation_names_the_field():
    with pytest.raises(PacketError, match="threshold=0 out of range"):
        P.ConfigPacket(threshold=0).encode()
    with pytest.raises(PacketError, match="agree=4 can never be met"):
        P.ConfigPacket(agree=4, max_inferences=3).encode()
    wrong_version = bytearray(P.ConfigPacket().encode())
    wrong_version[1] = 9
    with pytest.raises(PacketError, match="protocol version 9"):
        P.ConfigPacket.decode(bytes(wrong_version))


def test_stroke_packet_round_trip_and_layout():
    pkt = P.StrokePacket(seq=0xBEEF, char_id=5, confidence=230, second_id=40, second_score=20, third_id=3,
                         third_score=4, timestamp_ms=0x01020304, samples=0x0123, strength=9)
    data = pkt.encode()
    # byte layout the C++ test (firmware/tests/test_core.cc TestStrokePackets) checks too
    assert data == bytes([0x05, 0xEF, 0xBE, 5, 230, 40, 20, 3, 4, 0x04, 0x03, 0x02, 0x01, 0x23, 0x01, 9])
    assert len(data) <= P.ATT_DEFAULT_PAYLOAD
    assert P.decode(data) == pkt and P.StrokePacket.decode(data) == pkt
    assert pkt.runner_ups == ((40, 20), (3, 4))
    alone = P.StrokePacket(1, P.STROKE_UNKNOWN, 90)
    assert P.decode(alone.encode()) == alone and alone.runner_ups == ()


def test_stroke_config_round_trip_layout_and_mask():
    from wand.characters import STROKE_LABELS, mask_of

    digits = mask_of([f"digit_{d}" for d in range(10)])
    cfg = P.StrokeConfigPacket(threshold=150, active_mask=digits | (1 << 63), rest_dps=12, start_dps=30,
                               rest_samples=20, end_samples=8, min_samples=5, max_samples=250, min_extent_deg=7,
                               min_character_mass=99, over_gesture=248)
    data = cfg.encode()
    assert len(data) == P.STROKE_CONFIG_FORMAT.size <= P.ATT_DEFAULT_PAYLOAD
    # flags (enabled, characters first) in bits 0-1, over_gesture (steps of 4) in 2-7
    assert data[:4] == bytes([0x06, P.PROTOCOL_VERSION, 248 | P.STROKE_FLAG_ENABLED | P.STROKE_FLAG_CHARACTERS_FIRST, 150])
    assert data[P.STROKE_CONFIG_LAYOUT.offset("active_mask"):][:8] == bytes([0xFF, 0x03, 0, 0, 0, 0, 0, 0x80])
    assert data[-8:] == bytes([12, 30, 20, 8, 5, 250, 7, 99])
    assert P.decode(data) == cfg and cfg.enabled
    assert P.StrokeConfigPacket().active_mask == (1 << len(STROKE_LABELS)) - 1
    assert not P.StrokeConfigPacket(flags=0).enabled
    assert P.decode(P.StrokeConfigPacket(flags=0, over_gesture=4).encode()).over_gesture == 4


def test_stroke_config_over_gesture_is_a_multiple_of_4():
    with pytest.raises(P.PacketError, match="multiple of 4"):
        P.StrokeConfigPacket(over_gesture=250).encode()
    with pytest.raises(P.PacketError, match="out of range"):
        P.StrokeConfigPacket(over_gesture=256).encode()


def test_old_packets_keep_their_bytes():
    """Adding the stroke packets left the gesture, config and status layouts as they were."""
    # hex from main before the stroke packets existed (the rest defaults of that day: the
    # layout is pinned, not the defaults, which the hold rule changed)
    assert P.ConfigPacket(gyro_quiet_ddps=600, quiet_samples=6).encode().hex() == "0301c8022c01c409d00758020646"
    assert P.ConfigPacket().encode().hex() == "0301c8022c01c409d007c8000f46"
    assert P.StatusPacket(2, 55, 1, 100, 0xA1B2C3D4, 4, 123456, imu_dropped=7).encode().hex() == \
        "04010237016400d4c3b2a10440e2010007000000"
    assert P.GesturePacket(1, 2, 3, 4, 5, (1, -1)).encode().hex() == "010100020304050000000201ff"


def test_the_generated_stroke_constants_are_the_layouts():
    text = P.c_header()
    consts = {m.group(1): int(m.group(2), 0)
              for m in re.finditer(r"constexpr\s+\w+\s+(k\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)u?l?l?\s*;", text)}
    assert consts["kPacketStroke"] == 0x05 and consts["kPacketStrokeConfig"] == 0x06
    assert consts["kStrokePacketSize"] == P.STROKE_FORMAT.size
    assert consts["kStrokeConfigPacketSize"] == P.STROKE_CONFIG_FORMAT.size
    assert consts["kStrokeConfigActiveMaskOffset"] == 4 and consts["kStrokeTimestampMsOffset"] == 9
    assert consts["kStrokeConfigActiveMaskDefault"] == P.StrokeConfigPacket().active_mask
    for name, (lo, hi) in P.STROKE_CONFIG_LIMITS.items():
        if name != "active_mask":
            assert (consts[f"kStrokeConfig{P._camel(name)}Min"], consts[f"kStrokeConfig{P._camel(name)}Max"]) == (lo, hi)
            assert consts[f"kStrokeConfig{P._camel(name)}Default"] == getattr(P.StrokeConfigPacket(), name)


@pytest.mark.parametrize("data, message", [
    (bytes([0x05, 0, 0]), "short stroke packet: 3 bytes, expected 16"),
    (P.StrokePacket(1, 2, 3).encode() + b"\x00", "long stroke packet: 17 bytes, expected 16"),
    (P.StrokeConfigPacket().encode()[:-1], "short stroke config packet"),
    (P.StrokeConfigPacket().encode()[:1] + b"\x09" + P.StrokeConfigPacket().encode()[2:], "protocol version 9"),
    (P.StrokeConfigPacket().encode()[:-8] + bytes([20, 20, 15, 10, 10, 200, 10, 0]), "start_dps=20 must be above"),
    (P.StrokeConfigPacket().encode()[:-8] + bytes([20, 40, 15, 10, 10, 200, 181, 0]), "min_extent_deg=181 out of range"),
    (P.StrokeConfigPacket().encode()[:-8] + bytes([20, 40, 15, 10, 50, 40, 10, 0]), "max_samples=40 is below"),
])  # every flags byte is valid: bits 0-1 flags, 2-7 over_gesture
def test_bad_stroke_packets_raise_clear_errors(data, message):
    with pytest.raises(PacketError, match=re.escape(message)):
        P.decode(data)
