"""The wand's board frame and units, and how each source is mapped into them.

Board frame (Nano 33 BLE Sense Rev1, LSM9DS1, as the Arduino_LSM9DS1 library reports it,
which is what the firmware streams and the model is trained on):

    x = forward (from the USB socket towards the far end of the board, along the wand)
    y = right   (as the person holding the wand sees it)
    z = up      (out of the component side; at rest flat, az = +1000 mg)

Worked out on the tiny-trainable-instruments tries (board flat, USB towards the
performer: see its readme.txt) and checked in ``tests/test_loaders.py``:

* ``az`` = +1 g at rest: z is up (the accelerometer reports the reaction to gravity).
* "push forward" starts with ax = +1.9 g: x is forward.
* "from bottom right, up and to the left" starts with ay = -0.9 g, "from bottom left, up
  and to the right" with ay = +0.2 g: y is right.
* So (forward, right, up) is a LEFT-handed triad. The gyroscope agrees: for a wand the tip
  moves by the rotation about the two axes across it, and on every try of every gesture
  the tip's acceleration along (right, up) follows L * d/dt(-gz, +gy), not the
  right-handed L * d/dt(+gz, -gy) (correlation -0.8 to -0.9 over the circles and the 125
  nano33-spells tries). Positive gz is a turn to the left seen from above, as for a
  right-handed sensor with z up: the frame is a right-handed sensor seen in a mirror
  that swaps left and right.

Hence a right-handed sensor (phone, watch, SparkFun Edge) maps in by a matrix of
determinant -1, and the same matrix applies to acceleration and to angular rate (the
firmware's own Rev2 axis map, a rotation, maps one Nano board onto the other; a
mirror is only ever needed between sensor families). Units on the wire: mg and 0.1 deg/s
as int (``Recording``).
"""

from __future__ import annotations

import numpy as np

from ..recordings import RAW_TO_PHYSICAL

G_MS2 = 9.80665

# A right-handed sensor's (x, y, z) -> board (forward, right, up), rows = board axes.
# SparkFun Edge (TFLM magic_wand data, LIS2DH12, right-handed): at the start of every
# try ax is -0.5..-0.7 g and az +0.6..+0.7 g, and a "slope" (ends lower than it starts)
# ends with ax near 0: the wand's tip is raised at the start and ax grows as it drops,
# so +x points back along the wand to the hand and z is up; a right-handed y is then
# right. Checked: every "ring" (the example's clockwise "O" from the top, 218 tries)
# turns clockwise in (right, up) under this map, its first move is to the right (80%)
# and a "slope" (from the top right, down to the left first) starts leftwards (95%).
SPARKFUN_EDGE_TO_BOARD = np.array([[-1, 0, 0], [0, 1, 0], [0, 0, 1]])
# Smartwatch (sp-sw-har, Android axes: x towards 3 o'clock, y towards 12, z out of the
# face; right-handed) on the left wrist, seen as if the forearm were the wand: 3 o'clock
# points to the hand (forward), the face is up with the palm down (seated: az = +1 g in
# the data), so 12 o'clock (the little finger's side) is left: board = (x, -y, z).
WATCH_TO_BOARD = np.array([[1, 0, 0], [0, -1, 0], [0, 0, 1]])


def physical_to_raw(values: np.ndarray) -> np.ndarray:
    """(n, 6) float g and deg/s -> int mg and 0.1 deg/s, the wire units ((n, 3): g only)."""
    values = np.asarray(values, dtype=np.float64)
    return np.rint(values * RAW_TO_PHYSICAL[: values.shape[1]]).astype(np.int32)


def to_board(values: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a sensor -> board axis matrix to acceleration (and angular rate, if present)."""
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    for start in range(0, values.shape[1], 3):
        out[:, start:start + 3] = values[:, start:start + 3] @ np.asarray(matrix, np.float64).T
    return out
