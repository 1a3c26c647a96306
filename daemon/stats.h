/* stats.h: what the periodic log line (and SIGUSR1) reports: windows
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
#ifndef IRMASD_STATS_H
#define IRMASD_STATS_H

#include <stddef.h>

typedef struct stats stats;

/* NULL when out of memory. */
stats *stats_new(void);
void stats_delete(stats *s);

/* A window was classified; silent when the gate held it back. */
void stats_window(stats *s, int silent);

/* The worker turned audio_seconds of audio into windows in cpu_seconds of
 * its own CPU time. */
void stats_audio(stats *s, double audio_seconds, double cpu_seconds);

/* A bundle left for one target, latency_seconds after its last sample
 * was captured; or a send failed. */
void stats_sent(stats *s, double latency_seconds);
void stats_failed(stats *s);

/* A --print line was dropped: standard output did not keep up. */
void stats_line_dropped(stats *s);

/* One line of figures, with the frames the ring dropped and the xruns the
 * capture counted (both since start), then a new interval starts. */
void stats_line(stats *s, long long overrun_frames, long long xruns,
                char *line, size_t len);

/* Totals, for tests and the status line. */
long long stats_windows(stats *s);

/* Latency quantile q (0.5, 0.99) of the current interval in seconds, or -1
 * with none measured. */
double stats_latency_quantile(stats *s, double q);

#endif
