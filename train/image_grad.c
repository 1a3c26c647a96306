/* image_grad.c: training the conv2d and max-pool layers of an image
 * branch (see image_grad.h).
 *
 * The engine's layers do the arithmetic (conv2d.h's im2col products and
 * their transposes, pool.h's argmax routing); this file keeps the tapes
 * between them: every layer's output for the whole batch, and each pool's
 * argmax. One conv2d work buffer serves every layer, forward and
 * backward, since the layers run one image at a time.
 */
#include "image_grad.h"

#include "model.h"

#include <stdlib.h>
#include <string.h>

struct image_grad {
    const layer *layers;
    layer *grads;
    int n, max_batch;
    float *outputs[MODEL_MAX_LAYERS]; /* [max_batch][layer outputs] */
    int *argmax[MODEL_MAX_LAYERS];    /* pools: [max_batch][outputs] */
    float *work;                      /* the largest conv2d_work_size */
    float *d[2]; /* one image's gradient between layers, taking turns */
};

static long image_grad_work(const layer *layers, int n)
{
    long work = 0;
    for (int i = 0; i < n; i++)
        if (layers[i].kind == LAYER_CONV2D &&
            conv2d_work_size(&layers[i].u.conv2d) > work)
            work = conv2d_work_size(&layers[i].u.conv2d);
    return work;
}

/* The widest image between two layers. */
static long image_grad_widest(const layer *layers, int n)
{
    long widest = 0;
    for (int i = 0; i < n; i++) {
        long out = layer_outputs(&layers[i]);
        if (out > widest) widest = out;
    }
    return widest;
}

static irmas_status image_grad_alloc(image_grad *g)
{
    int failed = 0;
    for (int i = 0; i < g->n; i++) {
        size_t floats = (size_t)g->max_batch * layer_outputs(&g->layers[i]);
        g->outputs[i] = malloc(floats * sizeof(float));
        failed |= !g->outputs[i];
        if (g->layers[i].kind != LAYER_MAXPOOL) continue;
        g->argmax[i] = malloc(floats * sizeof(int));
        failed |= !g->argmax[i];
    }
    long widest = image_grad_widest(g->layers, g->n);
    g->work = malloc(((size_t)image_grad_work(g->layers, g->n) + 1) *
                     sizeof(float));
    g->d[0] = malloc((size_t)widest * sizeof(float));
    g->d[1] = malloc((size_t)widest * sizeof(float));
    failed |= !g->work || !g->d[0] || !g->d[1];
    return failed ? IRMAS_ERR_NOMEM : IRMAS_OK;
}

irmas_status image_grad_new(const layer *layers, layer *grads, int n,
                            int max_batch, image_grad **out)
{
    *out = NULL;
    if (n < 1 || n > MODEL_MAX_LAYERS || max_batch < 1) return IRMAS_ERR_ARG;
    for (int i = 0; i < n; i++)
        if (!layer_reads_image(&layers[i])) return IRMAS_ERR_ARG;
    image_grad *g = calloc(1, sizeof *g);
    if (!g) return IRMAS_ERR_NOMEM;
    *g = (image_grad){.layers = layers, .grads = grads, .n = n,
                      .max_batch = max_batch};
    irmas_status status = image_grad_alloc(g);
    if (status != IRMAS_OK) {
        image_grad_free(g);
        return status;
    }
    *out = g;
    return IRMAS_OK;
}

void image_grad_free(image_grad *g)
{
    if (!g) return;
    for (int i = 0; i < g->n; i++) {
        free(g->outputs[i]);
        free(g->argmax[i]);
    }
    free(g->work);
    free(g->d[0]);
    free(g->d[1]);
    free(g);
}

int image_grad_outputs(const image_grad *g)
{
    return layer_outputs(&g->layers[g->n - 1]);
}

const float *image_grad_forward(image_grad *g, const float *images,
                                int batch)
{
    const float *in = images;
    for (int i = 0; i < g->n; i++) {
        const layer *l = &g->layers[i];
        if (l->kind == LAYER_CONV2D)
            conv2d_forward(&l->u.conv2d, in, g->outputs[i], batch, g->work);
        else
            pool_forward(&l->u.pool, in, g->outputs[i], batch, g->argmax[i]);
        in = g->outputs[i];
    }
    return in;
}

/* Takes image r's gradient d at layer i's output back to its input, into
 * din (NULL for the first layer), adding the layer's weight gradients. */
static void image_grad_layer(image_grad *g, int i, const float *images,
                             int r, float *d, float *din)
{
    const layer *l = &g->layers[i];
    long outputs = layer_outputs(l), inputs = layer_inputs(l);
    const float *in = i == 0 ? images + r * inputs
                             : g->outputs[i - 1] + r * inputs;
    if (l->kind == LAYER_CONV2D) {
        conv2d_layer *grad = &g->grads[i].u.conv2d;
        conv2d_backward(&l->u.conv2d, in, g->outputs[i] + r * outputs, d, din,
                        grad->weights, grad->bias, g->work);
    } else if (din) {
        pool_backward(&l->u.pool, d, g->argmax[i] + r * outputs, din);
    }
}

void image_grad_backward(image_grad *g, const float *images, int batch,
                         const float *dout)
{
    long outputs = image_grad_outputs(g);
    for (int r = 0; r < batch; r++) {
        float *d = g->d[0], *din = g->d[1];
        memcpy(d, dout + r * outputs, (size_t)outputs * sizeof *d);
        for (int i = g->n - 1; i >= 0; i--) {
            image_grad_layer(g, i, images, r, d, i > 0 ? din : NULL);
            float *swap = d;
            d = din;
            din = swap;
        }
    }
}
