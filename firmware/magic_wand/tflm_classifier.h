// The int8 model through TFLM: the sketch's classifier. It has a header of its own so the
// Cortex-M4 check (firmware/tests/qemu) runs this very code, not a copy of it.
#pragma once
#include <stddef.h>
#include <new>
#include <stdint.h>
#include <string.h>

#include "src/model/model_data.h"
#include "src/model/model_ops.h"
#include "src/model/stroke_model_data.h"
#include "src/wand_core/core.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace wand_tflm {

// Around each inference; the sketch uses none, the QEMU check prints windows and outputs
// and marks Invoke() for the instruction counter.
class InferenceHooks {
 public:
  virtual ~InferenceHooks() = default;
  virtual void BeforeInvoke(const int8_t*, size_t) {}
  virtual void AfterInvoke() {}
  virtual void Outputs(const uint8_t*, const int8_t*) {}
};

// One model in one TFLM interpreter with its own arena and op resolver (the gesture and
// stroke models each have one: the interpreter lives in this object, not in a static).
class TflmRunner {
 public:
  TflmRunner(uint8_t* arena, size_t arena_bytes, InferenceHooks* hooks)
      : arena_(arena), arena_bytes_(arena_bytes), hooks_(hooks) {}

  // True when the model loads and its first input is int8 of input_bytes.
  bool Load(const unsigned char* model_data, size_t input_bytes) {
    const tflite::Model* model = tflite::GetModel(model_data);
    if (model->version() != TFLITE_SCHEMA_VERSION) return false;
    if (!RegisterWandOps(resolver_)) return false;  // one op set covers both models
    interpreter_ = new (storage_) tflite::MicroInterpreter(model, resolver_, arena_, arena_bytes_);
    if (interpreter_->AllocateTensors() != kTfLiteOk) return false;
    input_ = interpreter_->input(0);
    return input_->type == kTfLiteInt8 && input_->bytes == input_bytes;
  }

  bool Run(const int8_t* input) {
    memcpy(input_->data.int8, input, input_->bytes);
    if (hooks_) hooks_->BeforeInvoke(input, input_->bytes);
    const TfLiteStatus status = interpreter_->Invoke();
    if (hooks_) hooks_->AfterInvoke();
    return status == kTfLiteOk;
  }

  const TfLiteTensor* output(int i) const { return interpreter_->output(i); }
  InferenceHooks* hooks() const { return hooks_; }

 private:
  uint8_t* arena_;
  size_t arena_bytes_;
  InferenceHooks* hooks_;
  WandOpResolver resolver_;
  alignas(tflite::MicroInterpreter) uint8_t storage_[sizeof(tflite::MicroInterpreter)];
  tflite::MicroInterpreter* interpreter_ = nullptr;
  TfLiteTensor* input_ = nullptr;
};

class TflmClassifier : public wand::Classifier {
 public:
  TflmClassifier(uint8_t* arena, size_t arena_bytes, InferenceHooks* hooks = nullptr)
      : runner_(arena, arena_bytes, hooks) {}

  bool Begin() { return runner_.Load(g_wand_model, wand_model::kWindow * wand_model::kChannels); }

  bool Classify(const int8_t* window, uint8_t* probs, int8_t* embedding) override {
    if (!runner_.Run(window)) return false;
    const int8_t* p = runner_.output(wand_model::kProbsOutput)->data.int8;
    for (int i = 0; i < wand_model::kNumClasses; ++i) probs[i] = static_cast<uint8_t>(p[i] + 128);
    memcpy(embedding, runner_.output(wand_model::kEmbeddingOutput)->data.int8, wand_model::kEmbeddingDims);
    if (runner_.hooks()) runner_.hooks()->Outputs(probs, embedding);
    return true;
  }

 private:
  TflmRunner runner_;
};

// The stroke model (issue 19): a second interpreter with its own arena, called once per
// stroke. Its input is the featurizer's int8 as it is (scale 1, zero point 0).
class TflmStrokeClassifier : public wand::StrokeClassifier {
 public:
  TflmStrokeClassifier(uint8_t* arena, size_t arena_bytes, InferenceHooks* hooks = nullptr)
      : runner_(arena, arena_bytes, hooks) {}

  bool Begin() {
    return runner_.Load(g_stroke_model, wand::kStrokeInputSize) &&
           runner_.output(0)->bytes == static_cast<size_t>(wand_stroke_model::kNumClasses);
  }

  bool Classify(const int8_t* input, uint8_t* probs) override {
    if (!runner_.Run(input)) return false;
    const int8_t* p = runner_.output(0)->data.int8;
    for (int i = 0; i < wand_stroke_model::kNumClasses; ++i) probs[i] = static_cast<uint8_t>(p[i] + 128);
    if (runner_.hooks()) runner_.hooks()->Outputs(probs, nullptr);
    return true;
  }

 private:
  TflmRunner runner_;
};

}  // namespace wand_tflm
