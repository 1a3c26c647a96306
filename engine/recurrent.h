/* recurrent.h: the recurrent cells (rnn, lstm, gru) behind one interface.
 *
 * The whole-window forward, the streaming classifier and the trainer all
 * run a recurrent layer the same way: project frames, then step a batch of
 * states. These functions dispatch on the layer's kind so those callers are
 * written once. A state is stored as h for every batch row and, for an
 * LSTM, c for every batch row after that: state = h[batch][H] c[batch][H].
 * blstm is not a cell: it has its own whole-window forward (blstm.h).
 */
#ifndef IRMAS_RECURRENT_H
#define IRMAS_RECURRENT_H

#include "layer.h"

/* Hidden units H of an rnn, lstm or gru layer. */
int recurrent_hidden(const layer *l);

/* Floats per frame of the input projection (H, 4H or 3H). */
int recurrent_proj_size(const layer *l);

/* Floats of state per batch row (H, or 2H for an LSTM). */
int recurrent_state_size(const layer *l);

/* Floats of work space per batch row for recurrent_step. */
int recurrent_work_size(const layer *l);

/* xproj[t][proj_size] for frames x[frames][inputs]; W_x comes from packed
 * (recurrent_pack's copy) or, packed NULL, from the layer. */
void recurrent_project(const layer *l, const float *packed, const float *x,
                       int frames, float *xproj);

/* Floats of the packed copy of l's weights W_h and W_x (gemm.h), and the
 * packing. The runners (window.h, stream.h) pack once, when they are
 * created, and project and step with the copy; the trainer, whose weights
 * change at every batch, passes NULL. */
long recurrent_packed_floats(const layer *l);
void recurrent_pack(const layer *l, float *packed);

/* Advances state (layout above) for batch rows by one frame; row r reads
 * xproj + r * xproj_stride (0 shares one projection). W_h comes from
 * packed (recurrent_pack's copy) or, packed NULL, from the layer. */
void recurrent_step(const layer *l, const float *packed, const float *xproj,
                    int xproj_stride, float *state, int batch, float *work);

#endif
