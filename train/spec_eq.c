/* spec_eq.c: drawing and applying the curves of spec_eq.h, one band of
 * one frame at a time. */
#include "spec_eq.h"

#include "frontend.h"
#include "image.h"

#include <math.h>

void spec_eq_draw(double most_db, int rows, rng *r, float *gains_db)
{
    for (long i = 0; i < (long)rows * SPEC_EQ_POINTS; i++)
        gains_db[i] = (float)(most_db * (2.0 * rng_uniform(r) - 1.0));
}

float spec_eq_gain(const float *points, int band, int bands)
{
    if (bands < 2) return points[0];
    float at = (float)band * (SPEC_EQ_POINTS - 1) / (float)(bands - 1);
    int below = (int)at;
    if (below >= SPEC_EQ_POINTS - 1) return points[SPEC_EQ_POINTS - 1];
    float above = at - (float)below;
    return points[below] + above * (points[below + 1] - points[below]);
}

/* v, a log-mel frame's standardised band b, its energy times
 * power_ratio. */
static float frame_value(float v, const float *mean, const float *scale,
                         int b, float power_ratio)
{
    if (scale[b] == 0.0f) return v; /* a band with no spread */
    float level = v / scale[b] + mean[b];
    level = frontend_logmel_gain(level, power_ratio);
    return (level - mean[b]) * scale[b];
}

/* p, a logmel image's pixel, played gain_db louder. */
static float pixel_value(float p, float gain_db)
{
    if (p <= 0.0f) return p;
    float moved = p + gain_db / IMAGE_LOGMEL_RANGE_DB;
    return moved > 0.0f ? moved : 0.0f;
}

void spec_eq_apply(const float *mean, const float *scale,
                   const float *gains_db, const spec_layout *l)
{
    for (int row = 0; row < l->rows; row++) {
        const float *points = gains_db + (long)row * SPEC_EQ_POINTS;
        for (int b = 0; b < l->bands; b++) {
            float gain = spec_eq_gain(points, b, l->bands);
            if (gain == 0.0f) continue;
            float ratio = powf(10.0f, gain / 10.0f); /* once a band */
            for (int t = 0; t < l->frames; t++) {
                float *v = spec_layout_at(l, row, t, b);
                *v = mean && scale ? frame_value(*v, mean, scale, b, ratio)
                                   : pixel_value(*v, gain);
            }
        }
    }
}
