/* isa.h: which vector instructions the engine's inner loops use (internal
 * to the engine; not part of the public interface).
 *
 * The loops that dominate a recurrent window (the step's small matrix
 * product and the cells' gate loops: kernels.h) are compiled once for each
 * instruction set the engine knows, and one set of them is chosen when the
 * engine first runs: the widest the CPU has, or a lower one named by the
 * IRMAS_ISA environment variable (to compare them, or to test each on a
 * machine that has the higher ones). A level the CPU lacks is refused with
 * one warning on standard error and the widest one is used.
 *
 *   portable  the baseline of the build's CPU family (SSE2 on x86-64: four
 *             floats a vector; NEON on aarch64, also four)
 *   avx2      x86-64 with AVX2 and FMA: eight floats a vector
 *   avx512    x86-64 with AVX-512F: sixteen floats a vector
 */
#ifndef IRMAS_ISA_H
#define IRMAS_ISA_H

#include "kernels.h"

typedef enum {
    ISA_PORTABLE = 0,
    ISA_AVX2,
    ISA_AVX512,
    ISA_LEVELS
} isa_level;

/* The kernels in use, chosen on the first call (thread-safe, and
 * real-time safe after the first call, which the engine makes when a
 * model's runner is created). */
const isa_kernels *isa_current(void);

/* The level in use, and a level's name ("avx2"). */
isa_level isa_current_level(void);
const char *isa_name(isa_level level);

/* 1 if this build has the level's kernels and the CPU runs them. */
int isa_supported(isa_level level);

/* The level IRMAS_ISA's value names, or -1 for an unknown name. */
int isa_parse(const char *name);

/* Switches to level, if supported (returns 0; else -1 and nothing
 * changes). For tests and benchmarks that compare levels in one process:
 * not safe while another thread runs the engine. */
int isa_select(isa_level level);

#endif
