"""``unipen``: UNIPEN train_r01_v07 isolated digits (1a) and capitals (1b): tablet pen strokes.

Not a wand and not IMU: 2-D pen positions from digitising tablets (SOURCE.md). Layout:
``data/1a|1b/<contributor>/.../*.dat`` hold ``.INCLUDE <file>`` (relative to ``include/``)
and ``.SEGMENT CHARACTER <components> <quality> "<label>"``; the included ``.dat`` holds
``.WRITER_ID`` and ``.PEN_DOWN`` / ``.PEN_UP`` blocks of ``X Y ...`` lines. Components are
those blocks that carry points, counted from 0 (an empty ``.PEN_UP`` only ends the stroke
before it; ``cea``, ``ceb`` and ``pri`` record pen-up motion as blocks of their own). A
component reference is ``c`` or ``c:p`` (point ``p`` of component ``c``); ranges ``a-b``
and lists ``x,y`` combine them.

A character is its pen-down strokes in writing order, each kept as one segment (pen-up
motion dropped): a wand draws one continuous stroke, so training joins them with the jump
bridged by a straight line (``Stroke.points`` does exactly that). Y: in all twelve
contributors the tablet's y already points up (checked on the data: a "7", an "L" and a
"Z" start above where they end for 98-100% of each contributor's tries; tests pin it), so
points are kept as they are. The person is ``<contributor>:<writer>``:
writer ids are only unique within a contributor.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from .files import read_data
from .strokes import Stroke

_SEGMENT = re.compile(r'^\.SEGMENT\s+CHARACTER\s+(\S+)\s+(\S+)\s+"(.*)"\s*$')


@dataclass
class _Ink:
    """One included ``.dat`` file: its components (pen-down flag, points) and their writers."""

    down: list[bool] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    writer: list[str] = field(default_factory=list)


def _read_ink(path: Path) -> _Ink:
    ink = _Ink()
    writer, block, rows = "", None, []  # block: None outside, True pen down, False pen up

    def close() -> None:
        if block is not None and rows:
            ink.down.append(block)
            ink.points.append(np.array(rows, np.float64))
            ink.writer.append(writer)

    lines = read_data(path).decode("latin-1").splitlines()
    for no, line in enumerate(lines, start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("."):
            close()
            key, *rest = s.split(None, 1)  # keywords and values are split by spaces or tabs
            block, rows = {".PEN_DOWN": True, ".PEN_UP": False}.get(key), []
            if key == ".WRITER_ID" and rest:
                writer = rest[0].strip()
            continue
        if block is not None:
            parts = s.split()
            try:
                x, y = float(parts[0]), float(parts[1])
                if not (math.isfinite(x) and math.isfinite(y)):
                    raise ValueError(s)
            except (ValueError, IndexError):
                raise GestureFileError(f"{path}:{no}: not an 'X Y' pen point: {s[:40]!r}") from None
            rows.append((x, y))
    close()
    return ink


def _ref(text: str) -> tuple[int, int | None]:
    c, _, p = text.partition(":")
    return int(c), (int(p) if p else None)


def _pieces(spec: str, ink: _Ink) -> list[tuple[int, int, int]]:
    """Component spec -> (component, first point, end point) pieces, in writing order; a
    ValueError for a range that is reversed or names a component the ink does not have
    (Python's negative indexing would otherwise read another one)."""
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        (ca, pa), (cb, pb) = _ref(a), _ref(b or a)
        if not 0 <= ca <= cb < len(ink.points) or min(pa or 0, pb or 0) < 0:
            raise ValueError(part)
        for c in range(ca, cb + 1):
            n = len(ink.points[c])
            first = pa if (c == ca and pa is not None) else 0
            end = pb + 1 if (c == cb and pb is not None) else n
            out.append((c, first, min(end, n)))
    return out


def _character(spec: str, ink: _Ink) -> tuple[list[np.ndarray], str] | None:
    segs, writer = [], None
    for c, first, end in _pieces(spec, ink):
        if not ink.down[c]:
            continue  # pen-up motion: the straight bridge stands in for it
        seg = ink.points[c][first:end]
        if len(seg):
            segs.append(seg.copy())
            writer = writer or ink.writer[c]
    return (segs, writer or "") if segs else None


def load_unipen(folder: Path) -> list[Stroke]:
    folder = Path(folder)
    files = sorted((folder / "data").glob("1[ab]/*/**/*.dat"))
    if not files:
        raise GestureFileError(f"{folder}: no data/1a or data/1b/*.dat files (format unipen)")
    inks: dict[Path, _Ink] = {}
    out: list[Stroke] = []
    for f in files:
        contributor = f.relative_to(folder / "data").parts[1]
        ink = None
        for no, line in enumerate(read_data(f).decode("latin-1").splitlines(), start=1):
            if line.startswith(".INCLUDE") and line.split()[-1].endswith(".dat"):
                inc = folder / "include" / line.split()[-1]
                if inc not in inks:
                    inks[inc] = _read_ink(inc)
                ink = inks[inc]
                continue
            m = _SEGMENT.match(line.strip())
            if not m:
                continue
            if ink is None:
                raise GestureFileError(f"{f}:{no}: .SEGMENT before any .INCLUDE of pen data")
            try:
                got = _character(m.group(1), ink)
            except (ValueError, IndexError):
                raise GestureFileError(f"{f}:{no}: component range {m.group(1)!r} not in {inc}") from None
            if got is None:
                continue
            segs, writer = got
            out.append(Stroke(label=m.group(3), segments=segs, person=f"{contributor}:{writer or f.stem}",
                              source=f"{f}:{no}", meta={"contributor": contributor, "quality": m.group(2)}))
    return out
