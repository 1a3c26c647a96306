/* gru.c: the GRU cell of gru.h, in both forms.
 *
 * The two forms differ only in what the candidate's recurrent product
 * reads: h itself (reset_after) or r * h, which needs r first. So a step
 * (W_h packed, where a runner packed it) is:
 *   1. one product for the batch: all of W_h against h where the candidate
 *      reads h (its n rows' sums then move to the hn slot), else only the
 *      r and z rows; then a pass that activates r and z and, in the
 *      original form, stores r * h;
 *   2. in the original form only, W_h's n rows against r * h (a second
 *      product);
 *   3. a pass that forms the candidate n and the new h.
 * Each row's work tape is [r | z | n | hn], hn the recurrent candidate term
 * the trainer needs; in between, the n slot holds r * h and the hn slot
 * the raw product.
 */
#include "gru.h"

#include "gemm.h"
#include "isa.h"

#include <string.h>

int gru_work_size(int hidden)
{
    return 4 * hidden;
}

/* Rows of W_h in a step's first product: all three gates' where the
 * candidate reads h itself (reset_after), else r's and z's. */
static int gru_first_rows(const gru_layer *l)
{
    return (l->reset_after ? 3 : 2) * l->hidden;
}

/* Where the n rows of the original form start in gru_pack's copy. */
static long gru_packed_n(const gru_layer *l)
{
    return gemm_packed_floats(gru_first_rows(l), l->hidden);
}

long gru_packed_floats(const gru_layer *l)
{
    long original_n = /* the original form's n rows, packed apart */
        l->reset_after ? 0 : gemm_packed_floats(l->hidden, l->hidden);
    return gru_packed_n(l) + original_n;
}

void gru_pack(const gru_layer *l, float *packed)
{
    int hidden = l->hidden;
    gemm_pack(gru_first_rows(l), hidden, l->w_h, hidden, packed);
    if (!l->reset_after)
        gemm_pack(hidden, hidden, l->w_h + 2L * hidden * hidden, hidden,
                  packed + gru_packed_n(l));
}

void gru_project(const gru_layer *l, const float *packed_w_x, const float *x,
                 int frames, float *xproj)
{
    gemm_affine(frames, 3 * l->hidden, l->inputs, x, l->w_x, packed_w_x,
                l->b_x, xproj);
}

void gru_step(const gru_layer *l, const float *packed, const float *xproj,
              int xproj_stride, float *h, int batch, float *work)
{
    int hidden = l->hidden, tape = 4 * hidden;
    const isa_kernels *kernels = isa_current();
    gemm_nt_weights(batch, gru_first_rows(l), hidden, h, hidden, l->w_h,
                    packed, work, tape);
    for (int r = 0; r < batch && l->reset_after; r++) {
        float *row = work + (long)r * tape; /* U_n h, into the hn slot */
        memcpy(row + 3 * hidden, row + 2 * hidden,
               (size_t)hidden * sizeof *row);
    }
    for (int r = 0; r < batch; r++)
        kernels->gru_gates(hidden, l->reset_after,
                           xproj + (long)r * xproj_stride, l->b_h,
                           work + (long)r * tape, h + (long)r * hidden);

    if (!l->reset_after)
        gemm_nt_weights(batch, hidden, hidden, work + 2 * hidden, tape,
                        l->w_h + 2L * hidden * hidden,
                        packed ? packed + gru_packed_n(l) : NULL,
                        work + 3 * hidden, tape);
    for (int r = 0; r < batch; r++)
        kernels->gru_candidate(hidden, l->reset_after,
                               xproj + (long)r * xproj_stride, l->b_h,
                               work + (long)r * tape, h + (long)r * hidden);
}
