/* jack_play.c: the daemon tests' sound source: a JACK client that plays a
 * WAV file (mono, at the server's rate) once through its output port into
 * the ports it is given, then exits.
 *
 *     jack_play FILE.wav PORT...
 *
 * The whole file is read before the client activates, so the process
 * callback only copies. It exits 1 with a message when the server is not
 * there, the rates differ or a port cannot be connected.
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
} player;

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
    jack_client_t *client = jack_client_open(name, JackNoStartServer, NULL);
    if (!client) {
        fprintf(stderr, "jack_play: no JACK server\n");
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
    jack_set_process_callback(client, play, &p);
    if (!p.out || jack_activate(client) != 0) goto out;
    for (int i = 2; i < argc; i++)
        if (jack_connect(client, jack_port_name(p.out), argv[i]) != 0) {
            fprintf(stderr, "jack_play: cannot connect to %s\n", argv[i]);
            goto out;
        }
    atomic_store(&p.playing, 1);
    while (!atomic_load(&p.done)) usleep(10000);
    usleep(200000); /* the last block reaches the reader */
    status = 0;
out:
    jack_client_close(client);
    free(samples);
    return status;
}
