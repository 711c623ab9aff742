// The wand's pipeline glue. Twin of wand/wand_core/core.py:
//   raw sample -> axis map -> resampler -> (IMU stream) -> features -> window ring
//              -> gyro bias -> rest tests: spotter -> classifier when due -> spotter -> gesture packet
//              -> stroke spotter -> stroke classifier at a stroke's end -> stroke packet
// Both kinds of event share one sequence number and the held-packet queue.
// Arbitration (issue 19), with kStrokeFlagCharactersFirst: one event per drawing. A gesture
// decided while the stroke spotter is DRAWING is held, not sent; when the drawing ends it is
// dropped if the stroke reads as an active character, else sent then (unchanged, its own
// timestamp); but a character read under over_gesture while a named gesture is held yields:
// the gesture goes out, the character does not. A capture still running when a read stroke
// ends (it began during the drawing: a short character ends before the gesture model
// decides) has its decision dropped. Without the flag both are sent. A packet's seq is
// assigned when it is sent.
// No heap, no Arduino: the sketch supplies a Classifier (TFLM) and a PacketSink (BLE).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "features.h"
#include "gyro_bias.h"
#include "imu_sample.h"
#include "packet.h"
#include "resampler.h"
#include "spotter.h"
#include "stroke.h"

namespace wand {

constexpr int kMaxWindow = 64;
constexpr int kMaxClasses = 16;
constexpr int kMaxResampleOut = 8;  // model-rate samples one IMU sample may yield (Valid() bounds it)

class Classifier {
 public:
  virtual ~Classifier() = default;
  // window: [window][kAxes] int8 row-major. Writes probabilities (0..255) and the
  // int8 embedding; false on an inference error (the core then skips this window).
  virtual bool Classify(const int8_t* window, uint8_t* probs, int8_t* embedding) = 0;
};

constexpr int kMaxStrokeClasses = 64;  // the active mask's bits
// Gestures held during one drawing. The spotter needs a rest lead and a cooldown between
// decisions, so a drawing (<= 255 samples) rarely yields more than one; a fifth sends the oldest.
constexpr int kMaxHeldGestures = 4;

class StrokeClassifier {
 public:
  virtual ~StrokeClassifier() = default;
  // input: kStrokeInputSize int8 (kStrokePoints rows of x, y, dx, dy). Writes probabilities
  // (0..255) per class; false on an inference error (the stroke is then dropped).
  virtual bool Classify(const int8_t* input, uint8_t* probs) = 0;
};

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void OnGesture(const uint8_t* data, size_t len) = 0;
  virtual void OnImu(const uint8_t* data, size_t len) = 0;
};

struct CoreSpec {
  int source_rate_hz;
  int model_rate_hz;
  int window;
  int hop;
  int other_class;
  int num_classes;
  int embedding_dims;
  AxisMap axes;
};

class WandCore {
 public:
  WandCore(const CoreSpec& spec, Classifier* classifier, PacketSink* sink);

  void Reset();  // on wake: buffers and state; not the clock, the packet counter or held packets
  void Idle(uint32_t model_samples) { samples_ += model_samples; }  // clock time spent asleep
  void Configure(const SpotterConfig& config) { spotter_.SetConfig(config); }
  // A wand with a stroke model: num_classes outputs (<= kMaxStrokeClasses); nullptr: none.
  void SetStrokeClassifier(StrokeClassifier* classifier, int num_classes);
  void ConfigureStrokes(const StrokeConfig& config);  // disabling resets the stroke spotter
  const StrokeConfig& stroke_config() const { return strokes_.config(); }
  StrokeState stroke_state() const { return strokes_.state(); }
  StrokeOutcome stroke_outcome() const { return strokes_.outcome(); }
  const SpotterConfig& config() const { return spotter_.config(); }
  void SetImuBatch(int samples) { imu_batch_ = samples < 1 ? 1 : (samples > kImuMaxSamples ? kImuMaxSamples : samples); }
  SpotterState state() const { return spotter_.state(); }
  uint32_t TimeMs() const;
  bool Valid() const { return valid_; }

  int held_gestures() const { return n_held_; }
  uint32_t dropped_gestures() const { return dropped_gestures_; }  // dropped for a drawn character
  bool dropping_capture() const { return drop_capture_; }
  uint32_t yielded_characters() const { return yielded_characters_; }  // not sent: a held gesture won

  void Push(const ImuSample& raw);
  // Re-sends the held gesture packets (oldest first): call when a host subscribes.
  void ResendQueued();

 private:
  void Step(const ImuSample& s);
  void Infer(uint32_t t_ms);
  void Stroke(const ImuSample& s, uint32_t t_ms);
  void Emit(size_t len);
  bool StrokesOn() const {
    return stroke_classifier_ != nullptr && (strokes_.config().flags & kStrokeFlagEnabled);
  }
  bool CharactersFirst() const { return StrokesOn() && (strokes_.config().flags & kStrokeFlagCharactersFirst); }
  void Decided(const Spot& spot);  // the gesture spotter decided: send, hold or drop
  void TrackOverlap();  // after each step: did the running capture overlap a drawing?
  void HoldGesture(const Spot& spot);
  void SendGesture(const Spot& spot) { Emit(EncodeGesture(event_seq_, spot, packet_)); }
  void ResolveHeld(bool character);  // the drawing ended: drop (a character) or send the held
  bool HeldNamesGesture() const;

  CoreSpec spec_;
  Classifier* classifier_;
  PacketSink* sink_;
  Resampler resampler_;
  Spotter spotter_;
  StrokeSpotter strokes_;
  GyroBias gyro_bias_;  // kept across Reset(): an offset is the board's, a sleep keeps it
  StrokeClassifier* stroke_classifier_;
  int stroke_classes_;
  StrokeResult stroke_;
  bool valid_;
  int8_t ring_[kMaxWindow][kAxes];
  int ring_head_;  // next slot to write
  int8_t window_[kMaxWindow * kAxes];
  uint64_t samples_;
  uint16_t event_seq_;
  ImuSample imu_pending_[kImuMaxSamples];
  int imu_count_;
  uint16_t imu_first_seq_;
  int imu_batch_;
  uint8_t packet_[kMaxPacketSize];
  EventQueue sent_;
  Spot held_[kMaxHeldGestures];  // oldest first
  int n_held_;
  uint32_t dropped_gestures_;
  uint32_t yielded_characters_;
  bool capture_drew_;  // the running capture overlapped a drawing
  bool drop_capture_;  // ... which ended read as a character: drop this capture's decision
};

}  // namespace wand
