#include "features.h"

#include "fixed_math.h"

namespace wand {

void ToModelInput(const ImuSample& s, int8_t out[kAxes]) {
  for (int a = 0; a < 3; ++a) out[a] = ClampInt8(DivRound(s.v[a], kAccDivMg));
  for (int a = 3; a < kAxes; ++a) out[a] = ClampInt8(DivRound(s.v[a], kGyroDivDdps));
}

Motion MeasureMotion(const ImuSample& s) {
  Motion m;
  m.acc_l1 = Abs32(s.v[0]) + Abs32(s.v[1]) + Abs32(s.v[2]);
  m.gyro_l1 = Abs32(s.v[3]) + Abs32(s.v[4]) + Abs32(s.v[5]);
  return m;
}

}  // namespace wand
