/* osc.h: the OSC output: one bundle per window to every --osc target.
 *
 * Each target (a liblo URL: UDP, TCP, multicast, or a UNIX socket) has its
 * own sender thread and a short queue, so a slow or absent target (a TCP
 * peer that does not answer) delays nobody else, least of all the worker.
 * A window's bundle carries, with the capture time of the window's last
 * sample as its timetag:
 *     /irmas/probs  f...   one probability per class, in model order
 *     /irmas/top    s f    the most likely label and its probability
 *     /irmas/class/<label> f   one message per class
 * or, when the window was quieter than the gate, only
 *     /irmas/silence f     the window's level in dBFS
 * and /irmas/classes s... (the labels) goes out at start, after a reload
 * and every few seconds. Labels are used in addresses with every character
 * OSC reserves (space # * , / ? [ ] { }) replaced by '_'.
 *
 * A target that refuses (TCP connection refused, UDP port unreachable) is
 * reported once when it starts and once when it stops failing; the daemon
 * goes on.
 */
#ifndef IRMASD_OSC_H
#define IRMASD_OSC_H

#include "model.h"
#include "stats.h"

typedef struct osc_out osc_out;

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
                         stats *st, osc_out **out, char *err, size_t errlen);

/* Lets the sender threads send what is queued and stop, two seconds at
 * most in all (a target that blocks is then given up). Call it once
 * nothing more is handed over (the worker stopped); osc_out_delete calls
 * it if it was not. */
void osc_out_finish(osc_out *o);

/* Finishes (above) and frees everything, unless a sender was left behind
 * stuck in a send: then what it uses stays allocated. */
void osc_out_delete(osc_out *o);

void osc_out_window(osc_out *o, const osc_window *w);
void osc_out_classes(osc_out *o, const char (*labels)[MODEL_LABEL_MAX],
                     int classes);

#endif
