/* main.c: irmasd, live instrument tagging.
 *
 * The main thread reads the settings, loads the model, opens the capture
 * and the OSC targets (any of which failing stops the daemon at once with
 * one message), starts the worker, and then waits for signals, polling the
 * capture (the JACK backend reconnects from there) and writing the
 * periodic statistics line four times a second. SIGHUP loads the model
 * again here, off the audio path, and offers it to the worker; a model that
 * fails to load or to fit the device is refused and the old one keeps
 * running.
 *
 * The signals' handlers only set a flag the main loop reads. Every thread
 * irmasd or its libraries start is started with the signals blocked, so no
 * signal interrupts an audio callback or the worker; threads started before
 * main (OpenBLAS starts its pool when it loads) may still take one, which
 * is why the handlers exist at all: a blocked-everywhere scheme with
 * sigwait would let such a thread die of SIGTERM's default action.
 */
#include "capture.h"
#include "clock.h"
#include "control.h"
#include "log.h"
#include "model_file.h"
#include "daemon_options.h"
#include "osc.h"
#include "pretrained.h"
#include "service.h"
#include "daemon_stats.h"
#include "live_tagger.h"
#include "daemon_worker.h"
#include "denormals.h"
#include "gemm.h"

#include "config.h"
#include "irmas/version.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    daemon_options o;
    capture *capture;
    daemon_stats *stats;
    osc_out *osc;
    daemon_worker *worker;
    control *control; /* --osc-listen, or NULL */
} daemon_state;

/* Refuses a model path that is not a regular file (a FIFO, a device)
 * without waiting on it: opening a FIFO for reading waits for a writer,
 * which may never come, and the main thread must always come back to its
 * signals. irmas_model_load then reads it (and checks it again). */
static irmas_status daemon_check_model_path(const char *path, char *err,
                                            size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return IRMAS_OK; /* irmas_model_load names the reason */
    struct stat info;
    int regular = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
    close(fd);
    if (regular) return IRMAS_OK;
    return status_fail(err, errlen, IRMAS_ERR_IO,
                       "model %s is not a regular file (a FIFO, a device or "
                       "a folder); give the path of an .irm model file", path);
}

/* Loads the model and builds a tagger for audio at rate. */
static irmas_status daemon_tagger(const daemon_options *o, int rate,
                                  live_tagger **out, char *err, size_t errlen)
{
    irmas_model *m = NULL;
    irmas_model_limits limits = {.max_memory_bytes = o->max_model_memory * 1048576.0,
                           .max_ops = o->max_model_ops * 1e9};
    irmas_status st = daemon_check_model_path(o->model, err, errlen);
    if (st == IRMAS_OK)
        st = irmas_pretrained_load_model(o->model, &limits,
                                   o->weights[0] ? o->weights : NULL, &m,
                                   err, errlen);
    if (st == IRMAS_ERR_IO && !strcmp(o->model, model_default_path())) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n,
                 " (the default model: build it as the README's \"Models\" "
                 "says, or pass --model FILE)");
    }
    /* A file too slow for the model is refused as a device is, by name. */
    if (st == IRMAS_OK && o->backend == BACKEND_FILE)
        st = model_check_rate(m, rate, o->input, err, errlen);
    if (st == IRMAS_OK)
        st = live_tagger_new(m, rate, o->hop, !o->no_incremental, out, err,
                             errlen);
    if (st != IRMAS_OK) irmas_model_free(m);
    return st;
}

static void daemon_describe(daemon_state *d, const live_tagger *t)
{
    const irmas_model *m = live_tagger_model(t);
    char input[160] = "";
    model_describe_input(m, input, sizeof input);
    char converted[96] = "";
    if (live_tagger_device_rate(t) != m->sample_rate)
        snprintf(converted, sizeof converted,
                 "; the input's %d Hz converted to %d Hz (libsamplerate)",
                 live_tagger_device_rate(t), m->sample_rate);
    log_info("model %s: %d classes, %.2f s windows at %d Hz read as %s, "
             "every %.3f s, %s%s", d->o.model, m->classes,
             (double)m->window_samples / m->sample_rate, m->sample_rate,
             input, live_tagger_hop_seconds(t),
             live_tagger_is_incremental(t) ? "streamed"
                                      : "each window computed whole",
             converted);
}

static irmas_status daemon_open(daemon_state *d, char *err, size_t errlen)
{
    irmas_status st = capture_open(&d->o, &d->capture, err, errlen);
    if (st != IRMAS_OK) return st;
    live_tagger *t = NULL;
    if ((st = daemon_tagger(&d->o, capture_rate(d->capture), &t, err, errlen)))
        return st;
    daemon_describe(d, t);
    d->stats = daemon_stats_new();
    const char *urls[DAEMON_OPTIONS_MAX_LIST];
    for (int i = 0; i < d->o.n_osc; i++) urls[i] = d->o.osc[i];
    if (!d->stats)
        st = status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    if (st == IRMAS_OK)
        st = osc_out_new(urls, d->o.n_osc, d->o.backend == BACKEND_FILE,
                         &(osc_format){.bundles = d->o.osc_bundles,
                                       .prefix = d->o.osc_prefix},
                         d->stats, &d->osc, err, errlen);
    if (st != IRMAS_OK) {
        live_tagger_free(t);
        return st;
    }
    /* The worker takes t; what the control says of it is read before the
     * main thread can offer the worker another. */
    st = daemon_worker_start(d->capture, t, d->osc, d->stats, &d->o, &d->worker,
                      err, errlen);
    if (st != IRMAS_OK) return st;
    if (d->o.osc_listen[0]) {
        st = control_new(d->o.osc_listen, d->osc, d->worker, d->o.gate,
                         d->o.smooth, &d->control, err, errlen);
        if (st != IRMAS_OK) return st;
        control_set_model(d->control, d->o.model, live_tagger_model(t),
                          live_tagger_hop_seconds(t));
    }
    return capture_start(d->capture, err, errlen);
}

static void daemon_reload(daemon_state *d)
{
    char err[1024];
    live_tagger *t = NULL;
    service_notify("RELOADING=1");
    log_info("SIGHUP: loading %s", d->o.model);
    if (daemon_tagger(&d->o, daemon_worker_device_rate(d->worker), &t, err,
                      sizeof err) != IRMAS_OK) {
        log_error("%s; the model loaded before keeps running", err);
    } else {
        daemon_describe(d, t);
        if (d->control)
            control_set_model(d->control, d->o.model, live_tagger_model(t),
                              live_tagger_hop_seconds(t));
        daemon_worker_offer(d->worker, t);
    }
    service_notify("READY=1");
}

/* Carries out a /irmas/set/hop from the OSC control: the model is loaded
 * again with the new hop (as on SIGHUP) and answered with the hop in
 * force; on failure the old hop stays. */
static void daemon_change_hop(daemon_state *d, double hop)
{
    char err[1024];
    live_tagger *t = NULL;
    double old = d->o.hop;
    d->o.hop = hop;
    if (daemon_tagger(&d->o, daemon_worker_device_rate(d->worker), &t, err,
                      sizeof err) != IRMAS_OK) {
        d->o.hop = old;
        control_answer_hop(d->control, 0, err);
        return;
    }
    daemon_describe(d, t);
    control_set_model(d->control, d->o.model, live_tagger_model(t),
                      live_tagger_hop_seconds(t));
    control_answer_hop(d->control, live_tagger_hop_seconds(t), NULL);
    daemon_worker_offer(d->worker, t);
}

static void daemon_report(daemon_state *d)
{
    char line[512];
    capture_losses lost = capture_server_losses(d->capture);
    daemon_stats_line(d->stats, ring_overruns(capture_ring(d->capture)),
                      lost.xruns, lost.frames_missed, line, sizeof line);
    log_info("%s", line);
    service_status("%s", line);
}

/* Stops the worker, then lets the OSC queues drain (both bounded in time:
 * a stuck target holds up neither), writes the final statistics line when
 * asked, and frees everything. */
static void daemon_close(daemon_state *d, int report)
{
    control_free(d->control);
    daemon_worker_stop(d->worker);
    osc_out_finish(d->osc);
    if (report) daemon_report(d);
    capture_close(d->capture);
    osc_out_free(d->osc);
    daemon_stats_free(d->stats);
}

static volatile sig_atomic_t signal_stop, signal_reload, signal_report;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        signal_reload = 1;
    else if (sig == SIGUSR1)
        signal_report = 1;
    else
        signal_stop = sig;
}

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
#define N_HANDLED (sizeof handled_signals / sizeof *handled_signals)

static void signals_install(void)
{
    struct sigaction action = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    for (size_t i = 0; i < N_HANDLED; i++)
        sigaction(handled_signals[i], &action, NULL);
    signal(SIGPIPE, SIG_IGN); /* a TCP target that hangs up is not fatal */
}

/* Blocks or unblocks the handled signals in the calling thread; threads
 * started while they are blocked inherit the mask. */
static void signals_block(int block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < N_HANDLED; i++) sigaddset(&set, handled_signals[i]);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Waits for signals until told to stop or the input ends. */
static void daemon_run(daemon_state *d)
{
    double next_report = clock_seconds(CLOCK_MONOTONIC) + d->o.log_interval;
    for (;;) {
        struct timespec quarter = {0, 250000000};
        nanosleep(&quarter, NULL); /* a signal cuts it short */
        if (signal_stop) {
            log_info("%s: stopping", strsignal(signal_stop));
            break;
        }
        if (signal_reload) {
            signal_reload = 0;
            daemon_reload(d);
        }
        if (signal_report) {
            signal_report = 0;
            daemon_report(d);
        }
        double hop;
        if (d->control && control_take_hop(d->control, &hop))
            daemon_change_hop(d, hop);
        signals_block(1); /* JACK's threads, should it reconnect */
        capture_poll(d->capture);
        signals_block(0);
        if (d->o.log_interval > 0 && clock_seconds(CLOCK_MONOTONIC) >= next_report) {
            daemon_report(d);
            next_report = clock_seconds(CLOCK_MONOTONIC) + d->o.log_interval;
        }
        if (daemon_worker_finished(d->worker)) {
            log_info("the input ended");
            break;
        }
    }
}

/* Actions other than running: help, version, devices. */
static int daemon_action(daemon_options_action action)
{
    char err[1024];
    switch (action) {
    case DAEMON_OPTIONS_HELP: daemon_options_print_help(stdout); return 0;
    case DAEMON_OPTIONS_VERSION: printf("irmasd %s\n", IRMAS_VERSION); return 0;
    case DAEMON_OPTIONS_LIST_DEVICES:
        if (capture_list_devices(stdout, err, sizeof err) == IRMAS_OK)
            return 0;
        log_error("%s", err);
        return 1;
    case DAEMON_OPTIONS_RUN: break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static daemon_state d;
    char err[1024];
    daemon_options_action action;
    if (daemon_options_parse(&d.o, argc, argv, &action, err, sizeof err)) {
        log_error("%s", err);
        return 2;
    }
    if (action != DAEMON_OPTIONS_RUN) return daemon_action(action);
    log_set_verbose(d.o.verbose);

    signals_install();
    signals_block(1); /* for every thread daemon_open starts */
    /* One BLAS thread: the worker's cost per window stays what it measures
     * alone, and a model's large products (a CNN's) start no threads that
     * would compete with the audio (gemm.h). */
    gemm_set_threads(1);
    /* Before daemon_open starts the worker, which inherits it: a decaying
     * state or filter never falls into slow denormal arithmetic. */
    denormals_flush();

    if (daemon_open(&d, err, sizeof err) != IRMAS_OK) {
        log_error("%s", err);
        daemon_close(&d, 0);
        return 1;
    }
    log_info("listening: %s", capture_description(d.capture));
    for (int i = 0; i < d.o.n_osc; i++) log_info("sending OSC to %s", d.o.osc[i]);
    service_notify("READY=1");
    service_status("listening: %s", capture_description(d.capture));

    signals_block(0);
    daemon_run(&d);
    service_notify("STOPPING=1");
    daemon_close(&d, 1);
    return 0;
}
