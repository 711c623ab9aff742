// Stand-alone mode: HID over GATT, so a TV, phone or PC takes the wand as a Bluetooth LE
// keyboard, remote and mouse with no software (issue 23). ArduinoBLE has no HID support, so
// the sketch defines the services itself: HID (0x1812: information, report map, control
// point, protocol mode, one input report per report id with its report reference), battery
// (0x180F) and device information (0x180A, PnP ID), as HOGP hosts expect. What a gesture
// sends comes from the mapping table 'wand config push' writes (the portable HidCore in
// src/wand_core/hid.h, host-tested and bit-exact with wand/wand_core/hid.py); the table is
// kept in flash, in the page below the bonds' page (bond_store.h), so it survives power-off.
#pragma once
#include <ArduinoBLE.h>
#include <FlashIAP.h>
#include <string.h>

#include "src/wand_core/hid.h"

namespace wand_hid {

// PnP ID: vendor id source 2 (USB-IF), Arduino's vendor id 0x2341, the Nano 33 BLE's 0x805A, v1.0
constexpr uint8_t kPnpId[7] = {0x02, 0x41, 0x23, 0x5A, 0x80, 0x00, 0x01};
constexpr uint16_t kAppearanceKeyboard = 0x03C1;
constexpr uint8_t kReportTypeInput = 0x01;

class TableFlash {
 public:
  size_t Load(uint8_t* out, size_t cap) {
    if (flash_.init() != 0) return 0;
    uint8_t head[2 + 4] = {};  // length (u16), then the table
    size_t len = 0;
    if (flash_.read(head, PageAddress(), 2) == 0) {
      len = static_cast<size_t>(head[0] | (head[1] << 8));
      if (len > cap || flash_.read(out, PageAddress() + 4, len) != 0) len = 0;  // erased flash: 0xFFFF
    }
    flash_.deinit();
    return len;
  }

  // From loop(), not a BLE callback: an erase stalls the CPU for ~90 ms.
  bool Save(const uint8_t* table, size_t len) {
    if (flash_.init() != 0) return false;
    alignas(4) static uint8_t buf[(4 + wand::kHidTableMaxBytes + 255) / 256 * 256];
    memset(buf, 0xFF, sizeof buf);
    buf[0] = static_cast<uint8_t>(len);
    buf[1] = static_cast<uint8_t>(len >> 8);
    memcpy(buf + 4, table, len);
    const uint32_t addr = PageAddress();
    const uint32_t page = flash_.get_page_size();
    const uint32_t n = (4 + len + page - 1) / page * page;
    const bool ok = n <= sizeof buf && flash_.erase(addr, flash_.get_sector_size(addr)) == 0 &&
                    flash_.program(buf, addr, n) == 0;
    flash_.deinit();
    return ok;
  }

 private:
  uint32_t PageAddress() {  // the sector below the last one (the last holds the bonds)
    const uint32_t end = flash_.get_flash_start() + flash_.get_flash_size();
    const uint32_t last = end - flash_.get_sector_size(end - 1);
    return last - flash_.get_sector_size(last - 1);
  }
  mbed::FlashIAP flash_;
};

class HidService : public wand::HidSink {
 public:
  explicit HidService(uint32_t model_crc32) : core_(model_crc32) {}

  // Before BLE.advertise(): loads the table from flash and adds the services.
  void Begin(BLEService& wand_service) {
    static uint8_t stored[wand::kHidTableMaxBytes];
    core_.Load(stored, flash_.Load(stored, sizeof stored));
    report_map_.writeValue(wand::kHidReportMap, sizeof wand::kHidReportMap);
    info_.writeValue(wand::kHidInformation, sizeof wand::kHidInformation);
    protocol_mode_.writeValue(wand::kProtocolModeReport);
    for (int i = 0; i < 3; ++i) {
      reports_[i].addDescriptor(references_[i]);
      hid_.addCharacteristic(reports_[i]);
    }
    hid_.addCharacteristic(info_);
    hid_.addCharacteristic(report_map_);
    hid_.addCharacteristic(control_point_);
    hid_.addCharacteristic(protocol_mode_);
    BLE.addService(hid_);
    battery_.addCharacteristic(battery_level_);
    BLE.addService(battery_);
    pnp_.writeValue(kPnpId, sizeof kPnpId);
    manufacturer_.writeValue("magic wand");
    device_info_.addCharacteristic(manufacturer_);
    device_info_.addCharacteristic(pnp_);
    BLE.addService(device_info_);
    wand_service.addCharacteristic(table_);
    PublishState();
    BLE.setAppearance(kAppearanceKeyboard);
    scan_data_.setAdvertisedServiceUuid("1812");  // HID hosts look for it; the wand service stays in the advert
    BLE.setScanResponseData(scan_data_);
  }

  // A table write (BLE callback): applied at once; the flash write waits for loop().
  void OnTableWritten(const uint8_t* data, size_t len) {
    if (core_.Write(data, len)) save_pending_ = true;
    PublishState();
  }

  // From loop().
  void Poll(uint8_t battery_percent) {
    if (save_pending_) {
      save_pending_ = false;
      flash_.Save(core_.table(), core_.table_len());
    }
    const uint8_t level = battery_percent > 100 ? 100 : battery_percent;  // no fuel gauge: report full
    if (level != battery_level_.value()) battery_level_.writeValue(level);
  }

  // Every event packet the core sends: the reports the table maps it to (trusted link only).
  void OnEvent(const uint8_t* packet, size_t len, bool trusted) {
    if (trusted) core_.OnEvent(packet, len, this);
  }

  void OnReport(const uint8_t* data, size_t len) override {
    if (data[0] >= 1 && data[0] <= 3) reports_[data[0] - 1].writeValue(data + 1, static_cast<int>(len - 1));
  }

  BLECharacteristic& table_characteristic() { return table_; }

 private:
  void PublishState() {
    uint8_t st[wand::kHidStateSize];
    table_.writeValue(st, static_cast<int>(core_.State(st)));
  }

  wand::HidCore core_;
  TableFlash flash_;
  bool save_pending_ = false;
  BLEService hid_{"1812"};
  BLECharacteristic info_{"2A4A", BLERead, sizeof wand::kHidInformation, true};
  BLECharacteristic report_map_{"2A4B", BLERead | BLEEncryption, sizeof wand::kHidReportMap, true};
  BLEByteCharacteristic control_point_{"2A4C", BLEWriteWithoutResponse};
  BLEByteCharacteristic protocol_mode_{"2A4E", BLERead | BLEWriteWithoutResponse};
  const uint8_t ref_keyboard_[2] = {wand::kHidReportKeyboard, kReportTypeInput};
  const uint8_t ref_consumer_[2] = {wand::kHidReportConsumer, kReportTypeInput};
  const uint8_t ref_mouse_[2] = {wand::kHidReportMouse, kReportTypeInput};
  BLEDescriptor references_[3] = {{"2908", ref_keyboard_, 2}, {"2908", ref_consumer_, 2}, {"2908", ref_mouse_, 2}};
  BLECharacteristic reports_[3] = {
      {"2A4D", BLERead | BLENotify | BLEEncryption, static_cast<int>(wand::kHidKeyboardReportSize), true},
      {"2A4D", BLERead | BLENotify | BLEEncryption, static_cast<int>(wand::kHidConsumerReportSize), true},
      {"2A4D", BLERead | BLENotify | BLEEncryption, static_cast<int>(wand::kHidMouseReportSize), true}};
  BLEService battery_{"180F"};
  BLEByteCharacteristic battery_level_{"2A19", BLERead | BLENotify};
  BLEService device_info_{"180A"};
  BLEStringCharacteristic manufacturer_{"2A29", BLERead, 16};
  BLECharacteristic pnp_{"2A50", BLERead, sizeof kPnpId, true};
  // The table arrives in chunks of at most 20 bytes; reads give the state (kHidStateSize).
  BLECharacteristic table_{WAND_HID_TABLE_CHAR_UUID, BLERead | BLEWrite | BLEEncryption,
                           static_cast<int>(wand::kHidChunkHeaderSize + wand::kHidChunkDataMax), false};
  BLEAdvertisingData scan_data_;
};

}  // namespace wand_hid
