// The hosts this wand has bonded with (LE Secure Connections): their identity address,
// long-term key and identity resolving key. Portable (no flash, no BLE): the sketch loads
// and saves the bytes (one flash page) and answers ArduinoBLE's key callbacks from here.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace wand {

constexpr int kMaxBonds = 4;

struct Bond {
  uint8_t address[6];
  uint8_t ltk[16];
  uint8_t irk[16];
  uint8_t has_ltk;
  uint8_t has_irk;
  uint32_t order;  // larger = newer; the oldest bond makes room for a new host
};

class BondTable {
 public:
  // Store a key for a host; a new host replaces the oldest bond when the table is full.
  void PutLtk(const uint8_t address[6], const uint8_t ltk[16]);
  void PutIrk(const uint8_t address[6], const uint8_t irk[16]);
  const Bond* Find(const uint8_t address[6]) const;
  int size() const { return count_; }
  const Bond& at(int i) const { return bonds_[i]; }
  void Clear() { count_ = 0; }

  // Serialized form: magic, count, bonds, CRC-32. Load rejects anything else (erased flash).
  static constexpr size_t kBytes = 8 + kMaxBonds * sizeof(Bond) + 4;
  size_t Save(uint8_t* out) const;
  bool Load(const uint8_t* data, size_t len);

 private:
  Bond* Slot(const uint8_t address[6]);
  Bond bonds_[kMaxBonds];
  int count_ = 0;
  uint32_t next_order_ = 1;
};

uint32_t Crc32(const uint8_t* data, size_t len);

}  // namespace wand
