"""Keys and mouse through a virtual uinput device (python-evdev): works on Wayland and on
a console, where pynput has no backend. Key names are the config's (keyboard.py); a
character is typed as the key that makes it on a US layout, with shift where needed.
"""

from __future__ import annotations

import string
import time

from ..errors import DeviceError
from .base import Action, Output

UINPUT_HINT = ("it needs /dev/uinput: 'sudo modprobe uinput', and access to it "
               "(add your user to the 'input' group, or a udev rule); other outputs keep working")

# config key names (keyboard.SPECIAL_KEYS) -> linux/input-event-codes.h names
NAMED_CODES = {
    "alt": "KEY_LEFTALT", "alt_l": "KEY_LEFTALT", "alt_r": "KEY_RIGHTALT", "alt_gr": "KEY_RIGHTALT",
    "backspace": "KEY_BACKSPACE", "caps_lock": "KEY_CAPSLOCK", "cmd": "KEY_LEFTMETA", "cmd_l": "KEY_LEFTMETA",
    "cmd_r": "KEY_RIGHTMETA", "ctrl": "KEY_LEFTCTRL", "ctrl_l": "KEY_LEFTCTRL", "ctrl_r": "KEY_RIGHTCTRL",
    "delete": "KEY_DELETE", "down": "KEY_DOWN", "end": "KEY_END", "enter": "KEY_ENTER", "esc": "KEY_ESC",
    "home": "KEY_HOME", "left": "KEY_LEFT", "page_down": "KEY_PAGEDOWN", "page_up": "KEY_PAGEUP",
    "right": "KEY_RIGHT", "shift": "KEY_LEFTSHIFT", "shift_l": "KEY_LEFTSHIFT", "shift_r": "KEY_RIGHTSHIFT",
    "space": "KEY_SPACE", "tab": "KEY_TAB", "up": "KEY_UP", "media_play_pause": "KEY_PLAYPAUSE",
    "media_volume_mute": "KEY_MUTE", "media_volume_down": "KEY_VOLUMEDOWN", "media_volume_up": "KEY_VOLUMEUP",
    "media_previous": "KEY_PREVIOUSSONG", "media_next": "KEY_NEXTSONG", "insert": "KEY_INSERT",
    "menu": "KEY_COMPOSE", "num_lock": "KEY_NUMLOCK", "pause": "KEY_PAUSE", "print_screen": "KEY_SYSRQ",
    "scroll_lock": "KEY_SCROLLLOCK", **{f"f{i}": f"KEY_F{i}" for i in range(1, 21)},
}
_PLAIN = {"-": "MINUS", "=": "EQUAL", "[": "LEFTBRACE", "]": "RIGHTBRACE", "\\": "BACKSLASH", ";": "SEMICOLON",
          "'": "APOSTROPHE", "`": "GRAVE", ",": "COMMA", ".": "DOT", "/": "SLASH", " ": "SPACE", "\n": "ENTER",
          "\t": "TAB"}
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
            "_": "-", "+": "=", "{": "[", "}": "]", "|": "\\", ":": ";", '"': "'", "~": "`", "<": ",", ">": ".",
            "?": "/"}


def char_code(ch: str) -> tuple[str, bool]:
    """A character -> (evdev key name, needs shift) on a US layout; KeyError if it has none."""
    if ch in string.ascii_lowercase or ch in string.digits:
        return f"KEY_{ch.upper()}", False
    if ch in string.ascii_uppercase:
        return f"KEY_{ch}", True
    if ch in _PLAIN:
        return f"KEY_{_PLAIN[ch]}", False
    if ch in _SHIFTED:
        return char_code(_SHIFTED[ch])[0], True
    raise KeyError(ch)


def key_code(name: str) -> tuple[str, bool]:
    """A config key name (keyboard.key_name's result) -> (evdev key name, needs shift)."""
    if len(name) == 1:
        return char_code(name)
    return NAMED_CODES[name], False


def _evdev():
    try:
        import evdev
        return evdev
    except ImportError as e:
        raise DeviceError(f"python-evdev is missing ({e}): pip install evdev") from None


class _Device:
    def __init__(self, caps: dict, name: str) -> None:
        evdev = _evdev()
        self.ec = evdev.ecodes
        try:
            self.ui = evdev.UInput(caps, name=name)
        except (OSError, evdev.UInputError) as e:
            raise DeviceError(f"{UINPUT_HINT} ({e})") from None

    def emit(self, type_: int, code: int, value: int) -> None:
        self.ui.write(type_, code, value)
        self.ui.syn()


class UinputKeyboard(Output):
    name = "keyboard"

    def __init__(self) -> None:
        ec = _evdev().ecodes
        codes = {NAMED_CODES[n] for n in NAMED_CODES} | {f"KEY_{c}" for c in string.ascii_uppercase + string.digits}
        codes |= {f"KEY_{v}" for v in _PLAIN.values()}
        self._dev = _Device({ec.EV_KEY: sorted(getattr(ec, c) for c in codes)}, "magic wand keyboard")
        self._ec = ec

    def _tap(self, names: list[tuple[str, bool]], hold_s: float = 0.0) -> None:
        ec, dev = self._ec, self._dev
        codes = [getattr(ec, n) for n, _ in names]
        if any(shift for _, shift in names):
            codes.insert(0, ec.KEY_LEFTSHIFT)
        for c in codes:
            dev.emit(ec.EV_KEY, c, 1)
        if hold_s:
            time.sleep(hold_s)
        for c in reversed(codes):
            dev.emit(ec.EV_KEY, c, 0)

    def _code(self, name: str, where: str) -> tuple[str, bool]:
        try:
            return key_code(name)
        except KeyError:
            raise DeviceError(f"{where}: the uinput backend types US-layout ASCII only; it has no key for {name!r} "
                              "(use [keyboard] backend = \"pynput\" on X11)") from None

    def perform(self, action: Action, event) -> str:
        p = action.params
        if action.kind == "key":
            code = self._code(p["key"], action.where)
            for i in range(p["repeat"]):
                self._tap([code], p["hold_ms"] / 1000)
                if i + 1 < p["repeat"]:
                    time.sleep(p["interval_ms"] / 1000)
            return f"pressed {p['key']} (uinput)" + (f" x{p['repeat']}" if p["repeat"] > 1 else "")
        if action.kind == "chord":
            self._tap([self._code(k, action.where) for k in p["keys"]])
            return "pressed " + "+".join(p["keys"]) + " (uinput)"
        codes = [self._code(ch, action.where) for ch in p["text"]]  # all or nothing: check first
        for c in codes:
            self._tap([c])
        return f"typed {p['text']!r} (uinput)"

    def close(self) -> None:
        self._dev.ui.close()


class UinputMouse(Output):
    name = "mouse"
    BUTTONS = {"left": "BTN_LEFT", "right": "BTN_RIGHT", "middle": "BTN_MIDDLE"}

    def __init__(self) -> None:
        ec = _evdev().ecodes
        self._ec = ec
        self._dev = _Device({ec.EV_KEY: [getattr(ec, b) for b in self.BUTTONS.values()],
                             ec.EV_REL: [ec.REL_X, ec.REL_Y, ec.REL_WHEEL, ec.REL_HWHEEL]}, "magic wand mouse")

    def perform(self, action: Action, event) -> str:
        p, ec, dev = action.params, self._ec, self._dev
        if action.kind == "click":
            code = getattr(ec, self.BUTTONS[p["button"]])
            for _ in range(p["count"]):
                dev.emit(ec.EV_KEY, code, 1)
                dev.emit(ec.EV_KEY, code, 0)
            return f"clicked {p['button']} (uinput)"
        dx, dy = p["delta"]
        if action.kind == "move":
            return self.control("pointer", {}, (dx, dy))
        dev.ui.write(ec.EV_REL, ec.REL_HWHEEL, dx)  # pynput and evdev agree: +dy is up, +dx is right
        dev.ui.write(ec.EV_REL, ec.REL_WHEEL, dy)
        dev.ui.syn()
        return f"scrolled {dx:+d},{dy:+d} (uinput)"

    def control(self, kind: str, params: dict, value: tuple[int, int]) -> str:
        """The air mouse: one relative move (REL_X, REL_Y) per sample, one SYN."""
        ec, dev = self._ec, self._dev
        dev.ui.write(ec.EV_REL, ec.REL_X, value[0])
        dev.ui.write(ec.EV_REL, ec.REL_Y, value[1])
        dev.ui.syn()
        return f"moved mouse {value[0]:+d},{value[1]:+d} (uinput)"

    def close(self) -> None:
        self._dev.ui.close()
