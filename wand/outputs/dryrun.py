"""Dry run: every action is described, nothing is sent anywhere (the demo, --dry-run)."""

from __future__ import annotations

from ..config import ACTION_KINDS, Action
from ..events import GestureEvent
from .base import Output, strength_value


class DryRunOutput(Output):
    name = "dry-run"
    kinds = frozenset(ACTION_KINDS) - {"profile"}

    def perform(self, action: Action, event: GestureEvent) -> str:
        p = action.params
        if action.kind == "key":
            times = f" x{p['repeat']}" if p["repeat"] > 1 else ""
            return f"press {p['key']}{times}"
        if action.kind == "chord":
            return "press " + "+".join(p["keys"])
        if action.kind == "text":
            return f"type {p['text']!r}"
        if action.kind == "click":
            return f"click {p['button']}" + (f" x{p['count']}" if p["count"] > 1 else "")
        if action.kind in ("move", "scroll"):
            return f"{action.kind} mouse {p['dx']:+d},{p['dy']:+d}"
        if action.kind == "pad":
            return f"gamepad {p['button']}"
        if action.kind == "pad.axis":
            return f"gamepad axis {p['axis']}={p['value']:+.2f}"
        if action.kind == "midi.note":
            return f"MIDI note {p['note']} vel {strength_value(p['velocity'], event)} ch {p['channel']}"
        if action.kind == "midi.cc":
            return f"MIDI CC {p['control']}={strength_value(p['value'], event, 0)} ch {p['channel']}"
        if action.kind == "midi.program":
            return f"MIDI program {p['step']:+d}" if "step" in p else f"MIDI program {p['program']}"
        if action.kind == "run":
            return "run " + " ".join(p["argv"])
        return action.describe()
