/* gru.c: the GRU cell of gru.h, in both forms.
 *
 * The two forms differ only in what the candidate's recurrent product
 * reads: h itself (reset_after) or r * h, which needs r first. So both do
 * the same three things per step:
 *   1. W_h's r and z rows against h (one product for the batch), then a
 *      pass that activates r and z and, in the original form, stores r * h;
 *   2. W_h's n rows against h or r * h (a second product);
 *   3. a pass that forms the candidate n and the new h.
 * Each row's work tape is [r | z | n | hn], hn the recurrent candidate term
 * the trainer needs; in between, the n slot holds r * h and the hn slot
 * the raw product.
 */
#include "gru.h"

#include "fastmath.h"
#include "gemm.h"

#include <string.h>

void gru_project(const gru_layer *l, const float *x, int frames, float *xproj)
{
    gemm_affine(frames, 3 * l->hidden, l->inputs, x, l->w_x, l->b_x, xproj);
}

int gru_work_size(int hidden)
{
    return 4 * hidden;
}

/* Step 1 for one row: tape[0..2H) holds U_r h, U_z h on entry, r and z on
 * return; without reset_after, tape[2H..3H) gets r * h. */
FASTMATH_CLONES
static void gru_gates(int hidden, int reset_after, const float *restrict xproj,
                      const float *restrict b_h, float *restrict tape,
                      const float *restrict h)
{
    float *r = tape, *z = tape + hidden, *reset_h = tape + 2 * hidden;
    for (int j = 0; j < hidden; j++) {
        r[j] = fast_sigmoidf(r[j] + xproj[j] + b_h[j]);
        z[j] = fast_sigmoidf(z[j] + xproj[hidden + j] + b_h[hidden + j]);
    }
    if (!reset_after)
        for (int j = 0; j < hidden; j++) reset_h[j] = r[j] * h[j];
}

/* Step 3 for one row: tape[3H..4H) holds U_n h or U_n (r * h) on entry,
 * hn = that + b_hn on return; n and h follow. The n slot first holds the
 * candidate's recurrent term, r * hn or hn; the choice is made outside the
 * loops so each of them stays a plain SIMD loop. */
FASTMATH_CLONES
static void gru_candidate(int hidden, int reset_after,
                          const float *restrict xproj,
                          const float *restrict b_h, float *restrict tape,
                          float *restrict h)
{
    const float *r = tape, *z = tape + hidden;
    float *n = tape + 2 * hidden, *hn = tape + 3 * hidden;
    const float *xn = xproj + 2 * hidden, *b_hn = b_h + 2 * hidden;
    for (int j = 0; j < hidden; j++) hn[j] += b_hn[j];
    if (reset_after)
        for (int j = 0; j < hidden; j++) n[j] = r[j] * hn[j];
    else
        memcpy(n, hn, (size_t)hidden * sizeof *n);
    for (int j = 0; j < hidden; j++) {
        n[j] = fast_tanhf(xn[j] + n[j]);
        h[j] = z[j] * h[j] + (1.0f - z[j]) * n[j];
    }
}

void gru_step(const gru_layer *l, const float *xproj, int xproj_stride,
              float *h, int batch, float *work)
{
    int hidden = l->hidden, tape = 4 * hidden;
    gemm_nt(batch, 2 * hidden, hidden, h, hidden, l->w_h, hidden, 0.0f, work,
            tape);
    for (int r = 0; r < batch; r++)
        gru_gates(hidden, l->reset_after, xproj + (long)r * xproj_stride,
                  l->b_h, work + (long)r * tape, h + (long)r * hidden);

    const float *cand_in = l->reset_after ? h : work + 2 * hidden;
    int cand_ld = l->reset_after ? hidden : tape;
    gemm_nt(batch, hidden, hidden, cand_in, cand_ld,
            l->w_h + 2L * hidden * hidden, hidden, 0.0f, work + 3 * hidden,
            tape);
    for (int r = 0; r < batch; r++)
        gru_candidate(hidden, l->reset_after, xproj + (long)r * xproj_stride,
                      l->b_h, work + (long)r * tape, h + (long)r * hidden);
}
