"""The mapping config: profiles of gesture -> actions, validated with file:line.

    default_profile = "tv"

    [spotting]                 # optional: tune the wand's spotter (sent over BLE)
    threshold = 0.7
    cooldown_ms = 300

    [midi]                     # optional: an output's settings section
    port = "magic wand"

    [wands.living-room]        # optional: a profile per wand (name or address)
    address = "C8:2B:96:12:34:56"
    profile = "tv"

    [profiles.tv.gestures]
    circle_ccw = "key:volume_up"
    push_forward = ["key:channel_up", "key:channel_up"]
    shake = { action = "profile", profile = "music" }

An action is a string ``kind:argument`` or a table ``{ action = "kind", ... }``; a
gesture maps to one action or a list of them. The kinds, their parameters and the
settings sections are declared by the output modules (``wand/outputs/*.py``); this module
checks a file against those declarations, strictly: anything wrong is a ConfigError
naming file:line, never another exception. ``wand config check`` validates a file.
"""

from __future__ import annotations

import json
import logging
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterable

from .characters import STROKE_LABELS, did_you_mean, is_character, mask_of, not_a_character
from .errors import ConfigError
from .control.mappings import POINTER_PARAMS, VALUE_PARAMS, Control
from .outputs import action_kinds, control_kinds, sections
from .outputs.base import MAX_LIST, MAX_TEXT, REQUIRED, Action, ActionKind, Param
from .paths import EXAMPLES_DIR
from .protocol import (STROKE_CONFIG_LIMITS, STROKE_FLAG_CHARACTERS_FIRST, STROKE_FLAG_ENABLED,
                       STROKE_OVER_GESTURE_MASK, ConfigPacket, StrokeConfigPacket)

__all__ = ["Action", "Config", "Profile", "WandBinding", "parse_config", "load_config", "kinds_help",
           "example_names", "example_path", "check_value"]

MAX_FILE = 1 << 20      # bytes: a hand-written config is a few kB
MAX_DEPTH = 12          # tables/lists inside each other (an action's argv is at depth 7)
MAX_ACTIONS = 32        # actions one gesture maps to
MAX_NAMES = 1000        # profiles, gestures per profile, wands
ADDRESS_RE = re.compile(r"^([0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}(/P)?|[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})$")
INT_RE = re.compile(r"^[+-]?[0-9]+$")  # ASCII digits only: str.isdigit() accepts '²'
FLOAT_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")

log = logging.getLogger("wand.config")

# Built-in gestures renamed to say what the person draws. A config that still uses the old
# name keeps working, with one line saying what to change.
RENAMED_GESTURES = {"circle_ccw": "circle_cw"}  # the tti tries are clockwise as the performer sees them

PROFILE_KIND = ActionKind(  # the mapper's own kind: it changes what later gestures mean
    "profile", "switch profile: a profile name, or 'next'", (Param("profile", "str"),),
    describe=lambda p, e: f"switch to profile {p['profile']}")


def all_kinds() -> dict[str, ActionKind]:
    return {**{name: k for name, (_, k) in action_kinds().items()}, "profile": PROFILE_KIND}


def kinds_help() -> dict[str, str]:
    """Each action kind's one-line help, in declaration order (README, messages)."""
    return {name: k.help for name, k in all_kinds().items()}


@dataclass
class Profile:
    name: str
    description: str
    gestures: dict[str, list[Action]]
    controls: dict[str, Control] = field(default_factory=dict)  # continuous mappings (issue 21)


@dataclass
class WandBinding:
    name: str
    address: str | None
    profile: str


@dataclass
class Config:
    path: Path | None
    profiles: dict[str, Profile]
    default_profile: str
    spotting: ConfigPacket = field(default_factory=ConfigPacket)
    sections: dict[str, Any] = field(default_factory=dict)  # "[midi]" etc: name -> its settings
    wands: list[WandBinding] = field(default_factory=list)
    max_event_age_ms: int = 3000
    strokes: StrokeConfigPacket = field(default_factory=StrokeConfigPacket)  # [strokes]; the mask is per profile

    @property
    def midi(self) -> Any:
        return self.sections.get("midi") or sections()["midi"].defaults()

    def profile_for(self, wand_name: str, address: str = "") -> str:
        for b in self.wands:
            if b.name == wand_name or (b.address and b.address.lower() == address.lower()):
                return b.profile
        return self.default_profile

    def controls_for(self, profile: str) -> list[Control]:
        """The continuous mappings of a profile (the IMU stream is on while there are any)."""
        p = self.profiles.get(profile)
        return list(p.controls.values()) if p else []

    def gestures_used(self) -> set[str]:
        return {g for p in self.profiles.values() for g in p.gestures}

    def stroke_mask(self, profile: str) -> int:
        """The wand's active set for a profile: the characters it maps, so the chip ranks only
        those (a TV profile with digits alone never reads a 0 as an O)."""
        return mask_of(self.profiles[profile].gestures)

    def stroke_config(self, profile: str, model_gestures: Iterable[str] | None = None) -> StrokeConfigPacket:
        """What the daemon writes to a wand in this profile: the [strokes] settings with the
        profile's active set; the stroke spotter off where the profile maps no character.
        A character yields to a held gesture (``over_gesture``) only where the profile maps one
        of the gesture model's gestures (``model_gestures``; None: any name not a character):
        elsewhere that gesture would do nothing, so a read character always wins."""
        mask = self.stroke_mask(profile)
        flags = self.strokes.flags if mask else self.strokes.flags & ~STROKE_FLAG_ENABLED
        return replace(self.strokes, active_mask=mask, flags=flags,
                       over_gesture=over_gesture_for(self.strokes, self.profiles[profile].gestures, model_gestures))

    def gestures_for(self, kind_prefix: str) -> list[str]:
        """Gestures that map to an action of these kinds in any profile (MQTT discovery)."""
        return sorted({g for p in self.profiles.values() for g, acts in p.gestures.items()
                       if any(a.kind.split(".")[0] == kind_prefix for a in acts)})


class _Locator:
    """Finds the line of a key path in TOML text (tomllib keeps no positions)."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.name = str(path) if path else "<config>"
        self.lines = text.splitlines()

    def line(self, *keys: str) -> int:
        best = 1
        table: list[str] = []
        for no, raw in enumerate(self.lines, start=1):
            s = raw.strip()
            if s.startswith("["):
                inner = s.lstrip("[")  # [table] and [[array of tables]]
                got = _key_parts(inner)
                if got and inner[got[1]:].startswith("]"):
                    table = got[0]
                    if table == list(keys[:len(table)]) and len(table) <= len(keys):
                        best = no
                continue
            got = _key_parts(s)
            if got and s[got[1]:].startswith("="):
                full = table + got[0]
                if full == list(keys[:len(full)]):
                    best = no
                    if len(full) == len(keys):
                        return no
        return best

    def at(self, *keys: str) -> str:
        return f"{self.name}:{self.line(*keys)}"


_KEY_PART = re.compile(r"""\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*""")


def _key_parts(text: str) -> tuple[list[str], int] | None:
    """A TOML key at the start of ``text`` (bare, "quoted" or 'literal' parts, dotted): its
    parts and where it ends; None if ``text`` does not start with one."""
    parts, pos = [], 0
    while True:
        m = _KEY_PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        bare, basic, literal = m.groups()
        if basic is not None:
            try:
                basic = json.loads(f'"{basic}"')  # TOML's escapes are JSON's, but for \U and \e
            except ValueError:
                pass
        parts.append(bare if bare is not None else basic if basic is not None else literal)
        pos = m.end()
        if not text.startswith(".", pos):
            return parts, pos
        pos += 1


def _raise(where: str, message: str):
    raise ConfigError(f"{where}: {message}")


def _int(value: Any, lo: int, hi: int, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        _raise(where, f"{what} must be an integer {lo}..{hi}, got {value!r}")
    return value


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def check_value(p: Param, value: Any, where: str) -> Any:
    """One parameter value against its declaration -> the value to keep, or ConfigError."""
    if p.also and value in p.also:
        return value
    also = f" (or {', '.join(repr(a) for a in p.also)})" if p.also else ""
    if p.parse is not None:
        return p.parse(value, where)
    if p.type == "int":
        if isinstance(value, str) and INT_RE.match(value) and len(value) < 20:
            value = int(value)
        lo, hi = int(p.lo if p.lo is not None else -2**31), int(p.hi if p.hi is not None else 2**31)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            _raise(where, f"{p.name} must be an integer {lo}..{hi}, got {value!r}{also}")
        return value
    if p.type == "float":
        if isinstance(value, str) and FLOAT_RE.match(value) and len(value) < 40:
            value = float(value)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or (p.lo is not None and value < p.lo) or (p.hi is not None and value > p.hi):
            _raise(where, f"{p.name} must be a number {_fmt(p.lo)}..{_fmt(p.hi)}, got {value!r}{also}")
        return float(value)
    if p.type == "bool":
        if not isinstance(value, bool):
            _raise(where, f"{p.name} must be true or false, got {value!r}")
        return value
    if p.type == "choice":
        if not isinstance(value, str) or value not in p.choices:
            _raise(where, f"{p.name} must be one of {', '.join(p.choices)}, got {value!r}")
        return value
    if p.type == "str":
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT or "\0" in value:
            _raise(where, f"{p.name} must be a non-empty string (at most {MAX_TEXT} characters, no NUL), "
                          f"got {_short(value)}")
        return value
    if p.type == "strlist":
        if (not isinstance(value, list) or not value or len(value) > MAX_LIST
                or not all(isinstance(a, str) and len(a) <= MAX_TEXT and "\0" not in a for a in value)):
            _raise(where, f"{p.name} must be a list of 1..{MAX_LIST} strings (no NUL), got {_short(value)}")
        return list(value)
    raise AssertionError(f"parameter {p.name} declares unknown type {p.type!r}")  # a programming error


def _short(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def _name(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isprintable():
        _raise(where, f"{what} must be 1-64 printable characters, got {_short(value)}")
    return value


def _table(value: Any, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        _raise(where, f"{what} must be a table, got {type(value).__name__} {_short(value)}")
    if len(value) > MAX_NAMES:
        _raise(where, f"{what} has {len(value)} entries; at most {MAX_NAMES}")
    return value


def parse_action(spec: Any, where: str, profiles: set[str], profile: str = "") -> Action:
    """A string 'kind:argument' or a table {action = kind, ...} -> a validated Action."""
    kinds = all_kinds()
    if isinstance(spec, str):
        name, sep, arg = spec.partition(":")
        if not sep:
            _raise(where, f"action {_short(spec)} needs the form kind:argument, e.g. key:enter")
    elif isinstance(spec, dict):
        raw = dict(spec)
        name = raw.pop("action", None)
        if not isinstance(name, str):
            _raise(where, f"an action table needs action = \"KIND\" (a string); allowed: {', '.join(kinds)}")
    else:
        _raise(where, f"an action is a string or a table, got {type(spec).__name__}")
    if name not in kinds:
        _raise(where, f"unknown action {_short(name)}; allowed: {', '.join(kinds)}")
    kind = kinds[name]
    if isinstance(spec, str):
        raw = kind.split_arg(arg) if kind.split_arg else {kind.primary: arg}
    params: dict[str, Any] = {}
    for p in kind.params:
        value = raw.pop(p.name, None)
        if value is None or value == "":
            if p.default is REQUIRED:
                _raise(where, f"{kind.name} needs {p.name}: {kind.help}")
            params[p.name] = p.default
        else:
            params[p.name] = check_value(p, value, where)
    if raw:
        _raise(where, f"{kind.name} does not take {', '.join(sorted(raw))}; "
                      f"it takes {', '.join(p.name for p in kind.params)}")
    if kind.finish:
        params = kind.finish(params, where)
    if kind is PROFILE_KIND and params["profile"] != "next" and params["profile"] not in profiles:
        _raise(where, f"no profile {params['profile']!r}; profiles: {', '.join(sorted(profiles)) or '(none)'}")
    return Action(kind.name, params, where, profile)


def _section(name: str, raw: Any, loc: _Locator) -> Any:
    sec = sections()[name]
    _table(raw, loc.at(name), f"[{name}]")
    allowed = [p.name for p in sec.params]
    values = {}
    for key in raw:
        if key not in allowed:
            _raise(loc.at(name, key), f"unknown {name} setting {key!r}; allowed: {', '.join(allowed)}")
    for p in sec.params:
        if p.name in raw:
            values[p.name] = check_value(p, raw[p.name], loc.at(name, p.name))
        elif p.default is REQUIRED:
            _raise(loc.at(name), f"[{name}] needs {p.name}")
        else:
            values[p.name] = p.default
    return sec.build(**values)


def _spotting(raw: Any, loc: _Locator) -> ConfigPacket:
    _table(raw, loc.at("spotting"), "[spotting]")
    allowed = {f.name for f in fields(ConfigPacket)} - {"flags"}
    values: dict[str, int] = {}
    for key, value in raw.items():
        where = loc.at("spotting", key)
        if key == "threshold":
            values["threshold"] = _probability(value, where, 256, 1, False)
        elif key in allowed:
            values[key] = _int(value, 0, 60000, where, key)
        else:
            _raise(where, f"unknown spotting setting {key!r}; allowed: {', '.join(sorted(allowed))}")
    return _validated(ConfigPacket(**values), loc.at("spotting"))


def _probability(value: Any, where: str, scale: int, lo: int, ends: bool) -> int:
    """A threshold written as a probability -> the wire's integer (``ends``: 0 and 1 allowed)."""
    ok = 0.0 <= value <= 1.0 if ends else 0.0 < value < 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not ok:
        _raise(where, f"threshold is a probability between 0 and 1, got {value!r}")
    return max(lo, min(255, round(value * scale)))


def _validated(cfg: Any, where: str) -> Any:
    try:
        cfg.validate()
    except Exception as e:
        raise ConfigError(f"{where}: {e}") from None
    return cfg


def over_gesture_for(strokes: StrokeConfigPacket, mapped: Iterable[str], model_gestures: Iterable[str] | None) -> int:
    """The over_gesture a profile mapping ``mapped`` sends: the [strokes] setting where it maps
    one of the gesture model's gestures (``model_gestures``; None: any name not a character),
    else 0: a gesture there would do nothing, so a read character always wins."""
    mapped = set(mapped)
    gestures = [g for g in mapped if not is_character(g)] if model_gestures is None else \
        [g for g in model_gestures if g in mapped]
    return strokes.over_gesture if gestures else 0


def _strokes(raw: Any, loc: _Locator) -> StrokeConfigPacket:
    """[strokes]: the threshold (a probability), the intent rule's levels and whether a drawn
    character silences a gesture the IMU model decided during it (``characters_first``); the
    active set is not a setting: it is what each profile maps."""
    _table(raw, loc.at("strokes"), "[strokes]")
    switches = {"enabled": STROKE_FLAG_ENABLED, "characters_first": STROKE_FLAG_CHARACTERS_FIRST}
    allowed = sorted(set(STROKE_CONFIG_LIMITS) - {"flags", "active_mask"} | set(switches))  # over_gesture: a probability
    values: dict[str, int] = {}
    flags = StrokeConfigPacket().flags
    for key, value in raw.items():
        where = loc.at("strokes", key)
        if key == "threshold":
            values["threshold"] = _probability(value, where, 255, 0, True)
        elif key == "over_gesture":
            values["over_gesture"] = _over_gesture(value, where)
        elif key in switches:
            if not isinstance(value, bool):
                _raise(where, f"{key} must be true or false, got {value!r}")
            flags = flags | switches[key] if value else flags & ~switches[key]
        elif key in allowed:
            values[key] = _int(value, *STROKE_CONFIG_LIMITS[key], where, key)
        elif key == "min_active_mass":  # renamed when the mass came to count every character
            _raise(where, "min_active_mass is now min_character_mass: the probability (0..255) all characters "
                          "together, not only the profile's, must hold; rename it")
        else:
            _raise(where, f"unknown strokes setting {key!r}; allowed: {', '.join(allowed)}")
    return _validated(StrokeConfigPacket(flags=flags, **values), loc.at("strokes"))


def _over_gesture(value: Any, where: str) -> int:
    """[strokes] over_gesture, a probability -> the wire's score in steps of 4 (0..252)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        _raise(where, f"over_gesture is a probability between 0 and 1 (how sure a drawn character must be to "
                      f"silence a gesture decided while it was drawn), got {value!r}")
    return min(STROKE_OVER_GESTURE_MASK, 4 * round(value * 255 / 4))


def _too_deep(data: Any) -> list[str] | None:
    """The key path where tables and lists nest past MAX_DEPTH, or None (iterative: no
    recursion on hostile input)."""
    todo: list[tuple[Any, int, list[str]]] = [(data, 1, [])]
    while todo:
        node, d, keys = todo.pop()
        if d > MAX_DEPTH:
            return keys
        if isinstance(node, dict):
            todo.extend((v, d + 1, keys + [str(k)]) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            todo.extend((v, d + 1, keys) for v in node if isinstance(v, (dict, list)))
    return None


def _profiles(data: dict, loc: _Locator) -> dict[str, Profile]:
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        _raise(loc.at("profiles"), "the config needs at least one [profiles.NAME.gestures] table")
    _table(raw_profiles, loc.at("profiles"), "[profiles]")
    names = set(raw_profiles)
    profiles = {}
    for pname, body in raw_profiles.items():
        _name(pname, loc.at("profiles", pname), "a profile name")
        _table(body, loc.at("profiles", pname), f"profile {pname!r}")
        extra = set(body) - {"description", "gestures", "controls"}
        if extra:
            _raise(loc.at("profiles", pname, sorted(extra)[0]),
                   f"profile {pname!r}: unknown setting {sorted(extra)[0]!r}; allowed: description, gestures, controls")
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_TEXT:
            _raise(loc.at("profiles", pname, "description"), f"profile {pname!r}: description must be a string")
        gestures = {}
        raw_gestures = _table(body.get("gestures", {}), loc.at("profiles", pname, "gestures"),
                              f"profile {pname!r} gestures")
        for gname, spec in raw_gestures.items():
            where = loc.at("profiles", pname, "gestures", gname)
            _name(gname, where, "a gesture name")
            gname = _renamed(gname, raw_gestures, where)
            _check_character(gname, where)
            specs = spec if isinstance(spec, list) else [spec]
            if not specs:
                _raise(where, f"gesture {gname!r} maps to an empty list")
            if len(specs) > MAX_ACTIONS:
                _raise(where, f"gesture {gname!r} maps to {len(specs)} actions; at most {MAX_ACTIONS}")
            gestures[gname] = [parse_action(s, where, names, pname) for s in specs]
        profiles[pname] = Profile(pname, description, gestures, _controls(body.get("controls", {}), loc, pname))
    return profiles


# --- controls: continuous mappings (issue 21) ------------------------------------------
#   [profiles.slides.controls.pointer]
#   action = "pointer"                     # the air mouse; its settings: POINTER_PARAMS
#   [profiles.music.controls.tilt]
#   action = "midi.cc"                     # an output's ControlKind, with its own parameters
#   cc = 1
#   source = "pitch"                       # and the mapping's: VALUE_PARAMS
#   range = [-40, 40]

def _controls(raw: Any, loc: _Locator, pname: str) -> dict[str, Control]:
    kinds = control_kinds()
    out = {}
    for cname, body in _table(raw, loc.at("profiles", pname, "controls"), f"profile {pname!r} controls").items():
        keys = ("profiles", pname, "controls", cname)
        _name(cname, loc.at(*keys), "a control name")
        _table(body, loc.at(*keys), f"control {cname!r}")
        kind = body.get("action")
        if not isinstance(kind, str) or kind not in kinds:
            _raise(loc.at(*keys, "action") if "action" in body else loc.at(*keys),
                   f"control {cname!r} needs action = one of {', '.join(kinds)}, got {_short(kind)}")
        spec = kinds[kind][1]
        mapping_params = POINTER_PARAMS if kind == "pointer" else VALUE_PARAMS
        allowed = ["action", *(p.name for p in spec.params), *(p.name for p in mapping_params)]
        for key in body:
            if key not in allowed:
                _raise(loc.at(*keys, key), f"control {cname!r} ({kind}) does not take {key!r}; "
                                           f"it takes {', '.join(allowed[1:])}")
        params = _control_values(spec.params, body, loc, keys, kind)
        mapping = _control_values(mapping_params, body, loc, keys, kind)
        if spec.finish:
            params = spec.finish(params, loc.at(*keys))
        if kind == "pointer" and any(c.kind == "pointer" for c in out.values()):
            _raise(loc.at(*keys), f"profile {pname!r} has more than one pointer control")
        out[cname] = Control(cname, kind, params, mapping, loc.at(*keys), pname)
    return out


def _control_values(params, body: dict, loc: _Locator, keys: tuple[str, ...], kind: str) -> dict[str, Any]:
    values = {}
    for p in params:
        if p.name in body:
            values[p.name] = check_value(p, body[p.name], loc.at(*keys, p.name))
        elif p.default is REQUIRED:
            _raise(loc.at(*keys), f"control {keys[-1]!r} ({kind}) needs {p.name}")
        else:
            values[p.name] = p.default
    return values


def _check_needs(profiles: dict[str, Profile], settings: dict[str, Any]) -> None:
    """Each action against its output's settings (an output that cannot work without them)."""
    for profile in profiles.values():
        for actions in profile.gestures.values():
            for action in actions:
                routed = action_kinds().get(action.kind)
                if routed is None or routed[0].needs is None:
                    continue
                spec = routed[0]
                problem = spec.needs(settings.get(spec.section.name) if spec.section else None)
                if problem:
                    _raise(action.where, f"{action.kind} action: {problem}")


def _renamed(gname: str, raw_gestures: dict, where: str) -> str:
    """The current name of a built-in gesture the config calls by its old name."""
    new = RENAMED_GESTURES.get(gname)
    if new is None:
        return gname
    if new in raw_gestures:
        _raise(where, f"{gname!r} is the old name of {new!r}, which this profile also maps: keep one")
    log.warning("%s: %r is now called %r (named by what you draw); using it as %r, rename it in your config",
                where, gname, new, new)
    return new


def _check_character(gname: str, where: str) -> None:
    """A name in the vocabulary's name spaces must be one of its characters."""
    problem = not_a_character(gname)
    if problem:
        _raise(where, problem)


def _wands(data: dict, loc: _Locator, profiles: dict[str, Profile], default: str) -> list[WandBinding]:
    wands = []
    for wname, body in _table(data.get("wands", {}), loc.at("wands"), "[wands]").items():
        _name(wname, loc.at("wands", wname), "a wand name")
        _table(body, loc.at("wands", wname), f"wand {wname!r}")
        extra = sorted(set(body) - {"address", "profile"})
        if extra:
            _raise(loc.at("wands", wname, extra[0]), f"wand {wname!r}: unknown setting {extra[0]!r}; "
                                                     "allowed: address, profile")
        prof = body.get("profile", default)
        if not isinstance(prof, str) or prof not in profiles:
            _raise(loc.at("wands", wname, "profile"), f"wand {wname!r}: no profile {_short(prof)}; "
                                                      f"profiles: {', '.join(sorted(profiles))}")
        address = body.get("address")
        if address is not None and (not isinstance(address, str) or not ADDRESS_RE.match(address)):
            _raise(loc.at("wands", wname, "address"), f"wand {wname!r}: address must be a Bluetooth address "
                   f"like \"C8:2B:96:12:34:56\" (or a macOS device UUID), got {_short(address)}")
        wands.append(WandBinding(wname, address, prof))
    return wands


def parse_config(text: str, path: Path | None = None) -> Config:
    loc = _Locator(path, text)
    if len(text) > MAX_FILE:
        raise ConfigError(f"{loc.name}: {len(text)} characters is too long for a config (at most {MAX_FILE})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        where = f"{loc.name}:{m.group(1)}:{m.group(2)}" if m else loc.name
        reason = re.sub(r" \(at line.*", "", str(e))
        raise ConfigError(f"{where}: not valid TOML: {reason}") from None
    except RecursionError:  # tomllib recurses per nesting level
        lines = text.splitlines() or [""]
        worst = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{")) + 1
        raise ConfigError(f"{loc.name}:{worst}: tables or lists nest too deeply (at most {MAX_DEPTH})") from None
    deep = _too_deep(data)
    if deep is not None:
        raise ConfigError(f"{loc.at(*deep)}: tables or lists nest too deeply (at most {MAX_DEPTH})")
    known = ["default_profile", "profiles", "spotting", "strokes", "wands", "max_event_age_ms", *sections()]
    for key in data:
        if key not in known:
            _raise(loc.at(key), f"unknown setting {key!r}; allowed: {', '.join(sorted(known))}")
    profiles = _profiles(data, loc)
    default = data.get("default_profile", next(iter(profiles)))
    if not isinstance(default, str) or default not in profiles:
        _raise(loc.at("default_profile"), f"default_profile {_short(default)} is not a profile; profiles: "
                                          f"{', '.join(sorted(profiles))}")
    settings = {name: _section(name, data[name], loc) for name in sections() if name in data}
    _check_needs(profiles, settings)
    wands = _wands(data, loc, profiles, default)
    age = _int(data.get("max_event_age_ms", 3000), 0, 600000, loc.at("max_event_age_ms"), "max_event_age_ms")
    return Config(path, profiles, default, _spotting(data.get("spotting", {}), loc), settings, wands, age,
                  _strokes(data.get("strokes", {}), loc))


def expand_user(path: str | Path) -> Path:
    """``~/x`` and ``~user/x`` made absolute; ConfigError for ``~nouser/x`` (expanduser raises)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        raise ConfigError(f"{path}: no home folder for that user; write the full path") from None


def load_config(path: str | Path) -> Config:
    path = expand_user(path)
    from .trust import TrustError, read_trusted
    try:  # like ssh: a file a stranger could write could make the daemon run anything; a FIFO must not hang
        text = read_trusted(path, MAX_FILE).decode("utf-8-sig")  # an editor may save a BOM first
    except TrustError as e:
        raise ConfigError(str(e)) from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; start from one of the examples: "
                          "'mkdir -p ~/.config/wand && wand config example tv > ~/.config/wand/config.toml'") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return parse_config(text, path)


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml"))


def example_path(name: str) -> Path:
    if name not in example_names():  # a name, never a path out of the examples folder
        raise ConfigError(f"no example {name!r}; examples: {', '.join(example_names())}")
    return EXAMPLES_DIR / f"{name}.toml"
