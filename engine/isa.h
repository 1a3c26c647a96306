/* isa.h: which vector instructions the engine's inner loops use (internal
 * to the engine; not part of the public interface).
 *
 * The loops that dominate a recurrent window (the step's small matrix
 * product and the cells' gate loops: kernels.h) are compiled once for each
 * instruction set the engine knows, and one set of them is chosen when the
 * engine first runs: the preferred level (isa_preferred: the widest the
 * CPU has), or another one the IRMAS_ISA environment variable names (to
 * compare them, or to test each on a machine that has them all). A level
 * the CPU lacks is refused with one warning on standard error and the
 * preferred one is used.
 *
 * A step reads its weights from the L2 cache. Read as rows, they kept
 * avx512 level with avx2 (bench/bench-engine.sh on an AMD EPYC and an
 * Intel Xeon); read packed (gemm.h), the LSTM's steps take 0.85 of avx2's
 * time with avx512 on the Xeon (docs/engine.md, "Speed").
 *
 *   portable  the baseline of the build's CPU family (SSE2 on x86-64: four
 *             floats a vector; NEON on aarch64, also four)
 *   avx2      x86-64 with AVX2 and FMA: eight floats a vector
 *   avx512    x86-64 with AVX-512F: sixteen floats a vector
 */
#ifndef IRMAS_ISA_H
#define IRMAS_ISA_H

#include "kernels.h"

/* Loops outside kernels.h that gain from wider vectors (the trainer's
 * backward loops, the depthwise convolution's taps) are marked ISA_CLONES:
 * GCC compiles them for AVX-512, for AVX2 and FMA, and for the baseline on
 * x86-64, and the loader picks the widest the CPU runs, whatever IRMAS_ISA
 * says. Floating-point contraction stays off (ISO C), so every clone
 * computes the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ISA_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", \
                                 "default")))
#else
#define ISA_CLONES
#endif

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

/* The level used when IRMAS_ISA names none: avx512 if supported, else
 * avx2 if supported, else portable. */
isa_level isa_preferred(void);

/* 1 if this build has the level's kernels and the CPU runs them. */
int isa_supported(isa_level level);

/* The level IRMAS_ISA's value names, or -1 for an unknown name. */
int isa_parse(const char *name);

/* Switches to level, if supported (returns 0; else -1 and nothing
 * changes). For tests and benchmarks that compare levels in one process:
 * not safe while another thread runs the engine. */
int isa_select(isa_level level);

#endif
