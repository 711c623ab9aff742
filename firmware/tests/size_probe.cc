// Links the portable core, the generated gesture model and the stroke model into a
// Cortex-M4 image (without Arduino, BLE or TFLM, which the real sketch adds) to report
// what they cost in flash and RAM. The tensor arenas the sketch reserves are included as
// static buffers.
#include <string.h>

#include "../magic_wand/src/model/model_data.h"
#include "../magic_wand/src/model/stroke_model_data.h"
#include "../magic_wand/src/wand_core/core.h"

using namespace wand;

alignas(16) static uint8_t g_arena[wand_model::kArenaBytes];

class ArenaTouchingClassifier : public Classifier {
 public:
  bool Classify(const int8_t* window, uint8_t* probs, int8_t* emb) override {
    memcpy(g_arena, window, wand_model::kWindow * kAxes);
    for (int i = 0; i < wand_model::kNumClasses; ++i) probs[i] = g_arena[i] ^ g_wand_model[i];
    for (int i = 0; i < wand_model::kEmbeddingDims; ++i) emb[i] = (int8_t)g_arena[i];
    return true;
  }
};

alignas(16) static uint8_t g_stroke_arena[wand_stroke_model::kArenaBytes];

class ArenaTouchingStrokeClassifier : public StrokeClassifier {
 public:
  bool Classify(const int8_t* input, uint8_t* probs) override {
    memcpy(g_stroke_arena, input, kStrokeInputSize);
    for (int i = 0; i < wand_stroke_model::kNumClasses; ++i)
      probs[i] = g_stroke_arena[i] ^ g_stroke_model[(i * 997u) % g_stroke_model_len];
    return true;
  }
};

class NullSink : public PacketSink {
 public:
  void OnGesture(const uint8_t* d, size_t n) override { last = d[n - 1]; }
  void OnImu(const uint8_t* d, size_t n) override { last = d[n - 1]; }
  volatile uint8_t last = 0;
};

static ArenaTouchingClassifier g_clf;
static NullSink g_sink;
static const CoreSpec kSpec = {119, wand_model::kRateHz, wand_model::kWindow, wand_model::kHop,
                               wand_model::kOtherClass, wand_model::kNumClasses, wand_model::kEmbeddingDims,
                               kIdentityAxes};
static WandCore g_core(kSpec, &g_clf, &g_sink);
static ArenaTouchingStrokeClassifier g_stroke_clf;

int main() {
  g_core.SetStrokeClassifier(&g_stroke_clf, wand_stroke_model::kNumClasses);
  volatile int16_t v = 1000;
  for (int i = 0; i < 1000; ++i) {
    ImuSample s = {{0, 0, v, (int16_t)(i * 7), 0, 0}};
    g_core.Push(s);
  }
  return g_sink.last;
}
