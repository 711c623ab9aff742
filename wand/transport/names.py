"""What a wand says about itself is untrusted: names made safe for logs, files and actions.

A device can advertise any bytes as its name. Before a name reaches a terminal (ANSI
escapes could rewrite the screen), status.json, or a program's environment (WAND_NAME),
control characters and escape sequences are removed and the length is bounded.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 32  # a BLE local name fits 29 bytes in one advertisement; a little slack
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean_name(raw: str | bytes | None, fallback: str = "wand") -> str:
    """Printable text only (no control, format or escape characters), at most NAME_MAX long."""
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", "replace")
    text = _ANSI.sub("", raw or "")
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" and c != "\ufffd")
    text = " ".join(text.split())[:NAME_MAX].strip()
    return text or fallback
