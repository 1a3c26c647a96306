/* rnn.c: the vanilla recurrent cell of rnn.h.
 *
 * Built like lstm.c: one matrix product of every row's h against W_h into
 * the work tape, then one pass per row that adds the projection and takes
 * the tanh, leaving h_t both in the tape and in h.
 */
#include "rnn.h"

#include "gemm.h"
#include "isa.h"

void rnn_project(const rnn_layer *l, const float *packed_w_x, const float *x,
                 int frames, float *xproj)
{
    gemm_affine(frames, l->hidden, l->inputs, x, l->w_x, packed_w_x, l->bias,
                xproj);
}

int rnn_work_size(int hidden)
{
    return hidden;
}

long rnn_packed_floats(const rnn_layer *l)
{
    return gemm_packed_floats(l->hidden, l->hidden);
}

void rnn_pack(const rnn_layer *l, float *packed)
{
    gemm_pack(l->hidden, l->hidden, l->w_h, l->hidden, packed);
}

void rnn_step(const rnn_layer *l, const float *packed, const float *xproj,
              int xproj_stride, float *h, int batch, float *work)
{
    int hidden = l->hidden;
    gemm_nt_weights(batch, hidden, hidden, h, hidden, l->w_h, packed, work,
                    hidden);
    for (int r = 0; r < batch; r++)
        isa_current()->rnn_cell(hidden, xproj + (long)r * xproj_stride,
                                work + (long)r * hidden,
                                h + (long)r * hidden);
}
