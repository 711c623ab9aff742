#include "resampler.h"

#include "fixed_math.h"

namespace wand {

int Resampler::Push(const ImuSample& in, ImuSample* out) {
  if (!have_prev_) {
    prev_ = in;
    have_prev_ = true;
    phase_ = rate_in_;
    out[0] = in;
    return 1;
  }
  int n = 0;
  while (phase_ <= rate_out_) {
    const int32_t ph = phase_;
    for (int a = 0; a < kAxes; ++a) {
      const int64_t mixed = static_cast<int64_t>(prev_.v[a]) * (rate_out_ - ph) + static_cast<int64_t>(in.v[a]) * ph;
      out[n].v[a] = static_cast<int16_t>(DivRound(mixed, rate_out_));
    }
    ++n;
    phase_ += rate_in_;
  }
  phase_ -= rate_out_;
  prev_ = in;
  return n;
}

}  // namespace wand
