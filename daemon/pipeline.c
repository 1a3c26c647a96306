/* pipeline.c: see pipeline.h. */
#include "pipeline.h"

#include "history.h"
#include "log.h"
#include "mixdown.h"
#include "report.h"
#include "timeline.h"
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIPELINE_TIMELINE 1024 /* blocks remembered */

struct pipeline {
    live_tagger *tagger;
    int channels;
    int rate; /* of the audio read last */
    history *history;
    timeline *timeline;
    verdict verdict; /* the gate and the moving average */
    float *mono;     /* [RING_MAX_BLOCK] */
    long long frames_read, segment_start;
    long long padded_from; /* the first frame of padding at the end, or -1 */
    double device_to_wall, device_to_mono; /* clock offsets, s */
    pipeline_window_fn window;             /* during a push */
    void *user;
};

/* The history must hold a window of t and the resampler's delay with room
 * to spare. */
static irmas_status pipeline_size_history(pipeline *p, const live_tagger *t,
                                          char *err, size_t errlen)
{
    long frames = (long)ceil(live_tagger_window_frames(t)) +
                  live_tagger_device_rate(t) * 2;
    if (!p->history) return history_new(frames, &p->history, err, errlen);
    return history_reserve(p->history, frames, err, errlen);
}

/* The gate and moving average given, at the current tagger's hop. */
static verdict_settings pipeline_settings(const pipeline *p, double gate_dbfs,
                                          double smooth_seconds)
{
    return (verdict_settings){.gate_dbfs = gate_dbfs,
                              .smooth_seconds = smooth_seconds,
                              .hop_seconds =
                                  live_tagger_hop_seconds(p->tagger)};
}

/* Judges windows of the current tagger's model with those settings. */
static void pipeline_start_verdict(pipeline *p, double gate_dbfs,
                                   double smooth_seconds)
{
    verdict_settings settings = pipeline_settings(p, gate_dbfs, smooth_seconds);
    verdict_init(&p->verdict, live_tagger_model(p->tagger)->classes, &settings);
}

irmas_status pipeline_new(live_tagger *t, int channels, double gate_dbfs,
                          double smooth_seconds, pipeline **out, char *err,
                          size_t errlen)
{
    pipeline *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "pipeline: out of memory");
    p->tagger = t;
    p->channels = channels;
    p->rate = live_tagger_device_rate(t);
    p->padded_from = -1;
    pipeline_start_verdict(p, gate_dbfs, smooth_seconds);
    p->timeline = timeline_new(PIPELINE_TIMELINE);
    p->mono = malloc((size_t)RING_MAX_BLOCK * sizeof *p->mono);
    irmas_status st = pipeline_size_history(p, t, err, errlen);
    if (st == IRMAS_OK && (!p->timeline || !p->mono))
        st = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                         "pipeline: out of memory");
    if (st != IRMAS_OK) {
        p->tagger = NULL; /* still the caller's */
        pipeline_free(p);
        return st;
    }
    *out = p;
    return IRMAS_OK;
}

void pipeline_free(pipeline *p)
{
    if (!p) return;
    live_tagger_free(p->tagger);
    history_free(p->history);
    timeline_free(p->timeline);
    free(p->mono);
    free(p);
}

const irmas_model *pipeline_model(const pipeline *p)
{
    return live_tagger_model(p->tagger);
}

int pipeline_rate(const pipeline *p) { return p->rate; }

void pipeline_set_verdict(pipeline *p, double gate_dbfs,
                          double smooth_seconds)
{
    verdict_settings settings = pipeline_settings(p, gate_dbfs, smooth_seconds);
    verdict_set(&p->verdict, &settings);
}

void pipeline_set_clocks(pipeline *p, double device_to_wall,
                         double device_to_mono)
{
    p->device_to_wall = device_to_wall;
    p->device_to_mono = device_to_mono;
}

/* The tagger's callback: one finished window, judged, stamped and handed
 * on. */
static void pipeline_window(void *user, const float *probs, double last_frame)
{
    pipeline *p = user;
    double level = verdict_window_level_dbfs(
        p->history, last_frame, live_tagger_window_frames(p->tagger));
    osc_window win;
    if (!report_judge(&p->verdict, live_tagger_model(p->tagger), probs, level,
                      &win)) {
        log_debug("a window gave non-finite probabilities; not sent");
        return;
    }
    double capture_time = 0.0;
    timeline_find(p->timeline,
                  report_stamp_frame(last_frame, p->padded_from),
                  &capture_time);
    report_stamp(&win, capture_time, p->device_to_wall, p->device_to_mono);
    p->window(p->user, &win, last_frame / live_tagger_device_rate(p->tagger));
}

/* Feeds n frames of p->mono (already in the history) to the tagger. */
static void pipeline_classify(pipeline *p, long n, pipeline_window_fn window,
                              void *user)
{
    p->window = window;
    p->user = user;
    live_tagger_push(p->tagger, p->mono, n, pipeline_window, p);
}

/* The device changed rate (a JACK server that came back at another). */
static irmas_status pipeline_follow_rate(pipeline *p, int rate, char *err,
                                         size_t errlen)
{
    p->rate = rate;
    irmas_status st = live_tagger_set_device_rate(p->tagger, rate, err, errlen);
    if (st == IRMAS_OK) st = pipeline_size_history(p, p->tagger, err, errlen);
    return st;
}

irmas_status pipeline_block(pipeline *p, const ring_block *b,
                            const float *frames, pipeline_window_fn window,
                            void *user, char *err, size_t errlen)
{
    mixdown_interleaved(frames, b->frames, p->channels, p->mono);
    irmas_status st = IRMAS_OK;
    if (b->rate != p->rate) st = pipeline_follow_rate(p, b->rate, err, errlen);
    if (b->discontinuous) {
        p->segment_start = p->frames_read;
        live_tagger_restart(p->tagger, p->frames_read);
        verdict_restart(&p->verdict);
    }
    timeline_add(p->timeline, p->frames_read, b);
    history_push(p->history, p->mono, b->frames);
    p->frames_read += b->frames;
    pipeline_classify(p, b->frames, window, user);
    return st;
}

/* Runs t over the last window of audio without sending anything, so its
 * next window ends one hop from now. */
static void pipeline_prime(pipeline *p, live_tagger *t)
{
    long long end = history_end(p->history);
    long long start = end - (long long)ceil(live_tagger_window_frames(t));
    if (start < p->segment_start) start = p->segment_start;
    if (start < history_start(p->history)) start = history_start(p->history);
    live_tagger_restart(t, start);
    float *past = malloc((size_t)(end - start + 1) * sizeof *past);
    if (!past) return; /* then t starts from now */
    long n = history_copy(p->history, start, end, past);
    live_tagger_push(t, past, n, NULL, NULL);
    free(past);
    if (n == 0) live_tagger_restart(t, end);
}

irmas_status pipeline_swap(pipeline *p, live_tagger *t, char *err,
                           size_t errlen)
{
    irmas_status st = IRMAS_OK;
    if (live_tagger_device_rate(t) != p->rate)
        st = live_tagger_set_device_rate(t, p->rate, err, errlen);
    if (st == IRMAS_OK) st = pipeline_size_history(p, t, err, errlen);
    if (st != IRMAS_OK) return st;
    pipeline_prime(p, t);
    verdict_settings settings = p->verdict.settings;
    live_tagger_free(p->tagger);
    p->tagger = t;
    pipeline_start_verdict(p, settings.gate_dbfs, settings.smooth_seconds);
    return IRMAS_OK;
}

int pipeline_finish(pipeline *p, pipeline_window_fn window, void *user,
                    char *note, size_t notelen)
{
    long long frames = (long long)ceil(live_tagger_window_frames(p->tagger));
    int padded = p->frames_read < frames;
    if (padded) {
        int rate = live_tagger_device_rate(p->tagger);
        snprintf(note, notelen,
                 "%.2f s, shorter than the model's %.2f s window: classified "
                 "once, padded with silence",
                 (double)p->frames_read / rate, (double)frames / rate);
        /* A few frames more than a window: the resampler rounds. */
        long long end = frames + 64;
        memset(p->mono, 0, (size_t)RING_MAX_BLOCK * sizeof *p->mono);
        p->padded_from = p->frames_read;
        while (p->frames_read < end) {
            long n = end - p->frames_read;
            if (n > RING_MAX_BLOCK) n = RING_MAX_BLOCK;
            history_push(p->history, p->mono, n);
            p->frames_read += n;
            pipeline_classify(p, n, window, user);
        }
    }
    p->window = window;
    p->user = user;
    live_tagger_finish(p->tagger, pipeline_window, p);
    return padded;
}
