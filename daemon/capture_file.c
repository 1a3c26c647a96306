/* capture_file.c: see capture_file.h. */
#include "capture_file.h"

#include <errno.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FILE_BLOCK 1024 /* frames per "callback" */

typedef struct {
    capture *c; /* first, as capture_attach wants */
    SNDFILE *file;
    int fast;
    float *block; /* [FILE_BLOCK * channels] */
    pthread_t reader;
    int started;
    atomic_int stop;
    atomic_int done;
} file_capture;

static void sleep_until(double monotonic)
{
    struct timespec ts = {(time_t)monotonic,
                          (long)((monotonic - (double)(time_t)monotonic) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Waits until the ring has room for frames, as a device cannot. Returns 0
 * when asked to stop meanwhile. */
static int file_wait_for_room(file_capture *f, long frames)
{
    while (ring_write_space(f->c->ring) < frames) {
        if (atomic_load(&f->stop)) return 0;
        sleep_until(capture_monotonic() + 0.001);
    }
    return 1;
}

static void *file_read(void *arg)
{
    file_capture *f = arg;
    capture *c = f->c;
    double start = capture_monotonic();
    long long position = 0;
    sf_count_t n;
    while (!atomic_load(&f->stop) &&
           (n = sf_readf_float(f->file, f->block, FILE_BLOCK)) > 0) {
        if (!f->fast) sleep_until(start + (double)(position + n) / c->rate);
        if (!file_wait_for_room(f, (long)n)) break;
        double now = capture_monotonic();
        ring_block b = {.frames = (int)n, .rate = c->rate,
                        .discontinuous = position == 0,
                        .capture_time = now - (double)n / c->rate};
        ring_write_interleaved(c->ring, &b, f->block);
        position += n;
    }
    ring_close(c->ring);
    atomic_store(&f->done, 1);
    return NULL;
}

static irmas_status file_start(capture *c, char *err, size_t errlen)
{
    file_capture *f = c->state;
    if (pthread_create(&f->reader, NULL, file_read, f) != 0)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "cannot start the file reader thread");
    f->started = 1;
    return IRMAS_OK;
}

static double file_clock(capture *c)
{
    (void)c;
    return capture_monotonic();
}

static int file_finished(capture *c)
{
    file_capture *f = c->state;
    return atomic_load(&f->done);
}

static int file_close(capture *c)
{
    file_capture *f = c->state;
    if (!f) return 1;
    atomic_store(&f->stop, 1);
    if (f->started) pthread_join(f->reader, NULL);
    if (f->file) sf_close(f->file);
    free(f->block);
    free(f);
    return 1;
}

static const capture_ops file_ops = {.start = file_start,
                                     .clock = file_clock,
                                     .finished = file_finished,
                                     .close = file_close};

irmas_status capture_file_open(const daemon_options *o, capture *c, char *err,
                               size_t errlen)
{
    file_capture *f = capture_attach(c, &file_ops, sizeof *f);
    if (!f) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    f->fast = o->fast;
    SF_INFO info = {0};
    f->file = sf_open(o->input, SFM_READ, &info);
    irmas_status st = IRMAS_OK;
    if (!f->file)
        st = status_fail(err, errlen, IRMAS_ERR_IO, "--input %s: %s",
                         o->input, sf_strerror(NULL));
    else if (info.frames <= 0)
        st = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                         "--input %s: the file holds no audio", o->input);
    if (st == IRMAS_OK) {
        c->rate = info.samplerate;
        c->channels = info.channels;
        f->block = malloc((size_t)FILE_BLOCK * info.channels * sizeof(float));
        if (!f->block) st = status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    }
    if (st == IRMAS_OK) st = capture_make_ring(c, err, errlen);
    if (st != IRMAS_OK) {
        file_close(c);
        return st;
    }
    snprintf(c->description, sizeof c->description,
             "file %.200s: %d channel%s at %d Hz%s", o->input, c->channels,
             c->channels == 1 ? "" : "s", c->rate,
             o->fast ? ", as fast as possible" : ", in real time");
    return IRMAS_OK;
}
