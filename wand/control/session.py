"""One wand's continuous control: IMU notifications in, (mapping, value) commands out.

The daemon keeps one ``ControlSession`` per wand while its active profile has control
mappings; ``feed`` runs in the notification callback (a few hundred microseconds per
sample), and the commands go to the outputs on their own worker, so the radio never
waits for an output and a held gesture key never delays the pointer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..errors import PacketError
from ..outputs import control_kinds
from ..protocol import ImuPacket
from .fusion import RESTART_GAP_S, Fusion, Pose
from .mappings import AirMouse, Control, ValueMap

SEQ_MOD = 1 << 16
HISTORY_S = 5.0  # pointer moves kept for a gesture's click to undo (a gesture's onset is < 2 s back)


@dataclass(frozen=True)
class Command:
    control: Control
    value: Any  # (dx, dy) pixels for the pointer; what the output sends otherwise
    seq: int  # the wand's sample number (mod 2**16) it came from


@dataclass
class ControlSession:
    controls: list[Control]
    rate_hz: float
    fusion: Fusion = field(init=False)
    mappings: list[AirMouse | ValueMap] = field(init=False)
    last_seq: int | None = None
    samples: int = 0  # unwrapped sample count since the start (the mappings' clock)
    corrupt: int = 0
    last_pose: Pose | None = None
    moves: deque = field(default_factory=deque)  # (sample count, dx, dy) of recent pointer moves

    def __post_init__(self) -> None:
        self.fusion = Fusion(self.rate_hz)
        self.mappings = [AirMouse(c, self.rate_hz) if c.kind == "pointer"
                         else ValueMap(c, self.rate_hz, control_kinds()[c.kind][1].value) for c in self.controls]

    def feed(self, data: bytes) -> list[Command]:
        """One IMU notification -> the commands its samples make (never raises on bad data)."""
        try:
            packet = ImuPacket.decode(data)
        except PacketError:
            self.corrupt += 1
            return []
        out: list[Command] = []
        for i, sample in enumerate(packet.samples):
            out.extend(self.step((packet.first_seq + i) % SEQ_MOD, sample))
        return out

    def step(self, seq: int, sample: tuple[int, ...]) -> list[Command]:
        gap = 1 if self.last_seq is None else (seq - self.last_seq) % SEQ_MOD
        if self.last_seq is not None and (gap == 0 or gap >= SEQ_MOD // 2):
            return []  # a repeat or a late sample: the pose has moved on
        self.last_seq = seq
        self.samples += gap
        if gap > RESTART_GAP_S * self.rate_hz:  # the fusion starts over at heading 0: so does yaw
            for m in self.mappings:
                if isinstance(m, ValueMap):
                    m.restart_yaw()
        pose = self.last_pose = self.fusion.update(sample, gap)
        t_s = self.samples / self.rate_hz
        out = []
        for m in self.mappings:
            value = m.step(pose) if isinstance(m, AirMouse) else m.step(pose, t_s)
            if value is not None:
                out.append(Command(m.control, value, seq))
                if isinstance(m, AirMouse):
                    self._remember(value)
        return out

    def _remember(self, move: tuple[int, int]) -> None:
        self.moves.append((self.samples, *move))
        while self.moves and self.moves[0][0] < self.samples - HISTORY_S * self.rate_hz:
            self.moves.popleft()

    def undo_since(self, seq16: int) -> Command | None:
        """The pointer move that takes it back to where it was at sample ``seq16`` (a
        gesture's onset: its click lands where the person pointed, not where the gesture's
        own motion carried the pointer), or None. The moves it undoes are forgotten."""
        pointer = next((m.control for m in self.mappings if isinstance(m, AirMouse)), None)
        if pointer is None or self.last_seq is None:
            return None
        back = (self.last_seq - seq16) % SEQ_MOD
        if back >= SEQ_MOD // 2:  # the onset is after the newest sample: nothing to undo yet
            return None
        start = self.samples - back
        dx = sum(m[1] for m in self.moves if m[0] >= start)
        dy = sum(m[2] for m in self.moves if m[0] >= start)
        while self.moves and self.moves[-1][0] >= start:
            self.moves.pop()
        return Command(pointer, (-dx, -dy), self.last_seq) if dx or dy else None
