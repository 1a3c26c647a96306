/* jack_play.c: the daemon tests' sound source: a JACK client that plays a
 * WAV file (mono, at the server's rate) once through its output port into
 * the ports it is given, then exits.
 *
 *     jack_play FILE.wav PORT...
 *
 * The whole file is read before the client activates, so the process
 * callback only copies; the samples are freed only after jack_client_close
 * has returned, when no callback can run. It exits 1 with a message when
 * the server is not there (with libjack's status bits), the rates differ, a
 * port cannot be connected, or the server shuts the client down before the
 * file has played (instead of waiting for ever).
 */
#include <jack/jack.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    jack_port_t *out;
    const float *samples;
    long frames;
    long position; /* process thread only */
    atomic_int playing; /* set once every port is connected */
    atomic_int done;
    atomic_int shut_down; /* the server closed the client */
} player;

/* JACK's shutdown callback: the server has gone or has thrown the client
 * out, so no more process callbacks will come. */
static void on_shutdown(void *arg)
{
    player *p = arg;
    atomic_store(&p->shut_down, 1);
}

static int play(jack_nframes_t n, void *arg)
{
    player *p = arg;
    float *out = jack_port_get_buffer(p->out, n);
    if (!atomic_load(&p->playing)) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    for (jack_nframes_t i = 0; i < n; i++)
        out[i] = p->position < p->frames ? p->samples[p->position++] : 0.0f;
    if (p->position >= p->frames) atomic_store(&p->done, 1);
    return 0;
}

static float *read_mono(const char *path, long *frames, int *rate)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f || info.channels != 1) {
        fprintf(stderr, "jack_play: %s: %s\n", path,
                f ? "not mono" : sf_strerror(NULL));
        if (f) sf_close(f);
        return NULL;
    }
    float *x = malloc((size_t)info.frames * sizeof *x);
    *frames = x ? (long)sf_readf_float(f, x, info.frames) : 0;
    *rate = info.samplerate;
    sf_close(f);
    return x;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: jack_play FILE.wav PORT...\n");
        return 2;
    }
    player p = {0};
    int rate, status = 1;
    float *samples = read_mono(argv[1], &p.frames, &rate);
    if (!samples) return 1;
    p.samples = samples;
    /* jack2 names a client's notification socket after the client alone,
     * so two clients of one name on two servers (tests run in parallel)
     * would take each other's socket: the name carries the pid. */
    char name[32];
    snprintf(name, sizeof name, "jack_play-%ld", (long)getpid());
    jack_status_t open_status = 0;
    jack_client_t *client = jack_client_open(name, JackNoStartServer, &open_status);
    if (!client) {
        fprintf(stderr, "jack_play: cannot open a JACK client (status 0x%x%s)\n",
                (unsigned)open_status,
                open_status & JackServerFailed ? ": no JACK server" : "");
        free(samples);
        return 1;
    }
    if ((int)jack_get_sample_rate(client) != rate) {
        fprintf(stderr, "jack_play: %s is at %d Hz, the server at %u Hz\n",
                argv[1], rate, jack_get_sample_rate(client));
        goto out;
    }
    p.out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE,
                               JackPortIsOutput, 0);
    if (!p.out) {
        fprintf(stderr, "jack_play: cannot register an output port\n");
        goto out;
    }
    jack_on_shutdown(client, on_shutdown, &p);
    if (jack_set_process_callback(client, play, &p) != 0 ||
        jack_activate(client) != 0) {
        fprintf(stderr, "jack_play: cannot activate the JACK client\n");
        goto out;
    }
    for (int i = 2; i < argc; i++)
        if (jack_connect(client, jack_port_name(p.out), argv[i]) != 0) {
            fprintf(stderr, "jack_play: cannot connect to %s\n", argv[i]);
            goto out;
        }
    atomic_store(&p.playing, 1);
    while (!atomic_load(&p.done) && !atomic_load(&p.shut_down)) usleep(10000);
    if (atomic_load(&p.shut_down)) {
        fprintf(stderr, "jack_play: the JACK server shut the client down "
                        "before %s had played\n", argv[1]);
        goto out;
    }
    usleep(200000); /* the last block reaches the reader */
    status = 0;
out:
    jack_client_close(client);
    free(samples);
    return status;
}
