/* recompute.h: the naive way to classify sliding windows: keep the last
 * window of audio and run the whole-window pass (window.h) on it at every
 * hop.
 *
 * It emits the same windows as the streaming classifier (stream.h) with the
 * same callback, so the daemon can run either; it exists so the latency
 * benchmark can show what streaming saves (irmasd --no-incremental).
 */
#ifndef IRMASD_RECOMPUTE_H
#define IRMASD_RECOMPUTE_H

#include "stream.h"

typedef struct recompute recompute;

/* hop_samples as irmas_stream_hop gives it; the model must outlive r. */
irmas_status recompute_new(const irmas_model *m, int hop_samples, recompute **out,
                           char *err, size_t errlen);
void recompute_delete(recompute *r);

/* As irmas_stream_push: windows start every hop samples from the first sample
 * pushed since creation or reset. */
void recompute_push(recompute *r, const float *samples, long n,
                    irmas_stream_emit_fn emit, void *user);
void recompute_reset(recompute *r);

#endif
