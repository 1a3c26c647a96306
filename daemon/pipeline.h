/* pipeline.h: irmasd's audio path from a captured block to a window ready
 * to send, on one thread and without one of its own.
 *
 * Each block read from the ring is mixed down to one channel (mixdown.h),
 * recorded in the recent past (history.h) and in when each frame was
 * captured (timeline.h), and fed to the tagger, which resamples and
 * classifies; each window it finishes is judged and stamped (report.h) and
 * handed to the caller's callback. The pipeline follows the device to a
 * new rate, starts the windows again after a gap in the audio, swaps in a
 * new tagger primed with the last window of audio (a model reloaded on
 * SIGHUP: its next window comes one hop later, no audio dropped), and pads
 * an input shorter than a window with silence at its end.
 *
 * Frame numbers count the frames pushed since creation; the history, the
 * timeline and the tagger all speak in them. The segment start is the first
 * frame after the last gap: a window or a priming never reaches back past
 * it.
 *
 * No threads, no clocks: the worker (daemon_worker.h) runs it on its thread and
 * tells it the clocks' offsets and the settings; tests run it alone. Not
 * real-time safe (a swap allocates), and never called from an audio
 * callback.
 */
#ifndef IRMASD_PIPELINE_H
#define IRMASD_PIPELINE_H

#include "osc.h"
#include "ring.h"
#include "live_tagger.h"

typedef struct pipeline pipeline;

/* Called for each window to send, with seconds of audio (at the device
 * rate) up to its last frame. win is valid during the call. */
typedef void (*pipeline_window_fn)(void *user, const osc_window *win,
                                   double seconds);

/* A pipeline running t on channels-channel blocks, with the silence gate
 * and moving average given; on success it owns t. */
irmas_status pipeline_new(live_tagger *t, int channels, double gate_dbfs,
                          double smooth_seconds, pipeline **out, char *err,
                          size_t errlen);

/* Frees the pipeline and its tagger; NULL is fine. */
void pipeline_free(pipeline *p);

/* The tagger's model, and the rate of the audio read last (which a live_tagger
 * that could not follow it may not run at). */
const irmas_model *pipeline_model(const pipeline *p);
int pipeline_rate(const pipeline *p);

/* Changes the gate and the moving average from the next window on. */
void pipeline_set_verdict(pipeline *p, double gate_dbfs,
                          double smooth_seconds);

/* The device clock's offsets to the wall clock and the monotonic clock, in
 * seconds, for the capture times of the windows from now on. */
void pipeline_set_clocks(pipeline *p, double device_to_wall,
                         double device_to_mono);

/* Takes one block b and its interleaved frames, calling window for each
 * window it completes. A block at a new rate is followed; when the live_tagger
 * cannot run at it, the block is still taken and an error returned (the
 * windows from then on are unreliable). */
irmas_status pipeline_block(pipeline *p, const ring_block *b,
                            const float *frames, pipeline_window_fn window,
                            void *user, char *err, size_t errlen);

/* Swaps in t, made ready for the rate of the audio read last and primed
 * with the recent past; on success the pipeline owns t (the old tagger is
 * freed) and the moving average starts again. On failure (t cannot run at
 * that rate, no memory) nothing changes and t is still the caller's. */
irmas_status pipeline_swap(pipeline *p, live_tagger *t, char *err,
                           size_t errlen);

/* The input ended: pads it with silence up to a window when it was shorter
 * than one (as irmas-tag and irmas-eval do) and classifies what the
 * resampler holds back. Returns 1 and a note saying so ("0.50 s, shorter
 * than the model's 1.00 s window: ...") when it padded, else 0. */
int pipeline_finish(pipeline *p, pipeline_window_fn window, void *user,
                    char *note, size_t notelen);

#endif
