/* capture_backend.c: see capture_backend.h. */
#include "capture_backend.h"

#include "clock.h"

#include <stdlib.h>
#include <time.h>

void *capture_attach(capture *c, const capture_ops *ops, size_t size)
{
    capture **state = calloc(1, size);
    if (!state) return NULL;
    *state = c;
    c->ops = ops;
    c->state = state;
    return state;
}

irmas_status capture_make_ring(capture *c, char *err, size_t errlen)
{
    return ring_new(c->channels, (long)c->rate * CAPTURE_RING_SECONDS,
                    &c->ring, err, errlen);
}

double capture_monotonic(void) { return clock_seconds(CLOCK_MONOTONIC); }
