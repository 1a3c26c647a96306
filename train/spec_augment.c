/* spec_augment.c: drawing and applying the masks of spec_augment.h.
 *
 * Drawing is one loop over examples and their runs; applying clears an
 * example's masked bands in every frame and all its bands in its masked
 * frames, wherever its layout puts them.
 */
#include "spec_augment.h"

int spec_augment_runs(const spec_augment_params *p)
{
    return p->freq_masks + p->time_masks;
}

/* A run of 0 to widest (at most size) positions within [0, size). */
static spec_augment_run draw_run(int widest, int size, rng *r)
{
    if (widest > size) widest = size;
    spec_augment_run run;
    run.width = (int)rng_below(r, (uint32_t)widest + 1);
    run.start = (int)rng_below(r, (uint32_t)(size - run.width) + 1);
    return run;
}

void spec_augment_draw(const spec_augment_params *p, int frames,
                       int features, int rows, rng *r, spec_augment_run *runs)
{
    for (int row = 0; row < rows; row++) {
        for (int i = 0; i < p->freq_masks; i++)
            *runs++ = draw_run(p->freq_width, features, r);
        for (int i = 0; i < p->time_masks; i++)
            *runs++ = draw_run(p->time_width, frames, r);
    }
}

void spec_augment_apply(const spec_augment_params *p,
                        const spec_augment_run *runs, const spec_layout *l)
{
    int per_example = spec_augment_runs(p);
    for (int row = 0; row < l->rows; row++) {
        const spec_augment_run *bands = runs + (long)row * per_example;
        const spec_augment_run *times = bands + p->freq_masks;
        for (int i = 0; i < p->freq_masks; i++)
            for (int t = 0; t < l->frames; t++)
                for (int b = bands[i].start;
                     b < bands[i].start + bands[i].width; b++)
                    *spec_layout_at(l, row, t, b) = 0.0f;
        for (int i = 0; i < p->time_masks; i++)
            for (int t = times[i].start; t < times[i].start + times[i].width;
                 t++)
                for (int b = 0; b < l->bands; b++)
                    *spec_layout_at(l, row, t, b) = 0.0f;
    }
}
