/* trainer.c: the training loop of trainer.h.
 *
 * The parts, in the order a run meets them:
 *   workers     one backprop pass and input buffers (frames, images, as
 *               the model reads) per thread; a batch is dispatched as
 *               equal runs of rows, the calling thread taking the first
 *               run itself;
 *   a step      dropout, masks (spec_augment.h), frequency warps
 *               (spec_warp.h) and equalisation (spec_eq.h) of the
 *               log-mel frames or image, level changes (spec_level.h)
 *               and mixup's partners drawn for the whole batch, the
 *               workers run, their gradients summed in worker order,
 *               clipped, Adam;
 *   an epoch    shuffle, steps, validation, the log line, the best model,
 *               the checkpoint;
 *   the log     created fresh, or on resume cut back to the checkpoint's
 *               epoch (a crash between log and checkpoint would otherwise
 *               leave an epoch in it twice) and appended to.
 *
 * Across processes (cluster.h: `mpirun -np N irmas-train`), every rank
 * holds the same weights, optimiser and generator, shuffles the same
 * order and draws the same masks for the whole batch; each runs its
 * workers on its own contiguous share of the batch's rows, and the ranks'
 * gradients (and loss and accuracy sums) are added by the cluster before
 * the one clipping and Adam step every rank takes alike. The batch, and so
 * the model, is the same as one process's but for the order of the sums.
 * Validation is shared out the same way. Rank 0 alone writes the log, the
 * model and the checkpoints, and prints.
 */
#include "trainer.h"

#include "adam.h"
#include "atomic_file.h"
#include "backprop.h"
#include "clock.h"
#include "cluster.h"
#include "gemm.h"
#include "image.h"
#include "loss.h"
#include "metrics.h"
#include "model_file.h"
#include "network.h"
#include "progress.h"
#include "rng.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TRAINER_MAX_THREADS 64

/* One thread's share of a batch, and what it found. */
typedef struct {
    const struct trainer *t;
    backprop *pass;
    float *x;      /* [frames][rows][features] */
    float *images; /* [rows][image floats] */
    int *labels;   /* [rows]; -1: none (unlabelled audio) */
    float *soft;   /* [rows][classes]: the teacher's targets */
    float *embedding; /* [rows][embedding dims]: the teacher's embeddings */
    const int *which;
    const int *partner;  /* [rows]: mixup's partner examples, or NULL */
    const float *share;  /* [rows]: each row's own example's share */
    float *x_partner;      /* the partners' frames, images, labels and */
    float *images_partner; /* soft targets and embeddings, as x, images, */
    int *labels_partner;   /* labels, soft and embedding */
    float *soft_partner;
    float *embedding_partner;
    int rows;
    const float *mask; /* [rows][mask width], or NULL */
    const spec_augment_run *runs; /* [rows][runs per example], or NULL */
    const float *warp; /* [rows]: spec_warp.h's factors, or NULL */
    const float *eq;   /* [rows][SPEC_EQ_POINTS]: spec_eq.h's curves, or
                          NULL */
    float *warp_work;  /* [2 * bands] for spec_warp_apply */
    const float *level; /* [rows]: spec_level.h's gains, or NULL */
    int learn;         /* 1: backward too */
    float scale;       /* 1 / the whole batch's rows */
    float *probs;      /* where to copy the probabilities, or NULL */
    double loss;
    int correct;
} worker;

/* The log-mel input --augment, --warp and --eq change: the model's
 * log-mel frames, or else its logmel image (spec_layout.h). */
typedef struct {
    frontend_params frontend; /* what made it; kind 0: there is none */
    int images;               /* 1: the image, 0: the frames */
    int frames, bands;        /* per example */
} trainer_spectrogram;

struct trainer {
    irmas_model *m;
    const example_set *e;
    const example_split *split;
    trainer_options o;
    long params;
    int n_workers, mask_width;
    trainer_spectrogram spectrogram;
    int runs_per_example; /* spec_augment.h; 0: nothing is masked */
    worker workers[TRAINER_MAX_THREADS];
    adam opt;
    rng random;
    float *grads; /* [params]: the batch's sum over workers */
    float *best;  /* [params]: the best weights so far */
    float *mask;  /* [batch][mask width] */
    spec_augment_run *runs; /* [batch][runs per example] */
    float *warp;   /* [batch]: each row's frequency warp */
    float *eq;     /* [batch][SPEC_EQ_POINTS]: each row's curve */
    float *level;  /* [batch]: each row's level change in dB */
    int *partner;  /* [batch]: mixup's partner examples */
    float *share;  /* [batch]: each row's own example's share */
    int *order;   /* [training examples]: this epoch's order */
    int epoch, best_epoch, bad_epochs;
    double best_loss, best_accuracy;
    double summed_before; /* cluster_seconds() when the epoch began */
    FILE *log;
};

/* ---- workers ---------------------------------------------------------- */

/* The rows of all[examples][width] of examples which[0..rows) gathered
 * into into (the soft targets, or the embeddings), or NULL when all is. */
static float *worker_gather(const worker *w, const float *all, int width,
                            const int *which, float *into)
{
    if (!all) return NULL;
    for (int r = 0; r < w->rows; r++)
        memcpy(into + (long)r * width, all + (long)which[r] * width,
               (size_t)width * sizeof *into);
    return into;
}

/* into[r][0..n) = share[r] * into[r][..] + (1 - share[r]) * from[r][..],
 * for rows of n floats, `rows` of them, each of the `blocks` blocks of
 * rows (x is frames of rows). */
static void mix_rows(float *into, const float *from, const float *share,
                     long blocks, long rows, long n)
{
    for (long b = 0; b < blocks; b++)
        for (long r = 0; r < rows; r++) {
            float a = share[r];
            float *x = into + (b * rows + r) * n;
            const float *y = from + (b * rows + r) * n;
            for (long j = 0; j < n; j++) x[j] = a * x[j] + (1.0f - a) * y[j];
        }
}

/* Mixup: gathers the partners' inputs, labels, soft targets and
 * embeddings, and mixes the rows' inputs, soft targets and embeddings with
 * them (loss.h mixes the labels). */
static void worker_mix(worker *w, float *soft, float *embedding)
{
    const trainer *t = w->t;
    const example_set *e = t->e;
    if (e->frames > 0) {
        examples_batch(e, t->m, w->partner, w->rows, w->x_partner);
        mix_rows(w->x, w->x_partner, w->share, e->frames, w->rows,
                 e->features);
    }
    if (e->image_floats > 0) {
        examples_images(e, w->partner, w->rows, w->images_partner);
        mix_rows(w->images, w->images_partner, w->share, 1, w->rows,
                 e->image_floats);
    }
    for (int r = 0; r < w->rows; r++)
        w->labels_partner[r] = e->list[w->partner[r]].label;
    int dims = t->o.embedding_dims;
    if (soft && worker_gather(w, t->o.targets, t->m->classes, w->partner,
                              w->soft_partner))
        mix_rows(soft, w->soft_partner, w->share, 1, w->rows,
                 t->m->classes);
    if (embedding && worker_gather(w, t->o.embeddings, dims, w->partner,
                                   w->embedding_partner))
        mix_rows(embedding, w->embedding_partner, w->share, 1, w->rows, dims);
}

/* Where the worker's spectrograms lie: its frames or its images. */
static spec_layout worker_spectrogram(const worker *w)
{
    const trainer_spectrogram *s = &w->t->spectrogram;
    if (s->images) return spec_layout_images(w->images, w->rows, s->frames);
    return spec_layout_frames(w->x, w->rows, s->frames, s->bands);
}

/* The class row r counts as right in the training accuracy: the label of
 * the larger share, or, where the row or its mixup partner has none, the
 * top class of its (mixed) soft targets. */
static int worker_truth(const worker *w, const float *soft, int r)
{
    int classes = w->t->m->classes, own = w->labels[r];
    int partner = w->partner ? w->labels_partner[r] : own;
    if (own < 0 || partner < 0)
        return metrics_argmax(soft + (long)r * classes, classes);
    return w->partner && w->share[r] < 0.5f ? partner : own;
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    const trainer *t = w->t;
    int classes = t->m->classes;
    if (t->e->frames > 0) examples_batch(t->e, t->m, w->which, w->rows, w->x);
    if (t->e->image_floats > 0)
        examples_images(t->e, w->which, w->rows, w->images);
    float *soft = w->learn ? worker_gather(w, t->o.targets, classes,
                                           w->which, w->soft)
                           : NULL;
    float *embedding = w->learn ? worker_gather(w, t->o.embeddings,
                                                t->o.embedding_dims, w->which,
                                                w->embedding)
                                : NULL;
    if (w->partner) worker_mix(w, soft, embedding);
    /* frames are standardised, an image's pixels are not */
    spec_layout spectrogram = worker_spectrogram(w);
    const float *mean = t->spectrogram.images ? NULL : t->m->feature_mean;
    const float *scale = t->spectrogram.images ? NULL : t->m->feature_scale;
    if (w->warp)
        spec_warp_apply(&t->spectrogram.frontend, mean, scale, w->warp,
                        &spectrogram, w->warp_work);
    if (w->eq) spec_eq_apply(mean, scale, w->eq, &spectrogram);
    if (w->level)
        spec_level_apply(t->m->feature_mean, t->m->feature_scale, w->level,
                         w->rows, t->e->frames, t->e->features, w->x);
    if (w->runs) spec_augment_apply(&t->o.augment, w->runs, &spectrogram);
    for (int r = 0; r < w->rows; r++)
        w->labels[r] = t->e->list[w->which[r]].label;
    const float *probs = backprop_forward_images(w->pass, w->x, w->images,
                                                 w->rows, w->mask);
    w->correct = 0;
    for (int r = 0; r < w->rows; r++)
        w->correct += metrics_argmax(probs + (long)r * classes, classes) ==
                      worker_truth(w, soft, r);
    if (w->probs)
        memcpy(w->probs, probs, (size_t)w->rows * classes * sizeof *probs);
    loss_mixup mix = {w->labels_partner, w->share};
    w->loss = w->learn ? backprop_backward_distill(w->pass, w->x, w->labels,
                                                   w->partner ? &mix : NULL,
                                                   soft, embedding,
                                                   &t->o.distill,
                                                   w->rows, w->scale)
                       : loss_softmax_xent(probs, w->labels, w->rows, classes,
                                           0.0f, NULL);
    return NULL;
}

static irmas_status worker_init(worker *w, const trainer *t, int rows,
                                char *err, size_t errlen)
{
    w->t = t;
    irmas_status status = backprop_new(t->m, rows, &w->pass, err, errlen);
    if (status != IRMAS_OK) return status;
    w->x = malloc(((size_t)t->e->frames * rows * t->e->features + 1) *
                  sizeof *w->x);
    w->images = malloc(((size_t)rows * t->e->image_floats + 1) *
                       sizeof *w->images);
    w->labels = malloc((size_t)rows * sizeof *w->labels);
    w->soft = malloc((size_t)rows * t->m->classes * sizeof *w->soft);
    size_t embedding_floats = (size_t)rows * t->o.embedding_dims + 1;
    w->embedding = malloc(embedding_floats * sizeof *w->embedding);
    w->warp_work = malloc((2 * (size_t)t->spectrogram.bands + 1) *
                          sizeof *w->warp_work);
    if (!w->x || !w->images || !w->labels || !w->soft || !w->embedding ||
        !w->warp_work)
        goto no_memory;
    if (t->o.mixup <= 0.0) return IRMAS_OK;
    w->x_partner = malloc(((size_t)t->e->frames * rows * t->e->features + 1) *
                          sizeof *w->x_partner);
    w->images_partner = malloc(((size_t)rows * t->e->image_floats + 1) *
                               sizeof *w->images_partner);
    w->labels_partner = malloc((size_t)rows * sizeof *w->labels_partner);
    w->soft_partner =
        malloc((size_t)rows * t->m->classes * sizeof *w->soft_partner);
    w->embedding_partner =
        malloc(embedding_floats * sizeof *w->embedding_partner);
    if (w->x_partner && w->images_partner && w->labels_partner &&
        w->soft_partner && w->embedding_partner)
        return IRMAS_OK;
no_memory:
    return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                       "out of memory for a batch of %d windows", rows);
}

static void worker_free(worker *w)
{
    backprop_free(w->pass);
    free(w->x);
    free(w->images);
    free(w->labels);
    free(w->soft);
    free(w->embedding);
    free(w->warp_work);
    free(w->x_partner);
    free(w->images_partner);
    free(w->labels_partner);
    free(w->soft_partner);
    free(w->embedding_partner);
}

/* Runs examples which[0..rows) through the workers; returns how many took
 * part. They are rows first.. of a batch of total rows (this rank's share):
 * their masks start at row first, and each row's gradient weighs
 * 1 / total. probs, when not NULL, receives [rows][classes]. */
static int trainer_dispatch(trainer *t, const int *which, int rows,
                            int first, int total, int learn, float *probs)
{
    int share = (rows + t->n_workers - 1) / t->n_workers, used = 0;
    for (int start = 0; start < rows; start += share, used++) {
        worker *w = &t->workers[used];
        w->which = which + start;
        w->rows = rows - start < share ? rows - start : share;
        w->learn = learn;
        w->mask = learn && t->o.dropout > 0.0
                      ? t->mask + (long)(first + start) * t->mask_width
                      : NULL;
        w->runs = learn && t->runs_per_example > 0
                      ? t->runs + (long)(first + start) * t->runs_per_example
                      : NULL;
        w->warp = learn && t->o.warp > 0.0 && t->spectrogram.frontend.kind
                      ? t->warp + first + start
                      : NULL;
        w->eq = learn && t->o.eq > 0.0 && t->spectrogram.frontend.kind
                    ? t->eq + (long)(first + start) * SPEC_EQ_POINTS
                    : NULL;
        w->level = learn && t->o.level > 0.0 && t->e->frames > 0
                       ? t->level + first + start
                       : NULL;
        int mixing = learn && t->o.mixup > 0.0;
        w->partner = mixing ? t->partner + first + start : NULL;
        w->share = mixing ? t->share + first + start : NULL;
        w->scale = 1.0f / (float)total;
        w->probs = probs ? probs + (long)start * t->m->classes : NULL;
    }
    pthread_t ids[TRAINER_MAX_THREADS];
    int started[TRAINER_MAX_THREADS] = {0};
    for (int i = 1; i < used; i++)
        started[i] =
            pthread_create(&ids[i], NULL, worker_run, &t->workers[i]) == 0;
    worker_run(&t->workers[0]);
    for (int i = 1; i < used; i++) {
        if (started[i])
            pthread_join(ids[i], NULL);
        else
            worker_run(&t->workers[i]); /* no thread to be had: do it here */
    }
    return used;
}

/* ---- setting up --------------------------------------------------------- */

static irmas_status trainer_alloc(trainer *t, char *err, size_t errlen)
{
    int rows = (t->o.batch + t->n_workers - 1) / t->n_workers;
    irmas_status status = IRMAS_OK;
    for (int i = 0; i < t->n_workers && status == IRMAS_OK; i++)
        status = worker_init(&t->workers[i], t, rows, err, errlen);
    if (status != IRMAS_OK) return status;
    t->mask_width = backprop_mask_width(t->workers[0].pass);
    t->grads = malloc((size_t)t->params * sizeof *t->grads);
    t->best = malloc((size_t)t->params * sizeof *t->best);
    t->mask = malloc((size_t)t->o.batch * t->mask_width * sizeof *t->mask);
    t->runs = malloc(((size_t)t->o.batch * t->runs_per_example + 1) *
                     sizeof *t->runs);
    t->warp = malloc((size_t)t->o.batch * sizeof *t->warp);
    t->level = malloc((size_t)t->o.batch * sizeof *t->level);
    t->eq = malloc((size_t)t->o.batch * SPEC_EQ_POINTS * sizeof *t->eq);
    t->partner = malloc((size_t)t->o.batch * sizeof *t->partner);
    t->share = malloc((size_t)t->o.batch * sizeof *t->share);
    t->order = malloc(((size_t)t->split->count[SPLIT_TRAIN] + 1) *
                      sizeof *t->order);
    if (adam_init(&t->opt, t->params, t->o.lr) != IRMAS_OK || !t->grads ||
        !t->best || !t->mask || !t->runs || !t->warp || !t->eq ||
        !t->level || !t->partner || !t->share || !t->order)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the optimiser");
    return IRMAS_OK;
}

/* Refuses examples without a label where trainer.h says they cannot be. */
static irmas_status trainer_check_labels(const example_set *e,
                                         const example_split *s,
                                         const trainer_options *o, char *err,
                                         size_t errlen)
{
    static const char *const names[] = {"training", "validation", "test"};
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < s->count[split]; i++) {
            if (e->list[s->which[split][i]].label >= 0) continue;
            if (split == SPLIT_TRAIN && o->targets) continue;
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "example %d of the %s split has no label%s",
                               s->which[split][i], names[split],
                               split != SPLIT_TRAIN
                                   ? ": unlabelled audio only trains"
                                   : " and there are no teacher's targets");
        }
    return IRMAS_OK;
}

/* The model's log-mel frames when it reads them, else its logmel image,
 * else none. */
static trainer_spectrogram trainer_spectrogram_of(const irmas_model *m,
                                                  const example_set *e)
{
    if (m->frontend.kind == FRONTEND_LOGMEL && e->frames > 0)
        return (trainer_spectrogram){.frontend = m->frontend,
                                     .frames = e->frames,
                                     .bands = e->features};
    if (m->image.kind == IMAGE_LOGMEL)
        return (trainer_spectrogram){
            .frontend = image_logmel_frontend(&m->image, m->sample_rate,
                                              m->window_samples),
            .images = 1, .frames = m->image.size, .bands = m->image.size};
    return (trainer_spectrogram){0};
}

irmas_status trainer_new(irmas_model *m, const example_set *e,
                         const example_split *s, const trainer_options *o,
                         trainer **out, char *err, size_t errlen)
{
    *out = NULL;
    if (o->batch < 1 || o->threads < 1 || o->threads > TRAINER_MAX_THREADS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "batch %d and threads %d: both must be at least "
                           "1, threads at most %d", o->batch, o->threads,
                           TRAINER_MAX_THREADS);
    irmas_status refused = trainer_check_labels(e, s, o, err, errlen);
    if (refused != IRMAS_OK) return refused;
    trainer *t = calloc(1, sizeof *t);
    if (!t) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory for a trainer");
    *t = (trainer){.m = m, .e = e, .split = s, .o = *o,
                   .params = model_parameters(m),
                   .n_workers = o->threads < o->batch ? o->threads : o->batch,
                   .spectrogram = trainer_spectrogram_of(m, e)};
    if (t->spectrogram.frontend.kind)
        t->runs_per_example = spec_augment_runs(&o->augment);
    gemm_set_threads(1);
    irmas_status status = trainer_alloc(t, err, errlen);
    int width = status == IRMAS_OK ? backprop_embedding_width(t->workers[0].pass)
                                   : 0;
    if (status == IRMAS_OK && o->embeddings && width != o->embedding_dims)
        status = status_fail(err, errlen, IRMAS_ERR_ARG,
                             "the teacher's embedding has %d values, and "
                             "the model has %s; give it a hidden layer of "
                             "%d units before the softmax (--dense %d)",
                             o->embedding_dims,
                             width ? "another width of hidden layer"
                                   : "no hidden layer to match it on",
                             o->embedding_dims, o->embedding_dims);
    for (int i = 0; status == IRMAS_OK && o->embeddings && i < t->n_workers;
         i++)
        if (backprop_keep_pre_activations(t->workers[i].pass) != IRMAS_OK)
            status = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                                 "out of memory for a batch's hidden layer");
    if (status != IRMAS_OK) {
        trainer_free(t);
        return status;
    }
    rng_seed(&t->random, o->seed);
    network_init(m, &t->random);
    memcpy(t->best, m->arena, (size_t)t->params * sizeof *t->best);
    *out = t;
    return IRMAS_OK;
}

void trainer_free(trainer *t)
{
    if (!t) return;
    for (int i = 0; i < t->n_workers; i++) worker_free(&t->workers[i]);
    adam_free(&t->opt);
    free(t->grads);
    free(t->best);
    free(t->mask);
    free(t->runs);
    free(t->warp);
    free(t->level);
    free(t->eq);
    free(t->partner);
    free(t->share);
    free(t->order);
    if (t->log) fclose(t->log);
    free(t);
}

/* Sets the feature statistics of a model that reads frames; mean and
 * scale are not read for one that reads none. */
static void set_feature_statistics(trainer *t, const float *mean,
                                   const float *scale)
{
    int features = model_features(t->m);
    if (features > 0) {
        memcpy(t->m->feature_mean, mean, features * sizeof(float));
        memcpy(t->m->feature_scale, scale, features * sizeof(float));
    }
}

irmas_status trainer_resume(trainer *t, const checkpoint *c, char *err,
                            size_t errlen)
{
    int features = model_features(t->m);
    if (c->params != t->params || c->features != features)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "the checkpoint holds %ld weights and %d "
                           "features, the model has %ld and %d",
                           c->params, c->features, t->params, features);
    size_t bytes = (size_t)t->params * sizeof(float);
    memcpy(t->m->arena, c->weights, bytes);
    memcpy(t->best, c->best, bytes);
    set_feature_statistics(t, c->feature_mean, c->feature_scale);
    memcpy(t->opt.m, c->adam_m, bytes);
    memcpy(t->opt.v, c->adam_v, bytes);
    t->opt.step = c->adam_step;
    rng_from_word(&t->random, c->rng_state);
    t->epoch = c->epoch;
    t->best_epoch = c->best_epoch;
    t->best_loss = c->best_loss;
    t->bad_epochs = c->bad_epochs;
    return IRMAS_OK;
}

/* Copies every tensor of layer i of from into layer i of to, which has
 * the same shape. */
static void copy_layer(irmas_model *to, const irmas_model *from, int i)
{
    layer lt = to->layers[i], lf = from->layers[i];
    layer_tensor tt[LAYER_MAX_TENSORS], tf[LAYER_MAX_TENSORS];
    int n = layer_tensors(&lt, tt);
    layer_tensors(&lf, tf);
    for (int k = 0; k < n; k++)
        memcpy(*tt[k].data, *tf[k].data, (size_t)tt[k].count * sizeof(float));
}

/* Copies the softmax's weights and bias of each class that to and from
 * both name, matched by label; the other classes of to keep theirs. */
static void copy_shared_classes(irmas_model *to, const irmas_model *from)
{
    const dense_layer *into = &to->layers[to->n_layers - 1].u.dense;
    const dense_layer *out_of = &from->layers[from->n_layers - 1].u.dense;
    size_t row = (size_t)into->inputs * sizeof(float);
    for (int c = 0; c < to->classes; c++) {
        int f = irmas_model_class_index(from, to->labels[c]);
        if (f < 0) continue;
        memcpy(into->weights + (long)c * into->inputs,
               out_of->weights + (long)f * out_of->inputs, row);
        into->bias[c] = out_of->bias[f];
    }
}

irmas_status trainer_start_from(trainer *t, const irmas_model *from,
                                char *err, size_t errlen)
{
    irmas_status status = model_same_body(t->m, from, err, errlen);
    if (status != IRMAS_OK) return status;
    for (int i = 0; i < t->m->n_layers - 1; i++) copy_layer(t->m, from, i);
    copy_shared_classes(t->m, from);
    memcpy(t->best, t->m->arena, (size_t)t->params * sizeof(float));
    set_feature_statistics(t, from->feature_mean, from->feature_scale);
    return IRMAS_OK;
}

/* ---- evaluation ----------------------------------------------------- */

void trainer_evaluate(trainer *t, const int *which, int n, float *probs,
                      double *loss, double *accuracy)
{
    /* sums[0]: the loss, [1]: the examples right; without probs to fill,
     * each rank scores its share of every batch and the ranks add up. */
    double sums[2] = {0.0, 0.0};
    int shared = probs == NULL;
    for (int start = 0; start < n; start += t->o.batch) {
        int rows = n - start < t->o.batch ? n - start : t->o.batch, first = 0;
        if (shared) rows = cluster_share(rows, &first);
        int used = trainer_dispatch(
            t, which + start + first, rows, 0, rows, 0,
            probs ? probs + (long)start * t->m->classes : NULL);
        for (int i = 0; i < used; i++) {
            sums[0] += t->workers[i].loss;
            sums[1] += t->workers[i].correct;
        }
    }
    if (shared) cluster_sum_doubles(sums, 2);
    *loss = n > 0 ? sums[0] / n : 0.0;
    *accuracy = n > 0 ? sums[1] / n : 0.0;
}

int trainer_best(const trainer *t, double *loss, double *accuracy)
{
    *loss = t->best_loss;
    *accuracy = t->best_accuracy;
    return t->best_epoch;
}

/* ---- one epoch -------------------------------------------------------- */

/* Draws the batch's dropout masks: 0, or 1 / (1 - p) so the expected
 * output is unchanged. */
static void trainer_draw_mask(trainer *t, int rows)
{
    float p = (float)t->o.dropout, keep = 1.0f / (1.0f - p);
    for (long i = 0; i < (long)rows * t->mask_width; i++)
        t->mask[i] = rng_uniform_float(&t->random) < p ? 0.0f : keep;
}

/* Mixup's partner for each row of the batch, another example of the same
 * batch (or itself), and the row's own share, from Beta(alpha, alpha). */
static void trainer_draw_mixup(trainer *t, const int *which, int rows)
{
    for (int r = 0; r < rows; r++) {
        t->partner[r] = which[rng_below(&t->random, (uint32_t)rows)];
        t->share[r] = (float)rng_beta(&t->random, t->o.mixup, t->o.mixup);
    }
}

/* One update from examples which[0..rows), this rank running its share;
 * adds to the epoch's sums (sums[0]: loss, [1]: examples right). */
static void trainer_step(trainer *t, const int *which, int rows,
                         double sums[2])
{
    if (t->o.dropout > 0.0) trainer_draw_mask(t, rows);
    if (t->runs_per_example > 0)
        spec_augment_draw(&t->o.augment, t->spectrogram.frames,
                          t->spectrogram.bands, rows, &t->random, t->runs);
    if (t->o.warp > 0.0)
        spec_warp_draw(t->o.warp, rows, &t->random, t->warp);
    if (t->o.eq > 0.0) spec_eq_draw(t->o.eq, rows, &t->random, t->eq);
    if (t->o.level > 0.0)
        spec_level_draw(t->o.level, rows, &t->random, t->level);
    if (t->o.mixup > 0.0) trainer_draw_mixup(t, which, rows);
    int first, share = cluster_share(rows, &first);
    int used = trainer_dispatch(t, which + first, share, first, rows, 1,
                                NULL);
    memset(t->grads, 0, (size_t)t->params * sizeof *t->grads);
    double step[2] = {0.0, 0.0};
    for (int i = 0; i < used; i++) {
        const float *g = backprop_grads(t->workers[i].pass);
        for (long j = 0; j < t->params; j++) t->grads[j] += g[j];
        step[0] += t->workers[i].loss;
        step[1] += t->workers[i].correct;
    }
    cluster_sum_floats(t->grads, t->params);
    cluster_sum_doubles(step, 2);
    sums[0] += step[0];
    sums[1] += step[1];
    adam_clip_norm(t->grads, t->params, t->o.clip);
    adam_step(&t->opt, t->m->arena, t->grads);
}

typedef struct {
    double train_loss, train_accuracy, val_loss, val_accuracy;
    double seconds, training_seconds; /* the epoch, its training part */
} epoch_result;

static void trainer_train_epoch(trainer *t, epoch_result *r)
{
    const example_split *s = t->split;
    int n = s->count[SPLIT_TRAIN], batches = (n + t->o.batch - 1) / t->o.batch;
    memcpy(t->order, s->which[SPLIT_TRAIN], (size_t)n * sizeof *t->order);
    rng_shuffle(&t->random, t->order, n);
    progress bar;
    progress_begin(&bar, t->epoch + 1, t->o.epochs, batches);
    double sums[2] = {0.0, 0.0}; /* loss, examples right */
    for (int b = 0; b < batches; b++) {
        int start = b * t->o.batch;
        int rows = n - start < t->o.batch ? n - start : t->o.batch;
        trainer_step(t, t->order + start, rows, sums);
        if (cluster_is_root())
            progress_step(&bar, b + 1, sums[0] / (start + rows),
                          sums[1] / (start + rows));
    }
    if (cluster_is_root()) progress_end(&bar);
    r->train_loss = sums[0] / n;
    r->train_accuracy = sums[1] / n;
}

/* The provenance of the model as saved at the best epoch. */
static char *trainer_provenance(const trainer *t)
{
    char *text = NULL;
    if (asprintf(&text, "%s\nbest epoch: %d; validation loss %.4f, "
                        "accuracy %.4f",
                 t->o.provenance ? t->o.provenance : "", t->best_epoch,
                 t->best_loss, t->best_accuracy) < 0)
        return NULL;
    return text;
}

/* Makes the current weights the best and saves them to the output. */
static irmas_status trainer_keep_best(trainer *t, const epoch_result *r,
                                      char *err, size_t errlen)
{
    t->best_epoch = t->epoch;
    t->best_loss = r->val_loss;
    t->best_accuracy = r->val_accuracy;
    t->bad_epochs = 0;
    memcpy(t->best, t->m->arena, (size_t)t->params * sizeof *t->best);
    char *provenance = trainer_provenance(t);
    if (!provenance || model_set_provenance(t->m, provenance) != IRMAS_OK) {
        free(provenance);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the model's provenance");
    }
    free(provenance);
    return cluster_is_root() ? irmas_model_save(t->m, t->o.out_path, err, errlen)
                             : IRMAS_OK;
}

/* Rank 0 writes the checkpoint (checkpoint_save writes a temporary file
 * and renames it: a job stopped midway leaves the last one whole). */
static irmas_status trainer_save_checkpoint(trainer *t, char *err,
                                            size_t errlen)
{
    if (!cluster_is_root()) return IRMAS_OK;
    const example_split *s = t->split;
    checkpoint c = {
        .run = (char *)t->o.run, .run_size = t->o.run_size,
        .examples = {s->count[0], s->count[1], s->count[2]},
        .epoch = t->epoch, .best_epoch = t->best_epoch,
        .best_loss = t->best_loss, .bad_epochs = t->bad_epochs,
        .rng_state = rng_word(&t->random), .adam_step = t->opt.step,
        .params = t->params, .weights = t->m->arena, .best = t->best,
        .adam_m = t->opt.m, .adam_v = t->opt.v,
        .features = model_features(t->m),
        .feature_mean = t->m->feature_mean,
        .feature_scale = t->m->feature_scale};
    return checkpoint_save(&c, t->o.checkpoint_path, err, errlen);
}

static void trainer_report_epoch(trainer *t, const epoch_result *r,
                                 int improved)
{
    if (!cluster_is_root()) return;
    if (cluster_size() > 1)
        fprintf(stderr, "%d ranks; %.2f s of the epoch summing across them\n",
                cluster_size(), cluster_seconds() - t->summed_before);
    fprintf(stderr, "epoch %d/%d  train loss %.4f acc %.4f  val loss %.4f "
                    "acc %.4f  %.1f s (%.2f s training)%s\n",
            t->epoch, t->o.epochs, r->train_loss, r->train_accuracy,
            r->val_loss, r->val_accuracy, r->seconds, r->training_seconds,
            improved ? "  best so far, saved" : "");
    if (!t->log) return;
    fprintf(t->log, "%d,%.6f,%.6f,%.6f,%.6f,%.3f\n", t->epoch, r->train_loss,
            r->train_accuracy, r->val_loss, r->val_accuracy, r->seconds);
    fflush(t->log);
}

static irmas_status trainer_epoch(trainer *t, char *err, size_t errlen)
{
    epoch_result r;
    double start = clock_seconds(CLOCK_MONOTONIC);
    t->summed_before = cluster_seconds();
    trainer_train_epoch(t, &r);
    r.training_seconds = clock_seconds(CLOCK_MONOTONIC) - start;
    if (!isfinite(r.train_loss))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "epoch %d: the training loss is no longer a "
                           "number: the weights diverged; lower --lr or "
                           "--clip (the last checkpoint is from epoch %d)",
                           t->epoch + 1, t->epoch);
    const example_split *s = t->split;
    trainer_evaluate(t, s->which[SPLIT_VALIDATION], s->count[SPLIT_VALIDATION],
                     NULL, &r.val_loss, &r.val_accuracy);
    r.seconds = clock_seconds(CLOCK_MONOTONIC) - start;
    t->epoch++;
    int improved = t->best_epoch == 0 || r.val_loss < t->best_loss;
    irmas_status status = IRMAS_OK;
    if (improved)
        status = trainer_keep_best(t, &r, err, errlen);
    else
        t->bad_epochs++;
    trainer_report_epoch(t, &r, improved);
    if (status == IRMAS_OK) status = trainer_save_checkpoint(t, err, errlen);
    return status;
}

/* ---- the log ------------------------------------------------------ */

static const char log_header[] =
    "epoch,train_loss,train_acc,val_loss,val_acc,seconds\n";

/* Rewrites the log with only the header and the lines of epochs up to
 * t->epoch. A missing log is started afresh. */
static irmas_status trainer_trim_log(trainer *t, char *err, size_t errlen)
{
    FILE *f = fopen(t->o.log_path, "r");
    if (!f) return atomic_file_write(t->o.log_path, log_header,
                                     strlen(log_header), err, errlen);
    char *kept = NULL, *line = NULL;
    size_t kept_size = 0, line_size = 0;
    FILE *out = open_memstream(&kept, &kept_size);
    if (!out) {
        fclose(f);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    }
    fputs(log_header, out);
    while (getline(&line, &line_size, f) > 0) {
        char *end;
        long epoch = strtol(line, &end, 10);
        if (end != line && *end == ',' && epoch >= 1 && epoch <= t->epoch)
            fputs(line, out);
    }
    free(line);
    fclose(f);
    fclose(out);
    irmas_status status = atomic_file_write(t->o.log_path, kept, kept_size,
                                            err, errlen);
    free(kept);
    return status;
}

static irmas_status trainer_open_log(trainer *t, char *err, size_t errlen)
{
    if (!t->o.log_path || !cluster_is_root()) return IRMAS_OK;
    irmas_status status = IRMAS_OK;
    if (t->epoch > 0) status = trainer_trim_log(t, err, errlen);
    if (status != IRMAS_OK) return status;
    t->log = fopen(t->o.log_path, t->epoch > 0 ? "a" : "w");
    if (!t->log)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot write the log: %s", t->o.log_path,
                           strerror(errno));
    if (t->epoch == 0) fputs(log_header, t->log);
    return IRMAS_OK;
}

/* ---- the run -------------------------------------------------------- */

static int trainer_should_stop(const trainer *t)
{
    return t->o.patience > 0 && t->bad_epochs >= t->o.patience;
}

irmas_status trainer_run(trainer *t, char *err, size_t errlen)
{
    irmas_status status = trainer_open_log(t, err, errlen);
    while (status == IRMAS_OK && t->epoch < t->o.epochs &&
           !trainer_should_stop(t))
        status = trainer_epoch(t, err, errlen);
    if (status == IRMAS_OK && trainer_should_stop(t) && cluster_is_root())
        fprintf(stderr, "stopped: no better validation loss in the %d "
                        "epochs since epoch %d\n",
                t->bad_epochs, t->best_epoch);
    memcpy(t->m->arena, t->best, (size_t)t->params * sizeof *t->best);
    return status;
}

/* ---- export ----------------------------------------------------------- */

/* Writes bytes of data to dir/name, as they are in memory. */
static irmas_status write_array(const char *dir, const char *name,
                                const void *data, size_t bytes, char *err,
                                size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, bytes, f) == bytes;
    if (f) ok &= fclose(f) == 0;
    return ok ? IRMAS_OK
              : status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot write: %s",
                            path, strerror(errno));
}

/* meta.txt: the shapes and settings; for a recurrent model its cell, for
 * a CNN its image. */
static irmas_status export_meta(trainer *t, const char *dir, char *err,
                                size_t errlen)
{
    const layer *first = &t->m->layers[0];
    char meta[1024];
    int n;
    if (layer_is_recurrent(first))
        n = snprintf(meta, sizeof meta,
                     "model recurrent\ncell %s\nreset_after %d\n"
                     "frames %d\nfeatures %d\nhidden %d\n",
                     layer_kind_name(first->kind),
                     first->kind == LAYER_GRU ? first->u.gru.reset_after : 0,
                     t->e->frames, t->e->features,
                     first->kind == LAYER_BLSTM ? first->u.blstm.fwd.hidden
                                                : layer_outputs(first));
    else
        n = snprintf(meta, sizeof meta,
                     "model cnn\nchannels %d\nsize %d\n",
                     t->m->image.channels, t->m->image.size);
    n += snprintf(meta + n, sizeof meta - (size_t)n,
                  "layers %d\nclasses %d\nexamples %d\nbatch %d\n"
                  "lr %.17g\nclip %.17g\ndropout %.17g\nparams %ld\n",
                  t->m->n_layers, t->m->classes,
                  t->split->count[SPLIT_TRAIN], t->o.batch, t->o.lr,
                  t->o.clip, t->o.dropout, t->params);
    return write_array(dir, "meta.txt", meta, (size_t)n, err, errlen);
}

/* layers.txt: a line a layer (layer_describe), for the CNN's torch.nn
 * twin. */
static irmas_status export_layers(trainer *t, const char *dir, char *err,
                                  size_t errlen)
{
    char text[MODEL_MAX_LAYERS * 64];
    size_t used = 0;
    for (int i = 0; i < t->m->n_layers; i++) {
        int n = layer_describe(&t->m->layers[i], text + used,
                               sizeof text - used);
        /* snprintf's count is what it would have written: never past
         * the buffer, room left for the newline */
        if (n < 0 || (size_t)n + 1 >= sizeof text - used)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "%s/layers.txt: layer %d does not fit in %zu "
                               "bytes of description", dir, i, sizeof text);
        used += (size_t)n;
        text[used++] = '\n';
    }
    return write_array(dir, "layers.txt", text, used, err, errlen);
}

/* The training split as the model reads it: features.f32 (a recurrent
 * model's standardised frames) or images.f32 (a CNN's images), and
 * labels.i32. */
static irmas_status export_examples(trainer *t, const char *dir, char *err,
                                    size_t errlen)
{
    int n = t->split->count[SPLIT_TRAIN], image = t->e->image_floats > 0;
    long each = image ? t->e->image_floats
                      : (long)t->e->frames * t->e->features;
    float *inputs = malloc((size_t)n * each * sizeof *inputs);
    int *labels = malloc(((size_t)n + 1) * sizeof *labels);
    irmas_status status = IRMAS_ERR_NOMEM;
    if (inputs && labels) {
        for (int i = 0; i < n; i++) {
            int which = t->split->which[SPLIT_TRAIN][i];
            if (image)
                examples_images(t->e, &which, 1, inputs + i * each);
            else
                examples_batch(t->e, t->m, &which, 1, inputs + i * each);
            labels[i] = t->e->list[which].label;
        }
        status = write_array(dir, image ? "images.f32" : "features.f32",
                             inputs, (size_t)n * each * sizeof *inputs, err,
                             errlen);
        if (status == IRMAS_OK)
            status = write_array(dir, "labels.i32", labels,
                                 (size_t)n * sizeof *labels, err, errlen);
    } else {
        status_fail(err, errlen, status, "out of memory exporting %d "
                    "examples", n);
    }
    free(inputs);
    free(labels);
    return status;
}

irmas_status trainer_export(trainer *t, const char *dir, char *err,
                            size_t errlen)
{
    const irmas_model *m = t->m;
    int cnn = model_reads_image(m) && !model_reads_frames(m);
    if (!layer_is_recurrent(&m->layers[0]) && !cnn)
        return status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                           "%s: the export is for bench/train_torch.py, "
                           "which trains recurrent models and CNNs only",
                           dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot create: %s",
                           dir, strerror(errno));
    irmas_status status = export_meta(t, dir, err, errlen);
    if (status == IRMAS_OK && cnn) status = export_layers(t, dir, err, errlen);
    if (status == IRMAS_OK)
        status = write_array(dir, "weights.f32", m->arena,
                             (size_t)t->params * sizeof(float), err, errlen);
    if (status == IRMAS_OK) status = export_examples(t, dir, err, errlen);
    if (status != IRMAS_OK) return status;
    /* The next epoch shuffles the training examples with the generator as
     * it is now; a copy, shuffling positions, tells the same order. */
    int n = t->split->count[SPLIT_TRAIN];
    rng copy = t->random;
    for (int i = 0; i < n; i++) t->order[i] = i;
    rng_shuffle(&copy, t->order, n);
    return write_array(dir, "order.i32", t->order, (size_t)n * sizeof(int),
                       err, errlen);
}
