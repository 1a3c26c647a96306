/* spec_warp.c: drawing and applying the frequency warps of spec_warp.h.
 *
 * For each example the source position of every band is computed once
 * (frontend_band_position of the band's centre times the factor); each
 * frame is then turned back into log-mel values, read at those positions
 * and standardised again (an image's pixels are read as they are).
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

/* The log-mel value of band b of a frame held as v: undoes the
 * standardisation when there is one. */
static float level_of(float v, const float *mean, const float *scale, int b)
{
    if (!mean || !scale) return v;
    return scale[b] != 0.0f ? v / scale[b] + mean[b] : mean[b];
}

/* Frame t of row `row`, warped in place; level holds its log-mel values
 * meanwhile. */
static void warp_frame(const spec_layout *l, int row, int t, const float *where,
                       const float *mean, const float *scale, float *level)
{
    int features = l->bands;
    for (int b = 0; b < features; b++)
        level[b] = level_of(*spec_layout_at(l, row, t, b), mean, scale, b);
    for (int b = 0; b < features; b++) {
        int below = (int)where[b];
        if (below > features - 2) below = features > 1 ? features - 2 : 0;
        float above = where[b] - (float)below;
        float v = features > 1 ? level[below] + above * (level[below + 1] -
                                                         level[below])
                               : level[0];
        *spec_layout_at(l, row, t, b) =
            mean && scale ? (v - mean[b]) * scale[b] : v;
    }
}

void spec_warp_apply(const frontend_params *p, const float *mean,
                     const float *scale, const float *factors,
                     const spec_layout *l, float *work)
{
    float *where = work, *level = work + l->bands;
    for (int row = 0; row < l->rows; row++) {
        if (factors[row] == 1.0f) continue;
        source_positions(p, factors[row], l->bands, where);
        for (int t = 0; t < l->frames; t++)
            warp_frame(l, row, t, where, mean, scale, level);
    }
}
