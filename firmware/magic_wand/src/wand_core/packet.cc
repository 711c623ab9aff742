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

}  // namespace

size_t EncodeGesture(uint16_t seq, const Spot& spot, uint8_t* out) {
  out[0] = kPacketGesture;
  Put16(out + 1, seq);
  out[3] = spot.gesture_id;
  out[4] = spot.confidence;
  out[5] = spot.strength;
  Put32(out + 6, spot.timestamp_ms);
  out[10] = spot.embedding_len;
  for (int i = 0; i < spot.embedding_len; ++i) out[kGestureHeaderSize + i] = static_cast<uint8_t>(spot.embedding[i]);
  return kGestureHeaderSize + spot.embedding_len;
}

size_t EncodeImu(uint16_t first_seq, const ImuSample* samples, int count, uint8_t* out) {
  if (count < 1 || count > kImuMaxSamples) return 0;
  out[0] = kPacketImu;
  Put16(out + 1, first_seq);
  out[3] = static_cast<uint8_t>(count);
  uint8_t* p = out + kImuHeaderSize;
  for (int i = 0; i < count; ++i) {
    for (int a = 0; a < kAxes; ++a, p += 2) Put16(p, static_cast<uint16_t>(samples[i].v[a]));
  }
  return kImuHeaderSize + count * kImuSampleBytes;
}

size_t EncodeStatus(const StatusInfo& s, uint8_t* out) {
  out[0] = kPacketStatus;
  out[1] = kProtocolVersion;
  out[2] = s.board;
  out[3] = s.battery_percent;
  out[4] = s.flags;
  Put16(out + 5, s.imu_rate_hz);
  Put32(out + 7, s.model_crc32);
  out[11] = s.num_classes;
  Put32(out + 12, s.uptime_ms);
  return kStatusPacketSize;
}

DecodeResult DecodeConfig(const uint8_t* data, size_t len, SpotterConfig* out) {
  if (len != kConfigPacketSize) return DecodeResult::kWrongLength;
  if (data[0] != kPacketConfig) return DecodeResult::kWrongType;
  if (data[1] != kProtocolVersion) return DecodeResult::kWrongVersion;
  SpotterConfig c;
  c.threshold = data[2];
  c.agree = data[3];
  c.cooldown_ms = Get16(data + 4);
  c.acc_gate_mg = Get16(data + 6);
  c.gyro_gate_ddps = Get16(data + 8);
  c.gyro_quiet_ddps = Get16(data + 10);
  c.quiet_samples = data[12];
  c.max_inferences = data[13] >> 4;
  c.flags = data[13] & 0x0F;
  const bool ok = InRange(c.threshold, 1, 255) && InRange(c.agree, 1, 8) && InRange(c.cooldown_ms, 0, 60000) &&
                  InRange(c.acc_gate_mg, 1, 16000) && InRange(c.gyro_gate_ddps, 1, 60000) &&
                  InRange(c.gyro_quiet_ddps, 0, 60000) && InRange(c.quiet_samples, 1, 255) &&
                  InRange(c.max_inferences, 1, 15) && c.agree <= c.max_inferences;
  if (!ok) return DecodeResult::kOutOfRange;
  *out = c;
  return DecodeResult::kOk;
}

size_t EncodeConfig(const SpotterConfig& c, uint8_t* out) {
  out[0] = kPacketConfig;
  out[1] = kProtocolVersion;
  out[2] = c.threshold;
  out[3] = c.agree;
  Put16(out + 4, c.cooldown_ms);
  Put16(out + 6, c.acc_gate_mg);
  Put16(out + 8, c.gyro_gate_ddps);
  Put16(out + 10, c.gyro_quiet_ddps);
  out[12] = c.quiet_samples;
  out[13] = static_cast<uint8_t>((c.max_inferences << 4) | (c.flags & 0x0F));
  return kConfigPacketSize;
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
