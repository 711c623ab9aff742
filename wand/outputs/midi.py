"""MIDI through mido + python-rtmidi: a virtual port the daemon opens, or a named one.

The rtmidi API follows mido's MIDO_BACKEND (e.g. 'mido.backends.rtmidi/UNIX_JACK').
"""

from __future__ import annotations

import threading

from ..config import Action, MidiSettings
from ..errors import DeviceError
from ..events import GestureEvent
from .base import Output, strength_value


class MidiOutput(Output):
    name = "midi"
    kinds = frozenset({"midi.note", "midi.cc", "midi.program"})

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

    def perform(self, action: Action, event: GestureEvent) -> str:
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
            self._send(Message("control_change", channel=ch, control=p["control"], value=value))
            return f"MIDI CC {p['control']}={value} ch {p['channel']}"
        program = (self._programs[ch] + p["step"]) % 128 if "step" in p else p["program"]
        self._programs[ch] = program
        self._send(Message("program_change", channel=ch, program=program))
        return f"MIDI program {program} ch {p['channel']}"

    def close(self) -> None:
        self._port.close()
