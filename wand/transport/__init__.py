"""Transport: one client API over backends (BLE via bleak or bumble, the simulator, ...).

Like bleak's own design: ``WandClient`` speaks the wand's protocol on four channels; a
``WandBackend`` moves bytes for one kind of link (GATT UUIDs live only in the GATT
backends, via ``gatt.py``); ``link.py`` turns ``--wand SPEC`` into backends. Adding a
link type = a backend module plus one opener in ``link.py``.
"""

from .base import Channel, FoundWand, WandBackend, WandClient
from .link import Link, parse_link

__all__ = ["Channel", "FoundWand", "Link", "WandBackend", "WandClient", "parse_link"]
