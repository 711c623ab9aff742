"""Reading a data set's file: a FIFO, a device or a folder named like one is one line naming
it (``trust.read_regular`` opens without blocking), never a hang or a traceback."""

from __future__ import annotations

from pathlib import Path

from ..errors import GestureFileError
from ..trust import TrustError, read_regular


def read_data(path: Path) -> bytes:
    try:
        return read_regular(path)
    except TrustError as e:
        raise GestureFileError(str(e)) from None
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
