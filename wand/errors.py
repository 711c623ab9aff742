"""User-facing errors: every failure a user can cause or fix is one of these.

The CLI prints ``str(error)`` as one line and exits non-zero; nothing here should
ever surface as a traceback.
"""

from __future__ import annotations


class WandError(Exception):
    """Base for errors with a message meant for the user (what failed, what to do)."""


class PacketError(WandError, ValueError):
    """A BLE packet that cannot be decoded (short, long, wrong type, bad field)."""


class ConfigError(WandError):
    """A bad mapping config; the message names file:line and what is allowed."""


class GestureFileError(WandError):
    """A recording or gesture definition file that cannot be read."""


class DeviceError(WandError):
    """Missing or unusable hardware: Bluetooth adapter, uinput, MIDI, display."""


class ModelError(WandError):
    """A model file that is missing or does not fit the firmware's expectations."""


def printable(value: object, limit: int = 200) -> str:
    """Text from a file or a device, safe on a terminal: control and escape characters
    (which could rewrite the screen) shown as Python escapes, and the length bounded."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."
