// The stroke spotter: a character drawn in the air between two rests. Twin of
// wand/wand_core/stroke.py (read its docstring for the why):
//   IDLE --still for rest_samples--> ARMED --|gyro| >= start level--> DRAWING
//        --still for end_samples--> stroke (classified unless too short, twisted, small or degenerate)
// The gyro is integrated as a Q30 unit quaternion; the stroke is the pointing direction
// (board x) projected onto the plane facing its mean, up = gravity in that plane.
#pragma once
#include <stdint.h>

#include "imu_sample.h"
#include "protocol.h"
#include "stroke_features.h"

namespace wand {

struct StrokeConfig {  // defaults: StrokeConfigPacket() in wand/protocol.py, via protocol.h
  uint8_t flags = kStrokeConfigFlagsDefault;
  uint8_t threshold = kStrokeConfigThresholdDefault;  // min renormalised score of the best active class
  uint64_t active_mask = kStrokeConfigActiveMaskDefault;  // bit i = STROKE_LABELS[i]
  uint8_t rest_dps = kStrokeConfigRestDpsDefault;  // |gx|+|gy|+|gz| below this (deg/s): still
  uint8_t start_dps = kStrokeConfigStartDpsDefault;  // ... at or above this: drawing starts
  uint8_t rest_samples = kStrokeConfigRestSamplesDefault;
  uint8_t end_samples = kStrokeConfigEndSamplesDefault;
  uint8_t min_samples = kStrokeConfigMinSamplesDefault;
  uint8_t max_samples = kStrokeConfigMaxSamplesDefault;
  uint8_t min_extent_deg = kStrokeConfigMinExtentDegDefault;
  uint8_t min_character_mass = kStrokeConfigMinCharacterMassDefault;  // summed probability of all characters
  // The score a character needs to silence a named gesture (0..252, step 4; shares flags' byte).
  uint8_t over_gesture = kStrokeConfigOverGestureDefault;
};

enum class StrokeState : uint8_t { kIdle = 0, kArmed = 1, kDrawing = 2 };
enum class StrokeOutcome : uint8_t { kNone = 0, kClassified, kTooShort, kTooLong, kTooSmall, kDegenerate, kTwisted };

constexpr int64_t kQ30 = int64_t{1} << 30;
constexpr int kPointShift = 44;  // Q60 dot products -> points in 1/65536
constexpr int64_t kPiNum = 355, kPiDen = 113;
constexpr int kGravitySamplesMax = 255;
constexpr int kStrokeMaxSamples = 255;  // StrokeConfig::max_samples' limit
// The rest point, up to max_samples moving samples and fewer than end_samples still ones.
constexpr int kStrokeMaxPath = 1 + 2 * kStrokeMaxSamples;

struct StrokeResult {
  int8_t features[kStrokeInputSize];
  uint16_t samples;  // drawing duration in model samples
  uint32_t end_ms;   // time of the last moving sample
  uint8_t strength;  // peak gyro L1 >> kStrengthShift, saturated
};

class Orientation {  // body -> start frame, Q30 unit quaternion (w, x, y, z), right-handed
 public:
  explicit Orientation(int model_rate_hz) : half_angle_den_(kPiDen * 3600 * model_rate_hz) { Reset(); }
  void Reset();
  void Step(const ImuSample& s);  // board-frame gyro (0.1 deg/s, left-handed as read)
  void Pointing(int32_t out[3]) const;  // board x in the start frame, Q30

 private:
  int64_t half_angle_den_;
  int64_t q_[4];
};

class StrokeSpotter {
 public:
  explicit StrokeSpotter(int model_rate_hz) : orientation_(model_rate_hz) { Reset(); }
  void Reset();
  void SetConfig(const StrokeConfig& c) { config_ = c; }
  const StrokeConfig& config() const { return config_; }
  StrokeState state() const { return state_; }
  StrokeOutcome outcome() const { return outcome_; }

  // One model-rate sample; true (and *out filled) when a stroke ended and is to be classified.
  bool OnSample(const ImuSample& s, uint32_t t_ms, StrokeResult* out);

 private:
  void Hold(const ImuSample& s);
  void Arm();
  void Move(const ImuSample& s, int32_t gyro_l1, uint32_t t_ms);
  void Append();
  void Abort(StrokeOutcome why);
  bool Finish(StrokeResult* out);

  StrokeConfig config_;
  Orientation orientation_;
  StrokeState state_;
  StrokeOutcome outcome_;
  int still_run_;
  int64_t run_gravity_[3];
  int run_n_;
  int64_t gravity_[3];
  int32_t path_[kStrokeMaxPath * 3];  // pointing directions (Q30), then the points in place
  int n_path_;
  int last_moving_;
  uint32_t end_ms_;
  int32_t peak_;
  int64_t roll_;  // summed |gx| (the long axis) over the stroke's moving samples
  int64_t turn_;  // summed |gx|+|gy|+|gz| over them: a twist has roll_ over kStrokeMaxRollShare/256 of it
};

// Projects n pointing directions (Q30, stride 3 in buf) onto the plane facing their mean,
// writing n points (x right, y up, 1/65536) packed at the front of buf; false if no plane.
bool ProjectStroke(int32_t* buf, int n, const int64_t gravity_sum[3]);
bool ExtentReaches(const int32_t* xy, int n, int min_extent_deg);

struct StrokeDecision {
  uint8_t char_id;  // kStrokeUnknown when no active class passed
  uint8_t confidence;
  int n_ranked;
  uint8_t ranked_id[3];  // best first
  uint8_t ranked_score[3];
  bool model_first;  // the read character: no character, active or not, is more probable
};

// Ranks only the active classes; see decide() in wand/wand_core/stroke.py.
StrokeDecision DecideStroke(const uint8_t* probs, int num_classes, const StrokeConfig& c);

}  // namespace wand
