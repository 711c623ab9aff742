// Raw sample -> int8 model input (scale 1/128, zero point 0) and the motion measure.
// Twin of wand/wand_core/features.py.
#pragma once
#include <stdint.h>

#include "imu_sample.h"

namespace wand {

constexpr int kAccDivMg = 32;     // one input step = 32 mg (+-4 g in int8)
constexpr int kGyroDivDdps = 80;  // one input step = 8 deg/s (+-1024 deg/s in int8)

void ToModelInput(const ImuSample& s, int8_t out[kAxes]);

struct Motion {
  int32_t acc_l1;   // |ax|+|ay|+|az|, mg
  int32_t gyro_l1;  // |gx|+|gy|+|gz|, 0.1 deg/s
};

Motion MeasureMotion(const ImuSample& s);

}  // namespace wand
