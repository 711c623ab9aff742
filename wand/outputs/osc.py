"""OSC (python-osc): a UDP message to music software (SuperCollider, Max, Ableton via
TouchOSC bridges, Sonic Pi), with how vigorous the gesture was as a float argument.

    [osc]
    host = "127.0.0.1"
    port = 57120
    [profiles.music.gestures]
    circle_cw = "osc:/wand/circle"             # sends /wand/circle <strength 0..1>
    shake = { action = "osc", address = "/fx/wet", args = [0.5], strength = false }
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, DeviceError
from .base import Action, ActionKind, ControlKind, Output, OutputSpec, Param, Section

ORDER = 70


@dataclass(frozen=True)
class OscSettings:
    host: str = "127.0.0.1"
    port: int = 57120  # SuperCollider's language port; most software lets you pick


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(/[A-Za-z0-9_.~-]+)+", value) or len(value) > 200:
        raise ConfigError(f"{where}: an OSC address is like /wand/circle (letters, digits, _ . ~ -), got {value!r}")
    return value


FLOAT32_MAX = 3.4028234663852886e38  # OSC floats are 32-bit
INT32 = (-(1 << 31), (1 << 31) - 1)  # and its integers


def _sendable(a: Any) -> bool:
    """What OSC can carry: an int32, a finite float32, a short string without NUL (OSC ends
    strings with one)."""
    if isinstance(a, bool):
        return False
    if isinstance(a, int):
        return INT32[0] <= a <= INT32[1]
    if isinstance(a, float):
        return abs(a) <= FLOAT32_MAX
    return isinstance(a, str) and len(a) <= 200 and "\0" not in a


def _args(value: Any, where: str) -> list:
    if not (isinstance(value, list) and len(value) <= 16 and all(_sendable(a) for a in value)):
        raise ConfigError(f"{where}: OSC args must be a list of up to 16 numbers (32-bit: integers within "
                          f"+-2147483647, floats within +-3.4e38) or short strings without NUL, got {value!r}")
    return list(value)


def arguments(params: dict, event) -> list:
    """The message's arguments: the fixed ones, then the gesture's strength (0..1) as a float."""
    return [*params["args"], *([float(round(event.strength, 4))] if params["strength"] else [])]


OSC = ActionKind("osc", "an OSC message to an address like /wand/circle; its last argument is the gesture's "
                        "strength 0..1 (a float)", (
    Param("address", "custom", parse=_address),
    Param("args", "custom", (), parse=_args),
    Param("strength", "bool", True),
), describe=lambda p, e: f"OSC {p['address']} {arguments(p, e)}")

# Continuous (issue 21): an angle as a float, lo..hi (0..1 by default), after the fixed args.
OSC_CONTROL = ControlKind("osc", "an OSC float following an angle, from lo to hi along the range", (
    Param("address", "custom", parse=_address),
    Param("args", "custom", (), parse=_args),
    Param("lo", "float", 0.0, lo=-1e6, hi=1e6),
    Param("hi", "float", 1.0, lo=-1e6, hi=1e6),
), describe=lambda p, v: f"OSC {p['address']} {[*p['args'], v]}",
   value=lambda p, t: round(p["lo"] + t * (p["hi"] - p["lo"]), 4))


class OscOutput(Output):
    name = "osc"

    def __init__(self, settings: OscSettings) -> None:
        try:
            from pythonosc.udp_client import SimpleUDPClient
        except ImportError as e:
            raise DeviceError(f"OSC output unavailable: {e}; pip install python-osc") from None
        try:
            self._client = SimpleUDPClient(settings.host, settings.port)
        except OSError as e:  # an unknown host name
            raise DeviceError(f"OSC output unavailable: {settings.host}:{settings.port}: {e}") from None
        self.settings = settings

    def perform(self, action: Action, event) -> str:
        args = arguments(action.params, event)
        try:
            self._client.send_message(action.params["address"], args)
        except OSError as e:  # no route, or the port refused an earlier datagram
            raise DeviceError(f"OSC to {self.settings.host}:{self.settings.port} failed: {e.strerror or e}") from None
        return f"OSC {action.params['address']} {args}"

    def control(self, kind: str, params: dict, value: float) -> str:
        args = [*params["args"], float(value)]
        try:
            self._client.send_message(params["address"], args)
        except OSError as e:
            raise DeviceError(f"OSC to {self.settings.host}:{self.settings.port} failed: {e.strerror or e}") from None
        return f"OSC {params['address']} {args}"

    def close(self) -> None:
        self._client._sock.close()


OUTPUTS = (OutputSpec("osc", (OSC,), lambda s, c: OscOutput(s), Section("osc", (
    Param("host", "str", "127.0.0.1"), Param("port", "int", 57120, lo=1, hi=65535)), OscSettings),
                       controls=(OSC_CONTROL,)),)
