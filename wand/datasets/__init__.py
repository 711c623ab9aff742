"""Loaders for recorded gesture data: a folder and a format name in, Recordings out.

Formats:
  ``tti-csv``  tiny-trainable-instruments (Arduino Nano 33 BLE Sense, LSM9DS1): header
               ``aX,aY,aZ,gX,gY,gZ`` in g and deg/s, ~119 Hz, 119 rows per try.
  ``wand-csv`` this project's own recordings (``wand record``), one try per file.

The vocabulary (``gestures/vocabulary.toml``) names the gestures and where their
recordings live.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import GestureFileError
from ..recordings import Recording, check_gesture_name, list_gesture_files, read_wand_csv

from ..paths import GESTURES_DIR, REPO_ROOT, VOCABULARY_FILE, dataset_roots, recordings_dir

TTI_RATE_HZ = 119  # LSM9DS1 default output data rate in the Arduino library
TTI_ROWS_PER_TRY = 119  # what the data set's own notebook reads per try
TTI_HEADER = ["aX", "aY", "aZ", "gX", "gY", "gZ"]


def find_dataset(name: str) -> Path:
    for root in dataset_roots():
        if (root / name).is_dir():
            return root / name
    raise GestureFileError(f"data set {name!r} not found in {', '.join(str(r) for r in dataset_roots())}")


def physical_to_raw(values: np.ndarray) -> np.ndarray:
    """(n, 6) float g and deg/s -> int mg and 0.1 deg/s, the wire units."""
    scale = np.array([1000.0] * 3 + [10.0] * 3)
    return np.rint(np.asarray(values, dtype=np.float64) * scale).astype(np.int32)


def read_tti_csv(path: Path, label: str = "", person: str = "") -> list[Recording]:
    """One tiny-trainable-instruments file -> its tries (blank lines are ignored: see SOURCE.md)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
    if not lines or [c.strip() for c in lines[0].split(",")] != TTI_HEADER:
        raise GestureFileError(f"{path}:1: expected header {','.join(TTI_HEADER)}")
    rows = []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            values = [float(v) for v in line.split(",")]
        except ValueError:
            raise GestureFileError(f"{path}:{no}: not a number in {line!r}") from None
        if len(values) != 6:
            raise GestureFileError(f"{path}:{no}: expected 6 values, got {len(values)}")
        rows.append(values)
    if not rows or len(rows) % TTI_ROWS_PER_TRY:
        raise GestureFileError(
            f"{path}: {len(rows)} data rows is not a whole number of {TTI_ROWS_PER_TRY}-row tries"
        )
    raw = physical_to_raw(np.array(rows))
    session = path.parent.name
    label = label or f"{session}/{path.stem}"
    return [
        Recording(label=label, samples=raw[i:i + TTI_ROWS_PER_TRY], rate_hz=TTI_RATE_HZ,
                  person=person or session, session=session, source=f"{path}#{i // TTI_ROWS_PER_TRY}")
        for i in range(0, len(raw), TTI_ROWS_PER_TRY)
    ]


def load_tti_csv(folder: Path) -> list[Recording]:
    files = sorted(Path(folder).rglob("gesture*.csv"))
    if not files:
        raise GestureFileError(f"{folder}: no gesture*.csv files (format tti-csv)")
    return [rec for f in files for rec in read_tti_csv(f, label=f"{f.parent.relative_to(folder)}/{f.stem}")]


def load_wand_csv(folder: Path) -> list[Recording]:
    return [read_wand_csv(f) for files in list_gesture_files(folder).values() for f in files]


FORMATS: dict[str, Callable[[Path], list[Recording]]] = {"tti-csv": load_tti_csv, "wand-csv": load_wand_csv}


def load_dataset(folder: str | Path, fmt: str) -> list[Recording]:
    """All recordings in ``folder`` read with the loader for ``fmt``."""
    if fmt not in FORMATS:
        raise GestureFileError(f"unknown data format {fmt!r}; known: {', '.join(FORMATS)}")
    folder = Path(folder)
    if not folder.is_dir():
        raise GestureFileError(f"{folder}: no such folder")
    return FORMATS[fmt](folder)


@dataclass
class GestureDef:
    name: str
    description: str
    role: str  # "model" (built-in vocabulary) or "unseen" (held out) or "user"
    sources: list[dict[str, str]] = field(default_factory=list)

    def recordings(self) -> list[Recording]:
        out = []
        for src in self.sources:
            path = find_dataset(src["dataset"]) / src["file"]
            if src.get("format", "tti-csv") != "tti-csv":
                raise GestureFileError(f"{VOCABULARY_FILE}: gesture {self.name}: only tti-csv file sources are supported")
            out.extend(read_tti_csv(path, label=self.name, person=src.get("person", "")))
        return out


def load_vocabulary(path: str | Path = VOCABULARY_FILE) -> list[GestureDef]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise GestureFileError(f"{path}: {e}") from None
    out = []
    for i, g in enumerate(data.get("gesture", [])):
        try:
            out.append(GestureDef(check_gesture_name(g["name"]), g.get("description", ""), g.get("role", "model"),
                                  list(g.get("sources", []))))
        except KeyError as e:
            raise GestureFileError(f"{path}: gesture #{i + 1} has no {e.args[0]!r}") from None
    return out


def user_recordings(folder: str | Path | None = None) -> dict[str, list[Recording]]:
    """The user's own recorded gestures (``wand record``), per gesture name."""
    folder = recordings_dir() if folder is None else folder
    return {name: [read_wand_csv(f) for f in files] for name, files in list_gesture_files(folder).items()}
