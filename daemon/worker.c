/* worker.c: see worker.h.
 *
 * Frame numbers count the frames read from the ring since start; the
 * history, the timeline and the tagger all speak in them. segment_start is
 * the first frame after the last discontinuity: a window or a priming
 * never reaches back past it.
 */
#include "worker.h"

#include "clock.h"
#include "history.h"
#include "log.h"
#include "printer.h"
#include "sample.h"
#include "service.h"
#include "timeline.h"
#include "verdict.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKER_CLASSES_EVERY 5.0 /* s between /irmas/classes */
#define WORKER_IDLE 0.002        /* s to sleep when the ring is empty */
#define WORKER_TIMELINE 1024     /* blocks remembered */
#define WORKER_DRAIN_BLOCKS 64   /* blocks handled between chores */

struct worker {
    capture *capture;
    osc_out *osc;
    stats *stats;
    const options *o;
    printer *printer; /* with --print */
    tagger *tagger;
    _Atomic(tagger *) offered;
    history *history;
    timeline *timeline;
    float *frames; /* [RING_MAX_BLOCK * channels] */
    float *mono;   /* [RING_MAX_BLOCK] */
    long long frames_read, segment_start;
    long long padded_from; /* the first frame of padding at the end, or -1 */
    atomic_int rate;
    verdict verdict; /* the gate and the moving average */
    _Atomic double gate, smooth; /* in force; set from any thread */
    atomic_int verdict_changed;
    double device_to_wall, device_to_mono; /* clock offsets, s */
    double next_classes, next_watchdog, watchdog_interval;
    pthread_t thread;
    atomic_int stop, finished;
};

/* The history must hold a window and the resampler's delay with room to
 * spare. */
static irmas_status worker_size_history(worker *w, const tagger *t,
                                        char *err, size_t errlen)
{
    long frames = (long)ceil(tagger_window_frames(t)) +
                  tagger_device_rate(t) * 2;
    if (!w->history) return history_new(frames, &w->history, err, errlen);
    return history_reserve(w->history, frames, err, errlen);
}

/* Measures how the device clock relates to the wall clock and the
 * monotonic clock now. */
static void worker_sync_clocks(worker *w)
{
    double device = capture_clock(w->capture);
    w->device_to_wall = clock_seconds(CLOCK_REALTIME) - device;
    w->device_to_mono = clock_seconds(CLOCK_MONOTONIC) - device;
}

/* Hands --print's line for a window to the printer. */
static void worker_print(worker *w, const osc_window *win, double seconds)
{
    char line[PRINTER_LINE_MAX];
    if (win->silent) {
        snprintf(line, sizeof line, "%9.2f s  (silence, %.0f dBFS)", seconds,
                 win->level_dbfs);
    } else {
        int best = 0;
        for (int c = 1; c < win->classes; c++)
            if (win->probs[c] > win->probs[best]) best = c;
        int n = snprintf(line, sizeof line, "%9.2f s  %-16s %.2f  |", seconds,
                         win->labels[best], win->probs[best]);
        for (int c = 0; c < win->classes && n < (int)sizeof line; c++)
            n += snprintf(line + n, sizeof line - (size_t)n, " %s %.2f",
                          win->labels[c], win->probs[c]);
    }
    printer_put(w->printer, line);
}

/* The gate and moving average in force, for the current tagger's hop. */
static verdict_settings worker_verdict_settings(worker *w)
{
    return (verdict_settings){.gate_dbfs = atomic_load(&w->gate),
                              .smooth_seconds = atomic_load(&w->smooth),
                              .hop_seconds = tagger_hop_seconds(w->tagger)};
}

/* Judges windows of the current tagger's model with the settings. */
static void worker_start_verdict(worker *w)
{
    verdict_settings settings = worker_verdict_settings(w);
    verdict_init(&w->verdict, tagger_model(w->tagger)->classes, &settings);
}

void worker_set_verdict(worker *w, double gate_dbfs, double smooth_seconds)
{
    atomic_store(&w->gate, gate_dbfs);
    atomic_store(&w->smooth, smooth_seconds);
    atomic_store(&w->verdict_changed, 1);
}

/* The tagger's callback: one finished window. */
static void worker_window(void *user, const float *probs, double last_frame)
{
    worker *w = user;
    const irmas_model *m = tagger_model(w->tagger);
    double first_frame = last_frame + 1 - tagger_window_frames(w->tagger);
    double power = history_mean_square(w->history, (long long)ceil(first_frame),
                                       (long long)floor(last_frame) + 1);
    if (atomic_exchange(&w->verdict_changed, 0)) {
        verdict_settings settings = worker_verdict_settings(w);
        verdict_set(&w->verdict, &settings);
    }
    double level = verdict_level_dbfs(power);
    osc_window win = {.silent = verdict_is_silent(&w->verdict, level),
                      .level_dbfs = (float)level,
                      .classes = m->classes,
                      .labels = m->labels};
    win.probs = verdict_judge(&w->verdict, probs, level);
    if (!win.silent && !win.probs) {
        log_debug("a window gave non-finite probabilities; not sent");
        return;
    }

    /* A window that ends in padding was captured when the audio ended. */
    double captured = w->padded_from >= 0 && last_frame >= w->padded_from
                          ? (double)(w->padded_from - 1) : last_frame;
    double capture_time;
    timeline_find(w->timeline, captured, &capture_time);
    win.capture_wall = capture_time + w->device_to_wall;
    win.capture_mono = capture_time + w->device_to_mono;
    osc_out_window(w->osc, &win);
    stats_window(w->stats, win.silent);
    if (w->printer)
        worker_print(w, &win, last_frame / tagger_device_rate(w->tagger));
}

/* Down-mixes frames into w->mono; NaN and infinities become 0. */
static void worker_downmix(worker *w, int frames, int channels)
{
    for (int i = 0; i < frames; i++) {
        float sum = 0.0f;
        for (int c = 0; c < channels; c++) {
            float x = w->frames[(long)i * channels + c];
            sum += sample_finite(x);
        }
        w->mono[i] = sum / (float)channels;
    }
}

/* The device changed rate (a JACK server that came back at another). */
static void worker_follow_rate(worker *w, int rate)
{
    char err[512];
    if (tagger_set_device_rate(w->tagger, rate, err, sizeof err) != IRMAS_OK ||
        worker_size_history(w, w->tagger, err, sizeof err) != IRMAS_OK)
        log_error("%s; the windows from now on are unreliable", err);
    atomic_store(&w->rate, rate);
}

static void worker_block(worker *w, const ring_block *b)
{
    worker_downmix(w, b->frames, ring_channels(w->capture->ring));
    if (b->rate != atomic_load(&w->rate)) worker_follow_rate(w, b->rate);
    if (b->discontinuous) {
        w->segment_start = w->frames_read;
        tagger_restart(w->tagger, w->frames_read);
        verdict_restart(&w->verdict);
    }
    timeline_add(w->timeline, w->frames_read, b);
    history_push(w->history, w->mono, b->frames);
    w->frames_read += b->frames;
    tagger_push(w->tagger, w->mono, b->frames, worker_window, w);
}

/* Runs t over the last window of audio without sending anything, so its
 * next window ends one hop from now. */
static void worker_prime(worker *w, tagger *t)
{
    long long end = history_end(w->history);
    long long start = end - (long long)ceil(tagger_window_frames(t));
    if (start < w->segment_start) start = w->segment_start;
    if (start < history_start(w->history)) start = history_start(w->history);
    tagger_restart(t, start);
    float *past = malloc((size_t)(end - start + 1) * sizeof *past);
    if (!past) return; /* then t starts from now */
    long n = history_copy(w->history, start, end, past);
    tagger_push(t, past, n, NULL, NULL);
    free(past);
    if (n == 0) tagger_restart(t, end);
}

/* Swaps in a tagger the main thread offered, if any. */
static void worker_take_offer(worker *w)
{
    tagger *t = atomic_exchange(&w->offered, NULL);
    if (!t) return;
    char err[512];
    int rate = atomic_load(&w->rate);
    if ((tagger_device_rate(t) != rate &&
         tagger_set_device_rate(t, rate, err, sizeof err) != IRMAS_OK) ||
        worker_size_history(w, t, err, sizeof err) != IRMAS_OK) {
        log_error("the new model cannot run: %s; keeping the old one", err);
        tagger_delete(t);
        return;
    }
    worker_prime(w, t);
    tagger_delete(w->tagger);
    w->tagger = t;
    worker_start_verdict(w);
    w->next_classes = 0; /* announce the new labels now */
}

static void worker_chores(worker *w)
{
    double now = clock_seconds(CLOCK_MONOTONIC);
    if (now >= w->next_classes) {
        const irmas_model *m = tagger_model(w->tagger);
        osc_out_classes(w->osc, m->labels, m->classes);
        w->next_classes = now + WORKER_CLASSES_EVERY;
    }
    if (w->watchdog_interval > 0 && now >= w->next_watchdog) {
        service_notify("WATCHDOG=1");
        w->next_watchdog = now + w->watchdog_interval;
    }
}

/* Handles first, then what else the ring holds, WORKER_DRAIN_BLOCKS
 * blocks at most so the chores still come round; returns the seconds of
 * audio handled. A block is read only when it will be handled: one read
 * and left behind would be audio lost. */
static double worker_drain(worker *w, const ring_block *first)
{
    ring_block b = *first;
    double audio = 0.0;
    worker_sync_clocks(w);
    for (int n = 1;; n++) {
        worker_block(w, &b);
        audio += (double)b.frames / b.rate;
        if (n == WORKER_DRAIN_BLOCKS || !ring_read(w->capture->ring, &b, w->frames))
            return audio;
    }
}

/* A file shorter than a window is classified once, padded with silence,
 * as irmas-tag and irmas-eval do, and said so. */
static void worker_pad_short_input(worker *w)
{
    long long window = (long long)ceil(tagger_window_frames(w->tagger));
    if (w->frames_read >= window) return;
    /* A few frames more than a window: the resampler rounds. */
    long long padded = window + 64;
    int rate = tagger_device_rate(w->tagger);
    log_warn("%s: %.2f s, shorter than the model's %.2f s window: classified "
             "once, padded with silence", w->o->input,
             (double)w->frames_read / rate, (double)window / rate);
    memset(w->mono, 0, (size_t)RING_MAX_BLOCK * sizeof *w->mono);
    w->padded_from = w->frames_read;
    while (w->frames_read < padded) {
        long n = padded - w->frames_read;
        if (n > RING_MAX_BLOCK) n = RING_MAX_BLOCK;
        history_push(w->history, w->mono, n);
        w->frames_read += n;
        tagger_push(w->tagger, w->mono, n, worker_window, w);
    }
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    ring *r = w->capture->ring;
    while (!atomic_load(&w->stop)) {
        worker_take_offer(w);
        worker_chores(w);
        ring_block b;
        if (ring_read(r, &b, w->frames)) {
            double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
            double audio = worker_drain(w, &b);
            stats_audio(w->stats, audio,
                        clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu);
        } else if (ring_drained(r)) {
            worker_pad_short_input(w);
            tagger_finish(w->tagger, worker_window, w);
            atomic_store(&w->finished, 1);
            break;
        } else {
            struct timespec idle = {0, (long)(WORKER_IDLE * 1e9)};
            nanosleep(&idle, NULL);
        }
    }
    return NULL;
}

static void worker_free(worker *w)
{
    tagger_delete(atomic_exchange(&w->offered, NULL));
    tagger_delete(w->tagger);
    printer_delete(w->printer);
    history_delete(w->history);
    timeline_delete(w->timeline);
    free(w->frames);
    free(w->mono);
    free(w);
}

irmas_status worker_start(capture *c, tagger *t, osc_out *osc, stats *st,
                          const options *o, worker **out, char *err,
                          size_t errlen)
{
    worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "worker: out of memory");
    w->capture = c;
    w->osc = osc;
    w->stats = st;
    w->o = o;
    w->tagger = t;
    w->padded_from = -1;
    atomic_init(&w->gate, o->gate);
    atomic_init(&w->smooth, o->smooth);
    worker_start_verdict(w);
    w->watchdog_interval = service_watchdog_interval();
    atomic_store(&w->rate, tagger_device_rate(t));
    w->timeline = timeline_new(WORKER_TIMELINE);
    w->frames = malloc((size_t)RING_MAX_BLOCK * ring_channels(c->ring) *
                       sizeof *w->frames);
    w->mono = malloc((size_t)RING_MAX_BLOCK * sizeof *w->mono);
    irmas_status s = worker_size_history(w, t, err, errlen);
    if (s == IRMAS_OK && o->print) s = printer_new(st, &w->printer, err, errlen);
    if (s == IRMAS_OK && (!w->timeline || !w->frames || !w->mono))
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM, "worker: out of memory");
    if (s == IRMAS_OK && pthread_create(&w->thread, NULL, worker_run, w) != 0)
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                        "cannot start the worker thread");
    if (s != IRMAS_OK) {
        w->tagger = NULL; /* still the caller's */
        worker_free(w);
        return s;
    }
    *out = w;
    return IRMAS_OK;
}

void worker_stop(worker *w)
{
    if (!w) return;
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    worker_free(w);
}

void worker_offer(worker *w, tagger *t)
{
    /* A tagger offered before and not yet taken is superseded. */
    tagger_delete(atomic_exchange(&w->offered, t));
}

int worker_device_rate(worker *w) { return atomic_load(&w->rate); }
int worker_finished(worker *w) { return atomic_load(&w->finished); }
