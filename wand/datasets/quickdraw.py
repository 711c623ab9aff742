"""``quickdraw-shapes``: Quick, Draw! drawings (web canvas, not a wand; no IMU).

ndjson, one drawing per line: ``word``, ``key_id``, ``drawing`` = strokes ``[x[], y[], t_ms[]]``
in canvas pixels (y down). Each drawing is by a different anonymous player: the person id
is the drawing's ``key_id``. y is flipped so it points up, as for wand strokes.
Attribution: Google's Quick, Draw! data, CC BY 4.0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from .strokes import Stroke


def load_quickdraw(folder: Path) -> list[Stroke]:
    files = sorted(Path(folder).glob("*.ndjson"))
    if not files:
        raise GestureFileError(f"{folder}: no *.ndjson files (format quickdraw-shapes)")
    out = []
    for f in files:
        for no, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                segs = [np.array([s[0], s[1]], np.float64).T for s in d["drawing"]]
                times = [np.array(s[2], np.float64) if len(s) > 2 else None for s in d["drawing"]]
            except (ValueError, KeyError, IndexError) as e:
                raise GestureFileError(f"{f}:{no}: not a Quick, Draw! drawing ({e})") from None
            for s in segs:
                s[:, 1] = -s[:, 1]  # canvas y grows downwards
            out.append(Stroke(label=d["word"].replace(" ", "_"), segments=segs, person=str(d["key_id"]),
                              source=f"{f}:{no}",
                              times_ms=None if any(t is None for t in times) else times,
                              meta={"countrycode": d.get("countrycode", ""), "recognized": str(d.get("recognized"))}))
    return out
