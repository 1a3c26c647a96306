/* capture_backend.h: what a capture backend is made of, for the backends
 * (capture_file.c, capture_jack.c, capture_portaudio.c) and the factory
 * (capture.c) alone; everyone else sees the opaque capture of capture.h.
 *
 * A backend's open function fills in a capture: the operations, its own
 * state (capture_attach), the rate, the channels, a description, and the
 * ring it made with capture_make_ring. Its audio callback writes blocks
 * into that ring (ring.h).
 */
#ifndef IRMASD_CAPTURE_BACKEND_H
#define IRMASD_CAPTURE_BACKEND_H

#include "capture.h"

typedef struct {
    irmas_status (*start)(capture *c, char *err, size_t errlen);
    void (*poll)(capture *c);     /* may be NULL */
    double (*clock)(capture *c);
    int (*finished)(capture *c);  /* no more audio will come; may be NULL */
    capture_losses (*losses)(capture *c); /* the server's; may be NULL */
    /* Stops the callbacks and frees the state; 0 when a callback may still
     * run (a client left with a frozen server): then the ring stays. */
    int (*close)(capture *c);
} capture_ops;

struct capture {
    const capture_ops *ops;
    void *state; /* the backend's */
    ring *ring;
    int rate, channels;
    char description[256]; /* "JACK client irmasd: 2 inputs at 48000 Hz" */
};

/* Allocates the backend's zeroed state of size bytes, whose first member
 * must be a `capture *`, points it at c and installs it and ops in c. NULL
 * when out of memory. */
void *capture_attach(capture *c, const capture_ops *ops, size_t size);

/* A ring holding CAPTURE_RING_SECONDS of c->channels-channel audio at
 * c->rate, installed in c. */
#define CAPTURE_RING_SECONDS 8
irmas_status capture_make_ring(capture *c, char *err, size_t errlen);

/* The clock a backend without one of its own uses: CLOCK_MONOTONIC, s. */
double capture_monotonic(void);

#endif
