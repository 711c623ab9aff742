#include "spotter.h"

namespace wand {

void Spotter::Reset() {
  state_ = SpotterState::kIdle;
  fill_ = inferences_ = streak_len_ = quiet_run_ = 0;
  rest_age_ = 0;  // a reset counts as rest: the wand wakes still
  streak_class_ = -1;
  peak_gyro_ = 0;
  roll_ = turn_ = 0;
  first_embedding_len_ = 0;
  first_conf_ = 0;
  have_event_ = false;
  last_event_ms_ = 0;
}

bool Spotter::CooldownOver(uint32_t t_ms) const {
  if (!have_event_) return true;
  return static_cast<uint32_t>(t_ms - last_event_ms_) >= config_.cooldown_ms;
}

bool Spotter::OnSample(int32_t acc_l1, int32_t gyro_l1, uint32_t t_ms, int32_t roll) {
  const bool still = gyro_l1 < config_.gyro_quiet_ddps;
  quiet_run_ = still ? quiet_run_ + 1 : 0;
  if (state_ == SpotterState::kIdle) {
    if (quiet_run_ >= config_.quiet_samples) {
      rest_age_ = 0;
    } else if (rest_age_ < kRestAgeMax) {
      ++rest_age_;
    }
    const bool moving = acc_l1 >= config_.acc_gate_mg || gyro_l1 >= config_.gyro_gate_ddps;
    if (!(moving && rest_age_ <= kRestLead && CooldownOver(t_ms))) return false;
    state_ = SpotterState::kCapture;
    fill_ = inferences_ = streak_len_ = 0;
    quiet_run_ = still ? 1 : 0;
    peak_gyro_ = 0;
    roll_ = turn_ = 0;
    streak_class_ = -1;
  }
  if (state_ == SpotterState::kCapture) {
    ++fill_;
    if (gyro_l1 > peak_gyro_) peak_gyro_ = gyro_l1;
    roll_ += roll;
    turn_ += gyro_l1;
    return fill_ >= window_ && (fill_ - window_) % hop_ == 0;
  }
  if (quiet_run_ >= config_.quiet_samples) {
    state_ = SpotterState::kIdle;
    rest_age_ = 0;
  }
  return false;
}

void Spotter::Fill(uint8_t id, uint8_t confidence, uint32_t t_ms, Spot* out) const {
  out->gesture_id = id;
  out->confidence = confidence;
  const int32_t strength = peak_gyro_ >> kStrengthShift;
  out->strength = static_cast<uint8_t>(strength > 255 ? 255 : strength);
  out->timestamp_ms = t_ms;
  out->embedding_len = first_embedding_len_;
  for (int i = 0; i < first_embedding_len_; ++i) out->embedding[i] = first_embedding_[i];
}

bool Spotter::OnInference(const uint8_t* probs, int num_classes, const int8_t* embedding, int embedding_len,
                          uint32_t t_ms, Spot* out) {
  int top = 0;
  for (int i = 1; i < num_classes; ++i) {
    if (probs[i] > probs[top]) top = i;  // first maximum wins ties
  }
  const uint8_t conf = probs[top];
  if (inferences_ == 0) {
    first_embedding_len_ = static_cast<uint8_t>(embedding_len < kEmbeddingMax ? embedding_len : kEmbeddingMax);
    for (int i = 0; i < first_embedding_len_; ++i) first_embedding_[i] = embedding[i];
    first_conf_ = 0;
    for (int i = 0; i < num_classes; ++i) {
      if (i != other_class_ && probs[i] > first_conf_) first_conf_ = probs[i];
    }
  }
  ++inferences_;
  if (top != other_class_ && conf >= config_.threshold) {
    if (top == streak_class_) {
      ++streak_len_;
    } else {
      streak_class_ = top;
      streak_len_ = 1;
    }
  } else {
    streak_class_ = -1;
    streak_len_ = 0;
  }
  const bool agreed = streak_len_ >= config_.agree;
  const bool twisted = roll_ * 256 > int64_t{kGestureMaxRollShare} * turn_;
  if (agreed && !twisted) {
    state_ = SpotterState::kDone;
    have_event_ = true;
    last_event_ms_ = t_ms;
    Fill(static_cast<uint8_t>(top), conf, t_ms, out);
    return true;
  }
  // A forearm's twist ends as a capture nothing agreed on: unknown (the host may still match it)
  if (agreed || inferences_ >= config_.max_inferences) {
    state_ = SpotterState::kDone;
    if (config_.flags & kConfigFlagSendUnknown) {
      Fill(kGestureUnknown, first_conf_, t_ms, out);
      return true;
    }
  }
  return false;
}

}  // namespace wand
