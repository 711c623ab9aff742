#include "gyro_bias.h"

namespace wand {

namespace {
int32_t Abs(int32_t v) { return v < 0 ? -v : v; }
int32_t Clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }
}  // namespace

void GyroBias::Reset() {
  bias_[0] = bias_[1] = bias_[2] = 0;
  calm_ = 0;
}

void GyroBias::Update(const ImuSample& s) {
  int32_t off = 0;
  for (int i = 0; i < 3; ++i) off += Abs(s.v[3 + i] - bias_[i]);
  if (off >= kBiasCalmDdps) return;  // a gesture's fast samples would drag it
  calm_ = (calm_ + 1) % kBiasStepEvery;
  if (calm_ != 0) return;
  for (int i = 0; i < 3; ++i) {
    const int32_t g = s.v[3 + i];
    const int32_t step = (g > bias_[i]) - (g < bias_[i]);
    bias_[i] = Clamp(bias_[i] + step, -kBiasMaxDdps, kBiasMaxDdps);
  }
}

ImuSample GyroBias::Correct(const ImuSample& s) const {
  ImuSample out = s;
  for (int i = 0; i < 3; ++i) out.v[3 + i] = static_cast<int16_t>(Clamp(s.v[3 + i] - bias_[i], -32768, 32767));
  return out;
}

}  // namespace wand
