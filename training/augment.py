"""Augmentation of real recordings, in physical units, before the chip's own pipeline.

Each transform models a way another person's (or another day's) gesture differs from
the recorded one, so the model generalises to people it was not trained on:

* rotation about the wand axis (board x): people roll the wand differently in the hand;
  up to +-30 deg. A tilt about the other axes (+-25 deg) for grip and posture.
  Rotation is applied to acceleration and angular rate alike (a rigid sensor rotation).
* time stretch (0.7-1.4x): people draw the same gesture faster or slower (the two
  people in the data set differ by 2-3x in stroke duration).
* amplitude (0.8-1.2x on the motion part, gravity kept): bigger or smaller strokes.
* noise (0.02 g, 2 deg/s Gaussian): sensor noise, the order of the LSM9DS1's.

``TRANSFORMS`` are not augmentations but a source of new motions: a stroke played
backwards (acceleration reversed in time, angular rate reversed and negated, which is
what the sensor would read), mirrored left-right, or mirrored up-down (gravity kept) is
usually a different gesture (a clockwise circle is not a counter-clockwise one). They
give the "other" class direction-specific examples, and the embedding many distinct
motions to tell apart, which is what lets it describe gestures it was never trained on.
Where a transform leaves a gesture unchanged (a push forward mirrored left-right is a
push forward), training measures that and treats it as an augmentation instead.
Board frame (tiny-trainable-instruments setup: flat, USB towards the user): x forward
along the wand, y left-right, z up.
"""

from __future__ import annotations

import numpy as np

from wand.datasets import physical_to_raw
from wand.recordings import raw_to_physical

ROLL_DEG = 30.0
TILT_DEG = 25.0
STRETCH = (0.7, 1.4)
WAND_AXIS = 0  # board x: the long axis (the tiny-trainable-instruments "push forward" moves along it)


def _rotation(axis: int, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    i, j = [a for a in range(3) if a != axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def rotate(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[:, :3] = x[:, :3] @ m.T
    out[:, 3:] = x[:, 3:] @ m.T
    return out


def stretch(x: np.ndarray, factor: float) -> np.ndarray:
    n = len(x)
    m = max(2, int(round(n * factor)))
    src = np.linspace(0, n - 1, m)
    return np.stack([np.interp(src, np.arange(n), x[:, c]) for c in range(x.shape[1])], axis=1)


def scale_motion(x: np.ndarray, k: float) -> np.ndarray:
    out = x.copy()
    g = x[:, :3].mean(axis=0)  # gravity estimate: the mean over the try
    out[:, :3] = g + k * (x[:, :3] - g)
    out[:, 3:] = k * x[:, 3:]
    return out


def add_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sigma = np.array([0.02] * 3 + [2.0] * 3)
    return x + rng.normal(size=x.shape) * sigma


def reverse(x: np.ndarray) -> np.ndarray:
    out = x[::-1].copy()
    out[:, 3:] *= -1
    return out


def mirror_lr(x: np.ndarray) -> np.ndarray:
    """Left-right mirror image (y -> -y); angular rate is a pseudovector: wx, wz flip."""
    out = x.copy()
    out[:, [1, 3, 5]] *= -1
    return out


def mirror_ud(x: np.ndarray) -> np.ndarray:
    """Up-down mirror image of the motion (z -> -z about gravity); wx, wy flip."""
    out = x.copy()
    g = x[:, 2].mean()
    out[:, 2] = np.rint(2 * g - x[:, 2]).astype(x.dtype)
    out[:, [3, 4]] *= -1
    return out


def _identity(x: np.ndarray) -> np.ndarray:
    return x


TRANSFORMS = {
    "id": _identity,
    "lr": mirror_lr,
    "ud": mirror_ud,
    "lr+ud": lambda x: mirror_lr(mirror_ud(x)),
    "rev": reverse,
    "lr+rev": lambda x: mirror_lr(reverse(x)),
    "ud+rev": lambda x: mirror_ud(reverse(x)),
    "lr+ud+rev": lambda x: mirror_lr(mirror_ud(reverse(x))),
}


def augment(raw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random variant of a raw (mg, 0.1 dps) recording, returned in raw units."""
    x = raw_to_physical(raw)
    m = _rotation(WAND_AXIS, np.radians(rng.uniform(-ROLL_DEG, ROLL_DEG)))
    for axis in (1, 2):
        m = _rotation(axis, np.radians(rng.uniform(-TILT_DEG, TILT_DEG))) @ m
    x = rotate(x, m)
    x = stretch(x, rng.uniform(*STRETCH))
    x = scale_motion(x, rng.uniform(0.8, 1.2))
    x = add_noise(x, rng)
    return physical_to_raw(x)
