// A drawn stroke -> the stroke model's int8 input. Twin of wand/wand_core/stroke_features.py
// (read it for the definition): 32 points evenly spaced by arc length, centred on their box,
// scaled by its larger side, rows (x, y, dx, dy). Integers only, so chip and host agree.
#pragma once
#include <stdint.h>

namespace wand {

constexpr int kStrokePoints = 32;
constexpr int kStrokeChannels = 4;  // x, y, dx, dy
constexpr int kStrokeInputSize = kStrokePoints * kStrokeChannels;
constexpr int32_t kStrokeHalfSpan = 127;
constexpr int32_t kStrokeDeltaGain = 2;
constexpr int32_t kStrokeCoordLimit = int32_t{1} << 24;

// xy: n points (x, y interleaved), compacted in place (consecutive repeats dropped).
// Writes kStrokeInputSize int8 values; false for a path of no length or a coordinate
// outside +-(kStrokeCoordLimit - 1) (Python: None / ValueError).
bool StrokeInput(int32_t* xy, int n, int8_t* out);

// kStrokePoints points evenly spaced along the (compacted) path into out_xy; false as above.
bool ResampleStroke(int32_t* xy, int n, int32_t* out_xy);

}  // namespace wand
