"""Repeated warnings summarised: the first one as it is, then one count per interval.

A wand that sends garbage makes the same warning per packet (250 bad packets were 250
WARNING lines). While the daemon runs, each warning of the ``wand`` loggers is keyed by
its logger, its message template and its first argument (the wand's name): the first of
a key is logged, later ones within ``every_s`` are counted, and the count is logged once
the interval is over, as one line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

EVERY_S = 10.0
Key = tuple[str, str, str]


@dataclass
class _Held:
    since: float
    count: int = 0
    example: str = ""


class RepeatSummary(logging.Filter):
    def __init__(self, every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every_s, self.clock = every_s, clock
        self._held: dict[Key, _Held] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or getattr(record, "wand_summary", False):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        key = (record.name, str(record.msg), str(args[0]) if args else "")
        now = self.clock()
        held = self._held.get(key)
        if held is None or now - held.since >= self.every_s:
            if held is not None and held.count:
                self._report(key, held, now)
            self._held[key] = _Held(now)
            return True
        held.count += 1
        held.example = record.getMessage()
        return False

    def flush(self, final: bool = False) -> None:
        """Log the counts whose interval is over (all of them when ``final``)."""
        now = self.clock()
        for key, held in list(self._held.items()):
            if held.count and (final or now - held.since >= self.every_s):
                self._report(key, held, now)
                self._held[key] = _Held(now)

    @staticmethod
    def _report(key: Key, held: _Held, now: float) -> None:
        logging.getLogger(key[0]).warning(
            "%d more like this in the last %.0f s, the last: %s", held.count, now - held.since, held.example,
            extra={"wand_summary": True})


@contextmanager
def summarised(prefix: str = "wand", every_s: float = EVERY_S) -> Iterator[RepeatSummary]:
    """Summarise repeated warnings of every ``prefix`` logger while in the block."""
    summary = RepeatSummary(every_s)
    names = [prefix] + [n for n in logging.root.manager.loggerDict if n.startswith(prefix + ".")]
    loggers = [logging.getLogger(n) for n in names]
    for lg in loggers:
        lg.addFilter(summary)
    try:
        yield summary
    finally:
        for lg in loggers:
            lg.removeFilter(summary)
        summary.flush(final=True)
