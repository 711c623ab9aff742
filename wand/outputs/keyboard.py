"""Keyboard and mouse: pynput (X11, macOS, Windows) or a virtual uinput device (Wayland,
consoles), with the same key names either way.

``[keyboard] backend`` is "auto" (the default), "pynput" or "uinput"; ``choose_backend``
says which one auto picks and why, and ``wand run`` prints that line.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import ConfigError, DeviceError
from .base import Action, ActionKind, ControlKind, Output, OutputSpec, Param, Section

ORDER = 10
KEY_ALIASES = {
    "volume_up": "media_volume_up", "volume_down": "media_volume_down", "mute": "media_volume_mute",
    "play_pause": "media_play_pause", "next": "media_next", "previous": "media_previous",
    "channel_up": "page_up", "channel_down": "page_down",  # what media centres (Kodi, MythTV) bind
}
SPECIAL_KEYS = {
    "alt", "alt_l", "alt_r", "alt_gr", "backspace", "caps_lock", "cmd", "cmd_l", "cmd_r", "ctrl", "ctrl_l",
    "ctrl_r", "delete", "down", "end", "enter", "esc", "home", "left", "page_down", "page_up", "right", "shift",
    "shift_l", "shift_r", "space", "tab", "up", "media_play_pause", "media_volume_mute", "media_volume_down",
    "media_volume_up", "media_previous", "media_next", "insert", "menu", "num_lock", "pause", "print_screen",
    "scroll_lock", *(f"f{i}" for i in range(1, 21)),
}
MODIFIERS = {"alt", "alt_l", "alt_r", "alt_gr", "cmd", "cmd_l", "cmd_r", "ctrl", "ctrl_l", "ctrl_r", "shift",
             "shift_l", "shift_r"}
MOUSE_BUTTONS = ("left", "right", "middle")
BACKENDS = ("auto", "pynput", "uinput")


def key_name(value: Any, where: str) -> str:
    """A key as the config writes it -> its canonical name (one character or a SPECIAL_KEYS name)."""
    if isinstance(value, str) and len(value) == 1 and value.isprintable():
        return value
    k = KEY_ALIASES.get(value.lower(), value.lower()) if isinstance(value, str) else None
    if k in SPECIAL_KEYS:
        return k
    named = sorted((SPECIAL_KEYS | set(KEY_ALIASES)) - {f"f{i}" for i in range(2, 21)})
    raise ConfigError(f"{where}: unknown key {value!r}: use one character, f1-f20, or one of {', '.join(named)}")


def _chord(value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: chord must be a string like ctrl+shift+z, got {value!r}")
    keys = [key_name(k.strip(), where) for k in value.split("+") if k.strip()]
    if len(keys) < 2 or any(k not in MODIFIERS for k in keys[:-1]):
        raise ConfigError(f"{where}: chord {value!r} must be modifiers then one key, e.g. ctrl+shift+z")
    return keys


def _pair(value: Any, where: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in value.split(",")) if isinstance(value, str) and value.isascii() else (None, None)
        if abs(a) <= 10000 and abs(b) <= 10000:
            return a, b
    except (TypeError, ValueError):
        pass
    raise ConfigError(f"{where}: delta must be 'dx,dy' (integers -10000..10000), got {value!r}")


MS = dict(lo=0, hi=10000)
KEY = ActionKind("key", "a key: a character or a name like enter, f5, volume_up, channel_up", (
    Param("key", "custom", parse=key_name),
    Param("repeat", "int", 1, lo=1, hi=100),
    Param("interval_ms", "int", 80, **MS),
    Param("hold_ms", "int", 0, **MS),
), describe=lambda p, e: f"press {p['key']}" + (f" x{p['repeat']}" if p["repeat"] > 1 else ""))
CHORD = ActionKind("chord", "keys pressed together, e.g. ctrl+shift+z", (Param("keys", "custom", parse=_chord),),
                   describe=lambda p, e: "press " + "+".join(p["keys"]))
TEXT = ActionKind("text", "text typed as it is", (Param("text", "str"),), describe=lambda p, e: f"type {p['text']!r}")
CLICK = ActionKind("click", "a mouse button: left, right or middle", (
    Param("button", "choice", choices=MOUSE_BUTTONS),
    Param("count", "int", 1, lo=1, hi=3),
), describe=lambda p, e: f"click {p['button']}" + (f" x{p['count']}" if p["count"] > 1 else ""))
MOVE = ActionKind("move", "a relative mouse move 'dx,dy' in pixels", (Param("delta", "custom", parse=_pair),),
                  describe=lambda p, e: f"move mouse {p['delta'][0]:+d},{p['delta'][1]:+d}")
SCROLL = ActionKind("scroll", "a scroll 'dx,dy' in steps", (Param("delta", "custom", parse=_pair),),
                    describe=lambda p, e: f"scroll mouse {p['delta'][0]:+d},{p['delta'][1]:+d}")

POINTER = ControlKind("pointer", "the air mouse: the wand's turn moves the pointer (yaw -> x, pitch -> y)", (),
                      describe=lambda p, v: f"move pointer {v[0]:+d},{v[1]:+d}")


@dataclass(frozen=True)
class KeyboardSettings:
    backend: str = "auto"


SECTION = Section("keyboard", (Param("backend", "choice", "auto", choices=BACKENDS,
                                     help="auto: uinput on Wayland or without X, else pynput"),), KeyboardSettings)


def choose_backend(settings: KeyboardSettings | None = None, env: Mapping[str, str] | None = None,
                   platform: str = sys.platform) -> tuple[str, str]:
    """(backend, why) for keys and mouse."""
    env = os.environ if env is None else env
    if settings and settings.backend != "auto":
        return settings.backend, f"[keyboard] backend = \"{settings.backend}\" in the config"
    if not platform.startswith("linux"):
        return "pynput", f"{platform} has no uinput"
    if env.get("WAYLAND_DISPLAY"):
        return "uinput", "a Wayland session, WAYLAND_DISPLAY is set: pynput would reach only X11 apps"
    if env.get("DISPLAY"):
        return "pynput", f"an X display, DISPLAY={env['DISPLAY']}"
    return "uinput", "no X display: DISPLAY is not set"


def backend_line(settings: KeyboardSettings | None = None) -> str:
    backend, why = choose_backend(settings)
    return f"keys and mouse: {backend} ({why})"


def _pynput(part: str):
    try:
        if part == "keyboard":
            from pynput import keyboard as mod
        else:
            from pynput import mouse as mod
        return mod
    except ImportError as e:  # pynput raises ImportError when it finds no display
        reason = str(e).splitlines()[0]
        raise DeviceError(f"{part} output unavailable: {reason}; it needs a desktop session "
                          "(on Linux an X display: is DISPLAY set?), or set [keyboard] backend = \"uinput\"") from None


class KeyboardOutput(Output):
    """Keys through pynput."""

    name = "keyboard"

    def __init__(self) -> None:
        self._kb = _pynput("keyboard")
        self._ctl = self._kb.Controller()

    def _key(self, name: str):
        if len(name) == 1:
            return self._kb.KeyCode.from_char(name)
        try:
            return self._kb.Key[name]
        except KeyError:
            raise DeviceError(f"this platform has no key {name!r}") from None

    def perform(self, action: Action, event) -> str:
        p = action.params
        if action.kind == "key":
            key = self._key(p["key"])
            for i in range(p["repeat"]):
                self._ctl.press(key)
                if p["hold_ms"]:
                    time.sleep(p["hold_ms"] / 1000)
                self._ctl.release(key)
                if i + 1 < p["repeat"]:
                    time.sleep(p["interval_ms"] / 1000)
            return f"pressed {p['key']}" + (f" x{p['repeat']}" if p["repeat"] > 1 else "")
        if action.kind == "chord":
            keys = [self._key(k) for k in p["keys"]]
            for k in keys:
                self._ctl.press(k)
            for k in reversed(keys):
                self._ctl.release(k)
            return "pressed " + "+".join(p["keys"])
        self._ctl.type(p["text"])
        return f"typed {p['text']!r}"


class MouseOutput(Output):
    """The mouse through pynput."""

    name = "mouse"

    def __init__(self) -> None:
        self._mouse = _pynput("mouse")
        self._ctl = self._mouse.Controller()

    def perform(self, action: Action, event) -> str:
        p = action.params
        if action.kind == "click":
            self._ctl.click(self._mouse.Button[p["button"]], p["count"])
            return f"clicked {p['button']}"
        dx, dy = p["delta"]
        if action.kind == "move":
            self.control("pointer", {}, (dx, dy))
            return f"moved mouse {dx:+d},{dy:+d}"
        self._ctl.scroll(dx, dy)
        return f"scrolled {dx:+d},{dy:+d}"

    def control(self, kind: str, params: dict, value: tuple[int, int]) -> str:
        self._ctl.move(*value)
        return f"moved mouse {value[0]:+d},{value[1]:+d}"


def _open(part: str, settings: KeyboardSettings | None) -> Output:
    backend, why = choose_backend(settings)
    if backend == "pynput":
        return KeyboardOutput() if part == "keyboard" else MouseOutput()
    from ._uinput import UinputKeyboard, UinputMouse
    try:
        return UinputKeyboard() if part == "keyboard" else UinputMouse()
    except DeviceError as e:
        raise DeviceError(f"{part} output unavailable: uinput chosen because of {why}, and {e}") from None


OUTPUTS = (
    OutputSpec("keyboard", (KEY, CHORD, TEXT), lambda s, c: _open("keyboard", s), SECTION),
    OutputSpec("mouse", (CLICK, MOVE, SCROLL), lambda s, c: _open("mouse", s), SECTION, controls=(POINTER,)),
)
