"""MIDI through mido + python-rtmidi: a virtual port the daemon opens, or a named one.

The rtmidi API follows mido's MIDO_BACKEND (e.g. 'mido.backends.rtmidi/UNIX_JACK').
"""

from __future__ import annotations

import threading

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, DeviceError
from .base import Action, ActionKind, ControlKind, Output, OutputSpec, Param, Section, strength_value

ORDER = 30
NOTE_RE = re.compile(r"^([A-Ga-g])([#b]?)(-?[0-9])$")
SEMITONES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


@dataclass(frozen=True)
class MidiSettings:
    port: str = "magic wand"
    virtual: bool = True  # open a virtual port of that name; false: connect to an existing one


def note_number(value: Any, where: str) -> int:
    """0-127, or a name like C4 or F#3 -> the MIDI note number."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 127:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ConfigError(f"{where}: note must be an integer 0..127, got {value!r}")
    m = NOTE_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise ConfigError(f"{where}: note must be 0-127 or a name like C4 or F#3, got {value!r}")
    letter, accidental, octave = m.groups()
    n = 12 * (int(octave) + 1) + SEMITONES[letter.lower()] + {"#": 1, "b": -1, "": 0}[accidental]
    if not 0 <= n <= 127:
        raise ConfigError(f"{where}: note must be an integer 0..127, got {value!r} = {n}")
    return n


def _program(value: Any, where: str) -> int | str:
    if isinstance(value, str) and re.match(r"^[+-][0-9]{1,3}$", value):
        if not 1 <= abs(int(value)) <= 127:  # +999 would wrap round to +103; +0 would do nothing
            raise ConfigError(f"{where}: a program step is +1..+127 or -1..-127, got {value!r}")
        return value  # a step; finish() turns it into one
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 127:
        raise ConfigError(f"{where}: program must be an integer 0..127 or a step like +1 or -1, got {value!r}")
    return value


def _program_step(p: dict, where: str) -> dict:
    if isinstance(p["program"], str):
        return {"step": int(p["program"]), "channel": p["channel"]}
    return p


def _cc_arg(arg: str) -> dict[str, str]:
    control, _, value = arg.partition("=")
    return {"cc": control, "value": value}


CHANNEL = Param("channel", "int", 1, lo=1, hi=16)
NOTE = ActionKind("midi.note", "a MIDI note: number 0-127 or name like C4, F#3", (
    Param("note", "custom", parse=note_number),
    Param("velocity", "int", 100, lo=1, hi=127, also=("strength",)),
    Param("duration_ms", "int", 250, lo=1, hi=60000),
    CHANNEL,
), describe=lambda p, e: f"MIDI note {p['note']} vel {strength_value(p['velocity'], e)} ch {p['channel']}")
CC = ActionKind("midi.cc", "a MIDI control change 'control=value', value 0-127 or 'strength'", (
    Param("cc", "int", lo=0, hi=127),
    Param("value", "int", lo=0, hi=127, also=("strength",)),
    CHANNEL,
), describe=lambda p, e: f"MIDI CC {p['cc']}={strength_value(p['value'], e, 0)} ch {p['channel']}",
   split_arg=_cc_arg)
PROGRAM = ActionKind("midi.program", "a MIDI program 0-127, or +1/-1 to step (channel up/down)", (
    Param("program", "custom", parse=_program),
    CHANNEL,
), describe=lambda p, e: f"MIDI program {p['step']:+d}" if "step" in p else f"MIDI program {p['program']}",
   finish=_program_step)


def _cc_bits(p: dict, where: str) -> dict:
    if p["bits"] == 14 and p["cc"] > 31:
        raise ConfigError(f"{where}: a 14-bit CC is a controller 0..31 (its fine part goes on cc + 32), got {p['cc']}")
    return p


def _cc_value(p: dict, t: float) -> int:
    return round(t * (16383 if p["bits"] == 14 else 127))


# Continuous (issue 21): the wand's tilt as a controller or the pitch wheel, many times a second.
CC_CONTROL = ControlKind("midi.cc", "a MIDI CC following an angle: cc 0-127 (7-bit) or 0-31 (bits = 14: "
                                    "coarse on cc, fine on cc + 32)", (
    Param("cc", "int", lo=0, hi=127),
    Param("bits", "int", 7, lo=7, hi=14),
    CHANNEL,
), describe=lambda p, v: f"MIDI CC {p['cc']}={v}" + (" (14-bit)" if p["bits"] == 14 else "") + f" ch {p['channel']}",
   value=_cc_value, finish=lambda p, where: _cc_bits(_bits_7_or_14(p, where), where))
BEND = ControlKind("midi.bend", "the MIDI pitch wheel following an angle: the range's middle is no bend", (
    CHANNEL,
), describe=lambda p, v: f"MIDI pitch bend {v:+d} ch {p['channel']}", value=lambda p, t: round(t * 16383) - 8192)


def _bits_7_or_14(p: dict, where: str) -> dict:
    if p["bits"] not in (7, 14):
        raise ConfigError(f"{where}: bits must be 7 or 14, got {p['bits']}")
    return p


class MidiOutput(Output):
    name = "midi"

    def __init__(self, settings: MidiSettings) -> None:
        try:
            import mido
        except ImportError as e:
            raise DeviceError(f"MIDI output unavailable: {e}; pip install mido python-rtmidi") from None
        self._mido = mido
        self._programs = [0] * 16
        self._lock = threading.Lock()
        try:
            if settings.virtual:
                self._port = mido.open_output(settings.port, virtual=True)
            else:
                names = mido.get_output_names()
                match = [n for n in names if n == settings.port or n.startswith(settings.port)]
                if not match:
                    raise DeviceError(f"MIDI port {settings.port!r} not found; ports: {', '.join(names) or '(none)'}")
                self._port = mido.open_output(match[0])
        except DeviceError:
            raise
        except Exception as e:  # rtmidi raises SystemError/OSError/ImportError without ALSA or JACK
            raise DeviceError(f"MIDI output unavailable ({type(e).__name__}: {e}): on Linux it needs the ALSA "
                              "sequencer (/dev/snd/seq, 'sudo modprobe snd-seq') or a JACK server "
                              "(set MIDO_BACKEND=mido.backends.rtmidi/UNIX_JACK)") from None
        self.port_name = self._port.name

    def _send(self, msg) -> None:
        with self._lock:
            self._port.send(msg)

    def perform(self, action: Action, event) -> str:
        p, Message = action.params, self._mido.Message
        ch = p["channel"] - 1
        if action.kind == "midi.note":
            vel = strength_value(p["velocity"], event)
            self._send(Message("note_on", channel=ch, note=p["note"], velocity=vel))
            off = Message("note_off", channel=ch, note=p["note"], velocity=0)
            timer = threading.Timer(p["duration_ms"] / 1000, self._send, args=(off,))
            timer.daemon = True
            timer.start()  # notes overlap: the note-off must not hold up the next action
            return f"MIDI note {p['note']} vel {vel} ch {p['channel']}"
        if action.kind == "midi.cc":
            value = strength_value(p["value"], event, lo=0)
            self._send(Message("control_change", channel=ch, control=p["cc"], value=value))
            return f"MIDI CC {p['cc']}={value} ch {p['channel']}"
        program = (self._programs[ch] + p["step"]) % 128 if "step" in p else p["program"]
        self._programs[ch] = program
        self._send(Message("program_change", channel=ch, program=program))
        return f"MIDI program {program} ch {p['channel']}"

    def control(self, kind: str, params: dict, value: int) -> str:
        Message, ch = self._mido.Message, params["channel"] - 1
        if kind == "midi.bend":
            self._send(Message("pitchwheel", channel=ch, pitch=value))
            return f"MIDI pitch bend {value:+d} ch {params['channel']}"
        if params["bits"] == 14:  # MIDI 1.0: coarse (MSB) first, then fine (LSB) on cc + 32
            with self._lock:
                self._port.send(Message("control_change", channel=ch, control=params["cc"], value=value >> 7))
                self._port.send(Message("control_change", channel=ch, control=params["cc"] + 32, value=value & 0x7F))
        else:
            self._send(Message("control_change", channel=ch, control=params["cc"], value=value))
        return f"MIDI CC {params['cc']}={value} ch {params['channel']}"

    def close(self) -> None:
        self._port.close()


OUTPUTS = (OutputSpec("midi", (NOTE, CC, PROGRAM), lambda s, c: MidiOutput(s),
                      Section("midi", (Param("port", "str", "magic wand"), Param("virtual", "bool", True)),
                              MidiSettings), controls=(CC_CONTROL, BEND)),)
