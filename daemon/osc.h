/* osc.h: the OSC output: one bundle per window to every --osc target.
 *
 * Each target (a liblo URL: UDP, TCP, multicast, or a UNIX socket) has its
 * own sender thread and a short queue, so a slow or absent target (a TCP
 * peer that does not answer) delays nobody else, least of all the worker.
 * The addresses and their types are irmas/osc.h's. A window's bundle
 * carries, with the capture time of the window's last sample as its
 * timetag:
 *     /irmas/probs  f...   one probability per class, in model order
 *     /irmas/top    s f    the most likely label and its probability
 *     /irmas/top/index i f the same as the label's index in model order
 *     /irmas/class/<label> f   one message per class
 * or, when the window was quieter than the gate, only
 *     /irmas/silence f     the window's level in dBFS
 * and /irmas/classes s... (the labels) goes out at start, after a reload
 * and every few seconds. Labels are used in addresses with every character
 * OSC reserves (space # * , / ? [ ] { }) replaced by '_'. With the format's
 * bundles off, the same messages go out one by one, each with the capture
 * time (seconds since 1970, type d) as its last argument; a prefix goes
 * before every address (/stage/left/irmas/probs).
 *
 * Receivers may also subscribe while irmasd runs (control.h): up to
 * OSC_MAX_SUBSCRIBERS targets are added and removed by URL.
 *
 * A target that refuses (TCP connection refused, UDP port unreachable) is
 * reported once when it starts and once when it stops failing; the daemon
 * goes on.
 */
#ifndef IRMASD_OSC_H
#define IRMASD_OSC_H

#include "model.h"
#include "daemon_stats.h"

typedef struct osc_out osc_out;

#define OSC_MAX_SUBSCRIBERS 16
#define OSC_PREFIX_MAX 256 /* bytes of a prefix, with its NUL */

/* How windows are written: what every target gets. */
typedef struct {
    int bundles;        /* 1: a bundle per window; 0: plain messages */
    const char *prefix; /* before every address ("" or NULL: none) */
} osc_format;

/* One window's results, as the worker hands them over. */
typedef struct {
    int silent;          /* below the gate: send /irmas/silence */
    float level_dbfs;    /* the window's level */
    double capture_wall; /* s since 1970: capture of the last sample */
    double capture_mono; /* the same on CLOCK_MONOTONIC, where latency is measured from */
    int classes;
    const char (*labels)[MODEL_LABEL_MAX];
    const float *probs;  /* [classes], finite, summing to 1 */
} osc_window;

/* Parses each URL and resolves its host; a malformed URL or a host that
 * does not resolve is an error naming it. With lossless set (the file
 * backend) a full queue makes the caller wait instead of dropping the
 * bundle, but never for long: a target that takes nothing for two seconds
 * is dropped from (and counted as failed) until it takes bundles again.
 * Sends and failures are counted in st. */
irmas_status osc_out_new(const char *const *urls, int n, int lossless,
                         const osc_format *format, daemon_stats *st,
                         osc_out **out, char *err, size_t errlen);

/* Adds url (a liblo URL, as --osc takes) as a target from the next window
 * on, or takes up again one that unsubscribed; refuses a malformed or
 * unresolvable URL, one already sending, and more than
 * OSC_MAX_SUBSCRIBERS. Called by one thread at a time (the control
 * thread), alongside the worker. */
irmas_status osc_out_subscribe(osc_out *o, const char *url, char *err,
                               size_t errlen);

/* Stops sending to url from the next window on; an error if it is not a
 * target. Same thread as osc_out_subscribe. */
irmas_status osc_out_unsubscribe(osc_out *o, const char *url, char *err,
                                 size_t errlen);

/* Lets the sender threads send what is queued and stop, two seconds at
 * most in all (a target that blocks is then given up). Call it once
 * nothing more is handed over (the worker stopped); osc_out_free calls
 * it if it was not. */
void osc_out_finish(osc_out *o);

/* Finishes (above) and frees everything, unless a sender was left behind
 * stuck in a send: then what it uses stays allocated. */
void osc_out_free(osc_out *o);

void osc_out_window(osc_out *o, const osc_window *w);
void osc_out_classes(osc_out *o, const char (*labels)[MODEL_LABEL_MAX],
                     int classes);

#endif
