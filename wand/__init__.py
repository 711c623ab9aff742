"""magic wand: gesture-to-input wand (host daemon, simulator, CLI)."""

__version__ = "0.1.0"
