/* capture_jack.c: see capture_jack.h.
 *
 * The client's life is open (ports, callbacks), start (activate, connect)
 * and, after the server died, the same again from capture_poll. The
 * shutdown callback runs in a JACK thread and may only set a flag.
 *
 * That notification can be lost (seen under heavy load when jackd is
 * killed), so the process callback also counts its cycles and capture_poll
 * takes JACK_STALL_SECONDS without one as the server being gone: an active
 * client is called every period, with or without connections.
 *
 * An xrun (the client late for a cycle, the server late for the device)
 * is counted by the xrun callback, but the notice does not say whether
 * this client lost audio. The server's frame counter does: each cycle
 * starts at jack_last_frame_time, one period after the last one this
 * client ran, unless the client missed cycles (frozen, or too late for the
 * server, which then skips it). The frames it ran past are counted as
 * missed and the block after them marked discontinuous, so no window
 * spans the gap. A late cycle that was still run loses nothing and marks
 * nothing.
 */
#include "capture_jack.h"

#include "log.h"
#include "thread.h"

#include <errno.h>
#include <jack/jack.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JACK_MAX_CHANNELS 64
#define JACK_STALL_SECONDS 5.0
#define JACK_CLOSE_SECONDS 2 /* a frozen server gets no longer to let go */

typedef struct {
    capture *c; /* first, as capture_attach wants */
    const daemon_options *o;
    jack_client_t *client;
    jack_port_t *in[JACK_MAX_CHANNELS];
    jack_port_t *out[JACK_MAX_CHANNELS];
    int first_cycle;       /* process thread: the next block starts anew */
    jack_nframes_t next_frame; /* process thread: where the next cycle starts */
    atomic_llong xruns;    /* counted by the xrun callback */
    atomic_llong frames_missed; /* frames of cycles this client missed */
    atomic_int server_gone;
    atomic_uint cycles;    /* process cycles run, for the stall check */
    unsigned cycles_seen;  /* main thread: cycles at the last change */
    double cycles_time;    /* main thread: monotonic s of that change */
    double next_retry;     /* monotonic s */
} jack_capture;

static int jack_process(jack_nframes_t frames, void *arg)
{
    jack_capture *j = arg;
    capture *c = j->c;
    const float *in[JACK_MAX_CHANNELS];
    atomic_fetch_add_explicit(&j->cycles, 1, memory_order_relaxed);
    for (int ch = 0; ch < c->channels; ch++) {
        in[ch] = jack_port_get_buffer(j->in[ch], frames);
        if (j->out[ch])
            memcpy(jack_port_get_buffer(j->out[ch], frames), in[ch],
                   frames * sizeof(float));
    }
    /* The server's estimate of the cycle's start may run ahead of the
     * clock after a stall; the audio was captured before now in any case. */
    double now = 1e-6 * (double)jack_get_time();
    jack_nframes_t start = jack_last_frame_time(j->client);
    double cycle_start = 1e-6 * (double)jack_frames_to_time(j->client, start);
    if (cycle_start > now) cycle_start = now;
    int discontinuous = j->first_cycle;
    /* Frame counts wrap around; the difference of two does not. */
    int32_t missed = (int32_t)(start - j->next_frame);
    if (!j->first_cycle && missed > 0) {
        atomic_fetch_add_explicit(&j->frames_missed, missed,
                                  memory_order_relaxed);
        discontinuous = 1;
    }
    j->next_frame = start + frames;
    ring_block b = {.frames = (int)frames, .rate = c->rate,
                    .discontinuous = discontinuous,
                    .capture_time = cycle_start - (double)frames / c->rate};
    j->first_cycle = 0;
    ring_write_planar(c->ring, &b, in);
    return 0;
}

/* JACK's xrun callback, in a JACK thread: only counts. */
static int jack_xrun(void *arg)
{
    jack_capture *j = arg;
    atomic_fetch_add_explicit(&j->xruns, 1, memory_order_relaxed);
    return 0;
}

static void jack_server_gone(jack_status_t code, const char *reason,
                             void *arg)
{
    (void)code;
    (void)reason;
    jack_capture *j = arg;
    atomic_store(&j->server_gone, 1);
}

/* libjack's own messages ("Cannot connect to server socket") would repeat
 * every second while the server is away; they are details. */
static void jack_message(const char *text) { log_debug("JACK: %s", text); }

static const char *server_name(void)
{
    const char *name = getenv("JACK_DEFAULT_SERVER");
    return name && *name ? name : "default";
}

/* Opens a client with its ports and callbacks, not yet active. */
static irmas_status jack_client_setup(jack_capture *j, char *err,
                                      size_t errlen)
{
    capture *c = j->c;
    jack_status_t status;
    j->client = jack_client_open(j->o->client_name, JackNoStartServer,
                                 &status);
    if (!j->client)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "cannot reach the JACK server '%s' (status 0x%x): "
                           "start jackd, or use --backend portaudio or file",
                           server_name(), (unsigned)status);
    c->rate = (int)jack_get_sample_rate(j->client);
    for (int ch = 0; ch < c->channels; ch++) {
        char name[32];
        snprintf(name, sizeof name, "in_%d", ch + 1);
        j->in[ch] = jack_port_register(j->client, name, JACK_DEFAULT_AUDIO_TYPE,
                                       JackPortIsInput, 0);
        snprintf(name, sizeof name, "out_%d", ch + 1);
        j->out[ch] = j->o->passthrough
                         ? jack_port_register(j->client, name,
                                              JACK_DEFAULT_AUDIO_TYPE,
                                              JackPortIsOutput, 0)
                         : NULL;
        if (!j->in[ch] || (j->o->passthrough && !j->out[ch]))
            return status_fail(err, errlen, IRMAS_ERR_IO,
                               "JACK: cannot register port %s:%s",
                               jack_get_client_name(j->client), name);
    }
    j->first_cycle = 1;
    atomic_store(&j->server_gone, 0);
    j->cycles_seen = atomic_load(&j->cycles);
    j->cycles_time = capture_monotonic();
    jack_set_process_callback(j->client, jack_process, j);
    jack_set_xrun_callback(j->client, jack_xrun, j);
    jack_on_info_shutdown(j->client, jack_server_gone, j);
    return IRMAS_OK;
}

/* Connects --connect port i to input i (modulo the inputs), every one
 * that can be; the message names the first that cannot. */
static irmas_status jack_connect_ports(jack_capture *j, char *err,
                                       size_t errlen)
{
    irmas_status st = IRMAS_OK;
    for (int i = 0; i < j->o->n_connect; i++) {
        const char *port = j->o->connect[i];
        const char *input = jack_port_name(j->in[i % j->c->channels]);
        int r = jack_connect(j->client, port, input);
        if (r != 0 && r != EEXIST && st == IRMAS_OK)
            st = status_fail(err, errlen, IRMAS_ERR_ARG,
                             "--connect %s: cannot connect it to %s; "
                             "jack_lsp lists the ports there are",
                             port, input);
    }
    return st;
}

static irmas_status jack_activate_client(jack_capture *j, char *err,
                                        size_t errlen)
{
    if (jack_activate(j->client) != 0)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "JACK: cannot activate client %s: the server did not "
                           "answer (is it still running? see its log)",
                           jack_get_client_name(j->client));
    return IRMAS_OK;
}

static irmas_status jack_start(capture *c, char *err, size_t errlen)
{
    jack_capture *j = c->state;
    irmas_status st = jack_activate_client(j, err, errlen);
    return st == IRMAS_OK ? jack_connect_ports(j, err, errlen) : st;
}

/* Tries once to bring the client back after the server died. A --connect
 * port the new server lacks does not keep irmasd away: it says so once and
 * captures what is connected. */
static void jack_reconnect(jack_capture *j)
{
    char err[512];
    int old_rate = j->c->rate;
    irmas_status st = jack_client_setup(j, err, sizeof err);
    if (st == IRMAS_OK) st = jack_activate_client(j, err, sizeof err);
    if (st != IRMAS_OK) {
        log_debug("%s", err);
        if (j->client) jack_client_close(j->client);
        j->client = NULL;
        return;
    }
    log_info("JACK server '%s' is back: capturing as %s at %d Hz",
             server_name(), jack_get_client_name(j->client), j->c->rate);
    if (jack_connect_ports(j, err, sizeof err) != IRMAS_OK)
        log_warn("%s; irmasd captures without it (connect it with "
                 "jack_connect, or send SIGTERM and start irmasd again)", err);
    if (j->c->rate != old_rate)
        log_info("the rate changed from %d Hz; the resampler follows",
                 old_rate);
}

static void *jack_close_client(void *client)
{
    jack_client_close(client);
    return NULL;
}

/* Closes client, waiting JACK_CLOSE_SECONDS at most: a frozen server
 * (stopped, or stuck) would otherwise hold jack_client_close, and with it
 * irmasd's exit, for as long as it likes. Returns 0 when the client was
 * left behind: its process callback may still run, so what it uses must
 * stay allocated. */
static int jack_close_within(jack_client_t *client)
{
    pthread_t closer;
    if (pthread_create(&closer, NULL, jack_close_client, client) != 0) {
        jack_client_close(client);
        return 1;
    }
    struct timespec deadline = thread_deadline(JACK_CLOSE_SECONDS);
    if (thread_join_by(closer, &deadline)) return 1;
    log_warn("the JACK server '%s' does not answer; irmasd leaves its "
             "client behind after %d s", server_name(), JACK_CLOSE_SECONDS);
    return 0;
}

/* 1 when the active client has not been called for JACK_STALL_SECONDS. */
static int jack_stalled(jack_capture *j, double now)
{
    unsigned cycles = atomic_load_explicit(&j->cycles, memory_order_relaxed);
    if (cycles != j->cycles_seen) {
        j->cycles_seen = cycles;
        j->cycles_time = now;
        return 0;
    }
    return now - j->cycles_time > JACK_STALL_SECONDS;
}

static void jack_poll(capture *c)
{
    jack_capture *j = c->state;
    double now = capture_monotonic();
    if (j->client && atomic_load(&j->server_gone)) {
        log_warn("the JACK server '%s' went away; irmasd waits for it to "
                 "come back", server_name());
        jack_client_close(j->client);
        j->client = NULL;
    } else if (j->client && jack_stalled(j, now)) {
        log_warn("the JACK server '%s' went away (no process cycle for %.0f "
                 "s); irmasd waits for it to come back", server_name(),
                 JACK_STALL_SECONDS);
        jack_client_close(j->client);
        j->client = NULL;
    }
    if (j->client || now < j->next_retry) return;
    j->next_retry = now + 1.0;
    jack_reconnect(j);
}

static double jack_clock(capture *c)
{
    (void)c;
    return 1e-6 * (double)jack_get_time();
}

static int jack_close(capture *c)
{
    jack_capture *j = c->state;
    if (!j) return 1;
    if (j->client && !jack_close_within(j->client))
        return 0; /* its callback may still run: j and the ring stay */
    free(j);
    return 1;
}

static capture_losses jack_losses(capture *c)
{
    jack_capture *j = c->state;
    return (capture_losses){
        .xruns = atomic_load_explicit(&j->xruns, memory_order_relaxed),
        .frames_missed =
            atomic_load_explicit(&j->frames_missed, memory_order_relaxed)};
}

static const capture_ops jack_ops = {.start = jack_start,
                                     .poll = jack_poll,
                                     .clock = jack_clock,
                                     .losses = jack_losses,
                                     .close = jack_close};

irmas_status capture_jack_open(const daemon_options *o, capture *c, char *err,
                               size_t errlen)
{
    jack_capture *j = capture_attach(c, &jack_ops, sizeof *j);
    if (!j) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    jack_set_error_function(jack_message);
    jack_set_info_function(jack_message);
    j->o = o;
    c->channels = o->channels ? o->channels
                              : (o->n_connect ? o->n_connect : 2);
    irmas_status st = IRMAS_OK;
    if (strlen(o->client_name) + 1 > (size_t)jack_client_name_size())
        st = status_fail(err, errlen, IRMAS_ERR_ARG,
                         "--client-name %s: %zu characters, but JACK allows "
                         "%d at most", o->client_name, strlen(o->client_name),
                         jack_client_name_size() - 1);
    if (st == IRMAS_OK) st = jack_client_setup(j, err, errlen);
    if (st == IRMAS_OK) st = capture_make_ring(c, err, errlen);
    if (st != IRMAS_OK) {
        jack_close(c);
        return st;
    }
    snprintf(c->description, sizeof c->description,
             "JACK client %s on server '%s': %d input%s at %d Hz%s",
             jack_get_client_name(j->client), server_name(), c->channels,
             c->channels == 1 ? "" : "s", c->rate,
             o->passthrough ? ", passed through" : "");
    return IRMAS_OK;
}
