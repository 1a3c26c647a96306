/* kernels.c: the inner loops of kernels.h, written once and compiled once
 * per instruction set (engine/meson.build passes KERNELS_TABLE, the table's
 * name, and the set's flags: -mavx2 -mfma, -mavx512f ...).
 *
 * The vectors are GCC and Clang vector extensions as wide as the set being
 * compiled for: 4 floats (SSE2, NEON), 8 (AVX2) or 16 (AVX-512). The gate
 * loops are plain loops over fastmath.h's branch-free functions, which the
 * compiler turns into code of the same width.
 *
 * An LSTM step of H = 100 is a [4H][H] product against one row of state and
 * one pass over 4H gates; at 1323 steps a window, these loops are most of
 * a recurrent model's time (docs/engine.md, "Layers and matrix products").
 */
#include "kernels.h"

#include "fastmath.h"

#include <string.h>

#ifndef KERNELS_TABLE
#error "engine/meson.build compiles kernels.c with -DKERNELS_TABLE=kernels_<set>"
#endif

#if defined(__AVX512F__)
#define VEC_FLOATS 16
#elif defined(__AVX2__)
#define VEC_FLOATS 8
#else
#define VEC_FLOATS 4
#endif

/* One vector of VEC_FLOATS floats. */
typedef float vec __attribute__((vector_size(VEC_FLOATS * sizeof(float))));

/* Rows of B whose dot products with a row of A are computed together. */
#define GEMM_BLOCK 8

static inline vec vec_load(const float *p)
{
    vec v;
    memcpy(&v, p, sizeof v); /* unaligned load */
    return v;
}

/* Four floats: the narrowest vector, for the columns a wide one leaves,
 * and what every width's sum is folded down to. */
typedef float quad __attribute__((vector_size(4 * sizeof(float))));

static inline quad quad_load(const float *p)
{
    quad q;
    memcpy(&q, p, sizeof q); /* unaligned load */
    return q;
}

/* The sum of v's lanes and q's: v's quarters added to q as vectors, then
 * four lanes. */
static inline float vec_sum(vec v, quad q)
{
    quad parts[VEC_FLOATS / 4];
    memcpy(parts, &v, sizeof v);
    for (int i = 0; i < VEC_FLOATS / 4; i++) q += parts[i];
    return (q[0] + q[2]) + (q[1] + q[3]);
}

/* out[j] = sum_i a[i] * b[j][i] for the `rows` (<= GEMM_BLOCK) rows of b.
 * Each row's sum runs in VEC_FLOATS lanes, added up at the end. Always
 * inlined with a constant `rows`, so the accumulators live in registers. */
static inline __attribute__((always_inline)) void
gemm_dots(int rows, int k, const float *a, const float *b, int ldb, float *out)
{
    vec acc[GEMM_BLOCK] = {0};
    int i = 0;
    for (; i + VEC_FLOATS <= k; i += VEC_FLOATS) {
        vec x = vec_load(a + i);
        for (int j = 0; j < rows; j++)
            acc[j] += vec_load(b + (long)j * ldb + i) * x;
    }
    /* The columns left, four at a time, then one at a time; separate
     * loops, so the one above unrolls completely and acc never leaves the
     * registers. */
    quad rest[GEMM_BLOCK] = {0};
    for (; i + 4 <= k; i += 4) {
        quad x = quad_load(a + i);
        for (int j = 0; j < rows; j++)
            rest[j] += quad_load(b + (long)j * ldb + i) * x;
    }
    for (int j = 0; j < rows; j++) out[j] = vec_sum(acc[j], rest[j]);
    for (int j = 0; j < rows; j++)
        for (int t = i; t < k; t++) out[j] += a[t] * b[(long)j * ldb + t];
}

/* gemm_nt for few rows of A: B is swept once, GEMM_BLOCK rows at a time,
 * and each block, small enough to stay in L1, meets every row of A. */
static void gemm_nt_small(int m, int n, int k, const float *a, int lda,
                          const float *b, int ldb, float beta, float *c,
                          int ldc)
{
    float dots[GEMM_BLOCK];
    for (int j = 0; j < n; j += GEMM_BLOCK) {
        int rows = n - j < GEMM_BLOCK ? n - j : GEMM_BLOCK;
        const float *block = b + (long)j * ldb;
        for (int r = 0; r < m; r++) {
            const float *row = a + (long)r * lda;
            float *out = c + (long)r * ldc + j;
            if (rows == GEMM_BLOCK)
                gemm_dots(GEMM_BLOCK, k, row, block, ldb, dots);
            else
                for (int t = 0; t < rows; t++)
                    gemm_dots(1, k, row, block + (long)t * ldb, ldb, dots + t);
            /* beta = 0 must not read C: it may hold garbage or NaN. */
            for (int t = 0; t < rows; t++)
                out[t] = beta == 0.0f ? dots[t] : beta * out[t] + dots[t];
        }
    }
}

/* One row: gates[4H] holds W_h h on entry and the activated i, f, g, o on
 * return; c and h advance. */
static void lstm_cell(int hidden, const float *restrict xproj,
                      float *restrict gates, float *restrict h,
                      float *restrict c)
{
    float *i = gates, *f = gates + hidden, *g = gates + 2 * hidden,
          *o = gates + 3 * hidden;
    const float *xi = xproj, *xf = xproj + hidden, *xg = xproj + 2 * hidden,
                *xo = xproj + 3 * hidden;
    for (int j = 0; j < hidden; j++) {
        i[j] = fast_sigmoidf(i[j] + xi[j]);
        f[j] = fast_sigmoidf(f[j] + xf[j]);
        g[j] = fast_tanhf(g[j] + xg[j]);
        o[j] = fast_sigmoidf(o[j] + xo[j]);
        c[j] = f[j] * c[j] + i[j] * g[j];
        h[j] = o[j] * fast_tanhf(c[j]);
    }
}

/* Step 1 for one row: tape[0..2H) holds U_r h, U_z h on entry, r and z on
 * return; without reset_after, tape[2H..3H) gets r * h. */
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

/* One Elman row: the tanh of W_h h plus the projection, into work and h. */
static void rnn_cell(int hidden, const float *restrict xproj,
                     float *restrict work, float *restrict h)
{
    for (int j = 0; j < hidden; j++) {
        work[j] = fast_tanhf(work[j] + xproj[j]);
        h[j] = work[j];
    }
}

const isa_kernels KERNELS_TABLE = {
    .gemm_nt_small = gemm_nt_small,
    .lstm_cell = lstm_cell,
    .gru_gates = gru_gates,
    .gru_candidate = gru_candidate,
    .rnn_cell = rnn_cell,
};
