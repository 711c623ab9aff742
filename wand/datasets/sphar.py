"""``sp-sw-har``: everyday motion from a smartwatch (no gestures occur in it).

``DATA/sXX/sXX_NN_sw.csv``: ``x_acc,y_acc,z_acc`` (m/s^2, gravity included),
``x_gyro,y_gyro,z_gyro`` (rad/s), ``timestamp`` (Unix ms), ``label`` (SEATED, STANDING_UP,
WALKING, TURNING, SITTING_DOWN). Timestamps jitter 6-13 ms around 10 ms, so each file is
resampled by timestamp (linear interpolation) onto an even 100 Hz grid, then converted to
mg and 0.1 deg/s and mapped into the board frame (``frames.WATCH_TO_BOARD``). One
Recording per file (label ``everyday``); where each activity lies is kept in
``meta["activities"]`` as ``LABEL:start-end`` sample ranges on the resampled grid.
Cite Matey-Sanz, Casteleyn & Granell (2023), Data in Brief 109809 (CC BY 4.0).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from ..recordings import INT16_MAX, MAX_STREAM_S, Recording
from .files import read_data
from .frames import G_MS2, WATCH_TO_BOARD, to_board

SPHAR_RATE_HZ = 100
EVERYDAY = "everyday"
COLUMNS = ["x_acc", "y_acc", "z_acc", "x_gyro", "y_gyro", "z_gyro", "timestamp", "label"]
# m/s^2 and rad/s that still fit the wire's int16 units (mg, 0.1 deg/s)
LIMITS = np.array([INT16_MAX / 1000.0 * G_MS2] * 3 + [INT16_MAX / 10.0 * np.pi / 180.0] * 3)


def read_sphar_csv(path: Path) -> Recording:
    try:
        rows = list(csv.reader(io.StringIO(read_data(path).decode("utf-8"), newline="")))
    except UnicodeDecodeError as e:  # binary data, or saved as UTF-16 / Latin-1
        raise GestureFileError(f"{path}: not a UTF-8 text CSV file (binary data at byte {e.start})") from None
    if not rows or rows[0] != COLUMNS:
        raise GestureFileError(f"{path}:1: expected header {','.join(COLUMNS)}")
    body = rows[1:]
    short = next((n for n, r in enumerate(body, 2) if len(r) < len(COLUMNS)), None)
    if short is not None:
        raise GestureFileError(f"{path}:{short}: not 7 numbers and a label")
    try:
        values = np.array([r[:7] for r in body], dtype=float)  # numpy parses: 3-4x faster than float()
    except ValueError:
        raise GestureFileError(f"{path}:{_bad_line(body)}: not 7 numbers and a label") from None
    labels = [r[7] for r in body]
    if len(values) < 2:
        raise GestureFileError(f"{path}: fewer than 2 samples")
    bad = ~(np.abs(values[:, :6]) <= LIMITS).all(axis=1) | ~np.isfinite(values[:, 6])  # also nan
    if bad.any():
        raise GestureFileError(f"{path}:{int(np.argmax(bad)) + 2}: values must be finite numbers within the IMU's "
                               f"16-bit range (+-{LIMITS[0]:.0f} m/s^2, +-{LIMITS[3]:.1f} rad/s), the timestamp "
                               f"Unix ms: fix or delete the row")
    t = values[:, 6] - values[0, 6]
    # a repeated (or earlier) timestamp carries no new time
    keep = np.concatenate([[True], t[1:] > np.maximum.accumulate(t)[:-1]])
    t, values, labels = t[keep], values[keep], [lab for lab, k in zip(labels, keep) if k]
    if t[-1] > MAX_STREAM_S * 1000.0:
        raise GestureFileError(f"{path}: its timestamps span {t[-1] / 3.6e6:.1f} h, more than "
                               f"{MAX_STREAM_S / 3600:g} h: the timestamp column must be Unix ms")
    grid = np.arange(0.0, t[-1] + 1e-9, 1000.0 / SPHAR_RATE_HZ)
    phys = np.stack([np.interp(grid, t, values[:, i]) for i in range(6)], axis=1)
    phys[:, :3] *= 1000.0 / G_MS2  # m/s^2 -> mg
    phys[:, 3:] *= 10.0 * 180.0 / np.pi  # rad/s -> 0.1 deg/s
    raw = np.rint(to_board(phys, WATCH_TO_BOARD)).astype(np.int32)
    # nearest earlier original sample's label for each grid point, as runs of one label
    names, codes = np.unique(np.array(labels), return_inverse=True)
    grid_codes = codes[np.searchsorted(t, grid, side="right") - 1]
    edges = np.concatenate([[0], np.flatnonzero(np.diff(grid_codes)) + 1, [len(grid)]])
    spans = [f"{names[grid_codes[a]]}:{a}-{b}" for a, b in zip(edges[:-1], edges[1:])]
    person = path.parent.name
    return Recording(label=EVERYDAY, samples=raw, rate_hz=SPHAR_RATE_HZ, person=person, session=path.stem,
                     source=str(path), meta={"activities": ",".join(spans), "board": "smartwatch"})


def _bad_line(body: list[list[str]]) -> int:
    """The file line of the first row whose first 7 fields are not all numbers."""
    for n, r in enumerate(body, 2):
        try:
            [float(v) for v in r[:7]]
        except ValueError:
            return n
    return 2


def activity_spans(rec: Recording) -> list[tuple[str, int, int]]:
    """``meta["activities"]`` as (label, start, end) sample ranges."""
    out = []
    for item in rec.meta.get("activities", "").split(","):
        if item:
            label, _, rng = item.partition(":")
            a, _, b = rng.partition("-")
            out.append((label, int(a), int(b)))
    return out


def load_sphar(folder: Path) -> list[Recording]:
    folder = Path(folder)
    files = sorted(folder.glob("DATA/s*/s*_sw.csv")) or sorted(folder.glob("s*/s*_sw.csv"))
    if not files:
        raise GestureFileError(f"{folder}: no DATA/sXX/sXX_NN_sw.csv files (format sp-sw-har)")
    return [read_sphar_csv(f) for f in files]
