"""What the continuous controls sent during a run (``wand demo --config``): a live line
now and then, and a PNG with the pointer's path and each value over the wand's time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .session import Command

LINE_EVERY_S = 1.0  # wand time between two live lines


@dataclass
class ControlTrace:
    rate_hz: float
    line: Callable[[str], None] = print
    points: dict[str, list[tuple[float, object]]] = field(default_factory=lambda: defaultdict(list))
    _last_line: float = float("-inf")
    _latest: dict[tuple[str, str], str] = field(default_factory=dict)
    _samples: int = 0
    _last_seq: int | None = None

    def add(self, command: Command, result: str) -> None:
        """One value the daemon sent (its ``on_control`` hook, on the control worker)."""
        seq = command.seq
        if self._last_seq is not None:
            self._samples += (seq - self._last_seq) % (1 << 16)
        self._last_seq = seq
        t = self._samples / self.rate_hz
        self.points[f"{command.control.profile}.{command.control.name}:{command.control.kind}"].append(
            (t, command.value))
        profile = command.control.profile
        self._latest[(profile, command.control.name)] = result.removeprefix("(dry run) ")
        if t - self._last_line >= LINE_EVERY_S:  # the active profile's latest values
            self._last_line = t
            self.line(f"  control ({profile}): " + "; ".join(
                f"{n}: {v}" for (p, n), v in sorted(self._latest.items()) if p == profile))

    def messages(self) -> int:
        return sum(len(v) for v in self.points.values())

    def save_png(self, path: Path, title: str) -> Path | None:
        if not self.points:
            return None
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        from ..plots import save_png
        pointer = {k: v for k, v in self.points.items() if k.endswith(":pointer")}
        values = {k: v for k, v in self.points.items() if not k.endswith(":pointer")}
        panels = len(pointer) + (1 if values else 0)
        fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.5), squeeze=False)
        axes = list(axes[0])
        for (name, pts), ax in zip(pointer.items(), axes):
            path_px = np.cumsum(np.array([(0, 0)] + [v for _, v in pts], float), axis=0)
            ax.plot(path_px[:, 0], path_px[:, 1], lw=0.8)
            ax.plot(*path_px[0], "go", ms=5)
            ax.invert_yaxis()
            ax.set_aspect("equal")
            ax.set_title(f"{name.split(':')[0]}: pointer path (px, screen y down)")
        if values:
            ax = axes[-1]
            for name, pts in values.items():
                t = [p[0] for p in pts]
                v = np.array([float(p[1]) for p in pts])
                span = float(v.max() - v.min()) or 1.0
                ax.step(t, (v - v.min()) / span, where="post", lw=0.8,
                        label=f"{name} ({v.min():g}..{v.max():g})")
            ax.set_xlabel("wand time (s)")
            ax.set_ylabel("value sent (each scaled to its own min..max)")
            ax.legend(fontsize=7)
            ax.set_title("values sent (only on change)")
        fig.suptitle(title)
        fig.tight_layout()
        return save_png(fig, path)
