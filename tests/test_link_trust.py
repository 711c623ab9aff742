"""Links (--wand), pairing and the allow-list, from the command line down."""

from __future__ import annotations

import functools
import json

import pytest

import fake_bleak
from wand.cli import main
from wand.errors import WandError
from wand.simwand.device import SimulatedWand
from wand.transport import ble
from wand.transport.link import Link, parse_link


@pytest.mark.parametrize("text, link", [
    ("ble", Link("ble")),
    ("ble:c8:00:00:00:00:0a", Link("ble", "C8:00:00:00:00:0A")),
    ("ble:C8-00-00-00-00-0A", Link("ble", "C8:00:00:00:00:0A")),
    ("ble:12345678-9abc-def0-1234-56789abcdef0", Link("ble", "12345678-9ABC-DEF0-1234-56789ABCDEF0")),
    ("sim", Link("sim")),
    ("sim:shake", Link("sim", "shake")),
    ("bumble:usb:0", Link("bumble", "usb:0")),
])
def test_one_parser_for_every_link(text, link):
    assert parse_link(text) == link


@pytest.mark.parametrize("text, message", [
    ("ble:nonsense", "not a Bluetooth address"),
    ("ble:C8:00:00:00:00", "not a Bluetooth address"),
    ("wifi", "unknown link 'wifi'"),
    ("bumble", "name bumble's HCI transport"),
    ("serial:/dev/ttyACM0", "not implemented yet"),
])
def test_bad_links_are_one_line(text, message):
    with pytest.raises(WandError, match=message):
        parse_link(text)


def test_malformed_address_is_one_error_line_not_a_retry_loop(capsys):
    assert main(["run", "--address", "AA:BB"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a Bluetooth address" in err[0] and "wand scan" in err[0]


def test_bumble_link_without_a_dongle_is_one_line(bundle):
    import asyncio
    from wand.transport.link import open_link
    with pytest.raises(WandError, match=r"bumble transport 'usb:0'.*plug in the HCI dongle"):
        asyncio.run(open_link(parse_link("bumble:usb:0"), bundle))


@pytest.fixture
def home(tmp_path, monkeypatch, bundle, vocab):
    """A fresh user config dir, and bleak talking to two simulated wands."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # `wand gestures` draws there
    fake_bleak.WANDS.clear()
    fake_bleak.PAIRED.clear()
    a = SimulatedWand(bundle, vocab["circle_cw"].recordings()[:1], name="wand-a", address="C8:00:00:00:00:0A")
    b = SimulatedWand(bundle, vocab["shake"].recordings()[:1], name="\x1b[5mwand-b", address="C8:00:00:00:00:0B")
    fake_bleak.WANDS.update({a.address: a, b.address: b})
    fake_bleak.RSSI.update({a.address: -71, b.address: -48})
    monkeypatch.setattr(ble, "BleakBackend", functools.partial(ble.BleakBackend, backend=fake_bleak.FakeWandClient))
    monkeypatch.setattr(ble, "scan", functools.partial(ble.scan, backend=fake_bleak.FakeScanner))
    yield tmp_path / "cfg" / "wand"
    fake_bleak.WANDS.clear()


def test_pair_bonds_and_stores_the_wand_privately(home, capsys):
    assert main(["pair", "--wand", "ble:c8:00:00:00:00:0a"]) == 0
    assert "C8:00:00:00:00:0A" in fake_bleak.PAIRED
    path = home / "paired.json"
    stored = json.loads(path.read_text())["wands"]
    assert stored == {"C8:00:00:00:00:0A": {"name": "C8:00:00:00:00:0A", "bonding": "bonded",
                                            "paired_at": stored["C8:00:00:00:00:0A"]["paired_at"]}}
    assert path.stat().st_mode & 0o077 == 0
    capsys.readouterr()
    assert main(["scan", "--timeout", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "wand-b" in out
    assert [line.split()[-1] for line in out.splitlines() if "C8:00" in line] == ["no", "yes"]  # strongest first
    assert main(["pair", "--forget", "c8:00:00:00:00:0a"]) == 0
    assert json.loads(path.read_text())["wands"] == {}


def test_pair_by_scan_takes_the_nearest_wand_with_a_clean_name(home, capsys):
    fake_bleak.RSSI.update({"C8:00:00:00:00:0A": -80, "C8:00:00:00:00:0B": -40})
    assert main(["pair", "--scan-timeout", "0.01"]) == 0
    assert "paired with wand-b (C8:00:00:00:00:0B), bonded" in capsys.readouterr().out
    assert main(["pair", "--list"]) == 0
    assert "wand-b" in capsys.readouterr().out


def test_run_acts_only_for_paired_wands(home, capsys):
    assert main(["run", "--dry-run", "--scan-timeout", "0.01"]) == 1
    captured = capsys.readouterr()
    ignored = [line for line in captured.out.splitlines() if "not paired: ignored" in line]
    assert len(ignored) == 2 and all("\x1b" not in line for line in ignored)
    assert "no paired wand: pair yours with 'wand pair'" in captured.err


def test_paired_file_writable_by_others_is_refused(home, capsys):
    assert main(["pair", "--wand", "ble:C8:00:00:00:00:0A"]) == 0
    (home / "paired.json").chmod(0o666)
    assert main(["run", "--dry-run", "--scan-timeout", "0.01"]) == 1
    assert "chmod go-w" in capsys.readouterr().err


def test_paired_file_nested_too_deeply_is_one_line(home, capsys):
    assert main(["pair", "--wand", "ble:C8:00:00:00:00:0A"]) == 0
    path = home / "paired.json"
    path.write_text('{"wands": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["run", "--dry-run", "--scan-timeout", "0.01"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: not a paired-wands file (nested too deeply)" in err and "Traceback" not in err


def test_enrolment_for_another_model_does_not_break_the_commands(home, tmp_path, bundle, capsys):
    """After 'wand train --install': run/config check/gestures/enrol --replace all work."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "enrolled.json").write_text(json.dumps({  # an enrolment from before DTW: embeddings
        "model_crc32": f"{bundle.crc32 ^ 1:08x}", "centre": [0] * 8,
        "gestures": {"wiggle": {"name": "wiggle", "examples": [[1] * 8], "radius": 0.2}}}))
    (home / "enrolled.json").chmod(0o600)
    assert main(["gestures"]) == 0
    assert "enrolled (few-shot): none" in capsys.readouterr().out
    config = tmp_path / "c.toml"
    config.write_text('[profiles.p.gestures]\nshake = "key:a"\n')
    assert main(["config", "check", str(config)]) == 0
    recs = tmp_path / "recs"
    assert main(["record", "shake", "--wand", "sim:shake", "--tries", "3", "--out", str(recs), "--yes"]) == 0
    assert main(["enrol", "shake", "--replace", "--recordings", str(recs)]) == 0
    assert "shake" in json.loads((home / "enrolled.json").read_text())["gestures"]
    assert (home / f"enrolled-{bundle.crc32 ^ 1:08x}.json").exists()  # the older enrolment, kept


@pytest.mark.parametrize("edit, what", [
    ({"bonding": "\x1b[2Jx"}, "bonding \\x1b[2Jx, not one of bonded, paired"),  # was printed raw by pair --list
    ({"bonding": ["bonded"]}, "bonding ['bonded']"),
    ({"paired_at": {"a": 1}}, "paired_at {'a': 1} is not a date"),
    ({"paired_at": "\x1b[5m"}, "paired_at \\x1b[5m is not a date"),
    ({"\x1b[2J": 1}, "unexpected keyword argument '\\x1b[2J'"),
])
def test_hand_edited_paired_file_is_one_line_and_never_reaches_the_terminal_raw(home, capsys, edit, what):
    assert main(["pair", "--wand", "ble:C8:00:00:00:00:0A"]) == 0
    path = home / "paired.json"
    data = json.loads(path.read_text())
    data["wands"]["C8:00:00:00:00:0A"].update(edit)
    path.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["pair", "--list"]) == 1
    out = capsys.readouterr()
    assert f"{path}: not a paired-wands file" in out.err and what in out.err
    assert "\x1b" not in out.out + out.err and "Traceback" not in out.err


def test_a_paired_address_that_is_no_address_is_refused(home, capsys):
    assert main(["pair", "--wand", "ble:C8:00:00:00:00:0A"]) == 0
    path = home / "paired.json"
    data = json.loads(path.read_text())
    data["wands"] = {"zz": data["wands"]["C8:00:00:00:00:0A"]}
    path.write_text(json.dumps(data))
    assert main(["run", "--dry-run", "--scan-timeout", "0.01"]) == 1
    assert "address ZZ: a Bluetooth address" in capsys.readouterr().err
    data["wands"] = {"8f3a0c1e-1234-4abc-9def-0123456789ab": data["wands"]["zz"]}  # macOS: a UUID
    path.write_text(json.dumps(data))
    assert main(["pair", "--list"]) == 0
    assert "8F3A0C1E-1234-4ABC-9DEF-0123456789AB" in capsys.readouterr().out
