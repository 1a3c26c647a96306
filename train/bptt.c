/* bptt.c: backpropagation through time for one recurrent layer (see
 * bptt.h).
 *
 * The work is done per direction: an rnn, lstm or gru layer is one
 * direction, a blstm two LSTM directions (the second reading the frames
 * last to first) whose outputs sit side by side. Each direction's tapes
 * are indexed by frame, not by step, so for either direction row
 * t * batch + r of every tape belongs to frame t of window r, lining up
 * with x for the weight gradients.
 *
 * Forward keeps, per frame, the state the step started from (h, and c
 * for an LSTM), the LSTM's new c, and the step's work tape. The input
 * projections are needed only during forward, so backward overwrites them
 * with their gradients. Backward then walks the frames in reverse step
 * order with the cell's grad step (cell_grad.h) and finishes with the
 * weight gradients as products over all frames and rows at once:
 *     dW_x += dA^T x      dW_h += dA^T h_prev      db += column sums of dA
 * (a GRU's candidate rows of W_h multiplied r * h_prev in the original
 * form, so their gradient reads that instead). The grad steps leave dh at
 * dL/dh_{t-1}, so after the first frame it is the gradient of the initial
 * state, which a CRNN's image branch learns from.
 */
#include "bptt.h"

#include "cell_grad.h"
#include "dense_grad.h"
#include "gemm.h"
#include "recurrent.h"

#include <stdlib.h>
#include <string.h>

/* One direction: a cell's weights, their gradients and its tapes. */
typedef struct {
    layer cell, grad; /* an rnn, lstm or gru, sharing the model's tensors */
    int reverse;      /* reads the frames last to first */
    int inputs, hidden, proj, work;
    float *proj_grad; /* [frames][batch][proj]: projections, then their
                         gradients (the pre-activation gradients) */
    float *rec_grad;  /* gru: [frames][batch][3H], the recurrent products'
                         gradients; otherwise proj_grad */
    float *h_prev;    /* [frames][batch][H]: h before each frame */
    float *c_prev;    /* lstm: [frames][batch][H]: c before each frame */
    float *c_new;     /* lstm: [frames][batch][H]: c after each frame */
    float *tape;      /* [frames][batch][work]: each step's work tape */
    float *reset_h;   /* original gru: [frames][batch][H], r * h_prev */
    float *state;     /* [batch][state size]: h, then c */
    float *dh, *dc;   /* [batch][H]: gradients flowing to earlier frames */
} direction;

struct bptt {
    int frames, max_batch, outputs, n_dirs;
    direction dirs[2];
};

/* A half of a blstm as a layer of its own. */
static layer lstm_as_layer(const lstm_layer *half)
{
    layer l = {.kind = LAYER_LSTM};
    l.u.lstm = *half;
    return l;
}

static void direction_free(direction *d)
{
    float *buffers[] = {d->proj_grad, d->h_prev, d->c_prev, d->c_new,
                        d->tape, d->reset_h, d->state, d->dh, d->dc};
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
        free(buffers[i]);
    if (d->rec_grad != d->proj_grad) free(d->rec_grad);
}

/* n floats, or NULL when n is 0 (a tape this direction does not keep). */
static float *tape_alloc(long n, int *failed)
{
    if (n == 0) return NULL;
    float *p = calloc((size_t)n, sizeof *p);
    if (!p) *failed = 1;
    return p;
}

static irmas_status direction_init(direction *d, layer cell, layer grad,
                                   int reverse, int frames, int max_batch)
{
    int lstm = cell.kind == LAYER_LSTM, gru = cell.kind == LAYER_GRU;
    int original_gru = gru && !cell.u.gru.reset_after;
    *d = (direction){.cell = cell, .grad = grad, .reverse = reverse,
                     .inputs = layer_inputs(&cell),
                     .hidden = recurrent_hidden(&cell),
                     .proj = recurrent_proj_size(&cell),
                     .work = recurrent_work_size(&cell)};
    long rows = (long)frames * max_batch, hidden = d->hidden;
    int failed = 0;
    d->proj_grad = tape_alloc(rows * d->proj, &failed);
    d->rec_grad = gru ? tape_alloc(rows * d->proj, &failed) : d->proj_grad;
    d->h_prev = tape_alloc(rows * hidden, &failed);
    d->c_prev = tape_alloc(lstm ? rows * hidden : 0, &failed);
    d->c_new = tape_alloc(lstm ? rows * hidden : 0, &failed);
    d->tape = tape_alloc(rows * d->work, &failed);
    d->reset_h = tape_alloc(original_gru ? rows * hidden : 0, &failed);
    d->state = tape_alloc((long)max_batch * recurrent_state_size(&cell),
                          &failed);
    d->dh = tape_alloc(max_batch * hidden, &failed);
    d->dc = tape_alloc(lstm ? max_batch * hidden : 0, &failed);
    return failed ? IRMAS_ERR_NOMEM : IRMAS_OK;
}

irmas_status bptt_new(const layer *l, layer *grad, int frames, int max_batch,
                      bptt **out)
{
    *out = NULL;
    if (!layer_is_recurrent(l) || frames < 1 || max_batch < 1)
        return IRMAS_ERR_ARG;
    bptt *b = calloc(1, sizeof *b);
    if (!b) return IRMAS_ERR_NOMEM;
    b->frames = frames;
    b->max_batch = max_batch;
    b->outputs = layer_outputs(l);
    irmas_status status;
    if (l->kind == LAYER_BLSTM) {
        b->n_dirs = 2;
        status = direction_init(&b->dirs[0], lstm_as_layer(&l->u.blstm.fwd),
                                lstm_as_layer(&grad->u.blstm.fwd), 0, frames,
                                max_batch);
        if (status == IRMAS_OK)
            status = direction_init(
                &b->dirs[1], lstm_as_layer(&l->u.blstm.bwd),
                lstm_as_layer(&grad->u.blstm.bwd), 1, frames, max_batch);
    } else {
        b->n_dirs = 1;
        status = direction_init(&b->dirs[0], *l, *grad, 0, frames, max_batch);
    }
    if (status != IRMAS_OK) {
        bptt_free(b);
        return status;
    }
    *out = b;
    return IRMAS_OK;
}

void bptt_free(bptt *b)
{
    if (!b) return;
    for (int i = 0; i < b->n_dirs; i++) direction_free(&b->dirs[i]);
    free(b);
}

/* The frame a direction reads at step s. */
static int direction_frame(const direction *d, int s, int frames)
{
    return d->reverse ? frames - 1 - s : s;
}

/* Runs direction d over x from h0[batch][H] (NULL: zeros) and writes its
 * final h into out, whose rows are out_ld floats apart. */
static void direction_forward(direction *d, const float *x, int frames,
                              int batch, const float *h0, float *out,
                              int out_ld)
{
    int hidden = d->hidden;
    size_t row_bytes = (size_t)batch * hidden * sizeof(float);
    float *h = d->state, *c = d->state + (long)batch * hidden;
    recurrent_project(&d->cell, NULL, x, frames * batch, d->proj_grad);
    memset(d->state, 0, (size_t)batch * recurrent_state_size(&d->cell) *
                            sizeof(float));
    if (h0) memcpy(h, h0, row_bytes);
    for (int s = 0; s < frames; s++) {
        long row = (long)direction_frame(d, s, frames) * batch;
        memcpy(d->h_prev + row * hidden, h, row_bytes);
        if (d->c_prev) memcpy(d->c_prev + row * hidden, c, row_bytes);
        recurrent_step(&d->cell, NULL, d->proj_grad + row * d->proj,
                       d->proj, d->state, batch, d->tape + row * d->work);
        if (d->c_new) memcpy(d->c_new + row * hidden, c, row_bytes);
    }
    for (int r = 0; r < batch; r++)
        memcpy(out + (long)r * out_ld, h + (long)r * hidden,
               (size_t)hidden * sizeof *out);
}

void bptt_forward_from(bptt *b, const float *x, int batch, const float *h0,
                       float *out)
{
    int offset = 0;
    for (int i = 0; i < b->n_dirs; i++) {
        direction_forward(&b->dirs[i], x, b->frames, batch, h0, out + offset,
                          b->outputs);
        offset += b->dirs[i].hidden;
    }
}

void bptt_forward(bptt *b, const float *x, int batch, float *out)
{
    bptt_forward_from(b, x, batch, NULL, out);
}

/* The cell's backward step for the frame whose tape rows start at row. */
static void direction_grad_step(direction *d, int batch, long row)
{
    long h_row = row * d->hidden;
    float *dproj = d->proj_grad + row * d->proj;
    const float *tape = d->tape + row * d->work;
    switch (d->cell.kind) {
    case LAYER_RNN:
        rnn_grad_step(&d->cell.u.rnn, batch, tape, d->dh, dproj);
        break;
    case LAYER_LSTM:
        lstm_grad_step(&d->cell.u.lstm, batch, tape, d->c_prev + h_row,
                       d->c_new + h_row, d->dh, d->dc, dproj);
        break;
    case LAYER_GRU:
        gru_grad_step(&d->cell.u.gru, batch, d->h_prev + h_row, tape, d->dh,
                      dproj, d->rec_grad + row * d->proj,
                      d->reset_h ? d->reset_h + h_row : NULL);
        break;
    case LAYER_DENSE:
    case LAYER_BLSTM:
    case LAYER_CONV2D:
    case LAYER_MAXPOOL:
    case LAYER_STATS: break;
    }
}

/* The weight gradients over all rows of every frame at once. grad's
 * tensors come in file order: w_x, w_h, then the bias (rnn, lstm) or
 * b_x and b_h (gru). */
static void direction_weight_grads(direction *d, const float *x, int rows)
{
    int inputs = d->inputs, hidden = d->hidden, proj = d->proj;
    layer_tensor t[LAYER_MAX_TENSORS];
    layer_tensors(&d->grad, t);
    float *dw_x = *t[0].data, *dw_h = *t[1].data;
    gemm_tn(proj, inputs, rows, d->proj_grad, proj, x, inputs, 1.0f, dw_x,
            inputs);
    dense_grad_bias(d->proj_grad, rows, proj, *t[2].data);
    if (d->cell.kind != LAYER_GRU) {
        gemm_tn(proj, hidden, rows, d->proj_grad, proj, d->h_prev, hidden,
                1.0f, dw_h, hidden);
        return;
    }
    const float *cand_in = d->reset_h ? d->reset_h : d->h_prev;
    gemm_tn(2 * hidden, hidden, rows, d->rec_grad, proj, d->h_prev, hidden,
            1.0f, dw_h, hidden);
    gemm_tn(hidden, hidden, rows, d->rec_grad + 2 * hidden, proj, cand_in,
            hidden, 1.0f, dw_h + 2L * hidden * hidden, hidden);
    dense_grad_bias(d->rec_grad, rows, proj, *t[3].data);
}

static void direction_backward(direction *d, const float *x, int frames,
                               int batch, const float *dout, int dout_ld,
                               float *dh0)
{
    int hidden = d->hidden;
    for (int r = 0; r < batch; r++)
        memcpy(d->dh + (long)r * hidden, dout + (long)r * dout_ld,
               (size_t)hidden * sizeof *d->dh);
    if (d->dc) memset(d->dc, 0, (size_t)batch * hidden * sizeof *d->dc);
    for (int s = frames - 1; s >= 0; s--)
        direction_grad_step(d, batch,
                            (long)direction_frame(d, s, frames) * batch);
    if (dh0) memcpy(dh0, d->dh, (size_t)batch * hidden * sizeof *dh0);
    direction_weight_grads(d, x, frames * batch);
}

void bptt_backward_to(bptt *b, const float *x, int batch, const float *dout,
                      float *dh0)
{
    int offset = 0;
    for (int i = 0; i < b->n_dirs; i++) {
        direction_backward(&b->dirs[i], x, b->frames, batch, dout + offset,
                           b->outputs, dh0);
        offset += b->dirs[i].hidden;
    }
}

void bptt_backward(bptt *b, const float *x, int batch, const float *dout)
{
    bptt_backward_to(b, x, batch, dout, NULL);
}
