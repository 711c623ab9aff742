#include "stroke.h"

#include "fixed_math.h"
#include "spotter.h"

namespace wand {
namespace {

int64_t Norm3(const int64_t v[3]) {
  return static_cast<int64_t>(ISqrt64(static_cast<uint64_t>(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])));
}

void Unit3(const int64_t v[3], int64_t norm, int64_t out[3]) {
  for (int i = 0; i < 3; ++i) out[i] = DivRound64(v[i] * kQ30, norm);
}

int64_t Dot3(const int64_t a[3], const int64_t b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

constexpr int64_t kMinMeanPointing = kQ30 / 4;  // turned round too far for one plane
constexpr int64_t kMinUpInPlane = kQ30 / 5;     // gravity near the pointing axis: use the top edge

// v's component perpendicular to the unit normal, as a unit vector; false when too short.
bool InPlane(const int64_t v[3], const int64_t normal[3], int64_t out[3]) {
  const int64_t d = DivRound64(Dot3(v, normal), kQ30);
  int64_t u[3];
  for (int i = 0; i < 3; ++i) u[i] = v[i] - DivRound64(d * normal[i], kQ30);
  const int64_t norm = Norm3(u);
  if (norm < kMinUpInPlane) return false;
  Unit3(u, norm, out);
  return true;
}

// Half-angle per sample and axis (Q30), at most 0.625 rad so every product stays inside
// int64 (see stroke.py MAX_HALF_ANGLE: only model rates under 46 Hz reach it).
int64_t HalfAngle(int32_t ddps, int64_t den) {
  constexpr int64_t kMax = kQ30 * 5 / 8;
  const int64_t h = DivRound64(static_cast<int64_t>(ddps) * kQ30 * kPiNum, den);
  return h < -kMax ? -kMax : (h > kMax ? kMax : h);
}

}  // namespace

void Orientation::Reset() {
  q_[0] = kQ30;
  q_[1] = q_[2] = q_[3] = 0;
}

void Orientation::Step(const ImuSample& s) {
  // Right-handed (forward, left, up): the board's y is negated.
  const int64_t h[3] = {HalfAngle(s.v[3], half_angle_den_), HalfAngle(-static_cast<int32_t>(s.v[4]), half_angle_den_),
                        HalfAngle(s.v[5], half_angle_den_)};
  // The step's quaternion to third order in the half angle (see stroke.py).
  const int64_t h2 = DivRound64(h[0] * h[0] + h[1] * h[1] + h[2] * h[2], kQ30);
  const int64_t d = kQ30 - DivRound64(h2, 2);
  const int64_t a = h[0] - DivRound64(h[0] * h2, 6 * kQ30);
  const int64_t b = h[1] - DivRound64(h[1] * h2, 6 * kQ30);
  const int64_t c = h[2] - DivRound64(h[2] * h2, 6 * kQ30);
  const int64_t w = q_[0], x = q_[1], y = q_[2], z = q_[3];
  int64_t q[4] = {DivRound64(w * d - x * a - y * b - z * c, kQ30), DivRound64(w * a + x * d + y * c - z * b, kQ30),
                  DivRound64(w * b - x * c + y * d + z * a, kQ30), DivRound64(w * c + x * b - y * a + z * d, kQ30)};
  const int64_t norm = static_cast<int64_t>(
      ISqrt64(static_cast<uint64_t>(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3])));
  for (int i = 0; i < 4; ++i) q_[i] = DivRound64(q[i] * kQ30, norm);
}

void Orientation::Pointing(int32_t out[3]) const {
  const int64_t w = q_[0], x = q_[1], y = q_[2], z = q_[3];
  out[0] = static_cast<int32_t>(DivRound64(w * w + x * x - y * y - z * z, kQ30));
  out[1] = static_cast<int32_t>(DivRound64(2 * (x * y + w * z), kQ30));
  out[2] = static_cast<int32_t>(DivRound64(2 * (x * z - w * y), kQ30));
}

bool ProjectStroke(int32_t* buf, int n, const int64_t gravity_sum[3]) {
  int64_t sum[3] = {0, 0, 0};
  for (int t = 0; t < n; ++t)
    for (int i = 0; i < 3; ++i) sum[i] += buf[3 * t + i];
  int64_t mean[3];
  for (int i = 0; i < 3; ++i) mean[i] = DivRound64(sum[i], n);
  const int64_t norm = Norm3(mean), g_norm = Norm3(gravity_sum);
  if (norm < kMinMeanPointing || g_norm == 0) return false;
  int64_t ahead[3], gravity[3], up[3];
  Unit3(mean, norm, ahead);
  Unit3(gravity_sum, g_norm, gravity);
  if (!InPlane(gravity, ahead, up)) {
    const int64_t top[3] = {0, 0, kQ30};  // pointing at the floor or the sky: the top edge leads
    if (!InPlane(top, ahead, up)) return false;
  }
  const int64_t right[3] = {DivRound64(ahead[1] * up[2] - ahead[2] * up[1], kQ30),
                            DivRound64(ahead[2] * up[0] - ahead[0] * up[2], kQ30),
                            DivRound64(ahead[0] * up[1] - ahead[1] * up[0], kQ30)};
  const int64_t unit = int64_t{1} << kPointShift;
  for (int t = 0; t < n; ++t) {  // point t lands at [2t, 2t+1] <= [3t, 3t+1]: read before written
    const int64_t p[3] = {buf[3 * t], buf[3 * t + 1], buf[3 * t + 2]};
    buf[2 * t] = static_cast<int32_t>(DivRound64(Dot3(p, right), unit));
    buf[2 * t + 1] = static_cast<int32_t>(DivRound64(Dot3(p, up), unit));
  }
  return true;
}

bool ExtentReaches(const int32_t* xy, int n, int min_extent_deg) {
  int64_t side = 0;
  for (int k = 0; k < 2; ++k) {
    int32_t lo = xy[k], hi = xy[k];
    for (int t = 1; t < n; ++t) {
      lo = xy[2 * t + k] < lo ? xy[2 * t + k] : lo;
      hi = xy[2 * t + k] > hi ? xy[2 * t + k] : hi;
    }
    side = (hi - lo) > side ? (hi - lo) : side;
  }
  return side * kPiDen * 180 >= static_cast<int64_t>(min_extent_deg) * kPiNum * (int64_t{1} << (60 - kPointShift));
}

void StrokeSpotter::Reset() {
  state_ = StrokeState::kIdle;
  outcome_ = StrokeOutcome::kNone;
  still_run_ = 0;
  run_n_ = 0;
  for (int i = 0; i < 3; ++i) run_gravity_[i] = gravity_[i] = 0;
  n_path_ = 0;
  last_moving_ = 0;
  end_ms_ = 0;
  peak_ = 0;
  roll_ = turn_ = 0;
}

bool StrokeSpotter::OnSample(const ImuSample& s, uint32_t t_ms, StrokeResult* out) {
  const int32_t gyro_l1 = Abs32(s.v[3]) + Abs32(s.v[4]) + Abs32(s.v[5]);
  const bool still = gyro_l1 < config_.rest_dps * 10;
  still_run_ = still ? (still_run_ < 0xFFFF ? still_run_ + 1 : still_run_) : 0;
  if (still) Hold(s);
  if (state_ == StrokeState::kIdle) {
    if (still_run_ >= config_.rest_samples) Arm();
    return false;
  }
  if (state_ == StrokeState::kArmed) {
    if (still) {
      Arm();  // still holding: the stroke starts from here
      return false;
    }
    Move(s, gyro_l1, t_ms);
    if (gyro_l1 >= config_.start_dps * 10) {
      state_ = StrokeState::kDrawing;
    } else if (n_path_ > config_.max_samples) {
      Abort(StrokeOutcome::kTooLong);
    }
    return false;
  }
  if (!still) {
    Move(s, gyro_l1, t_ms);
  } else {
    orientation_.Step(s);
    Append();
  }
  if (last_moving_ - 1 > config_.max_samples) {
    Abort(StrokeOutcome::kTooLong);
    return false;
  }
  if (still_run_ >= config_.end_samples) return Finish(out);
  return false;
}

void StrokeSpotter::Hold(const ImuSample& s) {
  if (still_run_ == 1) {
    run_gravity_[0] = run_gravity_[1] = run_gravity_[2] = 0;
    run_n_ = 0;
  }
  if (run_n_ < kGravitySamplesMax) {
    run_gravity_[0] += s.v[0];
    run_gravity_[1] -= s.v[1];  // right-handed
    run_gravity_[2] += s.v[2];
    ++run_n_;
  }
}

void StrokeSpotter::Arm() {
  if (run_n_ >= config_.rest_samples)
    for (int i = 0; i < 3; ++i) gravity_[i] = run_gravity_[i];
  state_ = StrokeState::kArmed;
  orientation_.Reset();
  n_path_ = 0;
  Append();
  last_moving_ = 1;
  peak_ = 0;
  roll_ = turn_ = 0;
}

void StrokeSpotter::Append() {
  if (n_path_ >= kStrokeMaxPath) return;  // unreachable: max_samples <= kStrokeMaxSamples bounds it
  orientation_.Pointing(path_ + 3 * n_path_);
  ++n_path_;
}

void StrokeSpotter::Move(const ImuSample& s, int32_t gyro_l1, uint32_t t_ms) {
  orientation_.Step(s);
  Append();
  last_moving_ = n_path_;
  end_ms_ = t_ms;
  peak_ = gyro_l1 > peak_ ? gyro_l1 : peak_;
  roll_ += Abs32(s.v[3]);
  turn_ += gyro_l1;
}

void StrokeSpotter::Abort(StrokeOutcome why) {
  outcome_ = why;
  state_ = StrokeState::kIdle;
  n_path_ = 0;
}

bool StrokeSpotter::Finish(StrokeResult* out) {
  const int n = last_moving_;
  const int samples = n - 1;  // moving samples; point 0 is the rest before them
  int64_t gravity[3] = {gravity_[0], gravity_[1], gravity_[2]};
  // Project before re-arming: Arm() starts a new path in the same buffer.
  bool ok = samples >= config_.min_samples;
  StrokeOutcome why = ok ? StrokeOutcome::kClassified : StrokeOutcome::kTooShort;
  if (ok && roll_ * 256 > int64_t{kStrokeMaxRollShare} * turn_) ok = false, why = StrokeOutcome::kTwisted;
  if (ok && !ProjectStroke(path_, n, gravity)) ok = false, why = StrokeOutcome::kDegenerate;
  if (ok && !ExtentReaches(path_, n, config_.min_extent_deg)) ok = false, why = StrokeOutcome::kTooSmall;
  if (ok && !StrokeInput(path_, n, out->features)) ok = false, why = StrokeOutcome::kDegenerate;
  if (ok) {
    out->samples = static_cast<uint16_t>(samples);
    out->end_ms = end_ms_;
    const int32_t strength = peak_ >> kStrengthShift;
    out->strength = static_cast<uint8_t>(strength > 255 ? 255 : strength);
  }
  Abort(why);
  if (still_run_ >= config_.rest_samples) Arm();  // the end's hold arms the next stroke
  return ok;
}

StrokeDecision DecideStroke(const uint8_t* probs, int num_classes, const StrokeConfig& c) {
  StrokeDecision d = {kStrokeUnknown, 0, 0, {kStrokeUnknown, kStrokeUnknown, kStrokeUnknown}, {0, 0, 0}, false};
  const int n = num_classes < 64 ? num_classes : 64;
  int32_t total = 0;  // the active characters' probability: scores are shares of it
  for (int i = 0; i < n; ++i)
    if ((c.active_mask >> i) & 1u) total += probs[i];
  int32_t characters = 0;  // every character's, active or not: the rest is the model's "other"
  uint8_t most = 0;  // the most probable character's probability
  for (int i = 0; i < num_classes && i < kStrokeCharacters; ++i) {
    characters += probs[i];
    if (probs[i] > most) most = probs[i];
  }
  for (int i = 0; i < n; ++i) {  // insertion into the top 3: higher probability, then lower index
    if (!((c.active_mask >> i) & 1u)) continue;
    int at = d.n_ranked;
    while (at > 0 && probs[d.ranked_id[at - 1]] < probs[i]) --at;
    if (at >= 3) continue;
    for (int k = (d.n_ranked < 3 ? d.n_ranked : 2); k > at; --k) d.ranked_id[k] = d.ranked_id[k - 1];
    d.ranked_id[at] = static_cast<uint8_t>(i);
    if (d.n_ranked < 3) ++d.n_ranked;
  }
  for (int k = 0; k < d.n_ranked; ++k)
    d.ranked_score[k] = static_cast<uint8_t>(total ? DivRound(probs[d.ranked_id[k]] * 255, total) : 0);
  if (d.n_ranked == 0) return d;
  d.confidence = d.ranked_score[0];
  if (characters >= c.min_character_mass && total >= kStrokeMinActiveMass && d.ranked_score[0] >= c.threshold) {
    d.char_id = d.ranked_id[0];
    d.model_first = probs[d.char_id] >= most;
  }
  return d;
}

}  // namespace wand
