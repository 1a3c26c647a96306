/* recurrent.c: the dispatch of recurrent.h, from a layer's kind to its
 * cell's functions. Asking it about a kind that is not a cell (dense,
 * blstm, the image layers, stats) gives sizes of 0 and does nothing.
 * A packed copy holds the cell's W_h as the cell packs it, then W_x
 * packed by gemm_pack, the same for every cell.
 */
#include "recurrent.h"

#include "gemm.h"

#include <stddef.h>

int recurrent_hidden(const layer *l)
{
    switch (l->kind) {
    case LAYER_RNN: return l->u.rnn.hidden;
    case LAYER_LSTM: return l->u.lstm.hidden;
    case LAYER_GRU: return l->u.gru.hidden;
    default: break; /* not a cell */
    }
    return 0;
}

int recurrent_proj_size(const layer *l)
{
    int gates = l->kind == LAYER_LSTM ? 4 : l->kind == LAYER_GRU ? 3 : 1;
    return gates * recurrent_hidden(l);
}

int recurrent_state_size(const layer *l)
{
    return (l->kind == LAYER_LSTM ? 2 : 1) * recurrent_hidden(l);
}

int recurrent_work_size(const layer *l)
{
    switch (l->kind) {
    case LAYER_RNN: return rnn_work_size(l->u.rnn.hidden);
    case LAYER_LSTM: return lstm_work_size(l->u.lstm.hidden);
    case LAYER_GRU: return gru_work_size(l->u.gru.hidden);
    default: break; /* not a cell */
    }
    return 0;
}

/* Floats of the packed copy's first part, W_h as the cell packs it. */
static long recurrent_packed_w_h(const layer *l)
{
    switch (l->kind) {
    case LAYER_RNN: return rnn_packed_floats(&l->u.rnn);
    case LAYER_LSTM: return lstm_packed_floats(&l->u.lstm);
    case LAYER_GRU: return gru_packed_floats(&l->u.gru);
    default: break; /* not a cell */
    }
    return 0;
}

/* The cell's W_x [proj_size][inputs], or NULL. */
static const float *recurrent_w_x(const layer *l)
{
    switch (l->kind) {
    case LAYER_RNN: return l->u.rnn.w_x;
    case LAYER_LSTM: return l->u.lstm.w_x;
    case LAYER_GRU: return l->u.gru.w_x;
    default: break; /* not a cell */
    }
    return NULL;
}

long recurrent_packed_floats(const layer *l)
{
    /* 0 for a layer that is not a cell: no W_h, and no projection */
    return recurrent_packed_w_h(l) +
           gemm_packed_floats(recurrent_proj_size(l), layer_inputs(l));
}

void recurrent_pack(const layer *l, float *packed)
{
    switch (l->kind) {
    case LAYER_RNN: rnn_pack(&l->u.rnn, packed); break;
    case LAYER_LSTM: lstm_pack(&l->u.lstm, packed); break;
    case LAYER_GRU: gru_pack(&l->u.gru, packed); break;
    default: return; /* not a cell */
    }
    gemm_pack(recurrent_proj_size(l), layer_inputs(l), recurrent_w_x(l),
              layer_inputs(l), packed + recurrent_packed_w_h(l));
}

void recurrent_project(const layer *l, const float *packed, const float *x,
                       int frames, float *xproj)
{
    const float *w_x = packed ? packed + recurrent_packed_w_h(l) : NULL;
    switch (l->kind) {
    case LAYER_RNN: rnn_project(&l->u.rnn, w_x, x, frames, xproj); break;
    case LAYER_LSTM: lstm_project(&l->u.lstm, w_x, x, frames, xproj); break;
    case LAYER_GRU: gru_project(&l->u.gru, w_x, x, frames, xproj); break;
    default: break; /* not a cell */
    }
}

void recurrent_step(const layer *l, const float *packed, const float *xproj,
                    int xproj_stride, float *state, int batch, float *work)
{
    switch (l->kind) {
    case LAYER_RNN:
        rnn_step(&l->u.rnn, packed, xproj, xproj_stride, state, batch, work);
        break;
    case LAYER_LSTM: {
        float *c = state + (long)batch * l->u.lstm.hidden;
        lstm_step(&l->u.lstm, packed, xproj, xproj_stride, state, c, batch,
                  work);
        break;
    }
    case LAYER_GRU:
        gru_step(&l->u.gru, packed, xproj, xproj_stride, state, batch, work);
        break;
    default: break; /* not a cell */
    }
}
