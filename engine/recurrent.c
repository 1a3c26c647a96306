/* recurrent.c: the dispatch of recurrent.h, from a layer's kind to its
 * cell's functions. Asking it about a kind that is not a cell (dense,
 * blstm, the image layers, stats) gives sizes of 0 and does nothing.
 */
#include "recurrent.h"

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

long recurrent_packed_floats(const layer *l)
{
    switch (l->kind) {
    case LAYER_RNN: return rnn_packed_floats(&l->u.rnn);
    case LAYER_LSTM: return lstm_packed_floats(&l->u.lstm);
    case LAYER_GRU: return gru_packed_floats(&l->u.gru);
    default: break; /* not a cell */
    }
    return 0;
}

void recurrent_pack(const layer *l, float *packed)
{
    switch (l->kind) {
    case LAYER_RNN: rnn_pack(&l->u.rnn, packed); break;
    case LAYER_LSTM: lstm_pack(&l->u.lstm, packed); break;
    case LAYER_GRU: gru_pack(&l->u.gru, packed); break;
    default: break; /* not a cell */
    }
}

void recurrent_project(const layer *l, const float *packed, const float *x,
                       int frames, float *xproj)
{
    switch (l->kind) {
    case LAYER_RNN: rnn_project(&l->u.rnn, packed, x, frames, xproj); break;
    case LAYER_LSTM: lstm_project(&l->u.lstm, packed, x, frames, xproj); break;
    case LAYER_GRU: gru_project(&l->u.gru, packed, x, frames, xproj); break;
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
