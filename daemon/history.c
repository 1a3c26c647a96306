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

/* Frames [start, end), at most capacity of them, lie in h->x as two runs:
 * the first from x + *offset, as long as this returns, the rest from x[0]. */
static long history_first_run(const history *h, long long start,
                              long long end, long *offset)
{
    *offset = (long)(start % h->capacity);
    long n = (long)(end - start), room = h->capacity - *offset;
    return n < room ? n : room;
}

/* Copies frames [start, end), which must all be kept, into out. */
static void history_read(const history *h, long long start, long long end,
                         float *out)
{
    long offset, first = history_first_run(h, start, end, &offset);
    memcpy(out, h->x + offset, sizeof *out * (size_t)first);
    memcpy(out + first, h->x, sizeof *out * (size_t)(end - start - first));
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
    if (n > h->capacity) { /* only the last capacity frames stay */
        x += n - h->capacity;
        h->end += n - h->capacity;
        n = h->capacity;
    }
    long offset, first = history_first_run(h, h->end, h->end + n, &offset);
    memcpy(h->x + offset, x, sizeof *x * (size_t)first);
    memcpy(h->x, x + first, sizeof *x * (size_t)(n - first));
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

/* The sum of x[i]^2 over n frames, in SQUARE_LANES running sums so that
 * each addition need not wait for the one before (a window is 132,300
 * frames, measured twice a second): eight, four vectors of two doubles on
 * the baseline x86-64, keep the adder busy where four left it waiting. */
#define SQUARE_LANES 8
static double sum_of_squares(const float *x, long n)
{
    double sum[SQUARE_LANES] = {0};
    long i = 0;
    for (; i + SQUARE_LANES <= n; i += SQUARE_LANES)
        for (int k = 0; k < SQUARE_LANES; k++)
            sum[k] += (double)x[i + k] * x[i + k];
    for (; i < n; i++) sum[0] += (double)x[i] * x[i];
    double total = 0.0;
    for (int k = 0; k < SQUARE_LANES; k++) total += sum[k];
    return total;
}

double history_mean_square(const history *h, long long start, long long end)
{
    long n = history_clip(h, &start, &end);
    if (!n) return 0.0;
    long offset, first = history_first_run(h, start, end, &offset);
    return (sum_of_squares(h->x + offset, first) +
            sum_of_squares(h->x, n - first)) / n;
}
