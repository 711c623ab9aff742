"""A TV remote: HDMI-CEC (cec-client), Roku ECP over the LAN, Android / Google TV over its
remote protocol (androidtvremote2) or adb.

    [tv]
    backend = "roku"            # roku | androidtv | adb | cec   ('wand tv discover' prints these lines)
    host = "192.168.1.50"
    [profiles.tv.gestures]
    push_forward = "tv:channel_up"
    circle_cw = { action = "tv", command = "volume_up", repeat = 3 }
    swipe_down = "tv:digits=101"
    shake = "tv:input=hdmi2"

One command vocabulary for every backend; each backend maps it to its own keys. The
network libraries are asyncio, so this output runs one event loop of its own in a thread
(actions are performed off the daemon's loop).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DeviceError
from .base import Action, ActionKind, Output, OutputSpec, Param, Section

ORDER = 50
BACKENDS = ("roku", "androidtv", "adb", "cec")
DEFAULT_PORTS = {"roku": 8060, "androidtv": 6466, "adb": 5555, "cec": 0}
COMMANDS = ("power", "power_on", "power_off", "volume_up", "volume_down", "mute", "channel_up", "channel_down",
            "input", "digits", "up", "down", "left", "right", "select", "back", "home", "menu", "info",
            "play_pause", "play", "pause", "stop", "rewind", "fast_forward")
INPUTS = ("next", "hdmi1", "hdmi2", "hdmi3", "hdmi4", "tuner", "av1")
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class TvSettings:
    backend: str = "roku"
    host: str | None = None       # roku, androidtv, adb
    port: int = 0                 # 0: the backend's usual port
    cec_adapter: str | None = None  # cec: e.g. "/dev/cec0" or "RPI"; none: the first one found
    client_name: str = "magic wand"  # androidtv: the name the TV shows when pairing


def _digits(value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,8}", value):
        raise ConfigError(f"{where}: digits must be 1-8 digits 0-9 as a string, e.g. \"101\", got {value!r}")
    return value


def _split(arg: str) -> dict[str, str]:
    command, eq, value = arg.partition("=")
    return {"command": command, command: value} if eq and command in ("digits", "input") else {"command": arg}


def _finish(p: dict, where: str) -> dict:
    if p["command"] == "digits" and not p["digits"]:
        raise ConfigError(f"{where}: tv digits needs digits, e.g. \"tv:digits=101\"")
    if p["command"] != "digits":
        p.pop("digits")
    if p["command"] != "input":
        p.pop("input")
    return p


def describe(p: dict) -> str:
    what = {"digits": f"digits {p.get('digits')}", "input": f"input {p.get('input')}"}.get(p["command"], p["command"])
    return f"TV {what}" + (f" x{p['repeat']}" if p["repeat"] > 1 else "")


TV = ActionKind("tv", "a TV remote button: " + ", ".join(COMMANDS) + " (digits=NNN, input=hdmi1..4|next)", (
    Param("command", "choice", choices=COMMANDS),
    Param("digits", "custom", "", parse=_digits),
    Param("input", "choice", "next", choices=INPUTS),
    Param("repeat", "int", 1, lo=1, hi=20),
    Param("interval_ms", "int", 150, lo=0, hi=5000),
), describe=lambda p, e: describe(p), split_arg=_split, finish=_finish)


def _keys(table: dict[str, str], p: dict, digit: str, inputs: dict[str, str]) -> list[str]:
    """A command -> the backend's key names (digits give several)."""
    if p["command"] == "digits":
        return [digit.format(d) for d in p["digits"]]
    if p["command"] == "input":
        return [inputs[p["input"]]]
    return [table[p["command"]]]


# --- Roku: External Control Protocol (rokuecp's key names) ---
ROKU_KEYS = {"power": "power", "power_on": "poweron", "power_off": "poweroff", "volume_up": "volume_up",
             "volume_down": "volume_down", "mute": "volume_mute", "channel_up": "channel_up",
             "channel_down": "channel_down", "up": "up", "down": "down", "left": "left", "right": "right",
             "select": "select", "back": "back", "home": "home", "menu": "info", "info": "info",
             "play_pause": "play", "play": "play", "pause": "play", "stop": "back", "rewind": "reverse",
             "fast_forward": "forward"}
ROKU_INPUTS = {"next": "input_tuner", "hdmi1": "input_hdmi1", "hdmi2": "input_hdmi2", "hdmi3": "input_hdmi3",
               "hdmi4": "input_hdmi4", "tuner": "input_tuner", "av1": "input_av1"}
# --- Android: KeyEvent names (androidtvremote2 and 'adb shell input keyevent') ---
ANDROID_KEYS = {"power": "POWER", "power_on": "WAKEUP", "power_off": "SLEEP", "volume_up": "VOLUME_UP",
                "volume_down": "VOLUME_DOWN", "mute": "VOLUME_MUTE", "channel_up": "CHANNEL_UP",
                "channel_down": "CHANNEL_DOWN", "up": "DPAD_UP", "down": "DPAD_DOWN", "left": "DPAD_LEFT",
                "right": "DPAD_RIGHT", "select": "DPAD_CENTER", "back": "BACK", "home": "HOME", "menu": "MENU",
                "info": "INFO", "play_pause": "MEDIA_PLAY_PAUSE", "play": "MEDIA_PLAY", "pause": "MEDIA_PAUSE",
                "stop": "MEDIA_STOP", "rewind": "MEDIA_REWIND", "fast_forward": "MEDIA_FAST_FORWARD"}
ANDROID_INPUTS = {"next": "TV_INPUT", "hdmi1": "TV_INPUT_HDMI_1", "hdmi2": "TV_INPUT_HDMI_2",
                  "hdmi3": "TV_INPUT_HDMI_3", "hdmi4": "TV_INPUT_HDMI_4", "tuner": "TV", "av1": "TV_INPUT_COMPOSITE_1"}
# --- HDMI-CEC: User Control Pressed operands (CEC 1.4 table 27), as cec-client 'tx' lines ---
CEC_CODES = {"power": "40", "power_on": "6D", "power_off": "6C", "volume_up": "41", "volume_down": "42",
             "mute": "43", "channel_up": "30", "channel_down": "31", "up": "01", "down": "02", "left": "03",
             "right": "04", "select": "00", "back": "0D", "home": "09", "menu": "0A", "info": "35",
             "play_pause": "44", "play": "44", "pause": "46", "stop": "45", "rewind": "48", "fast_forward": "49"}
CEC_INPUTS = {"next": "34", **{f"hdmi{n}": f"hdmi{n}" for n in range(1, 5)}, "tuner": "34", "av1": "34"}


class _Loop:
    """An asyncio loop in a thread, for the asyncio TV libraries."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="wand-tv", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = TIMEOUT_S):
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class TvOutput(Output):
    name = "tv"

    def __init__(self, settings: TvSettings) -> None:
        self.settings = settings
        self.port = settings.port or DEFAULT_PORTS[settings.backend]
        if settings.backend != "cec" and not settings.host:
            raise DeviceError(f"TV output: [tv] backend = \"{settings.backend}\" needs host = \"ADDRESS\" "
                              "('wand tv discover' finds TVs on the network)")

    def keys(self, p: dict) -> list[str]:
        raise NotImplementedError

    def press(self, key: str) -> None:
        raise NotImplementedError

    def perform(self, action: Action, event) -> str:
        p = action.params
        keys = self.keys(p)
        for i in range(p["repeat"]):
            for key in keys:
                self.press(key)
            if i + 1 < p["repeat"]:
                time.sleep(p["interval_ms"] / 1000)
        return f"{describe(p)} ({self.settings.backend})"


class RokuTv(TvOutput):
    def __init__(self, settings: TvSettings) -> None:
        super().__init__(settings)
        try:
            from rokuecp import Roku, RokuError
        except ImportError as e:
            raise DeviceError(f"TV output unavailable: {e}; pip install rokuecp") from None
        self._loop = _Loop()
        self._error = RokuError

        async def make():
            return Roku(settings.host, port=self.port, request_timeout=int(TIMEOUT_S / 2))
        self._roku = self._loop.run(make())

    def keys(self, p: dict) -> list[str]:
        return _keys(ROKU_KEYS, p, "Lit_{}", ROKU_INPUTS)

    def press(self, key: str) -> None:
        try:
            self._loop.run(self._roku.remote(key))
        except (self._error, asyncio.TimeoutError) as e:
            raise DeviceError(f"Roku at {self.settings.host}:{self.port} did not take {key!r} ({e}): "
                              "is it on and on this network? ('wand tv discover')") from None

    def close(self) -> None:
        try:
            self._loop.run(self._roku.close_session())
        finally:
            self._loop.close()


class AndroidTv(TvOutput):
    """Android / Google TV through its remote protocol v2 (needs 'wand tv pair HOST' once)."""

    def __init__(self, settings: TvSettings) -> None:
        super().__init__(settings)
        try:
            from androidtvremote2 import AndroidTVRemote, CannotConnect, ConnectionClosed, InvalidAuth
        except ImportError as e:
            raise DeviceError(f"TV output unavailable: {e}; pip install androidtvremote2") from None
        from ..paths import androidtv_cert_files
        cert, key = androidtv_cert_files()
        if not cert.exists() or not key.exists():
            raise DeviceError(f"Android TV at {settings.host} is not paired yet: run 'wand tv pair {settings.host}' "
                              "and type the code the TV shows")
        check_cert_pair(cert, key)  # a damaged one is not an unreachable TV
        self._loop = _Loop()
        self._errors = (CannotConnect, ConnectionClosed, InvalidAuth, OSError, asyncio.TimeoutError)

        async def connect():
            remote = AndroidTVRemote(settings.client_name, str(cert), str(key), settings.host, api_port=self.port)
            await remote.async_connect()
            remote.keep_reconnecting()
            return remote
        try:
            self._remote = self._loop.run(connect())
        except self._errors as e:
            self._loop.close()
            hint = "pair again: 'wand tv pair HOST'" if type(e).__name__ == "InvalidAuth" else \
                "is it on and on this network? ('wand tv discover')"
            raise DeviceError(f"Android TV at {settings.host}:{self.port} unavailable "
                              f"({type(e).__name__}: {e or 'no answer'}); {hint}") from None

    def keys(self, p: dict) -> list[str]:
        return ["KEYCODE_" + k for k in _keys(ANDROID_KEYS, p, "{}", ANDROID_INPUTS)]

    def press(self, key: str) -> None:
        async def send() -> None:  # the library's calls belong on its loop
            self._remote.send_key_command(key)
        try:
            self._loop.run(send())
        except self._errors as e:
            raise DeviceError(f"Android TV at {self.settings.host}: {e}") from None

    def close(self) -> None:
        self._loop.loop.call_soon_threadsafe(self._remote.disconnect)
        self._loop.close()


class AdbTv(TvOutput):
    """Android TV with network debugging on, through the adb binary (Debian 'adb')."""

    def __init__(self, settings: TvSettings) -> None:
        super().__init__(settings)
        self.adb = shutil.which("adb")
        if not self.adb:
            raise DeviceError("TV output unavailable: adb not found; install it ('sudo apt install adb') "
                              "or use [tv] backend = \"androidtv\"")
        self.serial = f"{settings.host}:{self.port}"
        out = self._adb(["connect", self.serial])
        if "connected to" not in out:  # 'connected to' / 'already connected to'
            raise DeviceError(f"Android TV at {self.serial} unavailable via adb ({out.strip() or 'no answer'}): "
                              "turn on network debugging in its developer options, and allow this computer")

    def _adb(self, args: list[str]) -> str:
        try:
            done = subprocess.run([self.adb, *args], capture_output=True, text=True, timeout=TIMEOUT_S * 2)
        except subprocess.TimeoutExpired:
            raise DeviceError(f"adb {' '.join(args)}: no answer in {TIMEOUT_S * 2:.0f} s") from None
        return (done.stdout + done.stderr).strip().splitlines()[-1:][0] if (done.stdout + done.stderr).strip() else ""

    def keys(self, p: dict) -> list[str]:
        return ["KEYCODE_" + k for k in _keys(ANDROID_KEYS, p, "{}", ANDROID_INPUTS)]

    def press(self, key: str) -> None:
        try:
            done = subprocess.run([self.adb, "-s", self.serial, "shell", "input", "keyevent", key],
                                  capture_output=True, text=True, timeout=TIMEOUT_S * 2)
        except subprocess.TimeoutExpired:
            raise DeviceError(f"adb: {self.serial} did not answer") from None
        if done.returncode:
            raise DeviceError(f"adb: {self.serial}: {(done.stderr or done.stdout).strip()[:200]}")


class CecTv(TvOutput):
    """HDMI-CEC from a computer wired to the TV (a Raspberry Pi behind it), via libcec's cec-client."""

    SELF = "4"  # cec-client -t p registers as a playback device: logical address 4

    def __init__(self, settings: TvSettings) -> None:
        super().__init__(settings)
        self.client = shutil.which("cec-client")
        if not self.client:
            raise DeviceError("TV output unavailable: cec-client not found; install libcec's tools "
                              "('sudo apt install cec-utils')")
        try:
            listing = subprocess.run([self.client, "-l"], capture_output=True, text=True, timeout=TIMEOUT_S * 3).stdout
        except subprocess.TimeoutExpired:
            listing = ""
        if "Found devices: NONE" in listing or "com port" not in listing:
            raise DeviceError("TV output unavailable: no HDMI-CEC adapter found ('cec-client -l' lists none): "
                              "on a Raspberry Pi use the HDMI port nearest the power jack; elsewhere a "
                              "Pulse-Eight USB-CEC adapter")
        self._proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        args = [self.client, "-t", "p", "-d", "1"] + ([self.settings.cec_adapter] if self.settings.cec_adapter else [])
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, text=True)

    def keys(self, p: dict) -> list[str]:
        if p["command"] == "input" and p["input"].startswith("hdmi"):  # routing: 'active source' at n.0.0.0
            return [f"tx {self.SELF}F:82:{p['input'][4]}0:00"]
        if p["command"] in ("power_on", "power_off"):
            return ["on 0" if p["command"] == "power_on" else "standby 0"]
        codes = _keys(CEC_CODES, p, "2{}", CEC_INPUTS)
        return [line for c in codes for line in (f"tx {self.SELF}0:44:{c}", f"tx {self.SELF}0:45")]

    def press(self, line: str) -> None:
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            self._proc = None
            raise DeviceError(f"cec-client stopped ({e}); it is restarted at the next gesture") from None

    def close(self) -> None:
        if self._proc and self._proc.poll() is None:
            try:
                self._proc.stdin.write("q\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()


BACKEND_CLASSES = {"roku": RokuTv, "androidtv": AndroidTv, "adb": AdbTv, "cec": CecTv}


def open_tv(settings: TvSettings) -> TvOutput:
    return BACKEND_CLASSES[settings.backend](settings)


SECTION = Section("tv", (
    Param("backend", "choice", "roku", choices=BACKENDS),
    Param("host", "str", None),
    Param("port", "int", 0, lo=0, hi=65535),
    Param("cec_adapter", "str", None),
    Param("client_name", "str", "magic wand"),
), TvSettings)
def _needs(settings: TvSettings | None) -> str | None:
    """Which TV: a [tv] table with the TV's host (HDMI-CEC finds its adapter by itself)."""
    if settings is None:
        return ("no [tv] table says which TV: run 'wand tv discover' and paste the [tv] lines it prints "
                "into this config")
    if settings.backend != "cec" and not settings.host:
        return f"[tv] backend = \"{settings.backend}\" needs host = \"ADDRESS\" ('wand tv discover' finds it)"
    return None


OUTPUTS = (OutputSpec("tv", (TV,), lambda s, c: open_tv(s), SECTION, needs=_needs),)


# --- finding TVs on the LAN ('wand tv discover') ---
ANDROIDTV_SERVICE = "_androidtvremote2._tcp.local."


@dataclass(frozen=True)
class FoundTv:
    backend: str
    host: str
    name: str = ""
    port: int = 0

    def config_lines(self) -> str:
        lines = ["[tv]", f'backend = "{self.backend}"']
        if self.backend == "cec":
            lines.append(f'cec_adapter = "{self.host}"')
        else:
            lines.append(f'host = "{self.host}"')
        if self.port and self.port != DEFAULT_PORTS[self.backend]:
            lines.append(f"port = {self.port}")
        return "\n".join(lines)


async def discover_roku(timeout: float, target: tuple[str, int] | None = None) -> list[FoundTv]:
    """Rokus answer an SSDP search for 'roku:ecp' with their ECP address."""
    from urllib.parse import urlsplit

    from async_upnp_client.search import async_search
    found: dict[str, FoundTv] = {}

    async def on_response(headers) -> None:
        url = urlsplit(headers.get("location", ""))
        if url.hostname:
            found[url.hostname] = FoundTv("roku", url.hostname, headers.get("usn", ""), url.port or 8060)

    kwargs = {"target": target} if target else {}
    await async_search(on_response, timeout=max(1, round(timeout)), search_target="roku:ecp", **kwargs)
    return sorted(found.values(), key=lambda f: f.host)


async def discover_androidtv(timeout: float) -> list[FoundTv]:
    """Android / Google TVs advertise their remote service over mDNS."""
    from zeroconf import ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf
    names: set[str] = set()

    def on_change(zeroconf, service_type, name, state_change) -> None:
        if state_change is not ServiceStateChange.Removed:
            names.add(name)

    azc = AsyncZeroconf()
    try:
        browser = AsyncServiceBrowser(azc.zeroconf, [ANDROIDTV_SERVICE], handlers=[on_change])
        await asyncio.sleep(timeout)
        await browser.async_cancel()
        found = []
        for name in sorted(names):
            info = AsyncServiceInfo(ANDROIDTV_SERVICE, name)
            if await info.async_request(azc.zeroconf, 3000) and info.parsed_addresses():
                found.append(FoundTv("androidtv", info.parsed_addresses()[0], name.split(".")[0], info.port or 0))
        return found
    finally:
        await azc.async_close()


def discover_cec() -> list[FoundTv]:
    """HDMI-CEC adapters on this computer (cec-client -l)."""
    client = shutil.which("cec-client")
    if not client:
        return []
    try:
        out = subprocess.run([client, "-l"], capture_output=True, text=True, timeout=TIMEOUT_S * 3).stdout
    except subprocess.TimeoutExpired:
        return []
    return [FoundTv("cec", m.group(1).strip(), "HDMI-CEC adapter") for m in re.finditer(r"com port:\s*(\S+)", out)]


async def discover(timeout: float) -> tuple[list[FoundTv], list[str]]:
    """Every TV found, and one line per way of looking that could not run."""
    problems: list[str] = []

    async def safely(what: str, coro) -> list[FoundTv]:
        try:
            return await coro
        except ImportError as e:
            problems.append(f"{what}: not searched ({e}; pip install magic-wand)")
        except OSError as e:
            problems.append(f"{what}: not searched ({e.strerror or e})")
        return []

    roku, android = await asyncio.gather(safely("Roku (SSDP)", discover_roku(timeout)),
                                         safely("Android TV (mDNS)", discover_androidtv(timeout)))
    return roku + android + discover_cec(), problems


def check_cert_pair(cert: Path, key: Path) -> None:
    """The kept client certificate and key, if there, must load: a damaged one would fail the
    TLS set-up and read as an unreachable TV. None yet: pairing makes them."""
    import ssl
    if not cert.exists() and not key.exists():
        return
    try:
        ssl.create_default_context(ssl.Purpose.SERVER_AUTH).load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or getattr(e, "reason", None) or str(e) or type(e).__name__
        raise DeviceError(f"{cert} / {key}: the Android TV client certificate does not load ({reason}); delete "
                          "both files and pair again ('wand tv pair HOST')") from None


async def pair_androidtv(host: str, client_name: str, ask_code, port: int = 6467) -> str:
    """Android TV's pairing: the TV shows a code, the user types it; the certificate is kept."""
    from androidtvremote2 import AndroidTVRemote

    from ..paths import androidtv_cert_files
    cert, key = androidtv_cert_files()
    cert.parent.mkdir(parents=True, exist_ok=True)
    check_cert_pair(cert, key)
    remote = AndroidTVRemote(client_name, str(cert), str(key), host, pair_port=port)
    if await remote.async_generate_cert_if_missing():
        cert.chmod(0o600)
        key.chmod(0o600)
    await remote.async_start_pairing()
    code = await asyncio.get_running_loop().run_in_executor(None, ask_code)
    await remote.async_finish_pairing(code.strip())
    return str(cert)
