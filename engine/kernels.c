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
#include "gemm.h"

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

/* One vector of VEC_FLOATS floats, and of as many ints (for masks). */
typedef float vec __attribute__((vector_size(VEC_FLOATS * sizeof(float))));
typedef int vec_int __attribute__((vector_size(VEC_FLOATS * sizeof(int))));

/* The lane numbers, and the even and odd lanes of two vectors side by side
 * (the index lists __builtin_shufflevector takes). */
#if VEC_FLOATS == 16
#define LANES {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
#define EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#elif VEC_FLOATS == 8
#define LANES {0, 1, 2, 3, 4, 5, 6, 7}
#define EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14
#define ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15
#else
#define LANES {0, 1, 2, 3}
#define EVEN_LANES 0, 2, 4, 6
#define ODD_LANES 1, 3, 5, 7
#endif

/* Rows of B whose dot products with a row of A are computed together. */
#define GEMM_BLOCK 8

static inline vec vec_load(const float *p)
{
    vec v;
    memcpy(&v, p, sizeof v); /* unaligned load */
    return v;
}

/* x in every lane, loaded straight from memory. Written x - 0, which is x
 * for every x, so the compiler emits one broadcast load; 0 + x is a real
 * addition (it turns -0 into +0), computed before the broadcast. */
static inline vec vec_broadcast(float x)
{
    return x - (vec){0};
}

/* a and b side by side, adjacent lanes added: the first half holds a's
 * lanes summed in pairs, the second half b's. Applied to vectors that each
 * hold runs of partial sums for some rows, it halves every run. */
static inline vec pair_sums(vec a, vec b)
{
    return __builtin_shufflevector(a, b, EVEN_LANES) +
           __builtin_shufflevector(a, b, ODD_LANES);
}

/* out[j] = the sum of acc[j]'s lanes, for the GEMM_BLOCK (8) vectors: the
 * pairs are summed together, halving each row's run of partial sums until
 * every row has one, so the eight sums take six to eight vector
 * additions instead of eight separate horizontal sums. */
static inline void sum_lanes(const vec acc[GEMM_BLOCK], float out[GEMM_BLOCK])
{
    vec two_rows[4], four_rows[2];
    for (int p = 0; p < 4; p++)
        two_rows[p] = pair_sums(acc[2 * p], acc[2 * p + 1]);
    four_rows[0] = pair_sums(two_rows[0], two_rows[1]); /* rows 0-3 */
    four_rows[1] = pair_sums(two_rows[2], two_rows[3]); /* rows 4-7 */
#if VEC_FLOATS == 4
    memcpy(out, four_rows, sizeof four_rows); /* one lane per row already */
#else
    vec all = pair_sums(four_rows[0], four_rows[1]); /* VEC_FLOATS/8 each */
#if VEC_FLOATS == 16
    all = pair_sums(all, all); /* rows 0-7 in the first half */
#endif
    memcpy(out, &all, GEMM_BLOCK * sizeof *out);
#endif
}

/* out[j] = sum_i a[i] * row[j][i] for GEMM_BLOCK rows of k >= VEC_FLOATS
 * floats. Each row's sum runs in VEC_FLOATS lanes; the columns a whole
 * vector leaves are covered by one more vector ending at column k, with
 * a's lanes already counted masked to zero (every load stays inside the
 * rows). Always inlined, so the accumulators live in registers. */
static inline __attribute__((always_inline)) void
gemm_dots(int k, const float *a, const float *const row[GEMM_BLOCK],
          float out[GEMM_BLOCK])
{
    vec acc[GEMM_BLOCK] = {0};
    int i = 0;
    for (; i + VEC_FLOATS <= k; i += VEC_FLOATS) {
        vec x = vec_load(a + i);
        for (int j = 0; j < GEMM_BLOCK; j++) acc[j] += vec_load(row[j] + i) * x;
    }
    if (i < k) {
        int last = k - VEC_FLOATS;
        vec_int lanes = LANES;
        vec x = (vec)((vec_int)vec_load(a + last) & (lanes >= i - last));
        for (int j = 0; j < GEMM_BLOCK; j++)
            acc[j] += vec_load(row[j] + last) * x;
    }
    sum_lanes(acc, out);
}

/* gemm_nt for few rows of A: B is swept once, GEMM_BLOCK rows at a time,
 * and each block, small enough to stay in L1, meets every row of A. A
 * block short of GEMM_BLOCK rows repeats its last row (computed, not
 * stored). Rows shorter than a vector are summed one float at a time. */
static void gemm_nt_small(int m, int n, int k, const float *a, int lda,
                          const float *b, int ldb, float beta, float *c,
                          int ldc)
{
    float dots[GEMM_BLOCK];
    for (int j = 0; j < n; j += GEMM_BLOCK) {
        int rows = n - j < GEMM_BLOCK ? n - j : GEMM_BLOCK;
        const float *row[GEMM_BLOCK];
        for (int t = 0; t < GEMM_BLOCK; t++)
            row[t] = b + (long)(j + (t < rows ? t : rows - 1)) * ldb;
        for (int r = 0; r < m; r++) {
            const float *x = a + (long)r * lda;
            float *out = c + (long)r * ldc + j;
            if (k >= VEC_FLOATS) {
                gemm_dots(k, x, row, dots);
            } else {
                for (int t = 0; t < rows; t++) {
                    dots[t] = 0.0f;
                    for (int i = 0; i < k; i++) dots[t] += x[i] * row[t][i];
                }
            }
            /* beta = 0 must not read C: it may hold garbage or NaN. */
            for (int t = 0; t < rows; t++)
                out[t] = beta == 0.0f ? dots[t] : beta * out[t] + dots[t];
        }
    }
}

/* Vectors per panel of gemm.h's packed layout; panels summed together (as
 * many as keep their sums in registers beside the vector being loaded and
 * the broadcast float: 10 of AVX2's 16, 12 of SSE2's 16); and chains of
 * sums per panel: with one panel a vector, two chains (even and odd
 * columns) keep AVX-512's adders busy while each sum waits on the last.
 * Each choice was the fastest of those tried on an Intel Xeon for the
 * [1 x 100] x [400 x 100]^T step product. The 4-float sets are SSE2's
 * choice on NEON too, which has 32 registers: not measured on ARM. */
#define PANEL_VECS (GEMM_PANEL / VEC_FLOATS)
#if VEC_FLOATS == 16
#define PACKED_GROUP 5
#define PACKED_CHAINS 2
#elif VEC_FLOATS == 8
#define PACKED_GROUP 5
#define PACKED_CHAINS 1
#else
#define PACKED_GROUP 3
#define PACKED_CHAINS 1
#endif

/* The panels [first, first + group) of an [n][k] packed matrix: where
 * they start and how far apart, the outputs they hold, and where their
 * sums start: from zero without a bias, else from the bias of those
 * outputs, copied into room (zero past n). */
typedef struct {
    const float *w, *start;
    long panel_floats;
    int first, columns;
} panel_group;

/* out[0 .. panels * GEMM_PANEL) = g's start plus the products of x[k]
 * with g's first panels (panels is a constant where it is inlined, so the
 * sums live in registers). Each float of x is broadcast as 0 + x, not
 * vec_broadcast: given a plain broadcast, the compiler folds it into every
 * multiply-add of the column, which then loads x once per vector beside
 * W's vector, and a window's steps ran 2 to 3 % slower (docs/engine.md). */
static inline __attribute__((always_inline)) void
packed_dots(int panels, int k, const float *restrict x, const panel_group *g,
            float *restrict out)
{
    const float *restrict w = g->w, *restrict start = g->start;
    long panel_floats = g->panel_floats;
    vec sum[PACKED_CHAINS][PACKED_GROUP * PANEL_VECS];
    memset(sum, 0, sizeof sum);
    for (int s = 0; s < panels * PANEL_VECS; s++)
        sum[0][s] = vec_load(start + s * VEC_FLOATS);
    int i = 0;
    for (; i + PACKED_CHAINS <= k; i += PACKED_CHAINS)
        for (int chain = 0; chain < PACKED_CHAINS; chain++) {
            vec broadcast = (vec){0} + x[i + chain];
            const float *column = w + (long)(i + chain) * GEMM_PANEL;
            for (int p = 0; p < panels; p++)
                for (int v = 0; v < PANEL_VECS; v++)
                    sum[chain][p * PANEL_VECS + v] +=
                        vec_load(column + p * panel_floats + v * VEC_FLOATS) *
                        broadcast;
        }
    for (; i < k; i++) { /* the columns the chains leave */
        vec broadcast = (vec){0} + x[i];
        const float *column = w + (long)i * GEMM_PANEL;
        for (int p = 0; p < panels; p++)
            for (int v = 0; v < PANEL_VECS; v++)
                sum[0][p * PANEL_VECS + v] +=
                    vec_load(column + p * panel_floats + v * VEC_FLOATS) *
                    broadcast;
    }
    for (int s = 0; s < panels * PANEL_VECS; s++) {
        vec total = sum[0][s];
        for (int chain = 1; chain < PACKED_CHAINS; chain++)
            total += sum[chain][s];
        memcpy(out + s * VEC_FLOATS, &total, sizeof total);
    }
}

/* Rows of A met together by a group of BLOCK_PANELS panels, where A has
 * that many rows (a window's projection, the stream's frames): each vector
 * of W loaded serves every row, and the rows' sums are independent chains,
 * so the adders never wait. BLOCK_ROWS x BLOCK_PANELS x PANEL_VECS sums
 * take 24 of AVX-512's 32 registers, 12 of AVX2's 16 and of SSE2's 16.
 * Each choice was the fastest of those tried on an Intel Xeon for the
 * [1323 x 100] x [400 x 100]^T projection (docs/engine.md). Where the
 * vectors are 8 or 16 floats wide this beats OpenBLAS's sgemm on it, and
 * gemm_affine sends long products here; with 4 floats it does not on x86
 * and was not measured on ARM, so they stay with OpenBLAS. */
#if VEC_FLOATS == 16
#define BLOCK_ROWS 6
#define BLOCK_PANELS 4
#elif VEC_FLOATS == 8
#define BLOCK_ROWS 6
#define BLOCK_PANELS 1
#else
#define BLOCK_ROWS 3
#define BLOCK_PANELS 1
#endif

/* c[r][0 .. g's columns) = g's start plus the products of BLOCK_ROWS rows
 * of A, from a, lda apart, with g's first panels (panels a constant where
 * it is inlined). */
static inline __attribute__((always_inline)) void
packed_block(int panels, int k, const float *restrict a, int lda,
             const panel_group *g, float *restrict c, int ldc)
{
    const float *restrict w = g->w, *restrict start = g->start;
    long panel_floats = g->panel_floats;
    vec sum[BLOCK_ROWS][BLOCK_PANELS * PANEL_VECS];
    for (int r = 0; r < BLOCK_ROWS; r++)
        for (int s = 0; s < panels * PANEL_VECS; s++)
            sum[r][s] = vec_load(start + s * VEC_FLOATS);
    for (int i = 0; i < k; i++) {
        vec column[BLOCK_PANELS * PANEL_VECS];
        for (int p = 0; p < panels; p++)
            for (int v = 0; v < PANEL_VECS; v++)
                column[p * PANEL_VECS + v] =
                    vec_load(w + p * panel_floats + (long)i * GEMM_PANEL +
                             v * VEC_FLOATS);
        for (int r = 0; r < BLOCK_ROWS; r++) {
            vec broadcast = vec_broadcast(a[(long)r * lda + i]);
            for (int s = 0; s < panels * PANEL_VECS; s++)
                sum[r][s] += column[s] * broadcast;
        }
    }
    for (int r = 0; r < BLOCK_ROWS; r++)
        memcpy(c + (long)r * ldc, sum[r], (size_t)g->columns * sizeof *c);
}

/* Where every group's sums start without a bias. */
#define MOST_PANELS (PACKED_GROUP > BLOCK_PANELS ? PACKED_GROUP : BLOCK_PANELS)
static const float no_bias[MOST_PANELS * GEMM_PANEL];

/* The group of panels [first_panel, first_panel + group) of the [n][k]
 * matrix packed, its sums starting from bias (copied into room) or zero. */
static panel_group packed_group(int n, int k, const float *packed,
                                const float *bias, int first_panel, int group,
                                float *room)
{
    long panel_floats = (long)k * GEMM_PANEL;
    panel_group g = {packed + first_panel * panel_floats, no_bias,
                     panel_floats, first_panel * GEMM_PANEL, 0};
    g.columns = n - g.first < group * GEMM_PANEL ? n - g.first
                                                 : group * GEMM_PANEL;
    if (bias) {
        for (int j = 0; j < group * GEMM_PANEL; j++)
            room[j] = j < g.columns ? bias[g.first + j] : 0.0f;
        g.start = room;
    }
    return g;
}

/* Rows [0, m - m % BLOCK_ROWS) of gemm_nt_packed, BLOCK_PANELS panels at
 * a time (fewer at the end), each group met by every block of rows while
 * it is in L1. */
static void packed_blocks(int m, int n, int k, const float *a, int lda,
                          const float *packed, const float *bias, float *c,
                          int ldc)
{
    int panels = gemm_panels(n);
    float room[BLOCK_PANELS * GEMM_PANEL];
    for (int p = 0; p < panels; p += BLOCK_PANELS) {
        int group = panels - p < BLOCK_PANELS ? panels - p : BLOCK_PANELS;
        panel_group g = packed_group(n, k, packed, bias, p, group, room);
        for (int r = 0; r + BLOCK_ROWS <= m; r += BLOCK_ROWS) {
            const float *x = a + (long)r * lda;
            float *out = c + (long)r * ldc + g.first;
            switch (group) {
#if BLOCK_PANELS > 1
            case 1: packed_block(1, k, x, lda, &g, out, ldc); break;
            case 2: packed_block(2, k, x, lda, &g, out, ldc); break;
            case 3: packed_block(3, k, x, lda, &g, out, ldc); break;
#endif
            default: packed_block(BLOCK_PANELS, k, x, lda, &g, out, ldc);
            }
        }
    }
}

/* gemm.h's gemm_nt_packed: whole blocks of BLOCK_ROWS rows through
 * packed_blocks, then each row left, PACKED_GROUP panels at a time (fewer
 * at the end), each group met by every such row while it is in L1. */
static void packed_product(int m, int n, int k, const float *a, int lda,
                           const float *packed, const float *bias, float *c,
                           int ldc)
{
    int blocked = m - m % BLOCK_ROWS;
    if (blocked) packed_blocks(blocked, n, k, a, lda, packed, bias, c, ldc);
    if (blocked == m) return;
    int panels = gemm_panels(n);
    float room[PACKED_GROUP * GEMM_PANEL], out[PACKED_GROUP * GEMM_PANEL];
    for (int p = 0; p < panels; p += PACKED_GROUP) {
        int group = panels - p < PACKED_GROUP ? panels - p : PACKED_GROUP;
        panel_group g = packed_group(n, k, packed, bias, p, group, room);
        for (int r = blocked; r < m; r++) {
            const float *x = a + (long)r * lda;
            switch (group) {
            case 1: packed_dots(1, k, x, &g, out); break;
            case 2: packed_dots(2, k, x, &g, out); break;
#if PACKED_GROUP > 3
            case 3: packed_dots(3, k, x, &g, out); break;
            case 4: packed_dots(4, k, x, &g, out); break;
#endif
            default: packed_dots(PACKED_GROUP, k, x, &g, out);
            }
            memcpy(c + (long)r * ldc + g.first, out,
                   (size_t)g.columns * sizeof *out);
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
    .gemm_nt_packed = packed_product,
    .packed_beats_blas = VEC_FLOATS >= 8,
    .lstm_cell = lstm_cell,
    .gru_gates = gru_gates,
    .gru_candidate = gru_candidate,
    .rnn_cell = rnn_cell,
};
