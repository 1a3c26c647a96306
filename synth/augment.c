/* augment.c: drawing and applying a recording chain. */
#include "augment.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int augment_parse_level(const char *text)
{
    static const char *const names[] = {"none", "light", "full"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(text, names[i])) return i;
    return -1;
}

static void add_filter(augment_plan *p, biquad_kind kind, double hz, double q, double gain_db)
{
    if (p->n_filters < AUGMENT_MAX_FILTERS)
        p->filters[p->n_filters++] = (augment_filter){kind, hz, q, gain_db};
}

static void draw_light(augment_plan *p, rng *r)
{
    if ((p->has_room = rng_chance(r, 0.8)))
        p->room = room_draw(0.2, 1.0, -16, -6, r);
    add_filter(p, BIQUAD_HIGHPASS, rng_log_range(r, 20, 80), 0.707, 0);
    if (rng_chance(r, 0.5)) add_filter(p, BIQUAD_LOWPASS, rng_log_range(r, 12000, 20000), 0.707, 0);
    for (int i = rng_int(r, 1, 2); i > 0; i--)
        add_filter(p, BIQUAD_PEAK, rng_log_range(r, 150, 8000), rng_range(r, 0.5, 2), rng_range(r, -4, 4));
    if ((p->has_compressor = rng_chance(r, 0.3)))
        p->comp = (compressor){rng_range(r, 0, 8), rng_range(r, 1.5, 3),
                               rng_log_range(r, 0.005, 0.03), rng_log_range(r, 0.08, 0.3), 0};
    if ((p->has_noise = rng_chance(r, 0.5))) {
        p->noise = (noise_kind)rng_int(r, 0, NOISE_KINDS - 1);
        p->snr_db = rng_range(r, 45, 70);
    }
    p->level_db = rng_range(r, -22, -14);
}

static void draw_full(augment_plan *p, rng *r)
{
    if ((p->has_room = rng_chance(r, 0.95)))
        p->room = room_draw(0.15, 2.5, -14, 2, r);
    if (rng_chance(r, 0.8)) add_filter(p, BIQUAD_HIGHPASS, rng_log_range(r, 30, 200), 0.707, 0);
    if (rng_chance(r, 0.6)) add_filter(p, BIQUAD_LOWPASS, rng_log_range(r, 3500, 18000), rng_range(r, 0.6, 1.0), 0);
    for (int i = rng_int(r, 1, 3); i > 0; i--)
        add_filter(p, BIQUAD_PEAK, rng_log_range(r, 100, 9000), rng_range(r, 0.4, 3), rng_range(r, -9, 9));
    if (rng_chance(r, 0.5)) add_filter(p, BIQUAD_LOW_SHELF, rng_log_range(r, 80, 300), 0.707, rng_range(r, -6, 6));
    if (rng_chance(r, 0.5)) add_filter(p, BIQUAD_HIGH_SHELF, rng_log_range(r, 2500, 8000), 0.707, rng_range(r, -6, 6));
    if ((p->has_compressor = rng_chance(r, 0.6)))
        p->comp = (compressor){rng_range(r, -4, 6), rng_range(r, 2, 8),
                               rng_log_range(r, 0.002, 0.03), rng_log_range(r, 0.05, 0.4), 0};
    if ((p->has_noise = rng_chance(r, 0.8))) {
        p->noise = (noise_kind)rng_int(r, 0, NOISE_KINDS - 1);
        p->snr_db = rng_range(r, 22, 55);
    }
    p->level_db = rng_range(r, -28, -10);
}

void augment_draw(augment_plan *p, augment_level level, rng *r)
{
    memset(p, 0, sizeof *p);
    p->level_db = -18;
    if (level == AUGMENT_LIGHT) draw_light(p, r);
    if (level == AUGMENT_FULL) draw_full(p, r);
}

/* Scales to the planned RMS, but never so far that the limiter would have
 * to take more than 4 dB off the peaks. */
static void set_level(const augment_plan *p, float *left, float *right, long n)
{
    double rms = dynamics_rms_db(left, right, n);
    if (rms < -150) return;
    float gain = (float)pow(10, (p->level_db - rms) / 20);
    float peak = dynamics_peak(left, right, n) * gain;
    if (peak > 1.6f) gain *= 1.6f / peak;
    dynamics_gain(left, right, n, gain);
}

irmas_status augment_apply(const augment_plan *p, int rate, rng *r,
                           float *left, float *right, long n)
{
    if (p->has_room) {
        irmas_status st = room_apply(&p->room, rate, r, left, right, n);
        if (st != IRMAS_OK) return st;
    }
    for (int i = 0; i < p->n_filters; i++) {
        const augment_filter *f = &p->filters[i];
        biquad b = biquad_make(f->kind, f->hz, f->q, f->gain_db, rate);
        biquad_process(&b, left, right, n);
    }
    if (p->has_compressor) {
        compressor c = p->comp;
        c.threshold_db += dynamics_rms_db(left, right, n);
        dynamics_compress(&c, rate, left, right, n);
    }
    set_level(p, left, right, n);
    if (p->has_noise) {
        double rms = pow(10, (dynamics_rms_db(left, right, n) - p->snr_db) / 20);
        if (noise_add(p->noise, rms, rate, r, left, right, n) != 0) return IRMAS_ERR_NOMEM;
    }
    dynamics_soft_limit(left, right, n, 0.8f, 0.995f);
    return IRMAS_OK;
}

static const char *const filter_names[] = {"lp", "hp", "peak", "lowshelf", "highshelf"};

/* Appends to out, never past size, keeping the string terminated. */
static void put(char *out, size_t size, const char *fmt, ...)
{
    size_t used = strlen(out);
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + used, size - used, fmt, ap);
    va_end(ap);
}

void augment_describe(const augment_plan *p, char *out, size_t size)
{
    if (size == 0) return;
    out[0] = '\0';
    if (p->has_room)
        put(out, size, "room rt60 %.2fs wet %.1fdB; ", p->room.rt60, p->room.wet_db);
    for (int i = 0; i < p->n_filters; i++) {
        const augment_filter *f = &p->filters[i];
        put(out, size, "%s %.0fHz", filter_names[f->kind], f->hz);
        if (f->gain_db != 0) put(out, size, " %+.1fdB", f->gain_db);
        put(out, size, "; ");
    }
    if (p->has_compressor) put(out, size, "comp %.1f:1; ", p->comp.ratio);
    if (p->has_noise) put(out, size, "noise %s %.0fdB SNR; ", noise_name(p->noise), p->snr_db);
    put(out, size, "level %.1fdBFS", p->level_db);
}
