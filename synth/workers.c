/* workers.c: the work queue (work_queue.h), and a lock for progress and
 * errors. */
#include "workers.h"

#include "clock.h"
#include "work_queue.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

typedef struct {
    const source_setup *setup;
    const source_job *jobs;
    int n_jobs;
    char **reports;
    pthread_mutex_t lock;   /* guards what follows */
    long clips_done, clips_total;
    int last_shown;         /* tenths shown, when stderr is not a terminal */
    double started, last_print;
    irmas_status status;    /* the first error's */
    char *err;
    size_t errlen;
} shared_state;

typedef struct {
    shared_state *shared;
    sfplayer *player;
} worker;

/* A terminal gets one line rewritten a few times a second; a log gets a
 * line per tenth of the work. Called with the lock held. */
static void show_progress(shared_state *s)
{
    double t = clock_seconds(CLOCK_MONOTONIC), rate = s->clips_done / (t - s->started + 1e-9);
    int done = s->clips_done == s->clips_total;
    if (isatty(STDERR_FILENO)) {
        if (!done && t - s->last_print < 0.2) return;
        fprintf(stderr, "\rirmas-synth: %ld/%ld clips (%.1f clips/s)%s", s->clips_done,
                s->clips_total, rate, done ? "\n" : "");
    } else {
        int tenths = (int)(10 * s->clips_done / s->clips_total);
        if (tenths == s->last_shown) return;
        s->last_shown = tenths;
        fprintf(stderr, "irmas-synth: %ld/%ld clips (%.1f clips/s)\n", s->clips_done,
                s->clips_total, rate);
    }
    s->last_print = t;
}

/* One source of the work queue, rendered with the player of the thread
 * that took it; the first error is kept and stops the queue. */
static int render_queued(void *arg, int i)
{
    worker *w = arg;
    shared_state *s = w->shared;
#if defined(__SSE__)
    /* Denormals in decaying filters and reverb tails cost a hundred times
     * a normal number; flushing them changes nothing audible. The thread
     * is left as it was found. */
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040);
#endif
    char err[512];
    irmas_status st = source_render(s->setup, w->player, &s->jobs[i], s->reports[i],
                                    WORKERS_REPORT_SIZE, err, sizeof err);
#if defined(__SSE__)
    _mm_setcsr(csr);
#endif
    pthread_mutex_lock(&s->lock);
    if (st != IRMAS_OK && s->status == IRMAS_OK) {
        s->status = st;
        snprintf(s->err, s->errlen, "%s", err);
    }
    if (st == IRMAS_OK) {
        s->clips_done += s->jobs[i].excerpts;
        show_progress(s);
    }
    pthread_mutex_unlock(&s->lock);
    return st != IRMAS_OK;
}

irmas_status workers_run(const source_setup *setup, sfplayer *const *players,
                         int n_threads, const source_job *jobs, int n_jobs,
                         char **reports, char *err, size_t errlen)
{
    shared_state s = {.setup = setup, .jobs = jobs, .n_jobs = n_jobs, .reports = reports,
                      .last_shown = -1, .started = clock_seconds(CLOCK_MONOTONIC), .err = err, .errlen = errlen};
    pthread_mutex_init(&s.lock, NULL);
    for (int i = 0; i < n_jobs; i++) s.clips_total += jobs[i].excerpts;
    worker workers[WORK_QUEUE_MAX_THREADS];
    if (n_threads > WORK_QUEUE_MAX_THREADS) n_threads = WORK_QUEUE_MAX_THREADS;
    for (int t = 0; t < n_threads; t++) workers[t] = (worker){&s, players[t]};
    work_queue_run(workers, sizeof *workers, n_threads, n_jobs, render_queued);
    pthread_mutex_destroy(&s.lock);
    return s.status;
}
