// Drives the portable core from a line protocol, so tests/test_core_equivalence.py can
// replay recordings through it in lockstep with the Python simulator:
//   in:  "R"                      reset
//        "C <hex>"                config or stroke config packet (the firmware's decoder, by type byte)
//        "B <n>"                  IMU samples per packet
//        "Q"                      re-send held gesture packets (a host reconnected)
//        "W <n>"                  the wand idles n model-rate samples (clock only)
//        "S ax ay az gx gy gz"    one raw sample
//        "T"                      print "T <stroke state> <stroke outcome> <held gestures> <dropped gestures>
//                                 <1 while the running capture's decision is to be dropped> <characters yielded>"
//   out: "I <window hex>"         inference wanted; answered on stdin by
//        "O <probs hex> <emb hex>"
//        "J <stroke input hex>"   stroke inference wanted; answered by "O <probs hex>"
//        "P <packet hex>"         a packet the wand would notify
//        "E <message>"            a rejected command
//        "K"                      command done
// argv: source_rate model_rate window hop other_class num_classes embedding_dims [stroke_classes]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../magic_wand/src/wand_core/core.h"

using namespace wand;

static int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int ParseHex(const char* s, uint8_t* out, int max) {
  int n = 0;
  while (s[0] && s[1] && HexVal(s[0]) >= 0 && HexVal(s[1]) >= 0 && n < max) {
    out[n++] = (uint8_t)(HexVal(s[0]) * 16 + HexVal(s[1]));
    s += 2;
  }
  return n;
}

static void PrintHex(char tag, const uint8_t* d, size_t n) {
  printf("%c ", tag);
  for (size_t i = 0; i < n; ++i) printf("%02x", d[i]);
  printf("\n");
}

class PipeClassifier : public Classifier {
 public:
  PipeClassifier(int window, int classes, int emb) : window_(window), classes_(classes), emb_(emb) {}
  bool Classify(const int8_t* window, uint8_t* probs, int8_t* embedding) override {
    PrintHex('I', (const uint8_t*)window, (size_t)window_ * kAxes);
    fflush(stdout);
    char line[256];
    if (!fgets(line, sizeof line, stdin) || line[0] != 'O') return false;
    char* sp = strchr(line + 2, ' ');
    if (!sp) return false;
    *sp = 0;
    if (ParseHex(line + 2, probs, classes_) != classes_) return false;
    return ParseHex(sp + 1, (uint8_t*)embedding, emb_) == emb_;
  }

 private:
  int window_, classes_, emb_;
};

class PipeStrokeClassifier : public StrokeClassifier {
 public:
  explicit PipeStrokeClassifier(int classes) : classes_(classes) {}
  bool Classify(const int8_t* input, uint8_t* probs) override {
    PrintHex('J', (const uint8_t*)input, (size_t)kStrokeInputSize);
    fflush(stdout);
    char line[512];
    if (!fgets(line, sizeof line, stdin) || line[0] != 'O') return false;
    return ParseHex(line + 2, probs, classes_) == classes_;
  }

 private:
  int classes_;
};

class PrintSink : public PacketSink {
 public:
  void OnGesture(const uint8_t* d, size_t n) override { PrintHex('P', d, n); }
  void OnImu(const uint8_t* d, size_t n) override { PrintHex('P', d, n); }
};

int main(int argc, char** argv) {
  if (argc != 8 && argc != 9) {
    fprintf(stderr, "usage: %s source_rate model_rate window hop other_class num_classes embedding_dims "
            "[stroke_classes]\n", argv[0]);
    return 2;
  }
  CoreSpec spec = {atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
                   atoi(argv[5]), atoi(argv[6]), atoi(argv[7]), kIdentityAxes};
  PipeClassifier clf(spec.window, spec.num_classes, spec.embedding_dims);
  PrintSink sink;
  WandCore core(spec, &clf, &sink);
  const int stroke_classes = argc == 9 ? atoi(argv[8]) : 0;
  PipeStrokeClassifier stroke_clf(stroke_classes);
  if (stroke_classes > 0) core.SetStrokeClassifier(&stroke_clf, stroke_classes);
  if (!core.Valid()) {
    fprintf(stderr, "invalid core spec\n");
    return 2;
  }
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == 'S') {
      int v[6];
      if (sscanf(line + 1, "%d %d %d %d %d %d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6) {
        ImuSample s = {{(int16_t)v[0], (int16_t)v[1], (int16_t)v[2], (int16_t)v[3], (int16_t)v[4], (int16_t)v[5]}};
        core.Push(s);
      } else {
        printf("E bad sample\n");
      }
    } else if (line[0] == 'R') {
      core.Reset();
    } else if (line[0] == 'W') {
      core.Idle((uint32_t)atoi(line + 1));
    } else if (line[0] == 'Q') {
      core.ResendQueued();
    } else if (line[0] == 'B') {
      core.SetImuBatch(atoi(line + 1));
    } else if (line[0] == 'T') {
      printf("T %d %d %d %u %d %u\n", (int)core.stroke_state(), (int)core.stroke_outcome(), core.held_gestures(),
             (unsigned)core.dropped_gestures(), (int)core.dropping_capture(), (unsigned)core.yielded_characters());
    } else if (line[0] == 'C') {
      uint8_t buf[64];
      int n = ParseHex(line + 2, buf, sizeof buf);
      SpotterConfig c;
      StrokeConfig sc;
      DecodeResult r = DecodeResult::kWrongType;
      if (n > 0 && buf[kPacketTypeOffset] == kPacketStrokeConfig) {
        r = DecodeStrokeConfig(buf, (size_t)n, &sc);
        if (r == DecodeResult::kOk) core.ConfigureStrokes(sc);
      } else {
        r = DecodeConfig(buf, (size_t)n, &c);
        if (r == DecodeResult::kOk) core.Configure(c);
      }
      if (r != DecodeResult::kOk) printf("E config rejected %d\n", (int)r);
    } else {
      printf("E unknown command\n");
    }
    printf("K\n");
    fflush(stdout);
  }
  return 0;
}
