/* spec_level.c: drawing and applying the level changes of spec_level.h,
 * one standardised value at a time. */
#include "spec_level.h"

#include "frontend.h"

#include <math.h>

void spec_level_draw(double most_db, int rows, rng *r, float *gains_db)
{
    for (int row = 0; row < rows; row++)
        gains_db[row] = (float)(most_db * (2.0 * rng_uniform(r) - 1.0));
}

void spec_level_apply(const float *mean, const float *scale,
                      const float *gains_db, int rows, int frames,
                      int features, float *x)
{
    for (int row = 0; row < rows; row++) {
        if (gains_db[row] == 0.0f) continue;
        float ratio = powf(10.0f, gains_db[row] / 10.0f);
        for (long t = 0; t < frames; t++) {
            float *frame = x + (t * rows + row) * features;
            for (int b = 0; b < features; b++) {
                if (scale[b] == 0.0f) continue; /* a band with no spread */
                float v = frame[b] / scale[b] + mean[b];
                v = frontend_logmel_gain(v, ratio);
                frame[b] = (v - mean[b]) * scale[b];
            }
        }
    }
}
