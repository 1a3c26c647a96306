/* backprop.c: a model's training pass (see backprop.h).
 *
 * Forward: the recurrent layer through bptt.h, the dropout mask, then the
 * dense layers with the engine's dense_forward, each layer's output kept
 * for backward. Backward starts from the loss's gradient at the softmax's
 * input (loss.h) and walks the dense layers back (dense_grad.h), leaving
 * dL/d(recurrent output), which bptt takes through time.
 *
 * The gradient vector is mirrored as layers: copies of the model's layers
 * whose tensors point into the vector at the offsets the model's tensors
 * have in its arena, so each backward function fills its own layer's
 * gradients in place.
 */
#include "backprop.h"

#include "bptt.h"
#include "dense_grad.h"
#include "loss.h"

#include <stdlib.h>
#include <string.h>

struct backprop {
    const model *m;
    layer grads[MODEL_MAX_LAYERS]; /* the model's layers over grad */
    float *grad;                   /* [params] */
    long params;
    bptt *recurrent;
    int max_batch, mask_width, widest;
    const float *mask;                   /* the last forward's, or NULL */
    float *recurrent_out;                /* [batch][mask_width] */
    float *outputs[MODEL_MAX_LAYERS];    /* dense layer i: [batch][outputs] */
    float *dy[2];                        /* [batch][widest], taking turns */
};

/* Points grads[i]'s tensors into b->grad where m's sit in its arena. */
static void backprop_mirror(backprop *b)
{
    const model *m = b->m;
    for (int i = 0; i < m->n_layers; i++) {
        layer weights = m->layers[i];
        layer_tensor w[LAYER_MAX_TENSORS], g[LAYER_MAX_TENSORS];
        b->grads[i] = weights;
        int n = layer_tensors(&weights, w);
        layer_tensors(&b->grads[i], g);
        for (int j = 0; j < n; j++)
            *g[j].data = b->grad + (*w[j].data - m->arena);
    }
}

static irmas_status backprop_check(const model *m, char *err, size_t errlen)
{
    irmas_status status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) return status;
    if (model_head_start(m) != 1)
        return status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                           "the model has %d recurrent layers; training "
                           "handles models with exactly one",
                           model_head_start(m));
    return IRMAS_OK;
}

/* The widest row any gradient between the layers needs. */
static int backprop_widest(const model *m)
{
    int widest = 0;
    for (int i = 0; i < m->n_layers; i++) {
        int out = layer_outputs(&m->layers[i]);
        if (out > widest) widest = out;
    }
    return widest;
}

static irmas_status backprop_alloc(backprop *b)
{
    const model *m = b->m;
    long rows = b->max_batch;
    int failed = 0;
    b->grad = calloc((size_t)b->params, sizeof *b->grad);
    b->recurrent_out = calloc((size_t)(rows * b->mask_width), sizeof(float));
    failed |= !b->grad || !b->recurrent_out;
    for (int i = 1; i < m->n_layers; i++) {
        b->outputs[i] = calloc((size_t)(rows * layer_outputs(&m->layers[i])),
                               sizeof(float));
        failed |= !b->outputs[i];
    }
    for (int i = 0; i < 2; i++) {
        b->dy[i] = calloc((size_t)(rows * b->widest), sizeof(float));
        failed |= !b->dy[i];
    }
    if (failed) return IRMAS_ERR_NOMEM;
    backprop_mirror(b);
    return bptt_new(&m->layers[0], &b->grads[0], model_frames(m),
                    b->max_batch, &b->recurrent);
}

irmas_status backprop_new(const model *m, int max_batch, backprop **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    irmas_status status = backprop_check(m, err, errlen);
    if (status != IRMAS_OK) return status;
    backprop *b = calloc(1, sizeof *b);
    if (!b) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory for a training pass");
    b->m = m;
    b->max_batch = max_batch;
    b->params = model_parameters(m);
    b->mask_width = layer_outputs(&m->layers[0]);
    b->widest = backprop_widest(m);
    status = backprop_alloc(b);
    if (status != IRMAS_OK) {
        backprop_delete(b);
        return status_fail(err, errlen, status,
                           "out of memory for the tapes of %d windows of %d "
                           "frames; lower --batch or --threads",
                           max_batch, model_frames(m));
    }
    *out = b;
    return IRMAS_OK;
}

void backprop_delete(backprop *b)
{
    if (!b) return;
    bptt_delete(b->recurrent);
    for (int i = 0; i < MODEL_MAX_LAYERS; i++) free(b->outputs[i]);
    free(b->dy[0]);
    free(b->dy[1]);
    free(b->recurrent_out);
    free(b->grad);
    free(b);
}

const float *backprop_grads(const backprop *b) { return b->grad; }

int backprop_mask_width(const backprop *b) { return b->mask_width; }

const float *backprop_forward(backprop *b, const float *x, int batch,
                              const float *mask)
{
    const model *m = b->m;
    long n = (long)batch * b->mask_width;
    bptt_forward(b->recurrent, x, batch, b->recurrent_out);
    if (mask)
        for (long i = 0; i < n; i++) b->recurrent_out[i] *= mask[i];
    b->mask = mask;
    const float *in = b->recurrent_out;
    for (int i = 1; i < m->n_layers; i++) {
        dense_forward(&m->layers[i].u.dense, in, b->outputs[i], batch);
        in = b->outputs[i];
    }
    return in;
}

double backprop_backward(backprop *b, const float *x, const int *labels,
                         int batch, float scale)
{
    const model *m = b->m;
    int last = m->n_layers - 1;
    memset(b->grad, 0, (size_t)b->params * sizeof *b->grad);
    float *d = b->dy[0], *next = b->dy[1];
    double loss = loss_softmax_xent(b->outputs[last], labels, batch,
                                    m->classes, scale, d);
    for (int i = last; i >= 1; i--) {
        const dense_layer *l = &m->layers[i].u.dense;
        const float *in = i == 1 ? b->recurrent_out : b->outputs[i - 1];
        if (i < last)
            dense_grad_activation(l->act, b->outputs[i], d, d, batch,
                                  l->outputs);
        dense_grad_affine(l, &b->grads[i].u.dense, in, d, next, batch);
        float *swap = d;
        d = next;
        next = swap;
    }
    if (b->mask)
        for (long i = 0; i < (long)batch * b->mask_width; i++)
            d[i] *= b->mask[i];
    bptt_backward(b->recurrent, x, batch, d);
    return loss;
}
