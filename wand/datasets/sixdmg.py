"""``6dmg-words``: 6DMG air-writing words (Wii Remote tracked optically; 2-D position, not IMU).

``data_htk/airwriting_spot/truth/data_NP2DuvNV2D/<writer>_<LETTERS>.htk``: HTK parameter
files, big-endian: a 12-byte header (int32 frames, int32 sample period, int16 bytes per
frame = 16, int16 kind = 9 USER), then per frame 4 float32: x, y (2-D position, translated
and scaled to unit variance in y), vx, vy. One file is one word of 2-4 capitals written one
over the other in one continuous motion (no letter boundaries); the label is the letters
after the underscore, the person the prefix. The stored y already points up as the writer
saw it (every "L" starts at the top and goes down; tests pin it), x to the right, so
points are kept as they are. 60 Hz per the 6DMG paper (the header's period, 1, is not
meaningful): ``times_ms`` counts frames at that rate. Velocities are dropped (they are the
positions' differences; the stroke model recomputes its own).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from .files import read_data
from .strokes import Stroke

SIXDMG_DIR = Path("data_htk/airwriting_spot/truth/data_NP2DuvNV2D")
SIXDMG_RATE_HZ = 60.0
_NAME = re.compile(r"^([A-Z][0-9])_([A-Z]{1,4})$")
_HEADER = struct.Struct(">iihh")
_USER_KIND = 9


def read_htk(path: Path) -> np.ndarray:
    """(frames, 4) float64: x, y, vx, vy; one clear error for a file that is not this layout."""
    data = read_data(path)
    if len(data) < _HEADER.size:
        raise GestureFileError(f"{path}: {len(data)} bytes, shorter than an HTK header (12)")
    frames, _period, size, kind = _HEADER.unpack_from(data)
    if size != 16 or kind & 0x3F != _USER_KIND or frames < 1 or len(data) != _HEADER.size + frames * size:
        raise GestureFileError(f"{path}: not a 6DMG NP2DuvNV2D HTK file (frames {frames}, {size} bytes per frame, "
                               f"kind {kind}, {len(data)} bytes; want 4 float32 per frame, kind 9)")
    out = np.frombuffer(data, ">f4", offset=_HEADER.size).reshape(frames, 4).astype(np.float64)
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise GestureFileError(f"{path}: frame {int(np.argmax(bad))} of {frames} holds a value that is not a "
                               "finite number (NaN or infinity): not a 6DMG word file")
    return out


def load_sixdmg_words(folder: Path) -> list[Stroke]:
    """Every word in the shared folder (or a folder of ``.htk`` files itself), file-name order."""
    folder = Path(folder)
    where = folder / SIXDMG_DIR if (folder / SIXDMG_DIR).is_dir() else folder
    files = sorted(where.glob("*.htk"))
    if not files:
        raise GestureFileError(f"{folder}: no {SIXDMG_DIR}/*.htk files (format 6dmg-words)")
    out = []
    for f in files:
        m = _NAME.match(f.stem)
        if not m:
            raise GestureFileError(f"{f}: file name is not <writer>_<LETTERS>.htk (e.g. C1_ACCO.htk)")
        a = read_htk(f)
        out.append(Stroke(label=m.group(2), segments=[a[:, :2]], person=m.group(1), source=str(f),
                          times_ms=[np.arange(len(a)) * (1000.0 / SIXDMG_RATE_HZ)], meta={"device": "6dmg"}))
    return out
