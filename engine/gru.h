/* gru.h: the gated recurrent unit, in both of its published forms.
 *
 * Gates are stacked in one [3H] block in PyTorch's order r (reset),
 * z (update), n (candidate):
 *     r = sigmoid(W_r x + b_xr + U_r h + b_hr)
 *     z = sigmoid(W_z x + b_xz + U_z h + b_hz)
 *     reset_after = 1 (PyTorch and Keras default):
 *         n = tanh(W_n x + b_xn + r * (U_n h + b_hn))
 *     reset_after = 0 (Cho et al. 2014, the study's equation 12):
 *         n = tanh(W_n x + b_xn + U_n (r * h) + b_hn)
 *     h_t = z * h_{t-1} + (1 - z) * n
 * The study's equation 13 writes the last line with z and 1 - z swapped;
 * that is the same cell with the update gate's sign flipped, so we follow
 * PyTorch and Keras and their weights load unchanged.
 */
#ifndef IRMAS_GRU_H
#define IRMAS_GRU_H

typedef struct {
    int inputs, hidden;
    int reset_after; /* 1: PyTorch/Keras form, 0: original form */
    float *w_x;      /* [3*hidden][inputs] */
    float *w_h;      /* [3*hidden][hidden] */
    float *b_x;      /* [3*hidden] */
    float *b_h;      /* [3*hidden] */
} gru_layer;

/* xproj[t][3H] = W_x x[t] + b_x for frames x[frames][inputs]; W_x is
 * read from packed_w_x (W_x packed by gemm_pack) or, NULL, from the layer. */
void gru_project(const gru_layer *l, const float *packed_w_x, const float *x,
                 int frames, float *xproj);

/* Floats of work space gru_step needs per batch row. */
int gru_work_size(int hidden);

/* Floats of W_h packed for gru_step (gemm.h: all of it at once where
 * reset_after, else its r and z rows, then its n rows), and the
 * packing. */
long gru_packed_floats(const gru_layer *l);
void gru_pack(const gru_layer *l, float *packed);

/* Advances h[batch][H] by one frame, row r reading its projection at
 * xproj + r * xproj_stride (0 shares one projection). W_h is read from
 * packed (gru_pack's copy) or, packed NULL, from the layer. After the call
 * work[r][0..4H) holds r, z, n and the recurrent candidate term
 * (U_n h + b_hn, or U_n (r * h) + b_hn in the original form). */
void gru_step(const gru_layer *l, const float *packed, const float *xproj,
              int xproj_stride, float *h, int batch, float *work);

#endif
