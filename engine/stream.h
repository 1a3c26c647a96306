/* stream.h: the streaming classifier: audio in chunks of any size, one
 * probability vector out per hop.
 *
 * Windows of the model's length start every hop samples. Instead of
 * recomputing each window, the classifier keeps ceil(window / hop) window
 * states alive, started one hop apart, and advances all of them on each new
 * frame with one matrix-matrix product; a frame's front-end features and
 * input projection are computed once and shared by every live window. A
 * window's probabilities are emitted as soon as its last frame arrives, so
 * the work per hop is constant. Models that cannot stream (bidirectional
 * layers, per-window peak normalisation, statistics pooling, and image
 * models: CNNs and CRNNs) fall back to a whole-window pass at each hop. Nothing allocates after irmas_stream_new.
 *
 * The hop is rounded down to a whole number of front-end frames (at least
 * one); irmas_stream_hop says what it became. Results equal irmas_window_classify on the
 * same samples within 1e-5.
 */
#ifndef IRMAS_STREAM_H
#define IRMAS_STREAM_H

#include "model.h"

typedef struct irmas_stream irmas_stream;

/* Called once per completed window with its probabilities and the index
 * (counted from the first sample pushed since creation or reset) of the
 * sample just after the window's last one. */
typedef void (*irmas_stream_emit_fn)(void *user, const float *probs,
                               long long end_sample);

/* The model must outlive the stream. hop_samples <= 0 means 0.5 s. */
irmas_status irmas_stream_new(const irmas_model *m, int hop_samples, irmas_stream **out,
                        char *err, size_t errlen);
void irmas_stream_free(irmas_stream *s);

/* The hop in samples after rounding to whole frames. */
int irmas_stream_hop(const irmas_stream *s);

/* 1 if windows are advanced incrementally, 0 if each hop recomputes a whole
 * window (the models listed at the top). */
int irmas_stream_is_incremental(const irmas_stream *s);

/* Feeds n samples at the model's rate; calls emit for each window that
 * completes. NaN and infinite samples are taken as 0. */
void irmas_stream_push(irmas_stream *s, const float *samples, long n, irmas_stream_emit_fn emit,
                 void *user);

/* Forgets all audio: the next window starts with the next sample pushed. */
void irmas_stream_reset(irmas_stream *s);

#endif
