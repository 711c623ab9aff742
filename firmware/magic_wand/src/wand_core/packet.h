// Packet encoding/decoding (little-endian, byte by byte: no struct packing assumptions).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "imu_sample.h"
#include "protocol.h"
#include "spotter.h"
#include "stroke.h"

namespace wand {

constexpr size_t kMaxPacketSize = kImuHeaderSize + kImuMaxSamples * kImuSampleBytes;

size_t EncodeGesture(uint16_t seq, const Spot& spot, uint8_t* out);
// A read character's runner-ups are the next two ranked; an unknown's are the best two.
size_t EncodeStroke(uint16_t seq, const StrokeDecision& d, const StrokeResult& r, uint8_t* out);
size_t EncodeImu(uint16_t first_seq, const ImuSample* samples, int count, uint8_t* out);

struct StatusInfo {
  uint8_t board = kBoardUnknown;
  uint8_t battery_percent = kBatteryUnknown;
  uint8_t flags = 0;
  uint16_t imu_rate_hz = 0;
  uint32_t model_crc32 = 0;
  uint8_t num_classes = 0;
  uint32_t uptime_ms = 0;
  uint32_t imu_dropped = 0;  // samples lost since boot (the IMU's FIFO overflowed)
};
size_t EncodeStatus(const StatusInfo& s, uint8_t* out);

enum class DecodeResult : uint8_t { kOk = 0, kWrongLength, kWrongType, kWrongVersion, kOutOfRange };

// Validates like ConfigPacket.validate on the host; *out is untouched unless kOk.
DecodeResult DecodeConfig(const uint8_t* data, size_t len, SpotterConfig* out);
size_t EncodeConfig(const SpotterConfig& c, uint8_t* out);
// Validates like StrokeConfigPacket.validate; *out is untouched unless kOk.
DecodeResult DecodeStrokeConfig(const uint8_t* data, size_t len, StrokeConfig* out);

// The last kEventQueueLen gesture packets, re-sent when a host (re)subscribes, so an
// event spotted while the link was down still arrives; the host drops repeats by seq.
class EventQueue {
 public:
  void Push(const uint8_t* data, size_t len);
  int size() const { return count_; }
  // i = 0 is the oldest held packet.
  const uint8_t* At(int i, size_t* len) const;
  void Clear() { count_ = 0; }

 private:
  static_assert(kStrokePacketSize <= kGestureHeaderSize + kEmbeddingMax, "a stroke packet fits a held slot");
  uint8_t data_[kEventQueueLen][kGestureHeaderSize + kEmbeddingMax];
  uint8_t len_[kEventQueueLen];
  int head_ = 0;  // next slot to write
  int count_ = 0;
};

}  // namespace wand
