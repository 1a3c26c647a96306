/* teacher_source.c: the AudioSet teacher behind distill.h's interface (see
 * teacher_source.h). One teacher_weights is shared by every thread; each
 * runner is a teacher (its buffers) and room for AudioSet's 527
 * probabilities. */
#include "teacher_source.h"

#include "file_cache.h"
#include "teacher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the shared pointer holds. */
typedef struct {
    teacher_weights *weights;
    char identity[256];
    const char *labels[TEACHER_IRMAS_CLASSES];
} source;

typedef struct {
    teacher *net;
    float probs[TEACHER_LABELS];
} runner;

static irmas_status source_open_runner(void *shared, long max_samples,
                                       void **out, char *err, size_t errlen)
{
    const source *s = shared;
    runner *r = calloc(1, sizeof *r);
    if (!r)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for a teacher");
    irmas_status status = teacher_new(s->weights, max_samples, &r->net, err,
                                      errlen);
    if (status != IRMAS_OK) {
        free(r);
        return status;
    }
    *out = r;
    return IRMAS_OK;
}

static void source_run(void *opaque, const float *samples, long n,
                       float *probs, float *embedding)
{
    runner *r = opaque;
    teacher_run(r->net, samples, n, NULL, embedding, r->probs);
    teacher_irmas_probs(r->probs, probs);
}

static void source_close_runner(void *opaque)
{
    runner *r = opaque;
    if (!r) return;
    teacher_free(r->net);
    free(r);
}

/* The identity: the architecture and the two files' hashes. */
static irmas_status source_identity(const char *dir, source *s, char *err,
                                    size_t errlen)
{
    char path[4096], weights[65], index[65];
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    irmas_status status = file_cache_hash_file(path, weights, err, errlen);
    snprintf(path, sizeof path, "%s/tensors.tsv", dir);
    if (status == IRMAS_OK)
        status = file_cache_hash_file(path, index, err, errlen);
    if (status == IRMAS_OK)
        snprintf(s->identity, sizeof s->identity,
                 "efficientat-mn04 irmas-max weights %s index %s", weights,
                 index);
    return status;
}

irmas_status teacher_source_open(const char *dir, distill_teacher *out,
                                 char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    source *s = calloc(1, sizeof *s);
    if (!s)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the teacher");
    irmas_status status = teacher_weights_load(dir, &s->weights, err, errlen);
    if (status == IRMAS_OK) status = source_identity(dir, s, err, errlen);
    if (status != IRMAS_OK) {
        teacher_weights_free(s->weights);
        free(s);
        return status;
    }
    for (int c = 0; c < TEACHER_IRMAS_CLASSES; c++)
        s->labels[c] = teacher_irmas_label(c);
    *out = (distill_teacher){
        .rate = TEACHER_SAMPLE_RATE, .min_samples = TEACHER_MIN_SAMPLES,
        .classes = TEACHER_IRMAS_CLASSES, .labels = s->labels,
        .identity = s->identity, .embedding_dims = TEACHER_EMBEDDING,
        .shared = s, .open = source_open_runner,
        .run = source_run, .close = source_close_runner};
    return IRMAS_OK;
}

void teacher_source_close(distill_teacher *t)
{
    source *s = t ? t->shared : NULL;
    if (s) teacher_weights_free(s->weights);
    free(s);
    if (t) memset(t, 0, sizeof *t);
}
