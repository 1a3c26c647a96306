/* daemon_worker.h: the thread between the ring and the network.
 *
 * It reads blocks from the capture's ring and runs them through the
 * pipeline (pipeline.h: mixdown, history, tagger, gate, smoothing,
 * timestamps); each window that comes out goes to the OSC output, the
 * statistics, and with --print as a line to the printer (printer.h), which
 * never holds it up. It pings systemd's watchdog from its loop and sends
 * /irmas/classes every few seconds.
 *
 * The main thread hands it a new tagger on SIGHUP (daemon_worker_offer); the
 * worker has the pipeline prime it with the last window of audio and swap
 * it in between two blocks, so no audio is dropped and the next window
 * comes one hop later.
 */
#ifndef IRMASD_DAEMON_WORKER_H
#define IRMASD_DAEMON_WORKER_H

#include "capture.h"
#include "osc.h"
#include "daemon_stats.h"
#include "live_tagger.h"

typedef struct daemon_worker daemon_worker;

/* Starts the thread. The worker takes t, and frees it when it cannot
 * start. c, osc, st and o must outlive it. */
irmas_status daemon_worker_start(capture *c, live_tagger *t, osc_out *osc,
                                 daemon_stats *st, const daemon_options *o,
                                 daemon_worker **out, char *err, size_t errlen);

/* Stops and joins the thread, lets the printer write what it holds (two
 * seconds at most) and frees the worker and its tagger. */
void daemon_worker_stop(daemon_worker *w);

/* Hands over a tagger to replace the current one (see above). */
void daemon_worker_offer(daemon_worker *w, live_tagger *t);

/* The rate of the audio the worker reads now. */
int daemon_worker_device_rate(daemon_worker *w);

/* Changes the silence gate and the moving average from the next window on
 * (the OSC control's /irmas/set/gate and /irmas/set/smooth). Any thread. */
void daemon_worker_set_verdict(daemon_worker *w, double gate_dbfs,
                               double smooth_seconds);

/* 1 once the input ended (the file backend) and every window went out. */
int daemon_worker_finished(daemon_worker *w);

#endif
