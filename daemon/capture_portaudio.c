/* capture_portaudio.c: see capture_portaudio.h. */
#include "capture_portaudio.h"

#include <ctype.h>
#include <fcntl.h>
#include <portaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct {
    capture *c; /* first, as capture_attach wants */
    PaStream *stream;
    int initialised;
    int verbose;
    int first_block; /* callback only */
} pa_capture;

static int pa_callback(const void *input, void *output,
                       unsigned long frames,
                       const PaStreamCallbackTimeInfo *time,
                       PaStreamCallbackFlags flags, void *arg)
{
    (void)output;
    pa_capture *p = arg;
    capture *c = p->c;
    double length = (double)frames / c->rate;
    ring_block b = {.frames = (int)frames, .rate = c->rate,
                    .discontinuous = p->first_block ||
                                     (flags & paInputOverflow),
                    .capture_time = time->inputBufferAdcTime > 0
                                        ? time->inputBufferAdcTime
                                        : time->currentTime - length};
    p->first_block = 0;
    if (input) ring_write_interleaved(c->ring, &b, input);
    return paContinue;
}

/* Calls Pa_Initialize or Pa_Terminate with stderr sent to /dev/null unless
 * verbose: the ALSA and JACK host APIs print pages of probing messages
 * ("ALSA lib ... Unknown PCM", "Cannot connect to server socket") while they
 * look for devices, and irmasd says itself what matters. Only the main
 * thread runs then. */
static PaError pa_quietly(PaError (*call)(void), int verbose)
{
    if (verbose) return call();
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    PaError e = call();
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    if (null >= 0) close(null);
    return e;
}

static irmas_status pa_fail(char *err, size_t errlen, const char *what,
                            PaError e)
{
    return status_fail(err, errlen, IRMAS_ERR_IO, "PortAudio: %s: %s", what,
                       Pa_GetErrorText(e));
}

static int has_inputs(PaDeviceIndex i)
{
    const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
    return d && d->maxInputChannels > 0;
}

static int is_index(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* The input device the name means: an index, an exact name, or the one
 * device whose name contains it. */
static PaDeviceIndex pa_find_device(const char *name)
{
    int n = Pa_GetDeviceCount();
    if (!*name) return Pa_GetDefaultInputDevice();
    if (is_index(name)) {
        long i = strtol(name, NULL, 10);
        return i < n && has_inputs((PaDeviceIndex)i) ? (PaDeviceIndex)i
                                                     : paNoDevice;
    }
    PaDeviceIndex found = paNoDevice;
    int matches = 0;
    for (PaDeviceIndex i = 0; i < n; i++) {
        if (!has_inputs(i)) continue;
        const char *d = Pa_GetDeviceInfo(i)->name;
        if (!strcmp(d, name)) return i;
        if (strcasestr(d, name)) {
            found = i;
            matches++;
        }
    }
    return matches == 1 ? found : paNoDevice;
}

static irmas_status pa_start(capture *c, char *err, size_t errlen)
{
    pa_capture *p = c->state;
    PaError e = Pa_StartStream(p->stream);
    return e == paNoError ? IRMAS_OK : pa_fail(err, errlen, "starting", e);
}

static double pa_clock(capture *c)
{
    pa_capture *p = c->state;
    return Pa_GetStreamTime(p->stream);
}

static int pa_close(capture *c)
{
    pa_capture *p = c->state;
    if (!p) return 1;
    if (p->stream) {
        Pa_StopStream(p->stream);
        Pa_CloseStream(p->stream);
    }
    if (p->initialised) pa_quietly(Pa_Terminate, p->verbose);
    free(p);
    return 1;
}

static const capture_ops pa_ops = {.start = pa_start, .clock = pa_clock,
                                   .close = pa_close};

static irmas_status pa_open_stream(pa_capture *p, const daemon_options *o,
                                   char *err, size_t errlen)
{
    capture *c = p->c;
    PaDeviceIndex device = pa_find_device(o->device);
    if (device == paNoDevice && !*o->device)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "PortAudio: there is no default input device; "
                           "pick one with --device (irmasd --backend "
                           "portaudio --list-devices lists them)");
    if (device == paNoDevice)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "PortAudio: no input device '%s', or more than "
                           "one matches it; irmasd --backend portaudio "
                           "--list-devices lists them", o->device);
    const PaDeviceInfo *d = Pa_GetDeviceInfo(device);
    int max = d->maxInputChannels;
    c->channels = o->channels ? o->channels : (max < 2 ? max : 2);
    if (c->channels > max)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--channels %d: device %d (%s) has %d input%s",
                           c->channels, device, d->name, max,
                           max == 1 ? "" : "s");
    c->rate = (int)d->defaultSampleRate;
    PaStreamParameters in = {.device = device,
                             .channelCount = c->channels,
                             .sampleFormat = paFloat32,
                             .suggestedLatency = d->defaultLowInputLatency};
    PaError e = Pa_OpenStream(&p->stream, &in, NULL, d->defaultSampleRate,
                              paFramesPerBufferUnspecified, paNoFlag,
                              pa_callback, p);
    if (e != paNoError) return pa_fail(err, errlen, d->name, e);
    snprintf(c->description, sizeof c->description,
             "PortAudio device %d (%.100s, %.60s): %d input%s at %d Hz",
             device, d->name, Pa_GetHostApiInfo(d->hostApi)->name,
             c->channels, c->channels == 1 ? "" : "s", c->rate);
    return IRMAS_OK;
}

irmas_status capture_portaudio_open(const daemon_options *o, capture *c,
                                    char *err, size_t errlen)
{
    pa_capture *p = capture_attach(c, &pa_ops, sizeof *p);
    if (!p) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    p->first_block = 1;
    p->verbose = o->verbose;
    PaError e = pa_quietly(Pa_Initialize, o->verbose);
    irmas_status st = IRMAS_OK;
    if (e != paNoError) st = pa_fail(err, errlen, "initialising", e);
    p->initialised = e == paNoError;
    if (st == IRMAS_OK) st = pa_open_stream(p, o, err, errlen);
    if (st == IRMAS_OK) st = capture_make_ring(c, err, errlen);
    if (st != IRMAS_OK) {
        pa_close(c);
        return st;
    }
    return IRMAS_OK;
}

irmas_status capture_portaudio_list(FILE *out, char *err, size_t errlen)
{
    PaError e = pa_quietly(Pa_Initialize, 0);
    if (e != paNoError) return pa_fail(err, errlen, "initialising", e);
    PaDeviceIndex fallback = Pa_GetDefaultInputDevice();
    int shown = 0;
    for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); i++) {
        if (!has_inputs(i)) continue;
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        fprintf(out, "%c %3d  %s  (%s, %d input%s, %.0f Hz)\n",
                i == fallback ? '*' : ' ', i, d->name,
                Pa_GetHostApiInfo(d->hostApi)->name, d->maxInputChannels,
                d->maxInputChannels == 1 ? "" : "s", d->defaultSampleRate);
        shown++;
    }
    if (!shown) fprintf(out, "no input devices\n");
    pa_quietly(Pa_Terminate, 0);
    return IRMAS_OK;
}
