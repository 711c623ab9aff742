// The wand's BLE wire protocol. Generated from wand/protocol.py by c_header(): do not edit;
// regenerate with 'python -m wand.protocol'. tests/test_protocol.py checks it is current.
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
constexpr uint8_t kPacketStroke = 0x05;
constexpr uint8_t kPacketStrokeConfig = 0x06;
constexpr size_t kPacketTypeOffset = 0;

constexpr uint8_t kGestureUnknown = 0xFF;  // motion the model did not recognise
constexpr int kEmbeddingMax = 8;
constexpr size_t kAttDefaultPayload = 20;  // 23-byte default MTU minus the ATT header
constexpr int kEventQueueLen = 8;  // gesture packets kept and re-sent on (re)connect
constexpr size_t kImuSampleBytes = 12;  // ax ay az (mg) gx gy gz (0.1 deg/s), int16 each
constexpr int kImuMaxSamples = 16;
constexpr uint8_t kStrokeUnknown = 0xFF;  // no active character passed the threshold
constexpr int kStrokeCharacters = 44;  // stroke model outputs past these are not characters
constexpr int kStrokeMinActiveMass = 8;  // the active characters' summed probability a read needs
constexpr int kGestureMaxRollShare = 90;  // most of a capture's turning (256ths of summed |gyro|) about the long axis for a built-in gesture
constexpr int kStrokeMaxRollShare = 102;  // most of a stroke's turning (256ths of summed |gyro|) about the long axis

// Gesture: type u8, seq u16, gesture_id u8, confidence u8, strength u8, timestamp_ms u32, embedding_len u8, then embedding int8[embedding_len]
constexpr size_t kGestureHeaderSize = 11;
constexpr size_t kGestureTypeOffset = 0;
constexpr size_t kGestureSeqOffset = 1;
constexpr size_t kGestureGestureIdOffset = 3;
constexpr size_t kGestureConfidenceOffset = 4;
constexpr size_t kGestureStrengthOffset = 5;
constexpr size_t kGestureTimestampMsOffset = 6;
constexpr size_t kGestureEmbeddingLenOffset = 10;

// Imu: type u8, first_seq u16, count u8, then count samples
constexpr size_t kImuHeaderSize = 4;
constexpr size_t kImuTypeOffset = 0;
constexpr size_t kImuFirstSeqOffset = 1;
constexpr size_t kImuCountOffset = 3;

// Config: type u8, version u8, threshold u8, agree u8, cooldown_ms u16, acc_gate_mg u16, gyro_gate_ddps u16, gyro_quiet_ddps u16, quiet_samples u8, max_inferences_flags u8
constexpr size_t kConfigPacketSize = 14;
constexpr size_t kConfigTypeOffset = 0;
constexpr size_t kConfigVersionOffset = 1;
constexpr size_t kConfigThresholdOffset = 2;
constexpr size_t kConfigAgreeOffset = 3;
constexpr size_t kConfigCooldownMsOffset = 4;
constexpr size_t kConfigAccGateMgOffset = 6;
constexpr size_t kConfigGyroGateDdpsOffset = 8;
constexpr size_t kConfigGyroQuietDdpsOffset = 10;
constexpr size_t kConfigQuietSamplesOffset = 12;
constexpr size_t kConfigMaxInferencesFlagsOffset = 13;

// Status: type u8, version u8, board u8, battery_percent u8, flags u8, imu_rate_hz u16, model_crc32 u32, num_classes u8, uptime_ms u32, imu_dropped u32
constexpr size_t kStatusPacketSize = 20;
constexpr size_t kStatusTypeOffset = 0;
constexpr size_t kStatusVersionOffset = 1;
constexpr size_t kStatusBoardOffset = 2;
constexpr size_t kStatusBatteryPercentOffset = 3;
constexpr size_t kStatusFlagsOffset = 4;
constexpr size_t kStatusImuRateHzOffset = 5;
constexpr size_t kStatusModelCrc32Offset = 7;
constexpr size_t kStatusNumClassesOffset = 11;
constexpr size_t kStatusUptimeMsOffset = 12;
constexpr size_t kStatusImuDroppedOffset = 16;

// Stroke: type u8, seq u16, char_id u8, confidence u8, second_id u8, second_score u8, third_id u8, third_score u8, timestamp_ms u32, samples u16, strength u8
constexpr size_t kStrokePacketSize = 16;
constexpr size_t kStrokeTypeOffset = 0;
constexpr size_t kStrokeSeqOffset = 1;
constexpr size_t kStrokeCharIdOffset = 3;
constexpr size_t kStrokeConfidenceOffset = 4;
constexpr size_t kStrokeSecondIdOffset = 5;
constexpr size_t kStrokeSecondScoreOffset = 6;
constexpr size_t kStrokeThirdIdOffset = 7;
constexpr size_t kStrokeThirdScoreOffset = 8;
constexpr size_t kStrokeTimestampMsOffset = 9;
constexpr size_t kStrokeSamplesOffset = 13;
constexpr size_t kStrokeStrengthOffset = 15;

// StrokeConfig: type u8, version u8, flags_over_gesture u8, threshold u8, active_mask u64, rest_dps u8, start_dps u8, rest_samples u8, end_samples u8, min_samples u8, max_samples u8, min_extent_deg u8, min_character_mass u8
constexpr size_t kStrokeConfigPacketSize = 20;
constexpr size_t kStrokeConfigTypeOffset = 0;
constexpr size_t kStrokeConfigVersionOffset = 1;
constexpr size_t kStrokeConfigFlagsOverGestureOffset = 2;
constexpr size_t kStrokeConfigThresholdOffset = 3;
constexpr size_t kStrokeConfigActiveMaskOffset = 4;
constexpr size_t kStrokeConfigRestDpsOffset = 12;
constexpr size_t kStrokeConfigStartDpsOffset = 13;
constexpr size_t kStrokeConfigRestSamplesOffset = 14;
constexpr size_t kStrokeConfigEndSamplesOffset = 15;
constexpr size_t kStrokeConfigMinSamplesOffset = 16;
constexpr size_t kStrokeConfigMaxSamplesOffset = 17;
constexpr size_t kStrokeConfigMinExtentDegOffset = 18;
constexpr size_t kStrokeConfigMinCharacterMassOffset = 19;
constexpr size_t kStatusV1Size = 16;  // status from firmware before imu_dropped

constexpr uint8_t kBoardUnknown = 0;
constexpr uint8_t kBoardNano33Rev1 = 1;
constexpr uint8_t kBoardNano33Rev2 = 2;
constexpr uint8_t kBatteryUnknown = 0xFF;

constexpr uint8_t kConfigFlagStreamImu = 0x01;
constexpr uint8_t kConfigFlagSendUnknown = 0x02;
constexpr uint8_t kConfigFlagLed = 0x04;
constexpr uint8_t kConfigFlagImuEachSample = 0x08;
constexpr uint8_t kStrokeFlagEnabled = 0x01;
constexpr uint8_t kStrokeFlagCharactersFirst = 0x02;
constexpr uint8_t kStrokeFlagsMask = 0x03;
constexpr uint8_t kStrokeOverGestureMask = 0xFC;
constexpr uint8_t kStatusFlagStreaming = 0x01;
constexpr uint8_t kStatusFlagLowBattery = 0x02;
constexpr int kConfigMaxInferencesShift = 4;
constexpr uint8_t kConfigFlagsMask = 0x0F;

// Config limits (inclusive) and defaults: ConfigPacket.validate and ConfigPacket().
constexpr int32_t kConfigThresholdMin = 1;
constexpr int32_t kConfigThresholdMax = 255;
constexpr uint8_t kConfigThresholdDefault = 200;
constexpr int32_t kConfigAgreeMin = 1;
constexpr int32_t kConfigAgreeMax = 8;
constexpr uint8_t kConfigAgreeDefault = 2;
constexpr int32_t kConfigCooldownMsMin = 0;
constexpr int32_t kConfigCooldownMsMax = 60000;
constexpr uint16_t kConfigCooldownMsDefault = 300;
constexpr int32_t kConfigAccGateMgMin = 1;
constexpr int32_t kConfigAccGateMgMax = 16000;
constexpr uint16_t kConfigAccGateMgDefault = 2500;
constexpr int32_t kConfigGyroGateDdpsMin = 1;
constexpr int32_t kConfigGyroGateDdpsMax = 60000;
constexpr uint16_t kConfigGyroGateDdpsDefault = 2000;
constexpr int32_t kConfigGyroQuietDdpsMin = 0;
constexpr int32_t kConfigGyroQuietDdpsMax = 60000;
constexpr uint16_t kConfigGyroQuietDdpsDefault = 200;
constexpr int32_t kConfigQuietSamplesMin = 1;
constexpr int32_t kConfigQuietSamplesMax = 255;
constexpr uint8_t kConfigQuietSamplesDefault = 15;
constexpr int32_t kConfigMaxInferencesMin = 1;
constexpr int32_t kConfigMaxInferencesMax = 15;
constexpr uint8_t kConfigMaxInferencesDefault = 4;
constexpr int32_t kConfigFlagsMin = 0;
constexpr int32_t kConfigFlagsMax = 15;
constexpr uint8_t kConfigFlagsDefault = 6;

// Stroke config limits (inclusive) and defaults: StrokeConfigPacket.validate and ().
constexpr int32_t kStrokeConfigFlagsMin = 0;
constexpr int32_t kStrokeConfigFlagsMax = 3;
constexpr uint8_t kStrokeConfigFlagsDefault = 3;
constexpr int32_t kStrokeConfigThresholdMin = 0;
constexpr int32_t kStrokeConfigThresholdMax = 255;
constexpr uint8_t kStrokeConfigThresholdDefault = 128;
constexpr uint64_t kStrokeConfigActiveMaskDefault = 0xFFFFFFFFFFFull;
constexpr int32_t kStrokeConfigRestDpsMin = 1;
constexpr int32_t kStrokeConfigRestDpsMax = 255;
constexpr uint8_t kStrokeConfigRestDpsDefault = 15;
constexpr int32_t kStrokeConfigStartDpsMin = 1;
constexpr int32_t kStrokeConfigStartDpsMax = 255;
constexpr uint8_t kStrokeConfigStartDpsDefault = 40;
constexpr int32_t kStrokeConfigRestSamplesMin = 1;
constexpr int32_t kStrokeConfigRestSamplesMax = 255;
constexpr uint8_t kStrokeConfigRestSamplesDefault = 15;
constexpr int32_t kStrokeConfigEndSamplesMin = 1;
constexpr int32_t kStrokeConfigEndSamplesMax = 255;
constexpr uint8_t kStrokeConfigEndSamplesDefault = 5;
constexpr int32_t kStrokeConfigMinSamplesMin = 2;
constexpr int32_t kStrokeConfigMinSamplesMax = 255;
constexpr uint8_t kStrokeConfigMinSamplesDefault = 10;
constexpr int32_t kStrokeConfigMaxSamplesMin = 2;
constexpr int32_t kStrokeConfigMaxSamplesMax = 255;
constexpr uint8_t kStrokeConfigMaxSamplesDefault = 200;
constexpr int32_t kStrokeConfigMinExtentDegMin = 0;
constexpr int32_t kStrokeConfigMinExtentDegMax = 180;
constexpr uint8_t kStrokeConfigMinExtentDegDefault = 8;
constexpr int32_t kStrokeConfigMinCharacterMassMin = 0;
constexpr int32_t kStrokeConfigMinCharacterMassMax = 255;
constexpr uint8_t kStrokeConfigMinCharacterMassDefault = 224;
constexpr int32_t kStrokeConfigOverGestureMin = 0;
constexpr int32_t kStrokeConfigOverGestureMax = 252;
constexpr uint8_t kStrokeConfigOverGestureDefault = 248;

}  // namespace wand
