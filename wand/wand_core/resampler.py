"""Integer linear-interpolation resampler (mirror of wand_core/resampler.cc).

The IMU runs at its own rate (LSM9DS1: 119 Hz, BMI270: 100 Hz); the model wants one
fixed rate. Integer arithmetic keeps chip and host bit-identical.
"""

from __future__ import annotations

import numpy as np


def div_round(a: int, b: int) -> int:
    """floor(a / b + 1/2) for b > 0: the core's one rounding rule (C++ ``DivRound``)."""
    return (2 * a + b) // (2 * b)


class Resampler:
    """Streaming resampler: push input samples, get zero or more output samples."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive, got {rate_in} -> {rate_out}")
        self.rate_in, self.rate_out = rate_in, rate_out
        self.reset()

    def reset(self) -> None:
        self._prev: tuple[int, ...] | None = None
        # position of the next output, relative to the previous input, in 1/rate_out input steps
        self._phase = 0

    def push(self, sample: tuple[int, ...]) -> list[tuple[int, ...]]:
        r_out = self.rate_out
        if self._prev is None:
            self._prev = tuple(sample)
            self._phase = self.rate_in
            return [self._prev]
        out = []
        while self._phase <= r_out:
            ph = self._phase
            out.append(tuple(div_round(p * (r_out - ph) + x * ph, r_out) for p, x in zip(self._prev, sample)))
            self._phase += self.rate_in
        self._phase -= r_out
        self._prev = tuple(sample)
        return out


def resample_block(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Whole-array version of :class:`Resampler` (identical output, vectorised)."""
    x = np.asarray(x, dtype=np.int64)
    n = len(x)
    if n == 0:
        return x.copy()
    count = (n - 1) * rate_out // rate_in + 1  # outputs at positions j*rate_in/rate_out <= n-1
    j = np.arange(count, dtype=np.int64)
    i = (j * rate_in) // rate_out
    ph = ((j * rate_in) % rate_out)[:, None]
    nxt = np.minimum(i + 1, n - 1)
    mixed = x[i] * (rate_out - ph) + x[nxt] * ph
    return (2 * mixed + rate_out) // (2 * rate_out)
