"""``wand-csv``: this project's own recordings (``wand record``), one try per file."""

from __future__ import annotations

from pathlib import Path

from ..recordings import Recording, list_gesture_files, read_tries


def load_wand_csv(folder: Path) -> list[Recording]:
    """Every try under ``folder``; a bad one is named in one line and skipped."""
    return read_tries(f for files in list_gesture_files(folder).values() for f in files)
