"""Board axes -> the model's frame (twin of wand_core/imu_sample.h).

The model's frame is the Nano 33 BLE Sense Rev1's (LSM9DS1, read through
Arduino_LSM9DS1). On a Rev2, Arduino_BMI270_BMM150 (>= 1.1.0) already remaps the BMI270
so it reads like a Rev1 (x = -y_chip, y = -x_chip, z = z_chip: a mirror), so the sketch
maps nothing on top: both boards run the identity here. The derivation is in the header.
The same map applies to acceleration and angular rate: out[i] = sign[i] * in[src[i]].
"""

from __future__ import annotations

from dataclasses import dataclass

INT16_MAX = 32767


@dataclass(frozen=True)
class AxisMap:
    src: tuple[int, int, int]
    sign: tuple[int, int, int]

    def determinant(self) -> int:
        """+1 for a rotation, -1 for a mirror image, 0 if not a signed permutation."""
        if sorted(self.src) != [0, 1, 2] or any(s not in (-1, 1) for s in self.sign):
            return 0
        inversions = sum(self.src[i] > self.src[j] for i in range(3) for j in range(i + 1, 3))
        return (-1 if inversions % 2 else 1) * self.sign[0] * self.sign[1] * self.sign[2]

    def compose(self, inner: "AxisMap") -> "AxisMap":
        """``self`` after ``inner``: apply(compose) == apply(self, apply(inner, v))."""
        return AxisMap(tuple(inner.src[s] for s in self.src),
                       tuple(self.sign[i] * inner.sign[self.src[i]] for i in range(3)))

    def apply(self, sample: tuple[int, ...]) -> tuple[int, ...]:
        """One raw (ax, ay, az, gx, gy, gz) sample in wire units, mapped; -(-32768) saturates."""
        acc = [_flip(sample[s], g) for s, g in zip(self.src, self.sign)]
        gyro = [_flip(sample[3 + s], g) for s, g in zip(self.src, self.sign)]
        return tuple(acc + gyro)


def _flip(v: int, sign: int) -> int:
    return min(INT16_MAX, -v if sign < 0 else v)


IDENTITY_AXES = AxisMap((0, 1, 2), (1, 1, 1))
BMI270_LIBRARY_NANO33_REV2 = AxisMap((1, 0, 2), (-1, -1, 1))  # what the library already does
