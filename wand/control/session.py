"""One wand's continuous control: IMU notifications in, (mapping, value) commands out.

The daemon keeps one ``ControlSession`` per wand while its active profile has control
mappings; ``feed`` runs in the notification callback (a few hundred microseconds per
sample), and the commands go to the outputs on their own worker, so the radio never
waits for an output and a held gesture key never delays the pointer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import PacketError
from ..outputs import control_kinds
from ..protocol import ImuPacket
from .fusion import Fusion, Pose
from .mappings import AirMouse, Control, ValueMap

SEQ_MOD = 1 << 16


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
        pose = self.last_pose = self.fusion.update(sample, gap)
        t_s = self.samples / self.rate_hz
        out = []
        for m in self.mappings:
            value = m.step(pose) if isinstance(m, AirMouse) else m.step(pose, t_s)
            if value is not None:
                out.append(Command(m.control, value, seq))
        return out
