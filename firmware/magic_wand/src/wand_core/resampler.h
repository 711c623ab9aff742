// Integer linear-interpolation resampler: IMU rate -> model rate.
// Twin of wand/wand_core/resampler.py.
#pragma once
#include <stdint.h>

#include "imu_sample.h"

namespace wand {

class Resampler {
 public:
  Resampler(int rate_in, int rate_out) : rate_in_(rate_in), rate_out_(rate_out) { Reset(); }

  void Reset() {
    have_prev_ = false;
    phase_ = 0;
  }

  // Most outputs one input can produce (for sizing the caller's buffer).
  int MaxOutputs() const { return rate_out_ / rate_in_ + 1; }

  // Feeds one input sample; writes up to MaxOutputs() samples to out, returns how many.
  int Push(const ImuSample& in, ImuSample* out);

 private:
  int rate_in_;
  int rate_out_;
  bool have_prev_;
  int32_t phase_;  // next output position after prev_, in 1/rate_out_ input steps
  ImuSample prev_;
};

}  // namespace wand
