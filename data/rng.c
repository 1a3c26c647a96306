/* rng.c: xoshiro256** and SplitMix64, and the draws of rng.h on either. */
#include "rng.h"

#include <math.h>

/* One step of SplitMix64: advances *x and returns its well-mixed output. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_init(rng *r, uint64_t a, uint64_t b, uint64_t c)
{
    /* Each number passes through splitmix before the next is mixed in, so
     * (1, 2, 3) and (2, 1, 3) are unrelated streams. */
    uint64_t x = a;
    x = splitmix64(&x) ^ b;
    x = splitmix64(&x) ^ c;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    r->one_word = 0;
}

rng rng_split(rng *r, uint64_t tag)
{
    rng child;
    rng_init(&child, rng_next(r), tag, 0x5eed);
    return child;
}

void rng_seed(rng *r, uint64_t seed)
{
    rng_from_word(r, seed);
    rng_next(r);
}

void rng_from_word(rng *r, uint64_t word)
{
    *r = (rng){.s = {word}, .one_word = 1};
}

uint64_t rng_word(const rng *r) { return r->s[0]; }

/* SplitMix64's step for a one-word generator, else xoshiro256**'s. */
uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    if (r->one_word) return splitmix64(&s[0]);
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

float rng_uniform_float(rng *r)
{
    return (float)(rng_next(r) >> 40) * 0x1.0p-24f;
}

double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

double rng_log_range(rng *r, double lo, double hi)
{
    return exp(rng_range(r, log(lo), log(hi)));
}

int rng_int(rng *r, int lo, int hi)
{
    if (hi <= lo) return lo;
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
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

int rng_chance(rng *r, double p) { return rng_uniform(r) < p; }

double rng_normal(rng *r)
{
    double u = 1.0 - rng_uniform(r); /* in (0, 1]: log is finite */
    double v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

double rng_beta(rng *r, double a, double b)
{
    for (;;) {
        /* u = U1^(1/a) and v = U2^(1/b) as logarithms; u / (u + v) is
         * Beta(a, b) given u + v <= 1 (Johnk, 1964). */
        double lu = log(1.0 - rng_uniform(r)) / a;
        double lv = log(1.0 - rng_uniform(r)) / b;
        double top = lu > lv ? lu : lv;
        double sum = exp(lu - top) + exp(lv - top);
        if (top + log(sum) <= 0.0) return exp(lu - top) / sum;
    }
}

int rng_weighted(rng *r, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++) total += weights[i];
    if (total <= 0) return 0;
    double x = rng_uniform(r) * total;
    for (int i = 0; i < n; i++) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return n - 1;
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
