/* lstm.c: the LSTM cell of lstm.h.
 *
 * A step is one matrix product, the previous h of every batch row against
 * W_h (packed, where a runner packed it), written straight into the work
 * tape; then one pass per row adds the frame's projection, activates the
 * four gates in place (the tape the trainer reads) and updates c and h.
 * That pass is the only place with nonlinearities; it is a kernel
 * (kernels.c), as wide as the CPU's vectors.
 */
#include "lstm.h"

#include "gemm.h"
#include "isa.h"

void lstm_project(const lstm_layer *l, const float *packed_w_x,
                  const float *x, int frames, float *xproj)
{
    gemm_affine(frames, 4 * l->hidden, l->inputs, x, l->w_x, packed_w_x,
                l->bias, xproj);
}

int lstm_work_size(int hidden)
{
    return 4 * hidden;
}

long lstm_packed_floats(const lstm_layer *l)
{
    return gemm_packed_floats(4 * l->hidden, l->hidden);
}

void lstm_pack(const lstm_layer *l, float *packed)
{
    gemm_pack(4 * l->hidden, l->hidden, l->w_h, l->hidden, packed);
}

void lstm_step(const lstm_layer *l, const float *packed, const float *xproj,
               int xproj_stride, float *h, float *c, int batch, float *work)
{
    int hidden = l->hidden, gates = 4 * hidden;
    gemm_nt_weights(batch, gates, hidden, h, hidden, l->w_h, packed, work,
                    gates);
    for (int r = 0; r < batch; r++)
        isa_current()->lstm_cell(hidden, xproj + (long)r * xproj_stride,
                                 work + (long)r * gates, h + (long)r * hidden,
                                 c + (long)r * hidden);
}
