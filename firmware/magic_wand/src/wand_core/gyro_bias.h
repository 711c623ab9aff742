// The gyro's zero-rate offset, tracked as it runs: a per-axis running median of calm
// samples, one 0.1 deg/s step every kBiasStepEvery of them. Twin of
// wand/wand_core/gyro_bias.py (read its docstring for the why). It serves the rest tests
// and the stroke's rotation; the gesture model and the IMU stream get the raw reading.
#pragma once
#include <stdint.h>

#include "imu_sample.h"

namespace wand {

constexpr int kBiasStepEvery = 4;     // calm samples per step
constexpr int32_t kBiasCalmDdps = 1000;  // |g - bias| summed under this: a calm sample
constexpr int32_t kBiasMaxDdps = 500;    // the estimate's bound per axis

class GyroBias {
 public:
  GyroBias() { Reset(); }
  void Reset();
  void Update(const ImuSample& s);
  ImuSample Correct(const ImuSample& s) const;  // rates less the offset, saturated to int16
  int32_t bias(int axis) const { return bias_[axis]; }

 private:
  int32_t bias_[3];
  int calm_;
};

}  // namespace wand
