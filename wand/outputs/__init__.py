"""Outputs: where actions land (keyboard, mouse, game pad, MIDI, programs, dry run).

``OutputSet`` opens each output the first time an action needs it. A missing device
(no display, no /dev/uinput, no MIDI system) is reported once, clearly, and only that
output stops: the others keep working, and it is tried again later.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from ..config import Action, MidiSettings
from ..errors import DeviceError
from ..events import GestureEvent
from .base import Output

log = logging.getLogger("wand.outputs")
RETRY_S = 30.0


def _factories(midi: MidiSettings) -> dict[str, Callable[[], Output]]:
    def keyboard() -> Output:
        from .keyboard import KeyboardOutput
        return KeyboardOutput()

    def mouse() -> Output:
        from .keyboard import MouseOutput
        return MouseOutput()

    def gamepad() -> Output:
        from .gamepad import open_gamepad
        return open_gamepad()

    def midi_out() -> Output:
        from .midi import MidiOutput
        return MidiOutput(midi)

    def shell() -> Output:
        from .shell import ShellOutput
        return ShellOutput()

    return {"keyboard": keyboard, "mouse": mouse, "gamepad": gamepad, "midi": midi_out, "run": shell}


OUTPUT_FOR_KIND = {"key": "keyboard", "chord": "keyboard", "text": "keyboard", "click": "mouse",
                   "move": "mouse", "scroll": "mouse", "pad": "gamepad", "pad.axis": "gamepad",
                   "midi.note": "midi", "midi.cc": "midi", "midi.program": "midi", "run": "run"}


class OutputSet:
    def __init__(self, midi: MidiSettings | None = None, dry_run: bool = False,
                 report: Callable[[str], None] | None = None) -> None:
        self.dry_run = dry_run
        self._factories = _factories(midi or MidiSettings())
        self._open: dict[str, Output] = {}
        self._failed: dict[str, tuple[float, str]] = {}
        self._report = report or (lambda msg: log.warning(msg))
        if dry_run:
            from .dryrun import DryRunOutput
            self._dry = DryRunOutput()

    def _get(self, name: str) -> Output:
        if name in self._open:
            return self._open[name]
        failed = self._failed.get(name)
        if failed and time.monotonic() - failed[0] < RETRY_S:
            raise DeviceError(failed[1])
        try:
            out = self._factories[name]()
        except DeviceError as e:
            if not failed or failed[1] != str(e):
                self._report(str(e))  # once per distinct problem, not per gesture
            self._failed[name] = (time.monotonic(), str(e))
            raise
        self._failed.pop(name, None)
        self._open[name] = out
        return out

    def perform(self, action: Action, event: GestureEvent) -> str:
        if self.dry_run:
            return "(dry run) " + self._dry.perform(action, event)
        return self._get(OUTPUT_FOR_KIND[action.kind]).perform(action, event)

    def status(self) -> dict[str, str]:
        out = {name: "open" for name in self._open}
        out.update({name: f"unavailable: {msg}" for name, (_, msg) in self._failed.items()})
        return out

    def close(self) -> None:
        for out in self._open.values():
            try:
                out.close()
            except Exception as e:  # closing must never stop the daemon's shutdown
                log.debug("closing %s: %s", out.name, e)
        self._open.clear()
