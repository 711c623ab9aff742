"""Recorded gestures: the in-memory form, and the project's own file format.

A ``Recording`` is one try of one gesture as raw IMU integers (mg, 0.1 dps) at the
rate it was captured, starting at the motion onset. The ``wand-csv`` file format
(one try per file, see ``gestures/README.md``)::

    # wand-recording v1
    # gesture: shake
    # person: alice
    # board: nano33ble-rev1
    # rate_hz: 50
    # date: 2026-11-22T21:00:00+00:00
    ax_mg,ay_mg,az_mg,gx_ddps,gy_ddps,gz_ddps
    -12,40,1002,3,-5,11
    ...

Files are written to a temporary name and linked into place, so an interrupted
session leaves whole files only, and an existing recording is never replaced.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .errors import GestureFileError

MAGIC = "# wand-recording v1"
COLUMNS = ["ax_mg", "ay_mg", "az_mg", "gx_ddps", "gy_ddps", "gz_ddps"]
REQUIRED_META = ("gesture", "rate_hz")
ACC_GYRO = "acc+gyro"  # both sensors: samples (n, 6)
ACC_ONLY = "acc"  # no gyroscope (e.g. SparkFun Edge): samples (n, 3), never padded with made-up rates
CHANNEL_COLUMNS = {ACC_GYRO: 6, ACC_ONLY: 3}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass
class Recording:
    label: str  # gesture name (or a data set's raw label before mapping)
    samples: np.ndarray  # (n, 6) int32: ax ay az in mg, gx gy gz in 0.1 dps (n, 3) when channels is "acc"
    rate_hz: int
    person: str = "unknown"
    session: str = ""
    source: str = ""  # file (and index) it came from, for error messages and plots
    meta: dict[str, str] = field(default_factory=dict)
    channels: str = ACC_GYRO  # which sensors are real: a missing one is absent, not zero

    def __post_init__(self) -> None:
        self.samples = np.asarray(self.samples, dtype=np.int32)
        width = CHANNEL_COLUMNS.get(self.channels)
        if width is None:
            raise GestureFileError(f"{self.source or self.label}: unknown channels {self.channels!r}")
        if self.samples.ndim != 2 or self.samples.shape[1] != width:
            raise GestureFileError(f"{self.source or self.label}: samples must be (n, {width}) for channels "
                                   f"{self.channels}, got {self.samples.shape}")

    @property
    def has_gyro(self) -> bool:
        return self.channels == ACC_GYRO

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz


def check_gesture_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise GestureFileError(
            f"bad gesture name {name!r}: use 1-32 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    return name


def read_wand_csv(path: str | Path) -> Recording:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise GestureFileError(f"{path}: not a text file") from None
    if not lines or lines[0].strip() != MAGIC:
        raise GestureFileError(f"{path}:1: not a wand recording (first line must be '{MAGIC}')")
    meta: dict[str, str] = {}
    rows: list[list[int]] = []
    header_seen = False
    for no, line in enumerate(lines[1:], start=2):
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            key, sep, value = text[1:].partition(":")
            if not sep:
                raise GestureFileError(f"{path}:{no}: metadata lines look like '# key: value', got {text!r}")
            meta[key.strip()] = value.strip()
            continue
        if not header_seen:
            if [c.strip() for c in text.split(",")] != COLUMNS:
                raise GestureFileError(f"{path}:{no}: column header must be {','.join(COLUMNS)}")
            header_seen = True
            continue
        parts = text.split(",")
        if len(parts) != 6:
            raise GestureFileError(f"{path}:{no}: expected 6 integers, got {len(parts)} values")
        try:
            rows.append([int(p) for p in parts])
        except ValueError:
            raise GestureFileError(f"{path}:{no}: values must be integers (mg and 0.1 dps), got {text!r}") from None
    for key in REQUIRED_META:
        if key not in meta:
            raise GestureFileError(f"{path}: missing '# {key}: ...' metadata line")
    try:
        rate = int(meta["rate_hz"])
    except ValueError:
        raise GestureFileError(f"{path}: rate_hz must be an integer, got {meta['rate_hz']!r}") from None
    if not rows:
        raise GestureFileError(f"{path}: no samples")
    return Recording(
        label=meta["gesture"], samples=np.array(rows), rate_hz=rate, person=meta.get("person", "unknown"),
        session=meta.get("date", ""), source=str(path), meta=meta,
    )


def write_wand_csv(rec: Recording, folder: str | Path, stem: str | None = None) -> Path:
    """Save one try under ``folder/<gesture>/``; never replaces an existing file."""
    check_gesture_name(rec.label)
    if rec.channels != ACC_GYRO:
        raise GestureFileError(f"{rec.source or rec.label}: a wand recording needs accelerometer and gyroscope; "
                               f"this one has {rec.channels} only")
    target_dir = Path(folder) / rec.label
    target_dir.mkdir(parents=True, exist_ok=True)
    meta = {"gesture": rec.label, "person": rec.person, "rate_hz": str(rec.rate_hz),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    meta.update({k: v for k, v in rec.meta.items() if k not in ("gesture", "rate_hz")})
    body = [MAGIC] + [f"# {k}: {v}" for k, v in meta.items()] + [",".join(COLUMNS)]
    body += [",".join(str(int(v)) for v in row) for row in rec.samples]
    stem = stem or f"{meta['date'][:19].replace(':', '').replace('-', '')}-{rec.person}"
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".tmp-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        for n in range(1, 10000):
            path = target_dir / f"{stem}-{n:03d}.csv"
            try:
                os.link(tmp, path)  # atomic, and fails if the name exists: no silent overwrite
                return path
            except FileExistsError:
                continue
        raise GestureFileError(f"{target_dir}: no free file name for {stem}")
    finally:
        os.unlink(tmp)


def list_gesture_files(folder: str | Path) -> dict[str, list[Path]]:
    """Recorded gesture files per gesture name (sub-folder) under ``folder``."""
    out: dict[str, list[Path]] = {}
    root = Path(folder)
    if not root.is_dir():
        return out
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(sub.glob("*.csv"))
        if files:
            out[sub.name] = files
    return out
