/* test_grad.c: the trainer's backward passes against finite differences,
 * and the optimiser against a hand computation.
 *
 * Every check has the same shape: a scalar loss of some weights, the
 * analytic gradient the code under test computes, and the central
 * difference (L(w + e) - L(w - e)) / 2e for every weight, evaluated in
 * float (the forward code is float) with the loss summed in double. A
 * layer's loss is the dot product of its output with fixed random
 * weights, so every output matters and each has a different weight.
 * Sizes are tiny (a few frames, rows and units) so every weight of every
 * layer kind is checked in well under a second. Whole models of every
 * shape the trainer builds (recurrent, statistics, CNN, CRNN) are checked
 * weight by weight through backprop.h, after their training forward pass
 * is shown to agree with the engine's own.
 *
 * Max-pooling and ReLU have kinks, where a central difference straddling
 * one is wrong; the seeds of the image models are ones whose inputs sit
 * no closer to a kink than the step, and being seeded, stay so.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "backprop.h"
#include "bptt.h"
#include "dense_grad.h"
#include "loss.h"
#include "network.h"
#include "recurrent.h"
#include "testmodel.h"
#include "testutil.h"
#include "window.h"

#define STEP 2e-3f

/* A loss of the weights at params, and where its analytic gradient is. */
typedef struct {
    double (*loss)(void *ctx);
    void *ctx;
} loss_fn;

/* Compares grads[n] with central differences of f over params[n]. The
 * tolerance allows for float rounding (absolute) and for the third-order
 * term of the difference (relative). */
static void check_against_differences(const char *what, float *params,
                                      const float *grads, long n, loss_fn f)
{
    for (long i = 0; i < n; i++) {
        float saved = params[i];
        params[i] = saved + STEP;
        double up = f.loss(f.ctx);
        params[i] = saved - STEP;
        double down = f.loss(f.ctx);
        params[i] = saved;
        double numeric = (up - down) / (2.0 * STEP);
        double tolerance = 3e-4 + 5e-3 * fabs(numeric);
        ck_assert_msg(fabs(numeric - grads[i]) <= tolerance,
                      "%s[%ld]: analytic %.6f, numeric %.6f", what, i,
                      (double)grads[i], numeric);
    }
}

static double dot(const float *a, const float *b, long n)
{
    double sum = 0.0;
    for (long i = 0; i < n; i++) sum += (double)a[i] * b[i];
    return sum;
}

/* A copy of l whose tensors point into a new zeroed buffer, for
 * gradients. */
static layer grad_layer(layer *l, float **buffer)
{
    layer g = *l;
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(&g, t);
    long total = 0;
    for (int j = 0; j < n; j++) total += t[j].count;
    *buffer = calloc((size_t)total, sizeof(float));
    float *next = *buffer;
    for (int j = 0; j < n; j++) {
        *t[j].data = next;
        next += t[j].count;
    }
    return g;
}

/* ---- dense layers ---------------------------------------------------- */

enum { DENSE_IN = 5, DENSE_OUT = 4, DENSE_ROWS = 3 };

typedef struct {
    dense_layer l;
    float x[DENSE_ROWS * DENSE_IN], y[DENSE_ROWS * DENSE_OUT];
    float probe[DENSE_ROWS * DENSE_OUT]; /* the loss's weights on y */
} dense_case;

static double dense_loss(void *ctx)
{
    dense_case *c = ctx;
    dense_forward(&c->l, c->x, c->y, DENSE_ROWS);
    return dot(c->y, c->probe, DENSE_ROWS * DENSE_OUT);
}

static void check_dense(activation act)
{
    tu_rng rng;
    tu_seed(&rng, 7 + act);
    float weights[DENSE_OUT * DENSE_IN], bias[DENSE_OUT];
    float gw[DENSE_OUT * DENSE_IN] = {0}, gb[DENSE_OUT] = {0};
    float dz[DENSE_ROWS * DENSE_OUT], dx[DENSE_ROWS * DENSE_IN];
    dense_case c = {.l = {DENSE_IN, DENSE_OUT, act, weights, bias}};
    tu_fill(&rng, weights, DENSE_OUT * DENSE_IN, -1, 1);
    tu_fill(&rng, bias, DENSE_OUT, -0.5f, 0.5f);
    tu_fill(&rng, c.x, DENSE_ROWS * DENSE_IN, -1, 1);
    tu_fill(&rng, c.probe, DENSE_ROWS * DENSE_OUT, -1, 1);

    dense_loss(&c);
    dense_grad_activation(act, c.y, c.probe, dz, DENSE_ROWS, DENSE_OUT);
    dense_layer grad = {DENSE_IN, DENSE_OUT, act, gw, gb};
    dense_grad_affine(&c.l, &grad, c.x, dz, dx, DENSE_ROWS);

    loss_fn f = {dense_loss, &c};
    const char *name = activation_name(act);
    ck_assert_msg(name != NULL, "activation %d", act);
    check_against_differences(name, weights, gw, DENSE_OUT * DENSE_IN, f);
    check_against_differences(name, bias, gb, DENSE_OUT, f);
    check_against_differences(name, c.x, dx, DENSE_ROWS * DENSE_IN, f);
}

START_TEST(dense_gradients)
{
    /* ReLU's kink: no weight here sits within STEP of one. */
    activation acts[] = {ACT_NONE, ACT_RELU, ACT_TANH, ACT_SIGMOID,
                         ACT_SOFTMAX};
    check_dense(acts[_i]);
}
END_TEST

/* ---- the loss -------------------------------------------------------- */

enum { LOSS_CLASSES = 4, LOSS_ROWS = 3 };

typedef struct {
    float logits[LOSS_ROWS * LOSS_CLASSES];
    int labels[LOSS_ROWS];
} loss_case;

static double xent_loss(void *ctx)
{
    loss_case *c = ctx;
    float probs[LOSS_ROWS * LOSS_CLASSES], unused[LOSS_ROWS * LOSS_CLASSES];
    memcpy(probs, c->logits, sizeof probs);
    activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
    return loss_softmax_xent(probs, c->labels, LOSS_ROWS, LOSS_CLASSES, 1.0f,
                             unused) / LOSS_ROWS;
}

START_TEST(softmax_cross_entropy)
{
    tu_rng rng;
    tu_seed(&rng, 3);
    loss_case c = {.labels = {2, 0, 3}};
    tu_fill(&rng, c.logits, LOSS_ROWS * LOSS_CLASSES, -3, 3);
    float probs[LOSS_ROWS * LOSS_CLASSES], grads[LOSS_ROWS * LOSS_CLASSES];
    memcpy(probs, c.logits, sizeof probs);
    activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
    double loss = loss_softmax_xent(probs, c.labels, LOSS_ROWS, LOSS_CLASSES,
                                    1.0f / LOSS_ROWS, grads);
    ck_assert(fabs(loss / LOSS_ROWS - xent_loss(&c)) < 1e-9);
    check_against_differences("logits", c.logits, grads,
                              LOSS_ROWS * LOSS_CLASSES,
                              (loss_fn){xent_loss, &c});

    /* A certain mistake costs a finite amount. */
    float sure[2] = {1.0f, 0.0f}, d[2];
    int wrong = 1;
    double cost = loss_softmax_xent(sure, &wrong, 1, 2, 1.0f, d);
    ck_assert(isfinite(cost) && cost > 60.0);
}
END_TEST

/* Distillation (loss.h): rows with labels and one without (-1), the
 * teacher's targets positive and summing to 1. */
typedef struct {
    float logits[LOSS_ROWS * LOSS_CLASSES];
    int labels[LOSS_ROWS];
    float targets[LOSS_ROWS * LOSS_CLASSES];
    loss_distill_params params;
} distill_case;

static double distill_loss(void *ctx)
{
    distill_case *c = ctx;
    float probs[LOSS_ROWS * LOSS_CLASSES];
    memcpy(probs, c->logits, sizeof probs);
    activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
    return loss_distill(probs, c->labels, NULL, c->targets, LOSS_ROWS, LOSS_CLASSES,
                        &c->params, 1.0f, NULL) / LOSS_ROWS;
}

/* A teacher's distribution for each of the LOSS_ROWS rows: positive
 * values summing to 1. */
static void random_targets(tu_rng *rng, float *targets)
{
    tu_fill(rng, targets, LOSS_ROWS * LOSS_CLASSES, 0.05f, 1.0f);
    for (int r = 0; r < LOSS_ROWS; r++) {
        float *q = targets + r * LOSS_CLASSES, sum = 0.0f;
        for (int j = 0; j < LOSS_CLASSES; j++) sum += q[j];
        for (int j = 0; j < LOSS_CLASSES; j++) q[j] /= sum;
    }
}

/* The loss written out for one row from logits, in double. */
static double distill_reference(const float *z, int label, const float *q,
                                const loss_distill_params *p)
{
    double t = p->temperature, s[LOSS_CLASSES], qt[LOSS_CLASSES];
    double zs = 0.0, qs = 0.0, ps = 0.0;
    for (int c = 0; c < LOSS_CLASSES; c++) {
        zs += s[c] = exp(z[c] / t);
        qs += qt[c] = pow(q[c], 1.0 / t);
        ps += exp(z[c]);
    }
    double kl = 0.0;
    for (int c = 0; c < LOSS_CLASSES; c++)
        kl += qt[c] / qs * log((qt[c] / qs) / (s[c] / zs));
    if (label < 0) return t * t * kl;
    double hard = -log(exp(z[label]) / ps);
    return (1.0 - p->weight) * hard + p->weight * t * t * kl;
}

START_TEST(distillation_loss)
{
    static const loss_distill_params settings[] = {
        {.weight = 0.5f, .temperature = 1.0f},
        {.weight = 0.3f, .temperature = 3.0f},
        {.weight = 1.0f, .temperature = 0.5f},
    };
    for (int k = 0; k < 3; k++) {
        tu_rng rng;
        tu_seed(&rng, 40 + (uint64_t)k);
        distill_case c = {.labels = {2, -1, 0}, .params = settings[k]};
        tu_fill(&rng, c.logits, LOSS_ROWS * LOSS_CLASSES, -3, 3);
        random_targets(&rng, c.targets);
        float probs[LOSS_ROWS * LOSS_CLASSES], grads[LOSS_ROWS * LOSS_CLASSES];
        memcpy(probs, c.logits, sizeof probs);
        activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
        double loss = loss_distill(probs, c.labels, NULL, c.targets, LOSS_ROWS,
                                   LOSS_CLASSES, &c.params,
                                   1.0f / LOSS_ROWS, grads);
        double want = 0.0;
        for (int r = 0; r < LOSS_ROWS; r++)
            want += distill_reference(c.logits + r * LOSS_CLASSES,
                                      c.labels[r],
                                      c.targets + r * LOSS_CLASSES, &c.params);
        ck_assert_msg(fabs(loss - want) < 1e-5 * (1.0 + fabs(want)),
                      "T %g: loss %.8f, written out %.8f",
                      (double)c.params.temperature, loss, want);
        check_against_differences("distilled logits", c.logits, grads,
                                  LOSS_ROWS * LOSS_CLASSES,
                                  (loss_fn){distill_loss, &c});
    }

    /* The student that agrees with the teacher pays nothing on an
     * unlabelled row, and without targets the loss is the cross-entropy. */
    float q[3] = {0.2f, 0.5f, 0.3f}, d[3];
    int none = -1, label = 1;
    loss_distill_params p = {.weight = 0.5f, .temperature = 2.0f};
    ck_assert(fabs(loss_distill(q, &none, NULL, q, 1, 3, &p, 1.0f, d)) < 1e-6);
    ck_assert(fabs(loss_distill(q, &label, NULL, NULL, 1, 3, &p, 1.0f, d) +
                   log(0.5)) < 1e-6);
}
END_TEST

/* Mixup (loss.h): each row's hard target shared with a partner's label,
 * with and without the teacher's targets. */
typedef struct {
    distill_case d;
    int partners[LOSS_ROWS];
    float shares[LOSS_ROWS];
    int with_targets;
} mixup_case;

static double mixup_loss(void *ctx)
{
    mixup_case *c = ctx;
    float probs[LOSS_ROWS * LOSS_CLASSES];
    memcpy(probs, c->d.logits, sizeof probs);
    activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
    loss_mixup mix = {c->partners, c->shares};
    return loss_distill(probs, c->d.labels, &mix,
                        c->with_targets ? c->d.targets : NULL, LOSS_ROWS,
                        LOSS_CLASSES, &c->d.params, 1.0f, NULL) / LOSS_ROWS;
}

START_TEST(mixup_loss_matches)
{
    for (int with_targets = 0; with_targets < 2; with_targets++) {
        tu_rng rng;
        tu_seed(&rng, 50 + (uint64_t)with_targets);
        mixup_case c = {.d = {.labels = {2, 0, 1},
                              .params = {.weight = 0.4f, .temperature = 2.0f}},
                        .partners = {0, 0, 3},
                        .shares = {0.7f, 1.0f, 0.15f},
                        .with_targets = with_targets};
        tu_fill(&rng, c.d.logits, LOSS_ROWS * LOSS_CLASSES, -3, 3);
        random_targets(&rng, c.d.targets);
        float probs[LOSS_ROWS * LOSS_CLASSES], grads[LOSS_ROWS * LOSS_CLASSES];
        memcpy(probs, c.d.logits, sizeof probs);
        activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
        loss_mixup mix = {c.partners, c.shares};
        double loss = loss_distill(probs, c.d.labels, &mix,
                                   with_targets ? c.d.targets : NULL,
                                   LOSS_ROWS, LOSS_CLASSES, &c.d.params,
                                   1.0f / LOSS_ROWS, grads);
        /* Written out: the share of each label's loss, as distillation
         * computes it for a plain label. */
        loss_distill_params hard_only = {.weight = 0.0f, .temperature = 1.0f};
        const loss_distill_params *p = with_targets ? &c.d.params : &hard_only;
        double want = 0.0;
        for (int r = 0; r < LOSS_ROWS; r++) {
            const float *z = c.d.logits + r * LOSS_CLASSES;
            const float *q = c.d.targets + r * LOSS_CLASSES;
            double share = c.shares[r];
            want += share * distill_reference(z, c.d.labels[r], q, p) +
                    (1.0 - share) * distill_reference(z, c.partners[r], q, p);
        }
        ck_assert_msg(fabs(loss - want) < 1e-5 * (1.0 + fabs(want)),
                      "targets %d: loss %.8f, written out %.8f", with_targets,
                      loss, want);
        check_against_differences("mixed logits", c.d.logits, grads,
                                  LOSS_ROWS * LOSS_CLASSES,
                                  (loss_fn){mixup_loss, &c});
    }

    /* Mixed with unlabelled audio, or unlabelled itself, a row learns its
     * (mixed) soft targets alone, at full weight. */
    tu_rng rng;
    tu_seed(&rng, 52);
    mixup_case c = {.d = {.labels = {2, -1, 1},
                          .params = {.weight = 0.4f, .temperature = 2.0f}},
                    .partners = {-1, 0, 3},
                    .shares = {0.7f, 0.4f, 0.15f},
                    .with_targets = 1};
    tu_fill(&rng, c.d.logits, LOSS_ROWS * LOSS_CLASSES, -3, 3);
    random_targets(&rng, c.d.targets);
    double want = 0.0;
    for (int r = 0; r < LOSS_ROWS; r++) {
        const float *z = c.d.logits + r * LOSS_CLASSES;
        const float *q = c.d.targets + r * LOSS_CLASSES;
        double share = c.shares[r];
        want += r < 2 ? distill_reference(z, -1, q, &c.d.params)
                      : share * distill_reference(z, c.d.labels[r], q,
                                                  &c.d.params) +
                            (1.0 - share) * distill_reference(
                                                z, c.partners[r], q,
                                                &c.d.params);
    }
    double loss = mixup_loss(&c) * LOSS_ROWS;
    ck_assert_msg(fabs(loss - want) < 1e-5 * (1.0 + fabs(want)),
                  "unlabelled partners: loss %.8f, written out %.8f", loss,
                  want);
    float probs[LOSS_ROWS * LOSS_CLASSES], grads[LOSS_ROWS * LOSS_CLASSES];
    memcpy(probs, c.d.logits, sizeof probs);
    activation_apply(ACT_SOFTMAX, probs, LOSS_ROWS, LOSS_CLASSES);
    loss_mixup mix = {c.partners, c.shares};
    loss_distill(probs, c.d.labels, &mix, c.d.targets, LOSS_ROWS,
                 LOSS_CLASSES, &c.d.params, 1.0f / LOSS_ROWS, grads);
    check_against_differences("logits mixed with unlabelled audio",
                              c.d.logits, grads, LOSS_ROWS * LOSS_CLASSES,
                              (loss_fn){mixup_loss, &c});
}
END_TEST

/* ---- recurrent layers ------------------------------------------------ */

enum { SEQ_FRAMES = 6, SEQ_ROWS = 3, SEQ_INPUTS = 4, SEQ_HIDDEN = 5 };

typedef struct {
    irmas_model *m;  /* holds the layer under test as layers[0] */
    bptt *tape;
    float x[SEQ_FRAMES * SEQ_ROWS * SEQ_INPUTS];
    float *h0; /* [SEQ_ROWS][SEQ_HIDDEN], a CRNN's initial state, or NULL */
    float out[SEQ_ROWS * 2 * SEQ_HIDDEN];
    float probe[SEQ_ROWS * 2 * SEQ_HIDDEN];
    int outputs;
} seq_case;

static double seq_loss(void *ctx)
{
    seq_case *c = ctx;
    bptt_forward_from(c->tape, c->x, SEQ_ROWS, c->h0, c->out);
    return dot(c->out, c->probe, (long)SEQ_ROWS * c->outputs);
}

/* The engine's own forward for row r (x is time-major) from h0 (NULL:
 * zeros), to prove the batched training forward computes the same
 * thing. */
static void engine_forward_row(const layer *l, const float *x, int r,
                               const float *h0, float *out)
{
    float frames[SEQ_FRAMES * SEQ_INPUTS];
    for (int t = 0; t < SEQ_FRAMES; t++)
        memcpy(frames + t * SEQ_INPUTS,
               x + ((long)t * SEQ_ROWS + r) * SEQ_INPUTS,
               SEQ_INPUTS * sizeof(float));
    if (l->kind == LAYER_BLSTM) {
        float *work = malloc(
            (size_t)blstm_work_size(&l->u.blstm, SEQ_FRAMES) * sizeof(float));
        blstm_forward(&l->u.blstm, frames, SEQ_FRAMES, out, work);
        free(work);
        return;
    }
    int proj = recurrent_proj_size(l);
    float xproj[SEQ_FRAMES * 4 * SEQ_HIDDEN], state[2 * SEQ_HIDDEN] = {0},
          work[4 * SEQ_HIDDEN];
    recurrent_project(l, NULL, frames, SEQ_FRAMES, xproj);
    if (h0) memcpy(state, h0 + r * SEQ_HIDDEN, SEQ_HIDDEN * sizeof(float));
    for (int t = 0; t < SEQ_FRAMES; t++)
        recurrent_step(l, NULL, xproj + t * proj, 0, state, 1, work);
    memcpy(out, state, SEQ_HIDDEN * sizeof(float));
}

static void check_recurrent(layer_kind kind, int reset_after)
{
    tm_spec spec = tm_raw_spec(kind, SEQ_INPUTS, SEQ_HIDDEN);
    spec.gru_reset_after = reset_after;
    spec.seed = 11 + kind;
    seq_case c = {.m = tm_model(&spec)};
    layer *l = &c.m->layers[0];
    c.outputs = layer_outputs(l);
    float *grad_buffer;
    layer grad = grad_layer(l, &grad_buffer);
    ck_assert_int_eq(bptt_new(l, &grad, SEQ_FRAMES, SEQ_ROWS, &c.tape),
                     IRMAS_OK);
    /* tm_model opens the gates that carry state along; weights of one
     * scale instead make every path through the cell matter. */
    tu_rng rng;
    tu_seed(&rng, 5);
    layer_tensor weights[LAYER_MAX_TENSORS], grads[LAYER_MAX_TENSORS];
    int n = layer_tensors(l, weights);
    layer_tensors(&grad, grads);
    for (int j = 0; j < n; j++)
        tu_fill(&rng, *weights[j].data, weights[j].count, -0.8f, 0.8f);
    tu_fill(&rng, c.x, SEQ_FRAMES * SEQ_ROWS * SEQ_INPUTS, -1.5f, 1.5f);
    tu_fill(&rng, c.probe, SEQ_ROWS * c.outputs, -1, 1);
    /* Every cell but the blstm can start from a given state, as a CRNN's
     * does: h0 in (-1, 1) like the tanh layer that makes it. */
    float h0[SEQ_ROWS * SEQ_HIDDEN], dh0[SEQ_ROWS * SEQ_HIDDEN];
    if (kind != LAYER_BLSTM) {
        tu_fill(&rng, h0, SEQ_ROWS * SEQ_HIDDEN, -0.9f, 0.9f);
        c.h0 = h0;
    }

    seq_loss(&c);
    for (int r = 0; r < SEQ_ROWS; r++) {
        float expected[2 * SEQ_HIDDEN];
        engine_forward_row(l, c.x, r, c.h0, expected);
        ck_assert_float_le(tu_max_abs_diff(expected, c.out + r * c.outputs,
                                           c.outputs), 1e-5f);
    }
    bptt_backward_to(c.tape, c.x, SEQ_ROWS, c.probe, c.h0 ? dh0 : NULL);
    loss_fn f = {seq_loss, &c};
    for (int j = 0; j < n; j++)
        check_against_differences(weights[j].name, *weights[j].data,
                                  *grads[j].data, weights[j].count, f);
    if (c.h0) check_against_differences("h0", h0, dh0, SEQ_ROWS * SEQ_HIDDEN, f);
    bptt_free(c.tape);
    free(grad_buffer);
    irmas_model_free(c.m);
}

START_TEST(rnn_gradients) { check_recurrent(LAYER_RNN, 1); }
END_TEST

START_TEST(lstm_gradients) { check_recurrent(LAYER_LSTM, 1); }
END_TEST

START_TEST(gru_gradients) { check_recurrent(LAYER_GRU, 1); }
END_TEST

START_TEST(gru_original_gradients) { check_recurrent(LAYER_GRU, 0); }
END_TEST

START_TEST(blstm_gradients) { check_recurrent(LAYER_BLSTM, 1); }
END_TEST

/* ---- whole models ---------------------------------------------------- */

enum { NET_ROWS = 3, NET_FRAME = 40, NET_WINDOW = 400 }; /* 10 frames */

typedef struct {
    irmas_model *m;
    backprop *pass;
    float *x;      /* [frames][NET_ROWS][features], time-major */
    float *images; /* [NET_ROWS][image floats], or NULL */
    float *mask;
    float *embeddings; /* [NET_ROWS][embedding width], or NULL */
    loss_distill_params p; /* its weight */
    int labels[NET_ROWS];
} net_case;

static double net_loss(void *ctx)
{
    net_case *c = ctx;
    backprop_forward_images(c->pass, c->x, c->images, NET_ROWS, c->mask);
    return backprop_backward_distill(c->pass, c->x, c->labels, NULL, NULL,
                                     c->embeddings, &c->p, NET_ROWS,
                                     1.0f / NET_ROWS) / NET_ROWS;
}

/* The training forward without a mask gives what the engine's whole-window
 * classifier gives for each row. */
static void check_matches_engine(net_case *c)
{
    irmas_window *w;
    char err[256];
    ck_assert_msg(irmas_window_new(c->m, &w, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    int frames = model_frames(c->m), features = model_features(c->m);
    long pixels = image_floats(&c->m->image);
    const float *probs = backprop_forward_images(c->pass, c->x, c->images,
                                                 NET_ROWS, NULL);
    float *rows = malloc(((size_t)frames * features + 1) * sizeof(float));
    for (int r = 0; r < NET_ROWS; r++) {
        for (int t = 0; t < frames; t++)
            memcpy(rows + (long)t * features,
                   c->x + ((long)t * NET_ROWS + r) * features,
                   (size_t)features * sizeof(float));
        float expected[MODEL_MAX_CLASSES];
        irmas_window_classify_prepared(w, c->images ? c->images + r * pixels : NULL,
                                 frames ? rows : NULL, expected);
        ck_assert_float_le(tu_max_abs_diff(expected,
                                           probs + r * c->m->classes,
                                           c->m->classes), 1e-5f);
    }
    free(rows);
    irmas_window_free(w);
}

/* Checks every weight of m (5 classes) on random frames and images, with
 * dropout, and with an embedding matched at weight lambda on the head's
 * first layer when lambda > 0, then frees it. */
static void check_model_matching(irmas_model *m, uint64_t seed, float lambda)
{
    net_case c = {.m = m, .labels = {1, 4, 0},
                  .p = {.embedding_weight = lambda}};
    char err[256];
    ck_assert_msg(backprop_new(m, NET_ROWS, &c.pass, err, sizeof err) ==
                      IRMAS_OK, "%s", err);
    long frame_floats = (long)model_frames(m) * NET_ROWS * model_features(m);
    long pixels = (long)NET_ROWS * image_floats(&m->image);
    int width = backprop_mask_width(c.pass);
    c.x = malloc(((size_t)frame_floats + 1) * sizeof(float));
    c.images = model_reads_image(m) ? malloc((size_t)pixels * sizeof(float))
                                    : NULL;
    c.mask = malloc((size_t)NET_ROWS * width * sizeof(float));
    tu_rng rng;
    tu_seed(&rng, seed);
    tu_fill(&rng, c.x, frame_floats, -1, 1);
    if (c.images) tu_fill(&rng, c.images, pixels, 0, 1); /* as image.h's */
    check_matches_engine(&c);
    int dims = backprop_embedding_width(c.pass);
    if (lambda > 0.0f) {
        ck_assert_int_gt(dims, 0);
        ck_assert(backprop_keep_pre_activations(c.pass) == IRMAS_OK);
        c.embeddings = malloc((size_t)NET_ROWS * dims * sizeof(float));
        tu_fill(&rng, c.embeddings, (long)NET_ROWS * dims, -2, 2);
    }

    /* Dropout at p = 0.5: masks of 0 and 2. */
    for (int i = 0; i < NET_ROWS * width; i++)
        c.mask[i] = tu_uniform(&rng, 0, 1) < 0.5f ? 0.0f : 2.0f;
    if (c.embeddings) { /* the term counts: the loss is larger with it */
        float *kept = c.embeddings;
        c.embeddings = NULL;
        double without = net_loss(&c);
        c.embeddings = kept;
        ck_assert(net_loss(&c) > without + 1e-3);
    }
    net_loss(&c);
    long params = model_parameters(m);
    float *grads = malloc((size_t)params * sizeof(float));
    memcpy(grads, backprop_grads(c.pass), (size_t)params * sizeof(float));
    check_against_differences("model", m->arena, grads, params,
                              (loss_fn){net_loss, &c});
    free(grads);
    free(c.x);
    free(c.images);
    free(c.mask);
    free(c.embeddings);
    backprop_free(c.pass);
    irmas_model_free(m);
}

static void check_model(irmas_model *m, uint64_t seed)
{
    check_model_matching(m, seed, 0.0f);
}

START_TEST(model_gradients)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, NET_FRAME, 6);
    spec.window_samples = NET_WINDOW;
    check_model(tm_model(&spec), 9);
}
END_TEST

/* A small image branch on 8 x 8 images of 2 channels: 3 filters 3 x 3
 * (to 6 x 6) and a 2 x 2 pool (3 x 3), 4 filters 2 x 2 (2 x 2) and a
 * 2 x 2 pool (1 x 1), then a 5-unit dense layer. Two blocks, so that the
 * gradient also passes through a convolution to the layers before it. */
static const cnn_zoo_arch tiny_cnn = {
    "tiny", 2, {{3, 3, 1, 2, 2}, {4, 2, 1, 2, 2}}, 5, IMAGE_MRP, 8};

/* A raw-front-end LSTM network of 5 classes over 10 frames, on which the
 * tests below change what makes each shape. */
static network_spec tiny_spec(void)
{
    network_spec s = {
        .sample_rate = 8000, .window_samples = NET_WINDOW,
        .frontend = {.kind = FRONTEND_RAW, .frame = NET_FRAME},
        .norm = NORM_PEAK, .cell = LAYER_LSTM, .gru_reset_after = 1,
        .hidden = 6, .classes = 5,
        .image = {.kind = IMAGE_MRP, .size = 8, .channels = 2}};
    for (int c = 0; c < s.classes; c++)
        snprintf(s.labels[c], MODEL_LABEL_MAX, "c%d", c);
    return s;
}

/* The network with the trainer's initial weights, biases included made
 * non-zero so that their gradients are tested at a general point. */
static irmas_model *tiny_model(const network_spec *s, uint64_t seed)
{
    irmas_model *m;
    char err[256];
    ck_assert_msg(network_build(s, &m, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    rng r;
    rng_seed(&r, seed);
    network_init(m, &r);
    tu_rng noise;
    tu_seed(&noise, seed);
    for (long i = 0; i < model_parameters(m); i++)
        m->arena[i] += tu_uniform(&noise, -0.1f, 0.1f);
    return m;
}

START_TEST(stats_model_gradients)
{
    network_spec s = tiny_spec();
    s.frontend = (frontend_params){.kind = FRONTEND_LOGMEL, .frame = 32,
                                   .fft_size = 64, .mels = 6, .fmax = 4000};
    s.stats = 1;
    s.dense = 4;
    irmas_model *m = tiny_model(&s, 21);
    ck_assert_int_eq(m->layers[0].kind, LAYER_STATS);
    check_model(m, 21);
}
END_TEST

START_TEST(cnn_model_gradients)
{
    network_spec s = tiny_spec();
    s.frontend = (frontend_params){0};
    s.cnn = &tiny_cnn;
    irmas_model *m = tiny_model(&s, 23);
    ck_assert(!model_reads_frames(m));
    check_model(m, 23);
}
END_TEST

/* The embedding term: on a CNN's hidden layer (4 units) at two weights,
 * and its loss as loss.h writes it. */
START_TEST(embedding_matching_gradients)
{
    network_spec s = tiny_spec();
    s.frontend = (frontend_params){0};
    s.cnn = &tiny_cnn;
    s.dense = 4;
    check_model_matching(tiny_model(&s, 29), 29, 0.5f);
    check_model_matching(tiny_model(&s, 31), 31, 3.0f);

    float z[2][3] = {{1, 2, 3}, {0, -1, 4}}, e[2][3] = {{1, 0, 3}, {2, 1, 1}};
    float dz[2][3] = {{0}};
    /* rows: (0 + 4 + 0) / 3 and (4 + 4 + 9) / 3, times 0.5 */
    double loss = loss_embedding(&z[0][0], &e[0][0], 2, 3, 0.5f, 0.25f,
                                 &dz[0][0]);
    ck_assert(fabs(loss - 0.5 * 21.0 / 3.0) < 1e-6);
    /* scale 0.25 * lambda 0.5 * 2 (z - e) / 3 */
    ck_assert(fabsf(dz[0][1] - 0.25f * 0.5f * 2.0f * 2.0f / 3.0f) < 1e-7f);
    ck_assert(fabsf(dz[1][2] - 0.25f * 0.5f * 2.0f * 3.0f / 3.0f) < 1e-7f);
}
END_TEST

START_TEST(crnn_model_gradients)
{
    static const layer_kind cells[] = {LAYER_RNN, LAYER_LSTM, LAYER_GRU};
    network_spec s = tiny_spec();
    s.cnn = &tiny_cnn;
    s.cell = cells[_i];
    /* Four frames: over ten, too little of the initial state reaches the
     * output (an rnn's most of all) for the branch's gradients to stand
     * out of the float rounding the check allows for. */
    s.window_samples = 4 * NET_FRAME;
    irmas_model *m = tiny_model(&s, 27);
    int branch_end = model_image_end(m);
    ck_assert_int_eq(m->layers[branch_end].kind, cells[_i]);
    ck_assert_int_eq(m->layers[branch_end - 1].u.dense.act, ACT_TANH);
    check_model(m, 27);
}
END_TEST

START_TEST(model_with_two_recurrent_layers_is_refused)
{
    tm_spec spec = tm_raw_spec(LAYER_GRU, NET_FRAME, 4);
    spec.recurrent = 2;
    spec.kinds[1] = LAYER_LSTM;
    spec.hidden[1] = 3;
    irmas_model *m = tm_model(&spec);
    backprop *pass;
    char err[256] = "";
    ck_assert_int_eq(backprop_new(m, 2, &pass, err, sizeof err),
                     IRMAS_ERR_UNSUPPORTED);
    ck_assert_ptr_null(pass);
    ck_assert_ptr_nonnull(strstr(err, "2 recurrent layers"));
    irmas_model_free(m);
}
END_TEST

/* ---- the optimiser --------------------------------------------------- */

START_TEST(adam_matches_hand_computation)
{
    adam a;
    ck_assert_int_eq(adam_init(&a, 2, 0.1), IRMAS_OK);
    float w[2] = {1.0f, 1.0f};
    /* Step 1, g = (0.5, -2): m = 0.1 g, v = 0.001 g^2; corrected, m/(1-0.9)
     * = g and v/(1-0.999) = g^2, so each weight moves lr * sign(g). */
    float g1[2] = {0.5f, -2.0f};
    adam_step(&a, w, g1);
    ck_assert_float_eq_tol(w[0], 0.9f, 1e-6f);
    ck_assert_float_eq_tol(w[1], 1.1f, 1e-6f);
    /* Step 2, g = (0.5, 1): for the second weight m = 0.9 (-0.2) + 0.1 =
     * -0.08, v = 0.999 (0.004) + 0.001 = 0.004996; corrected by 0.19 and
     * 0.001999: -0.4210526 and 2.4992496, so it moves
     * 0.1 * 0.4210526 / sqrt(2.4992496) = 0.0266342. The first sees the
     * same gradient again and moves lr once more. */
    float g2[2] = {0.5f, 1.0f};
    adam_step(&a, w, g2);
    ck_assert_float_eq_tol(w[0], 0.8f, 2e-6f);
    ck_assert_float_eq_tol(w[1], 1.1f + 0.0266342f, 2e-6f);
    ck_assert_int_eq(a.step, 2);
    adam_free(&a);
}
END_TEST

START_TEST(clipping_scales_to_the_norm)
{
    float g[2] = {3.0f, 4.0f};
    ck_assert_float_eq_tol((float)adam_clip_norm(g, 2, 1.0), 5.0f, 1e-6f);
    ck_assert_float_eq_tol(g[0], 0.6f, 1e-6f);
    ck_assert_float_eq_tol(g[1], 0.8f, 1e-6f);
    float small[2] = {0.3f, 0.4f};
    adam_clip_norm(small, 2, 1.0);
    ck_assert_float_eq(small[0], 0.3f); /* within the limit: untouched */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grad");
    TCase *layers = tcase_create("layers");
    tcase_set_timeout(layers, 60);
    tcase_add_loop_test(layers, dense_gradients, 0, 5);
    tcase_add_test(layers, softmax_cross_entropy);
    tcase_add_test(layers, distillation_loss);
    tcase_add_test(layers, mixup_loss_matches);
    tcase_add_test(layers, rnn_gradients);
    tcase_add_test(layers, lstm_gradients);
    tcase_add_test(layers, gru_gradients);
    tcase_add_test(layers, gru_original_gradients);
    tcase_add_test(layers, blstm_gradients);
    tcase_add_test(layers, model_gradients);
    tcase_add_test(layers, stats_model_gradients);
    tcase_add_test(layers, cnn_model_gradients);
    tcase_add_test(layers, embedding_matching_gradients);
    tcase_add_loop_test(layers, crnn_model_gradients, 0, 3);
    tcase_add_test(layers, model_with_two_recurrent_layers_is_refused);
    suite_add_tcase(s, layers);
    TCase *optimiser = tcase_create("optimiser");
    tcase_add_test(optimiser, adam_matches_hand_computation);
    tcase_add_test(optimiser, clipping_scales_to_the_norm);
    suite_add_tcase(s, optimiser);
    return tu_run(s);
}
