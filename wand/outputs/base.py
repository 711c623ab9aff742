"""What an output module declares, and what every output does.

Each ``wand/outputs/<x>.py`` is the one home of its action kinds: it sets ``OUTPUTS``, a
tuple of ``OutputSpec``. A spec names the kinds (each with its parameters as data: name,
type, range, default), the settings section it reads (``[midi]``) and how to open the
output. ``wand.config`` validates every action generically from these declarations,
``OutputSet`` routes by them and the dry run describes with them. Adding an output kind
means adding one such module (and its tests), nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..events import GestureEvent

REQUIRED: Any = object()  # a Param default meaning "must be given"
MAX_TEXT = 10_000  # longest string value; a config is a small hand-written file
MAX_LIST = 256     # longest list value (argv)


@dataclass(frozen=True)
class Param:
    """One parameter of an action kind or one setting of a section.

    type: "int", "float", "str", "bool", "choice" (one of ``choices``), "strlist"
    (a non-empty list of strings), or "custom" with ``parse(value, where) -> value``
    for a vocabulary of its own (key names, note names). ``also`` lists strings allowed
    besides the numeric range (e.g. "strength").
    """

    name: str
    type: str
    default: Any = REQUIRED
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    parse: Callable[[Any, str], Any] | None = None
    help: str = ""


@dataclass(frozen=True)
class Action:
    kind: str
    params: dict[str, Any]
    where: str  # "file:line", for messages at run time
    profile: str = ""  # the profile it belongs to (MQTT reports it)

    def describe(self) -> str:
        return f"{self.kind}(" + ", ".join(f"{k}={v}" for k, v in self.params.items()) + ")"


@dataclass(frozen=True)
class ActionKind:
    """One action kind: ``params[0]`` is what the short form ``kind:argument`` sets,
    unless ``split_arg`` turns the argument into several parameters ("x=1.0")."""

    name: str
    help: str
    params: tuple[Param, ...]
    describe: Callable[[dict[str, Any], "GestureEvent"], str]
    split_arg: Callable[[str], dict[str, str]] | None = None
    finish: Callable[[dict[str, Any], str], dict[str, Any]] | None = None  # cross-parameter checks

    @property
    def primary(self) -> str:
        return self.params[0].name


@dataclass(frozen=True)
class ControlKind:
    """A continuous output (issue 21): many values a second from the wand's orientation.

    ``value(params, t)`` turns the mapping's position along its range (``t``, 0..1) into
    what is sent (a CC number, a bend, a float), so "changed" is judged on what would go
    out; None for the pointer, whose value is a move (dx, dy) in pixels."""

    name: str
    help: str
    params: tuple[Param, ...]
    describe: Callable[[dict[str, Any], Any], str]
    value: Callable[[dict[str, Any], float], Any] | None = None
    finish: Callable[[dict[str, Any], str], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Section:
    """A settings table such as ``[midi]``: its parameters and the object they build."""

    name: str
    params: tuple[Param, ...]
    build: Callable[..., Any]

    def defaults(self) -> Any:
        return self.build(**{p.name: p.default for p in self.params})


@dataclass(frozen=True)
class OutputSpec:
    """An output: its kinds, its settings section and how to open it.

    ``open(settings, config)`` gets the section's settings (or None when it has no
    section) and the whole config (or None), and raises DeviceError when its device or
    service is missing.
    """

    name: str
    kinds: tuple[ActionKind, ...]
    open: Callable[[Any, Any], "Output"]
    section: Section | None = None
    eager: bool = False  # opened at start when its section is in the config (MQTT announces itself)
    controls: tuple[ControlKind, ...] = ()  # continuous outputs (wand/control), performed by Output.control


class Output(ABC):
    name: str = "output"

    @abstractmethod
    def perform(self, action: Action, event: "GestureEvent") -> str:
        """Do it; return a short description. Raise DeviceError when the device is missing."""

    def control(self, kind: str, params: dict[str, Any], value: Any) -> str:
        """Send one continuous value (a ``ControlKind`` this output declares)."""
        raise NotImplementedError(f"{self.name} has no continuous output {kind!r}")

    def close(self) -> None:
        """Release the device (ports, virtual devices, connections)."""


def strength_value(value: int | str, event: "GestureEvent", lo: int = 1) -> int:
    """A MIDI velocity/value, taken from how vigorous the gesture was where asked."""
    if value == "strength":
        return max(lo, min(127, round(event.strength * 127)))
    return int(value)
