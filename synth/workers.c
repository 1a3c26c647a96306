/* workers.c: a counter, a lock for progress and errors, and pthreads. */
#include "workers.h"

#include "clock.h"

#include <pthread.h>
#include <stdatomic.h>
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
    atomic_int next;
    atomic_int failed;
    pthread_mutex_t lock;   /* guards what follows */
    long clips_done, clips_total;
    int last_shown;         /* tenths shown, when stderr is not a terminal */
    double started, last_print;
    irmas_status status;
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

static void *work(void *arg)
{
    worker *w = arg;
    shared_state *s = w->shared;
#if defined(__SSE__)
    /* Denormals in decaying filters and reverb tails cost a hundred times
     * a normal number; flushing them changes nothing audible. */
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
    char err[512];
    int i;
    while (!atomic_load(&s->failed) && (i = atomic_fetch_add(&s->next, 1)) < s->n_jobs) {
        irmas_status st = source_render(s->setup, w->player, &s->jobs[i], s->reports[i],
                                        WORKERS_REPORT_SIZE, err, sizeof err);
        pthread_mutex_lock(&s->lock);
        if (st != IRMAS_OK && !atomic_exchange(&s->failed, 1)) {
            s->status = st;
            snprintf(s->err, s->errlen, "%s", err);
        }
        if (st == IRMAS_OK) {
            s->clips_done += s->jobs[i].excerpts;
            show_progress(s);
        }
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

irmas_status workers_run(const source_setup *setup, sfplayer *const *players,
                         int n_threads, const source_job *jobs, int n_jobs,
                         char **reports, char *err, size_t errlen)
{
    shared_state s = {.setup = setup, .jobs = jobs, .n_jobs = n_jobs, .reports = reports,
                      .last_shown = -1, .started = clock_seconds(CLOCK_MONOTONIC), .err = err, .errlen = errlen};
    atomic_init(&s.next, 0);
    atomic_init(&s.failed, 0);
    pthread_mutex_init(&s.lock, NULL);
    for (int i = 0; i < n_jobs; i++) s.clips_total += jobs[i].excerpts;
    pthread_t threads[64];
    worker workers[64];
    int started = 0;
    for (int t = 0; t < n_threads && t < 64; t++) {
        workers[t] = (worker){&s, players[t]};
        if (pthread_create(&threads[t], NULL, work, &workers[t]) != 0) break;
        started++;
    }
    if (started == 0) work(&workers[0]); /* no thread to be had: do it here */
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&s.lock);
    return atomic_load(&s.failed) ? s.status : IRMAS_OK;
}
