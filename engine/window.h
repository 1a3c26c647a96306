/* window.h: the whole-window forward pass: one window of samples in, class
 * probabilities out, for every shape of model (recurrent, statistics, CNN,
 * CRNN; model.h).
 *
 * This is the reference the streaming classifier is measured against, the
 * fallback it uses for models that cannot stream (bidirectional layers,
 * per-window peak normalisation, image and stats layers), and what
 * irmas-eval and irmas-tag run. A irmas_window holds every buffer the pass
 * needs, so irmas_window_classify never allocates; use one per thread.
 */
#ifndef IRMAS_WINDOW_H
#define IRMAS_WINDOW_H

#include "model.h"

/* irmas_window_new, irmas_window_classify and irmas_window_free are
 * public: irmas/irmas.h. What follows is for the trainer, the stream and
 * the tests. */

/* The floats irmas_window_new would allocate for m's buffers (a validated
 * model), without allocating them; model_cost_of counts them. */
long irmas_window_working_floats(const irmas_model *m);

/* irmas_window_classify in two steps, for a caller that wants the
 * front-end's frames too. irmas_window_read reads samples (one window)
 * through the front-end and returns its frames [frames][features] as they
 * come out of it, not yet standardised (NULL for a model that reads none);
 * they stay in w until irmas_window_classify_read, which standardises them
 * in place and classifies what was read. Together they give what
 * irmas_window_classify gives. */
const float *irmas_window_read(irmas_window *w, const float *samples);
void irmas_window_classify_read(irmas_window *w, float *probs);

/* irmas_window_classify on the window whose first sample is number
 * position of a stream (the streaming classifier's whole-window fallback,
 * which numbers its samples as image_build asks): a log-mel image reuses
 * the frames it shares with the last window of the stream. */
void irmas_window_classify_at(irmas_window *w, const float *samples,
                              long long position, float *probs);

/* The same from frames already computed and standardised
 * (features[frames][features]); the trainer and tests use it. Only for
 * models that read no image. */
void irmas_window_classify_frames(irmas_window *w, const float *features,
                            float *probs);

/* The same from what the model reads, already made from the window's
 * samples after model_prepare_samples: image[image_floats] as image_build
 * makes it, and features[frames][features] standardised; pass NULL for
 * what the model does not read (model_reads_image, model_reads_frames). */
void irmas_window_classify_prepared(irmas_window *w, const float *image,
                              const float *features, float *probs);

#endif
