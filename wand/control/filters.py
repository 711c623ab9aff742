"""Smoothing and sending: the 1-euro filter, and a gate that lets a value out only when
what would be sent changed, at most ``max_rate_hz``.

The 1-euro filter (Casiez, Roussel, Vogel, CHI 2012) is the maintained ``OneEuroFilter``
package by its authors: little smoothing when the hand moves fast (low lag), more when it
is slow (no jitter). Times are the wand's sample times, so a replay is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import DeviceError


def one_euro(rate_hz: float, min_cutoff: float, beta: float):
    try:
        from OneEuroFilter import OneEuroFilter
    except ImportError as e:
        raise DeviceError(f"continuous control needs the 1-euro filter ({e}): pip install oneeurofilter") from None
    return OneEuroFilter(rate_hz, mincutoff=min_cutoff, beta=beta)


@dataclass
class SendGate:
    """A value goes out when it differs from the last one sent and at least ``1/max_rate_hz``
    after it; a change held back by the rate goes out with a later sample (the stream goes
    on at 50 Hz, so the last value of a movement is never lost)."""

    max_rate_hz: float
    _last: Any = field(default=None, init=False)
    _sent_at: float = field(default=float("-inf"), init=False)

    def offer(self, value: Any, t: float) -> bool:
        if value == self._last or t - self._sent_at < 1.0 / self.max_rate_hz - 1e-9:
            return False
        self._last, self._sent_at = value, t
        return True
