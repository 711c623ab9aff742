#include "core.h"

#include "fixed_math.h"

namespace wand {

WandCore::WandCore(const CoreSpec& spec, Classifier* classifier, PacketSink* sink)
    : spec_(spec),
      classifier_(classifier),
      sink_(sink),
      resampler_(spec.source_rate_hz, spec.model_rate_hz),
      spotter_(spec.window, spec.hop, spec.other_class),
      strokes_(spec.model_rate_hz > 0 ? spec.model_rate_hz : 1),
      stroke_classifier_(nullptr),
      stroke_classes_(0),
      samples_(0),
      event_seq_(0),
      imu_batch_(1),
      n_held_(0),
      dropped_gestures_(0),
      yielded_characters_(0),
      capture_drew_(false),
      drop_capture_(false) {
  valid_ = spec.window > 0 && spec.window <= kMaxWindow && spec.hop > 0 && spec.num_classes > 1 &&
           spec.num_classes <= kMaxClasses && spec.source_rate_hz > 0 && spec.model_rate_hz > 0 &&
           spec.embedding_dims >= 0 && spec.embedding_dims <= kEmbeddingMax &&
           resampler_.MaxOutputs() <= kMaxResampleOut &&  // Push()'s buffer: model rate < 8x IMU rate
           AxisMapDeterminant(spec.axes) != 0;
  Reset();
}

void WandCore::Reset() {
  resampler_.Reset();
  spotter_.Reset();
  strokes_.Reset();
  for (int i = 0; i < kMaxWindow; ++i)
    for (int a = 0; a < kAxes; ++a) ring_[i][a] = 0;
  ring_head_ = 0;
  imu_count_ = 0;
}

uint32_t WandCore::TimeMs() const {
  if (!valid_) return 0;  // an invalid spec may have no model rate to divide by
  return static_cast<uint32_t>(samples_ * 1000u / static_cast<uint64_t>(spec_.model_rate_hz));
}

void WandCore::Push(const ImuSample& raw) {
  if (!valid_) return;
  ImuSample out[kMaxResampleOut];
  const ImuSample mapped = ApplyAxisMap(raw, spec_.axes);
  const int n = resampler_.Push(mapped, out);
  for (int i = 0; i < n; ++i) Step(out[i]);
}

void WandCore::Step(const ImuSample& s) {
  const uint16_t seq = static_cast<uint16_t>(samples_);
  ++samples_;
  const uint32_t t_ms = TimeMs();
  if (!(spotter_.config().flags & kConfigFlagStreamImu)) {
    imu_count_ = 0;  // stream off: drop a part batch, so turning it on again never sends stale samples
  } else {
    if (imu_count_ == 0) imu_first_seq_ = seq;
    imu_pending_[imu_count_++] = s;
    const int batch = (spotter_.config().flags & kConfigFlagImuEachSample) ? 1 : imu_batch_;
    if (imu_count_ >= batch) {
      sink_->OnImu(packet_, EncodeImu(imu_first_seq_, imu_pending_, imu_count_, packet_));
      imu_count_ = 0;
    }
  }
  ToModelInput(s, ring_[ring_head_]);  // the model learned raw readings
  ring_head_ = (ring_head_ + 1) % spec_.window;
  gyro_bias_.Update(s);
  const ImuSample still_frame = gyro_bias_.Correct(s);  // rest tests and the stroke's rotation
  const Motion m = MeasureMotion(still_frame);
  if (spotter_.OnSample(m.acc_l1, m.gyro_l1, t_ms, Abs32(still_frame.v[3]))) Infer(t_ms);  // v[3]: gx, the long axis
  if (StrokesOn()) {
    Stroke(still_frame, t_ms);
  } else if (n_held_ > 0) {
    ResolveHeld(false);  // strokes turned off (or no model) mid-drawing: no character to yield to
  }
  TrackOverlap();
}

void WandCore::TrackOverlap() {
  if (spotter_.state() != SpotterState::kCapture) {
    capture_drew_ = drop_capture_ = false;  // no capture runs: the next one starts afresh
  } else if (strokes_.state() == StrokeState::kDrawing) {
    capture_drew_ = true;
  }
}

void WandCore::SetStrokeClassifier(StrokeClassifier* classifier, int num_classes) {
  const bool ok = classifier != nullptr && num_classes > 0 && num_classes <= kMaxStrokeClasses;
  stroke_classifier_ = ok ? classifier : nullptr;
  stroke_classes_ = ok ? num_classes : 0;
  strokes_.Reset();
}

void WandCore::ConfigureStrokes(const StrokeConfig& config) {
  strokes_.SetConfig(config);
  if (!(config.flags & kStrokeFlagEnabled)) strokes_.Reset();  // turned on later: from a fresh rest
}

void WandCore::Emit(size_t len) {
  ++event_seq_;
  sent_.Push(packet_, len);
  sink_->OnGesture(packet_, len);
}

void WandCore::Stroke(const ImuSample& s, uint32_t t_ms) {
  const bool ended = strokes_.OnSample(s, t_ms, &stroke_);
  uint8_t probs[kMaxStrokeClasses];
  const bool classified = ended && stroke_classifier_->Classify(stroke_.features, probs);
  StrokeDecision d = {};
  if (classified) d = DecideStroke(probs, stroke_classes_, strokes_.config());
  // Held gestures resolve (before the stroke's packet: theirs are older) once the drawing is
  // over, however it ended: finished, rejected, aborted or reset.
  const bool character = classified && d.char_id != kStrokeUnknown;
  if (n_held_ > 0 && strokes_.state() != StrokeState::kDrawing) {
    const uint8_t over = strokes_.config().over_gesture;  // 0: a read character always wins
    const bool yields = character && over > 0 && (d.confidence < over || !d.model_first) && HeldNamesGesture();
    ResolveHeld(character && !yields);
    if (yields) {
      ++yielded_characters_;  // a gesture performed from a hold, read as its look-alike character
      return;
    }
  }
  if (character && capture_drew_ && CharactersFirst()) drop_capture_ = true;
  if (!classified) return;
  if (d.char_id == kStrokeUnknown && !(spotter_.config().flags & kConfigFlagSendUnknown)) return;
  Emit(EncodeStroke(event_seq_, d, stroke_, packet_));
}

void WandCore::HoldGesture(const Spot& spot) {
  if (n_held_ == kMaxHeldGestures) {  // never lost: the oldest goes out now
    SendGesture(held_[0]);
    for (int i = 1; i < n_held_; ++i) held_[i - 1] = held_[i];
    --n_held_;
  }
  held_[n_held_++] = spot;
}

void WandCore::ResolveHeld(bool character) {
  if (character) {
    dropped_gestures_ += static_cast<uint32_t>(n_held_);
  } else {
    for (int i = 0; i < n_held_; ++i) SendGesture(held_[i]);
  }
  n_held_ = 0;
}

bool WandCore::HeldNamesGesture() const {
  for (int i = 0; i < n_held_; ++i)
    if (held_[i].gesture_id != kGestureUnknown) return true;
  return false;
}

void WandCore::Infer(uint32_t t_ms) {
  // Oldest sample first: the ring's next write slot holds the oldest.
  for (int i = 0; i < spec_.window; ++i) {
    const int8_t* row = ring_[(ring_head_ + i) % spec_.window];
    for (int a = 0; a < kAxes; ++a) window_[i * kAxes + a] = row[a];
  }
  uint8_t probs[kMaxClasses];
  int8_t embedding[kEmbeddingMax];
  if (!classifier_->Classify(window_, probs, embedding)) return;
  Spot spot;
  if (spotter_.OnInference(probs, spec_.num_classes, embedding, spec_.embedding_dims, t_ms, &spot)) Decided(spot);
}

void WandCore::Decided(const Spot& spot) {
  if (!CharactersFirst()) {
    SendGesture(spot);
  } else if (drop_capture_) {
    ++dropped_gestures_;  // its capture began in a drawing already read as a character
  } else if (strokes_.state() == StrokeState::kDrawing) {
    HoldGesture(spot);  // maybe part of a character being drawn: wait for the stroke's end
  } else {
    SendGesture(spot);
  }
}

void WandCore::ResendQueued() {
  for (int i = 0; i < sent_.size(); ++i) {
    size_t len = 0;
    const uint8_t* p = sent_.At(i, &len);
    sink_->OnGesture(p, len);
  }
}

}  // namespace wand
