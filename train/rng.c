/* rng.c: SplitMix64 and what the trainer draws from it (see rng.h). */
#include "rng.h"

void rng_seed(rng *r, uint64_t seed)
{
    r->state = seed;
    rng_next(r); /* so seeds 0, 1, 2... do not start on nearby words */
}

uint64_t rng_next(rng *r)
{
    uint64_t z = r->state += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

float rng_uniform(rng *r)
{
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Lemire's multiply-and-reject: the high word of a 64-bit product is
 * uniform in [0, n) once the few low words that would favour some values
 * are rejected. */
uint32_t rng_below(rng *r, uint32_t n)
{
    uint32_t threshold = (uint32_t)-n % n;
    for (;;) {
        uint64_t product = (rng_next(r) >> 32) * (uint64_t)n;
        if ((uint32_t)product >= threshold) return (uint32_t)(product >> 32);
    }
}

void rng_shuffle(rng *r, int *items, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint32_t)i + 1);
        int swap = items[i];
        items[i] = items[j];
        items[j] = swap;
    }
}
