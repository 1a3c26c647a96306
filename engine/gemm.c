/* gemm.c: the matrix products of gemm.h.
 *
 * Large products (a window's input projection: 1323 frames by 4H outputs;
 * the trainer's batches) go to OpenBLAS's sgemm. A recurrent step is the
 * other extreme: one to a few rows of state against a [4H][H] matrix, and
 * there OpenBLAS 0.3.21 packs its operands as for a large product, costing
 * about 20 us per call whatever the rows, while its sgemv handles only one
 * row. gemm_nt therefore takes products of up to GEMM_SMALL_ROWS rows
 * itself: each output is a dot product of a row of A with a row of B, and
 * eight rows of B are swept together so each load of A serves eight of
 * them. docs/engine.md ("Layers and matrix products") has the measurements.
 */
#include "gemm.h"

#include "fastmath.h"

#include <cblas.h>
#include <string.h>

/* Products with at most this many rows in A use the kernel below. */
#define GEMM_SMALL_ROWS 8

/* Rows of B whose dot products with a row of A are computed together. */
#define GEMM_BLOCK 8

/* Four floats in one SIMD register (SSE on x86-64, NEON on ARM64); GCC and
 * Clang vector extensions, so the kernel needs no intrinsics. */
typedef float float4 __attribute__((vector_size(16)));

static inline float4 float4_load(const float *p)
{
    float4 v;
    memcpy(&v, p, sizeof v); /* unaligned load */
    return v;
}

/* out[j] = sum_i a[i] * b[j][i] for the `rows` (<= GEMM_BLOCK) rows of b.
 * Each row's sum runs in four lanes, added up at the end. Always inlined
 * with a constant `rows`, so the accumulators live in registers. */
static inline void gemm_dots(int rows, int k, const float *a, const float *b,
                             int ldb, float *out)
{
    float4 acc[GEMM_BLOCK] = {0};
    int i = 0;
    for (; i + 4 <= k; i += 4) {
        float4 x = float4_load(a + i);
        for (int j = 0; j < rows; j++)
            acc[j] += float4_load(b + (long)j * ldb + i) * x;
    }
    for (int j = 0; j < rows; j++)
        out[j] = (acc[j][0] + acc[j][2]) + (acc[j][1] + acc[j][3]);
    /* k % 4 leftover columns; a separate loop so the one above unrolls
     * completely and acc never leaves the registers. */
    for (int j = 0; j < rows; j++)
        for (int t = i; t < k; t++) out[j] += a[t] * b[(long)j * ldb + t];
}

/* gemm_nt for few rows of A: B is swept once, GEMM_BLOCK rows at a time,
 * and each block, small enough to stay in L1, meets every row of A. */
FASTMATH_CLONES
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

void gemm_nt(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    if (m <= GEMM_SMALL_ROWS)
        gemm_nt_small(m, n, k, a, lda, b, ldb, beta, c, ldc);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                    a, lda, b, ldb, beta, c, ldc);
}

void gemm_nn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a,
                lda, b, ldb, beta, c, ldc);
}

void gemm_tn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a,
                lda, b, ldb, beta, c, ldc);
}

void gemm_affine(int rows, int n, int k, const float *x, const float *w,
                 const float *bias, float *y)
{
    for (int r = 0; r < rows; r++)
        memcpy(y + (long)r * n, bias, (size_t)n * sizeof *y);
    gemm_nt(rows, n, k, x, k, w, k, 1.0f, y, n);
}

void gemm_set_threads(int threads)
{
    openblas_set_num_threads(threads);
}
