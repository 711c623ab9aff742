// Gesture spotting state machine. Twin of wand/wand_core/spotter.py (read its docstring
// for the why):
//   IDLE --onset from rest--> CAPTURE --agreement or max inferences--> DONE --still--> IDLE
// An agreed gesture whose capture twisted the wand about its long axis (over
// kGestureMaxRollShare / 256 of its summed |gyro|) is sent as unknown.
#pragma once
#include <stdint.h>

#include "protocol.h"

namespace wand {

struct SpotterConfig {  // defaults: ConfigPacket() in wand/protocol.py, via protocol.h
  uint8_t threshold = kConfigThresholdDefault;        // min confidence 0..255 (200/256 = 0.78)
  uint8_t agree = kConfigAgreeDefault;                // consecutive agreeing inferences
  uint16_t cooldown_ms = kConfigCooldownMsDefault;
  uint16_t acc_gate_mg = kConfigAccGateMgDefault;     // onset: |ax|+|ay|+|az| >= this
  uint16_t gyro_gate_ddps = kConfigGyroGateDdpsDefault;  // ... or |gx|+|gy|+|gz| >= this
  uint16_t gyro_quiet_ddps = kConfigGyroQuietDdpsDefault;  // below this the wand is still
  uint8_t quiet_samples = kConfigQuietSamplesDefault;  // still samples that re-arm the spotter
  uint8_t max_inferences = kConfigMaxInferencesDefault;
  uint8_t flags = kConfigFlagsDefault;
};

struct Spot {
  uint8_t gesture_id;
  uint8_t confidence;
  uint8_t strength;
  uint32_t timestamp_ms;
  uint8_t embedding_len;
  int8_t embedding[kEmbeddingMax];
};

enum class SpotterState : uint8_t { kIdle = 0, kCapture = 1, kDone = 2 };

// An onset counts only within this many samples after the wand was at rest (quiet_samples
// still samples in a row): the ramp from rest to the gate. Why 25: REST_LEAD in
// wand/wand_core/spotter.py.
constexpr int kRestLead = 25;  // 0.5 s at 50 Hz
constexpr int kRestAgeMax = 255;

constexpr int kStrengthShift = 6;  // strength unit: 6.4 deg/s of |gx|+|gy|+|gz|

class Spotter {
 public:
  Spotter(int window, int hop, int other_class) : window_(window), hop_(hop), other_class_(other_class) { Reset(); }

  void Reset();
  void SetConfig(const SpotterConfig& c) { config_ = c; }
  const SpotterConfig& config() const { return config_; }
  SpotterState state() const { return state_; }

  // One model-rate sample's motion (roll: its |gx|, the turn about the wand's long axis); true
  // when an inference is due now.
  bool OnSample(int32_t acc_l1, int32_t gyro_l1, uint32_t t_ms, int32_t roll = 0);

  // The model's output; true (and *out filled) when the spotter decided on a gesture.
  bool OnInference(const uint8_t* probs, int num_classes, const int8_t* embedding, int embedding_len,
                   uint32_t t_ms, Spot* out);

 private:
  bool CooldownOver(uint32_t t_ms) const;
  void Fill(uint8_t id, uint8_t confidence, uint32_t t_ms, Spot* out) const;

  int window_;
  int hop_;
  int other_class_;
  SpotterConfig config_;
  SpotterState state_;
  int fill_;
  int inferences_;
  int streak_class_;
  int streak_len_;
  int32_t peak_gyro_;
  int64_t roll_;  // summed |gx| over the capture: a twist has more than kGestureMaxRollShare / 256 of
  int64_t turn_;  // the summed |gx|+|gy|+|gz|, and is sent as unknown, not as a built-in gesture
  int quiet_run_;
  int rest_age_;  // samples since the wand was last at rest (saturates at kRestAgeMax)
  int8_t first_embedding_[kEmbeddingMax];
  uint8_t first_embedding_len_;
  uint8_t first_conf_;
  bool have_event_;
  uint32_t last_event_ms_;
};

}  // namespace wand
