/* spec_warp.h: frequency warping of the log-mel frames a model trains on,
 * so that it cannot learn one recording's exact spectral envelope.
 *
 * Each training example gets a factor drawn for it, log-uniformly between
 * 1 / (1 + most) and 1 + most, and its whole spectrum is scaled in
 * frequency by it: every band takes the value the example had at its
 * centre frequency times the factor (linear between neighbouring bands;
 * the bottom or top band's value past either end). A factor above 1 moves
 * the spectrum down (as a larger instrument of the family sounds), one
 * below 1 moves it up: resonances and pitch move together, as when a
 * sampler shifts a recorded note, so an example sounds like another
 * instrument of its kind rather than the one recording it came from.
 *
 * The warp works on log-mel values, not on standardised ones: it undoes
 * the model's per-band standardisation, warps and standardises again. A
 * logmel image's pixels (image.h) are its log-mel values measured from
 * the loudest, and are warped as they are.
 * Like spec_augment.h, the trainer draws a batch's factors in its calling
 * thread from its one generator and each worker warps its own rows, so a
 * seed and a thread count still give the same model. Validation and test
 * scoring are never warped.
 */
#ifndef IRMAS_SPEC_WARP_H
#define IRMAS_SPEC_WARP_H

#include "frontend.h"
#include "rng.h"
#include "spec_layout.h"

/* factors[0..rows): one factor per example, for warps of up to most
 * (0.1: from 1 / 1.1 to 1.1). */
void spec_warp_draw(double most, int rows, rng *r, float *factors);

/* Warps each of l's rows by its factor, for the logmel front-end p whose
 * bands they hold (p->mels == l->bands), standardised as (v - mean) *
 * scale, or as they are when mean and scale are NULL (a logmel image).
 * work holds 2 * l->bands floats. A factor of exactly 1 leaves its
 * example as it is. */
void spec_warp_apply(const frontend_params *p, const float *mean,
                     const float *scale, const float *factors,
                     const spec_layout *l, float *work);

#endif
