/* spec_level.c: drawing and applying the level changes of spec_level.h:
 * a level change is spec_eq.h's equaliser with a flat curve. */
#include "spec_level.h"

#include "spec_eq.h"

void spec_level_draw(double most_db, int rows, rng *r, float *gains_db)
{
    for (int row = 0; row < rows; row++)
        gains_db[row] = (float)(most_db * (2.0 * rng_uniform(r) - 1.0));
}

void spec_level_apply(const float *mean, const float *scale,
                      const float *gains_db, int rows, int frames,
                      int features, float *x)
{
    spec_layout all = spec_layout_frames(x, rows, frames, features);
    for (int row = 0; row < rows; row++) {
        /* one example, through a flat curve at its gain */
        spec_layout one = all;
        one.origin = spec_layout_at(&all, row, 0, 0);
        one.rows = 1;
        float curve[SPEC_EQ_POINTS];
        for (int i = 0; i < SPEC_EQ_POINTS; i++) curve[i] = gains_db[row];
        spec_eq_apply(mean, scale, curve, &one);
    }
}
