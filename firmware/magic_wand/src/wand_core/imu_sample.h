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

// +1 for a rotation, -1 for a mirror image (which no board mounting can produce), 0 if
// the map is not a permutation. Lets a sketch static_assert its board's map.
constexpr int AxisMapDeterminant(const AxisMap& m) {
  int inversions = 0;
  for (int i = 0; i < 3; ++i) {
    if (m.src[i] > 2) return 0;
    for (int j = i + 1; j < 3; ++j) {
      if (m.src[i] == m.src[j]) return 0;
      if (m.src[i] > m.src[j]) ++inversions;
    }
  }
  return (inversions % 2 ? -1 : 1) * m.sign[0] * m.sign[1] * m.sign[2];
}

inline ImuSample ApplyAxisMap(const ImuSample& in, const AxisMap& map) {
  ImuSample out;
  for (int i = 0; i < 3; ++i) {
    out.v[i] = static_cast<int16_t>(map.sign[i] * in.v[map.src[i]]);
    out.v[3 + i] = static_cast<int16_t>(map.sign[i] * in.v[3 + map.src[i]]);
  }
  return out;
}

}  // namespace wand
