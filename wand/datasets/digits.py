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

import numpy as np

from ..errors import GestureFileError
from .files import read_data
from .strokes import Stroke

DIGITS_PERSON = "petewarden"


def load_petewarden_digits(folder: Path) -> list[Stroke]:
    files = sorted(Path(folder).glob("petewarden_*.json"))
    if not files:
        raise GestureFileError(f"{folder}: no petewarden_*.json files (format petewarden-digits)")
    out = []
    for f in files:
        try:
            data = json.loads(read_data(f).decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("strokes"), list):
                raise ValueError("want a JSON object with a 'strokes' list")
            strokes = data["strokes"]
            for i, s in enumerate(strokes):
                out.append(_stroke(f, i, s, len(out)))
        except (ValueError, RecursionError) as e:  # read_data names an unreadable file itself
            raise GestureFileError(f"{f}: not a petewarden stroke file ({e})") from None
    return out


def _stroke(f: Path, i: int, s, n: int) -> Stroke:
    """One ``strokes[i]`` entry; a ValueError saying which one is not a stroke."""
    where = f"strokes[{i}]"
    if not isinstance(s, dict) or not isinstance(s.get("strokePoints"), list) or "label" not in s:
        raise ValueError(f"{where} must have 'strokePoints' (a list) and 'label'")
    try:
        pts = np.array([[p["x"], p["y"]] for p in s["strokePoints"]], np.float64).reshape(-1, 2)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{where}: every stroke point must be {{\"x\": number, \"y\": number}}") from None
    if not np.isfinite(pts).all():
        raise ValueError(f"{where}: a point is not a finite number (NaN, Infinity or null)")
    return Stroke(label=str(s["label"]), segments=[pts], person=DIGITS_PERSON, source=f"{f}#{s.get('index', n)}")
