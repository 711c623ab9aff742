// Issue 21's other wire: orientation fused on the chip. Runs x-io's Fusion (the C library
// the host's imufusion wraps: bias + AHRS, the same settings as wand/control/fusion.py) on a
// Cortex-M4F (QEMU mps2-an386), one real IMU try, and counts the instructions of each
// sample's update with insn_count.so (fusion_cost.py builds and runs it; Fusion's sources
// are not in this repository: --fusion DIR). Writes the final quaternion to fusion.out for
// the host to compare with imufusion on the same samples.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "Fusion.h"
#include "fusion_samples.h"  // generated: kRateHz, kSamples, kImu[kSamples][6] (mg, 0.1 deg/s, board frame)

int semihost(int op, const void* arg);

__attribute__((noinline)) void wand_bench_start(void) { __asm volatile("" ::: "memory"); }
__attribute__((noinline)) void wand_bench_stop(void) { __asm volatile("" ::: "memory"); }

static void write_out(const char* text) {
  const char* name = "fusion.out";
  uint32_t open_args[3] = {(uint32_t)(uintptr_t)name, 4 /* "w" */, (uint32_t)strlen(name)};
  const int handle = semihost(0x01, open_args);
  uint32_t write_args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)text, (uint32_t)strlen(text)};
  semihost(0x05, write_args);
}

int main(void) {
  FusionBias bias;
  FusionBiasInitialise(&bias);
  const FusionBiasSettings bias_settings = {(float)kRateHz, 3.0f, 3.0f};
  FusionBiasSetSettings(&bias, &bias_settings);
  FusionAhrs ahrs;
  FusionAhrsInitialise(&ahrs);
  const FusionAhrsSettings settings = {(float)kRateHz, FusionConventionNwu, 0.5f, 2000.0f, 10.0f, 0.0f,
                                       5.0f};
  FusionAhrsSetSettings(&ahrs, &settings);
  FusionAhrsSkipStartup(&ahrs);
  for (int i = 0; i < kSamples; ++i) {
    // board (forward, right, up) is left-handed: y negated, as on the host
    const FusionVector acc = {{kImu[i][0] / 1000.0f, -kImu[i][1] / 1000.0f, kImu[i][2] / 1000.0f}};
    const FusionVector raw = {{kImu[i][3] / 10.0f, -kImu[i][4] / 10.0f, kImu[i][5] / 10.0f}};
    wand_bench_start();
    const FusionVector gyro = FusionBiasUpdate(&bias, raw);
    FusionAhrsUpdateNoMagnetometer(&ahrs, gyro, acc);
    wand_bench_stop();
  }
  const FusionQuaternion q = FusionAhrsGetQuaternion(&ahrs);
  char text[96];
  snprintf(text, sizeof text, "%d %d %d %d\n", (int)(q.element.w * 1e6f), (int)(q.element.x * 1e6f),
           (int)(q.element.y * 1e6f), (int)(q.element.z * 1e6f));
  write_out(text);
  return 0;
}
