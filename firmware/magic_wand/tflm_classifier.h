// The int8 model through TFLM: the sketch's classifier. It has a header of its own so the
// Cortex-M4 check (firmware/tests/qemu) runs this very code, not a copy of it.
#pragma once
#include <stddef.h>
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

class TflmClassifier : public wand::Classifier {
 public:
  TflmClassifier(uint8_t* arena, size_t arena_bytes, InferenceHooks* hooks = nullptr)
      : arena_(arena), arena_bytes_(arena_bytes), hooks_(hooks) {}

  bool Begin() {
    const tflite::Model* model = tflite::GetModel(g_wand_model);
    if (model->version() != TFLITE_SCHEMA_VERSION) return false;
    if (!RegisterWandOps(resolver_)) return false;
    static tflite::MicroInterpreter interpreter(model, resolver_, arena_, arena_bytes_);
    interpreter_ = &interpreter;
    if (interpreter_->AllocateTensors() != kTfLiteOk) return false;
    input_ = interpreter_->input(0);
    return input_->type == kTfLiteInt8 && input_->bytes == wand_model::kWindow * wand_model::kChannels;
  }

  bool Classify(const int8_t* window, uint8_t* probs, int8_t* embedding) override {
    memcpy(input_->data.int8, window, input_->bytes);
    if (hooks_) hooks_->BeforeInvoke(window, input_->bytes);
    const TfLiteStatus status = interpreter_->Invoke();
    if (hooks_) hooks_->AfterInvoke();
    if (status != kTfLiteOk) return false;
    const int8_t* p = interpreter_->output(wand_model::kProbsOutput)->data.int8;
    for (int i = 0; i < wand_model::kNumClasses; ++i) probs[i] = static_cast<uint8_t>(p[i] + 128);
    memcpy(embedding, interpreter_->output(wand_model::kEmbeddingOutput)->data.int8, wand_model::kEmbeddingDims);
    if (hooks_) hooks_->Outputs(probs, embedding);
    return true;
  }

 private:
  uint8_t* arena_;
  size_t arena_bytes_;
  InferenceHooks* hooks_;
  WandOpResolver resolver_;
  tflite::MicroInterpreter* interpreter_ = nullptr;
  TfLiteTensor* input_ = nullptr;
};

// The stroke model (issue 19): a second interpreter with its own arena, called once per
// stroke. Its input is the featurizer's int8 as it is (scale 1, zero point 0).
class TflmStrokeClassifier : public wand::StrokeClassifier {
 public:
  TflmStrokeClassifier(uint8_t* arena, size_t arena_bytes, InferenceHooks* hooks = nullptr)
      : arena_(arena), arena_bytes_(arena_bytes), hooks_(hooks) {}

  bool Begin() {
    const tflite::Model* model = tflite::GetModel(g_stroke_model);
    if (model->version() != TFLITE_SCHEMA_VERSION) return false;
    if (!RegisterWandOps(resolver_)) return false;  // the gesture model's ops cover the stroke model's
    static tflite::MicroInterpreter interpreter(model, resolver_, arena_, arena_bytes_);
    interpreter_ = &interpreter;
    if (interpreter_->AllocateTensors() != kTfLiteOk) return false;
    input_ = interpreter_->input(0);
    return input_->type == kTfLiteInt8 && input_->bytes == wand::kStrokeInputSize &&
           interpreter_->output(0)->bytes == wand_stroke_model::kNumClasses;
  }

  bool Classify(const int8_t* input, uint8_t* probs) override {
    memcpy(input_->data.int8, input, input_->bytes);
    if (hooks_) hooks_->BeforeInvoke(input, input_->bytes);
    const TfLiteStatus status = interpreter_->Invoke();
    if (hooks_) hooks_->AfterInvoke();
    if (status != kTfLiteOk) return false;
    const int8_t* p = interpreter_->output(0)->data.int8;
    for (int i = 0; i < wand_stroke_model::kNumClasses; ++i) probs[i] = static_cast<uint8_t>(p[i] + 128);
    if (hooks_) hooks_->Outputs(probs, nullptr);
    return true;
  }

 private:
  uint8_t* arena_;
  size_t arena_bytes_;
  InferenceHooks* hooks_;
  WandOpResolver resolver_;
  tflite::MicroInterpreter* interpreter_ = nullptr;
  TfLiteTensor* input_ = nullptr;
};

}  // namespace wand_tflm
