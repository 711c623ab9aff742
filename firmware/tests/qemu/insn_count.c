// QEMU TCG plugin: counts the guest instructions executed between two marker functions
// (wand_bench_start/stop in m4_main.cc), i.e. per inference, exactly (one inline add per
// executed instruction). Debian ships no qemu-plugin.h and no contrib plugins, so the few
// entry points used are declared here, as QEMU 7.2's plugin API (version 1) defines them;
// they are unchanged since the API appeared in QEMU 4.2.
//   qemu-system-arm ... -plugin ./insn_count.so,start=0xADDR,stop=0xADDR,out=FILE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn* insn, enum qemu_plugin_op op, void* ptr,
                                                uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn* insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t start_pc, stop_pc, executed, at_start, sum, lo = UINT64_MAX, hi, spans;
static char out_path[512] = "insn_count.txt";

static void on_start(unsigned int vcpu, void* u) {
  (void)vcpu, (void)u;
  at_start = executed;
}

static void on_stop(unsigned int vcpu, void* u) {
  (void)vcpu, (void)u;
  const uint64_t n = executed - at_start;  // the marker's own first instruction is not counted
  sum += n;
  lo = n < lo ? n : lo;
  hi = n > hi ? n : hi;
  ++spans;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    const uint64_t pc = qemu_plugin_insn_vaddr(insn);
    // a span runs from start to stop, to within the one marker instruction
    if (pc == start_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (pc == stop_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
  }
}

static void on_atexit(qemu_plugin_id_t id, void* u) {
  (void)id, (void)u;
  FILE* f = fopen(out_path, "w");
  if (!f) return;
  fprintf(f, "total %" PRIu64 "\nspans %" PRIu64 "\nsum %" PRIu64 "\nmin %" PRIu64 "\nmax %" PRIu64 "\n", executed,
          spans, sum, spans ? lo : 0, hi);
  fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const void* info, int argc,
                                                               char** argv) {
  (void)info;
  for (int i = 0; i < argc; ++i) {
    if (!strncmp(argv[i], "start=", 6)) start_pc = strtoull(argv[i] + 6, NULL, 0) & ~1ull;  // Thumb bit
    if (!strncmp(argv[i], "stop=", 5)) stop_pc = strtoull(argv[i] + 5, NULL, 0) & ~1ull;
    if (!strncmp(argv[i], "out=", 4)) snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
  }
  if (!start_pc || !stop_pc) {
    fprintf(stderr, "insn_count: give start=ADDR,stop=ADDR\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
  return 0;
}
