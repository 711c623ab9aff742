// Integer helpers shared by the pipeline. One rounding rule everywhere, the same as
// wand/wand_core/resampler.py div_round, so chip and host agree bit for bit.
#pragma once
#include <stdint.h>

namespace wand {

// floor(a / b) for b > 0 (C++ '/' truncates toward zero).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// floor(a / b + 1/2) for b > 0.
inline int32_t DivRound(int64_t a, int64_t b) { return static_cast<int32_t>(FloorDiv(2 * a + b, 2 * b)); }
inline int64_t DivRound64(int64_t a, int64_t b) { return FloorDiv(2 * a + b, 2 * b); }  // |2a + b| < 2**63

// floor(sqrt(n)), exactly (Python's math.isqrt): bit by bit, no float.
inline uint64_t ISqrt64(uint64_t n) {
  uint64_t root = 0;
  uint64_t bit = uint64_t{1} << 62;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= root + bit) {
      n -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

inline int32_t Abs32(int32_t v) { return v < 0 ? -v : v; }

inline int8_t ClampInt8(int32_t v) { return static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v)); }

}  // namespace wand
