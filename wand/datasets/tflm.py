"""``tflm-magic-wand``: the data set of the TensorFlow Lite Micro magic_wand example.

SparkFun Edge held as a wand, accelerometer only (no gyroscope: these recordings carry
``channels="acc"``, three columns; nothing is filled in), mg, 25 Hz (the example's
``kTargetHz``). Files ``<gesture>/output_<gesture>_<person>.txt`` hold a terminal log
(``script`` + ``screen``): lines ``x,y,z``, tries separated by ``-,-,-``, plus escape
sequences and shell prompts, which are skipped. Read like the example's
``data_prepare.py``: a try is the numeric lines between separators; empty tries dropped.

Negatives: ``output_negative_{1..5}`` are continuous random motion (the example cut them
into 120-sample pieces and names them ``negative1..5``, the ids its person split uses);
``output_negative_ccw_{1,2}`` and ``output_negative_jiangyh`` hold separated tries of
other motion (the example does not use them). Axes: see ``frames.SPARKFUN_EDGE_TO_BOARD``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import GestureFileError
from ..recordings import ACC_ONLY, INT16_MAX, Recording
from .files import read_data
from .frames import SPARKFUN_EDGE_TO_BOARD, to_board

TFLM_RATE_HZ = 25
TFLM_GESTURES = ("wing", "ring", "slope")
NEGATIVE = "negative"
_NUM = r"(-?\d+(?:\.\d+)?)"
_ROW = re.compile(rf"^{_NUM},{_NUM},{_NUM}$")
_SEPARATOR = "-,-,-"


def read_tflm_tries(path: Path) -> list[np.ndarray]:
    """The tries in one file, as (n, 3) float arrays in the sensor's own axes (mg)."""
    text = read_data(path).decode("utf-8", errors="replace")  # a FIFO is refused, never waited on
    tries: list[np.ndarray] = []
    current: list[list[float]] = []
    for no, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.endswith(_SEPARATOR):
            if current:
                tries.append(np.array(current))
            current = []
            continue
        m = _ROW.match(s)
        if m:
            row = [float(v) for v in m.groups()]
            if max(abs(v) for v in row) > INT16_MAX:  # would wrap to another reading in int16
                raise GestureFileError(f"{path}:{no}: {s[:60]!r} is outside the sensor's range "
                                       f"(+-{INT16_MAX} mg): fix or delete the line")
            current.append(row)
    if current:
        tries.append(np.array(current))
    return tries


def _person(path: Path, gesture: str) -> str:
    stem = path.stem.removeprefix(f"output_{gesture}_")
    if gesture == NEGATIVE and stem.isdigit():
        return f"negative{stem}"  # the example's own name for these continuous files
    if gesture == NEGATIVE and stem.startswith("ccw_"):
        return f"negative-{stem.replace('_', '')}"  # not stated who recorded them
    return stem


def load_tflm_magic_wand(folder: Path) -> list[Recording]:
    folder = Path(folder)
    out: list[Recording] = []
    for gesture in TFLM_GESTURES + (NEGATIVE,):
        files = sorted((folder / gesture).glob(f"output_{gesture}_*.txt"))
        if not files:
            raise GestureFileError(f"{folder / gesture}: no output_{gesture}_*.txt files (format tflm-magic-wand)")
        for f in files:
            person = _person(f, gesture)
            continuous = gesture == NEGATIVE and person.removeprefix("negative").isdigit()
            for i, t in enumerate(read_tflm_tries(f)):
                board = np.rint(to_board(t, SPARKFUN_EDGE_TO_BOARD)).astype(np.int32)
                out.append(Recording(label=gesture, samples=board, rate_hz=TFLM_RATE_HZ, person=person,
                                     session=f.stem, source=f"{f}#{i}", channels=ACC_ONLY,
                                     meta={"kind": "continuous" if continuous else "try", "board": "sparkfun-edge"}))
    return out
