"""Raw IMU units -> model input, and the motion measure (mirror of wand_core/features.cc).

Model input is int8 with scale 1/128 and zero point 0 (checked at export), so the chip
feeds these integers straight into the input tensor: no float on the way.
"""

from __future__ import annotations

import numpy as np

from .resampler import div_round

ACC_DIV_MG = 32  # one input step = 32 mg: +-4 g fits int8 (the LSM9DS1 default range)
GYRO_DIV_DDPS = 80  # one input step = 8 dps: +-1024 dps fits int8
CHANNELS = 6


def _clamp8(v: int) -> int:
    return -128 if v < -128 else 127 if v > 127 else v


def to_input(sample: tuple[int, ...]) -> tuple[int, ...]:
    """One raw sample (mg, 0.1 dps) -> six int8 model inputs."""
    acc = [_clamp8(div_round(v, ACC_DIV_MG)) for v in sample[:3]]
    gyro = [_clamp8(div_round(v, GYRO_DIV_DDPS)) for v in sample[3:6]]
    return tuple(acc + gyro)


def to_input_block(x: np.ndarray) -> np.ndarray:
    """Vectorised :func:`to_input` for an (n, 6) int array."""
    x = np.asarray(x, dtype=np.int64)
    div = np.array([ACC_DIV_MG] * 3 + [GYRO_DIV_DDPS] * 3, dtype=np.int64)
    return np.clip((2 * x + div) // (2 * div), -128, 127).astype(np.int8)


def motion(sample: tuple[int, ...]) -> tuple[int, int]:
    """(|ax|+|ay|+|az| in mg, |gx|+|gy|+|gz| in 0.1 dps): what the spotter gates on."""
    return abs(sample[0]) + abs(sample[1]) + abs(sample[2]), abs(sample[3]) + abs(sample[4]) + abs(sample[5])
