"""Small pieces several commands share."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path


def load_bundle(args):
    from ..model import load_model
    return load_model(getattr(args, "model", None))


def load_enrolled(bundle, path: str | Path | None):
    """The enrolment file; a gesture in it named like one of the model's is left out with a warning."""
    from ..enrol import load
    return load(path, bundle.rate_hz, built_in=bundle.gesture_names)


def stamped(text: str) -> None:
    """A log line for the daemon's console: wall-clock time first."""
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def positive_int(text: str) -> int:
    """argparse type for counts: a clear usage error for 0, negatives and non-numbers."""
    import argparse
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def stop_on_signals(stop: asyncio.Event) -> None:
    """Ctrl+C and SIGTERM set ``stop`` (a clean shutdown) where the loop can take signals."""
    import signal
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
