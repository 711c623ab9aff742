// IMU sampling from the sensor's FIFO, so a loop() stall (a BLE burst, a flash write) up to
// the FIFO's depth loses nothing, and a longer one is counted (status packet imu_dropped).
// Board-specific: Rev1 LSM9DS1, Rev2 BMI270 (through their Arduino libraries).
#pragma once
#include <Arduino.h>
#include <Wire.h>

#include "src/wand_core/drops.h"
#include "src/wand_core/imu_sample.h"
#include "wand_config.h"

#if WAND_BOARD_REV == 2
#include <Arduino_BMI270_BMM150.h>
#else
#include <Arduino_LSM9DS1.h>
#endif

namespace wand_imu {

#if WAND_BOARD_REV == 2
constexpr int kRateHz = 100;  // BMI270 library default ODR
#else
constexpr int kRateHz = 119;  // LSM9DS1 library: accelerometer and gyroscope at 119 Hz
#endif

// Wire units (mg, 0.1 deg/s), saturated; NaN (a failed I2C read) never reaches the cast.
inline int16_t ToInt16(float v) {
  if (v != v) return 0;
  if (v > 32767.f) return 32767;
  if (v < -32768.f) return -32768;
  return static_cast<int16_t>(lroundf(v));
}

inline uint8_t ReadRegister(uint8_t device, uint8_t reg) {  // the IMUs sit on Wire1
  Wire1.beginTransmission(device);
  Wire1.write(reg);
  if (Wire1.endTransmission(false) != 0 || Wire1.requestFrom(device, static_cast<uint8_t>(1)) != 1) return 0;
  return static_cast<uint8_t>(Wire1.read());
}

class FifoImu {
 public:
  bool Begin() {
    if (!IMU.begin()) return false;
    IMU.setContinuousMode();
    return true;
  }

  // Reads what the FIFO holds (oldest first) into out; returns how many samples.
  int Read(wand::ImuSample* out, int max) {
    const Backlog b = ReadBacklog();
    drops_.OnPoll(micros(), read_since_poll_, b.samples, b.overflowed);
    read_since_poll_ = 0;
    int n = 0;
    while (n < max && IMU.accelerationAvailable() && IMU.gyroscopeAvailable()) {
      float ax, ay, az, gx, gy, gz;
      const bool ok = IMU.readAcceleration(ax, ay, az) && IMU.readGyroscope(gx, gy, gz);
      ++read_since_poll_;
      if (!ok) {  // an I2C error: the sample is gone; count it, feed nothing made up
        ++failed_;
        continue;
      }
      out[n++] = {{ToInt16(ax * 1000.f), ToInt16(ay * 1000.f), ToInt16(az * 1000.f), ToInt16(gx * 10.f),
                   ToInt16(gy * 10.f), ToInt16(gz * 10.f)}};
    }
    return n;
  }

  uint32_t dropped() const { return drops_.dropped() + failed_; }

 private:
  struct Backlog {
    uint32_t samples;
    bool overflowed;
  };

#if WAND_BOARD_REV == 2
  // BMI270 (I2C 0x68): FIFO_LENGTH_0/1 (0x24/0x25) = bytes waiting; the library reads
  // headerless accel+gyro frames of 12 bytes. A full FIFO has overwritten its oldest frames.
  static constexpr uint32_t kFifoBytes = 6144;  // BMI270 datasheet: 6 KB FIFO
  Backlog ReadBacklog() {
    const uint32_t bytes = ReadRegister(0x68, 0x24) | ((ReadRegister(0x68, 0x25) & 0x3Fu) << 8);
    return {bytes / 12, bytes + 12 > kFifoBytes};
  }
#else
  // LSM9DS1 accel/gyro (I2C 0x6B): FIFO_SRC (0x2F) bits 0-5 = samples waiting (of 32),
  // bit 6 = OVRN, the FIFO overwrote samples since it was last read.
  Backlog ReadBacklog() {
    const uint8_t src = ReadRegister(0x6B, 0x2F);
    return {static_cast<uint32_t>(src & 0x3F), (src & 0x40) != 0};
  }
#endif

  wand::DropCounter drops_{kRateHz};
  uint32_t read_since_poll_ = 0;
  uint32_t failed_ = 0;
};

}  // namespace wand_imu
