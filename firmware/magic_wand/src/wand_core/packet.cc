#include "packet.h"

namespace wand {
namespace {

void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

bool InRange(int32_t v, int32_t lo, int32_t hi) { return v >= lo && v <= hi; }

uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

size_t EncodeGesture(uint16_t seq, const Spot& spot, uint8_t* out) {
  out[kGestureTypeOffset] = kPacketGesture;
  Put16(out + kGestureSeqOffset, seq);
  out[kGestureGestureIdOffset] = spot.gesture_id;
  out[kGestureConfidenceOffset] = spot.confidence;
  out[kGestureStrengthOffset] = spot.strength;
  Put32(out + kGestureTimestampMsOffset, spot.timestamp_ms);
  out[kGestureEmbeddingLenOffset] = spot.embedding_len;
  for (int i = 0; i < spot.embedding_len; ++i) out[kGestureHeaderSize + i] = static_cast<uint8_t>(spot.embedding[i]);
  return kGestureHeaderSize + spot.embedding_len;
}

size_t EncodeStroke(uint16_t seq, const StrokeDecision& d, const StrokeResult& r, uint8_t* out) {
  const int first = d.char_id == kStrokeUnknown ? 0 : 1;
  uint8_t ids[2] = {kStrokeUnknown, kStrokeUnknown}, scores[2] = {0, 0};
  for (int k = 0; k < 2 && first + k < d.n_ranked; ++k) {
    ids[k] = d.ranked_id[first + k];
    scores[k] = d.ranked_score[first + k];
  }
  out[kStrokeTypeOffset] = kPacketStroke;
  Put16(out + kStrokeSeqOffset, seq);
  out[kStrokeCharIdOffset] = d.char_id;
  out[kStrokeConfidenceOffset] = d.confidence;
  out[kStrokeSecondIdOffset] = ids[0];
  out[kStrokeSecondScoreOffset] = scores[0];
  out[kStrokeThirdIdOffset] = ids[1];
  out[kStrokeThirdScoreOffset] = scores[1];
  Put32(out + kStrokeTimestampMsOffset, r.end_ms);
  Put16(out + kStrokeSamplesOffset, r.samples);
  out[kStrokeStrengthOffset] = r.strength;
  return kStrokePacketSize;
}

size_t EncodeImu(uint16_t first_seq, const ImuSample* samples, int count, uint8_t* out) {
  if (count < 1 || count > kImuMaxSamples) return 0;
  out[kImuTypeOffset] = kPacketImu;
  Put16(out + kImuFirstSeqOffset, first_seq);
  out[kImuCountOffset] = static_cast<uint8_t>(count);
  uint8_t* p = out + kImuHeaderSize;
  for (int i = 0; i < count; ++i) {
    for (int a = 0; a < kAxes; ++a, p += 2) Put16(p, static_cast<uint16_t>(samples[i].v[a]));
  }
  return kImuHeaderSize + count * kImuSampleBytes;
}

size_t EncodeStatus(const StatusInfo& s, uint8_t* out) {
  out[kStatusTypeOffset] = kPacketStatus;
  out[kStatusVersionOffset] = kProtocolVersion;
  out[kStatusBoardOffset] = s.board;
  out[kStatusBatteryPercentOffset] = s.battery_percent;
  out[kStatusFlagsOffset] = s.flags;
  Put16(out + kStatusImuRateHzOffset, s.imu_rate_hz);
  Put32(out + kStatusModelCrc32Offset, s.model_crc32);
  out[kStatusNumClassesOffset] = s.num_classes;
  Put32(out + kStatusUptimeMsOffset, s.uptime_ms);
  Put32(out + kStatusImuDroppedOffset, s.imu_dropped);
  return kStatusPacketSize;
}

DecodeResult DecodeConfig(const uint8_t* data, size_t len, SpotterConfig* out) {
  if (len != kConfigPacketSize) return DecodeResult::kWrongLength;
  if (data[kConfigTypeOffset] != kPacketConfig) return DecodeResult::kWrongType;
  if (data[kConfigVersionOffset] != kProtocolVersion) return DecodeResult::kWrongVersion;
  SpotterConfig c;
  c.threshold = data[kConfigThresholdOffset];
  c.agree = data[kConfigAgreeOffset];
  c.cooldown_ms = Get16(data + kConfigCooldownMsOffset);
  c.acc_gate_mg = Get16(data + kConfigAccGateMgOffset);
  c.gyro_gate_ddps = Get16(data + kConfigGyroGateDdpsOffset);
  c.gyro_quiet_ddps = Get16(data + kConfigGyroQuietDdpsOffset);
  c.quiet_samples = data[kConfigQuietSamplesOffset];
  c.max_inferences = static_cast<uint8_t>(data[kConfigMaxInferencesFlagsOffset] >> kConfigMaxInferencesShift);
  c.flags = data[kConfigMaxInferencesFlagsOffset] & kConfigFlagsMask;
  const bool ok = InRange(c.threshold, kConfigThresholdMin, kConfigThresholdMax) &&
                  InRange(c.agree, kConfigAgreeMin, kConfigAgreeMax) &&
                  InRange(c.cooldown_ms, kConfigCooldownMsMin, kConfigCooldownMsMax) &&
                  InRange(c.acc_gate_mg, kConfigAccGateMgMin, kConfigAccGateMgMax) &&
                  InRange(c.gyro_gate_ddps, kConfigGyroGateDdpsMin, kConfigGyroGateDdpsMax) &&
                  InRange(c.gyro_quiet_ddps, kConfigGyroQuietDdpsMin, kConfigGyroQuietDdpsMax) &&
                  InRange(c.quiet_samples, kConfigQuietSamplesMin, kConfigQuietSamplesMax) &&
                  InRange(c.max_inferences, kConfigMaxInferencesMin, kConfigMaxInferencesMax) &&
                  InRange(c.flags, kConfigFlagsMin, kConfigFlagsMax) && c.agree <= c.max_inferences;
  if (!ok) return DecodeResult::kOutOfRange;
  *out = c;
  return DecodeResult::kOk;
}

size_t EncodeConfig(const SpotterConfig& c, uint8_t* out) {
  out[kConfigTypeOffset] = kPacketConfig;
  out[kConfigVersionOffset] = kProtocolVersion;
  out[kConfigThresholdOffset] = c.threshold;
  out[kConfigAgreeOffset] = c.agree;
  Put16(out + kConfigCooldownMsOffset, c.cooldown_ms);
  Put16(out + kConfigAccGateMgOffset, c.acc_gate_mg);
  Put16(out + kConfigGyroGateDdpsOffset, c.gyro_gate_ddps);
  Put16(out + kConfigGyroQuietDdpsOffset, c.gyro_quiet_ddps);
  out[kConfigQuietSamplesOffset] = c.quiet_samples;
  out[kConfigMaxInferencesFlagsOffset] =
      static_cast<uint8_t>((c.max_inferences << kConfigMaxInferencesShift) | (c.flags & kConfigFlagsMask));
  return kConfigPacketSize;
}

DecodeResult DecodeStrokeConfig(const uint8_t* data, size_t len, StrokeConfig* out) {
  if (len != kStrokeConfigPacketSize) return DecodeResult::kWrongLength;
  if (data[kStrokeConfigTypeOffset] != kPacketStrokeConfig) return DecodeResult::kWrongType;
  if (data[kStrokeConfigVersionOffset] != kProtocolVersion) return DecodeResult::kWrongVersion;
  StrokeConfig c;
  c.flags = data[kStrokeConfigFlagsOverGestureOffset] & kStrokeFlagsMask;
  c.over_gesture = data[kStrokeConfigFlagsOverGestureOffset] & kStrokeOverGestureMask;  // a score in steps of 4
  c.threshold = data[kStrokeConfigThresholdOffset];
  c.active_mask = Get64(data + kStrokeConfigActiveMaskOffset);
  c.rest_dps = data[kStrokeConfigRestDpsOffset];
  c.start_dps = data[kStrokeConfigStartDpsOffset];
  c.rest_samples = data[kStrokeConfigRestSamplesOffset];
  c.end_samples = data[kStrokeConfigEndSamplesOffset];
  c.min_samples = data[kStrokeConfigMinSamplesOffset];
  c.max_samples = data[kStrokeConfigMaxSamplesOffset];
  c.min_extent_deg = data[kStrokeConfigMinExtentDegOffset];
  c.min_character_mass = data[kStrokeConfigMinCharacterMassOffset];
  const bool ok = InRange(c.flags, kStrokeConfigFlagsMin, kStrokeConfigFlagsMax) &&
                  InRange(c.threshold, kStrokeConfigThresholdMin, kStrokeConfigThresholdMax) &&
                  InRange(c.rest_dps, kStrokeConfigRestDpsMin, kStrokeConfigRestDpsMax) &&
                  InRange(c.start_dps, kStrokeConfigStartDpsMin, kStrokeConfigStartDpsMax) &&
                  InRange(c.rest_samples, kStrokeConfigRestSamplesMin, kStrokeConfigRestSamplesMax) &&
                  InRange(c.end_samples, kStrokeConfigEndSamplesMin, kStrokeConfigEndSamplesMax) &&
                  InRange(c.min_samples, kStrokeConfigMinSamplesMin, kStrokeConfigMinSamplesMax) &&
                  InRange(c.max_samples, kStrokeConfigMaxSamplesMin, kStrokeConfigMaxSamplesMax) &&
                  InRange(c.min_extent_deg, kStrokeConfigMinExtentDegMin, kStrokeConfigMinExtentDegMax) &&
                  InRange(c.min_character_mass, kStrokeConfigMinCharacterMassMin, kStrokeConfigMinCharacterMassMax) &&
                  c.start_dps > c.rest_dps && c.max_samples >= c.min_samples;
  if (!ok) return DecodeResult::kOutOfRange;
  *out = c;
  return DecodeResult::kOk;
}

void EventQueue::Push(const uint8_t* data, size_t len) {
  if (len > sizeof data_[0]) return;
  for (size_t i = 0; i < len; ++i) data_[head_][i] = data[i];
  len_[head_] = static_cast<uint8_t>(len);
  head_ = (head_ + 1) % kEventQueueLen;
  if (count_ < kEventQueueLen) ++count_;
}

const uint8_t* EventQueue::At(int i, size_t* len) const {
  const int slot = (head_ - count_ + i + kEventQueueLen) % kEventQueueLen;
  *len = len_[slot];
  return data_[slot];
}

}  // namespace wand
