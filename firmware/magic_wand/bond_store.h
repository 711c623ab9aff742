// Bonded hosts, kept across power cycles in the last page of the nRF52840's flash (the
// sketch is linked from 0x10000 and is far smaller than the 1 MB, so that page is free;
// Mbed's BLE security database is off in this core: BLE_SECURITY_DATABASE_KVSTORE 0).
// The table logic (src/wand_core/bonds.h) is portable and unit-tested on the host.
#pragma once
#include <FlashIAP.h>
#include <string.h>

#include "src/wand_core/bonds.h"

namespace wand_bonds {

class BondStore {
 public:
  wand::BondTable table;

  void Load() {
    if (flash_.init() != 0) return;
    const uint32_t addr = PageAddress();
    static uint8_t buf[wand::BondTable::kBytes];
    if (flash_.read(buf, addr, sizeof buf) == 0) table.Load(buf, sizeof buf);  // erased: no bonds
    flash_.deinit();
  }

  // Called from loop(), not from a BLE callback: an erase stalls the CPU for ~90 ms.
  bool Save() {
    if (flash_.init() != 0) return false;
    const uint32_t addr = PageAddress();
    const uint32_t page = flash_.get_page_size();
    alignas(4) static uint8_t buf[(wand::BondTable::kBytes + 255) / 256 * 256];
    memset(buf, 0xFF, sizeof buf);
    table.Save(buf);
    const uint32_t len = (wand::BondTable::kBytes + page - 1) / page * page;
    const bool ok = len <= sizeof buf && flash_.erase(addr, flash_.get_sector_size(addr)) == 0 &&
                    flash_.program(buf, addr, len) == 0;
    flash_.deinit();
    return ok;
  }

 private:
  uint32_t PageAddress() {
    const uint32_t end = flash_.get_flash_start() + flash_.get_flash_size();
    return end - flash_.get_sector_size(end - 1);
  }
  mbed::FlashIAP flash_;
};

}  // namespace wand_bonds
