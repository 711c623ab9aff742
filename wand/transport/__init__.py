"""Transport: one client API over backends (BLE via bleak, the simulator, ...).

Like bleak's own design: ``WandClient`` speaks the wand's protocol; a ``WandBackend``
moves bytes for one kind of link.
"""

from .base import FoundWand, WandBackend, WandClient

__all__ = ["FoundWand", "WandBackend", "WandClient"]
