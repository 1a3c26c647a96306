/* window.h: the whole-window forward pass: one window of samples in, class
 * probabilities out.
 *
 * This is the reference the streaming classifier is measured against, the
 * fallback it uses for models that cannot stream (bidirectional layers,
 * per-window peak normalisation), and what irmas-eval and irmas-tag run. A
 * window_runner holds every buffer the pass needs, so window_classify never
 * allocates; use one per thread.
 */
#ifndef IRMAS_WINDOW_H
#define IRMAS_WINDOW_H

#include "model.h"

typedef struct window_runner window_runner;

irmas_status window_new(const model *m, window_runner **out, char *err,
                        size_t errlen);
void window_delete(window_runner *w);

/* probs[classes] for samples[window_samples] at the model's rate. samples
 * are not modified (normalisation works on a copy). */
void window_classify(window_runner *w, const float *samples, float *probs);

/* The same from frames already computed and standardised
 * (features[frames][features]); the trainer and tests use it. */
void window_classify_frames(window_runner *w, const float *features,
                            float *probs);

#endif
