"""Small pieces several commands share."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Callable


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


MAX_SECONDS = 3600.0  # longest scan or listen a command waits for


def given(text: str) -> str:
    """argparse type for a path or name option: an empty one is a usage error, not the
    default in disguise (``--out ''`` would write into the working folder)."""
    import argparse
    if not text.strip():
        raise argparse.ArgumentTypeError("empty; leave the option out for its default")
    return text


def number(lo: float, hi: float, integer: bool = False, lo_open: bool = False) -> Callable[[str], float]:
    """argparse type for a numeric option: a finite number (a whole one where ``integer``) in
    ``lo``..``hi`` (above ``lo`` where ``lo_open``); anything else is a one-line usage error
    naming the range, never an internal error or a scan of -1 s."""
    import argparse
    import math
    show = (lambda x: str(int(x))) if integer else (lambda x: f"{x:g}")
    low = f"above {show(lo)}" if lo_open else f"{show(lo)} or more"
    what = f"a whole number {low} and at most {show(hi)}" if integer else f"a number {low} and at most {show(hi)}"

    def parse(text: str) -> float:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value) or value < lo or (lo_open and value == lo) or value > hi:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return value
    parse.__name__ = "int" if integer else "number"  # what argparse names in its message
    return parse


positive_int = number(1, 10**9, integer=True)  # counts: tries, epochs, seeds
non_negative_int = number(0, 2**32 - 1, integer=True)  # random seeds
seconds = number(0, MAX_SECONDS, lo_open=True)  # scan and listen times


def stop_on_signals(stop: asyncio.Event) -> None:
    """Ctrl+C and SIGTERM set ``stop`` (a clean shutdown) where the loop can take signals."""
    import signal
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
