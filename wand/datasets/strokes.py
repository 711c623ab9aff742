"""Drawn strokes: 2-D shapes, not IMU recordings (petewarden-digits, quickdraw-shapes).

Coordinates as the drawer sees the drawing: x to the right, y up. A wand draws one
continuous stroke; canvas drawings may have pen lifts, kept as separate segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Stroke:
    label: str
    segments: list[np.ndarray]  # each (n, 2) float: x right, y up
    person: str = "unknown"
    source: str = ""
    times_ms: list[np.ndarray] | None = None  # per segment, when the source has them
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.segments = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in self.segments]

    @property
    def points(self) -> np.ndarray:
        """All segments joined in drawing order, (n, 2)."""
        return np.concatenate(self.segments) if self.segments else np.zeros((0, 2))
