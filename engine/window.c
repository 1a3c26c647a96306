/* window.c: the whole-window forward pass (see window.h).
 *
 * A window goes through the model exactly as model.h describes it: a
 * normalised copy of the samples, then its two readings of them, then the
 * head.
 *   image branch  the image builder's picture of the samples, then the
 *                 conv2d, maxpool and dense layers before the frame layers,
 *                 each writing into one of two buffers in turn (no layer
 *                 can write over its input). A conv2d that winograd_suits
 *                 (3 x 3, stride 1, enough channels and pixels) goes
 *                 through winograd.h, its filters transformed once in
 *                 irmas_window_new; any other through conv2d.h;
 *   frame layers  the front-end's frames, standardised. Each rnn, lstm or
 *                 gru layer projects its frames in matrix products of
 *                 gemm_affine_chunk frames (or all at once) and steps a
 *                 single state through each before the next (its W_x and W_h
 *                 packed once, in irmas_window_new: gemm.h), from zero or, in
 *                 a CRNN's first recurrent layer, from h = the branch's
 *                 output (an LSTM's c still starts at 0); a layer that
 *                 feeds another keeps its h at every frame as that layer's
 *                 input sequence, the last one hands on only its final h. A
 *                 blstm (always the last) runs whole, and so does a stats
 *                 layer (always alone).
 * The head reads the frame layers' output or, in a plain CNN, the branch's.
 *
 * irmas_window_new sizes every buffer for the largest layer and takes them all
 * from one allocation, so irmas_window_classify never allocates.
 */
#include "window.h"

#include "gemm.h"
#include "reader.h"
#include "recurrent.h"
#include "winograd.h"

#include <stdlib.h>
#include <string.h>

struct irmas_window {
    const irmas_model *m;
    reader *reader;       /* the window's frames and image */
    int frames, features;
    int image_end, head;  /* the parts, from model.h */
    float *pixels;  /* [image_floats]: the image built from it */
    float *branch[2]; /* the image branch's layers' outputs, in turn */
    float *conv;    /* the largest conv2d's work space */
    float *winograd[MODEL_MAX_LAYERS]; /* a conv2d's transformed filters,
                                        * where winograd_suits it */
    float *packed[MODEL_MAX_LAYERS]; /* a cell's W_h and W_x, packed (gemm.h) */
    float *feats;   /* [frames][features] */
    float *seq[2];  /* [frames][widest output]: stacked layers' sequences */
    float *xproj;   /* [frames][largest projection] */
    float *state;   /* largest state of one row */
    float *work;    /* largest step or blstm work space */
    float *final;   /* a blstm's or a stats layer's output */
    float *head_scratch; /* model_head's scratch */
    float *block;   /* owns all of the above */
};

/* The sizes irmas_window_new needs, over every layer of each part. */
typedef struct {
    long branch, conv;                /* image branch */
    long seq, xproj, state, work;     /* frame layers */
} window_sizes;

static long longest(long a, long b) { return a > b ? a : b; }

static void window_measure_branch(const irmas_window *w, window_sizes *z)
{
    for (int i = 0; i < w->image_end; i++) {
        const layer *l = &w->m->layers[i];
        z->branch = longest(z->branch, layer_outputs(l));
        if (l->kind != LAYER_CONV2D) continue;
        const conv2d_layer *conv = &l->u.conv2d;
        z->conv = longest(z->conv, winograd_suits(conv)
                                       ? winograd_work_floats(conv)
                                       : conv2d_work_size(conv));
    }
}

static void window_measure_frames(const irmas_window *w, window_sizes *z)
{
    for (int i = w->image_end; i < w->head; i++) {
        const layer *l = &w->m->layers[i];
        long work = l->kind == LAYER_BLSTM
                        ? blstm_work_size(&l->u.blstm, w->frames)
                        : recurrent_work_size(l);
        z->seq = longest(z->seq, (long)w->frames * layer_outputs(l));
        z->xproj = longest(z->xproj, (long)w->frames * recurrent_proj_size(l));
        z->state = longest(z->state, recurrent_state_size(l));
        z->work = longest(z->work, work);
    }
}

/* Takes n floats at *used from block, keeping each buffer 64-byte
 * aligned; with block NULL it only counts. */
static float *carve(float *block, long *used, long n)
{
    float *p = block ? block + *used : NULL;
    *used += (n + 15) / 16 * 16;
    return p;
}

/* Points the buffers into block (or, block NULL, only counts) and returns
 * the floats they take. */
static long window_layout(irmas_window *w, float *block)
{
    const irmas_model *m = w->m;
    window_sizes z = {0, 0, 0, 0, 0, 0};
    window_measure_branch(w, &z);
    window_measure_frames(w, &z);
    int frame_outputs =
        w->head > w->image_end ? layer_outputs(&m->layers[w->head - 1]) : 0;
    long used = 0;
    w->pixels =
        carve(block, &used, model_reads_image(m) ? image_floats(&m->image) : 0);
    w->branch[0] = carve(block, &used, z.branch);
    w->branch[1] = carve(block, &used, z.branch);
    w->conv = carve(block, &used, z.conv);
    for (int i = 0; i < w->image_end; i++) {
        const layer *l = &m->layers[i];
        int transformed = l->kind == LAYER_CONV2D && winograd_suits(&l->u.conv2d);
        w->winograd[i] = transformed ? carve(block, &used,
                                             winograd_filter_floats(&l->u.conv2d))
                                     : NULL;
    }
    for (int i = w->image_end; i < w->head; i++) {
        long packed = recurrent_packed_floats(&m->layers[i]);
        w->packed[i] = packed ? carve(block, &used, packed) : NULL;
    }
    w->feats = carve(block, &used, (long)w->frames * w->features);
    w->seq[0] = carve(block, &used, z.seq);
    w->seq[1] = carve(block, &used, z.seq);
    w->xproj = carve(block, &used, z.xproj);
    w->state = carve(block, &used, z.state);
    w->work = carve(block, &used, z.work);
    w->final = carve(block, &used, frame_outputs);
    w->head_scratch = carve(block, &used, model_head_scratch(m));
    return used;
}

static irmas_status window_alloc(irmas_window *w, char *err, size_t errlen)
{
    long floats = window_layout(w, NULL);
    w->block = aligned_alloc(64, (size_t)floats * sizeof(float));
    if (!w->block)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the %ld buffers of a window "
                           "runner", floats);
    memset(w->block, 0, (size_t)floats * sizeof(float));
    window_layout(w, w->block);
    for (int i = 0; i < w->image_end; i++)
        if (w->winograd[i])
            winograd_prepare(&w->m->layers[i].u.conv2d, w->winograd[i]);
    for (int i = w->image_end; i < w->head; i++)
        if (w->packed[i]) recurrent_pack(&w->m->layers[i], w->packed[i]);
    return IRMAS_OK;
}

/* The parts and shapes window_layout reads, from m. */
static void window_shape(irmas_window *w, const irmas_model *m)
{
    w->m = m;
    w->frames = model_frames(m);
    w->features = model_features(m);
    w->image_end = model_image_end(m);
    w->head = model_head_start(m);
}

long irmas_window_working_floats(const irmas_model *m)
{
    irmas_window w = {0};
    window_shape(&w, m);
    return window_layout(&w, NULL);
}

irmas_status irmas_window_new(const irmas_model *m, irmas_window **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    gemm_prepare_runner(); /* here, not in a classify in an audio callback */
    irmas_status status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) return status;

    irmas_window *w = calloc(1, sizeof *w);
    if (!w) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory creating a window runner");
    window_shape(w, m);
    status = reader_new(m, &w->reader, err, errlen);
    if (status == IRMAS_OK) status = window_alloc(w, err, errlen);
    if (status != IRMAS_OK) {
        irmas_window_free(w);
        return status;
    }
    *out = w;
    return IRMAS_OK;
}

void irmas_window_free(irmas_window *w)
{
    if (!w) return;
    reader_free(w->reader);
    free(w->block);
    free(w);
}

void irmas_window_classify(irmas_window *w, const float *samples, float *probs)
{
    irmas_window_classify_at(w, samples, IMAGE_ANYWHERE, probs);
}

/* irmas_window_read from the window at position (image_build). */
static const float *window_read_at(irmas_window *w, const float *samples,
                                   long long position)
{
    const irmas_model *m = w->m;
    int image = model_reads_image(m), frames = model_reads_frames(m);
    reader_read(w->reader, samples, m->window_samples, position,
                frames ? w->feats : NULL, image ? w->pixels : NULL);
    return frames ? w->feats : NULL;
}

void irmas_window_classify_at(irmas_window *w, const float *samples,
                              long long position, float *probs)
{
    window_read_at(w, samples, position);
    irmas_window_classify_read(w, probs);
}

const float *irmas_window_read(irmas_window *w, const float *samples)
{
    return window_read_at(w, samples, IMAGE_ANYWHERE);
}

void irmas_window_classify_read(irmas_window *w, float *probs)
{
    const irmas_model *m = w->m;
    int image = model_reads_image(m), frames = model_reads_frames(m);
    if (frames) model_standardise(m, w->feats, w->frames, w->features);
    irmas_window_classify_prepared(w, image ? w->pixels : NULL,
                             frames ? w->feats : NULL, probs);
}

/* Runs the image branch on image; returns its last layer's output. */
static const float *window_run_branch(irmas_window *w, const float *image)
{
    const float *x = image;
    for (int i = 0; i < w->image_end; i++) {
        const layer *l = &w->m->layers[i];
        float *out = x == w->branch[0] ? w->branch[1] : w->branch[0];
        if (w->winograd[i])
            winograd_forward(&l->u.conv2d, w->winograd[i], x, out, w->conv);
        else if (l->kind == LAYER_CONV2D)
            conv2d_forward(&l->u.conv2d, x, out, 1, w->conv);
        else if (l->kind == LAYER_MAXPOOL)
            pool_forward(&l->u.pool, x, out, 1, NULL);
        else
            dense_forward(&l->u.dense, x, out, 1);
        x = out;
    }
    return x;
}

/* Runs rnn, lstm or gru layer l, its W_h packed in packed, over the
 * frames x from h = h0 (or zero when h0 is NULL) and c = 0; keeps h at
 * every frame in seq when seq is not NULL. Leaves the final h at the start
 * of w->state. */
static void window_run_cell(irmas_window *w, const layer *l,
                            const float *packed, const float *x,
                            const float *h0, float *seq)
{
    int proj = recurrent_proj_size(l), hidden = recurrent_hidden(l);
    int inputs = layer_inputs(l), chunk = gemm_affine_chunk();
    if (chunk <= 0 || chunk > w->frames) chunk = w->frames;
    memset(w->state, 0, (size_t)recurrent_state_size(l) * sizeof *w->state);
    if (h0) memcpy(w->state, h0, (size_t)hidden * sizeof *w->state);
    for (int first = 0; first < w->frames; first += chunk) {
        int n = w->frames - first < chunk ? w->frames - first : chunk;
        recurrent_project(l, packed, x + (long)first * inputs, n, w->xproj);
        for (int t = 0; t < n; t++) {
            recurrent_step(l, packed, w->xproj + (long)t * proj, 0, w->state,
                           1, w->work);
            if (seq)
                memcpy(seq + (long)(first + t) * hidden, w->state,
                       (size_t)hidden * sizeof *seq);
        }
    }
}

/* Runs the frame layers on the frames x, the first from h0 (or NULL);
 * returns the last one's output. */
static const float *window_run_frames(irmas_window *w, const float *x,
                                      const float *h0)
{
    const float *final = NULL;
    for (int i = w->image_end; i < w->head; i++) {
        const layer *l = &w->m->layers[i];
        float *seq = i + 1 < w->head ? w->seq[i % 2] : NULL;
        if (l->kind == LAYER_STATS) {
            stats_forward(&l->u.stats, x, w->frames, w->final);
            final = w->final;
        } else if (l->kind == LAYER_BLSTM) {
            blstm_forward(&l->u.blstm, x, w->frames, w->final, w->work);
            final = w->final;
        } else {
            window_run_cell(w, l, w->packed[i], x,
                            i == w->image_end ? h0 : NULL, seq);
            final = w->state;
        }
        x = seq;
    }
    return final;
}

void irmas_window_classify_prepared(irmas_window *w, const float *image,
                              const float *features, float *probs)
{
    const float *branch = image ? window_run_branch(w, image) : NULL;
    const float *final =
        features ? window_run_frames(w, features, branch) : branch;
    model_head(w->m, final, w->head_scratch, probs);
}

void irmas_window_classify_frames(irmas_window *w, const float *features,
                            float *probs)
{
    irmas_window_classify_prepared(w, NULL, features, probs);
}
