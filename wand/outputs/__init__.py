"""Outputs: where actions land (keys, mouse, game pad, MIDI, programs, TV, MQTT, OSC).

Every module here that sets ``OUTPUTS`` (see ``base.py``) is an output; they are found
by scanning this package, so a new output is one new module. ``OutputSet`` opens each
output the first time an action needs it. A missing device or service (no display, no
/dev/uinput, no MIDI system, no broker) is reported once, clearly, and only that output
stops: the others keep working, and it is tried again later.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from functools import cache
from typing import Any, Callable

from ..errors import DeviceError, WandError
from .base import Action, ActionKind, ControlKind, Output, OutputSpec, Section

log = logging.getLogger("wand.outputs")
RETRY_S = 30.0


@cache
def specs() -> tuple[OutputSpec, ...]:
    """Every output declared in this package, in each module's ORDER."""
    mods = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "OUTPUTS"):
            mods.append(mod)
    mods.sort(key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
    return tuple(spec for m in mods for spec in m.OUTPUTS)


@cache
def action_kinds() -> dict[str, tuple[OutputSpec, ActionKind]]:
    return {k.name: (s, k) for s in specs() for k in s.kinds}


@cache
def control_kinds() -> dict[str, tuple[OutputSpec, ControlKind]]:
    """The continuous outputs (issue 21): name -> (its output, its declaration)."""
    return {k.name: (s, k) for s in specs() for k in s.controls}


@cache
def sections() -> dict[str, Section]:
    return {s.section.name: s.section for s in specs() if s.section}


def _settings_of(config: Any) -> dict[str, Any]:
    """Section settings from a Config, or from one bare settings object (MidiSettings(...))."""
    if config is None:
        return {}
    if hasattr(config, "sections"):
        return dict(config.sections)
    return {s.name: config for s in sections().values() if isinstance(s.build, type) and isinstance(config, s.build)}


class OutputSet:
    def __init__(self, config: Any = None, dry_run: bool = False,
                 report: Callable[[str], None] | None = None) -> None:
        self.dry_run = dry_run
        self._config = config if hasattr(config, "profiles") else None
        self._settings = _settings_of(config)
        self._open: dict[str, Output] = {}
        self._failed: dict[str, tuple[float, str]] = {}
        self._report = report or (lambda msg: log.warning(msg))
        if not dry_run:
            for spec in specs():
                if spec.eager and spec.section and spec.section.name in self._settings:
                    try:
                        self._get(spec)
                    except DeviceError:
                        pass  # reported once by _get; tried again at its first action

    def update(self, config: Any) -> None:
        """A reloaded config: outputs whose settings changed are reopened with the new ones."""
        new = _settings_of(config)
        for spec in specs():
            sec = spec.section.name if spec.section else None
            if sec and new.get(sec) != self._settings.get(sec):
                self._failed.pop(spec.name, None)
                out = self._open.pop(spec.name, None)
                if out:
                    self._close(out)
        self._config = config if hasattr(config, "profiles") else None
        self._settings = new

    def _get(self, spec: OutputSpec) -> Output:
        name = spec.name
        if name in self._open:
            return self._open[name]
        failed = self._failed.get(name)
        if failed and time.monotonic() - failed[0] < RETRY_S:
            raise DeviceError(failed[1])
        settings = None
        if spec.section:
            settings = self._settings.get(spec.section.name) or spec.section.defaults()
        try:
            out = spec.open(settings, self._config)
        except DeviceError as e:
            if not failed or failed[1] != str(e):
                self._report(str(e))  # once per distinct problem, not per gesture
            self._failed[name] = (time.monotonic(), str(e))
            raise
        self._failed.pop(name, None)
        self._open[name] = out
        return out

    def perform(self, action: Action, event) -> str:
        routed = action_kinds().get(action.kind)
        if routed is None:
            raise DeviceError(f"{action.where}: no output performs {action.kind!r}")
        spec, kind = routed
        if self.dry_run:
            return "(dry run) " + kind.describe(action.params, event)
        out = self._get(spec)
        try:
            return out.perform(action, event)
        except WandError:
            raise
        except Exception as e:  # a library's own exception: one line, never a traceback
            raise DeviceError(f"{action.where}: {spec.name} output failed ({type(e).__name__}: {e})") from None

    def control(self, control, value) -> str:
        """One continuous value from a control mapping (``wand.control``): like ``perform``,
        a missing device is a DeviceError reported once and retried later."""
        spec, kind = control_kinds()[control.kind]
        if self.dry_run:
            return "(dry run) " + kind.describe(control.params, value)
        out = self._get(spec)
        try:
            return out.control(control.kind, control.params, value)
        except WandError:
            raise
        except Exception as e:  # a library's own exception: one line, never a traceback
            raise DeviceError(f"{control.where}: {spec.name} output failed ({type(e).__name__}: {e})") from None

    def status(self) -> dict[str, str]:
        out = {name: "open" for name in self._open}
        out.update({name: f"unavailable: {msg}" for name, (_, msg) in self._failed.items()})
        return out

    @staticmethod
    def _close(out: Output) -> None:
        try:
            out.close()
        except Exception as e:  # closing must never stop the daemon's shutdown
            log.debug("closing %s: %s", out.name, e)

    def close(self) -> None:
        for out in self._open.values():
            self._close(out)
        self._open.clear()
