/* lstm.h: the long short-term memory cell of the study's equations 4 to 9.
 *
 * The four gates are stored stacked in one [4H] block in PyTorch's order:
 *     i (input), f (forget), g (candidate, the study's C-bar), o (output)
 *     c_t = f * c_{t-1} + i * g,      h_t = o * tanh(c_t)
 * with sigmoid on i, f, o and tanh on g. One bias per gate (PyTorch's b_ih
 * and b_hh add up to it). As in rnn.h, the cell is split into a projection
 * over frames and a step over a batch of states.
 */
#ifndef IRMAS_LSTM_H
#define IRMAS_LSTM_H

typedef struct {
    int inputs, hidden;
    float *w_x;  /* [4*hidden][inputs] */
    float *w_h;  /* [4*hidden][hidden] */
    float *bias; /* [4*hidden] */
} lstm_layer;

/* xproj[t][4H] = W_x x[t] + b for frames x[frames][inputs]; W_x is read
 * from packed_w_x (W_x packed by gemm_pack) or, NULL, from the layer. */
void lstm_project(const lstm_layer *l, const float *packed_w_x,
                  const float *x, int frames, float *xproj);

/* Floats of work space lstm_step needs per batch row. */
int lstm_work_size(int hidden);

/* Floats of W_h packed for lstm_step (gemm.h), and the packing. */
long lstm_packed_floats(const lstm_layer *l);
void lstm_pack(const lstm_layer *l, float *packed);

/* Advances h[batch][H] and c[batch][H] by one frame. Row r reads its
 * projection at xproj + r * xproj_stride (0 shares one projection). W_h is
 * read from packed (lstm_pack's copy) or, packed NULL, from the layer.
 * After the call work[r][0..4H) holds row r's activated gates i, f, g, o:
 * what the trainer's backward pass needs. */
void lstm_step(const lstm_layer *l, const float *packed, const float *xproj,
               int xproj_stride, float *h, float *c, int batch, float *work);

#endif
