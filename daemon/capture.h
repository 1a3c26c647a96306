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
 * A capture is opaque; capture_open is the factory that picks the backend
 * (capture_jack.h, capture_portaudio.h, capture_file.h), and what a backend
 * fills in is capture_backend.h's.
 */
#ifndef IRMASD_CAPTURE_H
#define IRMASD_CAPTURE_H

#include "daemon_options.h"
#include "ring.h"

#include <stdio.h>

typedef struct capture capture;

/* Opens the backend o asks for; nothing is captured until capture_start. */
irmas_status capture_open(const daemon_options *o, capture **out, char *err,
                          size_t errlen);
irmas_status capture_start(capture *c, char *err, size_t errlen);
void capture_poll(capture *c);
double capture_clock(capture *c);
int capture_finished(capture *c);

/* The ring the audio arrives in (the worker reads it), the device's rate,
 * and a line saying what captures ("JACK client irmasd: 2 inputs at
 * 48000 Hz"). */
ring *capture_ring(const capture *c);
int capture_rate(const capture *c);
const char *capture_description(const capture *c);

/* What the audio server lost of the capture since start (JACK; zero
 * elsewhere): the xruns it reported, and the frames of the cycles the
 * capture missed, each such gap marked in the ring so that no window
 * spans it. */
typedef struct {
    long long xruns;
    long long frames_missed;
} capture_losses;
capture_losses capture_server_losses(capture *c);
/* Stops and frees the capture, bounded in time: a device that does not
 * let go is left behind (and what its callback writes to stays
 * allocated) rather than holding up irmasd's exit. */
void capture_close(capture *c);

/* --list-devices: writes the input devices irmasd can open with --device
 * (PortAudio's), one a line. */
irmas_status capture_list_devices(FILE *out, char *err, size_t errlen);

#endif
