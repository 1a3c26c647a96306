/* window.h: the whole-window forward pass: one window of samples in, class
 * probabilities out, for every shape of model (recurrent, statistics, CNN,
 * CRNN; model.h).
 *
 * This is the reference the streaming classifier is measured against, the
 * fallback it uses for models that cannot stream (bidirectional layers,
 * per-window peak normalisation, image and stats layers), and what
 * irmas-eval and irmas-tag run. A window_runner holds every buffer the pass
 * needs, so window_classify never allocates; use one per thread.
 */
#ifndef IRMAS_WINDOW_H
#define IRMAS_WINDOW_H

#include "model.h"

typedef struct window_runner window_runner;

irmas_status window_new(const model *m, window_runner **out, char *err,
                        size_t errlen);
void window_delete(window_runner *w);

/* The floats window_new would allocate for m's buffers (a validated
 * model), without allocating them; model_cost_of counts them. */
long window_working_floats(const model *m);

/* probs[classes] for samples[window_samples] at the model's rate. samples
 * are not modified (normalisation works on a copy). */
void window_classify(window_runner *w, const float *samples, float *probs);

/* The same from frames already computed and standardised
 * (features[frames][features]); the trainer and tests use it. Only for
 * models that read no image. */
void window_classify_frames(window_runner *w, const float *features,
                            float *probs);

/* The same from what the model reads, already made from the window's
 * samples after model_prepare_samples: image[image_floats] as image_build
 * makes it, and features[frames][features] standardised; pass NULL for
 * what the model does not read (model_reads_image, model_reads_frames). */
void window_classify_prepared(window_runner *w, const float *image,
                              const float *features, float *probs);

#endif
