/* model_teacher.c: a trained model behind distill.h's interface (see
 * model_teacher.h). The model is shared by every thread; each runner is a
 * window classifier (window.h) and room for one window's samples. */
#include "model_teacher.h"

#include "file_cache.h"
#include "irmas/irmas.h"
#include "model.h"
#include "window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the shared pointer holds. */
typedef struct {
    irmas_model *model;
    char identity[128];
    const char *labels[MODEL_MAX_CLASSES];
} source;

typedef struct {
    irmas_window *window;
    const irmas_model *model;
    float *samples; /* [window]: the input, cut or zero-padded to it */
} runner;

static void runner_close(void *opaque)
{
    runner *r = opaque;
    if (!r) return;
    irmas_window_free(r->window);
    free(r->samples);
    free(r);
}

/* The embedding a model gives: the mean of its pretrained front-end's
 * frames (efficientat-mn04's per-frame embeddings, whose mean is the
 * AudioSet teacher's own embedding of the window); 0 when it has none. */
static int model_embedding_dims(const irmas_model *m)
{
    return m->frontend.kind == FRONTEND_EFFICIENTAT_MN04 &&
                   !model_reads_image(m)
               ? model_features(m)
               : 0;
}

static irmas_status runner_open(void *shared, long max_samples, void **out,
                                char *err, size_t errlen)
{
    (void)max_samples; /* every run reads one window of the model's */
    const source *s = shared;
    runner *r = calloc(1, sizeof *r);
    if (r) r->samples = malloc((size_t)s->model->window_samples *
                               sizeof *r->samples);
    if (!r || !r->samples) {
        runner_close(r);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for a teacher");
    }
    r->model = s->model;
    irmas_status status = irmas_window_new(s->model, &r->window, err, errlen);
    if (status != IRMAS_OK) {
        runner_close(r);
        return status;
    }
    *out = r;
    return IRMAS_OK;
}

/* The model's probabilities for samples[0..n), cut or zero-padded to its
 * window, and, when embedding is not NULL (a model with a pretrained
 * front-end), the mean of the frames the window's front-end read. */
static void runner_run(void *opaque, const float *samples, long n,
                       float *probs, float *embedding)
{
    runner *r = opaque;
    const irmas_model *m = r->model;
    long window = m->window_samples, used = n < window ? n : window;
    memcpy(r->samples, samples, (size_t)used * sizeof *samples);
    memset(r->samples + used, 0, (size_t)(window - used) * sizeof *samples);
    const float *read = irmas_window_read(r->window, r->samples);
    if (embedding) {
        int frames = model_frames(m), features = model_features(m);
        for (int d = 0; d < features; d++) {
            double sum = 0.0;
            for (int t = 0; t < frames; t++)
                sum += read[(long)t * features + d];
            embedding[d] = (float)(sum / frames);
        }
    }
    irmas_window_classify_read(r->window, probs);
}

irmas_status model_teacher_open(const char *path, const char *weights_dir,
                                double student_window_seconds,
                                distill_teacher *out, char *err,
                                size_t errlen)
{
    memset(out, 0, sizeof *out);
    source *s = calloc(1, sizeof *s);
    if (!s)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the teacher");
    char hex[65];
    irmas_status status = irmas_pretrained_load_model(path, NULL, weights_dir,
                                                      &s->model, err, errlen);
    if (status == IRMAS_OK)
        status = file_cache_hash_file(path, hex, err, errlen);
    double seconds = status == IRMAS_OK ? (double)s->model->window_samples /
                                              s->model->sample_rate
                                        : 0.0;
    if (status == IRMAS_OK && fabs(seconds - student_window_seconds) > 1e-3)
        status = status_fail(err, errlen, IRMAS_ERR_ARG,
                             "it reads windows of %.3f s and this model "
                             "%.3f s; its targets would be for other "
                             "stretches of audio (give --window %g)",
                             seconds, student_window_seconds, seconds);
    if (status != IRMAS_OK) {
        irmas_model_free(s->model);
        free(s);
        return status;
    }
    snprintf(s->identity, sizeof s->identity, "model %s", hex);
    for (int c = 0; c < s->model->classes; c++)
        s->labels[c] = s->model->labels[c];
    *out = (distill_teacher){
        .rate = s->model->sample_rate, .min_samples = 1,
        .classes = s->model->classes, .labels = s->labels,
        .identity = s->identity,
        .embedding_dims = model_embedding_dims(s->model),
        .shared = s, .open = runner_open,
        .run = runner_run, .close = runner_close};
    return IRMAS_OK;
}

void model_teacher_close(distill_teacher *t)
{
    source *s = t ? t->shared : NULL;
    if (s) irmas_model_free(s->model);
    free(s);
    if (t) memset(t, 0, sizeof *t);
}
