/* host_tagger.h: a model listening to a plugin host's audio, as the LV2 and
 * Vamp plugins run it.
 *
 * It is irmasd's audio path without irmasd: the host's mono audio is
 * resampled to the model's rate and streamed through the classifier
 * (live_tagger.h), each window's level measured on the audio it covers
 * (history.h) and judged by the silence gate and the moving average
 * (verdict.h), so the plugins give the daemon's numbers for the same audio
 * and settings.
 *
 * Thread safety: host_tagger_load, _new and _free allocate and may block
 * (call them where the host allows: instantiate, a worker thread);
 * host_tagger_push, _set and _finish allocate nothing, lock nothing and make
 * no system call, so they may run in the host's audio thread.
 */
#ifndef IRMAS_HOST_TAGGER_H
#define IRMAS_HOST_TAGGER_H

#include "model.h"

typedef struct host_tagger host_tagger;

/* Called for each window: its probabilities after the gate and the moving
 * average, or NULL when it was quieter than the gate; its level; and the
 * time of its end in seconds of host audio since the tagger started. */
typedef void (*host_tagger_fn)(void *user, const float *probs,
                               double level_dbfs, double end_seconds);

/* Loads the model at path (NULL: model_default_path) with the
 * default cost limits, finding a pretrained front-end's weights as irmasd
 * does ($IRMAS_WEIGHTS or the installed folder). On failure *out is NULL
 * and the message names the file. */
irmas_status host_tagger_load(const char *path, irmas_model **out, char *err,
                              size_t errlen);

/* A tagger running m (which it then owns) on audio at host_rate Hz, a
 * window every hop_seconds (rounded to the model's frames), gating windows
 * quieter than gate_dbfs and averaging over smooth_seconds. Refuses a host
 * rate too low for the model and a hop longer than its window. */
irmas_status host_tagger_new(irmas_model *m, double host_rate, double hop_seconds,
                             double gate_dbfs, double smooth_seconds,
                             host_tagger **out, char *err, size_t errlen);

/* Frees the tagger and its model; NULL is fine. */
void host_tagger_free(host_tagger *t);

const irmas_model *host_tagger_model(const host_tagger *t);

/* The hop in seconds, after rounding to the model's frames. */
double host_tagger_hop_seconds(const host_tagger *t);

/* Changes the gate and the moving average from the next window on.
 * Real-time safe. */
void host_tagger_set(host_tagger *t, double gate_dbfs, double smooth_seconds);

/* Feeds n frames at the host's rate, one array per channel (mixed down to
 * one; NaN and infinite samples count as 0); calls fn for each window that
 * ends in them. Real-time safe. */
void host_tagger_push(host_tagger *t, const float *const *channels,
                      int n_channels, long n, host_tagger_fn fn, void *user);

/* Forgets the audio so far: the next window is the first of a new run
 * (a host restarting its transport). Real-time safe. */
void host_tagger_reset(host_tagger *t);

/* The audio ended: reports the last window it completes. Real-time safe. */
void host_tagger_finish(host_tagger *t, host_tagger_fn fn, void *user);

#endif
