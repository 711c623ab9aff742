// Stand-alone mode: event packets -> HID reports through the mapping table that
// 'wand config push' writes. Twin of wand/wand_core/hid.py (read its docstring for the why);
// the report map and table layout are generated from wand/hid.py into hid_map.h.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "hid_map.h"

namespace wand {

constexpr size_t kHidMaxReport = 1 + kHidKeyboardReportSize;  // report id + the largest payload

class HidSink {
 public:
  virtual ~HidSink() = default;
  // data[0] is the report id; the rest is that report's payload.
  virtual void OnReport(const uint8_t* data, size_t len) = 0;
};

// Why a table is refused (kHidOk when it checks out): length, magic, version, entries, CRC, model.
uint8_t ValidateHidTable(const uint8_t* table, size_t len, uint32_t model_crc32);

class HidCore {
 public:
  explicit HidCore(uint32_t model_crc32) : model_crc32_(model_crc32) {}

  // At boot: the table kept in flash, used only if it still checks out.
  bool Load(const uint8_t* stored, size_t len);
  // A write to the HID-table characteristic. True when a commit succeeded: the caller then
  // keeps table()/table_len() in flash.
  bool Write(const uint8_t* data, size_t len);
  // The characteristic's read value (kHidStateSize bytes): last result, entries, CRC in use.
  size_t State(uint8_t* out) const;
  // An event packet the core sent -> its reports, in order, to the sink. Returns how many.
  int OnEvent(const uint8_t* packet, size_t len, HidSink* sink) const;

  const uint8_t* table() const { return table_; }
  size_t table_len() const { return table_len_; }
  uint8_t result() const { return result_; }

 private:
  uint8_t Commit(uint32_t crc);

  uint32_t model_crc32_;
  uint8_t table_[kHidTableMaxBytes] = {};
  size_t table_len_ = 0;
  uint8_t result_ = kHidNoTable;
  uint8_t incoming_[kHidTableMaxBytes] = {};
  uint8_t received_[kHidTableMaxBytes] = {};  // 1 where a chunk wrote that byte
  int32_t expected_ = -1;                      // length BEGIN announced; -1: no write under way
};

}  // namespace wand
