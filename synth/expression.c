/* expression.c: gesture curves sampled into score events. */
#include "expression.h"

#include <math.h>

vibrato expression_vibrato_draw(double cents_low, double cents_high, rng *r)
{
    return (vibrato){
        .depth_cents = rng_range(r, cents_low, cents_high),
        .rate_hz = rng_range(r, 4.5, 7.0),
        .delay = rng_range(r, 0.1, 0.4),
        .onset = rng_range(r, 0.15, 0.5),
    };
}

void expression_vibrato(score *s, const vibrato *v, double t0, double t1,
                        double center, rng *r)
{
    double start = t0 + v->delay;
    if (v->depth_cents <= 0 || t1 - start < 1.5 / v->rate_hz) return;
    double phase = 0, rate = v->rate_hz * rng_range(r, 0.92, 1.08);
    for (double t = start; t < t1; t += EXPRESSION_STEP) {
        double ramp = fmin(1.0, (t - start) / v->onset);
        score_bend(s, t, center + ramp * v->depth_cents / 100.0 * sin(phase));
        phase += 2 * M_PI * rate * EXPRESSION_STEP;
        rate += 0.02 * rng_normal(r); /* a player's rate drifts */
        if (rate < 0.8 * v->rate_hz || rate > 1.2 * v->rate_hz) rate = v->rate_hz;
    }
    score_bend(s, t1, center);
}

/* Smoothstep: 0 at 0, 1 at 1, flat at both ends. */
static double ease(double x) { return x * x * (3 - 2 * x); }

void expression_glide(score *s, double t0, double length, double from,
                      double to)
{
    int steps = (int)ceil(length / EXPRESSION_STEP);
    if (steps < 1) steps = 1;
    for (int i = 0; i <= steps; i++) {
        double x = (double)i / steps;
        score_bend(s, t0 + x * length, from + (to - from) * ease(x));
    }
}

void expression_ramp(score *s, double t0, double t1, int from, int to)
{
    int steps = (int)ceil((t1 - t0) / (2 * EXPRESSION_STEP));
    if (steps < 1) steps = 1;
    for (int i = 0; i <= steps; i++) {
        double x = (double)i / steps;
        score_control(s, t0 + x * (t1 - t0), CC_EXPRESSION,
                      (int)lround(from + (to - from) * ease(x)));
    }
}

void expression_swell(score *s, double t0, double t1, int start, int peak,
                      double peak_at, int end)
{
    double tp = t0 + peak_at * (t1 - t0);
    expression_ramp(s, t0, tp, start, peak);
    expression_ramp(s, tp, t1, peak, end);
}
