"""Mapper: a gesture event -> the actions of the wand's current profile.

Profile switches happen here (they change what later gestures mean); everything else
is handed to the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Action, Config
from .events import GestureEvent


@dataclass(frozen=True)
class Mapping:
    profile: str
    actions: tuple[Action, ...]
    switched_to: str | None = None


class Mapper:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._profiles: dict[str, str] = {}  # wand -> current profile

    def update(self, config: Config) -> None:
        """A reloaded config: keep each wand's profile where it still exists."""
        self.config = config
        self._profiles = {w: p for w, p in self._profiles.items() if p in config.profiles}

    def profile(self, wand: str, address: str = "") -> str:
        return self._profiles.setdefault(wand, self.config.profile_for(wand, address))

    def map(self, event: GestureEvent, address: str = "") -> Mapping:
        current = self.profile(event.wand, address)
        actions = tuple(self.config.profiles[current].gestures.get(event.gesture, ()))
        switched = None
        for a in actions:
            if a.kind == "profile":
                switched = self._switch(event.wand, a.params["profile"], current)
        return Mapping(current, tuple(a for a in actions if a.kind != "profile"), switched)

    def _switch(self, wand: str, target: str, current: str) -> str:
        if target == "next":
            names = list(self.config.profiles)
            target = names[(names.index(current) + 1) % len(names)]
        self._profiles[wand] = target
        return target
