"""What every output does: perform an action for an event, or say clearly why it can't."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..config import Action
from ..events import GestureEvent


class Output(ABC):
    name: str = "output"
    kinds: frozenset[str] = frozenset()

    @abstractmethod
    def perform(self, action: Action, event: GestureEvent) -> str:
        """Do it; return a short description. Raise DeviceError when the device is missing."""

    def close(self) -> None:
        """Release the device (ports, virtual devices)."""


def strength_value(value: int | str, event: GestureEvent, lo: int = 1) -> int:
    """A MIDI velocity/value, taken from how vigorous the gesture was where asked."""
    if value == "strength":
        return max(lo, min(127, round(event.strength * 127)))
    return int(value)
