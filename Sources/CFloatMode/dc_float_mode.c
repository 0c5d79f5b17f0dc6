#include "dc_float_mode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
// MXCSR bit 15 (flush to zero: subnormal results become 0) and bit 6 (denormals are zero: subnormal inputs read as 0).
enum { FLUSH_BITS = 0x8040 };

unsigned long dc_flush_subnormals(void) {
    unsigned int previous = _mm_getcsr();
    _mm_setcsr(previous | FLUSH_BITS);
    return previous;
}

void dc_restore_float_mode(unsigned long previous) { _mm_setcsr((unsigned int)previous); }

#elif defined(__aarch64__)
// FPCR bit 24 (FZ) flushes subnormal inputs and results.
unsigned long dc_flush_subnormals(void) {
    unsigned long previous;
    __asm__ volatile("mrs %0, fpcr" : "=r"(previous));
    __asm__ volatile("msr fpcr, %0" : : "r"(previous | (1UL << 24)));
    return previous;
}

void dc_restore_float_mode(unsigned long previous) { __asm__ volatile("msr fpcr, %0" : : "r"(previous)); }

#else
unsigned long dc_flush_subnormals(void) { return 0; }
void dc_restore_float_mode(unsigned long previous) { (void)previous; }
#endif
