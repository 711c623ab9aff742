"""Stand-alone mode (issue 23): the HID report map read by a real HID descriptor parser
(hid-tools), the mapping table built from real example configs, the core's table and
report builder bit-exact with its C++ twin on hostile input, and reports decoded into usages."""

from __future__ import annotations

import random
import re
import subprocess
import zlib
from pathlib import Path

import pytest

from wand import hid
from wand.characters import index as char_index
from wand.config import example_path, load_config
from wand.protocol import GesturePacket, StrokePacket
from wand.wand_core.hid import BAD_CRC, BAD_ENTRY, BAD_LENGTH, INCOMPLETE, OK, OTHER_MODEL, HidCore, validate

hidtools = pytest.importorskip("hidtools.hid")
ROOT = Path(__file__).resolve().parent.parent
MODEL_CRC = 0x1234ABCD
GESTURES = {"diagonal_up_left": 0, "circle_cw": 1, "push_forward": 2}


def _usages(report: bytes) -> list[str]:
    """A report as the host's HID stack reads it: the usage names that are on."""
    rd = hidtools.ReportDescriptor.from_bytes(list(hid.REPORT_MAP))
    return [line.strip() for line in rd.format_report(list(report)).split("|")]


def test_the_report_map_is_a_keyboard_a_consumer_control_and_a_mouse():
    rd = hidtools.ReportDescriptor.from_bytes(list(hid.REPORT_MAP))
    apps = {r.report_ID: r.application_name for r in rd.input_reports.values()}
    assert apps == {1: "Keyboard", 2: "Consumer Control", 3: "Mouse"}
    for rid, size in hid.REPORT_SIZES.items():
        assert rd.input_reports[rid].size == size + 1  # the parser counts the report id byte


def test_the_firmware_header_is_generated_from_wand_hid():
    assert (ROOT / hid.C_HEADER_PATH).read_text() == hid.c_header()


def test_reports_decode_to_the_usages_a_tv_and_a_keyboard_expect():
    core = HidCore(MODEL_CRC)
    table = hid.Table(MODEL_CRC, (hid.Entry(hid.SOURCE_GESTURE, 0, hid.REPORT_CONSUMER, usage=hid.CONSUMER_USAGES["channel_up"]),
                                  hid.Entry(hid.SOURCE_STROKE, char_index("letter_z"), hid.REPORT_KEYBOARD,
                                            usage=hid.KEY_USAGES["z"]),
                                  hid.Entry(hid.SOURCE_GESTURE, 1, hid.REPORT_MOUSE, mods=1))).encode()
    for packet in hid.write_packets(table):
        core.write(packet)
    assert core.result == OK
    press, release = core.on_event(GesturePacket(1, 0, 230, 50, 1000).encode())
    assert "Consumer Devices ['Channel Increment']" in " ".join(_usages(press))
    assert "Channel Increment" not in " ".join(_usages(release))
    z = core.on_event(StrokePacket(2, char_index("letter_z"), 240, 255, 0, 255, 0, 2000, 40, 30).encode())
    assert "z and Z" in " ".join(_usages(z[0])) and "z and Z" not in " ".join(_usages(z[1]))
    click = core.on_event(GesturePacket(3, 1, 230, 50, 1000).encode())
    assert _usages(click[0])[0].startswith("ReportID: 3 / Button: 1")
    assert core.on_event(GesturePacket(4, 2, 230, 50, 1000).encode()) == []  # push_forward: not mapped


def test_push_plan_from_the_tv_example_and_what_cannot_run_on_the_wand():
    config = load_config(example_path("tv"))
    plan = hid.plan(config.profiles[config.default_profile], GESTURES, MODEL_CRC)
    kinds = {a.kind for acts in config.profiles[config.default_profile].gestures.values() for a in acts}
    assert plan.table.entries, kinds
    assert hid.Table.decode(plan.table.encode()) == plan.table
    assert validate(plan.table.encode(), MODEL_CRC) == OK
    music = load_config(example_path("music"))
    refused = hid.plan(music.profiles[music.default_profile], GESTURES, MODEL_CRC).refused
    assert refused and all(":" in line and "wand" in line for line in refused)
    assert any("MIDI" in line for line in refused)


def test_tv_digits_become_key_presses_and_digit_strokes_type_themselves():
    class A:
        def __init__(self, kind, **params):
            self.kind, self.params, self.where = kind, params, "cfg:1"
    steps, why = hid.steps_for(A("tv", command="digits=101"))
    assert why is None and [s.usage for s in steps] == [hid.KEY_USAGES[c] for c in "101"]
    steps, why = hid.steps_for(A("key", key="Z"))
    assert why is None and steps[0].mods == hid.MODIFIER_BITS["shift"] and steps[0].usage == hid.KEY_USAGES["z"]
    assert hid.steps_for(A("midi.note", note=60))[1] is not None
    assert hid.steps_for(A("tv", command="input=hdmi2"))[1] is not None


def test_refused_tables_keep_the_one_in_use():
    core = HidCore(MODEL_CRC)
    good = hid.Table(MODEL_CRC, (hid.Entry(hid.SOURCE_GESTURE, 0, hid.REPORT_KEYBOARD, usage=4),)).encode()
    for p in hid.write_packets(good):
        core.write(p)
    assert core.result == OK and core.table == good
    flipped = bytearray(good)
    flipped[9] ^= 0x40
    bad_entry = hid.Table(MODEL_CRC, (hid.Entry(hid.SOURCE_GESTURE, 0, 7),)).encode()
    other = hid.Table(MODEL_CRC + 1, ()).encode()
    cases = [(bytes(flipped), BAD_CRC), (bad_entry, BAD_ENTRY), (other, OTHER_MODEL)]
    for table, why in cases:
        for p in hid.write_packets(table):
            core.write(p)
        assert core.result == why and core.table == good
    core.write(hid.HID_BEGIN.pack(hid.PKT_HID_BEGIN, hid.TABLE_MAX_BYTES + 1))
    assert core.result == BAD_LENGTH
    packets = hid.write_packets(good)
    for p in packets[:1] + packets[2:]:  # a chunk lost
        core.write(p)
    assert core.result == INCOMPLETE and core.table == good


# --- the C++ twin, line for line ------------------------------------------------------------
def _mutations(rng: random.Random, table: bytes) -> list[bytes]:
    """Write sequences for one table: whole, with flipped/lost/duplicated/oversized chunks."""
    packets = hid.write_packets(table)
    out = [packets]
    flipped = [bytearray(p) for p in packets]
    i = rng.randrange(len(flipped))
    flipped[i][rng.randrange(len(flipped[i]))] ^= 1 << rng.randrange(8)
    out.append([bytes(p) for p in flipped])
    out.append(packets[:-1] + [packets[-2], packets[-1]])
    out.append([p for j, p in enumerate(packets) if j != rng.randrange(len(packets))])
    out.append([bytes(rng.randrange(256) for _ in range(rng.randrange(0, 24))) for _ in range(rng.randrange(1, 6))])
    return out


def _random_table(rng: random.Random) -> bytes:
    """Half are tables a host would send (every entry valid), half hostile."""
    valid = rng.random() < 0.5
    entries = []
    for _ in range(rng.randrange(0, hid.TABLE_MAX_ENTRIES + (1 if valid else 3))):
        report = rng.choice([1, 2, 3]) if valid else rng.choice([1, 2, 3, rng.randrange(256)])
        limit = {1: 0x74, 2: 0x400}.get(report, 1) if valid else 0x10000
        usage = 0 if report == 3 and valid else rng.randrange(limit)
        lo = -127 if valid else -128
        mv = [rng.randrange(lo, 128) for _ in range(3)] if report == 3 or not valid else [0, 0, 0]
        mods = 0 if report == 2 and valid else rng.randrange(8 if valid else 256)
        entries.append(hid.Entry(rng.choice([0, 1] if valid else [0, 1, 2]), rng.randrange(50), report, mods,
                                 usage, *mv))
    crc = MODEL_CRC if valid or rng.random() < 0.5 else rng.getrandbits(32)
    if len(entries) > hid.TABLE_MAX_ENTRIES:  # Table.encode refuses; craft the bytes as a hostile host would
        body = hid.TABLE_HEADER.pack(hid.TABLE_MAGIC, hid.TABLE_VERSION, len(entries) & 0xFF, crc)
        body += b"".join(e.encode() for e in entries)
        return body + hid.TABLE_CRC.pack(zlib.crc32(body))
    return hid.Table(crc, tuple(entries)).encode()


def _events(rng: random.Random) -> list[bytes]:
    events = [GesturePacket(rng.randrange(65536), rng.choice([0, 1, 2, 0xFF, rng.randrange(50)]), 200, 10, 5).encode()
              for _ in range(4)]
    events += [StrokePacket(rng.randrange(65536), rng.choice([rng.randrange(44), 0xFF]), 200, 0xFF, 0, 0xFF, 0, 0,
                            30, 10).encode() for _ in range(4)]
    events += [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 20))) for _ in range(2)]
    return events


def _python_lines(lines: list[str]) -> list[str]:
    core, out = HidCore(int(lines[0])), []
    for line in lines[1:]:
        op, data = line[0], bytes.fromhex(line[2:]) if len(line) > 2 and line[2:] != "-" else b""
        if op == "L":
            out.append("1" if core.load(data) else "0")
        elif op == "W":
            kept = core.write(data)
            out.append(f"1 {kept.hex()}" if kept is not None else "0")
        elif op == "E":
            out.append(" ".join(r.hex() for r in core.on_event(data)) or "-")
        else:
            out.append(core.state().hex())
    return out


def test_cpp_twin_matches_on_random_and_hostile_tables(make_target):
    harness = make_target("harness") / "hid_harness"
    rng = random.Random(23)
    cases = 0
    lines = [str(MODEL_CRC), "S", "E " + GesturePacket(0, 0, 200, 10, 5).encode().hex()]
    for _ in range(60):
        table = _random_table(rng)
        if rng.random() < 0.2:
            lines.append("L " + (table.hex() or "-"))
        for seq in _mutations(rng, table):
            cases += 1
            lines += ["W " + (p.hex() or "-") for p in seq] + ["S"]
            lines += ["E " + (e.hex() or "-") for e in _events(rng)]
    got = subprocess.run([str(harness)], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True, timeout=600).stdout.splitlines()
    want = _python_lines(lines)
    assert len(want) == len(lines) - 1 and cases == 300
    assert got == want
    assert sum(1 for w in want if w.startswith("1 ")) >= 20  # some tables were accepted, not only refused
    assert sum(1 for w in want if w not in ("-", "0") and not w.startswith("0a")) >= 40


# --- the commands ---------------------------------------------------------------------------
def test_config_push_check_names_file_lines_and_push_goes_through_the_sim_link(capsys):
    from wand.cli import main
    tv = str(example_path("tv"))
    assert main(["config", "push", tv, "--check"]) == 0
    out = capsys.readouterr().out.splitlines()
    steps = int(re.match(r"profile 'tv': (\d+) HID step\(s\) run on the wand alone", out[-1]).group(1))
    assert steps >= 5 and all(line.startswith(f"{tv}:") for line in out[:-1]) and out[:-1]
    assert main(["config", "push", tv, "--wand", "sim"]) == 0
    assert f"pushed profile 'tv' to the wand: {steps} HID step(s)" in capsys.readouterr().out
    assert main(["config", "push", str(example_path("music")), "--wand", "sim"]) != 0
    err = capsys.readouterr().err
    assert "nothing the wand can send" in err and "Traceback" not in err
    assert main(["config", "check", tv, "--check"]) != 0  # --check belongs to push: one line, not ignored


def test_demo_hid_the_tv_receives_what_the_spotted_gestures_map_to():
    from wand.hid_demo import describe_report, run_hid_demo
    lines: list[str] = []
    result = run_hid_demo(per_gesture=1, speed=0, line=lines.append)
    assert result.table_state[0] == "ok" and result.gestures >= 2
    presses = [describe_report(r) for r in result.reports if describe_report(r)]
    spotted = [line.split()[2] for line in lines if line.startswith("  wand spots")]
    want = {"diagonal_up_left": ["consumer channel_down (0x09D)"], "push_forward": ["consumer channel_up (0x09C)"],
            "circle_cw": ["consumer volume_up (0x0E9)"] * 3}
    assert presses == [p for g in spotted for p in want[g]]
    assert len(result.reports) == 2 * len(presses)  # each press released
