/* spec_eq.h: random equalisation of the log-mel spectra a model trains on,
 * as through another microphone, room or amplifier, so that it cannot
 * learn one recording chain's colour as part of an instrument.
 *
 * Each training example gets a gain curve over its bands drawn for it:
 * gains at SPEC_EQ_POINTS points spread evenly from its lowest band to its
 * highest, each uniform between -most and +most decibels, joined by
 * straight lines over the bands between. Every frame's band b is then
 * played by its gain, as spec_level.h plays a whole example: log-mel
 * frames take the value they would have had with the band's energy times
 * the power ratio, under the front-end's floor (frontend_logmel_gain), and
 * a logmel image's pixels (image.h) move by the gain over
 * IMAGE_LOGMEL_RANGE_DB, black staying black and none below it.
 *
 * Like the other changes it works through spec_layout.h on frames or
 * images, undoing the model's per-band standardisation of frames and
 * applying it again; the trainer draws a batch's curves in its calling
 * thread from its one generator and each worker changes its own rows, so
 * a seed and a thread count still give the same model. Validation and
 * test scoring are never changed.
 */
#ifndef IRMAS_SPEC_EQ_H
#define IRMAS_SPEC_EQ_H

#include "rng.h"
#include "spec_layout.h"

#define SPEC_EQ_POINTS 4 /* gains drawn per example */

/* gains_db[rows][SPEC_EQ_POINTS]: each example's curve, every point
 * uniform between -most_db and +most_db. */
void spec_eq_draw(double most_db, int rows, rng *r, float *gains_db);

/* The gain of band b of `bands` on the curve points[SPEC_EQ_POINTS]. */
float spec_eq_gain(const float *points, int band, int bands);

/* Plays each of l's rows through its curve: log-mel frames standardised
 * as (v - mean) * scale, or logmel images when mean and scale are NULL. */
void spec_eq_apply(const float *mean, const float *scale,
                   const float *gains_db, const spec_layout *l);

#endif
