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
    return _printable(raw, "")[:NAME_MAX].strip() or fallback


def clean_text(raw: str | bytes | None, limit: int = 300) -> str:
    """One printable line of untrusted text (an exception's message, a program's stderr):
    escape sequences removed, control characters and newlines made spaces, cut to
    ``limit`` characters ("..." marks the cut)."""
    text = _printable(raw, " ")
    return text if len(text) <= limit else text[:max(0, limit - 3)].rstrip() + "..."


def _printable(raw: str | bytes | None, control: str) -> str:
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", "replace")
    text = _ANSI.sub("", raw or "")
    text = "".join(c if unicodedata.category(c)[0] != "C" else control for c in text if c != "\ufffd")
    return " ".join(text.split())
