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
from .files import read_data
from .strokes import Stroke


def load_quickdraw(folder: Path) -> list[Stroke]:
    files = sorted(Path(folder).glob("*.ndjson"))
    if not files:
        raise GestureFileError(f"{folder}: no *.ndjson files (format quickdraw-shapes)")
    out = []
    for f in files:
        try:
            text = read_data(f).decode("utf-8")
        except UnicodeDecodeError as e:
            raise GestureFileError(f"{f}: not a UTF-8 text file (binary data at byte {e.start})") from None
        for no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                d, segs, times = _drawing(line)
            except (ValueError, KeyError, IndexError, TypeError, RecursionError) as e:
                raise GestureFileError(f"{f}:{no}: not a Quick, Draw! drawing ({e})") from None
            for s in segs:
                s[:, 1] = -s[:, 1]  # canvas y grows downwards
            out.append(Stroke(label=d["word"].replace(" ", "_"), segments=segs, person=str(d["key_id"]),
                              source=f"{f}:{no}",
                              times_ms=None if any(t is None for t in times) else times,
                              meta={"countrycode": d.get("countrycode", ""), "recognized": str(d.get("recognized"))}))
    return out


def _drawing(line: str) -> tuple[dict, list[np.ndarray], list[np.ndarray | None]]:
    """One ndjson line -> (the record, (n, 2) segments, per-segment times or None); a
    ValueError (or KeyError, TypeError, ...) says what in it is not a drawing."""
    d = json.loads(line)
    if not isinstance(d, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in ("word", "key_id", "drawing") if k not in d]
    if missing:
        raise ValueError(f"no {missing[0]!r}")
    if not isinstance(d["word"], str) or not d["word"].strip():
        raise ValueError(f"'word' must be a name, got {d['word']!r}"[:120])
    if not isinstance(d["key_id"], (str, int)) or isinstance(d["key_id"], bool):
        raise ValueError("'key_id' must be a string")
    if not isinstance(d["drawing"], list):
        raise ValueError("'drawing' must be a list of strokes [x[], y[], t[]]")
    segs, times = [], []
    for s in d["drawing"]:
        if not isinstance(s, list) or len(s) < 2:
            raise ValueError("a stroke must be [x[], y[]] or [x[], y[], t[]]")
        xy = np.array([s[0], s[1]], np.float64)
        t = np.array(s[2], np.float64) if len(s) > 2 else None
        if xy.ndim != 2 or (t is not None and t.shape != xy.shape[1:]):
            raise ValueError("a stroke's x, y (and t) must be lists of numbers of one length")
        if not np.isfinite(xy).all() or (t is not None and not np.isfinite(t).all()):
            raise ValueError("a stroke holds a number that is not finite (NaN or Infinity)")
        segs.append(xy.T)
        times.append(t)
    return d, segs, times
