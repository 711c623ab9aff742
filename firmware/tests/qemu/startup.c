// Bare-metal start for QEMU's mps2-an386 (Cortex-M4F): vector table, FPU on, .bss zeroed,
// static constructors, main(), then a semihosting exit. Everything lives in the 4 MB SSRAM
// at 0x0 (m4.ld), so QEMU's ELF loader has already put .data in place.
#include <stdint.h>

#ifdef __cplusplus  // built by the same g++ command as the C++ sources
extern "C" {
#endif

extern uint32_t __bss_start__, __bss_end__, __stack_top__;
extern void __libc_init_array(void);
extern int main(void);
__attribute__((noreturn)) void semihost_exit(int code);

void Reset_Handler(void) {
  *(volatile uint32_t*)0xE000ED88 |= 0xFu << 20;  // CPACR: CP10/CP11 full access (the FPU)
  __asm volatile("dsb\n isb");
  for (uint32_t* p = &__bss_start__; p < &__bss_end__; ++p) *p = 0;
  __libc_init_array();
  semihost_exit(main());
}

static void Fault_Handler(void) { semihost_exit(3); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&__stack_top__, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler};

// ARM semihosting: operation in r0, argument block in r1, BKPT 0xAB; result in r0.
int semihost(int op, const void* arg) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_exit(int code) {
  // SYS_EXIT (0x18): ADP_Stopped_ApplicationExit ends QEMU with status 0, anything else 1.
  semihost(0x18, (const void*)(uintptr_t)(code == 0 ? 0x20026 : 0x20024));
  for (;;) {
  }
}

// newlib's nosys stubs expect these; nothing here allocates after start.
void _exit(int code) { semihost_exit(code); }
void* __dso_handle = 0;  // static destructors register against it (-nostartfiles drops crtbegin)
void _init(void) {}  // crti/crtn are left out too; the init arrays do the work

#ifdef __cplusplus
}
#endif
