/* capture.c: see capture.h. Dispatches to the backend o->backend names. */
#include "capture.h"

#include "capture_file.h"
#include "capture_jack.h"
#include "capture_portaudio.h"
#include "clock.h"

#include <stdlib.h>
#include <time.h>

irmas_status capture_open(const options *o, capture **out, char *err,
                          size_t errlen)
{
    capture *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "capture: out of memory");
    irmas_status st;
    switch (o->backend) {
    case BACKEND_PORTAUDIO: st = capture_portaudio_open(o, c, err, errlen); break;
    case BACKEND_FILE: st = capture_file_open(o, c, err, errlen); break;
    default: st = capture_jack_open(o, c, err, errlen); break;
    }
    if (st != IRMAS_OK) {
        ring_delete(c->ring);
        free(c);
        return st;
    }
    *out = c;
    return IRMAS_OK;
}

irmas_status capture_start(capture *c, char *err, size_t errlen)
{
    return c->ops->start(c, err, errlen);
}

void capture_poll(capture *c)
{
    if (c->ops->poll) c->ops->poll(c);
}

double capture_clock(capture *c) { return c->ops->clock(c); }

int capture_finished(capture *c)
{
    return c->ops->finished && c->ops->finished(c);
}

long long capture_xruns(capture *c)
{
    return c->ops->xruns ? c->ops->xruns(c) : 0;
}

void *capture_attach(capture *c, const capture_ops *ops, size_t size)
{
    capture **state = calloc(1, size);
    if (!state) return NULL;
    *state = c;
    c->ops = ops;
    c->state = state;
    return state;
}

void capture_close(capture *c)
{
    if (!c) return;
    if (!c->ops->close(c)) return; /* a callback may still write to c->ring */
    ring_delete(c->ring);
    free(c);
}

irmas_status capture_make_ring(capture *c, char *err, size_t errlen)
{
    return ring_new(c->channels, (long)c->rate * CAPTURE_RING_SECONDS,
                    &c->ring, err, errlen);
}

double capture_monotonic(void) { return clock_seconds(CLOCK_MONOTONIC); }
