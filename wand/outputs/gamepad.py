"""A virtual game pad: evdev uinput on Linux, vgamepad (ViGEm) on Windows."""

from __future__ import annotations

import sys
import time

from ..errors import DeviceError
from .base import Action, ActionKind, ControlKind, Output, OutputSpec, Param

ORDER = 20

# Xbox-style names -> Linux input event codes (linux/input-event-codes.h names)
BUTTON_CODES = {
    "a": "BTN_SOUTH", "b": "BTN_EAST", "x": "BTN_WEST", "y": "BTN_NORTH", "lb": "BTN_TL", "rb": "BTN_TR",
    "start": "BTN_START", "back": "BTN_SELECT", "guide": "BTN_MODE", "thumbl": "BTN_THUMBL",
    "thumbr": "BTN_THUMBR", "dpad_up": "BTN_DPAD_UP", "dpad_down": "BTN_DPAD_DOWN",
    "dpad_left": "BTN_DPAD_LEFT", "dpad_right": "BTN_DPAD_RIGHT",
}
AXIS_CODES = {"x": "ABS_X", "y": "ABS_Y", "rx": "ABS_RX", "ry": "ABS_RY", "lt": "ABS_Z", "rt": "ABS_RZ"}
STICK_MAX = 32767
TRIGGER_MAX = 255
UINPUT_HINT = ("the game pad needs /dev/uinput: 'sudo modprobe uinput', and access to it "
               "(add your user to the 'input' group, or a udev rule); other outputs keep working")


class EvdevGamepad(Output):
    """Linux: a uinput device that games and SDL see as a controller."""

    name = "gamepad"

    def __init__(self, device_name: str = "magic wand gamepad") -> None:
        try:
            import evdev
            from evdev import AbsInfo, UInput, ecodes
        except ImportError as e:
            raise DeviceError(f"gamepad output unavailable: python-evdev missing ({e}): pip install evdev") from None
        self._ec = ecodes
        stick = AbsInfo(value=0, min=-STICK_MAX - 1, max=STICK_MAX, fuzz=16, flat=128, resolution=0)
        trigger = AbsInfo(value=0, min=0, max=TRIGGER_MAX, fuzz=0, flat=0, resolution=0)
        caps = {
            ecodes.EV_KEY: [getattr(ecodes, c) for c in BUTTON_CODES.values()],
            ecodes.EV_ABS: [(getattr(ecodes, c), trigger if a in ("lt", "rt") else stick)
                            for a, c in AXIS_CODES.items()],
        }
        try:
            self._ui = UInput(caps, name=device_name, vendor=0x045E, product=0x028E, version=0x110)
        except (OSError, evdev.UInputError) as e:
            raise DeviceError(f"gamepad output unavailable ({e}): {UINPUT_HINT}") from None

    def perform(self, action: Action, event) -> str:
        p, ec = action.params, self._ec
        if action.kind == "pad":
            code = getattr(ec, BUTTON_CODES[p["button"]])
            self._ui.write(ec.EV_KEY, code, 1)
            self._ui.syn()
            time.sleep(p["hold_ms"] / 1000)
            self._ui.write(ec.EV_KEY, code, 0)
            self._ui.syn()
            return f"gamepad {p['button']}"
        code = getattr(ec, AXIS_CODES[p["axis"]])
        top = TRIGGER_MAX if p["axis"] in ("lt", "rt") else STICK_MAX
        self._ui.write(ec.EV_ABS, code, round(p["value"] * top))
        self._ui.syn()
        time.sleep(p["hold_ms"] / 1000)
        self._ui.write(ec.EV_ABS, code, 0)
        self._ui.syn()
        return f"gamepad axis {p['axis']}={p['value']:+.2f}"

    def control(self, kind: str, params: dict, value: float) -> str:
        """An axis held where the wand's angle puts it (no release: the next value moves it)."""
        ec = self._ec
        top = TRIGGER_MAX if params["axis"] in ("lt", "rt") else STICK_MAX
        self._ui.write(ec.EV_ABS, getattr(ec, AXIS_CODES[params["axis"]]), round(value * top))
        self._ui.syn()
        return f"gamepad axis {params['axis']}={value:+.3f}"

    def close(self) -> None:
        self._ui.close()


class VgamepadGamepad(Output):
    """Windows: an Xbox 360 pad through ViGEmBus."""

    name = "gamepad"

    def __init__(self) -> None:
        try:
            import vgamepad as vg
            self._vg = vg
            self._pad = vg.VX360Gamepad()
        except Exception as e:  # vgamepad raises plain exceptions when ViGEmBus is missing
            raise DeviceError(f"gamepad output unavailable ({e}): install ViGEmBus and 'pip install vgamepad'") from None

    def perform(self, action: Action, event) -> str:
        p, vg = action.params, self._vg
        if action.kind == "pad":
            name = {"lb": "LEFT_SHOULDER", "rb": "RIGHT_SHOULDER", "thumbl": "LEFT_THUMB",
                    "thumbr": "RIGHT_THUMB"}.get(p["button"], p["button"].upper())
            button = getattr(vg.XUSB_BUTTON, f"XUSB_GAMEPAD_{name}")
            self._pad.press_button(button)
            self._pad.update()
            time.sleep(p["hold_ms"] / 1000)
            self._pad.release_button(button)
            self._pad.update()
            return f"gamepad {p['button']}"
        v = p["value"]
        setters = {"x": lambda: self._pad.left_joystick_float(v, 0.0), "y": lambda: self._pad.left_joystick_float(0.0, v),
                   "rx": lambda: self._pad.right_joystick_float(v, 0.0), "ry": lambda: self._pad.right_joystick_float(0.0, v),
                   "lt": lambda: self._pad.left_trigger_float(max(0.0, v)), "rt": lambda: self._pad.right_trigger_float(max(0.0, v))}
        setters[p["axis"]]()
        self._pad.update()
        time.sleep(p["hold_ms"] / 1000)
        self._pad.reset()
        self._pad.update()
        return f"gamepad axis {p['axis']}={v:+.2f}"


    def control(self, kind: str, params: dict, value: float) -> str:
        axis, pad = params["axis"], self._pad
        {"x": lambda: pad.left_joystick_float(value, 0.0), "y": lambda: pad.left_joystick_float(0.0, value),
         "rx": lambda: pad.right_joystick_float(value, 0.0), "ry": lambda: pad.right_joystick_float(0.0, value),
         "lt": lambda: pad.left_trigger_float(value), "rt": lambda: pad.right_trigger_float(value)}[axis]()
        pad.update()
        return f"gamepad axis {axis}={value:+.3f}"


def open_gamepad() -> Output:
    return VgamepadGamepad() if sys.platform == "win32" else EvdevGamepad()


def _axis_arg(arg: str) -> dict[str, str]:
    axis, _, value = arg.partition("=")
    return {"axis": axis, "value": value}


PAD = ActionKind("pad", f"a gamepad button: {', '.join(sorted(BUTTON_CODES))}", (
    Param("button", "choice", choices=tuple(sorted(BUTTON_CODES))),
    Param("hold_ms", "int", 100, lo=0, hi=10000),
), describe=lambda p, e: f"gamepad {p['button']}")
PAD_AXIS = ActionKind("pad.axis", f"a gamepad axis and value -1..1, e.g. x=1.0 (axes {', '.join(AXIS_CODES)})", (
    Param("axis", "choice", choices=tuple(AXIS_CODES)),
    Param("value", "float", lo=-1.0, hi=1.0),
    Param("hold_ms", "int", 200, lo=0, hi=10000),
), describe=lambda p, e: f"gamepad axis {p['axis']}={p['value']:+.2f}", split_arg=_axis_arg)
AXIS_CONTROL = ControlKind("pad.axis", f"a gamepad axis following an angle: sticks -1..1, triggers 0..1 "
                                       f"(axes {', '.join(AXIS_CODES)})", (
    Param("axis", "choice", choices=tuple(AXIS_CODES)),
), describe=lambda p, v: f"gamepad axis {p['axis']}={v:+.3f}",
   value=lambda p, t: round(t if p["axis"] in ("lt", "rt") else 2 * t - 1, 3))  # 1/1000: finer than a hand
OUTPUTS = (OutputSpec("gamepad", (PAD, PAD_AXIS), lambda s, c: open_gamepad(), controls=(AXIS_CONTROL,)),)
