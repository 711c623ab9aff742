"""The gyro's zero-rate offset, tracked as it runs (mirror of wand_core/gyro_bias.cc).

Why: every rest test (the hold before a gesture, a drawing's two holds) asks whether
|gx|+|gy|+|gz| is under 15-20 deg/s, and the LSM9DS1 on a Nano 33 BLE may read tens of
deg/s at rest (its datasheet's typical zero-rate level is +-30 deg/s per axis; the four
boards in the data read 1-7 deg/s, summed). A board whose gyro reads more than the rest
threshold at rest would never start anything.

How: a per-axis running median. A hand's orientation stays bounded, so over many seconds
its true rate on each axis is as often above zero as below, and the rate it reads most
near the middle is the offset. Each calm sample (|g - bias| summed under CALM_DDPS; a
gesture's fast samples are left out) moves each axis of the estimate one step (0.1 deg/s)
towards the reading, once every STEP_EVERY calm samples: 1.25 deg/s per second at 50 Hz,
so a 30 deg/s offset is learned in about 25 s of use, and one 2 s gesture cannot move the
estimate by more than 2.5 deg/s. The estimate starts at zero (the reading is trusted until
there is evidence) and never leaves +-MAX_DDPS per axis.

The estimate serves the rest tests and the stroke's rotation only; the gesture model and
the IMU stream get the raw reading the model was trained on.
"""

from __future__ import annotations

STEP_EVERY = 4  # calm samples per step
CALM_DDPS = 1000  # |g - bias| summed under 100 deg/s: a sample that may update the estimate
MAX_DDPS = 500  # the estimate's bound per axis (50 deg/s)


class GyroBias:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.bias = [0, 0, 0]
        self._calm = 0

    def update(self, sample: tuple[int, ...]) -> None:
        """Feed one model-rate sample (mg, 0.1 deg/s)."""
        g = sample[3:6]
        if sum(abs(g[i] - self.bias[i]) for i in range(3)) >= CALM_DDPS:
            return
        self._calm = (self._calm + 1) % STEP_EVERY
        if self._calm:
            return
        for i in range(3):
            step = (g[i] > self.bias[i]) - (g[i] < self.bias[i])
            self.bias[i] = max(-MAX_DDPS, min(MAX_DDPS, self.bias[i] + step))

    def correct(self, sample: tuple[int, ...]) -> tuple[int, ...]:
        """The sample with the offset taken off its rates (saturated to int16)."""
        return tuple(sample[:3]) + tuple(max(-32768, min(32767, sample[3 + i] - self.bias[i])) for i in range(3))
