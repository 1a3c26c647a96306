/* rng.h: the seeded random numbers every choice in irmas-synth is drawn from.
 *
 * xoshiro256** seeded through splitmix64. A corpus is deterministic for a
 * seed because every source gets its own generator from (seed, class,
 * source) and every part of a source (phrase, accompaniment, room...) gets
 * its own stream split off that one in a fixed order, so no thread ever
 * draws from another's numbers and adding accompaniment never changes the
 * melody.
 */
#ifndef SYNTH_RNG_H
#define SYNTH_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rng;

/* A generator for the stream named by the three numbers. */
void rng_init(rng *r, uint64_t a, uint64_t b, uint64_t c);

/* A new independent generator drawn from r, labelled by tag. */
rng rng_split(rng *r, uint64_t tag);

uint64_t rng_next(rng *r);

/* Uniform in [0, 1). */
double rng_uniform(rng *r);

/* Uniform in [lo, hi). */
double rng_range(rng *r, double lo, double hi);

/* Log-uniform in [lo, hi): for frequencies and times. */
double rng_log_range(rng *r, double lo, double hi);

/* A whole number from lo to hi, both included. */
int rng_int(rng *r, int lo, int hi);

/* True with probability p. */
int rng_chance(rng *r, double p);

/* Standard normal (Box-Muller). */
double rng_normal(rng *r);

/* An index in [0, n) chosen with the given non-negative weights; 0 when all
 * weights are 0. */
int rng_weighted(rng *r, const double *weights, int n);

#endif
