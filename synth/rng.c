/* rng.c: xoshiro256** (Blackman and Vigna) seeded by splitmix64. */
#include "rng.h"

#include <math.h>

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
}

rng rng_split(rng *r, uint64_t tag)
{
    rng child;
    rng_init(&child, rng_next(r), tag, 0x5eed);
    return child;
}

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
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

int rng_chance(rng *r, double p) { return rng_uniform(r) < p; }

double rng_normal(rng *r)
{
    double u = 1.0 - rng_uniform(r); /* in (0, 1]: log is finite */
    double v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
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
