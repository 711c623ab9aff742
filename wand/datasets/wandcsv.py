"""``wand-csv``: this project's own recordings (``wand record``), one try per file."""

from __future__ import annotations

from pathlib import Path

from ..recordings import Recording, list_gesture_files, read_wand_csv


def load_wand_csv(folder: Path) -> list[Recording]:
    return [read_wand_csv(f) for files in list_gesture_files(folder).values() for f in files]
