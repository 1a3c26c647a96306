/* daemon_stats.h: what the periodic log line (and SIGUSR1) reports: windows
 * classified, bundles sent and failed, overruns, the audio server's xruns,
 * --print lines dropped, the worker's CPU time per second of audio, and the
 * latency from the capture of a window's last sample to its bundle
 * leaving, median and 99th percentile.
 *
 * The worker and the OSC sender threads add to it under a mutex; none of it
 * is touched by an audio callback (the ring counts overruns itself).
 * Counts are since start; CPU and latency are over the interval since the
 * previous line, so a line says how the daemon is doing now.
 */
#ifndef IRMASD_DAEMON_STATS_H
#define IRMASD_DAEMON_STATS_H

#include <stddef.h>

typedef struct daemon_stats daemon_stats;

/* NULL when out of memory. */
daemon_stats *daemon_stats_new(void);
void daemon_stats_free(daemon_stats *s);

/* A window was classified; silent when the gate held it back. */
void daemon_stats_window(daemon_stats *s, int silent);

/* The worker turned audio_seconds of audio into windows in cpu_seconds of
 * its own CPU time. */
void daemon_stats_audio(daemon_stats *s, double audio_seconds,
                        double cpu_seconds);

/* A bundle left for one target, latency_seconds after its last sample
 * was captured; or a send failed. */
void daemon_stats_sent(daemon_stats *s, double latency_seconds);
void daemon_stats_failed(daemon_stats *s);

/* A --print line was dropped: standard output did not keep up. */
void daemon_stats_line_dropped(daemon_stats *s);

/* One line of figures, with the frames the ring dropped, the xruns the
 * audio server reported and the frames of the cycles the capture missed
 * (all since start), then a new interval starts. */
void daemon_stats_line(daemon_stats *s, long long overrun_frames,
                       long long xruns, long long frames_missed, char *line,
                       size_t len);

/* Totals, for tests and the status line. */
long long daemon_stats_windows(daemon_stats *s);

/* Latency quantile q (0.5, 0.99) of the current interval in seconds, or -1
 * with none measured. */
double daemon_stats_latency_quantile(daemon_stats *s, double q);

#endif
