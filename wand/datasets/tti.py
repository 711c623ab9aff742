"""``tti-csv``: tiny-trainable-instruments (and nano33-spells) files.

Arduino Nano 33 BLE Sense (LSM9DS1) read through Arduino_LSM9DS1: header
``aX,aY,aZ,gX,gY,gZ`` in g and deg/s at ~119 Hz, 119 rows per try, each starting at the
capture trigger. The board frame IS this frame (see ``frames.py``): no axis change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from ..recordings import INT16_MAX, RAW_TO_PHYSICAL, Recording
from .files import read_data
from .frames import physical_to_raw

TTI_RATE_HZ = 119  # LSM9DS1 default output data rate in the Arduino library
TTI_ROWS_PER_TRY = 119  # what the data set's own notebook reads per try
TTI_HEADER = ["aX", "aY", "aZ", "gX", "gY", "gZ"]
PHYSICAL_LIMIT = tuple(INT16_MAX / RAW_TO_PHYSICAL)  # g and deg/s that still fit the wire's int16 units
# Session folder -> person id (the same ids gestures/vocabulary.toml uses). Whether
# "data" and "20210623" are one person is not stated: they are kept apart.
TTI_PEOPLE = {"data": "tti-data", "peter-data": "tti-peter", "20210623": "tti-20210623"}


def read_tti_csv(path: Path, label: str = "", person: str = "") -> list[Recording]:
    """One tiny-trainable-instruments file -> its tries (blank lines are ignored: see SOURCE.md)."""
    try:
        lines = read_data(path).decode("utf-8-sig").splitlines()  # a BOM is skipped
    except UnicodeDecodeError as e:  # binary data, or a file saved as UTF-16 / Latin-1
        raise GestureFileError(f"{path}: not a text CSV file (binary data at byte {e.start}); tti-csv files are "
                               f"UTF-8 text with the header {','.join(TTI_HEADER)}") from None
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
        if not all(abs(v) <= lim for v, lim in zip(values, PHYSICAL_LIMIT)):  # also nan and inf
            raise GestureFileError(f"{path}:{no}: values must be finite and within the IMU's 16-bit range "
                                   f"(+-{PHYSICAL_LIMIT[0]:g} g, +-{PHYSICAL_LIMIT[3]:g} deg/s), got {line[:80]!r}")
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
    """Every ``gesture*.csv`` under ``folder``; label ``<session path>/<file stem>``; person
    from the session folder (``TTI_PEOPLE``, else the folder name)."""
    files = sorted(Path(folder).rglob("gesture*.csv"))
    if not files:
        raise GestureFileError(f"{folder}: no gesture*.csv files (format tti-csv)")
    return [rec for f in files
            for rec in read_tti_csv(f, label=f"{f.parent.relative_to(folder)}/{f.stem}",
                                    person=TTI_PEOPLE.get(f.parent.name, f.parent.name))]


# nano33-spells: the same file format, one spell per file, one person (the data set
# does not name them). Same board and library as tti: the board frame, no axis change.
SPELLS_PERSON = "spells-1"


def spell_label(stem: str) -> str:
    """``AvadaKedavra`` -> ``avada_kedavra`` (a valid gesture name)."""
    out = "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(stem))
    return out


def load_nano33_spells(folder: Path) -> list[Recording]:
    files = sorted(p for p in Path(folder).glob("*.csv"))
    if not files:
        raise GestureFileError(f"{folder}: no *.csv files (format nano33-spells)")
    return [rec for f in files for rec in read_tti_csv(f, label=spell_label(f.stem), person=SPELLS_PERSON)]
