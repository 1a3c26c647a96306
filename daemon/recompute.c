/* recompute.c: see recompute.h. The last window lives in a circular buffer;
 * at each window's end it is unrolled into a straight one for
 * irmas_window_classify. */
#include "recompute.h"

#include "window.h"

#include <stdlib.h>

struct recompute {
    const irmas_model *m;
    int hop, window;
    irmas_window *runner;
    float *ring;     /* [window], sample n at n % window */
    float *straight; /* [window] */
    float *probs;    /* [classes] */
    long long pushed;
};

irmas_status recompute_new(const irmas_model *m, int hop_samples, recompute **out,
                           char *err, size_t errlen)
{
    recompute *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "recompute: out of memory");
    r->m = m;
    r->hop = hop_samples;
    r->window = m->window_samples;
    r->ring = calloc((size_t)r->window, sizeof *r->ring);
    r->straight = calloc((size_t)r->window, sizeof *r->straight);
    r->probs = calloc((size_t)m->classes, sizeof *r->probs);
    irmas_status st = irmas_window_new(m, &r->runner, err, errlen);
    if (st == IRMAS_OK && (!r->ring || !r->straight || !r->probs))
        st = status_fail(err, errlen, IRMAS_ERR_NOMEM, "recompute: out of memory");
    if (st != IRMAS_OK) {
        recompute_delete(r);
        return st;
    }
    *out = r;
    return IRMAS_OK;
}

void recompute_delete(recompute *r)
{
    if (!r) return;
    irmas_window_free(r->runner);
    free(r->ring);
    free(r->straight);
    free(r->probs);
    free(r);
}

void recompute_reset(recompute *r) { r->pushed = 0; }

/* Classifies the window that ends just before sample r->pushed. */
static void recompute_window(recompute *r, irmas_stream_emit_fn emit, void *user)
{
    long long start = r->pushed - r->window;
    for (int i = 0; i < r->window; i++)
        r->straight[i] = r->ring[(start + i) % r->window];
    irmas_window_classify(r->runner, r->straight, r->probs);
    emit(user, r->probs, r->pushed);
}

void recompute_push(recompute *r, const float *samples, long n,
                    irmas_stream_emit_fn emit, void *user)
{
    for (long i = 0; i < n; i++) {
        r->ring[r->pushed % r->window] = samples[i];
        r->pushed++;
        if (r->pushed >= r->window && (r->pushed - r->window) % r->hop == 0)
            recompute_window(r, emit, user);
    }
}
