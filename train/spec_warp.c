/* spec_warp.c: drawing and applying the frequency warps of spec_warp.h.
 *
 * For each example the source position of every band is computed once
 * (frontend_band_position of the band's centre times the factor); each
 * frame is then turned back into log-mel values, read at those positions
 * and standardised again.
 */
#include "spec_warp.h"

#include <math.h>

void spec_warp_draw(double most, int rows, rng *r, float *factors)
{
    double span = log1p(most);
    for (int row = 0; row < rows; row++)
        factors[row] = (float)exp(span * (2.0 * rng_uniform(r) - 1.0));
}

/* where[b]: the position, in bands, that band b reads for factor. */
static void source_positions(const frontend_params *p, float factor,
                             int features, float *where)
{
    for (int b = 0; b < features; b++) {
        double at = frontend_band_position(
            p, frontend_band_centre(p, b) * (double)factor);
        where[b] = (float)(at < 0.0               ? 0.0
                           : at > features - 1.0 ? features - 1.0
                                                 : at);
    }
}

/* One frame of standardised values, warped in place; level holds its
 * log-mel values meanwhile. */
static void warp_frame(const float *where, const float *mean,
                       const float *scale, int features, float *level,
                       float *frame)
{
    for (int b = 0; b < features; b++)
        level[b] = scale[b] != 0.0f ? frame[b] / scale[b] + mean[b] : mean[b];
    for (int b = 0; b < features; b++) {
        int below = (int)where[b];
        if (below > features - 2) below = features > 1 ? features - 2 : 0;
        float above = where[b] - (float)below;
        float v = features > 1 ? level[below] + above * (level[below + 1] -
                                                         level[below])
                               : level[0];
        frame[b] = (v - mean[b]) * scale[b];
    }
}

void spec_warp_apply(const frontend_params *p, const float *mean,
                     const float *scale, const float *factors, int rows,
                     int frames, int features, float *work, float *x)
{
    float *where = work, *level = work + features;
    for (int row = 0; row < rows; row++) {
        if (factors[row] == 1.0f) continue;
        source_positions(p, factors[row], features, where);
        for (long t = 0; t < frames; t++)
            warp_frame(where, mean, scale, features, level,
                       x + (t * rows + row) * features);
    }
}
