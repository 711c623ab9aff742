// Random-input harness for the portable core, run under ASan/UBSan by `make test`.
// A fixed number of cases (not a time budget), from a fixed seed unless FUZZ_SEED is set,
// so a failure reproduces. Each case: a random (often invalid) CoreSpec, then random
// operations: raw samples (extremes included), config packets (random and mutated valid
// ones, random lengths), IMU batch sizes, resets, idles, re-sends, and a classifier that
// answers random probabilities and embeddings. Every packet the core emits must be well
// formed. Also fed: the bond table's loader and the drop counter.
//   usage: fuzz_core [cases]      prints "fuzz: <tried> cases tried, <survived> survived, ..."
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../magic_wand/src/wand_core/bonds.h"
#include "../magic_wand/src/wand_core/core.h"
#include "../magic_wand/src/wand_core/drops.h"

using namespace wand;

namespace {

uint64_t rng_state = 0x9E3779B97F4A7C15ull;

uint32_t Next() {  // xorshift64*
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return static_cast<uint32_t>((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

int Range(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<uint32_t>(hi - lo + 1)); }

int16_t AnyInt16() {
  switch (Next() % 4) {
    case 0: return -32768;
    case 1: return 32767;
    case 2: return static_cast<int16_t>(Range(-3000, 3000));
    default: return static_cast<int16_t>(Next());
  }
}

int bad_packets = 0;
int stroke_packets = 0;  // the stroke path was reached (a fuzz that never gets there proves nothing)
uint32_t dropped_gestures = 0;  // ... and the arbitration dropped gestures for a drawn character
uint32_t yielded_characters = 0;  // ... and characters to a held gesture
int max_held = 0;

class RandomClassifier : public Classifier {
 public:
  int classes = 4;
  int calls = 0;
  bool Classify(const int8_t* window, uint8_t* probs, int8_t* embedding) override {
    ++calls;
    volatile int8_t touch = window[0];  // ASan: the window the core hands over is readable
    (void)touch;
    for (int i = 0; i < classes; ++i) probs[i] = static_cast<uint8_t>(Next() % 3 ? Next() : 255);
    for (int i = 0; i < kEmbeddingMax; ++i) embedding[i] = static_cast<int8_t>(Next());
    return Next() % 16 != 0;  // now and then an inference error
  }
};

class RandomStrokeClassifier : public StrokeClassifier {
 public:
  int classes = 44;
  bool Classify(const int8_t* input, uint8_t* probs) override {
    for (int i = 0; i < kStrokeInputSize; ++i) touch += input[i];  // ASan: all of the input is readable
    for (int i = 0; i < classes; ++i) probs[i] = static_cast<uint8_t>(Next() % 4 ? Next() % 40 : Next());
    return Next() % 16 != 0;
  }
  volatile int touch = 0;
};

class CheckingSink : public PacketSink {
 public:
  int packets = 0;
  int strokes = 0;
  bool resending = false;
  uint16_t next_seq = 0;
  void OnGesture(const uint8_t* d, size_t n) override {
    ++packets;
    // Events (not re-sends) number 0, 1, 2, ...: a held gesture the core dropped left no gap.
    if (!resending && n > kGestureSeqOffset + 1) {
      const uint16_t seq = static_cast<uint16_t>(d[kGestureSeqOffset] | (d[kGestureSeqOffset + 1] << 8));
      if (seq != next_seq) ++bad_packets;
      next_seq = static_cast<uint16_t>(seq + 1);
    }
    if (n >= 1 && d[kPacketTypeOffset] == kPacketStroke) {
      ++strokes;
      const bool known = d[kStrokeCharIdOffset] != kStrokeUnknown;
      if (n != kStrokePacketSize || (known && d[kStrokeCharIdOffset] >= 64)) ++bad_packets;
      return;
    }
    if (n < kGestureHeaderSize || d[kPacketTypeOffset] != kPacketGesture ||
        d[kGestureEmbeddingLenOffset] > kEmbeddingMax || n != kGestureHeaderSize + d[kGestureEmbeddingLenOffset])
      ++bad_packets;
  }
  void OnImu(const uint8_t* d, size_t n) override {
    ++packets;
    const int count = n >= kImuHeaderSize ? d[kImuCountOffset] : 0;
    if (d[kPacketTypeOffset] != kPacketImu || count < 1 || count > kImuMaxSamples ||
        n != kImuHeaderSize + count * kImuSampleBytes)
      ++bad_packets;
  }
};

void RandomConfig(uint8_t* buf, size_t* len) {
  SpotterConfig c;
  c.threshold = static_cast<uint8_t>(Next());
  c.agree = static_cast<uint8_t>(Range(0, 10));
  c.cooldown_ms = static_cast<uint16_t>(Next());
  c.acc_gate_mg = static_cast<uint16_t>(Next() % 2 ? Next() : Range(0, 4000));
  c.gyro_gate_ddps = static_cast<uint16_t>(Next() % 2 ? Next() : Range(0, 4000));
  c.gyro_quiet_ddps = static_cast<uint16_t>(Next());
  c.quiet_samples = static_cast<uint8_t>(Next());
  c.max_inferences = static_cast<uint8_t>(Range(0, 15));
  c.flags = static_cast<uint8_t>(Next() & 0x0F);
  *len = EncodeConfig(c, buf);
  if (Next() % 4 == 0) buf[Next() % *len] = static_cast<uint8_t>(Next());  // mutate a byte
  if (Next() % 6 == 0) *len = Next() % 20;                                 // wrong length
}

void RandomStrokeConfig(uint8_t* buf, size_t* len) {
  StrokeConfig c;
  // Mostly on, with or without characters first; now and then anything up to an unknown bit.
  c.flags = static_cast<uint8_t>(Next() % 5 ? 1 | (Next() % 2 ? kStrokeFlagCharactersFirst : 0) : Next() % 5);
  c.threshold = static_cast<uint8_t>(Next());
  c.active_mask = (static_cast<uint64_t>(Next()) << 32) | Next();
  c.rest_dps = static_cast<uint8_t>(Range(0, 60));
  c.start_dps = static_cast<uint8_t>(Range(0, 120));
  c.rest_samples = static_cast<uint8_t>(Range(0, 30));
  c.end_samples = static_cast<uint8_t>(Next() % 4 ? Range(0, 30) : Next());
  c.min_samples = static_cast<uint8_t>(Range(0, 20));
  c.max_samples = static_cast<uint8_t>(Next() % 2 ? 255 : Next());
  c.min_extent_deg = static_cast<uint8_t>(Range(0, 200));
  c.min_character_mass = static_cast<uint8_t>(Next());
  c.over_gesture = static_cast<uint8_t>(Next() % 2 ? Next() & kStrokeOverGestureMask : 0);
  // No stroke config encoder on the chip: write the fields at their generated offsets.
  buf[kStrokeConfigTypeOffset] = kPacketStrokeConfig;
  buf[kStrokeConfigVersionOffset] = kProtocolVersion;
  buf[kStrokeConfigFlagsOverGestureOffset] = static_cast<uint8_t>(c.flags | c.over_gesture);
  buf[kStrokeConfigThresholdOffset] = c.threshold;
  for (int i = 0; i < 8; ++i) buf[kStrokeConfigActiveMaskOffset + i] = static_cast<uint8_t>(c.active_mask >> (8 * i));
  buf[kStrokeConfigRestDpsOffset] = c.rest_dps;
  buf[kStrokeConfigStartDpsOffset] = c.start_dps;
  buf[kStrokeConfigRestSamplesOffset] = c.rest_samples;
  buf[kStrokeConfigEndSamplesOffset] = c.end_samples;
  buf[kStrokeConfigMinSamplesOffset] = c.min_samples;
  buf[kStrokeConfigMaxSamplesOffset] = c.max_samples;
  buf[kStrokeConfigMinExtentDegOffset] = c.min_extent_deg;
  buf[kStrokeConfigMinCharacterMassOffset] = c.min_character_mass;
  *len = kStrokeConfigPacketSize;
  if (Next() % 4 == 0) buf[Next() % *len] = static_cast<uint8_t>(Next());
  if (Next() % 6 == 0) *len = Next() % 24;
}

uint64_t RunCase() {
  CoreSpec spec = {Range(0, 1200), Range(0, 400), Range(-2, kMaxWindow + 8), Range(-1, 12), Range(-1, 5),
                   Range(0, kMaxClasses + 3), Range(-1, kEmbeddingMax + 2), kIdentityAxes};
  if (Next() % 2) {  // half the cases near the real settings, so the spotter really runs
    spec = {Range(10, 400), 50, Range(8, 40), Range(1, 6), 0, 4, 8, kIdentityAxes};
  }
  spec.axes = {{static_cast<uint8_t>(Next() % 3), static_cast<uint8_t>(Next() % 3), static_cast<uint8_t>(Next() % 3)},
               {static_cast<int8_t>(Next() % 2 ? 1 : -1), 1, static_cast<int8_t>(Next() % 2 ? 1 : -1)}};
  RandomClassifier clf;
  clf.classes = spec.num_classes > 0 && spec.num_classes <= kMaxClasses ? spec.num_classes : 1;
  CheckingSink sink;
  WandCore core(spec, &clf, &sink);
  RandomStrokeClassifier stroke_clf;
  stroke_clf.classes = Range(1, kMaxStrokeClasses);
  if (Next() % 4) core.SetStrokeClassifier(&stroke_clf, Next() % 8 ? stroke_clf.classes : Range(-2, 70));
  uint64_t ops = 0;
  const int n_ops = Range(50, 600);
  for (int i = 0; i < n_ops; ++i, ++ops) {
    const uint32_t op = Next() % 100;
    if (op < 80) {
      // runs of rest, gentle turns (strokes) and anything at all
      const uint32_t kind = Next() % 6;
      const int run = Range(1, 40);
      const ImuSample turn = {{static_cast<int16_t>(Range(-1500, 1500)), static_cast<int16_t>(Range(-1500, 1500)),
                               static_cast<int16_t>(Range(-1500, 1500)), static_cast<int16_t>(Range(-900, 900)),
                               static_cast<int16_t>(Range(-900, 900)), static_cast<int16_t>(Range(-900, 900))}};
      for (int k = 0; k < run; ++k) {
        ImuSample s = turn;
        if (kind < 2) {
          for (int a = 0; a < kAxes; ++a) s.v[a] = static_cast<int16_t>(Range(-50, 50));
        } else if (kind == 5) {
          for (int a = 0; a < kAxes; ++a) s.v[a] = AnyInt16();
        }
        core.Push(s);
        if (core.held_gestures() < 0 || core.held_gestures() > kMaxHeldGestures) ++bad_packets;
        if (core.held_gestures() > max_held) max_held = core.held_gestures();
      }
    } else if (op < 88) {
      uint8_t buf[32];
      size_t len;
      RandomConfig(buf, &len);
      SpotterConfig c;
      if (DecodeConfig(buf, len, &c) == DecodeResult::kOk) core.Configure(c);
    } else if (op < 91) {
      uint8_t buf[32];
      size_t len;
      RandomStrokeConfig(buf, &len);
      StrokeConfig c;
      if (DecodeStrokeConfig(buf, len, &c) == DecodeResult::kOk) core.ConfigureStrokes(c);
    } else if (op < 92) {
      core.SetImuBatch(Range(-5, 40));
    } else if (op < 95) {
      core.Reset();
    } else if (op < 97) {
      core.Idle(Next());
    } else {
      sink.resending = true;
      core.ResendQueued();
      sink.resending = false;
    }
  }
  (void)core.TimeMs();
  stroke_packets += sink.strokes;
  dropped_gestures += core.dropped_gestures();
  yielded_characters += core.yielded_characters();
  return ops;
}

void FuzzBondsAndDrops() {
  uint8_t buf[BondTable::kBytes];
  BondTable t;
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = static_cast<uint8_t>(Next());
  if (Next() % 2) {  // a valid table with random content, then maybe one corrupted byte
    uint8_t addr[6], key[16];
    for (int k = Range(0, 2 * kMaxBonds); k > 0; --k) {
      for (auto& b : addr) b = static_cast<uint8_t>(Next() % 4);
      for (auto& b : key) b = static_cast<uint8_t>(Next());
      if (Next() % 2) t.PutLtk(addr, key); else t.PutIrk(addr, key);
    }
    t.Save(buf);
    if (Next() % 2) buf[Next() % sizeof buf] ^= static_cast<uint8_t>(1 + Next() % 255);
  }
  BondTable u;
  if (u.Load(buf, Range(0, sizeof buf)) && (u.size() < 0 || u.size() > kMaxBonds)) ++bad_packets;
  DropCounter d(Range(1, 1000));
  for (int k = 0; k < 20; ++k) d.OnPoll(Next(), Next() % 100, Next() % 64, Next() % 2);
  (void)d.dropped();
}

}  // namespace

int main(int argc, char** argv) {
  const int cases = argc > 1 ? atoi(argv[1]) : 3000;
  if (const char* seed = getenv("FUZZ_SEED")) rng_state = strtoull(seed, nullptr, 0) | 1;
  const uint64_t seed = rng_state;
  uint64_t ops = 0;
  int survived = 0;
  for (int i = 0; i < cases; ++i) {
    const int bad_before = bad_packets;
    ops += RunCase();
    FuzzBondsAndDrops();
    survived += bad_packets == bad_before;  // a sanitizer finding aborts the run instead
  }
  printf("fuzz: %d cases tried, %d survived, %llu core operations, %d stroke packets, %u gestures dropped for "
         "a character, %u characters yielded to a gesture, up to %d held (seed 0x%llx)\n", cases, survived,
         static_cast<unsigned long long>(ops), stroke_packets, dropped_gestures, yielded_characters, max_held,
         static_cast<unsigned long long>(seed));
  const bool reached = cases < 100 || (stroke_packets > 0 && dropped_gestures > 0);
  return survived == cases && reached ? 0 : 1;
}
