/* window.c: the whole-window forward pass (see window.h).
 *
 * A window goes through the model exactly as model.h describes it: a
 * normalised copy of the samples, the front-end's frames, standardisation,
 * the recurrent layers, the dense head. Each rnn, lstm or gru layer projects
 * all frames in one matrix product and then steps a single state through
 * them; a layer that feeds another recurrent layer keeps its h at every
 * frame as that layer's input sequence, the last one hands on only its
 * final h. A blstm (always the last recurrent layer) runs whole.
 *
 * window_new sizes every buffer for the largest layer and takes them all
 * from one allocation, so window_classify never allocates.
 */
#include "window.h"

#include "recurrent.h"

#include <stdlib.h>
#include <string.h>

struct window_runner {
    const model *m;
    frontend *fe;
    int frames, features, recurrent;
    float *samples; /* [window_samples]: the copy that is normalised */
    float *feats;   /* [frames][features] */
    float *seq[2];  /* [frames][widest output]: stacked layers' sequences */
    float *xproj;   /* [frames][largest projection] */
    float *state;   /* largest state of one row */
    float *work;    /* largest step or blstm work space */
    float *final;   /* a blstm's output */
    float *head;    /* model_head's scratch */
    float *block;   /* owns all of the above */
};

/* The sizes window_new needs, over every recurrent layer. */
typedef struct {
    long seq, xproj, state, work;
} window_sizes;

static window_sizes window_measure(const model *m, int frames)
{
    window_sizes z = {0, 0, 0, 0};
    for (int i = 0; i < model_head_start(m); i++) {
        const layer *l = &m->layers[i];
        long seq = (long)frames * layer_outputs(l), xproj = 0, state = 0,
             work;
        if (l->kind == LAYER_BLSTM) {
            work = blstm_work_size(&l->u.blstm, frames);
        } else {
            xproj = (long)frames * recurrent_proj_size(l);
            state = recurrent_state_size(l);
            work = recurrent_work_size(l);
        }
        z.seq = seq > z.seq ? seq : z.seq;
        z.xproj = xproj > z.xproj ? xproj : z.xproj;
        z.state = state > z.state ? state : z.state;
        z.work = work > z.work ? work : z.work;
    }
    return z;
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
static long window_layout(window_runner *w, float *block)
{
    const model *m = w->m;
    window_sizes z = window_measure(m, w->frames);
    long used = 0;
    w->samples = carve(block, &used, m->window_samples);
    w->feats = carve(block, &used, (long)w->frames * w->features);
    w->seq[0] = carve(block, &used, z.seq);
    w->seq[1] = carve(block, &used, z.seq);
    w->xproj = carve(block, &used, z.xproj);
    w->state = carve(block, &used, z.state);
    w->work = carve(block, &used, z.work);
    w->final =
        carve(block, &used, layer_outputs(&m->layers[w->recurrent - 1]));
    w->head = carve(block, &used, model_head_scratch(m));
    return used;
}

static irmas_status window_alloc(window_runner *w)
{
    long floats = window_layout(w, NULL);
    w->block = aligned_alloc(64, (size_t)floats * sizeof(float));
    if (!w->block) return IRMAS_ERR_NOMEM;
    memset(w->block, 0, (size_t)floats * sizeof(float));
    window_layout(w, w->block);
    return IRMAS_OK;
}

irmas_status window_new(const model *m, window_runner **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    irmas_status status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) return status;

    window_runner *w = calloc(1, sizeof *w);
    if (!w) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory creating a window runner");
    w->m = m;
    w->frames = model_frames(m);
    w->features = model_features(m);
    w->recurrent = model_head_start(m);
    status = frontend_new(&m->frontend, m->sample_rate, &w->fe, err, errlen);
    if (status == IRMAS_OK && window_alloc(w) != IRMAS_OK)
        status = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                             "out of memory for the buffers of a %d-frame "
                             "window", w->frames);
    if (status != IRMAS_OK) {
        window_delete(w);
        return status;
    }
    *out = w;
    return IRMAS_OK;
}

void window_delete(window_runner *w)
{
    if (!w) return;
    frontend_delete(w->fe);
    free(w->block);
    free(w);
}

void window_classify(window_runner *w, const float *samples, float *probs)
{
    const model *m = w->m;
    memcpy(w->samples, samples, (size_t)m->window_samples * sizeof *samples);
    model_prepare_samples(m, w->samples, m->window_samples);
    int hop = frontend_frame_hop(w->fe);
    for (int t = 0; t < w->frames; t++)
        frontend_compute(w->fe, w->samples + (long)t * hop,
                         w->feats + (long)t * w->features);
    model_standardise(m, w->feats, w->frames, w->features);
    window_classify_frames(w, w->feats, probs);
}

/* Runs rnn, lstm or gru layer l over the frames x from a zero state; keeps
 * h at every frame in seq when seq is not NULL. Leaves the final h at the
 * start of w->state. */
static void window_run_cell(window_runner *w, const layer *l, const float *x,
                            float *seq)
{
    int proj = recurrent_proj_size(l), hidden = recurrent_hidden(l);
    recurrent_project(l, x, w->frames, w->xproj);
    memset(w->state, 0, (size_t)recurrent_state_size(l) * sizeof *w->state);
    for (int t = 0; t < w->frames; t++) {
        recurrent_step(l, w->xproj + (long)t * proj, 0, w->state, 1, w->work);
        if (seq)
            memcpy(seq + (long)t * hidden, w->state,
                   (size_t)hidden * sizeof *seq);
    }
}

void window_classify_frames(window_runner *w, const float *features,
                            float *probs)
{
    const float *x = features, *final = NULL;
    for (int i = 0; i < w->recurrent; i++) {
        const layer *l = &w->m->layers[i];
        float *seq = i + 1 < w->recurrent ? w->seq[i % 2] : NULL;
        if (l->kind == LAYER_BLSTM) {
            blstm_forward(&l->u.blstm, x, w->frames, w->final, w->work);
            final = w->final;
        } else {
            window_run_cell(w, l, x, seq);
            final = w->state;
        }
        x = seq;
    }
    model_head(w->m, final, w->head, probs);
}
