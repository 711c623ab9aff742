#include "stroke_features.h"

#include "fixed_math.h"

namespace wand {
namespace {

// Drops consecutive repeats in place; -1 when a coordinate is out of range.
int Distinct(int32_t* xy, int n) {
  int m = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t x = xy[2 * i], y = xy[2 * i + 1];
    if (x <= -kStrokeCoordLimit || x >= kStrokeCoordLimit || y <= -kStrokeCoordLimit || y >= kStrokeCoordLimit) {
      return -1;
    }
    if (m == 0 || xy[2 * (m - 1)] != x || xy[2 * (m - 1) + 1] != y) {
      xy[2 * m] = x;
      xy[2 * m + 1] = y;
      ++m;
    }
  }
  return m;
}

int64_t SegmentLength(const int32_t* xy, int j) {
  const int64_t dx = xy[2 * j + 2] - xy[2 * j], dy = xy[2 * j + 3] - xy[2 * j + 1];
  return static_cast<int64_t>(ISqrt64(static_cast<uint64_t>(dx * dx + dy * dy)));
}

}  // namespace

bool ResampleStroke(int32_t* xy, int n, int32_t* out_xy) {
  const int m = Distinct(xy, n);
  if (m < 2) return false;
  int64_t total = 0;
  for (int j = 0; j + 1 < m; ++j) total += SegmentLength(xy, j);
  const int segments = m - 1;
  int j = 0;
  int64_t start = 0;  // segment j begins at arc length start
  int64_t seg = SegmentLength(xy, 0);
  for (int k = 0; k < kStrokePoints; ++k) {
    const int64_t target = FloorDiv(k * total, kStrokePoints - 1);
    while (j < segments - 1 && start + seg < target) {
      start += seg;
      ++j;
      seg = SegmentLength(xy, j);
    }
    const int64_t ax = xy[2 * j], ay = xy[2 * j + 1], bx = xy[2 * j + 2], by = xy[2 * j + 3];
    const int64_t along = target - start;
    out_xy[2 * k] = static_cast<int32_t>(ax + DivRound64((bx - ax) * along, seg));
    out_xy[2 * k + 1] = static_cast<int32_t>(ay + DivRound64((by - ay) * along, seg));
  }
  return true;
}

bool StrokeInput(int32_t* xy, int n, int8_t* out) {
  int32_t pts[2 * kStrokePoints];
  if (!ResampleStroke(xy, n, pts)) return false;
  int32_t min_x = pts[0], max_x = pts[0], min_y = pts[1], max_y = pts[1];
  for (int i = 1; i < kStrokePoints; ++i) {
    min_x = pts[2 * i] < min_x ? pts[2 * i] : min_x;
    max_x = pts[2 * i] > max_x ? pts[2 * i] : max_x;
    min_y = pts[2 * i + 1] < min_y ? pts[2 * i + 1] : min_y;
    max_y = pts[2 * i + 1] > max_y ? pts[2 * i + 1] : max_y;
  }
  const int64_t side = (max_x - min_x) > (max_y - min_y) ? (max_x - min_x) : (max_y - min_y);
  const int64_t cx2 = static_cast<int64_t>(min_x) + max_x, cy2 = static_cast<int64_t>(min_y) + max_y;
  int32_t prev_x = 0, prev_y = 0;
  for (int i = 0; i < kStrokePoints; ++i) {
    const int32_t qx = DivRound((2 * static_cast<int64_t>(pts[2 * i]) - cx2) * kStrokeHalfSpan, side);
    const int32_t qy = DivRound((2 * static_cast<int64_t>(pts[2 * i + 1]) - cy2) * kStrokeHalfSpan, side);
    int8_t* row = out + i * kStrokeChannels;
    row[0] = static_cast<int8_t>(qx);
    row[1] = static_cast<int8_t>(qy);
    row[2] = i == 0 ? 0 : ClampInt8((qx - prev_x) * kStrokeDeltaGain);
    row[3] = i == 0 ? 0 : ClampInt8((qy - prev_y) * kStrokeDeltaGain);
    prev_x = qx;
    prev_y = qy;
  }
  return true;
}

}  // namespace wand
