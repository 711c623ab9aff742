"""``petewarden-digits``: digits drawn with a Nano 33 BLE Sense wand, as 2-D gyro strokes.

Not IMU data: the wand firmware (petewarden/magic_wand) integrated the gyroscope and
projected the orientation onto a plane set by gravity; each stroke is those points.
``petewarden_<d>.json``: ``strokes[].strokePoints[{x, y}]`` and ``strokes[].label``. The
stored y already points up as the drawer sees it (every "7" starts at the top and ends
at the bottom), so points are kept as they are. One person.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import GestureFileError
from .strokes import Stroke

DIGITS_PERSON = "petewarden"


def load_petewarden_digits(folder: Path) -> list[Stroke]:
    files = sorted(Path(folder).glob("petewarden_*.json"))
    if not files:
        raise GestureFileError(f"{folder}: no petewarden_*.json files (format petewarden-digits)")
    out = []
    for f in files:
        try:
            strokes = json.loads(f.read_text(encoding="utf-8"))["strokes"]
        except (OSError, ValueError, KeyError) as e:
            raise GestureFileError(f"{f}: not a petewarden stroke file ({e})") from None
        for s in strokes:
            pts = [[p["x"], p["y"]] for p in s["strokePoints"]]
            out.append(Stroke(label=str(s["label"]), segments=[pts], person=DIGITS_PERSON,
                              source=f"{f}#{s.get('index', len(out))}"))
    return out
