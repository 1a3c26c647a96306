/* spec_layout.h: where the spectrograms of a batch lie in memory, so that
 * one augmentation (spec_augment.h, spec_warp.h, spec_eq.h) serves both
 * kinds of log-mel input a model trains on:
 *   frames  examples_batch's time-major x[frames][rows][features]: band b
 *           of frame t of row r at x[(t * rows + r) * features + b];
 *   images  logmel images (image.h), [rows][size][size]: band b of frame t
 *           of row r at images[r * size * size + (size - 1 - b) * size + t],
 *           the highest band in the top row.
 * A layout names the first band of the first frame of the first row and
 * the floats between neighbouring rows, frames and bands (a step may be
 * negative).
 */
#ifndef IRMAS_SPEC_LAYOUT_H
#define IRMAS_SPEC_LAYOUT_H

typedef struct {
    float *origin; /* band 0 of frame 0 of row 0 */
    long row_step, frame_step, band_step;
    int rows, frames, bands;
} spec_layout;

/* x[frames][rows][features], as examples_batch lays frames out. */
spec_layout spec_layout_frames(float *x, int rows, int frames, int features);

/* rows logmel images of size x size pixels, one after another. */
spec_layout spec_layout_images(float *images, int rows, int size);

/* Where band `band` of frame `frame` of row `row` lies. */
static inline float *spec_layout_at(const spec_layout *l, int row, int frame,
                                    int band)
{
    return l->origin + row * l->row_step + frame * l->frame_step +
           band * l->band_step;
}

#endif
