/* host_tagger.c: see host_tagger.h. */
#include "host_tagger.h"

#include "history.h"
#include "model_file.h"
#include "model_limits.h"
#include "pretrained.h"
#include "live_tagger.h"
#include "mixdown.h"
#include "verdict.h"

#include <math.h>
#include <stdlib.h>

#define HOST_TAGGER_CHUNK 1024 /* frames mixed down at a time */

struct host_tagger {
    live_tagger *tagger;
    history *history; /* the host's audio, for each window's level */
    verdict verdict;
    double rate;
    host_tagger_fn fn;
    void *user;
    float mono[HOST_TAGGER_CHUNK];
};

irmas_status host_tagger_load(const char *path, irmas_model **out, char *err,
                              size_t errlen)
{
    irmas_model_limits limits = irmas_model_limits_default();
    return irmas_pretrained_load_model(path ? path : model_default_path(), &limits,
                                 NULL, out, err, errlen);
}

/* The gate and smoothing the host set, at this tagger's hop. */
static verdict_settings host_tagger_settings(const host_tagger *t,
                                             double gate_dbfs,
                                             double smooth_seconds)
{
    return (verdict_settings){.gate_dbfs = gate_dbfs,
                              .smooth_seconds = smooth_seconds,
                              .hop_seconds =
                                  live_tagger_hop_seconds(t->tagger)};
}

irmas_status host_tagger_new(irmas_model *m, double host_rate, double hop_seconds,
                             double gate_dbfs, double smooth_seconds,
                             host_tagger **out, char *err, size_t errlen)
{
    *out = NULL;
    host_tagger *t = calloc(1, sizeof *t);
    if (!t) {
        irmas_model_free(m);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "host tagger: out of memory");
    }
    t->rate = host_rate;
    irmas_status st = live_tagger_new(m, (int)lround(host_rate), hop_seconds, 1,
                                 &t->tagger, err, errlen);
    if (st != IRMAS_OK) {
        irmas_model_free(m);
        free(t);
        return st;
    }
    /* A window and the resampler's delay, with room to spare. */
    long frames = (long)ceil(live_tagger_window_frames(t->tagger)) +
                  2 * (long)lround(host_rate);
    st = history_new(frames, &t->history, err, errlen);
    if (st != IRMAS_OK) {
        host_tagger_free(t);
        return st;
    }
    verdict_settings settings = host_tagger_settings(t, gate_dbfs,
                                                     smooth_seconds);
    verdict_init(&t->verdict, m->classes, &settings);
    *out = t;
    return IRMAS_OK;
}

void host_tagger_free(host_tagger *t)
{
    if (!t) return;
    live_tagger_free(t->tagger);
    history_free(t->history);
    free(t);
}

const irmas_model *host_tagger_model(const host_tagger *t)
{
    return live_tagger_model(t->tagger);
}

double host_tagger_hop_seconds(const host_tagger *t)
{
    return live_tagger_hop_seconds(t->tagger);
}

void host_tagger_set(host_tagger *t, double gate_dbfs, double smooth_seconds)
{
    verdict_settings settings = host_tagger_settings(t, gate_dbfs,
                                                     smooth_seconds);
    verdict_set(&t->verdict, &settings);
}

/* The tagger's callback: measures and judges one window. */
static void host_tagger_window(void *user, const float *probs,
                               double last_frame)
{
    host_tagger *t = user;
    double level = verdict_window_level_dbfs(
        t->history, last_frame, live_tagger_window_frames(t->tagger));
    const float *judged = verdict_judge(&t->verdict, probs, level);
    if (!judged && !verdict_is_silent(&t->verdict, level)) return;
    t->fn(t->user, judged, level, (last_frame + 1) / t->rate);
}

void host_tagger_push(host_tagger *t, const float *const *channels,
                      int n_channels, long n, host_tagger_fn fn, void *user)
{
    t->fn = fn;
    t->user = user;
    for (long done = 0; done < n; done += HOST_TAGGER_CHUNK) {
        long frames = n - done < HOST_TAGGER_CHUNK ? n - done : HOST_TAGGER_CHUNK;
        mixdown_planar(channels, n_channels, done, frames, t->mono);
        history_push(t->history, t->mono, frames);
        live_tagger_push(t->tagger, t->mono, frames, host_tagger_window, t);
    }
}

void host_tagger_reset(host_tagger *t)
{
    live_tagger_restart(t->tagger, history_end(t->history));
    verdict_restart(&t->verdict);
}

void host_tagger_finish(host_tagger *t, host_tagger_fn fn, void *user)
{
    t->fn = fn;
    t->user = user;
    live_tagger_finish(t->tagger, host_tagger_window, t);
}
