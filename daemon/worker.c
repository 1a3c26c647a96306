/* worker.c: see worker.h. What happens to the audio is the pipeline's
 * (pipeline.h); this file is the thread around it: the ring read, the
 * tagger and settings handed over from other threads, the clocks, the
 * chores, and where each window goes.
 */
#include "worker.h"

#include "log.h"
#include "pipeline.h"
#include "printer.h"
#include "report.h"
#include "service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define WORKER_CLASSES_EVERY 5.0 /* s between /irmas/classes */
#define WORKER_IDLE 0.002        /* s to sleep when the ring is empty */
#define WORKER_DRAIN_BLOCKS 64   /* blocks handled between chores */

struct worker {
    capture *capture;
    osc_out *osc;
    stats *stats;
    const options *o;
    printer *printer; /* with --print */
    pipeline *pipeline;
    _Atomic(tagger *) offered;
    float *frames; /* [RING_MAX_BLOCK * channels] */
    atomic_int rate;
    _Atomic double gate, smooth; /* in force; set from any thread */
    atomic_int verdict_changed;
    double next_classes, next_watchdog, watchdog_interval;
    pthread_t thread;
    atomic_int stop, finished;
};

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Tells the pipeline how the device clock relates to the wall clock and
 * the monotonic clock now. */
static void worker_sync_clocks(worker *w)
{
    double device = capture_clock(w->capture);
    pipeline_set_clocks(w->pipeline, clock_seconds(CLOCK_REALTIME) - device,
                        clock_seconds(CLOCK_MONOTONIC) - device);
}

void worker_set_verdict(worker *w, double gate_dbfs, double smooth_seconds)
{
    atomic_store(&w->gate, gate_dbfs);
    atomic_store(&w->smooth, smooth_seconds);
    atomic_store(&w->verdict_changed, 1);
}

/* Hands the gate and moving average set from another thread, if they
 * changed, to the pipeline. */
static void worker_take_verdict(worker *w)
{
    if (atomic_exchange(&w->verdict_changed, 0))
        pipeline_set_verdict(w->pipeline, atomic_load(&w->gate),
                             atomic_load(&w->smooth));
}

/* The pipeline's callback: one window to send, count and print. */
static void worker_window(void *user, const osc_window *win, double seconds)
{
    worker *w = user;
    osc_out_window(w->osc, win);
    stats_window(w->stats, win->silent);
    if (w->printer) {
        char line[PRINTER_LINE_MAX];
        report_line(win, seconds, line, sizeof line);
        printer_put(w->printer, line);
    }
}

static void worker_block(worker *w, const ring_block *b)
{
    char err[512];
    worker_take_verdict(w);
    if (pipeline_block(w->pipeline, b, w->frames, worker_window, w, err,
                       sizeof err) != IRMAS_OK)
        log_error("%s; the windows from now on are unreliable", err);
    atomic_store(&w->rate, pipeline_rate(w->pipeline));
}

/* Swaps in a tagger the main thread offered, if any. */
static void worker_take_offer(worker *w)
{
    tagger *t = atomic_exchange(&w->offered, NULL);
    if (!t) return;
    char err[512];
    worker_take_verdict(w);
    if (pipeline_swap(w->pipeline, t, err, sizeof err) != IRMAS_OK) {
        log_error("the new model cannot run: %s; keeping the old one", err);
        tagger_delete(t);
        return;
    }
    w->next_classes = 0; /* announce the new labels now */
}

static void worker_chores(worker *w)
{
    double now = clock_seconds(CLOCK_MONOTONIC);
    if (now >= w->next_classes) {
        const irmas_model *m = pipeline_model(w->pipeline);
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
        if (n == WORKER_DRAIN_BLOCKS ||
            !ring_read(capture_ring(w->capture), &b, w->frames))
            return audio;
    }
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    ring *r = capture_ring(w->capture);
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
            /* A file shorter than a window is classified once, padded
             * with silence, as irmas-tag and irmas-eval do, and said so. */
            char note[256];
            if (pipeline_finish(w->pipeline, worker_window, w, note,
                                sizeof note))
                log_warn("%s: %s", w->o->input, note);
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
    pipeline_delete(w->pipeline);
    printer_delete(w->printer);
    free(w->frames);
    free(w);
}

irmas_status worker_start(capture *c, tagger *t, osc_out *osc, stats *st,
                          const options *o, worker **out, char *err,
                          size_t errlen)
{
    worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) {
        tagger_delete(t);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM, "worker: out of memory");
    }
    w->capture = c;
    w->osc = osc;
    w->stats = st;
    w->o = o;
    atomic_init(&w->gate, o->gate);
    atomic_init(&w->smooth, o->smooth);
    w->watchdog_interval = service_watchdog_interval();
    atomic_store(&w->rate, tagger_device_rate(t));
    int channels = ring_channels(capture_ring(c));
    w->frames = malloc((size_t)RING_MAX_BLOCK * channels * sizeof *w->frames);
    irmas_status s = pipeline_new(t, channels, o->gate, o->smooth,
                                  &w->pipeline, err, errlen);
    if (s == IRMAS_OK && o->print) s = printer_new(st, &w->printer, err, errlen);
    if (s == IRMAS_OK && !w->frames)
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM, "worker: out of memory");
    if (s == IRMAS_OK && pthread_create(&w->thread, NULL, worker_run, w) != 0)
        s = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                        "cannot start the worker thread");
    if (s != IRMAS_OK) {
        if (!w->pipeline) tagger_delete(t); /* else the pipeline frees it */
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
