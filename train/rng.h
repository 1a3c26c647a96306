/* rng.h: the trainer's source of randomness: initial weights, the order
 * of examples in each epoch, dropout masks.
 *
 * SplitMix64 (Steele, Lea and Flood 2014): one 64-bit word of state, so a
 * checkpoint stores it as a number and a resumed run draws exactly what an
 * uninterrupted one would. The same seed gives the same numbers on every
 * machine.
 */
#ifndef IRMAS_RNG_H
#define IRMAS_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} rng;

/* A generator whose numbers depend only on seed. */
void rng_seed(rng *r, uint64_t seed);

uint64_t rng_next(rng *r);

/* Uniform in [0, 1), with 24 random bits (every value a float can hold
 * exactly). */
float rng_uniform(rng *r);

/* Uniform in [0, n) for n >= 1, without modulo bias. */
uint32_t rng_below(rng *r, uint32_t n);

/* Puts items[0..n) in a uniformly random order (Fisher-Yates). */
void rng_shuffle(rng *r, int *items, int n);

#endif
