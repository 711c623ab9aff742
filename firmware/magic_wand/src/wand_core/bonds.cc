#include "bonds.h"

#include <string.h>

namespace wand {
namespace {
constexpr uint32_t kMagic = 0x57424E44u;  // "WBND"
}

uint32_t Crc32(const uint8_t* data, size_t len) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

Bond* BondTable::Slot(const uint8_t address[6]) {
  for (int i = 0; i < count_; ++i) {
    if (memcmp(bonds_[i].address, address, 6) == 0) return &bonds_[i];
  }
  int slot = count_;
  if (count_ == kMaxBonds) {  // full: the oldest host makes room
    slot = 0;
    for (int i = 1; i < count_; ++i) {
      if (bonds_[i].order < bonds_[slot].order) slot = i;
    }
  } else {
    ++count_;
  }
  Bond& b = bonds_[slot];
  memset(&b, 0, sizeof b);
  memcpy(b.address, address, 6);
  return &b;
}

void BondTable::PutLtk(const uint8_t address[6], const uint8_t ltk[16]) {
  Bond* b = Slot(address);
  memcpy(b->ltk, ltk, 16);
  b->has_ltk = 1;
  b->order = next_order_++;
}

void BondTable::PutIrk(const uint8_t address[6], const uint8_t irk[16]) {
  Bond* b = Slot(address);
  memcpy(b->irk, irk, 16);
  b->has_irk = 1;
  b->order = next_order_++;
}

const Bond* BondTable::Find(const uint8_t address[6]) const {
  for (int i = 0; i < count_; ++i) {
    if (memcmp(bonds_[i].address, address, 6) == 0) return &bonds_[i];
  }
  return nullptr;
}

size_t BondTable::Save(uint8_t* out) const {
  memset(out, 0, kBytes);
  memcpy(out, &kMagic, 4);
  out[4] = static_cast<uint8_t>(count_);
  memcpy(out + 8, bonds_, sizeof bonds_);
  const uint32_t crc = Crc32(out, kBytes - 4);
  memcpy(out + kBytes - 4, &crc, 4);
  return kBytes;
}

bool BondTable::Load(const uint8_t* data, size_t len) {
  uint32_t magic, crc;
  if (len < kBytes) return false;
  memcpy(&magic, data, 4);
  memcpy(&crc, data + kBytes - 4, 4);
  if (magic != kMagic || crc != Crc32(data, kBytes - 4) || data[4] > kMaxBonds) return false;
  count_ = data[4];
  memcpy(bonds_, data + 8, sizeof bonds_);
  next_order_ = 1;
  for (int i = 0; i < count_; ++i) {
    if (bonds_[i].order >= next_order_) next_order_ = bonds_[i].order + 1;
  }
  return true;
}

}  // namespace wand
