"""The mapping config: profiles of gesture -> actions, validated with file:line.

    default_profile = "tv"

    [spotting]                 # optional: tune the wand's spotter (sent over BLE)
    threshold = 0.7
    cooldown_ms = 300

    [midi]
    port = "magic wand"        # a virtual port the daemon opens ...
    virtual = true             # ... or false: connect to an existing port of that name

    [wands.living-room]        # optional: a profile per wand (name or address)
    address = "C8:2B:96:12:34:56"
    profile = "tv"

    [profiles.tv.gestures]
    circle_ccw = "key:volume_up"
    push_forward = ["key:channel_up", "key:channel_up"]
    shake = { action = "profile", profile = "music" }

An action is a string ``kind:argument`` or a table ``{ action = "kind", ... }``; a
gesture maps to one action or a list of them. ``wand config check`` validates a file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import EXAMPLES_DIR
from .protocol import ConfigPacket

KEY_ALIASES = {
    "volume_up": "media_volume_up", "volume_down": "media_volume_down", "mute": "media_volume_mute",
    "play_pause": "media_play_pause", "next": "media_next", "previous": "media_previous",
    "channel_up": "page_up", "channel_down": "page_down",  # what media centres (Kodi, MythTV) bind
}
SPECIAL_KEYS = {
    "alt", "alt_l", "alt_r", "alt_gr", "backspace", "caps_lock", "cmd", "cmd_l", "cmd_r", "ctrl", "ctrl_l",
    "ctrl_r", "delete", "down", "end", "enter", "esc", "home", "left", "page_down", "page_up", "right", "shift",
    "shift_l", "shift_r", "space", "tab", "up", "media_play_pause", "media_volume_mute", "media_volume_down",
    "media_volume_up", "media_previous", "media_next", "insert", "menu", "num_lock", "pause", "print_screen",
    "scroll_lock", *(f"f{i}" for i in range(1, 21)),
}
MODIFIERS = {"alt", "alt_l", "alt_r", "alt_gr", "cmd", "cmd_l", "cmd_r", "ctrl", "ctrl_l", "ctrl_r", "shift",
             "shift_l", "shift_r"}
PAD_BUTTONS = {"a", "b", "x", "y", "lb", "rb", "start", "back", "guide", "thumbl", "thumbr",
               "dpad_up", "dpad_down", "dpad_left", "dpad_right"}
PAD_AXES = {"x", "y", "rx", "ry", "lt", "rt"}
MOUSE_BUTTONS = {"left", "right", "middle"}
NOTE_RE = re.compile(r"^([A-Ga-g])([#b]?)(-?\d)$")
SEMITONES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}

ACTION_KINDS = {
    "key": "a key: a character or a name like enter, f5, volume_up, channel_up",
    "chord": "keys pressed together, e.g. ctrl+shift+z",
    "text": "text typed as it is",
    "click": "a mouse button: left, right or middle",
    "move": "a relative mouse move 'dx,dy' in pixels",
    "scroll": "a scroll 'dx,dy' in steps",
    "pad": f"a gamepad button: {', '.join(sorted(PAD_BUTTONS))}",
    "pad.axis": f"a gamepad axis and value, e.g. x=1.0 (axes {', '.join(sorted(PAD_AXES))})",
    "midi.note": "a MIDI note: number 0-127 or name like C4, F#3",
    "midi.cc": "a MIDI control change 'control=value', value 0-127 or 'strength'",
    "midi.program": "a MIDI program 0-127, or +1/-1 to step (channel up/down)",
    "run": "a command: { action = \"run\", argv = [\"prog\", \"arg\"] } (no shell)",
    "profile": "switch profile: a profile name, or 'next'",
}


@dataclass(frozen=True)
class Action:
    kind: str
    params: dict[str, Any]
    where: str  # "file:line", for messages at run time

    def describe(self) -> str:
        return f"{self.kind}(" + ", ".join(f"{k}={v}" for k, v in self.params.items()) + ")"


@dataclass
class Profile:
    name: str
    description: str
    gestures: dict[str, list[Action]]


@dataclass
class WandBinding:
    name: str
    address: str | None
    profile: str


@dataclass
class MidiSettings:
    port: str = "magic wand"
    virtual: bool = True


@dataclass
class Config:
    path: Path | None
    profiles: dict[str, Profile]
    default_profile: str
    spotting: ConfigPacket = field(default_factory=ConfigPacket)
    midi: MidiSettings = field(default_factory=MidiSettings)
    wands: list[WandBinding] = field(default_factory=list)
    max_event_age_ms: int = 3000

    def profile_for(self, wand_name: str, address: str = "") -> str:
        for b in self.wands:
            if b.name == wand_name or (b.address and b.address.lower() == address.lower()):
                return b.profile
        return self.default_profile

    def gestures_used(self) -> set[str]:
        return {g for p in self.profiles.values() for g in p.gestures}


class _Locator:
    """Finds the line of a key path in TOML text (tomllib keeps no positions)."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.name = str(path) if path else "<config>"
        self.lines = text.splitlines()

    def line(self, *keys: str) -> int:
        best = 1
        table: list[str] = []
        for no, raw in enumerate(self.lines, start=1):
            s = raw.split("#", 1)[0].strip()
            if s.startswith("["):
                table = [p.strip().strip('"') for p in s.strip("[]").split(".")]
                if table == list(keys[:len(table)]) and len(table) <= len(keys):
                    best = no
                continue
            m = re.match(r'^("?[\w.-]+"?)\s*=', s)
            if m:
                full = table + [p.strip('"') for p in m.group(1).split(".")]
                if full == list(keys[:len(full)]):
                    best = no
                    if len(full) == len(keys):
                        return no
        return best

    def at(self, *keys: str) -> str:
        return f"{self.name}:{self.line(*keys)}"


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def _int(value: Any, lo: int, hi: int, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return _raise(where, f"{what} must be an integer {lo}..{hi}, got {value!r}")
    return value


def _raise(where: str, message: str):
    raise _fail(where, message)


def note_number(value: Any, where: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(value, 0, 127, where, "note")
    m = NOTE_RE.match(str(value))
    if not m:
        _raise(where, f"note must be 0-127 or a name like C4 or F#3, got {value!r}")
    letter, accidental, octave = m.groups()
    n = 12 * (int(octave) + 1) + SEMITONES[letter.lower()] + {"#": 1, "b": -1, "": 0}[accidental]
    return _int(n, 0, 127, where, "note")


def _key_name(value: str, where: str) -> str:
    k = KEY_ALIASES.get(value.lower(), value.lower()) if len(value) > 1 else value
    if len(k) == 1 or k in SPECIAL_KEYS:
        return k
    named = sorted((SPECIAL_KEYS | set(KEY_ALIASES)) - {f"f{i}" for i in range(2, 21)})
    _raise(where, f"unknown key {value!r}: use one character, f1-f20, or one of {', '.join(named)}")


def _pair(value: str, where: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in str(value).split(","))
        return a, b
    except ValueError:
        _raise(where, f"{what} must be 'dx,dy' (integers), got {value!r}")


def _velocity(value: Any, where: str, what: str) -> int | str:
    if value == "strength":
        return "strength"
    return _int(value, 0 if what == "value" else 1, 127, where, what)


def parse_action(spec: Any, where: str, profiles: set[str]) -> Action:
    """A string 'kind:argument' or a table {action = kind, ...} -> a validated Action."""
    if isinstance(spec, str):
        kind, sep, arg = spec.partition(":")
        if not sep:
            _raise(where, f"action {spec!r} needs the form kind:argument, e.g. key:enter")
        table: dict[str, Any] = {"action": kind, "_arg": arg}
    elif isinstance(spec, dict):
        table = dict(spec)
        kind = table.get("action")
    else:
        _raise(where, f"an action is a string or a table, got {type(spec).__name__}")
    if kind not in ACTION_KINDS:
        _raise(where, f"unknown action {kind!r}; allowed: {', '.join(ACTION_KINDS)}")
    arg = table.pop("_arg", None)
    table.pop("action")
    p: dict[str, Any] = {}

    def take(name: str, default: Any = None) -> Any:
        return table.pop(name, arg if arg is not None and name == primary else default)

    primary = {"key": "key", "chord": "keys", "text": "text", "click": "button", "move": "delta",
               "scroll": "delta", "pad": "button", "pad.axis": "axis", "midi.note": "note", "midi.cc": "cc",
               "midi.program": "program", "run": "argv", "profile": "profile"}[kind]
    value = take(primary)
    if value is None or value == "":
        _raise(where, f"{kind} needs {primary}: {ACTION_KINDS[kind]}")
    if kind == "key":
        p["key"] = _key_name(str(value), where)
        p["repeat"] = _int(table.pop("repeat", 1), 1, 100, where, "repeat")
        p["interval_ms"] = _int(table.pop("interval_ms", 80), 0, 10000, where, "interval_ms")
        p["hold_ms"] = _int(table.pop("hold_ms", 0), 0, 10000, where, "hold_ms")
    elif kind == "chord":
        keys = [_key_name(k.strip(), where) for k in str(value).split("+") if k.strip()]
        if len(keys) < 2 or any(k not in MODIFIERS for k in keys[:-1]):
            _raise(where, f"chord {value!r} must be modifiers then one key, e.g. ctrl+shift+z")
        p["keys"] = keys
    elif kind == "text":
        p["text"] = str(value)
    elif kind == "click":
        if value not in MOUSE_BUTTONS:
            _raise(where, f"mouse button must be one of {', '.join(sorted(MOUSE_BUTTONS))}, got {value!r}")
        p["button"] = value
        p["count"] = _int(table.pop("count", 1), 1, 3, where, "count")
    elif kind in ("move", "scroll"):
        p["dx"], p["dy"] = _pair(value, where, kind)
    elif kind == "pad":
        if value not in PAD_BUTTONS:
            _raise(where, f"gamepad button must be one of {', '.join(sorted(PAD_BUTTONS))}, got {value!r}")
        p["button"] = value
        p["hold_ms"] = _int(table.pop("hold_ms", 100), 0, 10000, where, "hold_ms")
    elif kind == "pad.axis":
        axis, _, amount = str(value).partition("=")
        amount = table.pop("value", amount)
        if axis not in PAD_AXES:
            _raise(where, f"gamepad axis must be one of {', '.join(sorted(PAD_AXES))}, got {axis!r}")
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            _raise(where, f"gamepad axis value must be a number -1..1, got {amount!r}")
        if not -1.0 <= amount <= 1.0:
            _raise(where, f"gamepad axis value must be -1..1, got {amount}")
        p["axis"], p["value"] = axis, amount
        p["hold_ms"] = _int(table.pop("hold_ms", 200), 0, 10000, where, "hold_ms")
    elif kind == "midi.note":
        p["note"] = note_number(value, where)
        p["velocity"] = _velocity(table.pop("velocity", 100), where, "velocity")
        p["duration_ms"] = _int(table.pop("duration_ms", 250), 1, 60000, where, "duration_ms")
    elif kind == "midi.cc":
        control, _, v = str(value).partition("=")
        p["control"] = _int(int(control) if control.isdigit() else control, 0, 127, where, "control")
        p["value"] = _velocity(table.pop("value", int(v) if v.isdigit() else v), where, "value")
    elif kind == "midi.program":
        if isinstance(value, str) and re.match(r"^[+-]\d+$", value):
            p["step"] = int(value)
        else:
            p["program"] = _int(int(value) if str(value).isdigit() else value, 0, 127, where, "program")
    elif kind == "run":
        if not isinstance(value, list) or not value or not all(isinstance(a, str) for a in value):
            _raise(where, "run needs argv = [\"program\", \"arg\", ...] (a list of strings; no shell)")
        p["argv"] = list(value)
        p["timeout_s"] = _int(table.pop("timeout_s", 10), 1, 3600, where, "timeout_s")
    elif kind == "profile":
        if value != "next" and value not in profiles:
            _raise(where, f"no profile {value!r}; profiles: {', '.join(sorted(profiles)) or '(none)'}")
        p["profile"] = value
    if kind.startswith("midi."):
        p["channel"] = _int(table.pop("channel", 1), 1, 16, where, "channel")
    if table:
        _raise(where, f"{kind} does not take {', '.join(sorted(table))}")
    return Action(kind, p, where)


def _spotting(raw: dict, loc: _Locator) -> ConfigPacket:
    allowed = {f.name for f in fields(ConfigPacket)} - {"flags"}
    values: dict[str, int] = {}
    for key, value in raw.items():
        where = loc.at("spotting", key)
        if key == "threshold":
            if not isinstance(value, (int, float)) or not 0.0 < value < 1.0:
                _raise(where, f"threshold is a probability between 0 and 1, got {value!r}")
            values["threshold"] = max(1, min(255, round(value * 256)))
        elif key in allowed:
            values[key] = _int(value, 0, 60000, where, key)
        else:
            _raise(where, f"unknown spotting setting {key!r}; allowed: {', '.join(sorted(allowed))}")
    cfg = ConfigPacket(**values)
    try:
        cfg.validate()
    except Exception as e:
        raise _fail(loc.at("spotting"), str(e)) from None
    return cfg


def parse_config(text: str, path: Path | None = None) -> Config:
    loc = _Locator(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        where = f"{loc.name}:{m.group(1)}:{m.group(2)}" if m else loc.name
        reason = re.sub(r" \(at line.*", "", str(e))
        raise ConfigError(f"{where}: not valid TOML: {reason}") from None
    known = {"default_profile", "profiles", "spotting", "midi", "wands", "max_event_age_ms"}
    for key in data:
        if key not in known:
            _raise(loc.at(key), f"unknown setting {key!r}; allowed: {', '.join(sorted(known))}")
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        _raise(loc.at("profiles"), "the config needs at least one [profiles.NAME.gestures] table")
    names = set(raw_profiles)
    profiles = {}
    for pname, body in raw_profiles.items():
        if not isinstance(body, dict):
            _raise(loc.at("profiles", pname), f"profile {pname!r} must be a table")
        extra = set(body) - {"description", "gestures"}
        if extra:
            _raise(loc.at("profiles", pname, sorted(extra)[0]),
                   f"profile {pname!r}: unknown setting {sorted(extra)[0]!r}; allowed: description, gestures")
        gestures = {}
        for gname, spec in body.get("gestures", {}).items():
            where = loc.at("profiles", pname, "gestures", gname)
            specs = spec if isinstance(spec, list) else [spec]
            if not specs:
                _raise(where, f"gesture {gname!r} maps to an empty list")
            gestures[gname] = [parse_action(s, where, names) for s in specs]
        profiles[pname] = Profile(pname, str(body.get("description", "")), gestures)
    default = data.get("default_profile", next(iter(profiles)))
    if default not in profiles:
        _raise(loc.at("default_profile"), f"default_profile {default!r} is not a profile; profiles: "
                                          f"{', '.join(sorted(profiles))}")
    midi_raw = data.get("midi", {})
    extra = set(midi_raw) - {"port", "virtual"}
    if extra:
        _raise(loc.at("midi", sorted(extra)[0]), f"unknown midi setting {sorted(extra)[0]!r}; allowed: port, virtual")
    midi = MidiSettings(str(midi_raw.get("port", "magic wand")), bool(midi_raw.get("virtual", True)))
    wands = []
    for wname, body in data.get("wands", {}).items():
        prof = body.get("profile", default)
        if prof not in profiles:
            _raise(loc.at("wands", wname, "profile"), f"wand {wname!r}: no profile {prof!r}")
        wands.append(WandBinding(wname, body.get("address"), prof))
    age = _int(data.get("max_event_age_ms", 3000), 0, 600000, loc.at("max_event_age_ms"), "max_event_age_ms")
    return Config(path, profiles, default, _spotting(data.get("spotting", {}), loc), midi, wands, age)


def load_config(path: str | Path) -> Config:
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; start from one of the examples: "
                          "'wand config example tv > ~/.config/wand/config.toml'") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return parse_config(text, path)


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml"))


def example_path(name: str) -> Path:
    path = EXAMPLES_DIR / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"no example {name!r}; examples: {', '.join(example_names())}")
    return path
