// HID over GATT: report map and mapping-table layout. Generated from wand/hid.py by
// c_header(): do not edit; regenerate with 'python -m wand.hid'. tests/test_hid.py checks it.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define WAND_HID_TABLE_CHAR_UUID "7a3e0007-5c1f-4b8e-9d2a-6f1e0c3b9a40"

namespace wand {

constexpr uint8_t kHidReportKeyboard = 1;
constexpr uint8_t kHidReportConsumer = 2;
constexpr uint8_t kHidReportMouse = 3;
constexpr size_t kHidKeyboardReportSize = 8;
constexpr size_t kHidConsumerReportSize = 2;
constexpr size_t kHidMouseReportSize = 4;
constexpr uint8_t kHidTableVersion = 1;
constexpr uint8_t kHidTableMagic0 = 87;
constexpr uint8_t kHidTableMagic1 = 72;
constexpr size_t kHidTableHeaderSize = 8;
constexpr size_t kHidTableEntrySize = 9;
constexpr size_t kHidTableCrcSize = 4;
constexpr int kHidTableMaxEntries = 48;
constexpr size_t kHidTableMaxBytes = 444;
constexpr uint8_t kHidSourceGesture = 0;
constexpr uint8_t kHidSourceStroke = 1;
constexpr uint8_t kPacketHidBegin = 8;
constexpr uint8_t kPacketHidChunk = 9;
constexpr uint8_t kPacketHidCommit = 10;
constexpr size_t kHidBeginSize = 3;
constexpr size_t kHidChunkHeaderSize = 3;
constexpr size_t kHidChunkDataMax = 17;
constexpr size_t kHidCommitSize = 5;
constexpr size_t kHidStateSize = 7;
constexpr uint8_t kProtocolModeReport = 1;

// Results of a commit, in HID_RESULTS order.
constexpr uint8_t kHidOk = 0;
constexpr uint8_t kHidNoTable = 1;
constexpr uint8_t kHidBadLength = 2;
constexpr uint8_t kHidBadCrc = 3;
constexpr uint8_t kHidBadVersion = 4;
constexpr uint8_t kHidBadEntry = 5;
constexpr uint8_t kHidMadeForAnotherModel = 6;
constexpr uint8_t kHidIncomplete = 7;

constexpr uint8_t kHidReportMap[126] = {
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x85, 0x01, 0x05, 0x07, 0x19, 0xE0,
    0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00,
    0x25, 0x73, 0x05, 0x07, 0x19, 0x00, 0x29, 0x73, 0x81, 0x00, 0xC0, 0x05,
    0x0C, 0x09, 0x01, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x03,
    0x19, 0x00, 0x2A, 0xFF, 0x03, 0x75, 0x10, 0x95, 0x01, 0x81, 0x00, 0xC0,
    0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x03, 0x09, 0x01, 0xA1, 0x00,
    0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03,
    0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01, 0x05, 0x01,
    0x09, 0x30, 0x09, 0x31, 0x09, 0x38, 0x15, 0x81, 0x25, 0x7F, 0x75, 0x08,
    0x95, 0x03, 0x81, 0x06, 0xC0, 0xC0
};
constexpr uint8_t kHidInformation[4] = {
    0x11, 0x01, 0x00, 0x02
};

}  // namespace wand
