/* backprop.c: a model's training pass (see backprop.h).
 *
 * The layers fall into the parts model.h names, and the pass walks them in
 * order:
 *   image layers   [0, conv_end): conv2d and max-pool, through image_grad.h;
 *   branch dense   [conv_end, image_end): a CRNN's dense layers, whose last
 *                  output is the recurrent layer's initial h;
 *   frame layer    image_end, when below head_start: a recurrent layer
 *                  through bptt.h, or a stats layer;
 *   head           [head_start, n_layers): dense layers, entered through the
 *                  dropout mask.
 * Dense layers run with the engine's dense_forward, each one's output kept
 * for backward. Backward starts from the loss's gradient at the softmax's
 * input (loss.h) and walks back through the same parts (dense_grad.h,
 * bptt.h, image_grad.h), the gradient between dense layers taking turns
 * in two buffers. It stops where nothing before can learn: a stats layer
 * reads the frames and has no weights, so its input gradient (stats.h)
 * would go nowhere.
 *
 * The gradient vector is mirrored as layers: copies of the model's layers
 * whose tensors point into the vector at the offsets the model's tensors
 * have in its arena, so each backward function fills its own layer's
 * gradients in place.
 */
#include "backprop.h"

#include "bptt.h"
#include "dense_grad.h"
#include "image_grad.h"
#include "loss.h"

#include <stdlib.h>
#include <string.h>

struct backprop {
    const irmas_model *m;
    layer grads[MODEL_MAX_LAYERS]; /* the model's layers over grad */
    float *grad;                   /* [params] */
    long params;
    int conv_end, image_end, head_start; /* the parts, as above */
    image_grad *image;                   /* the image layers, or NULL */
    bptt *recurrent;                     /* a recurrent frame layer, or NULL */
    int max_batch, mask_width, widest;
    const float *images;              /* the last forward's, or NULL */
    const float *image_out;           /* the image layers' output */
    const float *mask;                /* the last forward's, or NULL */
    float *frames;                    /* stats: one window's frames */
    float *head_in;                   /* [batch][mask_width], masked */
    float *head_pre;                  /* [batch][embedding_width]: the
                                         head's first layer before its
                                         activation, or NULL: not kept
                                         (backprop_keep_pre_activations) */
    int embedding_width;              /* backprop_embedding_width */
    const float *embeddings;          /* this backward's, or NULL */
    float embedding_weight, scale;    /* this backward's */
    double embedding_loss;            /* what loss_embedding returned */
    float *outputs[MODEL_MAX_LAYERS]; /* dense and frame layers:
                                         [batch][outputs] */
    float *dy[2];                     /* [batch][widest], taking turns */
};

/* Points grads[i]'s tensors into b->grad where m's sit in its arena. */
static void backprop_mirror(backprop *b)
{
    const irmas_model *m = b->m;
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

static irmas_status backprop_check(const irmas_model *m, char *err, size_t errlen)
{
    irmas_status status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) return status;
    int frame_layers = model_head_start(m) - model_image_end(m);
    if (frame_layers > 1)
        return status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                           "the model has %d recurrent layers; training "
                           "handles models with at most one", frame_layers);
    return IRMAS_OK;
}

/* The widest row a dense layer reads or writes: every gradient between
 * the layers fits in it. */
static int backprop_widest(const irmas_model *m)
{
    int widest = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const layer *l = &m->layers[i];
        if (l->kind != LAYER_DENSE) continue;
        if (l->u.dense.inputs > widest) widest = l->u.dense.inputs;
        if (l->u.dense.outputs > widest) widest = l->u.dense.outputs;
    }
    return widest;
}

static float *rows_alloc(long rows, long width, int *failed)
{
    float *p = calloc((size_t)(rows * width), sizeof *p);
    if (!p) *failed = 1;
    return p;
}

/* The tapes of the frame layer, if any: bptt's for a recurrent one, one
 * window's frames for stats. */
static irmas_status backprop_frame_layer(backprop *b)
{
    const irmas_model *m = b->m;
    if (b->image_end == b->head_start) return IRMAS_OK;
    const layer *l = &m->layers[b->image_end];
    if (layer_is_recurrent(l))
        return bptt_new(l, &b->grads[b->image_end], model_frames(m),
                        b->max_batch, &b->recurrent);
    b->frames = malloc((size_t)model_frames(m) * model_features(m) *
                       sizeof *b->frames);
    return b->frames ? IRMAS_OK : IRMAS_ERR_NOMEM;
}

static irmas_status backprop_alloc(backprop *b)
{
    const irmas_model *m = b->m;
    long rows = b->max_batch;
    int failed = 0;
    b->grad = rows_alloc(1, b->params + 1, &failed);
    b->head_in = rows_alloc(rows, b->mask_width, &failed);
    for (int i = b->conv_end; i < m->n_layers; i++)
        b->outputs[i] = rows_alloc(rows, layer_outputs(&m->layers[i]),
                                   &failed);
    for (int i = 0; i < 2; i++) b->dy[i] = rows_alloc(rows, b->widest, &failed);
    if (failed) return IRMAS_ERR_NOMEM;
    backprop_mirror(b);
    irmas_status status = backprop_frame_layer(b);
    if (status == IRMAS_OK && b->conv_end > 0)
        status = image_grad_new(m->layers, b->grads, b->conv_end,
                                b->max_batch, &b->image);
    return status;
}

irmas_status backprop_new(const irmas_model *m, int max_batch, backprop **out,
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
    while (b->conv_end < m->n_layers &&
           layer_reads_image(&m->layers[b->conv_end]))
        b->conv_end++;
    b->image_end = model_image_end(m);
    b->head_start = model_head_start(m);
    b->mask_width = layer_inputs(&m->layers[b->head_start]);
    if (b->head_start < m->n_layers - 1)
        b->embedding_width = layer_outputs(&m->layers[b->head_start]);
    b->widest = backprop_widest(m);
    status = backprop_alloc(b);
    if (status != IRMAS_OK) {
        backprop_free(b);
        return status_fail(err, errlen, status,
                           "out of memory for the tapes of %d windows; "
                           "lower --batch, raise --threads or use a "
                           "smaller --image-size", max_batch);
    }
    *out = b;
    return IRMAS_OK;
}

void backprop_free(backprop *b)
{
    if (!b) return;
    image_grad_free(b->image);
    bptt_free(b->recurrent);
    for (int i = 0; i < MODEL_MAX_LAYERS; i++) free(b->outputs[i]);
    free(b->dy[0]);
    free(b->dy[1]);
    free(b->head_in);
    free(b->head_pre);
    free(b->frames);
    free(b->grad);
    free(b);
}

const float *backprop_grads(const backprop *b) { return b->grad; }

int backprop_mask_width(const backprop *b) { return b->mask_width; }

int backprop_embedding_width(const backprop *b) { return b->embedding_width; }

irmas_status backprop_keep_pre_activations(backprop *b)
{
    if (b->embedding_width == 0) return IRMAS_ERR_UNSUPPORTED;
    if (b->head_pre) return IRMAS_OK;
    int failed = 0;
    b->head_pre = rows_alloc(b->max_batch, b->embedding_width, &failed);
    return failed ? IRMAS_ERR_NOMEM : IRMAS_OK;
}

/* ---- forward ---------------------------------------------------------- */

/* Runs the dense layers [from, to) on in[batch][...]; returns the last
 * one's output (in itself when there are none). The head's first hidden
 * layer keeps its pre-activations too when asked to, for loss_embedding. */
static const float *dense_chain_forward(backprop *b, int from, int to,
                                        const float *in, int batch)
{
    for (int i = from; i < to; i++) {
        const dense_layer *l = &b->m->layers[i].u.dense;
        if (i == b->head_start && b->head_pre) {
            dense_layer affine = *l;
            affine.act = ACT_NONE;
            dense_forward(&affine, in, b->head_pre, batch);
            memcpy(b->outputs[i], b->head_pre,
                   (size_t)batch * l->outputs * sizeof *b->head_pre);
            activation_apply(l->act, b->outputs[i], batch, l->outputs);
        } else {
            dense_forward(l, in, b->outputs[i], batch);
        }
        in = b->outputs[i];
    }
    return in;
}

/* The stats layer on each window of x, which is time-major: a window's
 * frames are gathered into one block first, as stats_forward reads them. */
static void stats_rows(backprop *b, const float *x, int batch, float *out)
{
    const stats_layer *l = &b->m->layers[b->image_end].u.stats;
    int frames = model_frames(b->m), features = l->inputs;
    for (int r = 0; r < batch; r++) {
        for (int t = 0; t < frames; t++)
            memcpy(b->frames + (long)t * features,
                   x + ((long)t * batch + r) * features,
                   (size_t)features * sizeof *x);
        stats_forward(l, b->frames, frames, out + (long)r * 2 * features);
    }
}

/* The frame layer over x, a recurrent one from h0 (NULL: zeros). */
static const float *frame_forward(backprop *b, const float *x,
                                  const float *h0, int batch)
{
    float *out = b->outputs[b->image_end];
    if (b->recurrent)
        bptt_forward_from(b->recurrent, x, batch, h0, out);
    else
        stats_rows(b, x, batch, out);
    return out;
}

const float *backprop_forward_images(backprop *b, const float *x,
                                     const float *images, int batch,
                                     const float *mask)
{
    const float *in = NULL;
    if (b->image) {
        b->image_out = image_grad_forward(b->image, images, batch);
        in = dense_chain_forward(b, b->conv_end, b->image_end, b->image_out,
                                 batch);
    }
    if (b->image_end < b->head_start) in = frame_forward(b, x, in, batch);
    long n = (long)batch * b->mask_width;
    for (long i = 0; i < n; i++)
        b->head_in[i] = mask ? in[i] * mask[i] : in[i];
    b->images = images;
    b->mask = mask;
    return dense_chain_forward(b, b->head_start, b->m->n_layers, b->head_in,
                               batch);
}

const float *backprop_forward(backprop *b, const float *x, int batch,
                              const float *mask)
{
    return backprop_forward_images(b, x, NULL, batch, mask);
}

/* ---- backward --------------------------------------------------------- */

static float *other_buffer(backprop *b, const float *d)
{
    return d == b->dy[0] ? b->dy[1] : b->dy[0];
}

/* Takes d = dL/d(output of layer to - 1) back through the dense layers
 * [from, to), which read in[batch][...] at the first, adding their weight
 * gradients. Returns the buffer holding dL/d(in), or NULL when want_dx is
 * 0 (nothing before the layers learns). The softmax ending the model gets
 * dL/d(logits) from the loss, so its activation is skipped. With this
 * backward's embeddings, the head's first layer also gets loss_embedding's
 * gradient at its pre-activations. */
static float *dense_chain_backward(backprop *b, int from, int to,
                                   const float *in, float *d, int batch,
                                   int want_dx)
{
    int last = b->m->n_layers - 1;
    for (int i = to - 1; i >= from; i--) {
        const dense_layer *l = &b->m->layers[i].u.dense;
        if (i < last)
            dense_grad_activation(l->act, b->outputs[i], d, d, batch,
                                  l->outputs);
        if (i == b->head_start && b->embeddings)
            b->embedding_loss = loss_embedding(b->head_pre, b->embeddings,
                                               batch, l->outputs,
                                               b->embedding_weight, b->scale,
                                               d);
        float *dx = i > from || want_dx ? other_buffer(b, d) : NULL;
        dense_grad_affine(l, &b->grads[i].u.dense,
                          i == from ? in : b->outputs[i - 1], d, dx, batch);
        d = dx;
    }
    return d;
}

double backprop_backward(backprop *b, const float *x, const int *labels,
                         int batch, float scale)
{
    return backprop_backward_distill(b, x, labels, NULL, NULL, NULL, NULL,
                                     batch, scale);
}

double backprop_backward_distill(backprop *b, const float *x,
                                 const int *labels, const loss_mixup *mix,
                                 const float *targets,
                                 const float *embeddings,
                                 const loss_distill_params *p, int batch,
                                 float scale)
{
    const irmas_model *m = b->m;
    memset(b->grad, 0, (size_t)b->params * sizeof *b->grad);
    float *d = b->dy[0];
    double loss = loss_distill(b->outputs[m->n_layers - 1], labels, mix,
                               targets, batch, m->classes, p, scale, d);
    int learns_below = b->recurrent || b->image;
    b->embeddings = b->head_pre && p ? embeddings : NULL;
    b->embedding_weight = p ? p->embedding_weight : 0.0f;
    b->scale = scale;
    b->embedding_loss = 0.0;
    d = dense_chain_backward(b, b->head_start, m->n_layers, b->head_in, d,
                             batch, learns_below);
    loss += b->embedding_loss;
    b->embeddings = NULL;
    if (!learns_below) return loss;
    if (b->mask)
        for (long i = 0; i < (long)batch * b->mask_width; i++)
            d[i] *= b->mask[i];
    if (b->recurrent) {
        float *dh0 = b->image ? other_buffer(b, d) : NULL;
        bptt_backward_to(b->recurrent, x, batch, d, dh0);
        d = dh0;
    }
    if (!b->image) return loss;
    d = dense_chain_backward(b, b->conv_end, b->image_end, b->image_out, d,
                             batch, 1);
    image_grad_backward(b->image, b->images, batch, d);
    return loss;
}
