/* daemon_stats.c: see daemon_stats.h. Latencies of the interval are kept in a
 * fixed array (the most recent STATS_LATENCIES when there are more) and sorted
 * when a line is written. */
#include "daemon_stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_LATENCIES 4096

struct daemon_stats {
    pthread_mutex_t lock;
    long long windows, silent, sent, failed, lines_dropped;
    double audio_seconds, cpu_seconds; /* this interval */
    double latency[STATS_LATENCIES];
    long long latencies; /* measured this interval */
    double sorted[STATS_LATENCIES]; /* scratch for the quantiles */
};

daemon_stats *daemon_stats_new(void)
{
    daemon_stats *s = calloc(1, sizeof *s);
    if (s) pthread_mutex_init(&s->lock, NULL);
    return s;
}

void daemon_stats_free(daemon_stats *s)
{
    if (!s) return;
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void daemon_stats_window(daemon_stats *s, int silent)
{
    pthread_mutex_lock(&s->lock);
    s->windows++;
    s->silent += silent != 0;
    pthread_mutex_unlock(&s->lock);
}

void daemon_stats_audio(daemon_stats *s, double audio_seconds,
                        double cpu_seconds)
{
    pthread_mutex_lock(&s->lock);
    s->audio_seconds += audio_seconds;
    s->cpu_seconds += cpu_seconds;
    pthread_mutex_unlock(&s->lock);
}

void daemon_stats_sent(daemon_stats *s, double latency_seconds)
{
    pthread_mutex_lock(&s->lock);
    s->sent++;
    s->latency[s->latencies++ % STATS_LATENCIES] = latency_seconds;
    pthread_mutex_unlock(&s->lock);
}

void daemon_stats_failed(daemon_stats *s)
{
    pthread_mutex_lock(&s->lock);
    s->failed++;
    pthread_mutex_unlock(&s->lock);
}

void daemon_stats_line_dropped(daemon_stats *s)
{
    pthread_mutex_lock(&s->lock);
    s->lines_dropped++;
    pthread_mutex_unlock(&s->lock);
}

long long daemon_stats_windows(daemon_stats *s)
{
    pthread_mutex_lock(&s->lock);
    long long n = s->windows;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* With the lock held. */
static double latency_quantile(daemon_stats *s, double q)
{
    long n = s->latencies < STATS_LATENCIES ? (long)s->latencies
                                            : STATS_LATENCIES;
    if (n == 0) return -1.0;
    memcpy(s->sorted, s->latency, (size_t)n * sizeof *s->sorted);
    qsort(s->sorted, (size_t)n, sizeof *s->sorted, compare_double);
    return s->sorted[(long)(q * (n - 1) + 0.5)];
}

double daemon_stats_latency_quantile(daemon_stats *s, double q)
{
    pthread_mutex_lock(&s->lock);
    double v = latency_quantile(s, q);
    pthread_mutex_unlock(&s->lock);
    return v;
}

void daemon_stats_line(daemon_stats *s, long long overrun_frames,
                       long long xruns, long long frames_missed, char *line,
                       size_t len)
{
    pthread_mutex_lock(&s->lock);
    char cpu[64] = "CPU -", latency[96] = "latency -";
    if (s->audio_seconds > 0)
        snprintf(cpu, sizeof cpu, "CPU %.4f s per s of audio",
                 s->cpu_seconds / s->audio_seconds);
    if (s->latencies > 0)
        snprintf(latency, sizeof latency,
                 "latency median %.1f ms, p99 %.1f ms",
                 1e3 * latency_quantile(s, 0.5),
                 1e3 * latency_quantile(s, 0.99));
    snprintf(line, len,
             "%lld windows (%lld silent), %lld bundles sent, %lld failed, "
             "%lld frames overrun, %lld xruns (%lld frames missed), "
             "%lld lines not printed, %s, %s",
             s->windows, s->silent, s->sent, s->failed, overrun_frames, xruns,
             frames_missed,
             s->lines_dropped, cpu, latency);
    s->audio_seconds = s->cpu_seconds = 0;
    s->latencies = 0;
    pthread_mutex_unlock(&s->lock);
}
