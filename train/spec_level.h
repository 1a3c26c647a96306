/* spec_level.h: playing the log-mel frames a model trains on louder or
 * quieter, so that it names an instrument whatever the input's level.
 *
 * A log-mel model sees the input's level: without this, one trained on
 * clips that peak near full scale hears the same recordings 12 dB
 * quieter (a microphone further away, a lower preamp gain) as other
 * instruments. Each training example gets a level change drawn for it,
 * uniformly in decibels between -most and +most, and every band of every
 * frame takes the value it would have had with the audio scaled so
 * (frontend_logmel_gain: the energy times the power ratio, under the
 * front-end's own floor, so quiet bands sink into it as they would).
 *
 * Like spec_warp.h, it works on log-mel values, undoing the model's
 * per-band standardisation and applying it again; the trainer draws a
 * batch's changes in its calling thread from its one generator and each
 * worker changes its own rows, so a seed and a thread count still give
 * the same model. Validation and test scoring are never changed.
 */
#ifndef IRMAS_SPEC_LEVEL_H
#define IRMAS_SPEC_LEVEL_H

#include "rng.h"

/* gains_db[0..rows): one change in decibels per example, uniform between
 * -most_db and +most_db. */
void spec_level_draw(double most_db, int rows, rng *r, float *gains_db);

/* Changes the level of each of rows examples of x[frames][rows][features]
 * (the time-major layout of examples_batch) by its gain, for logmel
 * features standardised as (v - mean) * scale. A gain of exactly 0 leaves
 * its example as it is. */
void spec_level_apply(const float *mean, const float *scale,
                      const float *gains_db, int rows, int frames,
                      int features, float *x);

#endif
