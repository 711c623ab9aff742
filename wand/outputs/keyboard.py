"""Keyboard and mouse through pynput (X11/Wayland-XWayland, macOS, Windows)."""

from __future__ import annotations

import time

from ..config import Action
from ..errors import DeviceError
from ..events import GestureEvent
from .base import Output


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
                          "(on Linux an X display: is DISPLAY set?)") from None


class KeyboardOutput(Output):
    name = "keyboard"
    kinds = frozenset({"key", "chord", "text"})

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

    def perform(self, action: Action, event: GestureEvent) -> str:
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
    name = "mouse"
    kinds = frozenset({"click", "move", "scroll"})

    def __init__(self) -> None:
        self._mouse = _pynput("mouse")
        self._ctl = self._mouse.Controller()

    def perform(self, action: Action, event: GestureEvent) -> str:
        p = action.params
        if action.kind == "click":
            self._ctl.click(self._mouse.Button[p["button"]], p["count"])
            return f"clicked {p['button']}"
        if action.kind == "move":
            self._ctl.move(p["dx"], p["dy"])
            return f"moved mouse {p['dx']:+d},{p['dy']:+d}"
        self._ctl.scroll(p["dx"], p["dy"])
        return f"scrolled {p['dx']:+d},{p['dy']:+d}"
