"""Raw IMU -> orientation on the host, with imufusion (x-io Technologies' Fusion AHRS).

Frames: the board's (forward, right, up) is left-handed (``wand/datasets/frames.py``);
Fusion wants a right-handed sensor, so y is negated for acceleration and angular rate
alike (as ``wand/strokes.py`` does), giving (forward, left, up), which at rest flat is
Fusion's NWU earth frame. Angles are reported as the person holding the wand sees them:
pitch + when the tip goes up, roll + when the wand twists clockwise seen from behind,
yaw + when it turns right (yaw has no reference without a magnetometer: mappings use it
relative to where it was when they started).

Gyro bias: Fusion's ``Bias`` learns the zero-rate offset whenever the wand has been still
for ``stationary_period`` (the LSM9DS1's offset is up to a few deg/s and wanders with
temperature); every rate and the AHRS use the corrected gyro.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DeviceError

RIGHT_HANDED = np.array([1.0, -1.0, 1.0])
AHRS_GAIN = 0.5  # Fusion's default: how much the accelerometer corrects the gyro
ACC_REJECTION_DEG = 10.0  # ignore the accelerometer while the hand accelerates (Fusion's suggestion)
REJECTION_TIMEOUT_S = 5.0  # ... but not for longer than this (Fusion's example value)
BIAS_THRESHOLD_DPS = 3.0  # Fusion's default: below this on every axis counts as still
BIAS_PERIOD_S = 3.0  # ... for this long before the offset is learned
RESTART_GAP_S = 0.5  # a longer hole in the stream (the wand slept, the link dropped): start over


def _imufusion():
    try:
        import imufusion
        return imufusion
    except ImportError as e:
        raise DeviceError(f"continuous control needs imufusion ({e}): pip install imufusion") from None


@dataclass(frozen=True)
class Pose:
    """One fused sample."""

    pitch: float  # degrees, + tip up
    roll: float  # degrees, + clockwise seen from behind
    yaw: float  # degrees, + turned right (relative to the fusion's start)
    yaw_rate: float  # deg/s about the vertical, + turning right (what moves the pointer across)
    pitch_rate: float  # deg/s of the tip up/down, + up (about the horizontal across the wand)
    rate: float  # |bias-corrected angular rate|, deg/s (the rest gate's measure)


class Fusion:
    """Orientation from raw samples at ``rate_hz``, one sample at a time."""

    def __init__(self, rate_hz: float) -> None:
        fusion = _imufusion()
        self.rate_hz = rate_hz
        settings = fusion.AhrsSettings()
        settings.sample_rate = int(round(rate_hz))
        settings.gain = AHRS_GAIN
        settings.gyroscope_range = 2000
        settings.acceleration_rejection = ACC_REJECTION_DEG
        settings.rejection_timeout = REJECTION_TIMEOUT_S
        self._ahrs = fusion.Ahrs()
        self._ahrs.set_settings(settings)
        bias = fusion.BiasSettings()
        bias.sample_rate = int(round(rate_hz))
        bias.stationary_threshold = BIAS_THRESHOLD_DPS
        bias.stationary_period = BIAS_PERIOD_S
        self._bias = fusion.Bias()
        self._bias.set_settings(bias)
        self._euler = fusion.quaternion_to_euler
        self._matrix = fusion.quaternion_to_matrix
        self._started = False

    def _start(self, acc: np.ndarray) -> None:
        """Tilt from the first sample's gravity (heading 0), then the normal gain at once:
        Fusion's own start-up (3 s at gain 10) would fight the hand's first movement."""
        roll = np.arctan2(acc[1], acc[2])
        pitch = np.arctan2(-acc[0], np.hypot(acc[1], acc[2]))
        cr, sr, cp, sp = np.cos(roll / 2), np.sin(roll / 2), np.cos(pitch / 2), np.sin(pitch / 2)
        self._ahrs.restart()
        self._ahrs.set_quaternion(np.array([cr * cp, sr * cp, cr * sp, -sr * sp]))
        self._ahrs.skip_startup()
        self._started = True

    def update(self, raw: tuple[int, ...], gap: int = 1) -> Pose:
        """One raw sample (mg, 0.1 deg/s, board frame); ``gap`` > 1 when samples were lost."""
        acc = np.array(raw[:3], np.float64) / 1000.0 * RIGHT_HANDED
        gyro = self._bias.update(np.array(raw[3:6], np.float64) / 10.0 * RIGHT_HANDED)
        if not self._started or gap > RESTART_GAP_S * self.rate_hz:
            self._start(acc)
            gap = 1
        if gap != 1:
            self._ahrs.set_sample_period(gap / self.rate_hz)
        self._ahrs.update_no_magnetometer(gyro, acc)
        if gap != 1:
            self._ahrs.set_sample_period(1.0 / self.rate_hz)
        q = self._ahrs.get_quaternion()
        roll, pitch, yaw = (float(v) for v in self._euler(q))
        yaw_rate, pitch_rate = self._pointing_rates(self._matrix(q), gyro)
        return Pose(-pitch, roll, -yaw, yaw_rate, pitch_rate, float(np.linalg.norm(gyro)))

    @staticmethod
    def _pointing_rates(r: np.ndarray, gyro: np.ndarray) -> tuple[float, float]:
        """How fast the wand's tip sweeps across (about the vertical) and up (about the
        horizontal across the wand), from the body rate in the earth frame: rolling the
        wand about its own axis moves neither."""
        w = r @ gyro  # earth frame, deg/s
        tip = r[:, 0]
        across = np.cross([0.0, 0.0, 1.0], tip)  # horizontal, to the tip's left
        n = float(np.linalg.norm(across))
        if n < 1e-3:  # pointing straight up or down: the body's own axes
            return float(-gyro[2]), float(-gyro[1])
        return float(-w[2]), float(-(w @ (across / n)))


def wrap_deg(angle: float) -> float:
    """An angle difference into -180..180."""
    return (angle + 180.0) % 360.0 - 180.0
