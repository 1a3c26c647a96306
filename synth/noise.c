/* noise.c: coloured noise and hum, scaled to a level. */
#include "noise.h"

#include <math.h>
#include <stdlib.h>

static const char *const names[NOISE_KINDS] = {"pink", "brown", "hiss", "hum"};

const char *noise_name(noise_kind kind) { return names[kind]; }

static double white(rng *r) { return 2 * rng_uniform(r) - 1; }

/* Paul Kellet's economy pink filter: -3 dB per octave within 0.5 dB
 * above 10 Hz at 44.1 kHz. */
static void pink(rng *r, float *x, long n)
{
    double b0 = 0, b1 = 0, b2 = 0;
    for (long i = 0; i < n; i++) {
        double w = white(r);
        b0 = 0.99765 * b0 + w * 0.0990460;
        b1 = 0.96300 * b1 + w * 0.2965164;
        b2 = 0.57000 * b2 + w * 1.0526913;
        x[i] = (float)(b0 + b1 + b2 + w * 0.1848);
    }
}

/* Integrated white noise with a leak so it cannot wander off. */
static void brown(rng *r, float *x, long n)
{
    double y = 0;
    for (long i = 0; i < n; i++) {
        y = 0.995 * y + 0.1 * white(r);
        x[i] = (float)y;
    }
}

static void hiss(rng *r, float *x, long n)
{
    for (long i = 0; i < n; i++) x[i] = (float)white(r);
}

/* 50 or 60 Hz and its harmonics, the odd ones strong (rectifier buzz).
 * Each harmonic is a phasor turned by a fixed rotation every sample, which
 * costs four products instead of a sine. */
static void hum(rng *r, int rate, float *x, long n)
{
    enum { HARMONICS = 7 };
    double f0 = rng_chance(r, 0.5) ? 50 : 60;
    double re[HARMONICS], im[HARMONICS], c[HARMONICS], s[HARMONICS];
    for (int h = 0; h < HARMONICS; h++) {
        int k = h + 1;
        double amp = rng_range(r, 0.1, 1.0) / (k % 2 ? k : 2 * k);
        re[h] = amp * cos(k);
        im[h] = amp * sin(k);
        c[h] = cos(2 * M_PI * f0 * k / rate);
        s[h] = sin(2 * M_PI * f0 * k / rate);
    }
    for (long i = 0; i < n; i++) {
        double y = 0;
        for (int h = 0; h < HARMONICS; h++) {
            double turned = re[h] * c[h] - im[h] * s[h];
            im[h] = re[h] * s[h] + im[h] * c[h];
            re[h] = turned;
            y += im[h];
        }
        x[i] = (float)y;
    }
}

static void generate(noise_kind kind, int rate, rng *r, float *x, long n)
{
    switch (kind) {
    case NOISE_PINK: pink(r, x, n); break;
    case NOISE_BROWN: brown(r, x, n); break;
    case NOISE_HISS: hiss(r, x, n); break;
    case NOISE_HUM:
    case NOISE_KINDS: hum(r, rate, x, n); break;
    }
}

static double rms_of(const float *x, long n)
{
    double sum = 0;
    for (long i = 0; i < n; i++) sum += (double)x[i] * x[i];
    return n ? sqrt(sum / n) : 0;
}

int noise_add(noise_kind kind, double rms, int rate, rng *r, float *left,
              float *right, long n)
{
    float *shared = malloc((size_t)n * sizeof *shared);
    float *own = malloc((size_t)n * sizeof *own);
    if (!shared || !own) {
        free(shared);
        free(own);
        return -1;
    }
    /* Each channel: a shared part and its own, equal in power, unless
     * it is hum, which is one signal on both wires. */
    double mix = kind == NOISE_HUM ? 0 : sqrt(0.5);
    generate(kind, rate, r, shared, n);
    double scale = rms / fmax(rms_of(shared, n), 1e-12);
    float *out[2] = {left, right};
    for (int c = 0; c < 2; c++) {
        if (mix > 0) generate(kind, rate, r, own, n);
        for (long i = 0; i < n; i++)
            out[c][i] += (float)(scale * (mix > 0 ? mix * (shared[i] + own[i]) : shared[i]));
    }
    free(shared);
    free(own);
    return 0;
}
