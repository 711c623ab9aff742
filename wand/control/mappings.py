"""Control mappings: what a profile's ``[profiles.NAME.controls.X]`` tables become.

* ``AirMouse`` (``action = "pointer"``): the tip's sweep rates (``Fusion``: yaw -> x,
  pitch -> y, roll ignored) -> pixels, with
  - a rest gate ("static friction"): from rest the pointer moves only once the wand turns
    faster than ``wake_dps``, and it is at rest again after ``rest_s`` below ``rest_dps``,
    so a wand lying on a table, or resting in a hand, never moves it whatever the gyro's
    bias and noise do;
  - a dead zone (``dead_zone_dps``) and an acceleration curve: ``px_per_deg`` at 60 deg/s,
    times (speed / 60) ** ``accel`` (bounded 0.25..4), so slow turns aim finely and fast
    ones cross the screen; sub-pixel remainders are kept, so slow turns are not lost;
  - a clutch without a button (``clutch = "raise"``): the pointer follows only while the
    tip is above ``clutch_deg`` (pointing at the screen, not hanging at your side), so you
    lower the wand to re-centre your hand and raise it to carry on, as one lifts a mouse.
* ``ValueMap`` (every other action): pitch, roll or yaw (relative to where it was when the
  mapping started) over ``range = [lo, hi]`` degrees -> 0..1, smoothed with the 1-euro
  filter, and sent through the output's own scale (CC 0-127 or 0-16383, bend, float, axis)
  only when what is sent changes, at most ``max_rate_hz``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..outputs.base import Param
from .filters import SendGate, one_euro
from .fusion import Pose, wrap_deg

REF_DPS = 60.0  # the speed at which px_per_deg applies as it is
SOURCES = ("pitch", "roll", "yaw")
CLUTCHES = ("raise", "none")

POINTER_PARAMS = (
    Param("px_per_deg", "float", 12.0, lo=0.1, hi=200.0, help="pixels per degree at 60 deg/s"),
    Param("accel", "float", 0.6, lo=0.0, hi=2.0, help="acceleration curve exponent (0: none)"),
    Param("dead_zone_dps", "float", 2.0, lo=0.0, hi=100.0),
    Param("wake_dps", "float", 25.0, lo=0.0, hi=500.0, help="from rest, move only above this rate"),
    Param("rest_dps", "float", 12.0, lo=0.0, hi=200.0),  # rest_dps, rest_s: chosen on sp-sw-har validation
    Param("rest_s", "float", 0.06, lo=0.02, hi=10.0),    # people, fewest px over still runs (wand bench control)
    Param("clutch", "choice", "raise", choices=CLUTCHES),
    Param("clutch_deg", "float", -35.0, lo=-90.0, hi=90.0, help="the pointer follows while the tip is above this"),
    Param("invert_y", "bool", False),
)
VALUE_PARAMS = (
    Param("source", "choice", choices=SOURCES),
    Param("range", "custom", (-45.0, 45.0), parse=lambda v, w: _range(v, w)),  # defined below
    # 1-euro defaults chosen in `wand bench control` (not on test people): least jitter held still
    # with at most one sample (20 ms) of lag while moving
    Param("min_cutoff", "float", 0.3, lo=0.01, hi=50.0, help="1-euro: Hz of smoothing at rest"),
    Param("beta", "float", 0.2, lo=0.0, hi=10.0, help="1-euro: less smoothing (lag) the faster it moves"),
    Param("max_rate_hz", "float", 50.0, lo=0.1, hi=1000.0),
)


def _range(value: Any, where: str) -> tuple[float, float]:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) and -180 <= v <= 180 for v in value)
          and value[0] != value[1])
    if not ok:
        raise ConfigError(f"{where}: range must be [low, high] in degrees -180..180, two different numbers "
                          f"(high < low reverses it), got {value!r}")
    return float(value[0]), float(value[1])


@dataclass(frozen=True)
class Control:
    """One validated control mapping from the config."""

    name: str
    kind: str  # "pointer" or an output's ControlKind
    params: dict[str, Any]  # the output's own parameters (cc, channel, address, axis ...)
    mapping: dict[str, Any]  # POINTER_PARAMS or VALUE_PARAMS values
    where: str
    profile: str = ""

    def describe(self) -> str:
        if self.kind == "pointer":
            return f"air mouse ({', '.join(f'{k}={v}' for k, v in self.mapping.items())})"
        lo, hi = self.mapping["range"]
        target = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.mapping['source']} {lo:g}..{hi:g} deg -> {self.kind}({target})"


@dataclass
class AirMouse:
    control: Control
    rate_hz: float
    moving: bool = False
    _quiet: int = 0
    _rx: float = 0.0
    _ry: float = 0.0

    def step(self, pose: Pose) -> tuple[int, int] | None:
        """One sample -> a pointer move in whole pixels, or None (no move)."""
        m = self.control.mapping
        if not self._awake(pose.rate, m):
            return None
        if m["clutch"] == "raise" and pose.pitch < m["clutch_deg"]:
            self._rx = self._ry = 0.0
            return None
        speed = (pose.yaw_rate ** 2 + pose.pitch_rate ** 2) ** 0.5
        if speed <= m["dead_zone_dps"]:
            return None
        gain = m["px_per_deg"] * min(4.0, max(0.25, (speed / REF_DPS) ** m["accel"]))
        scale = gain * (speed - m["dead_zone_dps"]) / speed / self.rate_hz
        self._rx += pose.yaw_rate * scale
        self._ry += pose.pitch_rate * scale * (1 if m["invert_y"] else -1)  # screen y grows downwards
        dx, dy = int(self._rx), int(self._ry)
        self._rx -= dx
        self._ry -= dy
        return (dx, dy) if dx or dy else None

    def _awake(self, rate: float, m: dict[str, Any]) -> bool:
        if not self.moving:
            self.moving = rate > m["wake_dps"]
            self._quiet = 0
            return self.moving
        self._quiet = self._quiet + 1 if rate < m["rest_dps"] else 0
        if self._quiet >= m["rest_s"] * self.rate_hz:
            self.moving = False
            self._rx = self._ry = 0.0
        return self.moving


@dataclass
class ValueMap:
    control: Control
    rate_hz: float
    value_of: Any  # the output's ControlKind.value: (params, t in 0..1) -> what is sent
    _filter: Any = None
    _gate: SendGate | None = None
    _yaw0: float | None = None
    t: float = field(default=0.5, init=False)  # the last position along the range, 0..1

    def __post_init__(self) -> None:
        m = self.control.mapping
        self._filter = one_euro(self.rate_hz, m["min_cutoff"], m["beta"])
        self._gate = SendGate(m["max_rate_hz"])

    def restart_yaw(self) -> None:
        """Yaw is relative to where the wand pointed at the (re)start of the fusion."""
        self._yaw0 = None

    def angle(self, pose: Pose) -> float:
        source = self.control.mapping["source"]
        if source != "yaw":
            return getattr(pose, source)
        if self._yaw0 is None:
            self._yaw0 = pose.yaw
        return wrap_deg(pose.yaw - self._yaw0)

    def step(self, pose: Pose, t_s: float) -> Any | None:
        """One sample at wand time ``t_s`` -> the value to send, or None (unchanged or too soon)."""
        lo, hi = self.control.mapping["range"]
        smooth = self._filter(self.angle(pose), t_s)
        self.t = min(1.0, max(0.0, (smooth - lo) / (hi - lo)))
        value = self.value_of(self.control.params, self.t)
        return value if self._gate.offer(value, t_s) else None
