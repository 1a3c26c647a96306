/* rnn.h: the vanilla (Elman) recurrent cell of the study's equation 2,
 *     h_t = tanh(W_x x_t + W_h h_{t-1} + b).
 *
 * Like every recurrent cell in libirmas it is split in two so a frame's input
 * projection can be computed once and shared: rnn_project turns frames into
 * projections (one matrix product over all frames), rnn_step advances a batch
 * of hidden states by one frame (one matrix product over the batch).
 */
#ifndef IRMAS_RNN_H
#define IRMAS_RNN_H

typedef struct {
    int inputs, hidden;
    float *w_x;  /* [hidden][inputs] */
    float *w_h;  /* [hidden][hidden] */
    float *bias; /* [hidden] */
} rnn_layer;

/* xproj[t][hidden] = W_x x[t] + b for frames x[frames][inputs]; W_x is
 * read from packed_w_x (W_x packed by gemm_pack) or, NULL, from the layer. */
void rnn_project(const rnn_layer *l, const float *packed_w_x, const float *x,
                 int frames, float *xproj);

/* Floats of work space rnn_step needs per batch row. */
int rnn_work_size(int hidden);

/* Floats of W_h packed for rnn_step (gemm.h), and the packing. */
long rnn_packed_floats(const rnn_layer *l);
void rnn_pack(const rnn_layer *l, float *packed);

/* Advances h[batch][hidden] by one frame. Row r reads its projection at
 * xproj + r * xproj_stride; a stride of 0 shares one projection across the
 * batch. W_h is read from packed (rnn_pack's copy) or, packed NULL, from
 * the layer. After the call work[r][0..hidden) holds the new h_t of row r. */
void rnn_step(const rnn_layer *l, const float *packed, const float *xproj,
              int xproj_stride, float *h, int batch, float *work);

#endif
