/* gru.c: the GRU cell of gru.h, in both forms.
 *
 * The two forms differ only in what the candidate's recurrent product
 * reads: h itself (reset_after) or r * h, which needs r first. So both do
 * the same three things per step (W_h packed, where a runner packed it):
 *   1. W_h's r and z rows against h (one product for the batch), then a
 *      pass that activates r and z and, in the original form, stores r * h;
 *   2. W_h's n rows against h or r * h (a second product);
 *   3. a pass that forms the candidate n and the new h.
 * Each row's work tape is [r | z | n | hn], hn the recurrent candidate term
 * the trainer needs; in between, the n slot holds r * h and the hn slot
 * the raw product.
 */
#include "gru.h"

#include "gemm.h"
#include "isa.h"

#include <stddef.h>

void gru_project(const gru_layer *l, const float *x, int frames, float *xproj)
{
    gemm_affine(frames, 3 * l->hidden, l->inputs, x, l->w_x, l->b_x, xproj);
}

int gru_work_size(int hidden)
{
    return 4 * hidden;
}

/* Where the n rows start in gru_pack's copy. */
static long gru_packed_n(const gru_layer *l)
{
    return gemm_packed_floats(2 * l->hidden, l->hidden);
}

long gru_packed_floats(const gru_layer *l)
{
    return gru_packed_n(l) + gemm_packed_floats(l->hidden, l->hidden);
}

void gru_pack(const gru_layer *l, float *packed)
{
    int hidden = l->hidden;
    gemm_pack(2 * hidden, hidden, l->w_h, hidden, packed);
    gemm_pack(hidden, hidden, l->w_h + 2L * hidden * hidden, hidden,
              packed + gru_packed_n(l));
}

void gru_step(const gru_layer *l, const float *packed, const float *xproj,
              int xproj_stride, float *h, int batch, float *work)
{
    int hidden = l->hidden, tape = 4 * hidden;
    const isa_kernels *kernels = isa_current();
    gemm_nt_weights(batch, 2 * hidden, hidden, h, hidden, l->w_h, packed,
                    work, tape);
    for (int r = 0; r < batch; r++)
        kernels->gru_gates(hidden, l->reset_after,
                           xproj + (long)r * xproj_stride, l->b_h,
                           work + (long)r * tape, h + (long)r * hidden);

    const float *cand_in = l->reset_after ? h : work + 2 * hidden;
    int cand_ld = l->reset_after ? hidden : tape;
    gemm_nt_weights(batch, hidden, hidden, cand_in, cand_ld,
                    l->w_h + 2L * hidden * hidden,
                    packed ? packed + gru_packed_n(l) : NULL,
                    work + 3 * hidden, tape);
    for (int r = 0; r < batch; r++)
        kernels->gru_candidate(hidden, l->reset_after,
                               xproj + (long)r * xproj_stride, l->b_h,
                               work + (long)r * tape, h + (long)r * hidden);
}
