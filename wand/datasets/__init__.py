"""Loaders for recorded gesture data: a folder and a format name in, Recordings (or Strokes) out.

One module per format; ``FORMATS`` names them. Each IMU source is mapped into the wand's
board frame and units (``frames.py`` says how and why):

  ``tti-csv``            tiny-trainable-instruments (Nano 33 BLE Sense): ``tti.py``
  ``nano33-spells``      Nano 33 BLE Sense "spells", one person: ``tti.py``
  ``wand-csv``           this project's own recordings (``wand record``): ``wandcsv.py``
  ``tflm-magic-wand``    TFLM magic_wand data (SparkFun Edge, accelerometer only): ``tflm.py``
  ``sp-sw-har``          smartwatch everyday motion (no gestures): ``sphar.py``
  ``petewarden-digits``  gyro strokes of digits (2-D strokes, not IMU): ``digits.py``
  ``quickdraw-shapes``   canvas drawings (2-D strokes, not IMU): ``quickdraw.py``
  ``unipen``             UNIPEN tablet digits and capitals (2-D pen strokes, not IMU): ``unipen.py``
  ``6dmg-words``         6DMG air-written words (2-D tracked position, not IMU): ``sixdmg.py``

``DATASETS`` gives each shared data set's format, ``load_named`` loads one by name, and
``load_split`` reads its declared person split (``gestures/splits/<name>.toml``). The
vocabulary (``gestures/vocabulary.toml``) names the gestures and where their recordings live.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import GestureFileError, printable
from ..paths import GESTURES_DIR, REPO_ROOT, VOCABULARY_FILE, dataset_roots, recordings_dir
from ..recordings import NAME_RE, Recording, check_gesture_name, list_gesture_files, read_tries
from .digits import load_petewarden_digits
from .files import read_data
from .frames import physical_to_raw, to_board
from .quickdraw import load_quickdraw
from .sixdmg import load_sixdmg_words
from .sphar import load_sphar
from .splits import PARTS, Split, load_split
from .strokes import Stroke
from .tflm import load_tflm_magic_wand
from .unipen import load_unipen
from .tti import TTI_HEADER, TTI_RATE_HZ, TTI_ROWS_PER_TRY, load_nano33_spells, load_tti_csv, read_tti_csv
from .wandcsv import load_wand_csv

__all__ = [
    "DATASETS", "FORMATS", "GESTURES_DIR", "PARTS", "REPO_ROOT", "TTI_HEADER", "TTI_RATE_HZ", "TTI_ROWS_PER_TRY",
    "GestureDef", "Recording", "Split", "Stroke", "find_dataset", "load_dataset", "load_named", "load_split",
    "load_split_data", "load_tti_csv", "load_vocabulary", "load_wand_csv", "physical_to_raw", "read_tti_csv", "to_board",
    "user_recordings",
]

FORMATS: dict[str, Callable[[Path], list]] = {
    "tti-csv": load_tti_csv,
    "wand-csv": load_wand_csv,
    "nano33-spells": load_nano33_spells,
    "tflm-magic-wand": load_tflm_magic_wand,
    "sp-sw-har": load_sphar,
    "petewarden-digits": load_petewarden_digits,
    "quickdraw-shapes": load_quickdraw,
    "unipen": load_unipen,
    "6dmg-words": load_sixdmg_words,
}
# Shared data set folder -> its format.
DATASETS: dict[str, str] = {
    "tiny-trainable-instruments": "tti-csv",
    "nano33-spells": "nano33-spells",
    "tflm-magic-wand": "tflm-magic-wand",
    "sp-sw-har": "sp-sw-har",
    "petewarden-digits": "petewarden-digits",
    "quickdraw-shapes": "quickdraw-shapes",
    "unipen-digits-upper": "unipen",
    "6dmg-airwriting-words": "6dmg-words",
}


def find_dataset(name: str) -> Path:
    for root in dataset_roots():
        if (root / name).is_dir():
            return root / name
    raise GestureFileError(f"data set {name!r} not found in {', '.join(str(r) for r in dataset_roots())}")


def load_dataset(folder: str | Path, fmt: str) -> list:
    """All recordings (or strokes) in ``folder`` read with the loader for ``fmt``."""
    if fmt not in FORMATS:
        raise GestureFileError(f"unknown data format {fmt!r}; known: {', '.join(FORMATS)}")
    folder = Path(folder)
    if not folder.is_dir():
        raise GestureFileError(f"{folder}: no such folder")
    return FORMATS[fmt](folder)


def load_named(name: str) -> list:
    """A shared data set by folder name, with its own format."""
    if name not in DATASETS:
        raise GestureFileError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    return load_dataset(find_dataset(name), DATASETS[name])


def load_split_data(name: str) -> dict[str, list]:
    """A shared data set loaded and cut by its declared split: part -> items."""
    return load_split(name).apply(load_named(name))


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


ROLES = ("model", "unseen")  # what gestures/vocabulary.toml may say (its header explains them)


def load_vocabulary(path: str | Path = VOCABULARY_FILE) -> list[GestureDef]:
    path = Path(path)
    try:
        data = tomllib.loads(read_data(path).decode("utf-8"))
    except UnicodeDecodeError as e:
        raise GestureFileError(f"{path}: not UTF-8 text (byte {e.start}): save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise GestureFileError(f"{path}: {e}") from None
    gestures = data.get("gesture", [])
    if not isinstance(gestures, list) or not all(isinstance(g, dict) for g in gestures):
        raise GestureFileError(f"{path}: each gesture is a [[gesture]] table with name, description, role, sources")
    out: list[GestureDef] = []
    for i, g in enumerate(gestures):
        out.append(_gesture(path, f"gesture #{i + 1}", g))
        if out[-1].name in (d.name for d in out[:-1]):
            raise GestureFileError(f"{path}: gesture #{i + 1}: {out[-1].name!r} is defined twice: keep one")
    return out


def _gesture(path: Path, where: str, g: dict) -> GestureDef:
    """One [[gesture]] table, every field checked (so ``recordings()`` never meets a bad source)."""
    if "name" not in g:
        raise GestureFileError(f"{path}: {where} has no 'name'")
    name = g["name"]
    if not isinstance(name, str):
        raise GestureFileError(f"{path}: {where}: name must be a string, got {name!r}"[:300])
    try:
        check_gesture_name(name)
    except GestureFileError as e:
        raise GestureFileError(f"{path}: {where}: {e}") from None
    where = f"gesture {name}"
    description, role, sources = g.get("description", ""), g.get("role", "model"), g.get("sources", [])
    if not isinstance(description, str):
        raise GestureFileError(f"{path}: {where}: description must be a string")
    if role not in ROLES:
        raise GestureFileError(f"{path}: {where}: role = {role!r}; use {' or '.join(map(repr, ROLES))}"[:300])
    if not isinstance(sources, list):
        raise GestureFileError(f"{path}: {where}: sources must be a list of {{ dataset = ..., file = ... }}")
    for n, src in enumerate(sources, start=1):
        if not isinstance(src, dict):
            raise GestureFileError(f"{path}: {where}: source #{n} must be {{ dataset = ..., file = ... }}")
        for key in ("dataset", "file"):
            if not isinstance(src.get(key), str) or not src[key]:
                raise GestureFileError(f"{path}: {where}: source #{n} needs {key} = \"...\" (a non-empty string)")
        for key in ("format", "person"):
            if not isinstance(src.get(key, ""), str):
                raise GestureFileError(f"{path}: {where}: source #{n}: {key} must be a string")
    return GestureDef(name, description, role, list(sources))


def user_recordings(folder: str | Path | None = None) -> dict[str, list[Recording]]:
    """The user's own recorded gestures (``wand record``), per gesture name."""
    folder = recordings_dir() if folder is None else folder
    out = {}
    for name, files in list_gesture_files(folder).items():
        if not NAME_RE.fullmatch(name):  # never made by `wand record`; its name would reach the terminal
            print(f"skipped {printable(Path(folder) / name)}: a folder name that is not a gesture name "
                  "(1-32 of a-z, 0-9, '-', '_'): rename it to the gesture's name", file=sys.stderr)
            continue
        tries = read_tries(files)  # a bad try: one line, skipped
        if tries:
            out[name] = tries
    return out
