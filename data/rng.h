/* rng.h: the seeded random numbers of the offline programs: every choice
 * irmas-synth makes for a corpus, irmas-train's initial weights, example
 * order, dropout and frame masks, the data set's split into train,
 * validation and test, and irmas-model's random weights. The engine and
 * irmasd draw none. The same seed gives the same numbers on every machine.
 *
 * One generator type and one set of draws, over two generators whose
 * numbers the programs' results are tied to:
 *   rng_init    xoshiro256** (Blackman and Vigna 2018), seeded through
 *               SplitMix64 from three numbers, with rng_split for streams
 *               of their own. A corpus is deterministic for a seed because
 *               every source gets its own generator from (seed, class,
 *               source) and every part of a source (phrase, accompaniment,
 *               room...) its own stream split off that one in a fixed
 *               order, so no thread ever draws from another's numbers and
 *               adding accompaniment never changes the melody.
 *   rng_seed    SplitMix64 (Steele, Lea and Flood 2014) alone: one 64-bit
 *               word of state, which a training checkpoint stores
 *               (rng_word) and a resumed run restores (rng_from_word), so
 *               it draws exactly what an uninterrupted run would.
 *
 * Not thread-safe: a generator belongs to one thread at a time.
 */
#ifndef IRMAS_RNG_H
#define IRMAS_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4]; /* xoshiro256**'s state; SplitMix64's word is s[0] */
    int one_word;  /* nonzero: SplitMix64 (rng_seed, rng_from_word) */
} rng;

/* The xoshiro256** stream named by the three numbers. */
void rng_init(rng *r, uint64_t a, uint64_t b, uint64_t c);

/* A new independent xoshiro256** generator drawn from r, labelled by tag. */
rng rng_split(rng *r, uint64_t tag);

/* A SplitMix64 generator whose numbers depend only on seed: its word is
 * seed, advanced once so seeds 0, 1, 2... do not start on nearby words. */
void rng_seed(rng *r, uint64_t seed);

/* The SplitMix64 generator whose word is word: the one rng_word returned,
 * or a seed taken as the word itself. */
void rng_from_word(rng *r, uint64_t word);

/* The whole state of a SplitMix64 generator, for rng_from_word. */
uint64_t rng_word(const rng *r);

/* 64 random bits. */
uint64_t rng_next(rng *r);

/* Uniform in [0, 1), with 53 random bits. */
double rng_uniform(rng *r);

/* Uniform in [0, 1), with 24 random bits (every value a float can hold
 * exactly). */
float rng_uniform_float(rng *r);

/* Uniform in [lo, hi). */
double rng_range(rng *r, double lo, double hi);

/* Log-uniform in [lo, hi): for frequencies and times. */
double rng_log_range(rng *r, double lo, double hi);

/* A whole number from lo to hi, both included: the remainder of one 64-bit
 * draw, whose bias is below 2^-32 for any range an int holds. */
int rng_int(rng *r, int lo, int hi);

/* Uniform in [0, n) for n >= 1, without bias (Lemire's multiply and
 * reject, on the draw's upper 32 bits). */
uint32_t rng_below(rng *r, uint32_t n);

/* True with probability p. */
int rng_chance(rng *r, double p);

/* Standard normal (Box-Muller). */
double rng_normal(rng *r);

/* Beta(a, b) distributed in [0, 1], for a and b from about 0.05 to 4
 * (Johnk's method in logarithms, so small a and b do not underflow; it
 * rejects more draws as they grow). */
double rng_beta(rng *r, double a, double b);

/* An index in [0, n) chosen with the given non-negative weights; 0 when all
 * weights are 0. */
int rng_weighted(rng *r, const double *weights, int n);

/* Puts items[0..n) in a uniformly random order (Fisher-Yates, with
 * rng_below). */
void rng_shuffle(rng *r, int *items, int n);

#endif
