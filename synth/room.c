/* room.c: impulse responses from noise and taps, applied by FFT. */
#include "room.h"

#include <math.h>
#include <stdlib.h>

#include "convolve.h"

room_params room_draw(double rt60_low, double rt60_high, double wet_low_db,
                      double wet_high_db, rng *r)
{
    room_params p;
    p.rt60 = rng_log_range(r, rt60_low, rt60_high);
    /* Bigger halls ring longer and their walls are farther away. */
    double scale = sqrt(p.rt60);
    p.predelay = rng_range(r, 0.002, 0.025) * scale;
    p.size = rng_range(r, 0.01, 0.06) * scale;
    p.damping = rng_range(r, 1.3, 3.5);
    p.reflections = rng_int(r, 6, 16);
    p.early = rng_range(r, 0.15, 1.0);
    p.wet_db = rng_range(r, wet_low_db, wet_high_db);
    return p;
}

/* One channel's tail: noise split into bass, mid and treble by one-pole
 * filters, each band decaying at its own rate, faded in after start. */
static void tail(const room_params *p, int rate, rng *r, float *h, long n, long start)
{
    double low_a = 1 - exp(-2 * M_PI * 400.0 / rate);
    double mid_a = 1 - exp(-2 * M_PI * 3000.0 / rate);
    /* Per-sample decay factors: 60 dB (a factor 1000, e^6.9078) per RT60. */
    double d_low = exp(-6.9078 / (1.15 * p->rt60 * rate));
    double d_mid = exp(-6.9078 / (p->rt60 * rate));
    double d_high = exp(-6.9078 / (p->rt60 / p->damping * rate));
    double e_low = 1, e_mid = 1, e_high = 1, low = 0, below_high = 0;
    long fade = (long)(0.015 * rate) + 1;
    for (long i = start; i < n; i++) {
        double w = 2 * rng_uniform(r) - 1;
        low += low_a * (w - low);
        below_high += mid_a * (w - below_high);
        double y = low * e_low + (below_high - low) * e_mid + (w - below_high) * e_high;
        e_low *= d_low;
        e_mid *= d_mid;
        e_high *= d_high;
        double ramp = i - start < fade ? (double)(i - start) / fade : 1;
        h[i] += (float)(y * ramp);
    }
}

static double energy_of(const float *h, long n)
{
    double e = 0;
    for (long i = 0; i < n; i++) e += (double)h[i] * h[i];
    return e;
}

/* Reflections carrying p->early times the tail's energy between them. */
static void early_reflections(const room_params *p, int rate, rng *r, float *h, long n)
{
    double each = sqrt(p->early * energy_of(h, n) / p->reflections);
    for (int k = 0; k < p->reflections; k++) {
        /* Later reflections arrive denser and weaker. */
        double t = p->predelay + p->size * pow(rng_uniform(r), 0.7);
        long i = lround(t * rate);
        if (i >= n) continue;
        double gain = each * rng_range(r, 0.5, 1.5) * exp(-6.9078 * t / p->rt60);
        h[i] += (float)(rng_chance(r, 0.5) ? gain : -gain);
    }
}

static void normalise(float *left, float *right, long n)
{
    double energy = 0;
    for (long i = 0; i < n; i++)
        energy += (double)left[i] * left[i] + (double)right[i] * right[i];
    float scale = energy > 0 ? (float)sqrt(2.0 / energy) : 0;
    for (long i = 0; i < n; i++) {
        left[i] *= scale;
        right[i] *= scale;
    }
}

irmas_status room_impulse(const room_params *p, int rate, rng *r,
                          float **left, float **right, long *frames)
{
    long n = lround(fmin(3.0, p->predelay + p->size + 1.2 * p->rt60) * rate);
    *left = calloc((size_t)n, sizeof **left);
    *right = calloc((size_t)n, sizeof **right);
    if (!*left || !*right) {
        free(*left);
        free(*right);
        return IRMAS_ERR_NOMEM;
    }
    long tail_start = lround((p->predelay + 0.5 * p->size) * rate);
    float *channels[2] = {*left, *right};
    for (int c = 0; c < 2; c++) {
        tail(p, rate, r, channels[c], n, tail_start);
        early_reflections(p, rate, r, channels[c], n);
    }
    normalise(*left, *right, n);
    *frames = n;
    return IRMAS_OK;
}

irmas_status room_apply(const room_params *p, int rate, rng *r, float *left,
                        float *right, long n)
{
    float *h_left, *h_right, *mono = malloc((size_t)n * sizeof *mono);
    long m;
    if (!mono) return IRMAS_ERR_NOMEM;
    irmas_status st = room_impulse(p, rate, r, &h_left, &h_right, &m);
    if (st == IRMAS_OK) {
        for (long i = 0; i < n; i++) mono[i] = 0.5f * (left[i] + right[i]);
        st = convolve_add(mono, n, h_left, h_right, m,
                          (float)pow(10, p->wet_db / 20), left, right);
        free(h_left);
        free(h_right);
    }
    free(mono);
    return st;
}
