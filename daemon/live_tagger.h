/* live_tagger.h: a model at work on the device's audio: the resampler from the
 * device's rate to the model's, and the classifier that turns the audio
 * into one probability vector per hop.
 *
 * The worker owns one tagger at a time. On SIGHUP the main thread builds a
 * new one from the reloaded model, away from the audio path; the daemon_worker
 * primes it with the recent past (live_tagger_restart, then live_tagger_push
 * without a callback) and swaps it in. Positions are the worker's frame numbers
 * (timeline.h), so a window is reported by the device frame of its last
 * sample, whatever the model's rate.
 */
#ifndef IRMASD_LIVE_TAGGER_H
#define IRMASD_LIVE_TAGGER_H

#include "model.h"

typedef struct live_tagger live_tagger;

/* Called for each finished window with its probabilities (in model order)
 * and the device frame number of its last sample (fractional when the
 * rates differ). */
typedef void (*live_tagger_window_fn)(void *user, const float *probs,
                                 double last_frame);

/* A tagger running m, any shape of model (model.h), on audio at
 * device_rate, a window every hop_seconds (rounded to the model's frames),
 * streamed or, with incremental = 0 or a model that cannot stream,
 * recomputed whole at every hop (the stream's whole-window pass,
 * IRMAS_STREAM_WHOLE_WINDOWS in irmas/irmas.h). Refuses a device rate too low
 * to carry the frequencies the model reads, and a hop longer than the
 * model's window (audio no window covers). On success the tagger owns m. */
irmas_status live_tagger_new(irmas_model *m, int device_rate,
                             double hop_seconds, int incremental,
                             live_tagger **out, char *err, size_t errlen);
void live_tagger_free(live_tagger *t);

const irmas_model *live_tagger_model(const live_tagger *t);
int live_tagger_device_rate(const live_tagger *t);
double live_tagger_hop_seconds(const live_tagger *t);

/* 1 if windows are streamed, 0 if each is recomputed whole (see above). */
int live_tagger_is_incremental(const live_tagger *t);

/* The window's length in device frames. */
double live_tagger_window_frames(const live_tagger *t);

/* Follows the device to a new rate (a JACK server that came back at
 * another rate): a new resampler, and the audio so far forgotten. */
irmas_status live_tagger_set_device_rate(live_tagger *t, int device_rate,
                                         char *err, size_t errlen);

/* Forgets all audio; the next frame pushed is frame number first_frame. */
void live_tagger_restart(live_tagger *t, long long first_frame);

/* Feeds n mono frames at the device rate; calls window for each window
 * that finishes (window may be NULL: priming). */
void live_tagger_push(live_tagger *t, const float *mono, long n,
                 live_tagger_window_fn window, void *user);

/* The input ended: classifies what the resampler still holds back, so the
 * last window the audio completes is reported. Push nothing after it. */
void live_tagger_finish(live_tagger *t, live_tagger_window_fn window,
                        void *user);

#endif
