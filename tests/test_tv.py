"""The TV remote: Roku ECP against a loopback HTTP server that records the requests,
SSDP discovery against a loopback responder, and the missing-tool / no-adapter /
no-device paths for HDMI-CEC (the real cec-client), adb (the real adb) and Android TV."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wand.config import parse_config
from wand.errors import ConfigError, DeviceError
from wand.events import GestureEvent
from wand.outputs import OutputSet
from wand.outputs.tv import FoundTv, TvSettings, discover_roku, open_tv

EVENT = GestureEvent("w", "g", "model", 0.9, 0.5, 1, 1000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def roku():
    """A loopback HTTP server that answers like a Roku's ECP and records what it was asked."""
    requests: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            requests.append(("POST", self.path))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def tv_actions(settings: str, *specs: str):
    body = "\n".join(f"g{i} = {s}" for i, s in enumerate(specs))
    cfg = parse_config(f"[tv]\n{settings}\n[profiles.p.gestures]\n{body}\n")
    return cfg, [cfg.profiles["p"].gestures[f"g{i}"][0] for i in range(len(specs))]


def test_roku_gets_the_ecp_keypresses(roku):
    port, requests = roku
    cfg, acts = tv_actions(f'backend = "roku"\nhost = "127.0.0.1"\nport = {port}',
                           '"tv:channel_up"', '{ action = "tv", command = "volume_up", repeat = 3, interval_ms = 0 }',
                           '"tv:digits=101"', '"tv:input=hdmi2"', '"tv:mute"', '"tv:select"')
    outs = OutputSet(cfg)
    try:
        lines = [outs.perform(a, EVENT) for a in acts]
    finally:
        outs.close()
    assert lines[0] == "TV channel_up (roku)" and lines[1] == "TV volume_up x3 (roku)"
    assert requests == [("POST", f"/keypress/{k}") for k in
                        ["ChannelUp", "VolumeUp", "VolumeUp", "VolumeUp", "Lit_1", "Lit_0", "Lit_1",
                         "InputHDMI2", "VolumeMute", "Select"]]


def test_roku_that_does_not_answer_is_one_clear_line():
    reports = []
    cfg, (act, key) = tv_actions(f'backend = "roku"\nhost = "127.0.0.1"\nport = {free_port()}',
                                 '"tv:power"', '"key:a"')
    outs = OutputSet(cfg, report=reports.append)
    try:
        with pytest.raises(DeviceError, match=r"Roku at 127\.0\.0\.1:\d+ did not take 'power'.*wand tv discover") as e:
            outs.perform(act, EVENT)
        assert "\n" not in str(e.value)
    finally:
        outs.close()


def test_ssdp_discovery_finds_a_roku_and_prints_config_lines():
    """A loopback responder answers the M-SEARCH as a Roku does (unicast: no multicast here)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    seen = []

    def respond():
        data, addr = sock.recvfrom(2048)
        seen.append(data.decode())
        sock.sendto(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nST: roku:ecp\r\nEXT:\r\n"
                    b"USN: uuid:roku:ecp:YH00AB123456\r\nLocation: http://127.0.0.1:8061/\r\n\r\n", addr)

    t = threading.Thread(target=respond, daemon=True)
    t.start()
    try:
        found = asyncio.run(discover_roku(2, target=sock.getsockname()))
    finally:
        sock.close()
    assert "M-SEARCH" in seen[0] and "ST:roku:ecp" in seen[0].replace("ST: ", "ST:")
    assert found == [FoundTv("roku", "127.0.0.1", "uuid:roku:ecp:YH00AB123456", 8061)]
    lines = found[0].config_lines()
    assert lines == '[tv]\nbackend = "roku"\nhost = "127.0.0.1"\nport = 8061'
    cfg = parse_config(lines + '\n[profiles.tv.gestures]\nshake = "tv:power"\n')  # pasteable as printed
    assert cfg.sections["tv"].port == 8061


def test_cec_without_cec_client_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DeviceError, match=r"cec-client not found.*apt install cec-utils"):
        open_tv(TvSettings(backend="cec"))


@pytest.mark.skipif(not shutil.which("cec-client"), reason="cec-utils not installed")
def test_cec_without_an_adapter_is_one_clear_line():
    listing = subprocess.run(["cec-client", "-l"], capture_output=True, text=True, timeout=60).stdout
    if "com port" in listing:
        pytest.skip("this machine has a CEC adapter")
    with pytest.raises(DeviceError, match=r"no HDMI-CEC adapter found") as e:
        open_tv(TvSettings(backend="cec"))
    assert "\n" not in str(e.value)


def test_cec_commands_are_cec_client_lines():
    from wand.outputs.tv import CecTv
    cec = CecTv.__new__(CecTv)  # no adapter here: check the lines a real one would get
    _, acts = tv_actions('backend = "cec"', '"tv:volume_up"', '"tv:digits=42"', '"tv:input=hdmi3"', '"tv:power_off"')
    assert cec.keys(acts[0].params) == ["tx 40:44:41", "tx 40:45"]
    assert cec.keys(acts[1].params) == ["tx 40:44:24", "tx 40:45", "tx 40:44:22", "tx 40:45"]
    assert cec.keys(acts[2].params) == ["tx 4F:82:30:00"]
    assert cec.keys(acts[3].params) == ["standby 0"]


def test_adb_without_adb_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DeviceError, match=r"adb not found.*apt install adb"):
        open_tv(TvSettings(backend="adb", host="127.0.0.1"))


@pytest.mark.skipif(not shutil.which("adb"), reason="adb not installed")
def test_adb_with_no_device_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))  # a private adb server, stopped below
    try:
        with pytest.raises(DeviceError, match=r"Android TV at 127\.0\.0\.1:\d+ unavailable via adb") as e:
            open_tv(TvSettings(backend="adb", host="127.0.0.1", port=free_port()))
        assert "\n" not in str(e.value)
    finally:
        subprocess.run(["adb", "kill-server"], capture_output=True, timeout=60)


def test_android_tv_not_paired_says_how_to_pair(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(DeviceError, match=r"not paired yet: run 'wand tv pair 127\.0\.0\.1'"):
        open_tv(TvSettings(backend="androidtv", host="127.0.0.1"))


def test_android_tv_that_does_not_answer_is_one_clear_line(monkeypatch, tmp_path):
    from androidtvremote2 import AndroidTVRemote

    from wand.paths import androidtv_cert_files
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    cert, key = androidtv_cert_files()
    cert.parent.mkdir(parents=True)

    async def make_cert():
        await AndroidTVRemote("t", str(cert), str(key), "127.0.0.1").async_generate_cert_if_missing()
    asyncio.run(make_cert())
    with pytest.raises(DeviceError, match=r"Android TV at 127\.0\.0\.1:\d+ unavailable .*is it on") as e:
        open_tv(TvSettings(backend="androidtv", host="127.0.0.1", port=free_port()))
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("settings, spec, line, msg", [
    ('backend = "roku"', '"tv:warp"', 5, "command must be one of power"),
    ('backend = "roku"', '"tv:digits=12a"', 5, "digits must be 1-8 digits"),
    ('backend = "roku"', '"tv:input=hdmi9"', 5, "input must be one of next, hdmi1"),
    ('backend = "sony"', '"tv:power"', 3, "backend must be one of roku, androidtv, adb, cec"),
])
def test_tv_mistakes_name_their_line(settings, spec, line, msg):
    with pytest.raises(ConfigError, match=msg) as e:
        parse_config(f"\n[tv]\n{settings}\n[profiles.p.gestures]\ng = {spec}\n")
    assert str(e.value).startswith(f"<config>:{line}:")


@pytest.mark.parametrize("settings, line, msg", [
    ("", 3, r"tv action: no \[tv\] table says which TV: run 'wand tv discover'"),
    ('[tv]\nbackend = "roku"\n', 5, r'tv action: \[tv\] backend = "roku" needs host = "ADDRESS"'),
    ('[tv]\nbackend = "adb"\nport = 5555\n', 6, r'backend = "adb" needs host'),
])
def test_a_tv_action_without_a_tv_to_send_it_to_is_refused_with_its_line(tmp_path, capsys, settings, line, msg):
    """'wand config check' (and so the daemon's load and reload) refuses a tv: action that
    no [tv] table says where to send; a [tv] for HDMI-CEC needs no host."""
    from wand.cli import main
    path = tmp_path / "config.toml"
    path.write_text(f"# mine\n{settings}[profiles.p.gestures]\ncircle_cw = \"tv:digits=7\"\n")
    path.chmod(0o600)
    assert main(["config", "check", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and re.search(msg, err) and f"{path}:{line}:" in err, err
    path.write_text('[tv]\nbackend = "cec"\n[profiles.p.gestures]\ncircle_cw = "tv:digits=7"\n')
    assert main(["config", "check", str(path)]) == 0


def test_a_tv_without_host_at_run_time_is_a_clear_line_and_dry_run_describes():
    with pytest.raises(DeviceError, match=r'needs host = "ADDRESS".*wand tv discover'):
        open_tv(TvSettings(backend="roku"))
    cfg, (act,) = tv_actions('backend = "cec"', '"tv:digits=7"')
    assert OutputSet(cfg, dry_run=True).perform(act, EVENT) == "(dry run) TV digits 7"


def test_discover_command_runs_and_says_what_it_found(capsys):
    from wand.cli import main
    rc = main(["tv", "discover", "--timeout", "1"])
    out = capsys.readouterr().out
    assert "looking 1 s for Rokus" in out
    assert (rc == 1 and "no TV found" in out) or (rc == 0 and "[tv]" in out)


def test_tv_pair_blames_a_damaged_certificate_not_the_network(monkeypatch, tmp_path, capsys):
    """A hand-damaged androidtv-cert.pem failed the TLS set-up and read 'cannot reach the
    Android TV ... is it on'; an unreachable TV's reason was empty (a bare TimeoutError)."""
    from wand.cli import main
    from wand.outputs import tv
    from wand.paths import androidtv_cert_files
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    cert, key = androidtv_cert_files()
    cert.parent.mkdir(parents=True)
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    key.write_text("garbage")
    assert main(["tv", "pair", "127.0.0.1"]) == 1
    err = capsys.readouterr().err
    assert "does not load" in err and "delete both files and pair again" in err and "is it on" not in err
    assert cert.read_text().startswith("-----BEGIN")  # named, not deleted: the user decides
    with pytest.raises(DeviceError, match="does not load"):  # the daemon's TV output says the same
        open_tv(TvSettings(backend="androidtv", host="127.0.0.1"))

    async def times_out(*_a, **_k):
        raise asyncio.TimeoutError()
    monkeypatch.setattr(tv, "pair_androidtv", times_out)
    assert main(["tv", "pair", "127.0.0.1"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the Android TV at 127.0.0.1 (TimeoutError)" in err and err.count("\n") == 1
