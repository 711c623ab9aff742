// One raw IMU sample in wire units: acceleration in mg, angular rate in 0.1 deg/s.
#pragma once
#include <stdint.h>

namespace wand {

constexpr int kAxes = 6;  // ax ay az gx gy gz

struct ImuSample {
  int16_t v[kAxes];
};

// Board axes -> the model's frame (Rev1 / LSM9DS1 is the reference). The same map is
// applied to acceleration and angular rate; out[i] = sign[i] * in[src[i]].
struct AxisMap {
  uint8_t src[3];
  int8_t sign[3];
};

constexpr AxisMap kIdentityAxes = {{0, 1, 2}, {1, 1, 1}};

// +1 for a rotation, -1 for a mirror image, 0 if the map is not a signed permutation.
constexpr int AxisMapDeterminant(const AxisMap& m) {
  int inversions = 0;
  for (int i = 0; i < 3; ++i) {
    if (m.src[i] > 2 || (m.sign[i] != 1 && m.sign[i] != -1)) return 0;
    for (int j = i + 1; j < 3; ++j) {
      if (m.src[i] == m.src[j]) return 0;
      if (m.src[i] > m.src[j]) ++inversions;
    }
  }
  return (inversions % 2 ? -1 : 1) * m.sign[0] * m.sign[1] * m.sign[2];
}

// outer after inner: Apply(Compose(outer, inner), v) == Apply(outer, Apply(inner, v)).
constexpr AxisMap ComposeAxisMaps(const AxisMap& outer, const AxisMap& inner) {
  return {{inner.src[outer.src[0]], inner.src[outer.src[1]], inner.src[outer.src[2]]},
          {static_cast<int8_t>(outer.sign[0] * inner.sign[outer.src[0]]),
           static_cast<int8_t>(outer.sign[1] * inner.sign[outer.src[1]]),
           static_cast<int8_t>(outer.sign[2] * inner.sign[outer.src[2]])}};
}

constexpr bool SameAxisMap(const AxisMap& a, const AxisMap& b) {
  return a.src[0] == b.src[0] && a.src[1] == b.src[1] && a.src[2] == b.src[2] && a.sign[0] == b.sign[0] &&
         a.sign[1] == b.sign[1] && a.sign[2] == b.sign[2];
}

// Nano 33 BLE Sense Rev2: what Arduino_BMI270_BMM150 (>= 1.1.0, BMI270.cpp readAcceleration /
// readGyroscope, under TARGET_ARDUINO_NANO33BLE, which the mbed_nano variant's defines.txt
// sets) already does to the BMI270's own axes: x = -y_chip, y = -x_chip, z = z_chip, for the
// accelerometer and the gyroscope alike. Arduino added it (library issue #44) so that a Rev2
// reads like a Rev1 (LSM9DS1: its raw axes, Arduino_LSM9DS1 readAcceleration/readGyroscope)
// in the same pose. The model's frame is the Rev1 frame, so on top of the library the sketch
// maps nothing: the composite, chip axes -> model frame, is this map, a mirror (determinant
// -1: x and y swapped, both negated), and no extra swap may follow it.
constexpr AxisMap kBmi270LibraryNano33Rev2 = {{1, 0, 2}, {-1, -1, 1}};

// sign * v, saturating: -(-32768) is 32767, not -32768 again.
inline int16_t Flip(int16_t v, int8_t sign) {
  const int32_t r = sign < 0 ? -static_cast<int32_t>(v) : v;
  return static_cast<int16_t>(r > 32767 ? 32767 : r);
}

inline ImuSample ApplyAxisMap(const ImuSample& in, const AxisMap& map) {
  ImuSample out;
  for (int i = 0; i < 3; ++i) {
    out.v[i] = Flip(in.v[map.src[i]], map.sign[i]);
    out.v[3 + i] = Flip(in.v[3 + map.src[i]], map.sign[i]);
  }
  return out;
}

}  // namespace wand
