/* denormals.c: denormals.h, for each CPU family: the control register
 * that says how the floating-point unit treats denormal numbers. */
#include "denormals.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

#define MXCSR_DAZ 0x0040 /* denormal operands are zero */
#define MXCSR_FTZ 0x8000 /* denormal results are zero */

void denormals_flush(void)
{
    _mm_setcsr(_mm_getcsr() | MXCSR_DAZ | MXCSR_FTZ);
}

#elif defined(__aarch64__)
#include <stdint.h>

#define FPCR_FZ (1u << 24) /* flush denormal operands and results to zero */

void denormals_flush(void)
{
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | FPCR_FZ));
}

#else
void denormals_flush(void) {}
#endif
