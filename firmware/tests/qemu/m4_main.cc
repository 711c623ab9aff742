// The wand's pipeline on a Cortex-M4 (QEMU mps2-an386): the portable core, the generated
// model and op resolver, and the TFLM kernels of the Arduino TFLM library, as the sketch
// builds them. Reads a replay script (qemu_check.py writes it) over semihosting and
// writes every inference's output and every packet for the Python simulator to check.
//   script: 'F' u16 source_rate (new core) | 'R' reset | 'W' u32 idle samples
//           | 'C' config packet | 'B' u8 IMU batch | 'Q' re-send | 'S' 6 x i16 sample
//           | 'K' give the core the stroke model (and count its Invoke()s, not the gesture model's)
//           | 'G' stroke config packet
//           | 'D' u32 n, n bytes of a .tflite, one input window: run it, print every output
//             (qemu_check.py --layers makes each intermediate tensor an output, to find the op
//             where chip and host part)
//   output: "T <output index> <hex>" after 'D', "X <window hex>" and "I <probs hex> <embedding hex>" per inference,
//           "Y <stroke input hex>" and "J <probs hex>" per stroke inference, "P <packet hex>" per packet
#include <new>
#include <stdint.h>
#include <string.h>

#include "../../magic_wand/src/model/model_data.h"
#include "../../magic_wand/src/model/model_ops.h"
#include "../../magic_wand/src/wand_core/core.h"
#include "../../magic_wand/tflm_classifier.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"

extern "C" int semihost(int op, const void* arg);

namespace {

constexpr int kSysOpen = 0x01, kSysWrite = 0x05, kSysRead = 0x06, kSysFlen = 0x0C;

int Open(const char* name, int mode) {
  const uint32_t args[3] = {(uint32_t)(uintptr_t)name, (uint32_t)mode, (uint32_t)strlen(name)};
  return semihost(kSysOpen, args);
}

uint8_t script[1 << 20];
char out[2 << 20];
size_t out_len = 0;

void Emit(char tag, const uint8_t* d, size_t n, bool newline = true) {
  static const char kHex[] = "0123456789abcdef";
  if (out_len + 2 * n + 4 > sizeof out) return;
  if (tag) {
    out[out_len++] = tag;
    out[out_len++] = ' ';
  }
  for (size_t i = 0; i < n; ++i) {
    out[out_len++] = kHex[d[i] >> 4];
    out[out_len++] = kHex[d[i] & 15];
  }
  out[out_len++] = newline ? '\n' : ' ';
}

alignas(16) uint8_t tensor_arena[wand_model::kArenaBytes];
alignas(16) uint8_t stroke_arena[wand_stroke_model::kArenaBytes];
bool count_strokes = false;  // which model's Invoke() the instruction counter sees

}  // namespace

// Instruction-count markers for the QEMU plugin (insn_count.c): it counts what runs between them.
extern "C" __attribute__((noinline)) void wand_bench_start() { __asm volatile("" ::: "memory"); }
extern "C" __attribute__((noinline)) void wand_bench_stop() { __asm volatile("" ::: "memory"); }

namespace {

// The sketch's own classifier (tflm_classifier.h); these hooks print what it computes and
// mark Invoke() for the instruction counter.
class QemuHooks : public wand_tflm::InferenceHooks {
 public:
  void BeforeInvoke(const int8_t* window, size_t bytes) override {
    Emit('X', reinterpret_cast<const uint8_t*>(window), bytes);
    if (!count_strokes) wand_bench_start();
  }
  void AfterInvoke() override {
    if (!count_strokes) wand_bench_stop();
  }
  void Outputs(const uint8_t* probs, const int8_t* embedding) override {
    Emit('I', probs, wand_model::kNumClasses, false);
    Emit(0, reinterpret_cast<const uint8_t*>(embedding), wand_model::kEmbeddingDims);
  }
};

class StrokeHooks : public wand_tflm::InferenceHooks {
 public:
  void BeforeInvoke(const int8_t* input, size_t bytes) override {
    Emit('Y', reinterpret_cast<const uint8_t*>(input), bytes);
    if (count_strokes) wand_bench_start();
  }
  void AfterInvoke() override {
    if (count_strokes) wand_bench_stop();
  }
  void Outputs(const uint8_t* probs, const int8_t*) override { Emit('J', probs, wand_stroke_model::kNumClasses); }
};

class OutSink : public wand::PacketSink {
 public:
  void OnGesture(const uint8_t* d, size_t n) override { Emit('P', d, n); }
  void OnImu(const uint8_t* d, size_t n) override { Emit('P', d, n); }
};

QemuHooks hooks;
wand_tflm::TflmClassifier classifier(tensor_arena, sizeof tensor_arena, &hooks);
StrokeHooks stroke_hooks;
wand_tflm::TflmStrokeClassifier stroke_classifier(stroke_arena, sizeof stroke_arena, &stroke_hooks);
OutSink sink;

alignas(16) uint8_t debug_model[64 * 1024];
alignas(16) uint8_t debug_arena[32 * 1024];

// 'D': a model from the script (same op set), one window, every output printed.
bool RunDebugModel(const uint8_t* bytes, uint32_t n, const uint8_t* window) {
  if (n > sizeof debug_model) return false;
  memcpy(debug_model, bytes, n);
  static WandOpResolver resolver;
  static bool registered = RegisterWandOps(resolver);
  if (!registered) return false;
  tflite::MicroInterpreter interpreter(tflite::GetModel(debug_model), resolver, debug_arena, sizeof debug_arena);
  if (interpreter.AllocateTensors() != kTfLiteOk) return false;
  memcpy(interpreter.input(0)->data.int8, window, interpreter.input(0)->bytes);
  if (interpreter.Invoke() != kTfLiteOk) return false;
  for (size_t i = 0; i < interpreter.outputs_size(); ++i) {
    const uint8_t idx = static_cast<uint8_t>(i);
    Emit('T', &idx, 1, false);
    Emit(0, interpreter.output(i)->data.uint8, interpreter.output(i)->bytes);
  }
  return true;
}
alignas(wand::WandCore) uint8_t core_storage[sizeof(wand::WandCore)];

uint32_t Le(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

extern "C" void DebugLog(const char* s) {  // TFLM's log sink (the Arduino one needs Serial)
  const size_t n = strlen(s);
  if (out_len + n + 3 < sizeof out) {
    memcpy(out + out_len, "L ", 2);
    memcpy(out + out_len + 2, s, n);
    out_len += n + 2;
    out[out_len++] = '\n';
  }
}

int main() {
  const int in = Open("replay.bin", 1);
  if (in < 0) return 2;
  const uint32_t handle[1] = {(uint32_t)in};
  const int len = semihost(kSysFlen, handle);
  if (len <= 0 || len > (int)sizeof script) return 2;
  const uint32_t rd[3] = {(uint32_t)in, (uint32_t)(uintptr_t)script, (uint32_t)len};
  if (semihost(kSysRead, rd) != 0) return 2;
  if (!classifier.Begin()) return 4;
  if (!stroke_classifier.Begin()) return 10;
  wand::WandCore* core = nullptr;
  for (int i = 0; i < len;) {
    const uint8_t op = script[i++];
    const uint8_t* a = script + i;
    if (op == 'F') {
      const wand::CoreSpec spec = {(int)Le(a, 2), wand_model::kRateHz, wand_model::kWindow, wand_model::kHop,
                                   wand_model::kOtherClass, wand_model::kNumClasses, wand_model::kEmbeddingDims,
                                   wand::kIdentityAxes};
      core = new (core_storage) wand::WandCore(spec, &classifier, &sink);
      if (!core->Valid()) return 5;
      i += 2;
    } else if (op == 'D') {
      const uint32_t n = Le(a, 4);
      if (!RunDebugModel(a + 4, n, a + 4 + n)) return 9;
      i += 4 + n + wand_model::kWindow * wand_model::kChannels;
    } else if (!core) {
      return 6;
    } else if (op == 'S') {
      wand::ImuSample s;
      for (int k = 0; k < wand::kAxes; ++k) s.v[k] = static_cast<int16_t>(Le(a + 2 * k, 2));
      core->Push(s);
      i += 12;
    } else if (op == 'R') {
      core->Reset();
    } else if (op == 'W') {
      core->Idle(Le(a, 4));
      i += 4;
    } else if (op == 'Q') {
      core->ResendQueued();
    } else if (op == 'B') {
      core->SetImuBatch(a[0]);
      i += 1;
    } else if (op == 'K') {
      core->SetStrokeClassifier(&stroke_classifier, wand_stroke_model::kNumClasses);
      count_strokes = true;
    } else if (op == 'G') {
      wand::StrokeConfig c;
      if (wand::DecodeStrokeConfig(a, wand::kStrokeConfigPacketSize, &c) != wand::DecodeResult::kOk) return 7;
      core->ConfigureStrokes(c);
      i += wand::kStrokeConfigPacketSize;
    } else if (op == 'C') {
      wand::SpotterConfig c;
      if (wand::DecodeConfig(a, wand::kConfigPacketSize, &c) != wand::DecodeResult::kOk) return 7;
      core->Configure(c);
      i += wand::kConfigPacketSize;
    } else {
      return 8;
    }
  }
  const int o = Open("replay.out", 5);
  if (o < 0) return 2;
  const uint32_t wr[3] = {(uint32_t)o, (uint32_t)(uintptr_t)out, (uint32_t)out_len};
  return semihost(kSysWrite, wr) == 0 ? 0 : 2;
}
