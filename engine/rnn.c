/* rnn.c: the vanilla recurrent cell of rnn.h.
 *
 * Built like lstm.c: one matrix product of every row's h against W_h into
 * the work tape, then one pass per row that adds the projection and takes
 * the tanh, leaving h_t both in the tape and in h.
 */
#include "rnn.h"

#include "gemm.h"
#include "isa.h"

void rnn_project(const rnn_layer *l, const float *x, int frames, float *xproj)
{
    gemm_affine(frames, l->hidden, l->inputs, x, l->w_x, l->bias, xproj);
}

int rnn_work_size(int hidden)
{
    return hidden;
}

void rnn_step(const rnn_layer *l, const float *xproj, int xproj_stride,
              float *h, int batch, float *work)
{
    int hidden = l->hidden;
    gemm_nt(batch, hidden, hidden, h, hidden, l->w_h, hidden, 0.0f, work,
            hidden);
    for (int r = 0; r < batch; r++)
        isa_current()->rnn_cell(hidden, xproj + (long)r * xproj_stride,
                                work + (long)r * hidden,
                                h + (long)r * hidden);
}
