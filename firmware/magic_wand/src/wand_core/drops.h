// IMU samples lost to a FIFO overflow (a loop() stall longer than the FIFO holds). The
// FIFO says *that* it overflowed; the clock says *how many* samples arrived meanwhile.
#pragma once
#include <stdint.h>

namespace wand {

class DropCounter {
 public:
  explicit DropCounter(int rate_hz) : rate_hz_(rate_hz) {}

  // Once per poll: the time, the samples read since the last poll, the samples still
  // waiting in the FIFO now, and whether the FIFO reports an overflow since the last poll.
  void OnPoll(uint32_t now_us, uint32_t read, uint32_t backlog, bool overflowed) {
    if (have_last_ && overflowed) {
      const uint64_t elapsed = static_cast<uint32_t>(now_us - last_us_);  // wraps every 71 min
      const int64_t arrived = static_cast<int64_t>((elapsed * static_cast<uint64_t>(rate_hz_) + 500000) / 1000000);
      const int64_t lost = arrived - static_cast<int64_t>(read) - (static_cast<int64_t>(backlog) - last_backlog_);
      if (lost > 0) dropped_ += static_cast<uint32_t>(lost);
    }
    have_last_ = true;
    last_us_ = now_us;
    last_backlog_ = backlog;
  }

  uint32_t dropped() const { return dropped_; }

 private:
  int rate_hz_;
  bool have_last_ = false;
  uint32_t last_us_ = 0;
  int64_t last_backlog_ = 0;
  uint32_t dropped_ = 0;
};

}  // namespace wand
