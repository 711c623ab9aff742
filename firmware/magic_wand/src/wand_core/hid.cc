#include "hid.h"

#include <string.h>

#include "bonds.h"  // Crc32
#include "protocol.h"

namespace wand {
namespace {

constexpr size_t kCountOffset = 3;  // after magic (2) and version
constexpr size_t kCrcInHeaderOffset = 4;
constexpr uint8_t kKeyboardUsageMax = 0x73;  // the report map's logical maximum
constexpr uint16_t kConsumerUsageMax = 0x3FF;

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
void PutLe32(uint32_t v, uint8_t* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// One table entry: source, id, report, modifiers|buttons, usage (u16), dx, dy, wheel (int8).
struct Entry {
  uint8_t source, id, report, mods;
  uint16_t usage;
  int8_t dx, dy, wheel;
};

Entry EntryAt(const uint8_t* table, int i) {
  const uint8_t* p = table + kHidTableHeaderSize + static_cast<size_t>(i) * kHidTableEntrySize;
  return Entry{p[0], p[1], p[2], p[3], Le16(p + 4), static_cast<int8_t>(p[6]), static_cast<int8_t>(p[7]),
               static_cast<int8_t>(p[8])};
}

bool EntryOk(const Entry& e) {
  if ((e.source != kHidSourceGesture && e.source != kHidSourceStroke) || e.dx < -127 || e.dy < -127 ||
      e.wheel < -127)
    return false;
  const bool still = e.dx == 0 && e.dy == 0 && e.wheel == 0;
  if (e.report == kHidReportKeyboard) return e.usage <= kKeyboardUsageMax && still;
  if (e.report == kHidReportConsumer) return e.usage <= kConsumerUsageMax && e.mods == 0 && still;
  if (e.report == kHidReportMouse) return e.usage == 0 && e.mods <= 0x07;
  return false;
}

// Press (and release) reports of one step, to the sink; returns how many.
int Emit(const Entry& e, HidSink* sink) {
  uint8_t r[kHidMaxReport] = {e.report};
  if (e.report == kHidReportKeyboard) {
    r[1] = e.mods;
    r[3] = static_cast<uint8_t>(e.usage);
    sink->OnReport(r, 1 + kHidKeyboardReportSize);
    memset(r + 1, 0, kHidKeyboardReportSize);
    sink->OnReport(r, 1 + kHidKeyboardReportSize);
    return 2;
  }
  if (e.report == kHidReportConsumer) {
    r[1] = static_cast<uint8_t>(e.usage & 0xFF);
    r[2] = static_cast<uint8_t>(e.usage >> 8);
    sink->OnReport(r, 1 + kHidConsumerReportSize);
    r[1] = r[2] = 0;
    sink->OnReport(r, 1 + kHidConsumerReportSize);
    return 2;
  }
  r[1] = e.mods;
  r[2] = static_cast<uint8_t>(e.dx);
  r[3] = static_cast<uint8_t>(e.dy);
  r[4] = static_cast<uint8_t>(e.wheel);
  sink->OnReport(r, 1 + kHidMouseReportSize);
  if (e.mods == 0) return 1;  // a move or a scroll has nothing to release
  memset(r + 1, 0, kHidMouseReportSize);
  sink->OnReport(r, 1 + kHidMouseReportSize);
  return 2;
}

}  // namespace

uint8_t ValidateHidTable(const uint8_t* table, size_t len, uint32_t model_crc32) {
  if (len < kHidTableHeaderSize + kHidTableCrcSize || len > kHidTableMaxBytes) return kHidBadLength;
  if (table[0] != kHidTableMagic0 || table[1] != kHidTableMagic1 || table[2] != kHidTableVersion) return kHidBadVersion;
  const int count = table[kCountOffset];
  const size_t body = kHidTableHeaderSize + static_cast<size_t>(count) * kHidTableEntrySize;
  if (count > kHidTableMaxEntries || len != body + kHidTableCrcSize) return kHidBadLength;
  if (Le32(table + body) != Crc32(table, body)) return kHidBadCrc;
  for (int i = 0; i < count; ++i) {
    if (!EntryOk(EntryAt(table, i))) return kHidBadEntry;
  }
  return Le32(table + kCrcInHeaderOffset) == model_crc32 ? kHidOk : kHidMadeForAnotherModel;
}

bool HidCore::Load(const uint8_t* stored, size_t len) {
  result_ = len ? ValidateHidTable(stored, len, model_crc32_) : kHidNoTable;
  table_len_ = result_ == kHidOk ? len : 0;
  if (table_len_) memcpy(table_, stored, len);
  return result_ == kHidOk;
}

bool HidCore::Write(const uint8_t* data, size_t len) {
  if (len == 0) return false;
  if (data[0] == kPacketHidBegin && len == kHidBeginSize) {
    const uint16_t total = Le16(data + 1);
    const bool ok = total <= kHidTableMaxBytes;
    expected_ = ok ? total : -1;
    memset(incoming_, 0, sizeof(incoming_));
    memset(received_, 0, sizeof(received_));
    if (!ok) result_ = kHidBadLength;
  } else if (data[0] == kPacketHidChunk && len > kHidChunkHeaderSize && expected_ >= 0) {
    const size_t offset = Le16(data + 1), n = len - kHidChunkHeaderSize;
    if (offset + n > static_cast<size_t>(expected_)) {
      expected_ = -1;
      result_ = kHidBadLength;
    } else {
      memcpy(incoming_ + offset, data + kHidChunkHeaderSize, n);
      memset(received_ + offset, 1, n);
    }
  } else if (data[0] == kPacketHidCommit && len == kHidCommitSize) {
    return Commit(Le32(data + 1)) == kHidOk;
  }
  return false;
}

uint8_t HidCore::Commit(uint32_t crc) {
  size_t got = 0;
  for (size_t i = 0; i < kHidTableMaxBytes; ++i) got += received_[i];
  if (expected_ < 0 || got != static_cast<size_t>(expected_)) {
    result_ = kHidIncomplete;
  } else if (Crc32(incoming_, static_cast<size_t>(expected_)) != crc) {
    result_ = kHidBadCrc;
  } else {
    result_ = ValidateHidTable(incoming_, static_cast<size_t>(expected_), model_crc32_);
  }
  if (result_ == kHidOk) {
    table_len_ = static_cast<size_t>(expected_);
    memcpy(table_, incoming_, table_len_);
  }
  expected_ = -1;
  return result_;
}

size_t HidCore::State(uint8_t* out) const {
  out[0] = kPacketHidCommit;
  out[1] = result_;
  out[2] = table_len_ ? table_[kCountOffset] : 0;
  PutLe32(table_len_ ? Le32(table_ + table_len_ - kHidTableCrcSize) : 0, out + 3);
  return kHidStateSize;
}

int HidCore::OnEvent(const uint8_t* packet, size_t len, HidSink* sink) const {
  if (table_len_ == 0 || len == 0) return 0;
  uint8_t source, id;
  if (packet[0] == kPacketGesture && len > kGestureGestureIdOffset && packet[kGestureGestureIdOffset] != kGestureUnknown) {
    source = kHidSourceGesture;
    id = packet[kGestureGestureIdOffset];
  } else if (packet[0] == kPacketStroke && len > kStrokeCharIdOffset && packet[kStrokeCharIdOffset] != kStrokeUnknown) {
    source = kHidSourceStroke;
    id = packet[kStrokeCharIdOffset];
  } else {
    return 0;
  }
  int sent = 0;
  for (int i = 0; i < table_[kCountOffset]; ++i) {
    const Entry e = EntryAt(table_, i);
    if (e.source == source && e.id == id) sent += Emit(e, sink);
  }
  return sent;
}

}  // namespace wand
