// The wand's BLE wire protocol. Twin of wand/protocol.py (the definition);
// tests/test_protocol.py parses this file and fails if the two disagree.
// All multi-byte fields are little-endian.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define WAND_SERVICE_UUID "7a3e0001-5c1f-4b8e-9d2a-6f1e0c3b9a40"
#define WAND_EVENT_CHAR_UUID "7a3e0002-5c1f-4b8e-9d2a-6f1e0c3b9a40"
#define WAND_IMU_CHAR_UUID "7a3e0003-5c1f-4b8e-9d2a-6f1e0c3b9a40"
#define WAND_CONFIG_CHAR_UUID "7a3e0004-5c1f-4b8e-9d2a-6f1e0c3b9a40"
#define WAND_STATUS_CHAR_UUID "7a3e0005-5c1f-4b8e-9d2a-6f1e0c3b9a40"

namespace wand {

constexpr uint8_t kProtocolVersion = 1;

constexpr uint8_t kPacketGesture = 0x01;
constexpr uint8_t kPacketImu = 0x02;
constexpr uint8_t kPacketConfig = 0x03;
constexpr uint8_t kPacketStatus = 0x04;

constexpr uint8_t kGestureUnknown = 0xFF;
constexpr int kEmbeddingMax = 8;
constexpr int kEventQueueLen = 8;  // gesture packets kept and re-sent on (re)connect

// Gesture: type u8, seq u16, id u8, confidence u8, strength u8, t_ms u32, emb_len u8, emb int8[]
constexpr size_t kGestureHeaderSize = 11;
// IMU: type u8, first_sample_seq u16, count u8, then count x (ax ay az gx gy gz) int16
constexpr size_t kImuHeaderSize = 4;
constexpr size_t kImuSampleBytes = 12;
constexpr int kImuMaxSamples = 16;
// Config: type u8, version u8, threshold u8, agree u8, cooldown_ms u16, acc_gate_mg u16,
//         gyro_gate_ddps u16, gyro_quiet_ddps u16, quiet_samples u8, (max_inferences<<4 | flags) u8
constexpr size_t kConfigPacketSize = 14;
// Status: type u8, version u8, board u8, battery u8, flags u8, imu_rate_hz u16, model_crc32 u32,
//         num_classes u8, uptime_ms u32
constexpr size_t kStatusPacketSize = 16;

constexpr uint8_t kBoardUnknown = 0;
constexpr uint8_t kBoardNano33Rev1 = 1;
constexpr uint8_t kBoardNano33Rev2 = 2;
constexpr uint8_t kBatteryUnknown = 0xFF;

constexpr uint8_t kConfigFlagStreamImu = 0x01;
constexpr uint8_t kConfigFlagSendUnknown = 0x02;
constexpr uint8_t kConfigFlagLed = 0x04;
constexpr uint8_t kStatusFlagStreaming = 0x01;
constexpr uint8_t kStatusFlagLowBattery = 0x02;

}  // namespace wand
