/* daemon_worker.c: see daemon_worker.h. What happens to the audio is the
 * pipeline's (pipeline.h); this file is the thread around it: the ring read,
 * the tagger and settings handed over from other threads, the clocks, the
 * chores, and where each window goes.
 */
#include "daemon_worker.h"

#include "clock.h"
#include "log.h"
#include "pipeline.h"
#include "printer.h"
#include "report.h"
#include "service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define DAEMON_WORKER_CLASSES_EVERY 5.0 /* s between /irmas/classes */
#define DAEMON_WORKER_IDLE 0.002        /* s to sleep when the ring is empty */
#define DAEMON_WORKER_DRAIN_BLOCKS 64   /* blocks handled between chores */

struct daemon_worker {
    capture *capture;
    osc_out *osc;
    daemon_stats *stats;
    const daemon_options *o;
    printer *printer; /* with --print */
    pipeline *pipeline;
    _Atomic(live_tagger *) offered;
    float *frames; /* [RING_MAX_BLOCK * channels] */
    atomic_int rate;
    _Atomic double gate, smooth; /* in force; set from any thread */
    atomic_int verdict_changed;
    double next_classes, next_watchdog, watchdog_interval;
    pthread_t thread;
    atomic_int stop, finished;
};

/* Tells the pipeline how the device clock relates to the wall clock and
 * the monotonic clock now. */
static void daemon_worker_sync_clocks(daemon_worker *w)
{
    double device = capture_clock(w->capture);
    pipeline_set_clocks(w->pipeline, clock_seconds(CLOCK_REALTIME) - device,
                        clock_seconds(CLOCK_MONOTONIC) - device);
}

void daemon_worker_set_verdict(daemon_worker *w, double gate_dbfs,
                               double smooth_seconds)
{
    atomic_store(&w->gate, gate_dbfs);
    atomic_store(&w->smooth, smooth_seconds);
    atomic_store(&w->verdict_changed, 1);
}

/* Hands the gate and moving average set from another thread, if they
 * changed, to the pipeline. */
static void daemon_worker_take_verdict(daemon_worker *w)
{
    if (atomic_exchange(&w->verdict_changed, 0))
        pipeline_set_verdict(w->pipeline, atomic_load(&w->gate),
                             atomic_load(&w->smooth));
}

/* The pipeline's callback: one window to send, count and print. */
static void daemon_worker_window(void *user, const osc_window *win,
                                 double seconds)
{
    daemon_worker *w = user;
    osc_out_window(w->osc, win);
    daemon_stats_window(w->stats, win->silent);
    if (w->printer) {
        char line[PRINTER_LINE_MAX];
        report_line(win, seconds, line, sizeof line);
        printer_put(w->printer, line);
    }
}

static void daemon_worker_block(daemon_worker *w, const ring_block *b)
{
    char err[512];
    daemon_worker_take_verdict(w);
    if (pipeline_block(w->pipeline, b, w->frames, daemon_worker_window, w, err,
                       sizeof err) != IRMAS_OK)
        log_error("%s; the windows from now on are unreliable", err);
    atomic_store(&w->rate, pipeline_rate(w->pipeline));
}

/* Swaps in a tagger the main thread offered, if any. */
static void daemon_worker_take_offer(daemon_worker *w)
{
    live_tagger *t = atomic_exchange(&w->offered, NULL);
    if (!t) return;
    char err[512];
    daemon_worker_take_verdict(w);
    if (pipeline_swap(w->pipeline, t, err, sizeof err) != IRMAS_OK) {
        log_error("the new model cannot run: %s; keeping the old one", err);
        live_tagger_free(t);
        return;
    }
    w->next_classes = 0; /* announce the new labels now */
}

static void daemon_worker_chores(daemon_worker *w)
{
    double now = clock_seconds(CLOCK_MONOTONIC);
    if (now >= w->next_classes) {
        const irmas_model *m = pipeline_model(w->pipeline);
        osc_out_classes(w->osc, m->labels, m->classes);
        w->next_classes = now + DAEMON_WORKER_CLASSES_EVERY;
    }
    if (w->watchdog_interval > 0 && now >= w->next_watchdog) {
        service_notify("WATCHDOG=1");
        w->next_watchdog = now + w->watchdog_interval;
    }
}

/* Handles first, then what else the ring holds, DAEMON_WORKER_DRAIN_BLOCKS
 * blocks at most so the chores still come round; returns the seconds of
 * audio handled. A block is read only when it will be handled: one read
 * and left behind would be audio lost. */
static double daemon_worker_drain(daemon_worker *w, const ring_block *first)
{
    ring_block b = *first;
    double audio = 0.0;
    daemon_worker_sync_clocks(w);
    for (int n = 1;; n++) {
        daemon_worker_block(w, &b);
        audio += (double)b.frames / b.rate;
        if (n == DAEMON_WORKER_DRAIN_BLOCKS ||
            !ring_read(capture_ring(w->capture), &b, w->frames))
            return audio;
    }
}

static void *daemon_worker_run(void *arg)
{
    daemon_worker *w = arg;
    ring *r = capture_ring(w->capture);
    while (!atomic_load(&w->stop)) {
        daemon_worker_take_offer(w);
        daemon_worker_chores(w);
        ring_block b;
        if (ring_read(r, &b, w->frames)) {
            double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
            double audio = daemon_worker_drain(w, &b);
            daemon_stats_audio(w->stats, audio,
                        clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu);
        } else if (ring_drained(r)) {
            /* A file shorter than a window is classified once, padded
             * with silence, as irmas-tag and irmas-eval do, and said so. */
            char note[256];
            if (pipeline_finish(w->pipeline, daemon_worker_window, w, note,
                                sizeof note))
                log_warn("%s: %s", w->o->input, note);
            atomic_store(&w->finished, 1);
            break;
        } else {
            struct timespec idle = {0, (long)(DAEMON_WORKER_IDLE * 1e9)};
            nanosleep(&idle, NULL);
        }
    }
    return NULL;
}

static void daemon_worker_free(daemon_worker *w)
{
    live_tagger_free(atomic_exchange(&w->offered, NULL));
    pipeline_free(w->pipeline);
    printer_free(w->printer);
    free(w->frames);
    free(w);
}

irmas_status daemon_worker_start(capture *c, live_tagger *t, osc_out *osc,
                                 daemon_stats *st, const daemon_options *o,
                                 daemon_worker **out, char *err, size_t errlen)
{
    daemon_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) {
        live_tagger_free(t);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "worker: out of memory");
    }
    w->capture = c;
    w->osc = osc;
    w->stats = st;
    w->o = o;
    atomic_init(&w->gate, o->gate);
    atomic_init(&w->smooth, o->smooth);
    w->watchdog_interval = service_watchdog_interval();
    atomic_store(&w->rate, live_tagger_device_rate(t));
    int channels = ring_channels(capture_ring(c));
    w->frames = malloc((size_t)RING_MAX_BLOCK * channels * sizeof *w->frames);
    irmas_status s = pipeline_new(t, channels, o->gate, o->smooth,
                                  &w->pipeline, err, errlen);
    if (s == IRMAS_OK && o->print)
        s = printer_new(st, &w->printer, err, errlen);
    if (s == IRMAS_OK && !w->frames)
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM, "worker: out of memory");
    if (s == IRMAS_OK &&
        pthread_create(&w->thread, NULL, daemon_worker_run, w) != 0)
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                        "cannot start the worker thread");
    if (s != IRMAS_OK) {
        if (!w->pipeline)
            live_tagger_free(t); /* else the pipeline frees it */
        daemon_worker_free(w);
        return s;
    }
    *out = w;
    return IRMAS_OK;
}

void daemon_worker_stop(daemon_worker *w)
{
    if (!w) return;
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    daemon_worker_free(w);
}

void daemon_worker_offer(daemon_worker *w, live_tagger *t)
{
    /* A tagger offered before and not yet taken is superseded. */
    live_tagger_free(atomic_exchange(&w->offered, t));
}

int daemon_worker_device_rate(daemon_worker *w)
{
    return atomic_load(&w->rate);
}
int daemon_worker_finished(daemon_worker *w)
{
    return atomic_load(&w->finished);
}
