/* capture.h: where audio comes from: a JACK client, a PortAudio stream, or
 * a WAV file replayed as if it were a device.
 *
 * Every backend delivers the same thing: blocks of interleaved float frames
 * written into the capture's ring (ring.h) from its audio callback, each
 * with the device-clock time of its capture. The main
 * thread opens a capture, starts it once the worker is reading, polls it
 * every quarter second (the JACK backend reconnects to a server that went
 * away from there), and closes it. capture_clock reads the device's clock
 * now, which is how the worker turns block times into wall-clock time.
 *
 * A backend's open function (capture_jack.h, capture_portaudio.h,
 * capture_file.h) fills in a capture: the operations, its own state, the
 * rate, the channels, and the ring it made with capture_make_ring.
 */
#ifndef IRMASD_CAPTURE_H
#define IRMASD_CAPTURE_H

#include "options.h"
#include "ring.h"

typedef struct capture capture;

typedef struct {
    irmas_status (*start)(capture *c, char *err, size_t errlen);
    void (*poll)(capture *c);     /* may be NULL */
    double (*clock)(capture *c);
    int (*finished)(capture *c);  /* no more audio will come; may be NULL */
    long long (*xruns)(capture *c); /* the server's xruns; may be NULL */
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

/* Opens the backend o asks for; nothing is captured until capture_start. */
irmas_status capture_open(const options *o, capture **out, char *err,
                          size_t errlen);
irmas_status capture_start(capture *c, char *err, size_t errlen);
void capture_poll(capture *c);
double capture_clock(capture *c);
int capture_finished(capture *c);

/* The xruns the audio server reported since start (JACK; 0 elsewhere):
 * cycles the capture was late for, their audio lost and the gap marked. */
long long capture_xruns(capture *c);
/* Stops and frees the capture, bounded in time: a device that does not
 * let go is left behind (and what its callback writes to stays
 * allocated) rather than holding up irmasd's exit. */
void capture_close(capture *c);

/* For backends: allocates their zeroed state of size bytes, whose first
 * member must be a `capture *`, points it at c and installs it and ops in
 * c. NULL when out of memory. */
void *capture_attach(capture *c, const capture_ops *ops, size_t size);

/* For backends: a ring holding CAPTURE_RING_SECONDS of c->channels-channel
 * audio at c->rate. */
#define CAPTURE_RING_SECONDS 8
irmas_status capture_make_ring(capture *c, char *err, size_t errlen);

/* The clock a backend without one of its own uses: CLOCK_MONOTONIC, s. */
double capture_monotonic(void);

#endif
