/* isa.c: the choice of isa.h, made once: the preferred kernels this build
 * has and the CPU runs, or the level IRMAS_ISA names.
 */
#include "isa.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const isa_names[ISA_LEVELS] = {
    [ISA_PORTABLE] = "portable",
    [ISA_AVX2] = "avx2",
    [ISA_AVX512] = "avx512",
};

/* The level in use; written once by isa_choose (and by isa_select). */
static _Atomic int isa_level_in_use = -1;
static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

/* The table of a level this build has, or NULL. */
static const isa_kernels *isa_table(isa_level level)
{
    switch (level) {
    case ISA_PORTABLE: return &kernels_portable;
#if defined(__x86_64__)
    case ISA_AVX2: return &kernels_avx2;
    case ISA_AVX512: return &kernels_avx512;
#endif
    default: return NULL;
    }
}

int isa_supported(isa_level level)
{
    if (level < 0 || level >= ISA_LEVELS || !isa_table(level)) return 0;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (level == ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (level == ISA_AVX512)
        return __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return level == ISA_PORTABLE;
}

const char *isa_name(isa_level level)
{
    return level >= 0 && level < ISA_LEVELS ? isa_names[level] : "unknown";
}

int isa_parse(const char *name)
{
    for (int level = 0; level < ISA_LEVELS; level++)
        if (strcmp(name, isa_names[level]) == 0) return level;
    return -1;
}

isa_level isa_preferred(void)
{
    if (isa_supported(ISA_AVX512)) return ISA_AVX512;
    return isa_supported(ISA_AVX2) ? ISA_AVX2 : ISA_PORTABLE;
}

/* Runs once: the preferred level, or IRMAS_ISA's if the CPU runs it. */
static void isa_choose(void)
{
    int chosen = isa_preferred();
    const char *wanted = getenv("IRMAS_ISA");
    if (wanted && *wanted) {
        int level = isa_parse(wanted);
        if (level < 0 || !isa_supported(level))
            fprintf(stderr,
                    "irmas: warning: IRMAS_ISA=%s: %s; using %s (portable, "
                    "avx2 or avx512, as the CPU allows)\n",
                    wanted,
                    level < 0 ? "no such instruction set"
                              : "this CPU or build does not run it",
                    isa_names[chosen]);
        else
            chosen = level;
    }
    atomic_store(&isa_level_in_use, chosen);
}

isa_level isa_current_level(void)
{
    pthread_once(&isa_once, isa_choose);
    return (isa_level)atomic_load_explicit(&isa_level_in_use,
                                           memory_order_relaxed);
}

const isa_kernels *isa_current(void)
{
    return isa_table(isa_current_level());
}

int isa_select(isa_level level)
{
    pthread_once(&isa_once, isa_choose);
    if (!isa_supported(level)) return -1;
    atomic_store(&isa_level_in_use, level);
    return 0;
}
