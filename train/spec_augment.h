/* spec_augment.h: SpecAugment-style masking (Park et al. 2019) of the
 * log-mel frames a model trains on, so that it cannot lean on a few bands or
 * moments of its training sources' timbres.
 *
 * Each training example gets freq_masks frequency masks, each a run of 0
 * to freq_width consecutive bands, and time_masks time masks, each a run
 * of 0 to time_width consecutive frames, every run's width and then its
 * start drawn uniformly, frequency masks first. A masked value is set to
 * 0: frames are standardised by then, so that is the band's mean over the
 * training split; in a logmel image (image.h) it is black, 80 dB below
 * the loudest. Masks may overlap, as in the paper.
 *
 * The trainer draws a batch's masks in its calling thread, from its one
 * generator, and each worker applies its rows' masks to the frames it has
 * assembled, so a seed and a thread count still give the same model.
 * Validation and test scoring are never masked.
 */
#ifndef IRMAS_SPEC_AUGMENT_H
#define IRMAS_SPEC_AUGMENT_H

#include "rng.h"
#include "spec_layout.h"

typedef struct {
    int freq_masks, freq_width; /* all zero: no augmentation */
    int time_masks, time_width;
} spec_augment_params;

/* One masked run: bands or frames start .. start + width - 1. */
typedef struct {
    int start, width;
} spec_augment_run;

/* Runs per example: freq_masks + time_masks (0: augmentation is off). */
int spec_augment_runs(const spec_augment_params *p);

/* Draws runs[rows][spec_augment_runs(p)] for examples of frames frames x
 * features bands: each example's frequency runs, then its time runs. A
 * width larger than the frames or bands there are is cut to them. */
void spec_augment_draw(const spec_augment_params *p, int frames,
                       int features, int rows, rng *r, spec_augment_run *runs);

/* Sets the runs drawn for each of l's rows to 0, frames or images
 * alike. */
void spec_augment_apply(const spec_augment_params *p,
                        const spec_augment_run *runs, const spec_layout *l);

#endif
