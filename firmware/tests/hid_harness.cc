// Drives the core's HidCore from a pipe, for tests/test_hid.py (which runs the same lines
// through the Python twin, wand/wand_core/hid.py, and compares every output byte).
// In:  "<model crc32 decimal>" once, then lines "L <hex>" (load from flash), "W <hex>" (write),
//      "E <hex>" (event packet), "S" (state). Empty hex is "-".
// Out: one line per input line: L -> "1"/"0"; W -> "1 <table hex>" when a commit succeeded, else "0";
//      E -> report hexes separated by spaces ("-" for none); S -> the state's hex.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "../magic_wand/src/wand_core/hid.h"

namespace {

std::vector<uint8_t> FromHex(const char* s) {
  std::vector<uint8_t> out;
  if (s[0] == '-') return out;
  for (size_t i = 0; s[i] && s[i + 1] && s[i] != '\n'; i += 2) {
    char b[3] = {s[i], s[i + 1], 0};
    out.push_back(static_cast<uint8_t>(strtoul(b, nullptr, 16)));
  }
  return out;
}

std::string ToHex(const uint8_t* p, size_t n) {
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s.empty() ? "-" : s;
}

class Collect : public wand::HidSink {
 public:
  void OnReport(const uint8_t* data, size_t len) override { reports.push_back(ToHex(data, len)); }
  std::vector<std::string> reports;
};

}  // namespace

int main() {
  static char line[4096];
  if (!fgets(line, sizeof line, stdin)) return 1;
  static wand::HidCore core(static_cast<uint32_t>(strtoul(line, nullptr, 10)));
  while (fgets(line, sizeof line, stdin)) {
    const std::vector<uint8_t> data = line[0] == 'S' ? std::vector<uint8_t>() : FromHex(line + 2);
    if (line[0] == 'L') {
      printf("%d\n", core.Load(data.data(), data.size()) ? 1 : 0);
    } else if (line[0] == 'W') {
      if (core.Write(data.data(), data.size()))
        printf("1 %s\n", ToHex(core.table(), core.table_len()).c_str());
      else
        printf("0\n");
    } else if (line[0] == 'E') {
      Collect c;
      core.OnEvent(data.data(), data.size(), &c);
      std::string out;
      for (const std::string& r : c.reports) out += (out.empty() ? "" : " ") + r;
      printf("%s\n", out.empty() ? "-" : out.c_str());
    } else if (line[0] == 'S') {
      uint8_t st[wand::kHidStateSize];
      printf("%s\n", ToHex(st, core.State(st)).c_str());
    }
    fflush(stdout);
  }
  return 0;
}
