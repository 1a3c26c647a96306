/* history.c: see history.h. A circular buffer indexed by frame number
 * modulo its capacity; start is the first frame it holds that was pushed,
 * so room made by history_reserve is never read as audio. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

struct history {
    long capacity;
    long long start, end;
    float *x;
};

irmas_status history_new(long capacity, history **out, char *err,
                         size_t errlen)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "history: out of memory");
    irmas_status st = history_reserve(*out, capacity, err, errlen);
    if (st != IRMAS_OK) {
        history_free(*out);
        *out = NULL;
    }
    return st;
}

void history_free(history *h)
{
    if (!h) return;
    free(h->x);
    free(h);
}

long long history_end(const history *h) { return h->end; }

long long history_start(const history *h) { return h->start; }

/* Copies frames [start, end), which must all be kept, into out. */
static void history_read(const history *h, long long start, long long end,
                         float *out)
{
    for (long long f = start; f < end; f++) *out++ = h->x[f % h->capacity];
}

irmas_status history_reserve(history *h, long capacity, char *err,
                             size_t errlen)
{
    if (capacity <= h->capacity) return IRMAS_OK;
    float *x = calloc((size_t)capacity, sizeof *x);
    if (!x)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "history: out of memory for %ld frames", capacity);
    for (long long f = h->start; f < h->end; f++)
        x[f % capacity] = h->x[f % h->capacity];
    free(h->x);
    h->x = x;
    h->capacity = capacity;
    return IRMAS_OK;
}

void history_push(history *h, const float *x, long n)
{
    for (long i = 0; i < n; i++) h->x[(h->end + i) % h->capacity] = x[i];
    h->end += n;
    if (h->end - h->start > h->capacity) h->start = h->end - h->capacity;
}

/* Clips [*start, *end) to the frames kept; returns the count left. */
static long history_clip(const history *h, long long *start, long long *end)
{
    if (*start < history_start(h)) *start = history_start(h);
    if (*end > h->end) *end = h->end;
    return *end > *start ? (long)(*end - *start) : 0;
}

long history_copy(const history *h, long long start, long long end,
                  float *out)
{
    long n = history_clip(h, &start, &end);
    history_read(h, start, start + n, out);
    return n;
}

double history_mean_square(const history *h, long long start, long long end)
{
    long n = history_clip(h, &start, &end);
    double sum = 0.0;
    for (long long f = start; f < end; f++) {
        double v = h->x[f % h->capacity];
        sum += v * v;
    }
    return n ? sum / n : 0.0;
}
