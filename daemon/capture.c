/* capture.c: see capture.h. The factory: opens the backend o->backend
 * names, then dispatches to its operations. */
#include "capture.h"

#include "capture_backend.h"
#include "capture_file.h"
#include "capture_jack.h"
#include "capture_portaudio.h"

#include <stdlib.h>

irmas_status capture_open(const daemon_options *o, capture **out, char *err,
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
        ring_free(c->ring);
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

ring *capture_ring(const capture *c) { return c->ring; }
int capture_rate(const capture *c) { return c->rate; }
const char *capture_description(const capture *c) { return c->description; }

capture_losses capture_server_losses(capture *c)
{
    return c->ops->losses ? c->ops->losses(c) : (capture_losses){0, 0};
}

void capture_close(capture *c)
{
    if (!c) return;
    if (!c->ops->close(c)) return; /* a callback may still write to c->ring */
    ring_free(c->ring);
    free(c);
}

irmas_status capture_list_devices(FILE *out, char *err, size_t errlen)
{
    return capture_portaudio_list(out, err, errlen);
}
